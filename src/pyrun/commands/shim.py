"""``pyrun _shim NAME REASON ARGS...``: the slow path a shim hands over to.

Arguments are taken positionally and never parsed, so every byte the user typed
reaches the target unchanged. The process is replaced (``execv`` keeps the pid, which
the shims' re-entry guard relies on), so no wrapper stays behind.
"""

from __future__ import annotations

import os
import sys

from pyrun import answer, nosite, shims, tool
from pyrun.discovery import passthrough, print_warnings, resolve
from pyrun.environment import is_pyrun_shim
from pyrun.errors import PyrunError
from pyrun.paths import Paths
from pyrun.request import Request


def run(argv: list[str]) -> int:
    if len(argv) < 2:
        raise PyrunError("_shim is internal: it is run by the shims as `_shim NAME REASON ARGS`")
    name, reason, args = argv[0], argv[1], argv[2:]
    paths = Paths.from_env()
    debug = bool(os.environ.get("PYRUN_DEBUG"))
    if debug:
        print(f"pyrun[py] {name}: called because: {reason}", file=sys.stderr)
    if name == shims.RESOLVER:  # a hook asking, through the resolver: print, run nothing
        # A directory's name is bytes: written back as they came (surrogateescape).
        text = "".join(line + "\n" for line in answer.lines(paths))
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
        return 0
    if os.environ.get("PYRUN_DISABLE") == "1":
        program = [passthrough(name, paths)]
        lacking = None
    else:
        resolution = resolve(Request.for_shim(name), paths, create=True)
        print_warnings(resolution)
        if debug:
            for step in resolution.trail:
                print(
                    f"pyrun[py] {name}: {step.source.value}: {step.outcome.value}: {step.detail}",
                    file=sys.stderr,
                )
        program = resolution.argv
        isolated = resolution.kind == "isolated" or resolution.environment.parent == paths.envs
        kind = resolution.request.kind
        for_tool = isolated and kind == "python" and tool.is_tools_child()
        base = tool.base_of(resolution.environment) if for_tool else None
        if base is not None:
            # A tool's own `python`: the base behind the environment, guarded (tool.py).
            program, args = [base], nosite.as_base(resolution.environment, args)
        elif isolated and kind == "python" and nosite.no_site(args):
            # -S: the environment's prefix and install guard, which site would have
            # given it (nosite.py), not the base's.
            args = nosite.rewrite(resolution.environment, args)
        # the environment in use, when a tool runs from the shared copy it lacks
        lacking = resolution.environment if resolution.shared_env else None
    if Request.for_shim(name).kind == "script":
        tool.exports(program[0], paths.envs, lacking)
    if is_pyrun_shim(program[0]):
        raise PyrunError(
            f"{program[0]} is itself a pyrun shim, so running it would loop; remove the "
            "second copy of pyrun's shims from PATH"
        )
    if debug:
        print(f"pyrun[py] {name}: exec {program}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(program[0], [program[0], *program[1:], *args])
    except OSError as exc:
        raise PyrunError(
            f"could not run {program[0]}: {exc.strerror}; see `pyrun why {name}`"
        ) from None
    return 0  # not reached
