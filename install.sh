#!/bin/sh
# install.sh: install pyrun from this checkout into its own virtual environment, and
# add its hook line to your shell's start-up file.
#
#     sh install.sh                              # uses python3 from PATH
#     PYTHON=/usr/bin/python3.12 sh install.sh   # or the interpreter you name
#     sh install.sh --no-modify-rc               # leave the shell's start-up file alone
#                                                # (or PYRUN_NO_MODIFY_RC=1)
#
# Strategy. pyrun exists so that nothing is pip-installed into the machine's Python,
# so pyrun is not installed there either: it gets a venv of its own at
# <data>/tool, where <data> is the directory pyrun itself uses (PYRUN_DATA_DIR, else
# platformdirs.user_data_dir("pyrun"): $XDG_DATA_HOME/pyrun when that is an absolute
# path, else ~/.local/share/pyrun). The data directory is made 0700 whatever the
# umask, as pyrun makes it (paths.py): one a umask of 002 left group-writable would be
# refused by pyrun itself. One that is already there is checked with pyrun's own rule
# (src/pyrun/ownership.py, run by the interpreter before anything is written), so a
# refusal comes first and its fix names a directory that exists. A symlink to its
# `pyrun` command goes into $PYRUN_BIN_DIR (default ~/.local/bin). Then `pyrun rehash`
# writes the shims (and a `pyrun` link among them, so that `pyrun` is a command in
# every shell the hook runs in, whether or not ~/.local/bin is on PATH), and the
# script shows `python` resolving through them from an empty directory.
#
# The shell. As rustup's and uv's installers do, it edits the start-up file by
# default: `pyrun init SHELL` for the shell named by $SHELL (bash, zsh, fish, pwsh;
# the shell a new terminal starts, while the process running this script is sh), which
# adds pyrun's marked block once, finds a line written by hand instead of adding a
# second, and is taken back by `pyrun init --undo` or `pyrun uninstall`. It ends with
# the literal step for this terminal (`exec bash`: an installer cannot change the
# shell that started it). --no-modify-rc or PYRUN_NO_MODIFY_RC=1 (rustup's
# --no-modify-path, uv's UV_NO_MODIFY_PATH) prints the init command instead.
#
# Failing leaves things as they were: an existing tool venv is moved aside to
# tool.old and put back if anything fails before the new one works; directories this
# run made (the data directory, with everything pyrun put in it, and the parents and
# bin directory mkdir -p made) are removed again; every failure ends in one line,
# "install.sh: <what failed>; <how to fix it>". Running it again reinstalls from
# scratch (the venv is made with --clear), so it is idempotent.
#
# PYRUN_DISABLE=1 is exported first: on a reinstall pyrun's shims may be first on
# PATH, and it makes `python3` (and every other program run here) the real one.

set -eu

me=install.sh
PYRUN_DISABLE=1
export PYRUN_DISABLE

here=$(cd -P -- "$(dirname -- "$0")" && pwd) || exit 1
if [ ! -f "$here/pyproject.toml" ] || [ ! -f "$here/scripts/lib.sh" ]; then
    printf '%s: %s is not a pyrun checkout; run it from one: cd pyrun && sh install.sh\n' \
        "$me" "$here" >&2
    exit 1
fi
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"

case ${PYRUN_NO_MODIFY_RC-} in
    '' | 0) modify_rc=1 ;;
    *) modify_rc= ;;
esac
for arg in "$@"; do
    case $arg in
        --no-modify-rc) modify_rc= ;;
        *) fail "unknown argument $arg; the only option is --no-modify-rc (or PYRUN_NO_MODIFY_RC=1): sh install.sh --no-modify-rc" ;;
    esac
done

# -- where things go (nothing is written until the checks below pass) -----------------

[ -n "${HOME-}" ] || fail "HOME is not set; set it to your home directory and rerun"
if [ -n "${PYRUN_DATA_DIR-}" ]; then
    data=$PYRUN_DATA_DIR
