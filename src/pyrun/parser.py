"""pyrun's command line as data: the argparse parser, its commands, options and help.

Two readers build it: cli.py parses ``sys.argv`` with it and dispatches, and
completions.py walks it to write the shells' completion scripts, so a command or
option added here is parsed and completed the same day. It only describes; running a
command is cli.py's job, and nothing here imports a command.
"""

from __future__ import annotations

import argparse

from pyrun import __version__
from pyrun.errors import PyrunError

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


LIST_DESCRIPTION = """\
The cached isolated environments, one per base interpreter: name, Python version,
whether the base is still there (same, gone, changed; incomplete: a killed creation),
size on disk, packages installed, last use (to a day: the access time of the
environment's pyvenv.cfg, which every Python start reads) and base interpreter.

examples:
  pyrun list
  pyrun list --json | jq '.[] | select(.state == "gone") | .name'
"""


GC_DESCRIPTION = """\
Remove the isolated environments whose base interpreter is gone or changed, those
left incomplete by a killed creation, and with --days N those unused for N days.
Each one's package list is kept first in the data directory's saved/, so
`pyrun repair --from NAME` reinstalls it later. Kept whatever it is: the environment
`python` runs here, one a running program uses, one another pyrun is busy with.

examples:
  pyrun gc --dry-run           # show what would go
  pyrun gc                     # remove those whose base is gone or changed
  pyrun gc --days 90           # also those unused for 90 days
"""


CONFIG_DESCRIPTION = """\
Show each setting, its effective value and where it came from: the default, the
config file (config.toml in the platformdirs config directory; PYRUN_CONFIG_DIR
moves it) or a PYRUN_* variable, which wins over the file (PYRUN_TRUST adds to the
file's trust list). The shims and the hook get the file's values when they are made:
after editing it, run `pyrun rehash` or open a new shell.

settings (variable):
  prompt (PYRUN_PROMPT=0/1)              show the environment in the prompt
  prompt_format (PYRUN_PROMPT_FORMAT)    the indicator, with {name}: "({name}) "
  system_site_packages (PYRUN_SYSTEM_SITE_PACKAGES=0/1)
                                         isolated environments see the base's packages
  trust (PYRUN_TRUST, ':'-separated)     .venvs to use though others could write them
  python_version_files (PYRUN_PYTHON_VERSION_FILES=0/1)
                                         .python-version picks python's version (on)

examples:
  pyrun config
  pyrun config path
  pyrun config --json | jq .settings.trust
"""


UNINSTALL_DESCRIPTION = """\
Remove the shims directory and the block `pyrun init` wrote in each shell's rc file
(bash, zsh, fish, PowerShell), so `python` and `pip` are the system's again. The
isolated environments (what pip installed), records, the shared pip, saved package
lists, caches and pyrun itself when install.sh installed it (its venv in the data
directory and the `pyrun` link to it) stay, unless --all removes them too. Your config
file is never removed. One line per action; nothing is touched when the data
directory does not look like pyrun's (PYRUN_DATA_DIR=$HOME, say).

examples:
  pyrun uninstall --dry-run    # show what would go
  pyrun uninstall              # shims and hook lines; environments kept
  pyrun uninstall --all        # everything pyrun made, pyrun itself included
"""


COMPLETIONS_DESCRIPTION = """\
Print a completion script for bash, zsh or fish, made from pyrun's own command line:
subcommands, their options, shell names, shim names (listed from the shims directory
when you press TAB) and environment names for `repair --from`.

examples:
  eval "$(pyrun completions bash)"                            # in ~/.bashrc
  source <(pyrun completions zsh)                             # in ~/.zshrc, after compinit
  pyrun completions fish > ~/.config/fish/completions/pyrun.fish
"""


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days, 0 or more")
    return days


