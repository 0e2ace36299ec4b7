"""Getting the peers the benchmarks compare against, the same way for every bench.

Peers are installed into the bench's own temporary directory from the registries
this project's machines reach (mise from npm), never into the machine's Python. A
peer that cannot be had is returned with the reason, so the bench reports it instead
of dropping it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

MISE_PACKAGE = "@jdxcode/mise-linux-x64"


def last_line(text: str) -> str:
    """The last non-empty line of a tool's output: usually its error."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def install_mise(work: Path) -> tuple[Path | None, str | None]:
    """mise from npm into `work`: (its binary, None) or (None, why not)."""
    npm = shutil.which("npm")
    if npm is None:
        return None, f"not installed (no npm to install {MISE_PACKAGE})"
    prefix = work / "npm-mise"
    print("bench: installing mise with npm into the temp dir", file=sys.stderr)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), MISE_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    exe = prefix / "node_modules" / MISE_PACKAGE / "bin" / "mise"
    if done.returncode != 0 or not exe.is_file():
        return None, f"not installed: npm install failed: {last_line(done.stderr)}"
    return exe, None
