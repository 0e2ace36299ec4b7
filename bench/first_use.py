"""First use: from a cold cache until the isolated environment runs `python` and `pip`.

Interleaved rounds against what a user would otherwise run to get an environment with
pip: ``python -m venv`` (and ``--without-pip``, the floor), ``virtualenv`` and ``uv
venv --seed``, on a throwaway base interpreter built like the tests build theirs.

The peers are installed by this script into its temporary directory, never into a
machine Python: virtualenv into a venv made by uv (the uv next to this interpreter)
from PyPI, and uv's own cache filled once for ``--seed`` before the timed runs, which
are then made with ``--offline``. virtualenv keeps its seed wheels in its app-data
directory under the throwaway HOME: its first round fills it, later rounds reuse it,
as on a user's machine. A peer that cannot be installed is reported, not dropped.
Prints a Markdown table for BENCHMARKS.md.

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
    "virtualenv": "`virtualenv` (seeds its bundled wheels through its app-data cache)",
    "uv-seed": "`uv venv --seed` (seeds pip from uv's cache, `--offline`)",
}
UV = Path(sys.executable).parent / "uv"


def install_peers(work: Path, base_python: Path, env: dict[str, str]) -> dict[str, object]:
    """virtualenv and uv set up in work; a key maps to its argv prefix or to why not."""
    peers: dict[str, object] = {}
    uv_env = {**env, "UV_CACHE_DIR": str(work / "uv-cache"), "UV_NO_CONFIG": "1"}
    tool = work / "virtualenv-tool"
    try:
        subprocess.run(
            [str(UV), "venv", "-q", "--python", str(base_python), str(tool)],
            env=uv_env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                str(UV),
                "pip",
                "install",
                "-q",
                "--python",
                str(tool / "bin" / "python"),
                "virtualenv",
            ],
            env=uv_env,
            check=True,
            capture_output=True,
        )
        peers["virtualenv"] = [str(tool / "bin" / "virtualenv"), "-q", "--python", str(base_python)]
    except (OSError, subprocess.CalledProcessError) as exc:
        peers["virtualenv"] = f"could not be installed: {exc}"
    seed = [str(UV), "venv", "-q", "--seed", "--python", str(base_python)]
    try:  # fills uv's cache with pip, so the timed runs can be offline
        subprocess.run([*seed, str(work / "uv-warm")], env=uv_env, check=True, capture_output=True)
        peers["uv-seed"] = ([*seed, "--offline"], uv_env)
    except (OSError, subprocess.CalledProcessError) as exc:
        peers["uv-seed"] = f"could not fill uv's cache (offline?): {exc}"
    return peers


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
        peers = install_peers(work, base.python, env)
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
            for key in ("virtualenv", "uv-seed"):
                peer = peers[key]
                if isinstance(peer, str):
                    continue
                argv, peer_env = peer if isinstance(peer, tuple) else (peer, env)
                target = work / key
                shutil.rmtree(target, ignore_errors=True)
                results[key].append(timed([*argv, str(target)], peer_env, work))
        print(f"First use, {args.rounds} interleaved rounds, base CPython {real.name}\n")
        print("| what | median s | min s | max s |")
        print("| --- | --- | --- | --- |")
        for key, values in results.items():
            if not values:
                print(f"| {LABELS[key]} | not measured: {peers[key]} | | |")
                continue
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
