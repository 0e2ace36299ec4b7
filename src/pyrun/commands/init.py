"""``pyrun init [SHELL] [--dry-run] [--undo]``: add (or remove) the hook line in the
shell's rc file, once.

The line sits between two marker comments, like conda's block, so running init again
finds it instead of adding a second, a changed line (pyrun moved) is replaced in
place, and ``--undo`` removes exactly what init added: the file afterwards is byte for
byte what it was before init (its line endings, and a last line without a newline,
included). The file is rewritten through a temporary file and a rename, through a
symlink to the file it points at, keeping its mode: an interruption leaves the old file
or the new one.

How the block is joined to the file, so that undo can take exactly that back:

- an empty (or missing) file gets the block alone;
- a file ending with a newline gets a blank line, then the block;
- a file whose last line has no newline gets that newline, then the block, no blank
  line (undo sees no blank line before a block that ends the file, and takes the
  newline back off).

A hook line written by hand (the README's line, an older install.sh's advice, a
dotfiles repository) is recognised too (`hand_written`): init then adds nothing and
names it, with its line number, since a second line would load the hook twice; undo
and ``pyrun uninstall`` leave it alone and name it, as it is the user's writing.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from pyrun.commands.hook import choose, pyrun_executable
from pyrun.errors import PyrunError
from pyrun.shells import ALIASES, Shell

BEGIN = "# >>> pyrun: keeps python and pip safe (remove with: pyrun init --undo) >>>"
END = "# <<< pyrun <<<"


def _is(line: str, marker: str) -> bool:
    return line.rstrip("\r\n") == marker


def _split(text: str) -> tuple[str, str, str] | None:
    """(before, block, after) around the first pyrun block, None without one.

    ``before`` and ``after`` are what undo leaves: the blank line init put in front of
    the block is part of ``block``, and so is the newline init added to a last line
    that had none. A block without its end marker is an error: nothing is touched.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _is(line, BEGIN)]
    if not starts:
        return None
    start = starts[0]
    ends = [i for i in range(start + 1, len(lines)) if _is(lines[i], END)]
    if not ends or any(start < i < ends[0] for i in starts):
        raise PyrunError(f"the pyrun block has no end marker ({END!r}); fix the file by hand")
    end = ends[0] + 1
    before = "".join(lines[:start])
    block = "".join(lines[start:end])
    after = "".join(lines[end:])
    if start > 0 and not lines[start - 1].strip("\r\n"):
        before = "".join(lines[: start - 1])  # the blank line init put before the block
        block = lines[start - 1] + block
    elif not after and before.endswith("\n") and not before.endswith("\r\n"):
        before = before[:-1]  # the newline init gave a last line that had none
        block = "\n" + block
    return before, block, after


# `pyrun hook` as a command word: pyrun by name or by a path (quoted or not, .exe on
# Windows), then `hook` and the shell's name, or nothing (the shell is detected).
_HOOK_CALL = re.compile(
    r"""(?:^|[\s'"(&|;`/\\])pyrun(?:\.exe)?['"]?\s+hook(?:\s+(?P<shell>[A-Za-z]+)\b|(?=\s*(?:$|[)"'|;&`])))"""
)
# What makes a shell run the text `pyrun hook` prints: eval, source, `.`, PowerShell's
# Invoke-Expression (iex).
_EVALUATES = re.compile(
    r"(?:^|[\s;&|(`{])(?:eval|source|\.|Invoke-Expression|iex)(?:$|[\s;&|()`}])", re.IGNORECASE
)


