#!/bin/sh
# scripts/test.sh: every check pyrun has, exactly as CI runs them.
#
#     sh scripts/test.sh                 # lint, then the whole test suite
#     sh scripts/test.sh -x -k install   # arguments go to pytest
#
# Strategy. One command that works the same on a laptop and in CI, from nothing:
#   0. the programs the tests drive (real shells, tmux, strace, shellcheck, direnv, a C
#      compiler, an aarch64 cross compiler with qemu): installed with apt-get when run
#      as root on Debian or Ubuntu (PYRUN_TEST_APT=0 turns that off); otherwise one line
#      per missing program says how to get it, and pytest's summary counts the tests
#      that skipped for each (tests/conftest.py);
#   1. a project-local .venv (made from ${PYTHON:-python3} when missing or broken, with
#      the same interpreter and ensurepip checks as install.sh, from scripts/lib.sh);
#   2. `pip install -e .[test]` into it, skipped when pyproject.toml and setup.py have
#      not changed since the last successful install (.venv/.pyrun-test-stamp);
#   3. .venv-wheelhouse/: wheels of pyrun's dependencies and build backend (for this
#      Python and for 3.9, the oldest pyrun supports), built once
#      (this and step 2 are the only steps that may use the network), so that
#      tests/test_install.py can run install.sh for real with pip offline (the stress
#      set's project tools have a wheelhouse of their own, .venv-wheelhouse-tools/, made
#      here by scripts/tools-wheelhouse.sh unless PIP_NO_INDEX is set);
#   4. ruff, then shellcheck on every shell file pyrun ships or runs (shellcheck may
#      be missing on a laptop, never in CI);
#   5. pytest, whose exit status is this script's.
# pip's own configuration (an index mirror, find-links) is used as it is for steps 2
# and 3; the tests themselves never read it.

set -eu

me=scripts/test.sh
root=$(cd -P -- "$(dirname -- "$0")/.." && pwd) || exit 1
cd "$root"
# shellcheck source=lib.sh
. "$root/scripts/lib.sh"

case ${CI-} in
    1 | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss]) in_ci=1 ;;
    *) in_ci= ;;
esac

# -- 0. the programs the tests drive ---------------------------------------------------

# "program:packages" (packages joined by +): what apt-get installs for each program the
# tests drive; a program's tests skip without it (and fail in CI).
tools="zsh:zsh fish:fish tmux:tmux strace:strace shellcheck:shellcheck direnv:direnv
cc:gcc+libc6-dev setpriv:util-linux unshare:util-linux git:git
aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu+libc6-dev-arm64-cross qemu-aarch64:qemu-user"
missing_tools() {
    for pair in $tools; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || printf '%s\n' "$pair"
    done
    # The kernel headers the compiled shim includes come with no program of their own.
    if command -v cc >/dev/null 2>&1 \
        && ! printf '#include <asm/stat.h>\n' | cc -E -x c - >/dev/null 2>&1; then
        printf '%s\n' "asm/stat.h:linux-libc-dev"
    fi
}
missing=$(missing_tools)
if [ -n "$missing" ] && [ "$(id -u)" -eq 0 ] && [ "${PYRUN_TEST_APT:-1}" != 0 ] \
    && command -v apt-get >/dev/null 2>&1; then
    packages=$(for pair in $missing; do printf '%s\n' "${pair#*:}"; done | tr '+' '\n' | sort -u | tr '\n' ' ')
    say "installing what the tests drive with apt-get (running as root): $packages"
    # shellcheck disable=SC2086  # package names, meant to split
    { DEBIAN_FRONTEND=noninteractive apt-get -qq update </dev/null >/dev/null \
        && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
            $packages </dev/null >/dev/null; } \
        || say "apt-get could not install them all (see above); the tests that need them skip"
    missing=$(missing_tools)
