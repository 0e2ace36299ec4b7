"""Whose directories pyrun may take programs and records from.

A `.venv` found by walking up from the working directory is a program chosen by
whoever controls that directory. On a shared machine that can be another user: a
`.venv` planted in /tmp or in a group-writable project would run as you the moment
you type `python` there. pyrun therefore uses a found `.venv` only when it and the
directory holding it are yours (or root's) and nobody else can write to them, the
rule git adopted for repositories after CVE-2022-24765 (`safe.directory`). uv has no
such rule; this is a deliberate difference (README, "Deviations from uv").

The same rule guards pyrun's own data and shims directories: whoever can write there
chooses what every shim runs.

The rule, one place for the resolver (the shims spell it again, in shims/shim.sh and
shims/shim.c, and the hooks in shell/*; tests/test_agreement.py holds them together):

* a directory is safe when its owner is you (the effective uid) or root, and no group
  or other user can write to it;
* a directory its group can write to (but not others) is safe too when that group is
  *private* to its owner (`private_group`): the user-private-group set-up of Debian,
  Fedora and others, where umask 002 makes every new directory group-writable and
  every user has a group of their own. It is the rule Debian's OpenSSH applies to
  ~/.ssh under StrictModes (its user-group-modes patch, ``secure_permissions``);
* the directory *holding* a `.venv` may be writable by others when it has the sticky
  bit (like /tmp): then nobody else can rename or replace the `.venv` inside it;
* every directory *above* the holder, from ``/`` down, is judged as a holder too
  (`above_reason`): whoever can write one of them can rename the directory below it
  and put a tree of their own under the same path, between the moment a shim checks
  the `.venv` and the moment the kernel, and then CPython (which reads
  ``pyvenv.cfg`` by its path as it starts), resolve that path again (issue #14, item
  2: a ``chmod 777`` team folder won that race 46 times in 400). With every directory
  on the way safe, the path names the same files at the check, at the exec and
  inside the interpreter, which an exec by file descriptor alone would not give;
* a `.venv` (or version file) that is a *symlink* is controlled by whoever owns the
  link and by whoever controls a directory its resolution looks in. So the link itself
  must be yours or root's (its mode means nothing), and besides the directory holding
  it (as above): every directory of its target's real path, from ``/`` down to the one
  holding the target, is judged as a holder (sticky allowed), and the target as the
  `.venv` itself; each further symlink met while resolving must be yours or root's too,
  with every directory of its own real path judged as a holder. Otherwise another
  account's ``ln -s ~you/other/.venv /tmp/pub/.venv`` would run (and pip install into)
  your other project, and ``ln -s /usr /tmp/pub/.venv`` the system's Python.
  The shims follow one link themselves, when its text names no ``..`` after a name and
  no part of that path is a link again (then the directories above are exactly the
  real path's); any other link goes to this copy (`link_reason`);
* a `.venv` redirect file (redirect.py) is judged as itself and then as a symlink whose
  text is the path it holds (`redirect_reason`): whoever controls the way to the
  environment it names, or the environment, controls `python`;
* ``PYRUN_TRUST`` lists what to use anyway, separated by ``:``: a `.venv`'s path or
  the path of the directory holding it, ``DIR/*`` for everything below DIR, or ``*``
  for everything (git's ``safe.directory = *``). The config file's ``trust`` list
  (config.py) adds to it: the shims and hooks get it baked in when they are made.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence

TRUST_VARIABLE = "PYRUN_TRUST"
# How a skipped environment's warning goes on after the reason (`pyrun doctor` splits
# the warning there into the problem and its fix).
TRUST_HINT = "to use it anyway, add it to"


def unsafe_reason(path: str, *, holder: bool = False) -> str | None:
    """Why `path` (a directory, symlinks followed) is not safe to take programs from.

    None when it is safe or cannot be examined (a path that does not exist is the
    caller's business: it is reported where it is used).
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _judged(path, info, holder)


def _judged(path: str, info: os.stat_result, holder: bool) -> str | None:
    """unsafe_reason for what `path` is (its stat `info`)."""
    if info.st_uid not in (os.geteuid(), 0):
        return f"{path} is owned by uid {info.st_uid}, not by you (uid {os.geteuid()}) or root"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if holder and info.st_mode & stat.S_ISVTX:
            return None
        if not info.st_mode & stat.S_IWOTH and private_group(info.st_gid, info.st_uid):
            return None
        return f"{path} is writable by {_writers(info.st_mode)}"
    return None


# The files private_group reads, and how much of each (a larger file is not read at
# all: the answer is then "not private", the rule without the exception).
USERS = "/etc/passwd"
GROUPS = "/etc/group"
MAX_BYTES = 1 << 20
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,9}")


