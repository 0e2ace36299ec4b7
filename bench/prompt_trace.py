"""Counting what a driver started, per situation, from an `strace -f` log.

Why a parser of its own: the issue's targets are about processes (none for an
unchanged prompt; at most one, the compiled binary, for a change; never `ls` or
Python), so the bench counts process-creating `clone`/`fork` calls (threads are not
processes) and successful `execve` calls between the marker files the driver opens
(``begin-<situation>`` ... ``end``), and names each program executed. strace splits a
call that another process interrupts into ``<unfinished ...>`` and ``<... resumed>``
lines; the call and its arguments come from the first, the result from the second.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^([a-z0-9_]+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. ([a-z0-9_]+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")
FIRST_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
CREATES = {"clone", "clone3", "fork", "vfork"}


@dataclass
class Counted:
    """What one situation's prompts started, in total."""

    processes: int = 0
    execs: int = 0
    programs: Counter[str] = field(default_factory=Counter)


def count_trace(text: str, mark_dir: str) -> dict[str, Counted]:
    """Per situation, what was started between its begin marker and the end marker."""
    counted: dict[str, Counted] = {}
    current: Counted | None = None
    pending: dict[str, tuple[str, str]] = {}  # pid -> (call, arguments) of an unfinished
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        pid, rest = match.groups()
        if rest.startswith("openat(") and mark_dir + "/" in rest:
            current = marker(rest, mark_dir, counted)
            continue
        resumed = RESUMED.match(rest)
        if resumed:
            call, args = pending.pop(pid, (resumed.group(1), ""))
            tail = resumed.group(2)
        else:
            called = CALL.match(rest)
            if not called:
                continue
            call, args = called.groups()
            if "<unfinished ...>" in rest:
                pending[pid] = (call, args)
                continue
            tail = args
        if current is not None:
            note(current, call, args, tail)
    return counted


def marker(rest: str, mark_dir: str, counted: dict[str, Counted]) -> Counted | None:
    """The situation a marker opens (begin-NAME), or None after `end`."""
    name = rest.split(mark_dir + "/", 1)[1].split('"', 1)[0]
    if not name.startswith("begin-"):
        return None
    return counted.setdefault(name[len("begin-") :], Counted())


def note(counted: Counted, call: str, args: str, tail: str) -> None:
    results = RESULT.findall(tail)
    value = int(results[-1]) if results else -1
    if call in CREATES and "CLONE_THREAD" not in args and value > 0:
        counted.processes += 1
    elif call == "execve" and value == 0:
        counted.execs += 1
        path = FIRST_STRING.search(args)
        counted.programs[path.group(1).rsplit("/", 1)[-1] if path else "?"] += 1