else
    # platformdirs ignores an XDG_DATA_HOME that is not absolute, as the spec says.
    case ${XDG_DATA_HOME-} in
        /*) data_home=$XDG_DATA_HOME ;;
        *)
            if [ "$(uname -s)" = Darwin ]; then
                data_home="$HOME/Library/Application Support"
            else
                data_home=$HOME/.local/share
            fi
            ;;
    esac
    data=${data_home%/}/pyrun
fi
bindir=${PYRUN_BIN_DIR:-$HOME/.local/bin}
case $data in /*) ;; *) data=$PWD/$data ;; esac
case $bindir in /*) ;; *) bindir=$PWD/$bindir ;; esac
data=${data%/}
bindir=${bindir%/}
tool=$data/tool
link=$bindir/pyrun
py=${PYTHON:-python3}

# -- failure handling ---------------------------------------------------------------

phase=check      # check: nothing written yet; build: tool venv in the making; installed
step="checking the interpreter"
demo_dir=
source_copy=
made_data=
made_link=
made_above_data=  # the topmost parent of the data directory that mkdir -p made
made_bin=         # the topmost directory of PYRUN_BIN_DIR that mkdir -p made

# top_missing DIR: the topmost directory of DIR's path that is not there yet (empty
# when DIR is), that is what `mkdir -p DIR` makes, for the rollback to take back.
top_missing() {
    tm_dir=$1
    tm_top=
    while [ -n "$tm_dir" ] && [ ! -e "$tm_dir" ] && [ ! -L "$tm_dir" ]; do
        tm_top=$tm_dir
        tm_dir=${tm_dir%/*}
    done
    printf '%s' "$tm_top"
}

# rmdir_up DIR TOP: remove DIR and its parents up to TOP while they are empty.
rmdir_up() {
    ru_dir=$1
    while rmdir "$ru_dir" 2>/dev/null && [ "$ru_dir" != "$2" ]; do
        ru_dir=${ru_dir%/*}
    done
}

on_exit() {
    status=$?
    trap - EXIT
    trap '' HUP INT TERM PIPE  # finish the cleanup whatever arrives now
    if [ -n "$demo_dir" ]; then rm -rf "$demo_dir"; fi
    if [ -n "$source_copy" ]; then rm -rf "$source_copy"; fi
    if [ "$status" -ne 0 ] && [ "$phase" = build ]; then
        # Put back exactly what was there: the previous tool venv, or nothing.
        rm -rf "$tool"
        if [ -d "$tool.old" ]; then mv "$tool.old" "$tool"; fi
        if [ -n "$made_link" ] && [ ! -e "$tool" ]; then rm -f "$link"; fi
        if [ -n "$made_bin" ]; then rmdir_up "$bindir" "$made_bin"; fi
        # A data directory this run made holds nothing but what this run put there.
        if [ -n "$made_data" ]; then rm -rf "$data"; fi
        if [ -n "$made_above_data" ]; then rmdir_up "${data%/*}" "$made_above_data"; fi
    fi
    if [ "$status" -gt 128 ] && [ -z "$lib_reported" ]; then
        printf '%s: interrupted while %s; nothing was left half-made: rerun sh install.sh\n' \
            "$me" "$step" >&2
    elif [ "$status" -ne 0 ] && [ -z "$lib_reported" ]; then
        printf '%s: failed while %s (exit %s); fix the error above and rerun sh install.sh\n' \
            "$me" "$step" "$status" >&2
    fi
    exit "$status"
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE  # `sh install.sh | head`: clean up rather than die silently

# -- checks -------------------------------------------------------------------------

lib_check_python "$py"
step="checking that Python can make virtual environments"
lib_need_venv_support
step="checking $data"
# pyrun's own rule (src/pyrun/ownership.py, standard library only, loaded by path):
# pyrun refuses a data or shims directory someone else can write to, or one below a
# folder someone else can write to. Asked now, the refusal costs nothing and its fix
# names a directory that is there.
unsafe=$("$lib_py_exe" -I -B -c '
import importlib.util, os, shlex, sys
spec = importlib.util.spec_from_file_location("pyrun_ownership", sys.argv[1])
ownership = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ownership)
for directory in sys.argv[2:]:
    reason = ownership.unsafe_reason(directory)
    if reason:
        if os.stat(directory).st_uid in (os.geteuid(), 0):
            fix = "run: chmod go-w %s" % shlex.quote(directory)
        else:
            fix = "set PYRUN_DATA_DIR to a directory of your own"
        print("%s, so pyrun would refuse to use it; %s, then rerun sh install.sh" % (reason, fix))
        break
else:  # and a folder above it that others could rename it out of (paths.Paths._above)
    found = ownership.unsafe_above(os.path.realpath(sys.argv[2]))
    if found:
        folder, reason = found
        if os.stat(folder).st_uid == os.geteuid():
            fix = "run: chmod go-w %s" % shlex.quote(folder)
        else:
            fix = "set PYRUN_DATA_DIR to a directory below folders only you can write to"
        print("%s, so pyrun would refuse to use %s; %s, then rerun sh install.sh" % (reason, sys.argv[2], fix))
    else:  # one that others may go into is closed first, as pyrun would (Paths._closed)
        data = sys.argv[2]
        try:
            reason = ownership.close(data)
        except OSError as exc:
            reason = "others can go into it and it could not be closed (%s)" % exc.strerror
        if reason:
            print("%s: %s, so pyrun would refuse to use it; check it, remove it (rm -rf %s) and rerun sh install.sh" % (data, reason, shlex.quote(data)))
' "$here/src/pyrun/ownership.py" "$data" "$data/shims" </dev/null) \
    || fail "$lib_py_exe could not check $data (see above); rerun with PYTHON set to another Python 3.9+"
if [ -n "$unsafe" ]; then fail "$unsafe"; fi
say "installing pyrun from $here"
if [ -e "$link" ] && [ ! -L "$link" ]; then
    fail "$link exists and is not a link made by install.sh; remove it (or set PYRUN_BIN_DIR) and rerun"
fi

# -- the tool venv --------------------------------------------------------------------

phase=build
step="preparing $data"
if [ ! -d "$data" ]; then
    above=${data%/*}
    above=${above:-/}
    made_above_data=$(top_missing "$above")
    # 0700 whatever the umask, as pyrun's own Paths.make: mkdir -m sets the mode exactly.
    # The parents it makes writable by nobody else, whatever the umask (Paths.make).
    { (umask "$(printf '%o' "$(($(umask) | 022))")" && mkdir -p "$above") && mkdir -m 700 "$data"; } \
        || fail "could not create $data; check the permissions of its parent or set PYRUN_DATA_DIR"
    made_data=1
fi
if [ -d "$tool.old" ]; then
    # A run killed half-way (kill -9, power loss): tool.old is the last install that
    # worked and tool, if there, is half-made. Start again from the one that worked.
    rm -rf "$tool"
    mv "$tool.old" "$tool" || fail "could not restore $tool.old; remove it and rerun sh install.sh"
fi
if [ -e "$tool" ] || [ -L "$tool" ]; then
    mv "$tool" "$tool.old" || fail "could not move the previous install $tool aside; check the permissions of $data"
fi

step="creating the virtual environment"
say "creating its own virtual environment with Python $lib_py_version ($lib_py_exe): $tool"
"$lib_py_exe" -m venv --clear "$tool" </dev/null \
    || fail "$lib_py_exe -m venv could not create $tool (see above); fix that Python's venv module or set PYTHON to another Python 3.9+"

step="installing pyrun with pip"
say "installing pyrun and its dependencies into it with pip"
# pip builds a local directory in place (setuptools writes src/pyrun.egg-info and
# build/ there), which fails in a checkout this user cannot write (root's, or one a
# `sudo sh install.sh` left root's files in) and leaves files in one they can. So it
# builds a private copy of what the build reads (pyproject.toml, setup.py's package
# data, the README as the long description).
source_copy=$(mktemp -d "${TMPDIR:-/tmp}/pyrun-source.XXXXXX") \
    || fail "could not make a temporary directory; check TMPDIR"
for entry in pyproject.toml setup.py README.md src shims shell; do
    cp -R "$here/$entry" "$source_copy/$entry" \
        || fail "could not copy $here/$entry to $source_copy; check that the checkout is complete and TMPDIR has room"
done
rm -rf "$source_copy"/src/*.egg-info
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_USER=0 "$tool/bin/python" -m pip install --quiet "$source_copy" </dev/null \
    || fail "pip could not install pyrun from $here into $tool (see pip's output above); check your network or pip's index settings and rerun sh install.sh"
rm -rf "$source_copy"
source_copy=
"$tool/bin/pyrun" --version >/dev/null 2>&1 \
    || fail "the installed $tool/bin/pyrun does not run; run it by hand to see why, fix that and rerun sh install.sh"

step="linking the pyrun command"
made_bin=$(top_missing "$bindir")
mkdir -p "$bindir" || fail "could not create $bindir; check its permissions or set PYRUN_BIN_DIR"
if [ ! -L "$link" ]; then made_link=1; fi
if ! { rm -f "$link" && ln -s "$tool/bin/pyrun" "$link"; }; then
    fail "could not link $link to $tool/bin/pyrun; check the permissions of $bindir or set PYRUN_BIN_DIR"
fi

step="writing the shims (pyrun rehash)"
"$link" rehash </dev/null || fail "pyrun rehash failed (see above); fix that and rerun sh install.sh"
# pyrun itself says where its shims are: one source of truth for the data directory.
pyrun_data=$("$tool/bin/python" -c 'from pyrun.paths import Paths; print(Paths.from_env().data)' </dev/null) \
    || fail "pyrun could not report its data directory; rerun with PYRUN_DEBUG=1 and report the output"
shims=$pyrun_data/shims

phase=installed
rm -rf "$tool.old"
if [ "$pyrun_data" != "$data" ]; then
    say "note: pyrun keeps its data in $pyrun_data; its own environment is $tool"
fi

# -- show it working ----------------------------------------------------------------

# PATH as a new shell will have it once the hook ran: the shims first, once.
path_after_hook() {
    rest=${PATH-}:
    out=$shims
    while [ -n "$rest" ]; do
        entry=${rest%%:*}
        rest=${rest#*:}
        if [ "$entry" != "$shims" ]; then out=$out:$entry; fi
    done
    printf '%s' "$out"
}

step="trying the shims"
demo_path=$(path_after_hook)
demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/pyrun-try.XXXXXX") \
    || fail "could not make a temporary directory; check TMPDIR"
printf '\n%s\n' "Trying it in an empty directory ($demo_dir), shims first on PATH:"
# (set -e does not apply inside an `if` condition, hence each `|| exit 1`.)
if ! (
    cd "$demo_dir" || exit 1
    unset PYRUN_DISABLE VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV _CONDA_ROOT
    PATH=$demo_path
    export PATH
    printf '  $ %s\n' "python -c 'import sys; print(sys.prefix)'"
    prefix=$(python -c 'import sys; print(sys.prefix)' </dev/null) || exit 1
    printf '  %s\n' "$prefix"
    printf '  $ %s\n' "pyrun which python --json"
    which_json=$("$link" which python --json </dev/null) || exit 1
    printf '%s\n' "$which_json" | sed 's/^/  /'
); then
    fail "pyrun is installed, but python through its shims failed (see above); run: $link why python"
fi
printf '%s\n' "Outside any project, python and pip run pyrun's isolated environment shown" \
    "above, never the base interpreter itself."

# -- the shell's start-up file -------------------------------------------------------

sh_word() {
    case $1 in
        *[!A-Za-z0-9_./-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}

# The directory a path is in, symlinks resolved (/bin/bash is /usr/bin/bash on a
# merged-/usr system), then its name.
physical() {
    (cd -P -- "$(dirname -- "$1")" 2>/dev/null && printf '%s/%s' "$(pwd -P)" "${1##*/}")
}

