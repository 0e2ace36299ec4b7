"""How an isolated environment reaches its shared copy of pip: a ``.pth`` line and scripts.

An isolated environment is made ``--without-pip`` (isolated.py); the copy of pip made
for its Python's minor version (pipshare.py) is put on its ``sys.path`` by one line in
``site-packages/_pyrun_shared_pip.pth`` (`PIP_PTH`), and its ``bin/pip``, ``pip3`` and
``pip3.X`` are small scripts that load pyrun's install guard and run that pip. An
environment made when no pip found offline ran on its Python has neither, and its
marker says ``"pip": "none"`` (`NO_PIP`).

Both sides write and read this link: isolated.py when it creates an environment,
pipshare.py when ``pyrun rehash`` gives an environment a copy that runs its Python or
``pyrun doctor`` checks one. It lives here, between them, so that neither has to
import the other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pyrun.errors import PyrunError
from pyrun.records import COMPLETE_MARKER

PIP_PTH = "_pyrun_shared_pip.pth"
NO_PIP = "none"  # the marker's "pip" when no pip found offline ran on the base

_PIP_SCRIPT = """\
import sys
import _pyrun_pip_guard  # pyrun: no install into the base interpreter (pipguard.py)
_pyrun_pip_guard.install()
from pip._internal.cli.main import main
if __name__ == "__main__":
    if sys.argv[0].endswith(".exe"):
        sys.argv[0] = sys.argv[0][:-4]
    sys.exit(main())
"""


def site_packages(env: Path) -> Path:
    found = sorted(env.glob("lib/python3*/site-packages"))
    if not found:
        raise PyrunError(f"{env} has no lib/python3.X/site-packages; remove it and retry")
    return found[0]


def link(env: Path, minor: str, shared_root: Path) -> None:
    """Point `env` at the copy of pip in `shared_root`: the ``.pth`` line and the pip
    scripts (the caller writes or updates the environment's marker)."""
    (site_packages(env) / PIP_PTH).write_text(str(shared_root) + "\n")
    python = env / "bin" / "python"
    if " " in str(python) or len(str(python)) > 120:
        # A shebang cannot hold spaces or long paths: let sh find the interpreter.
        header = f"#!/bin/sh\n'''exec' {_sh_quote(str(python))} \"$0\" \"$@\"\n' '''\n"
    else:
        header = f"#!{python}\n"
    for name in ("pip", "pip3", f"pip{minor}"):
        script = env / "bin" / name
        script.write_text(header + _PIP_SCRIPT)
        script.chmod(0o755)


def attach(env: Path, minor: str, shared_root: Path) -> None:
    """Give an environment made without pip (`NO_PIP`) the shared copy at `shared_root`,
    now that one runs on its Python (``pyrun rehash``, under the pip lock)."""
    link(env, minor, shared_root)
    marker = env / COMPLETE_MARKER
    data = json.loads(marker.read_text())
    data["pip"] = "shared"
    tmp = env / f".{COMPLETE_MARKER}.tmp"
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, marker)


def copy_of(env: Path) -> Path | None:
    """The copy an isolated environment's ``.pth`` line names."""
    try:
        line = (site_packages(env) / PIP_PTH).read_text().strip()
    except (OSError, PyrunError):
        return None
    return Path(line) if line else None


def _sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"
