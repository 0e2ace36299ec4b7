"""Which Python minor version a ``.python-version`` file asks for, read the way uv reads it.

pyenv users have these files in every project, and uv honours them: without reading
them, ``python`` in a project pinned to 3.11 would run whatever ``python3`` is first on
PATH, where ``uv run`` and pyenv both run 3.11. With the ``python_version_files``
setting on (the default), an unversioned shim (python, python3, pip, pip3, a console
script) asks for the file's version exactly as ``python3.11`` asks for 3.11: an
environment counts only when it is that minor version, and PATH is searched for
``python3.11``, ``python3``, ``python`` in each directory (request.py). A shim that
names its version keeps it: the file never overrides ``python3.12``.

uv's reading (crates/uv-python/src/version_files.rs, ``uv python find``):

* the nearest ``.python-version``, else ``.python-versions``, in the working directory
  (the physical one) or any parent; when there is none, the same two names in uv's
  user config directory (``$XDG_CONFIG_HOME/uv``, else ``~/.config/uv``), which
  ``uv python pin --global`` writes;
* lines, trimmed of white space, with comment lines (``#``) and blank ones left out;
  the first line that is a request wins, and a line uv would take for an executable's
  name (``system``, a pyenv-virtualenv name) is skipped.

pyrun reads a line as a request only when it is ``3``, ``3.Y`` or ``3.Y.Z`` (digits;
``3.012`` is 3.12, as uv reads it); any other line (one uv reads too, such as
``>=3.11``, ``3.13t``, ``pypy3.10``, a path) is skipped like an executable name, and
``3.Y.Z`` asks for the minor version 3.Y (uv wants that exact patch release). These are
deliberate differences, in the README's uv table, and so is the walk going up to ``/``
inside a uv project (uv stops at the workspace root). shims/shim.sh, shims/shim.c and
the four shell hooks read the files with these same rules;
tests/test_version_file.py holds them to this module.

Whoever writes the file chooses which Python ``python`` and ``pip`` run, so a version
file counts only under the rule a ``.venv`` is held to (ownership.py): it and the
directory holding it are the user's or root's and nobody else can write them (the
directory may be sticky, like /tmp), unless PYRUN_TRUST names it. One that does not
pass, one that is no regular file (a FIFO, a device, a directory: uv and pyenv skip
those too) and one larger than MAX_BYTES are skipped with a warning, as if absent: the
walk goes on to the directories above and uv's global file, as it goes on past a
skipped ``.venv``, so a file someone else plants has no effect at all. A file is
opened without blocking (O_NONBLOCK, then fstat of the opened file: a FIFO swapped in
meanwhile is refused, not waited on) and read up to MAX_BYTES.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pyrun import ancestors, ownership

NAMES = (".python-version", ".python-versions")
_VERSION = re.compile(r"3(?:\.([0-9]+)(?:\.[0-9]+)?)?")
_SPACE = " \t\n\r\v\f"
# The most a version file may hold (one line, some comments): a larger one is skipped.
# shims/shim.c (PIN_MAX_BYTES) and shims/shim.sh (pyrun_pin_max) have the same figure.
MAX_BYTES = 4096


@dataclass(frozen=True)
class Pin:
    path: str  # the file read
    minor: str | None  # "3.11", or None when the file asks for no minor version
    line: str | None  # the line that asked, or None when no line did
    skipped: tuple[str, ...] = ()  # lines read and not taken as a request

    def describe(self) -> str:
        if self.line is None:
            return f"{self.path} asks for no version pyrun reads"
        if self.minor is None:
            return f"{self.path} asks for {self.line!r}: any Python 3"
        return f"{self.path} asks for Python {self.minor}"


def global_dir(environ: Mapping[str, str]) -> str | None:
    """uv's user config directory, where ``uv python pin --global`` writes."""
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg.startswith("/"):
        return xdg + "/uv"
    home = environ.get("HOME", "")
    return home + "/.config/uv" if home.startswith("/") else None


def _in(directory: str) -> Iterator[str]:
    """The version files in `directory` that exist (a link to nothing does not), in the
    order they are tried."""
    for name in NAMES:
        path = (directory if directory != "/" else "") + "/" + name
        if os.path.exists(path):
            yield path


