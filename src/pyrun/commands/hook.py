"""``pyrun hook [SHELL]``: print the hook a shell evaluates at start-up.

Each hook is a real script under ``shell/<shell>/``; only quoted placeholders are
filled in here (shell/README.md lists them). Printing it is also the moment to
regenerate stale shims, since it runs once per new shell and already costs a process.
When the shims or data directory is unsafe (or the shims cannot be written) the hook
is refused: a one-line reason on stderr, a comment on stdout, a non-zero exit.
"""

from __future__ import annotations

import os
import sys

from pyrun import config, resources, shims
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


# What a hook is given; everything else it learns from the resolver at each change.
PLACEHOLDERS = (
    "__PYRUN_SHIMS__",
    "__PYRUN_RESOLVE__",
    "__PYRUN_PYTHON__",
    "__PYRUN_PROMPT__",
    "__PYRUN_PROMPT_BEFORE__",
    "__PYRUN_PROMPT_AFTER__",
)


def render(shell: Shell, paths: Paths, settings: config.Config | None = None) -> str:
    """The hook with its values filled in, the settings among them (default: loaded for
    `paths`). A hook cannot read TOML, so config.toml's prompt setting is baked in,
    under PYRUN_PROMPT, which it reads live, and prompt_format as its effective value,
    split around ``{name}``. What decides the environment (trust list, version files,
    system site packages) is baked into the shims and their resolver by rehash."""
    settings = settings or config.load(paths)
    before, after = settings.prompt_parts()
    text = resources.read_text("shell", *shell.hook_file)
    values = {
        "__PYRUN_SHIMS__": str(paths.shims),
        # the shim binary under the name that prints the answer (shims.RESOLVER)
        "__PYRUN_RESOLVE__": str(paths.shims / shims.RESOLVER),
        # the interpreter running pyrun: `python -I -m pyrun rehash --found NAME` is the
        # hooks' question for a command the shell did not find
        "__PYRUN_PYTHON__": sys.executable,
        "__PYRUN_PROMPT__": "1" if settings.file_prompt else "0",
        "__PYRUN_PROMPT_BEFORE__": before,
        "__PYRUN_PROMPT_AFTER__": after,
    }
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, shell.quote(values[placeholder]))
    return text


# What `eval "$(pyrun hook SHELL)"` gets when the hook is refused: a comment in every
# shell pyrun supports, so the rc file goes on (PowerShell's Invoke-Expression would
# complain about nothing at all). It names no path: a newline in one would end the
# comment and run the rest.
NOT_LOADED = "# pyrun: the hook was not loaded; the reason is on stderr\n"


def run(name: str | None) -> int:
    shell = choose(name)
    paths = Paths.from_env()
    try:
        # Unsafe directories first: putting shims others can write first on PATH would
        # hand them every `python` typed in this shell.
        paths.ensure_safe()
        settings = config.load(paths)  # a bad config file: no hook, and its one line
        reason = shims.ensure_current(paths)
    except PyrunError:
        sys.stdout.write(NOT_LOADED)
        raise
    if reason is not None and os.environ.get("PYRUN_DEBUG"):
        print(f"pyrun: regenerated shims ({reason})", file=sys.stderr)
    sys.stdout.write(render(shell, paths, settings))
    return 0