def _number(field: str) -> bool:
    """A uid or gid as the tools write it: plain decimal, no sign, space or leading
    zero, and within 32 bits (the C library would wrap a larger one into range)."""
    return bool(_DECIMAL.fullmatch(field)) and int(field) <= 0xFFFFFFFF


def private_group(gid: int, uid: int) -> bool:
    """Whether group `gid` has exactly one member, the user `uid` (a directory's owner),
    so that its group-write bit lets nobody else write.

    Debian's OpenSSH rule (user-group-modes, ``secure_permissions``), over the files
    /etc/group and /etc/passwd (the compiled shim is static and cannot ask NSS, so no
    copy does: a group only a directory service knows is not private):

    * some /etc/group line has the gid; the members of every line with that gid (a
      second line would make its members members too) are names of the owner: some
      /etc/passwd line with that name has the owner's uid, and none another uid;
    * every /etc/passwd line whose primary gid is the gid has the owner's uid;
    * the owner is a member by one or the other: a group with no members at all (a
      set-gid helper's) is not private.

    Blank and ``#`` lines are skipped, as the C library skips them. Any other line
    that does not read as ``name:x:number:...`` with plain decimal numbers (hand edits,
    NIS ``+`` lines, a file that is not a regular file or is over MAX_BYTES) makes the
    answer "not private": a line the C library reads differently could add a member.
    shims/shim.c (private_group) and shims/shim.sh (pyrun_private_group) spell it
    again, identically.
    """
    groups = _table(GROUPS, 3)
    users = _table(USERS, 4) if groups is not None else None
    if groups is None or users is None:
        return False
    members: set[str] = set()
    exists = False
    for fields in groups:
        if fields[2] == str(gid):
            exists = True
            members.update(name for name in fields[3].split(",") if name)
    if not exists:
        return False
    primary = False
    owners: set[str] = set()
    for fields in users:
        name, number, group = fields[0], fields[2], fields[3]
        if number != str(uid):
            if group == str(gid) or name in members:
                return False
            continue
        primary = primary or group == str(gid)
        if name in members:
            owners.add(name)
    return owners == members and (primary or bool(members))