class _OneLineErrors(argparse.ArgumentParser):
    """Bad input is one line naming the problem and where to look, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise PyrunError(f"{message}; see `{self.prog} --help`", exit_code=2)


def build_parser() -> argparse.ArgumentParser:
    """pyrun's whole command line: every subcommand, its options and its help."""
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
    rehash.add_argument(
        "--scripts",
        action="store_true",
        help="only bring the console script shims in line with the environments "
        "(what pip runs after an install)",
    )
    rehash.add_argument(
        "--env",
        metavar="PREFIX",
        help="first register PREFIX, an environment pip installed into, so its console "
        "scripts get shims too (what pip runs in an environment that is not pyrun's own)",
    )
    rehash.add_argument(
        "--added",
        metavar="PATH",
        action="append",
        default=[],
        help="a program pip just added to an environment's bin/: say in one line if it "
        "gets no shim because a system command or a shell builtin has its name (what pip "
        "runs after an install; repeatable)",
    )
    rehash.add_argument(
        "--found",
        metavar="NAME",
        help="the shell found no command NAME: if it is a console script of the "
        "environment `python` means here (registered then) or of one pyrun already "
        "shims scripts from, make its shim and exit 0, else exit 1 changing nothing "
        "(what the hooks' command-not-found handlers run)",
    )
    rehash.add_argument(
        "--pip",
        metavar="PYTHON",
        help="only make the shared copy of pip for PYTHON's minor version (what the pip "
        "shim runs in an environment without pip, for a Python it has no copy for yet)",
    )

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

    doctor = sub.add_parser(
        "doctor",
        help="check the setup and say what to fix, one line each",
        description=(
            "Check pyrun's setup and say what to fix, one line each: the shims first on\n"
            "PATH, the hook line in your shell's rc file, shims current for the Pythons on\n"
            "PATH, pyrun's directories writable by you alone, isolated environments whose\n"
            "base Python is gone, a .venv here skipped as someone else's, PIP_* and PYRUN_*\n"
            "settings that change what pip and the shims do, and what `python` runs here.\n"
            "Each line starts with ok, info, warn or fix. Exit status 1 when a line says\n"
            "fix, else 0 (warnings alone do not fail).\n\n"
            "examples:\n"
            "  pyrun doctor\n"
            "  pyrun doctor zsh          # check zsh's rc file, not the running shell's\n"
            "  pyrun doctor --json | jq '.checks[] | select(.status == \"fix\")'"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument(
        "shell",
        nargs="?",
        help="the shell whose rc file to check: bash, zsh, fish or powershell "
        "(default: the running shell)",
    )
    doctor.add_argument(
        "--json",
        action="store_true",
        help='print {"ok": ..., "checks": [{"check", "status", "message", "fix"}, ...]}',
    )

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

    list_ = sub.add_parser(
        "list",
        help="show the cached isolated environments: base, version, size, last use",
        description=LIST_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    list_.add_argument("--json", action="store_true", help="print a JSON list, one object each")

    gc = sub.add_parser(
        "gc",
        help="remove isolated environments whose base is gone, or unused for N days",
        description=GC_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gc.add_argument(
        "--days",
        type=_days,
        metavar="N",
        help="also remove those unused for N days (default: none by age)",
    )
    gc.add_argument("--dry-run", action="store_true", help="show what would go, change nothing")
    config = sub.add_parser(
        "config",
        help="show each setting, its value and where it came from (file, variable, default)",
        description=CONFIG_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config.add_argument(
        "what", nargs="?", choices=["path"], help="path: print the config file's path"
    )
    config.add_argument(
        "--json", action="store_true", help="print each setting's value, source and variable"
    )
    uninstall = sub.add_parser(
        "uninstall",
        help="remove the shims and the hook lines (--all: environments and pyrun too)",
        description=UNINSTALL_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    uninstall.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="also remove the environments, records, pip copy, saved lists, caches and "
        "install.sh's pyrun",
    )
    uninstall.add_argument(
        "--dry-run", action="store_true", help="show what would be removed, change nothing"
    )

    completions = sub.add_parser(
        "completions",
        help="print a completion script for bash, zsh or fish",
        description=COMPLETIONS_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completions.add_argument("shell", choices=["bash", "zsh", "fish"], help="bash, zsh or fish")
    return parser