def _code(line: str) -> str:
    """The part of a line a shell runs: up to a ``#`` that starts a comment (at the start
    of a word, outside quotes; the rule bash, zsh, fish and PowerShell share)."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t;"):
            return line[:index]
    return line


def hand_written(text: str, shell: Shell) -> list[tuple[int, str]]:
    """The lines outside pyrun's blocks that evaluate ``pyrun hook`` for `shell` (or
    with no shell named), with their 1-based line numbers in `text`.

    Whatever way the line is spelled: ``eval "$(pyrun hook bash)"``, pyrun by a path,
    quoted or not (``eval "$('/home/me/.local/bin/pyrun' hook bash)"``), fish's
    ``pyrun hook fish | source``, PowerShell's ``Invoke-Expression (& pyrun hook
    powershell | Out-String)``. A commented-out line does not count, nor does a line
    that mentions ``pyrun hook`` without evaluating what it prints.
    """
    names = {shell.name, *(alias for alias, name in ALIASES.items() if name == shell.name)}
    found: list[tuple[int, str]] = []
    inside = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if _is(raw, BEGIN):
            inside = True
        if inside:
            inside = not _is(raw, END)
            continue
        code = _code(raw)
        call = _HOOK_CALL.search(code)
        if call is None or not _EVALUATES.search(code):
            continue
        if call["shell"] is None or call["shell"].lower() in names:
            found.append((number, raw.strip()))
    return found


def _strip_block(text: str) -> tuple[str, str]:
    """The text without any pyrun block (there may be copies), and the blocks removed."""
    removed = ""
    while (parts := _split(text)) is not None:
        before, block, after = parts
        removed += block
        text = before + after
    return text, removed


def _join(body: str, block: str) -> str:
    # A blank line before the block, or the missing newline of the last line: either
    # way one "\n", and _split tells the two apart.
    return body + "\n" + block if body else block


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if path.exists() else None
        tmp = path.with_name(f".{path.name}.pyrun-{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            if mode is not None:
                os.chmod(tmp, mode)  # a new file gets the umask's mode, like any editor's
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise PyrunError(f"cannot write {path}: {exc.strerror or exc}") from None


def _read(rc: Path) -> str:
    try:
        data = rc.read_bytes() if rc.exists() else b""
    except OSError as exc:
        raise PyrunError(f"cannot read {rc}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")  # as bytes: line endings are kept as they are
    except UnicodeDecodeError:
        raise PyrunError(f"{rc} is not UTF-8 text; add the hook line by hand") from None


def rc_path(shell: Shell) -> Path:
    """The rc file init edits for `shell`: through a symlink, the file it points at."""
    rc = shell.rc_file(dict(os.environ))
    if rc.is_symlink():
        try:
            rc = rc.resolve()  # dotfile managers link rc files: edit the real one
        except (OSError, RuntimeError) as exc:
            raise PyrunError(f"cannot follow the symlink {rc}: {exc}") from None
    return rc


def hook_line(shell: Shell) -> str:
    """The line init puts between the markers, calling this pyrun back by its path."""
    return shell.init_line(pyrun_executable())


def read_rc(rc: Path) -> str:
    """The rc file's text ("" when missing), or a one-line PyrunError."""
    return _read(rc)


def block_lines(text: str) -> list[str] | None:
    """The lines inside the first pyrun block of an rc file's text, None without one.

    ``pyrun doctor`` asks this rather than spelling the markers again; a block without
    its end marker is the same PyrunError init gives.
    """
    parts = _split(text)
    if parts is None:
        return None
    lines = [line.rstrip("\r\n") for line in parts[1].splitlines()]
    return [line for line in lines if line and line not in (BEGIN, END)]


def without_blocks(text: str) -> tuple[str, bool]:
    """`text` with every pyrun block taken out exactly as ``--undo`` does, and whether
    there was one. ``pyrun uninstall`` asks this for each shell's rc file rather than
    spelling the markers again; a block without its end marker is a PyrunError."""
    updated, removed = _strip_block(text)
    return updated, bool(removed)


def write_rc(rc: Path, text: str) -> None:
    """Replace the rc file as init does: atomically, through a symlink, keeping its mode."""
    _write(rc, text)


def _found_by_hand(rc: Path, found: list[tuple[int, str]]) -> str:
    """What init says when the rc file already loads the hook from a line of its own."""
    numbers = [str(number) for number, _ in found]
    where = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {', '.join(numbers)}"
    return (
        f"pyrun: {rc} already runs the pyrun hook on {where}, written by hand "
        f"({found[0][1]}); adding nothing"
    )


def run(name: str | None, dry_run: bool, undo: bool) -> int:
    shell = choose(name)
    rc = rc_path(shell)
    original = _read(rc)
    block = f"{BEGIN}\n{hook_line(shell)}\n{END}\n"
    parts = _split(original)
    by_hand = hand_written(original, shell)
    if undo:
        if parts is None:
            print(f"pyrun: {rc} has no pyrun block; nothing to remove")
            for number, line in by_hand:
                print(
                    f"pyrun: kept line {number} of {rc} ({line}): it was written by hand, "
                    "not by pyrun init; remove it yourself"
                )
            return 0
        updated, removed = _strip_block(original)
        action = "remove the pyrun block from"
        shown = "".join(line for line in removed.splitlines(keepends=True) if line.strip())
    elif parts is None:
        if by_hand:
            # One hook line, never two: a second would load the hook twice.
            print(_found_by_hand(rc, by_hand))
            return 0
        updated = _join(original, block)
        action = "add the pyrun block to"
        shown = block
    else:
        # Keep the block where the user had it; drop any copies further down.
        before, old, after = parts
        lead = old[: old.index(BEGIN)]
        rest, _ = _strip_block(after)
        updated = before + lead + block + rest
        action = "update the pyrun block in"
        shown = block
    if updated == original:
        print(f"pyrun: {rc} is already up to date")
    elif dry_run:
        print(f"pyrun: would {action} {rc}:")
        sys.stdout.write(shown)
    else:
        _write(rc, updated)
        print(f"pyrun: done: {action} {rc}")
    after_edit = original if dry_run else updated
    for number, line in hand_written(after_edit, shell):
        if undo:
            print(
                f"pyrun: kept line {number} of {rc} ({line}): it was written by hand, not by "
                "pyrun init; remove it yourself"
            )
        else:
            print(
                f"pyrun: line {number} of {rc} ({line}) runs the hook too, so it loads "
                "twice; remove that line"
            )
    if not undo and not dry_run and updated != original:
        print("pyrun: open a new shell (or source the file) to start using it")
    return 0
