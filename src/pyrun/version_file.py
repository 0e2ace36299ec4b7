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
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pyrun import ancestors

NAMES = (".python-version", ".python-versions")
_VERSION = re.compile(r"3(?:\.([0-9]+)(?:\.[0-9]+)?)?")
_SPACE = " \t\n\r\v\f"


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


def _in(directory: str) -> str | None:
    for name in NAMES:
        path = (directory if directory != "/" else "") + "/" + name
        if os.path.isfile(path):
            return path
    return None


def find(environ: Mapping[str, str]) -> str | None:
    """The version file that applies in the working directory, or None. Walked by
    directory descriptor (ancestors.py), as the .venv step is: a working directory
    longer than PATH_MAX costs no getcwd and no lookup of its whole path per level."""
    try:
        cwd = ancestors.physical_cwd()
    except OSError:  # a deleted working directory: only the user's own file counts
        cwd = None
        levels: Iterator[ancestors.Level] = iter(())
    else:
        levels = ancestors.walk_up(cwd)
    for level in levels:
        for name in NAMES:
            if level.is_file(name):
                directory = level.resolved_path()
                if directory is None:
                    return None  # nothing can name it: the slow path's limit too
                return (directory if directory != "/" else "") + "/" + name
    home = global_dir(environ)
    return _in(home) if home else None


def parse_line(line: str) -> tuple[bool, str | None]:
    """(is a request, minor): `3.11.9` -> (True, "3.11"), `3` -> (True, None)."""
    match = _VERSION.fullmatch(line)
    if match is None:
        return False, None
    minor = match.group(1)
    if minor is None:
        return True, None
    return True, "3." + (minor.lstrip("0") or "0")  # uv reads 3.012 as 3.12


def read(path: str) -> Pin:
    """The request in one version file; an unreadable one asks for nothing. Bytes that
    are not UTF-8 are kept as they are, as the shells and the compiled shim see them."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return Pin(path, None, None)
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


def pin(environ: Mapping[str, str]) -> Pin | None:
    """The version file's request here, or None when no file applies."""
    path = find(environ)
    return read(path) if path else None
