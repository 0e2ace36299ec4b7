"""``pyrun hook [SHELL]``: print the hook a shell evaluates at start-up.

Each hook is a real script under ``shell/<shell>/``; only quoted placeholders are
filled in here (shell/README.md lists them). Printing it is also the moment to
regenerate stale shims, since it runs once per new shell and already costs a process.
"""

from __future__ import annotations

import os
import sys

from pyrun import resources, shims
from pyrun.errors import PyrunError
from pyrun.paths import Paths
from pyrun.shells import SHELLS, Shell, named


def detect_shell() -> str:
    import shellingham

    try:
        name, _path = shellingham.detect_shell()
    except shellingham.ShellDetectionFailure:
        name = os.path.basename(os.environ.get("SHELL", ""))
    return name


def choose(name: str | None) -> Shell:
    wanted = name or detect_shell()
    shell = named(wanted)
    if shell is None:
        supported = ", ".join(sorted(SHELLS))
        how = "" if name else " (detected; name one explicitly)"
        raise PyrunError(f"no hook for shell {wanted!r}{how}; use one of: {supported}", exit_code=2)
    return shell


def pyrun_executable() -> str:
    """How a hook calls pyrun back: the console script next to this interpreter."""
    script = os.path.join(os.path.dirname(sys.executable), "pyrun")
    return script if os.access(script, os.X_OK) else os.path.abspath(sys.argv[0])


def render(shell: Shell, paths: Paths) -> str:
    text = resources.read_text("shell", *shell.hook_file)
    values = {
        "__PYRUN_SHIMS__": str(paths.shims),
        "__PYRUN_DATA__": str(paths.data),
        "__PYRUN_EXE__": pyrun_executable(),
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, shell.quote(value))
    return text


def run(name: str | None) -> int:
    shell = choose(name)
    paths = Paths.from_env()
    reason = shims.ensure_current(paths)
    if reason is not None and os.environ.get("PYRUN_DEBUG"):
        print(f"pyrun: regenerated shims ({reason})", file=sys.stderr)
    sys.stdout.write(render(shell, paths))
    return 0
