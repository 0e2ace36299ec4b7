"""Commands that pyrun's messages suggest, made safe to copy and paste.

A suggested command is run by a person who trusts pyrun, often in a hurry and sometimes
as root, so it must do exactly what the message says to whatever the path names *now*.
Two things have gone wrong before: a directory named ``$(touch${IFS}x)`` turned the
suggested ``export PYRUN_TRUST=...`` into a payload, and ``python3 -m venv --clear
/tmp/pub/.venv``, suggested for a ``.venv`` symlink another account made, followed the
link and emptied its target. So every word is shell-quoted, a path holding control
characters (which cannot be shown on one line) or a backslash gets no command, and a command that
deletes is offered only for a real directory (or a symlink itself) that the user owns.
"""

from __future__ import annotations

import os
import re
import stat

from pyrun.label import inert

# Characters that need no quoting in sh, bash, zsh and fish alike.
_PLAIN = re.compile(r"^[A-Za-z0-9_./,:=@%+-]+$")


def quote(word: str) -> str:
    """`word` as one POSIX shell word: as it is when plain, else in single quotes."""
    if _PLAIN.match(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def command(*words: str) -> str | None:
    """The words as one command line, or None when one cannot be shown safely on a line:
    a control character (a newline would split the message, an escape would act on the
    terminal), or a backslash (fish reads ``\\`` inside single quotes, so the line would
    mean another path there)."""
    if any(inert(word) != word or "\\" in word for word in words):
        return None
    return " ".join(quote(word) for word in words)


def owned_by_me(path: str, *, follow: bool) -> bool:
    """Whether `path` (the link itself unless `follow`) belongs to the user running
    pyrun. Root owns what root runs; nobody else's is taken as ours."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return False
    return info.st_uid == os.geteuid()


def is_link(path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def remake_venv(path: str) -> str:
    """How to remake the environment directory `path`, as a clause of a message.

    ``python3 -m venv --clear`` deletes what the path leads to, so it is suggested
    only for a real directory of the user's own, by its resolved name. For a symlink
    the link itself is what is wrong: removing it (``rm`` does not follow it) is
    suggested when the link is the user's; someone else's link, or a directory that is
    not the user's, gets no command at all.
    """
    if is_link(path):
        if owned_by_me(path, follow=False):
            remove = command("rm", "--", path)
            if remove:
                return f"remove the link with `{remove}`"
        return "it is a symlink that is not yours; ask whoever made it to remove it"
    if os.path.isdir(path) and owned_by_me(path, follow=False):
        clear = command("python3", "-m", "venv", "--clear", os.path.realpath(path))
        if clear:
            return f"recreate it with `{clear}`"
    return "it is not yours to recreate; ask its owner"


def fix_redirect(path: str, target: str | None = None) -> str:
    """How to mend the `.venv` redirect file `path`, as a clause of a message: create
    the environment `target` it names when that is missing and its directory is a real
    one of the user's own (nothing there to follow into someone else's), else point the
    file elsewhere or remove it (``rm`` removes a link, not what it leads to); the
    user's own file only."""
    if not owned_by_me(path, follow=False):
        return "it is not yours to change; ask its owner"
    remove = command("rm", "--", path)
    fix = "write an environment's path in it or remove it"
    if remove:
        fix += f" with `{remove}`"
    if target is None or os.path.lexists(target):
        return fix
    parent = os.path.dirname(target)
    create = command("python3", "-m", "venv", target)
    if create and os.path.realpath(parent) == parent and owned_by_me(parent, follow=False):
        return f"create it with `{create}`, or {fix}"
    return fix


def trust_export(path: str, current: str) -> str | None:
    """The line that adds `path` to PYRUN_TRUST, keeping what is there (`current`), or
    None when PYRUN_TRUST cannot name it (its entries are separated by ``:``)."""
    if ":" in path:
        return None
    value = command(path)
    if value is None:
        return None
    if current:
        return f'export PYRUN_TRUST="$PYRUN_TRUST":{value}'
    return f"export PYRUN_TRUST={value}"