# How to name pyrun in what is printed: by name when that is this pyrun (its link in
# the bin directory, or in the shims directory on a reinstall), else by its path.
found=$(command -v pyrun 2>/dev/null || :)
if [ -n "$found" ] && { [ "$found" = "$link" ] || [ "$found" = "$shims/pyrun" ]; }; then
    pyrun_cmd=pyrun
else
    pyrun_cmd=$(sh_word "$link")
fi

# The user's shell is the one a new terminal starts, $SHELL (this script runs in sh).
shell_path=${SHELL-}
shell_name=${shell_path##*/}
case $shell_name in
    bash | zsh | fish) hook_shell=$shell_name ;;
    pwsh) hook_shell=powershell ;;
    *) hook_shell= ;;
esac
# The step that makes this terminal a new shell of that kind, which reads its start-up
# file (an installer cannot change the shell that started it).
case $hook_shell in
    '') again= ;;
    powershell)
        # shellcheck disable=SC2016  # PowerShell's $PROFILE, for PowerShell to expand
        again='. $PROFILE'
        ;;
    *)
        on_path=$(command -v "$shell_name" 2>/dev/null || :)
        if [ -n "$on_path" ] && [ "$(physical "$on_path")" = "$(physical "$shell_path")" ]; then
            again="exec $shell_name"
        else
            again="exec $(sh_word "$shell_path")"
        fi
        ;;
