"""``pyrun exec --system -- CMD...``: run a command as if pyrun were not installed.

The deliberate escape hatch: pyrun's shims leave PATH and ``PYRUN_DISABLE=1`` makes any
other copy of them a pass-through, so ``python`` and ``pip`` inside CMD are the
system's. Whatever CMD then does to the system is what the user asked for.
"""

from __future__ import annotations

import os

from pyrun.errors import PyrunError
from pyrun.interpreter import without_shims
from pyrun.paths import Paths


def run(command: list[str]) -> int:
    if not command:
        raise PyrunError(
            "exec needs a command: pyrun exec --system -- python -m pip list", exit_code=2
        )
    env = dict(os.environ)
    env["PATH"] = without_shims(env.get("PATH", ""), Paths.from_env())
    env["PYRUN_DISABLE"] = "1"
    env.pop("PYRUN_SHIM_PID", None)
    try:
        os.execvpe(command[0], command, env)
    except OSError as exc:
        raise PyrunError(f"could not run {command[0]}: {exc.strerror}", exit_code=127) from None
    return 0  # not reached
