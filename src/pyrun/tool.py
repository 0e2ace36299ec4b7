"""What a tool installed in pyrun's shared environment sees when it runs ``python``.

A console script that lives in one of pyrun's isolated environments (pdm, poetry,
pip-sync, installed with ``pip install`` outside any project) runs wherever it is typed
(shared_tools.py). Some such tools look for ``python`` on PATH to build a project's
environment from, and find pyrun's shim: pdm (findpython, when pyenv is absent) asks it
for ``sys.executable``, sees the isolated environment's ``pyvenv.cfg`` beside it and
adopts that environment as the project's (``python.use_venv``), so ``pdm add`` filled
it and ``pdm sync --clean`` emptied it of every tool (issue #16). Without pyrun the
same search finds a base interpreter, and pdm makes the project its own ``.venv``.

So a tool's own request for ``python`` gets the base interpreter behind the isolated
environment, as it would without pyrun: the script shim exports ``PYRUN_TOOL`` = its
pid (exec keeps it, so it is the tool's), and a ``python`` shim whose parent is that pid
and whose walk lands on an isolated environment runs that environment's base, its
prefix its own, with the environment's install guard loaded (nosite.as_base), so a
``python -m pip install --user`` from the tool is still refused. A project's own
environment still wins, and only direct children count: a shell or a notebook kernel
the tool starts runs ``python`` as everyone else.

pip-sync has no discovery at all: it runs ``sys.executable -m pip``, the shared
environment's, and would uninstall every tool there. ``PYRUN_TOOL_PROJECT`` names the
environment ``python`` means where the tool was started, when the tool is the shared
copy of a script that environment lacks; the guard (pipguard.py) then refuses a pip
install or uninstall into the shared environment run by the tool itself.

The three copies of the walk set these alike (shims/shim.c, shims/shim.sh, `exports`
for the slow path); each script shim clears them otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pyrun.environment import executable_file
from pyrun.records import COMPLETE_MARKER

TOOL = "PYRUN_TOOL"
PROJECT = "PYRUN_TOOL_PROJECT"


def is_tools_child() -> bool:
    """Whether this process (a ``python`` shim's slow path: the shim's pid) was started
    by a tool that runs from pyrun's isolated environments."""
    return os.environ.get(TOOL, "") == str(os.getppid())


def base_of(env: Path) -> str | None:
    """The base interpreter an isolated environment was made from (its marker's
    ``base``), when it is still there to run."""
    try:
        base = json.loads((env / COMPLETE_MARKER).read_text(encoding="utf-8"))["base"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return base if isinstance(base, str) and executable_file(base) else None


def exports(program: str, envs: Path, project: Path | None) -> None:
    """Set or clear the variables for a console script about to replace this process:
    `program` is a tool when it lives in one of pyrun's isolated environments under
    `envs`; `project` is the environment in use, when it lacks the script."""
    for name in (TOOL, PROJECT):
        os.environ.pop(name, None)
    if not program.startswith(str(envs) + os.sep):
        return
    os.environ[TOOL] = str(os.getpid())
    if project is not None:
        os.environ[PROJECT] = str(project)
