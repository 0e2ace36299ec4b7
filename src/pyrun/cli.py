"""The command line: parse, dispatch to ``pyrun.commands``, turn errors into one line.

What is parsed (the commands, their options and help) is parser.py, which
completions.py reads too; this module only runs what was parsed.

``_shim`` is dispatched before argparse is even built: it is the slow path behind
every shim and its arguments belong to the user's program, not to pyrun.
"""

from __future__ import annotations

import sys

from pyrun.errors import PyrunError, disk_error
from pyrun.parser import build_parser
from pyrun.request import BadShimName


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["_shim"]:
        from pyrun.commands import shim

        return shim.run(argv[1:])
    parser = build_parser()
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

        return rehash.run(
            args.quiet,
            scripts=args.scripts,
            env=args.env,
            pip=args.pip,
            added=args.added,
            found=args.found,
        )
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
    if args.command == "doctor":
        from pyrun.commands import doctor

        return doctor.run(args.shell, args.json)
    if args.command == "repair":
        from pyrun.commands import repair

        return repair.run(args.source, args.dry_run, args.unpinned, pip_args)
    if args.command == "list":
        from pyrun.commands import list_envs

        return list_envs.run(args.json)
    if args.command == "gc":
        from pyrun.commands import gc

        return gc.run(args.days, args.dry_run)
    if args.command == "config":
        from pyrun.commands import config as config_command

        return config_command.run(args.what, args.json)
    if args.command == "uninstall":
        from pyrun.commands import uninstall

        return uninstall.run(args.everything, args.dry_run)
    if args.command == "completions":
        from pyrun import completions

        return completions.run(args.shell)
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
