"""Console script names that would shadow a system command or a shell builtin.

The shims directory is first on PATH, so a console script shim called ``ls`` (a package
may declare any name) would run a Python program wherever ``ls`` is typed, in every
directory, for every script and Makefile: issue 14, item 11. So a console script gets no
shim when its name is

- an executable file in one of `SYSTEM_DIRS`, the directories a stock Linux or macOS
  PATH holds the system's commands in (``/usr/local/bin`` included: what the
  administrator installed there is theirs, not a package's to replace); or
- a shell builtin or reserved word (`SHELL_WORDS`), in any of the shells pyrun hooks or
  ``/bin/sh`` may be. A builtin wins over PATH only in the shells that have it: a name
  built into one shell is looked up on PATH in another (dash has no ``source``,
  ``history`` or ``let``; bash has no ``print`` or ``whence``; fish no ``export`` as a
  builtin), and by ``env``, ``xargs``, ``find -exec``, ``nice``, ``sudo`` and every
  program that execs a name. A shim there would change what a portable script runs.

Names pyrun keeps for itself (python, pip, activate, pyrun, ...) are refused earlier by
request.is_script_name.

When it is checked: whenever the list of shims is computed (shims.script_names), so
at every ``pyrun rehash``, after every ``pip install``/``uninstall`` through a shim, and
in the hook's start-up staleness check (the stamp records the script shims made, so a
command installed into a system directory later makes the stamp stale and the next
shell's hook, or the next rehash, removes the shim). Nothing is checked when a shim
runs: the shims run whatever rehash left, and rehash prunes every shim it did not make.
The cost is one ``stat`` per console script and system directory.

The script itself stays where pip put it (``<env>/bin/ls``), runnable by its path;
``pyrun which ls`` and ``pyrun why ls`` say why it has no shim, and pip through a shim
says so in one line (`describe`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from shlex import quote

# Where the system's commands live: a console script named like one of them gets no shim.
SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")

# Shell builtins and reserved words: the union of
# - POSIX.1-2024, XCU 2.4 (reserved words, and the words that may be reserved: [[ ]]
#   function namespace select time), XCU 2.15 (special built-ins) and XCU 1.7
#   (intrinsic utilities: alias bg cd command fc fg getopts hash jobs kill read type
#   ulimit umask unalias wait);
# - bash 5.2: ``compgen -b`` and ``compgen -k``;
# - zsh 5.9: ``${(k)builtins}`` and ``${(k)reswords}`` (``zsh -f``: the modules loaded by
#   default, zle and completion included);
# - fish 3.6: ``builtin --names`` (fish's keywords, if, end, and, not, ..., are builtins);
# - dash 0.5 (Debian's /bin/sh): its builtins are all in the lists above.
# tests/test_script_names.py asks each of these shells that is installed for its names
# and fails when one is missing here. Names that can never be a console script shim
# (``-``, ``.``, ``:``, ``[``, ``!``, ``{``, request._SCRIPT) are listed all the same, so the list
# reads as the shells' own.
_WORDS = """
    ! - . : [ [[ ]] { } _
    abbr alias and argparse autoload begin bg bind bindkey block break breakpoint
    builtin bye caller case cd chdir command commandline compadd comparguments compcall
    compctl compdescribe compfiles compgen complete compopt compgroups compquote compset
    comptags comptry compvalues contains continue coproc count declare dirs disable
    disown do done echo echotc echoti elif else emit emulate enable end esac eval exec
    exit export false fc fg fi float for foreach function functions getln getopts hash
    help history if in integer jobs kill let limit local log logout mapfile math
    namespace nocorrect noglob not or path popd print printf private pushd pushln pwd r
    random read readarray readonly realpath rehash repeat return sched select set
    set_color setopt shift shopt source status string suspend switch test then time
    times trap true ttyctl type typeset ulimit umask unalias unfunction unhash unlimit
    unset unsetopt until vared wait whence where which while zcompile zformat zle
    zmodload zparseopts zregexparse zstyle
    """
SHELL_WORDS = frozenset(_WORDS.split())

BUILTIN = "a shell builtin or keyword has that name"
SYSTEM = "a system command has that name"


def system_command(name: str, dirs: Sequence[str] = SYSTEM_DIRS) -> str | None:
    """The first executable file called `name` in the system directories, or None."""
    for directory in dirs:
        path = os.path.join(directory, name)
        try:
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
        except (OSError, ValueError):
            continue
    return None


def shadow_reason(name: str) -> str | None:
    """Why a console script called `name` gets no shim (`BUILTIN`, or `SYSTEM` with the
    command's path), or None when a shim is fine."""
    if name in SHELL_WORDS:
        return BUILTIN
    found = system_command(name)
    return f"{SYSTEM} ({found})" if found is not None else None


def describe(withheld: Mapping[str, Iterable[str]]) -> str:
    """One line for the console scripts that got no shim: name -> the programs (paths)
    that stay runnable by path. Each path is shell-quoted: it is a suggested command."""
    groups: dict[str, list[str]] = {}
    programs: list[str] = []
    for name in sorted(withheld):
        reason = BUILTIN if name in SHELL_WORDS else SYSTEM
        groups.setdefault(reason, []).append(name)
        programs += [quote(path) for path in withheld[name]]
    parts = [f"{', '.join(names)} ({reason})" for reason, names in groups.items()]
    them = "it" if len(programs) == 1 else "them"
    return f"no shim for {' or '.join(parts)}; run {them} as {', '.join(programs)}"
