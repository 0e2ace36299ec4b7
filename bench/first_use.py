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

from tests.conftest import PYRUN, clean_env, make_base, real_python  # noqa: E402


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
        results: dict[str, list[float]] = {"pyrun": [], "venv": [], "venv-nopip": []}
        for _ in range(args.rounds):
            shutil.rmtree(data / "envs", ignore_errors=True)
            shutil.rmtree(data / "by-path", ignore_errors=True)
            start = time.perf_counter()
            subprocess.run(["python", "-c", "pass"], env=env, cwd=work, check=True)
            subprocess.run(["pip", "--version"], env=env, cwd=work, check=True,
                           capture_output=True)
            results["pyrun"].append(time.perf_counter() - start)
            for key, extra in (("venv", []), ("venv-nopip", ["--without-pip"])):
                target = work / key
                shutil.rmtree(target, ignore_errors=True)
                argv = [str(base.python), "-m", "venv", *extra, str(target)]
                results[key].append(timed(argv, env, work))
        print(f"First use, {args.rounds} interleaved rounds, base CPython {real.name}\n")
        print("| what | median s | min s | max s | ratio to pyrun |")
        print("| --- | --- | --- | --- | --- |")
        ours = statistics.median(results["pyrun"])
        labels = {
            "pyrun": "pyrun: cold `python -c pass` + `pip --version`",
            "venv": "`python -m venv` (with pip)",
            "venv-nopip": "`python -m venv --without-pip`",
        }
        for key, values in results.items():
            median = statistics.median(values)
            print(f"| {labels[key]} | {median:.3f} | {min(values):.3f} | {max(values):.3f} "
                  f"| {median / ours:.1f}x |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
