"""Reading the shell files pyrun ships: the shim template and the hooks.

An installed pyrun reads them as package data (``pyrun/data/``, copied there at build
time by setup.py); a source checkout reads them where they are kept, at the top of the
repository, so editing ``shims/shim.sh`` takes effect without reinstalling.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def read_text(*parts: str) -> str:
    packaged = resources.files("pyrun") / "data"
    for part in parts:
        packaged = packaged / part
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return _CHECKOUT.joinpath(*parts).read_text(encoding="utf-8")
