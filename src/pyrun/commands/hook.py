"""``pyrun hook [SHELL]``: print the hook a shell evaluates at start-up.

Each hook is a real script under ``shell/<shell>/``; only quoted placeholders are
filled in here. Printing it is also the moment to regenerate stale shims, since it
runs once per new shell and already costs one process.
"""

from __future__ import annotations

import os
import sys

from pyrun import resources, shims
from pyrun.errors import PyrunError
from pyrun.paths import Paths

HOOK_FILES = {"bash": ("bash", "pyrun.bash")}


def detect_shell() -> str:
    import shellingham

    try:
        name, _path = shellingham.detect_shell()
    except shellingham.ShellDetectionFailure:
        name = os.path.basename(os.environ.get("SHELL", ""))
    return name


def run(shell: str | None) -> int:
    name = shell or detect_shell()
    if name not in HOOK_FILES:
        supported = ", ".join(sorted(HOOK_FILES))
        raise PyrunError(f"no hook for shell {name!r}; use one of: {supported}", exit_code=2)
    paths = Paths.from_env()
    reason = shims.ensure_current(paths)
    if reason is not None and os.environ.get("PYRUN_DEBUG"):
        print(f"pyrun: regenerated shims ({reason})", file=sys.stderr)
    text = resources.read_text("shell", *HOOK_FILES[name])
    sys.stdout.write(text.replace("__PYRUN_SHIMS__", shims.sh_quote(str(paths.shims))))
    return 0
