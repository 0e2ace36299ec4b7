"""Console scripts installed once, in pyrun's isolated environments, run everywhere.

Users install the tools they use in every project (black, ruff, tox, pre-commit)
outside any project, so those land in the isolated environment `python` means there.
Inside a project `python` means the project's environment, which usually lacks them,
and pipx's and `uv tool`'s promise, the habit users bring, is the opposite: install a
tool once, run it in every project. So where the environment `python` uses has no copy
of a console script, its shim runs the copy in pyrun's isolated environments, before
looking further along PATH; the project's own copy wins wherever it has one, and the
tool runs on its own environment's interpreter (the script's ``#!`` line), never on
the project's.

Which isolated environment, when several have the script: the newest Python's, and of
one version the environment whose name sorts first, so that the answer never depends
on the directory, PATH or a version file, and the three copies of the walk can agree
on it (shims/shim.c ``shared_script``, shims/shim.sh ``pyrun_shared_script``). Only
complete environments (records.COMPLETE_MARKER) named as isolated.env_key names them
count. The shims pay for the look (one listing of ``envs/``, a stat or two per
environment) only when the environment in use lacks the script.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pyrun.environment import executable_file
from pyrun.records import COMPLETE_MARKER

# isolated.env_key: IMPLEMENTATION-3.Y-<12 hex digits>, "-site" for system_site_packages.
_ENV_NAME = re.compile(r"[a-z]+-3\.(0|[1-9][0-9]?)-[0-9a-f]{12}(?:-site)?")


def program(envs: Path, name: str) -> Path | None:
    """The console script `name` of the isolated environments under `envs` that runs
    where the environment in use has none (the order above), or None."""
    try:
        entries = os.listdir(envs)
    except OSError:
        return None
    best: tuple[tuple[int, str], Path] | None = None
    for entry in entries:
        match = _ENV_NAME.fullmatch(entry)
        if match is None:
            continue
        env = envs / entry
        candidate = env / "bin" / name
        if not (env / COMPLETE_MARKER).is_file() or not executable_file(candidate):
            continue
        key = (-int(match.group(1)), entry)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None
