# shellcheck shell=sh
# Shared by install.sh and scripts/test.sh (sourced, never run; POSIX sh).
#
# Strategy: both scripts start from "some python3 the user has" and need a virtual
# environment made from it, so both need the same two checks with the same one-line
# failures: the interpreter really is Python 3.9 or newer, and it can make a venv with
# pip in it (Debian and Ubuntu split ensurepip into the python3.X-venv package, and
# without it `python3 -m venv` fails after a screenful of text). Every failure is one
# line on stderr, "<script>: <what failed>; <how to fix it>", then exit 1.
#
# The caller sets `me` (its name, for messages) before sourcing. Every interpreter is
# run with PYRUN_DISABLE=1, so a pyrun shim on PATH passes through to the real program.

say() {
    printf '%s: %s\n' "$me" "$1"
}

fail() {
    printf '%s: %s\n' "$me" "$1" >&2
    lib_reported=1
    exit 1
}

: "${me:=pyrun}"
# shellcheck disable=SC2034  # read by the scripts that source this file
lib_reported=

# lib_check_python PY: fail unless PY runs as Python >= 3.9. Sets lib_py_version
# (3.X.Y) and lib_py_exe (its sys.executable, so later steps run the interpreter
# itself, not a wrapper such as a pyenv shim or a pyrun shim).
lib_check_python() {
    case $1 in
        */*) lib_shown="$1" ;;
        *)
            if ! command -v "$1" >/dev/null 2>&1; then
                fail "$1 was not found on PATH; install Python 3.9 or newer, or set PYTHON=/path/to/python3"
            fi
            lib_shown="$1 ($(command -v "$1"))"
            ;;
    esac
    # Written so that a Python 2 answers too, and can be told it is too old.
    lib_out=$(PYRUN_DISABLE=1 "$1" -c 'import sys; sys.stdout.write("%d.%d.%d %s\n" % (sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.executable))' </dev/null 2>/dev/null) \
        || fail "$lib_shown does not run as a Python interpreter; set PYTHON to a Python 3.9 or newer"
    lib_py_version=${lib_out%% *}
    lib_py_exe=${lib_out#* }
    lib_major=${lib_py_version%%.*}
    lib_minor=${lib_py_version#*.}
    lib_minor=${lib_minor%%.*}
    case $lib_major.$lib_minor in
        *[!0-9.]* | .* | *. | *.*.*)
            fail "$lib_shown does not answer like a Python interpreter; set PYTHON to a Python 3.9 or newer"
            ;;
    esac
    if [ "$lib_major" -lt 3 ] || { [ "$lib_major" -eq 3 ] && [ "$lib_minor" -lt 9 ]; }; then
        fail "$lib_shown is Python $lib_py_version; pyrun needs Python 3.9 or newer: set PYTHON=/path/to/python3.X"
    fi
    case $lib_py_exe in
        /*) ;;
        *) lib_py_exe=$1 ;;  # an embedded or odd build without sys.executable
    esac
}

# lib_need_venv_support: make sure lib_py_exe can run `-m venv` with pip (ensurepip).
# A Debian/Ubuntu system Python without python3-venv gets it from apt-get when running
# as root; otherwise the line says which command installs it.
lib_need_venv_support() {
    if lib_has_ensurepip; then
        return 0
    fi
    lib_pkg=python3-venv
    case $lib_py_exe in
        /usr/bin/* | /bin/*) lib_system=1 ;;
        *) lib_system= ;;
    esac
    if [ -z "$lib_system" ] || ! command -v apt-get >/dev/null 2>&1; then
        fail "$lib_py_exe (Python $lib_py_version) has no ensurepip module, so it cannot make a virtual environment with pip; use a Python that has it (set PYTHON=/path/to/python3)"
    fi
    if [ "$(id -u)" -ne 0 ]; then
        fail "$lib_py_exe has no ensurepip module (Debian/Ubuntu ship it separately); run: sudo apt-get install $lib_pkg"
    fi
    say "$lib_py_exe has no ensurepip module; installing $lib_pkg with apt-get (running as root)"
    if ! lib_apt_install "$lib_pkg" 2>/dev/null; then
        # A fresh container has empty package lists: update them once and retry.
        if ! { lib_apt update && lib_apt_install "$lib_pkg"; }; then
            fail "apt-get could not install $lib_pkg (see above); run: apt-get update && apt-get install $lib_pkg"
        fi
    fi
    lib_has_ensurepip \
        || fail "$lib_py_exe still has no ensurepip after installing $lib_pkg; run: apt-get install python$lib_major.$lib_minor-venv"
}

lib_apt() {
    DEBIAN_FRONTEND=noninteractive apt-get -qq "$@" </dev/null >/dev/null
}

lib_apt_install() {
    lib_apt install -y "$@"
}

lib_has_ensurepip() {
    PYRUN_DISABLE=1 "$lib_py_exe" -c 'import ensurepip, venv' </dev/null >/dev/null 2>&1
}