def read_at_most(fd: int, limit: int) -> bytes | None:
    """What `fd` holds, read to its end, or None when that is more than `limit` bytes:
    the reading of every small file pyrun judges (these tables, version files), which
    a sparse terabyte must not turn into a hang. Raises OSError."""
    data = b""
    while len(data) <= limit:
        chunk = os.read(fd, limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return data if len(data) <= limit else None


def _table(path: str, numbers: int) -> list[list[str]] | None:
    """The lines of `path` split at ``:`` (at least numbers + 1 fields, the second to
    the numbers-th plain decimal), blank and comment lines left out; None when the file
    cannot be read whole or has a line that is neither."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = read_at_most(fd, MAX_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    if data is None:
        return None
    rows = []
    for raw in data.split(b"\n"):
        line = raw.decode("latin-1")
        bare = line.lstrip(" \t")
        if not bare or bare.startswith("#"):
            continue
        fields = line.split(":", numbers)
        if len(fields) <= numbers:
            if len(fields) == numbers and numbers == 3:  # `name:x:gid`: no member list
                fields.append("")
            else:
                return None
        if not all(_number(field) for field in fields[2:numbers]):
            return None
        rows.append(fields)
    return rows


def trusted(env: str, holder: str, environ: Mapping[str, str], extra: Sequence[str] = ()) -> bool:
    """Whether PYRUN_TRUST, or the config file's trust list (`extra`), names the
    environment `env` (held by directory `holder`)."""
    for entry in [*environ.get(TRUST_VARIABLE, "").split(":"), *extra]:
        if entry == "*":
            return True
        if not entry.startswith("/"):
            continue
        if entry.endswith("/*"):
            prefix = entry[:-1]
            if env.startswith(prefix) or holder.startswith(prefix):
                return True
            continue
        entry = entry.rstrip("/") or "/"
        if entry in (env, holder):
            return True
    return False


# As the kernel (MAXSYMLINKS): more links than this on the way is a loop.
MAX_LINKS = 40


def link_reason(path: str) -> str | None:
    """Why the symlink `path` must not be followed (the rule above), or None when it
    may be, when `path` is no symlink, or when it leads nowhere (a path that does not
    resolve is the caller's business). The directory holding `path` is a real path,
    judged by the caller."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISLNK(info.st_mode):
        return None
    followed = _follow(os.path.dirname(path) or "/", [os.path.basename(path)])
    if followed is None:
        return None
    links, target = followed
    places = [os.path.dirname(link) for link, _ in links[1:]] + [os.path.dirname(target)]
    return _way_reason(path, links, places)


def redirect_reason(path: str, target: str) -> str | None:
    """Why the environment `target` (absolute, normalised), named by the `.venv`
    redirect file `path`, must not be used: `path` is to be read as a symlink whose
    text is `target`, so the links met on the way to it, every directory of its real
    path (judged as holders) and the target itself (as a `.venv`) are judged as for a
    `.venv` symlink (link_reason). None when it may be used, or when it leads nowhere
    (the caller says so)."""
    followed = _follow("/", target.split("/"))
    if followed is None:
        return None
    links, real = followed
    places = [os.path.dirname(link) for link, _ in links] + [os.path.dirname(real)]
    reason = _way_reason(path, links, places)
    if reason is None:
        reason = unsafe_reason(real)
        if reason is not None:
            reason = f"{reason}, and {path} points there"
    return reason


def _way_reason(path: str, links: list[tuple[str, int]], places: list[str]) -> str | None:
    """Why the way from `path` to where it points is someone else's: a link on it
    (`links`, each with its owner) that is not yours or root's, or a directory of a
    place a name is looked up in (`places`, real paths) not safe as a holder."""
    for link, uid in links:
        if uid not in (os.geteuid(), 0):
            where = "" if link == path else f", on the way to where {path} points"
            return (
                f"{link} is a symlink owned by uid {uid}, not by you (uid {os.geteuid()}) "
                f"or root{where}"
            )
    seen: set[str] = set()
    for place in places:
        for directory in _chain(place):
            if directory in seen:
                continue
            seen.add(directory)
            reason = unsafe_reason(directory, holder=True)
            if reason is not None:
                return f"{reason}, on the way to where {path} points"
    return None


def above_reason(holder: str) -> str | None:
    """Why a directory above `holder` (a real path) lets someone else swap `holder`
    for a directory of their own (the rule above), or None."""
    found = unsafe_above(holder)
    return found[1] if found else None


def unsafe_above(holder: str) -> tuple[str, str] | None:
    """`above_reason` with the directory it names: (that directory, the reason)."""
    chain = _chain(holder)
    for directory, below in zip(chain, chain[1:]):
        reason = unsafe_reason(directory, holder=True)
        if reason is not None:
            return directory, (
                f"{reason}, so someone else could rename {below} and put their own in its place"
            )
    return None


def open_to_others(info: os.stat_result) -> bool:
    """Whether someone else may go into a directory (its stat `info`): others may
    search it, or a group that is not private to its owner. Whatever is inside is then
    theirs to change wherever it is writable to them, whatever the directory's own
    write bits say."""
    if info.st_mode & stat.S_IXOTH:
        return True
    return bool(info.st_mode & stat.S_IXGRP) and not private_group(info.st_gid, info.st_uid)


def close(path: str) -> str | None:
    """Close `path`, a directory of your own that others may go into (`chmod go-rwx`),
    once nothing inside is someone else's or writable by them; else why it is not
    closed (``others can go into it and ...``). None when it is closed, missing, or
    root's while you are not root (a directory root set up for everyone is root's to
    keep). Raises OSError when chmod fails."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if info.st_uid != os.geteuid() or not open_to_others(info):
        return None
    inside = first_unsafe_inside(path)
    if inside is not None:
        return f"others can go into it and {inside}"
    os.chmod(path, info.st_mode & 0o7700)
    return None


def first_unsafe_inside(top: str) -> str | None:
    """The first entry below `top` (not following links) that someone else owns or may
    write, as `unsafe_reason` says it, or None. A link's own mode means nothing; its
    owner, and the directory holding it, do."""
    for directory, dirs, files in os.walk(top):
        for name in (*dirs, *files):
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                if info.st_uid not in (os.geteuid(), 0):
                    return _judged(path, info, holder=False)  # the owner's reason
                continue
            reason = _judged(path, info, holder=False)
            if reason is not None:
                return reason
    return None


def _chain(directory: str) -> list[str]:
    """`/` and each directory from it down to `directory` (a real path)."""
    chain = ["/"]
    for name in directory.split("/"):
        if name:
            chain.append(os.path.join(chain[-1], name))
    return chain


def _follow(start: str, names: list[str]) -> tuple[list[tuple[str, int]], str] | None:
    """Resolve the path `names` (split at ``/``) from the real directory `start`, name
    by name, as the kernel does: the links met (each with its owner) and the real path
    reached; None when it leads nowhere or loops."""
    links: list[tuple[str, int]] = []
    current = start
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, name)
        try:
            info = os.lstat(candidate)
            if not stat.S_ISLNK(info.st_mode):
                current = candidate
                continue
            text = os.readlink(candidate)
        except OSError:
            return None
        links.append((candidate, info.st_uid))
        if len(links) > MAX_LINKS:
            return None
        if text.startswith("/"):
            current = "/"
        pending[:0] = text.split("/")
    return links, current


def dot_venv_problem(env: str, environ: Mapping[str, str], extra: Sequence[str] = ()) -> str | None:
    """Why the found environment `env` must not be used, or None to use it.

    `env` is an absolute, normalised path (a `.venv`, a `.venv` redirect file, or the
    environment the working directory is inside of); the directory holding it and every
    one above are checked too, and where it is a symlink, the link and the way to its
    target (link_reason).
    """
    holder = os.path.dirname(env) or "/"
    reason = (
        link_reason(env)
        or unsafe_reason(env)
        or unsafe_reason(holder, holder=True)
        or above_reason(holder)
    )
    return _problem(env, holder, reason, environ, extra)


def redirect_problem(
    path: str, target: str, environ: Mapping[str, str], extra: Sequence[str] = ()
) -> str | None:
    """Why the environment `target` named by the `.venv` redirect file `path` (itself
    passed by dot_venv_problem) must not be used, or None to use it. PYRUN_TRUST names
    the redirect file (or its directory) to trust where it points as well."""
    holder = os.path.dirname(path) or "/"
    return _problem(path, holder, redirect_reason(path, target), environ, extra)


def _problem(
    env: str, holder: str, reason: str | None, environ: Mapping[str, str], extra: Sequence[str]
) -> str | None:
    """The warning for `env` judged not safe for `reason`, unless trusted by name."""
    if reason is None or trusted(env, holder, environ, extra):
        return None
    return f"not using {env}: {reason}; {TRUST_HINT} {trust_fix(env, environ)}"


def trust_fix(env: str, environ: Mapping[str, str]) -> str:
    """Where to list `env` to trust it, with the line that does it, quoted (suggest.py):
    PYRUN_TRUST, kept as it is and added to; the config file's `trust` list where
    PYRUN_TRUST cannot name the path (it holds `:`, the separator)."""
    # Imported here: install.sh loads this module by its path, standard library only,
    # for unsafe_reason before pyrun is installed; the messages are pyrun's own.
    from pyrun import suggest

    line = suggest.trust_export(env, environ.get(TRUST_VARIABLE, ""))
    if line is None:
        return (
            "`trust` in pyrun's config.toml (a path holding `:`, a backslash or a control "
            f"character cannot be written in {TRUST_VARIABLE})"
        )
    return f"{TRUST_VARIABLE} ({line})"


def _writers(mode: int) -> str:
    if mode & stat.S_IWGRP and mode & stat.S_IWOTH:
        return "its group and others"
    return "others" if mode & stat.S_IWOTH else "its group"


def version_file_problem(
    path: str, info: os.stat_result, environ: Mapping[str, str], extra: Sequence[str] = ()
) -> str | None:
    """Why the version file `path` (its stat `info`, from the opened file) must not be
    read, or None to read it: the `.venv` rule, since whoever writes the file chooses
    which Python `python` and `pip` run (version_file.py). The file stands where a
    `.venv` would: itself, the directory holding it and every one above (sticky
    allowed) are checked, a symlink as a `.venv` symlink is (link_reason), and
    PYRUN_TRUST may name either."""
    holder = os.path.dirname(path) or "/"
    reason = (
        link_reason(path)
        or _judged(path, info, False)
        or unsafe_reason(holder, holder=True)
        or above_reason(holder)
    )
    return _problem(path, holder, reason, environ, extra)