esac

printf '\n'
if [ -n "$hook_shell" ] && [ -n "$modify_rc" ]; then
    say "adding pyrun's hook line for $hook_shell (SHELL=$shell_path): pyrun init $hook_shell"
    "$link" init "$hook_shell" </dev/null \
        || fail "pyrun is installed, but pyrun init $hook_shell could not add the hook line (see above); fix that and run: $pyrun_cmd init $hook_shell"
    printf '\n%s\n%s\n\n    %s\n\n' \
        "Done. New $shell_name shells run pyrun's hook, which puts its shims first on PATH:" \
        "python, pip and pyrun itself. To start using it in this terminal, run:" "$again"
elif [ -n "$hook_shell" ]; then
    printf '\n%s\n%s\n\n    %s\n    %s\n\n' \
        "Done. Your shell's start-up file was left alone (--no-modify-rc). To add pyrun's" \
        "hook line for $hook_shell and start using it in this terminal, run:" \
        "$pyrun_cmd init $hook_shell" "$again"
else
    printf '%s\n%s\n%s\n' \
        "Done. Your shell (SHELL=${shell_path:-unset}) has no pyrun hook, so no start-up file was changed." \
        "pyrun has hooks for bash, zsh, fish and PowerShell: $pyrun_cmd init bash (or zsh, fish," \
        "powershell) adds one. Without a hook, put $shims first on PATH yourself."
fi
if [ -n "${PYRUN_DATA_DIR-}" ]; then
    printf '(%s)\n' "keep PYRUN_DATA_DIR=$PYRUN_DATA_DIR exported before the hook line, or pyrun looks in its default place"
fi
