"""The command line: parse, dispatch to ``pyrun.commands``, turn errors into one line.

``_shim`` is dispatched before argparse is even built: it is the slow path behind
every shim and its arguments belong to the user's program, not to pyrun.
"""

from __future__ import annotations

import argparse
import sys

from pyrun import __version__
from pyrun.errors import PyrunError, disk_error
from pyrun.request import BadShimName

DESCRIPTION = """\
pyrun makes `python` and `pip` mean the environment of the directory you are in
(VIRTUAL_ENV, CONDA_PREFIX, the nearest .venv, then the Python on PATH, uv's order),
and never the system: a base interpreter runs as a cached isolated environment.
Set it up once with: pyrun init (or add eval "$(pyrun hook bash)" to ~/.bashrc)
"""


REPAIR_DESCRIPTION = """\
When the base Python behind an isolated environment is upgraded, moved or deleted,
the next `python` or `pip` makes a new environment, saves the old one's package list
first and says so in one line. `pyrun repair` reinstalls that list into the isolated
environment `python` runs here, with its own pip, and marks it done. Arguments after
`--` go to pip (say `-- --no-index --find-links ./wheels`).
"""


class _OneLineErrors(argparse.ArgumentParser):
    """Bad input is one line naming the problem and where to look, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise PyrunError(f"{message}; see `{self.prog} --help`", exit_code=2)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
        prog="pyrun",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pyrun {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineErrors)

    which = sub.add_parser("which", help="print the program a shim would run here")
    which.add_argument("name", nargs="?", default="python", help="shim name (default: python)")
    which.add_argument(
        "--json", action="store_true", help="print program, environment, source and base"
    )

    why = sub.add_parser("why", help="show each discovery step and what it found or skipped")
    why.add_argument("name", nargs="?", default="python", help="shim name (default: python)")

    rehash = sub.add_parser("rehash", help="regenerate the shims for the Pythons on PATH")
    rehash.add_argument("-q", "--quiet", action="store_true", help="print nothing")

    exec_ = sub.add_parser(
        "exec",
        help="run a command with pyrun out of the way",
        description="Run CMD with pyrun's shims removed from PATH (the escape hatch).",
    )
    exec_.add_argument(
        "--system",
        action="store_true",
        required=True,
        help="use the system's python and pip (required, to be deliberate)",
    )
    exec_.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD...")

    hook = sub.add_parser("hook", help="print the shell hook to eval in your shell's rc file")
    hook.add_argument(
        "shell", nargs="?", help="bash, zsh, fish or powershell (default: the running shell)"
    )

    init = sub.add_parser("init", help="add the hook line to your shell's rc file, once")
    init.add_argument(
        "shell", nargs="?", help="bash, zsh, fish or powershell (default: the running shell)"
    )
    init.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    init.add_argument("--undo", action="store_true", help="remove the line pyrun init added")

    repair = sub.add_parser(
        "repair",
        help="reinstall the packages of environments whose base Python went away",
        usage="pyrun repair [-h] [--from ENV] [--dry-run] [--unpinned] [-- PIP_ARGS...]",
        description=REPAIR_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    repair.add_argument(
        "--from",
        dest="source",
        metavar="ENV",
        help="reinstall from this isolated environment (a path, or its name under envs/)",
    )
    repair.add_argument(
        "--dry-run", action="store_true", help="show what would be reinstalled, change nothing"
    )
    repair.add_argument(
        "--unpinned",
        action="store_true",
        help="install the latest version of each package, not the saved one",
    )
    return parser


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["_shim"]:
        from pyrun.commands import shim

        return shim.run(argv[1:])
    parser = _parser()
    pip_args: list[str] = []
    if argv[:1] == ["repair"] and "--" in argv:  # what follows `--` is pip's, unparsed
        at = argv.index("--")
        argv, pip_args = argv[:at], argv[at + 1 :]
    args = parser.parse_args(argv)
    if args.command == "which":
        from pyrun.commands import which

        return which.run(args.name, args.json)
    if args.command == "why":
        from pyrun.commands import why

        return why.run(args.name)
    if args.command == "rehash":
        from pyrun.commands import rehash

        return rehash.run(args.quiet)
    if args.command == "exec":
        from pyrun.commands import exec_system

        command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        return exec_system.run(command)
    if args.command == "hook":
        from pyrun.commands import hook

        return hook.run(args.shell)
    if args.command == "init":
        from pyrun.commands import init

        return init.run(args.shell, args.dry_run, args.undo)
    if args.command == "repair":
        from pyrun.commands import repair

        return repair.run(args.source, args.dry_run, args.unpinned, pip_args)
    parser.print_help()
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except PyrunError as exc:
        print(f"pyrun: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # The last line of defence for a disk failure no caller turned into a
        # PyrunError: still one line a user can act on, not a traceback.
        print(f"pyrun: {disk_error('go on', exc).message}", file=sys.stderr)
        return 1
    except BadShimName as exc:
        print(f"pyrun: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
