#!/bin/sh
# scripts/bench.sh: every benchmark, one after another, into one directory.
#
#     sh scripts/bench.sh            # about 15 minutes; Markdown in bench/results/
#     sh scripts/bench.sh --quick    # a few minutes: smoke runs of the same cases
#
# Strategy. The benches compare side by side within each run, so they are run one at a
# time (never two at once on the machine) and each writes its Markdown to bench/results/,
# from where the sections of BENCHMARKS.md are taken by hand, with the command and the
# date. Each bench installs its own peers into its own temporary directory (mise from
# npm, virtualenv from PyPI); the dev venv that scripts/test.sh makes must exist.

set -eu

me=scripts/bench.sh
root=$(cd -P -- "$(dirname -- "$0")/.." && pwd) || exit 1
cd "$root"
# shellcheck source=lib.sh
. "$root/scripts/lib.sh"

quick=
case ${1-} in
    '') ;;
    --quick) quick=1 ;;
    *) fail "unknown argument '$1'; use no argument or --quick" ;;
esac

if ! .venv/bin/python -c 'import pyrun, pexpect' </dev/null >/dev/null 2>&1; then
    fail "no dev venv with pyrun in it; run sh scripts/test.sh once (it makes .venv)"
fi

out=bench/results
mkdir -p "$out"
run() {  # name, then the bench's arguments
    name=$1
    shift
    say "$name: .venv/bin/python $* > $out/$name.md"
    .venv/bin/python "$@" >"$out/$name.md" 2>"$out/$name.log" \
        || fail "$name failed (see $out/$name.log)"
}

if [ -n "$quick" ]; then
    run first_use bench/first_use.py --rounds 1
    run prompt bench/prompt.py --rounds 3 --prompts 20
    run shims bench/shims.py --quick
    run exec_floor bench/exec_floor.py --quick
else
    run first_use bench/first_use.py --rounds 7
    run prompt bench/prompt.py
    run shims bench/shims.py
    run exec_floor bench/exec_floor.py
fi
say "done: $out/first_use.md prompt.md shims.md exec_floor.md (BENCHMARKS.md says how to read them)"
