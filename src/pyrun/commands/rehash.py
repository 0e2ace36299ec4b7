"""``pyrun rehash``: regenerate the shims for the Python versions now on PATH."""

from __future__ import annotations

from pyrun import shims
from pyrun.paths import Paths


def run(quiet: bool) -> int:
    paths = Paths.from_env()
    names = shims.rehash(paths)
    if not quiet:
        print(f"pyrun: {len(names)} shims in {paths.shims}: {' '.join(names)}")
        kind = shims.built(paths)
        if kind == "compiled":
            print("pyrun: compiled shims (a C compiler built shims/shim.c)")
        else:
            print(f"pyrun: shell shims ({kind.removeprefix('shell: ')})")
    return 0
