#!/bin/sh
# install.sh: install pyrun from this checkout into its own virtual environment.
#
#     sh install.sh                              # uses python3 from PATH
#     PYTHON=/usr/bin/python3.12 sh install.sh   # or the interpreter you name
#
# Strategy. pyrun exists so that nothing is pip-installed into the machine's Python,
# so pyrun is not installed there either: it gets a venv of its own at
# <data>/tool, where <data> is the directory pyrun itself uses (PYRUN_DATA_DIR, else
# platformdirs.user_data_dir("pyrun"): $XDG_DATA_HOME/pyrun when that is an absolute
# path, else ~/.local/share/pyrun). Only a symlink to its `pyrun` command goes into
# $PYRUN_BIN_DIR (default ~/.local/bin). Then `pyrun rehash` writes the shims, the
# script shows `python` resolving through them from an empty directory, and it prints
# the one line to add to ~/.bashrc.
#
# Failing leaves things as they were: an existing tool venv is moved aside to
# tool.old and put back if anything fails before the new one works, and every failure
# ends in one line, "install.sh: <what failed>; <how to fix it>". Running it again
# reinstalls from scratch (the venv is made with --clear), so it is idempotent.
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
made_data=
made_link=

on_exit() {
    status=$?
    trap - EXIT
    trap '' HUP INT TERM PIPE  # finish the cleanup whatever arrives now
    if [ -n "$demo_dir" ]; then rm -rf "$demo_dir"; fi
    if [ "$status" -ne 0 ] && [ "$phase" = build ]; then
        # Put back exactly what was there: the previous tool venv, or nothing.
        rm -rf "$tool"
        if [ -d "$tool.old" ]; then mv "$tool.old" "$tool"; fi
        if [ -n "$made_link" ] && [ ! -e "$tool" ]; then rm -f "$link"; fi
        if [ -n "$made_data" ]; then rmdir "$data" 2>/dev/null || :; fi
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
say "installing pyrun from $here"
if [ -e "$link" ] && [ ! -L "$link" ]; then
    fail "$link exists and is not a link made by install.sh; remove it (or set PYRUN_BIN_DIR) and rerun"
fi

# -- the tool venv --------------------------------------------------------------------

phase=build
step="preparing $data"
if [ ! -d "$data" ]; then
    mkdir -p "$data" || fail "could not create $data; check the permissions of its parent or set PYRUN_DATA_DIR"
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
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_USER=0 "$tool/bin/python" -m pip install --quiet "$here" </dev/null \
    || fail "pip could not install pyrun from $here into $tool (see pip's output above); check your network or pip's index settings and rerun sh install.sh"
"$tool/bin/pyrun" --version >/dev/null 2>&1 \
    || fail "the installed $tool/bin/pyrun does not run; run it by hand to see why, fix that and rerun sh install.sh"

step="linking the pyrun command"
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

# -- the hook line ------------------------------------------------------------------

sh_word() {
    case $1 in
        *[!A-Za-z0-9_./-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}

found=$(command -v pyrun 2>/dev/null || :)
# The line is meant to be pasted literally, so $(...) must stay unexpanded here.
# shellcheck disable=SC2016
if [ "$found" = "$link" ]; then
    hook='eval "$(pyrun hook bash)"'
    where=
else
    hook='eval "$('"$(sh_word "$link")"' hook bash)"'
    case :${PATH-}: in
        *:"$bindir":*) where="another pyrun ($found) comes first on your PATH, so the line names $link" ;;
        *) where="$bindir is not on your PATH, so the line names $link by its full path" ;;
    esac
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

printf '\n%s\n\n    %s\n\n' "Done. Add this line to ~/.bashrc, then open a new shell:" "$hook"
if [ -n "$where" ]; then printf '(%s)\n' "$where"; fi
if [ -n "${PYRUN_DATA_DIR-}" ]; then
    printf '(%s)\n' "keep PYRUN_DATA_DIR=$PYRUN_DATA_DIR exported before that line, or pyrun looks in its default place"
fi