def candidates(environ: Mapping[str, str]) -> Iterator[str]:
    """The version files that may apply in the working directory, nearest first: the
    physical working directory and each parent, then uv's global directory. Walked as
    the .venv step is (ancestors.py): a working directory longer than PATH_MAX costs no
    getcwd and no lookup of its whole path per level."""
    try:
        cwd = ancestors.physical_cwd()
    except OSError:  # a deleted working directory: only the user's own file counts
        levels: Iterator[ancestors.Level] = iter(())
    else:
        levels = ancestors.walk_up(cwd)
    for level in levels:
        for name in NAMES:
            if level.exists(name):  # a link to nothing does not
                directory = level.resolved_path()
                if directory is None:
                    return  # nothing can name it: the slow path's limit too
                yield (directory if directory != "/" else "") + "/" + name
    home = global_dir(environ)
    if home:
        yield from _in(home)


def parse_line(line: str) -> tuple[bool, str | None]:
    """(is a request, minor): `3.11.9` -> (True, "3.11"), `3` -> (True, None)."""
    match = _VERSION.fullmatch(line)
    if match is None:
        return False, None
    minor = match.group(1)
    if minor is None:
        return True, None
    return True, "3." + (minor.lstrip("0") or "0")  # uv reads 3.012 as 3.12


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _odd(path: str, info: os.stat_result) -> str | None:
    """Why the file `path` (its stat `info`) is not read at all, or None."""
    if not stat.S_ISREG(info.st_mode):
        return f"not reading {path}: it is {_kind(info.st_mode)}, not a version file"
    return _too_large(path) if info.st_size > MAX_BYTES else None


def _too_large(path: str) -> str:
    return f"not reading {path}: it is larger than a version file ({MAX_BYTES} bytes at most)"


def load(
    path: str, environ: Mapping[str, str], trust: Sequence[str] = ()
) -> tuple[Pin | None, str | None]:
    """(the request in `path`, None) when the file counts; (None, the warning) when it is
    skipped; (None, None) when it is gone meanwhile. The checks judge the opened file
    (fstat), which is then what is read; a device is refused before it is opened."""
    try:
        odd = _odd(path, os.stat(path))
    except OSError:
        return None, None
    if odd is not None:
        return None, odd
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        # Unreadable: asks for nothing, unless it is someone else's (then it is skipped).
        try:
            problem = ownership.version_file_problem(path, os.stat(path), environ, trust)
        except OSError:
            return None, None
        return (None, problem) if problem else (Pin(path, None, None), None)
    try:
        info = os.fstat(fd)
        problem = _odd(path, info) or ownership.version_file_problem(path, info, environ, trust)
        if problem is not None:
            return None, problem
        data = _read_fd(fd)
    except OSError:
        return Pin(path, None, None), None
    finally:
        os.close(fd)
    if data is None:  # it grew after fstat
        return None, _too_large(path)
    return parse(path, data), None


def _read_fd(fd: int) -> bytes | None:
    """At most MAX_BYTES from `fd`, or None when there is more."""
    return ownership.read_at_most(fd, MAX_BYTES)


def read(path: str) -> Pin:
    """The request in one version file, whoever owns it; an unreadable, odd or oversized
    one asks for nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return Pin(path, None, None)
    try:
        data = None if _odd(path, os.fstat(fd)) else _read_fd(fd)
    except OSError:
        data = None
    finally:
        os.close(fd)
    return Pin(path, None, None) if data is None else parse(path, data)


def parse(path: str, data: bytes) -> Pin:
    """The request in a version file's bytes. Bytes that are not UTF-8 are kept as they
    are, as the shells and the compiled shim see them."""
    text = data.decode("utf-8", errors="surrogateescape")
    skipped = []
    for line in text.split("\n"):
        line = line.strip(_SPACE)
        if not line or line.startswith("#"):
            continue
        is_request, minor = parse_line(line)
        if is_request:
            return Pin(path, minor, line, tuple(skipped))
        skipped.append(line)
    return Pin(path, None, None, tuple(skipped))


def pin(environ: Mapping[str, str], trust: Sequence[str] = ()) -> tuple[Pin | None, list[str]]:
    """The version file's request here (None when no file applies), and a warning for
    each file skipped on the way (config.toml's trust list is `trust`)."""
    warnings: list[str] = []
    for path in candidates(environ):
        found, warning = load(path, environ, trust)
        if warning is not None:
            warnings.append(warning)
        if found is not None:
            return found, warnings
    return None, warnings
