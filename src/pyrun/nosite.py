"""``python -S`` through a shim whose target is one of pyrun's isolated environments.

Without ``site``, CPython 3.9-3.13 leaves ``sys.prefix`` at the base interpreter's
prefix: ``site.venv()`` is what sets it to the environment's. No ``.pth`` runs either,
so the environment's install guard hook (envguard.py) does not load, and a pip brought
in by a wheel path or ``PYTHONPATH`` (``python -S pip.whl/pip install x``) would install
into the base (issue #14, item 8).

So the shims hand ``-S`` over to Python (they scan the options as `parse` does), and the
slow path runs the environment's interpreter with every option the user gave, ``-S``
kept, and ``-c LOADER BOOTSTRAP PREFIX HOOK MODE ...`` in place of the program: the
bootstrap (``nosite_boot.py``, read by path, so nothing is written into environments and
an environment made by any pyrun gets it) sets ``sys.prefix`` as ``site.venv()`` would,
loads the environment's guard hook, leaves site-packages off ``sys.path`` (what ``-S``
asks), then runs the program as CPython would have: ``-c``, ``-m``, a file, a zip or
directory, stdin, or the REPL.

`parse` reads the options exactly as CPython's getopt does (Python/getopt.c): each word
up to the first that is not an option; a word is a group of letters (``-EsSc CODE``);
``-c`` and ``-m`` end the options and take the rest of the group or the next word;
``-W`` and ``-X`` take the rest of the group or the next word; ``--check-hash-based-pycs``
takes the next word, other ``--long`` options none; ``-`` alone or ``--`` end them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pyrun import envguard

BOOTSTRAP = Path(__file__).with_name("nosite_boot.py")

# Run by `python -c`: compiles the bootstrap named in sys.argv[1] and runs it in its own
# namespace, leaving nothing behind in __main__ but the name `c`, which it removes.
LOADER = (
    "import sys\n"
    "with open(sys.argv[1], 'rb') as f: c = compile(f.read(), sys.argv[1], 'exec')\n"
    "del sys, f\n"
    "exec(c, {'__name__': '_pyrun_nosite'})"
)


@dataclass(frozen=True)
class Command:
    """A Python command line split as CPython splits it."""

    options: list[str]  # the option words as typed, a -c/-m group cut before its c or m
    letters: str  # every option letter given, in order (not their arguments)
    mode: str  # "-c", "-m", "file", "-" (stdin) or "" (nothing: stdin or the REPL)
    target: str | None  # the code, module or file; None when -c/-m lack it
    args: list[str]  # the program's own arguments
    complete: bool = True  # False when an option lacks its argument (CPython says so)


def parse(args: list[str]) -> Command:
    """Split `args` (what follows ``python``) into options and the program."""
    options: list[str] = []
    letters = ""
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            return _program(options, letters, args[i + 1 :])
        if not word.startswith("-") or word == "-":
            break
        i += 1
        if word.startswith("--"):
            options.append(word)
            if word == "--check-hash-based-pycs":
                if i == len(args):
                    return Command(options, letters, "", None, [], complete=False)
                options.append(args[i])
                i += 1
            continue
        for at in range(1, len(word)):
            letter = word[at]
            letters += letter
            if letter in "cm":
                if at > 1:
                    options.append(word[:at])
                value: str | None = word[at + 1 :]
                rest = args[i:]
                if not value:
                    value, rest = (rest[0], rest[1:]) if rest else (None, [])
                return Command(options, letters, "-" + letter, value, rest, value is not None)
            if letter in "WX":
                options.append(word)
                if at + 1 == len(word):  # the argument is the next word
                    if i == len(args):
                        return Command(options, letters, "", None, [], complete=False)
                    options.append(args[i])
                    i += 1
                break
        else:
            options.append(word)
    return _program(options, letters, args[i:])


def _program(options: list[str], letters: str, rest: list[str]) -> Command:
    """After the options: a file, ``-`` (stdin), or nothing."""
    if not rest:
        return Command(options, letters, "", None, [])
    if rest[0] == "-":
        return Command(options, letters, "-", None, rest[1:])
    return Command(options, letters, "file", rest[0], rest[1:])


def no_site(args: list[str]) -> bool:
    """Whether `args` ask for ``-S`` (the shims' scan, in Python)."""
    return "S" in parse(args).letters


def rewrite(env: Path, args: list[str], stdin_is_tty: bool | None = None) -> list[str]:
    """The arguments for `env`'s interpreter that run `args` with ``-S`` through the
    bootstrap; `args` unchanged when they do not ask for ``-S``, or when an option lacks
    its argument (CPython then stops with its own message before running anything)."""
    command = parse(args)
    if "S" not in command.letters or not command.complete:
        return args
    return _bootstrapped(command, str(env), env, stdin_is_tty)


def as_base(env: Path, args: list[str], stdin_is_tty: bool | None = None) -> list[str]:
    """The arguments for the base interpreter behind `env` that run `args` with `env`'s
    install guard loaded and ``sys.prefix`` left the base's (an empty PREFIX): what a
    tool that runs ``python`` gets (tool.py says why). `args` unchanged when an option
    lacks its argument (CPython then stops before running anything)."""
    command = parse(args)
    if not command.complete:
        return args
    return _bootstrapped(command, "", env, stdin_is_tty)


def _bootstrapped(command: Command, prefix: str, env: Path, stdin_is_tty: bool | None) -> list[str]:
    """`command` with ``-c LOADER BOOTSTRAP PREFIX HOOK MODE ...`` in place of its
    program, every option kept."""
    options = list(command.options)
    tty = os.isatty(0) if stdin_is_tty is None else stdin_is_tty
    if command.mode == "" and "i" not in command.letters and tty:
        options.append("-i")  # CPython's own REPL, once the bootstrap has run
    mode = command.mode
    if mode == "file" and "x" in command.letters:
        mode = "file-x"  # -x: skip the script's first line (it applies to a file only)
    site = envguard.site_packages(env)
    hook = site / f"{envguard.HOOK}.py" if site is not None else None
    program = [command.target] if command.target is not None else []
    return [
        *options,
        "-c",
        LOADER,
        str(BOOTSTRAP),
        prefix,
        str(hook) if hook is not None and hook.is_file() else "",
        mode or "none",
        *program,
        *command.args,
    ]