fi
for pair in $missing; do
    say "${pair%%:*} is missing, so the tests that need it skip; install it: sudo apt-get install $(printf '%s' "${pair#*:}" | tr '+' ' ')"
done

# -- 1. the project venv ------------------------------------------------------------

if ! .venv/bin/python -c '' </dev/null >/dev/null 2>&1; then
    lib_check_python "${PYTHON:-python3}"
    lib_need_venv_support
    if [ -e .venv ] || [ -L .venv ]; then
        say "recreating .venv: its interpreter does not run"
    else
        say "creating .venv with Python $lib_py_version ($lib_py_exe)"
    fi
    "$lib_py_exe" -m venv --clear .venv </dev/null \
        || fail "$lib_py_exe -m venv could not create .venv (see above); fix that Python's venv module or set PYTHON"
fi

# -- 2. pyrun and its test tools, editable --------------------------------------------

stamp=.venv/.pyrun-test-stamp
wanted=$(cksum pyproject.toml setup.py)
if [ ! -x .venv/bin/pytest ] || [ ! -x .venv/bin/ruff ] || [ ! -f "$stamp" ] \
    || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing pyrun (editable) and its test tools into .venv"
    rm -f "$stamp"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_USER=0 \
        .venv/bin/python -m pip install --quiet -e ".[test]" </dev/null \
        || fail "pip could not install -e .[test] into .venv (see above); check your network or pip's index settings"
    printf '%s\n' "$wanted" >"$stamp"
fi

# -- 3. the offline wheelhouse for tests/test_install.py ------------------------------

house=.venv-wheelhouse
house_needs="psutil packaging platformdirs shellingham setuptools wheel"
house_complete() {
    for name in $house_needs; do
        set -- "$house/$name"-*.whl
        [ -f "$1" ] || return 1
    done
}
if ! house_complete; then
    say "building $house/ ($house_needs)"
    rm -rf "$house.tmp"
    # shellcheck disable=SC2086  # the names are meant to split
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
        .venv/bin/python -m pip wheel --quiet -w "$house.tmp" $house_needs </dev/null \
        || fail "pip could not build the wheels for $house/ (see above); check your network or pip's index settings"
    rm -rf "$house"
    mv "$house.tmp" "$house"
fi
# The same dependencies as wheels that install on the oldest Python pyrun supports, for
# tests/test_pip_versions.py (pyrun on 3.9 with an old pip); they sit beside the others.
house_39=$house/.python3.9-complete
if [ ! -f "$house_39" ]; then
    say "adding wheels for Python 3.9 to $house/"
    rm -rf "$house.tmp39"
    # shellcheck disable=SC2086  # the names are meant to split
    if PIP_DISABLE_PIP_VERSION_CHECK=1 \
        .venv/bin/python -m pip download --quiet --only-binary=:all: --python-version 3.9 \
        -d "$house.tmp39" $house_needs tomli </dev/null; then
        mv "$house.tmp39"/*.whl "$house"/
        : >"$house_39"
    else
        # Only the tests of pyrun on Python 3.9 need them: they skip (fail in CI).
        say "pip could not download wheels for Python 3.9 (see above): the tests of pyrun on Python 3.9 skip"
    fi
    rm -rf "$house.tmp39"
fi

# The project tools tests/test_tools.py drives for real (the stress set): pdm, poetry,
# hatch, pipenv, uv, pipx, tox, nox, pre-commit, pip-tools, as wheels of their own.
case ${PIP_NO_INDEX-} in
    1 | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn])
        say "PIP_NO_INDEX is set: the project tools' wheels are not fetched (only tests/test_tools.py, in the stress set, needs them)" ;;
    *)
        sh "$root/scripts/tools-wheelhouse.sh" \
            || say "the project tools' wheels could not be fetched (above): tests/test_tools.py skips (fails in CI)" ;;
esac

# -- 4. linters -----------------------------------------------------------------------

lint_dirs="src tests"
if [ -d bench ]; then lint_dirs="$lint_dirs bench"; fi
say "ruff check $lint_dirs"
# shellcheck disable=SC2086
.venv/bin/ruff check --quiet $lint_dirs || fail "ruff found problems (above); fix them, or run: .venv/bin/ruff check --fix $lint_dirs"

shell_files=$(printf '%s ' shell/bash/* shims/shim.sh install.sh scripts/*.sh .ci/run .ci/fresh-debian)
shell_files=${shell_files% }
if command -v shellcheck >/dev/null 2>&1; then
    say "shellcheck $shell_files"
    # shellcheck disable=SC2086  # file names from a glob of this repository, no spaces
    shellcheck $shell_files || fail "shellcheck found problems (above); fix them"
elif [ -n "$in_ci" ]; then
    fail "shellcheck is not installed and CI is set; install it (apt-get install shellcheck)"
else
    say "shellcheck is not installed: shell files not linted (CI requires it)"
fi

# -- 5. the tests ---------------------------------------------------------------------

# Most of the suite waits on the processes it starts (shims, shells, pip), so it runs
# in one worker per core (pytest-xdist), a test file per worker at a time: the trees a
# file builds once are then built once. PYRUN_TEST_WORKERS=0 runs it in one process.
workers=${PYRUN_TEST_WORKERS:-auto}
say "pytest -n $workers --dist loadfile${*:+ $*}"
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
