"""First use: from a cold cache until the isolated environment runs `python` and `pip`.

Paired and interleaved (A B A B ...) against ``python -m venv`` (with pip, what a user
would otherwise run) and ``python -m venv --without-pip``, on a throwaway base
interpreter built like the tests build theirs. Prints a Markdown table for
BENCHMARKS.md.

    .venv/bin/python bench/first_use.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import PYRUN, clean_env, make_base, real_python

LABELS = {
    "cold": "cold `python -c pass` through the shim (creates the isolated env)",
    "pip": "then `pip --version` through the shim (first pip in the new env)",
    "direct-pip": "`base -m pip --version` run directly, for comparison",
    "warm": "warm `python -c pass` through the shim (steady state)",
    "direct": "`base -c pass` run directly",
    "venv": "`python -m venv` (with pip), what a user would otherwise run",
    "venv-nopip": "`python -m venv --without-pip`",
}


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    real = real_python("3.11")
    if real is None:
        sys.exit("bench: no CPython 3.11 to build a throwaway base from")
    work = Path(tempfile.mkdtemp(prefix="pyrun-bench-"))
    try:
        base = make_base(work, real, "3.11")
        data = work / "data"
        env = clean_env({"HOME": str(work), "PYRUN_DATA_DIR": str(data)})
        env["PATH"] = os.pathsep.join([str(data / "shims"), str(base.bin), "/usr/bin", "/bin"])
        subprocess.run([PYRUN, "rehash", "-q"], env=env, check=True)
        results: dict[str, list[float]] = {key: [] for key in LABELS}
        direct_pip = [str(base.python), "-m", "pip", "--version"]
        for _ in range(args.rounds):
            shutil.rmtree(data / "envs", ignore_errors=True)
            shutil.rmtree(data / "by-path", ignore_errors=True)
            results["cold"].append(timed(["python", "-c", "pass"], env, work))
            results["pip"].append(timed(["pip", "--version"], env, work))
            results["direct-pip"].append(timed(direct_pip, env, work))
            results["warm"].append(timed(["python", "-c", "pass"], env, work))
            results["direct"].append(timed([str(base.python), "-c", "pass"], env, work))
            for key, extra in (("venv", []), ("venv-nopip", ["--without-pip"])):
                target = work / key
                shutil.rmtree(target, ignore_errors=True)
                argv = [str(base.python), "-m", "venv", *extra, str(target)]
                results[key].append(timed(argv, env, work))
        print(f"First use, {args.rounds} interleaved rounds, base CPython {real.name}\n")
        print("| what | median s | min s | max s |")
        print("| --- | --- | --- | --- |")
        for key, values in results.items():
            print(
                f"| {LABELS[key]} | {statistics.median(values):.3f} | {min(values):.3f} "
                f"| {max(values):.3f} |"
            )
        first_use = [c + p for c, p in zip(results["cold"], results["pip"])]
        print(
            f"\nUntil the new environment has run python and pip: median "
            f"{statistics.median(first_use):.3f} s; of which pip's own start-up (the same "
            f"pip run by the base directly) {statistics.median(results['direct-pip']):.3f} s."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
