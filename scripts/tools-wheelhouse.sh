#!/bin/sh
# scripts/tools-wheelhouse.sh: the wheels of the project tools tests/test_tools.py
# installs through pyrun's pip shim, for the stress set (pytest -m stress).
#
#     sh scripts/tools-wheelhouse.sh        # after sh scripts/test.sh made .venv
#     sh scripts/tools-wheelhouse.sh DIR    # into DIR, with the pip of $PIP_PYTHON
#
# pdm, poetry, hatch, pipenv, pipx, tox, nox, pre-commit, pip-tools and uv, every wheel
# pinned in tests/tool-pins.txt, for each minor the tests' throwaway bases use
# (tests/conftest.py MINORS), downloaded once into .venv-wheelhouse-tools/ (about
# 50 MB; seconds from a nearby index) with pip's own configuration. The stamp holds the
# pins' checksum and the minors, so a changed pin list is downloaded again.
# scripts/test.sh runs this (step 3) like any test dependency's download, and .ci/run
# again before the stress step (a no-op once done). .ci/fresh-debian builds its copy
# for the fresh root with DIR and PIP_PYTHON (the host's, beside no .venv).

set -eu

me=scripts/tools-wheelhouse.sh
root=$(cd -P -- "$(dirname -- "$0")/.." && pwd) || exit 1
cd "$root"
# shellcheck source=lib.sh
. "$root/scripts/lib.sh"

pip_python=${PIP_PYTHON:-.venv/bin/python}
[ -x "$pip_python" ] || fail "$pip_python is missing; run sh scripts/test.sh first"
tools_house=${1:-.venv-wheelhouse-tools}
tools_minors="3.11 3.12"
tools_wanted="$(cksum <tests/tool-pins.txt) $tools_minors"
if [ "$(cat "$tools_house/.complete" 2>/dev/null)" = "$tools_wanted" ]; then
    say "$tools_house/ is up to date"
    exit 0
fi
say "building $tools_house/ (the wheels of tests/tool-pins.txt for Python $tools_minors)"
rm -rf "$tools_house.tmp"
for minor in $tools_minors; do
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$pip_python" -m pip download --quiet --only-binary=:all: --no-deps \
        --python-version "$minor" -d "$tools_house.tmp" -r tests/tool-pins.txt </dev/null \
        || fail "pip could not download the wheels of tests/tool-pins.txt for Python $minor (see above); check your network or pip's index settings"
done
printf '%s\n' "$tools_wanted" >"$tools_house.tmp/.complete"
rm -rf "$tools_house"
mv "$tools_house.tmp" "$tools_house"
