"""Pythons that uv or pyenv installed where PATH does not reach: the walk's last step.

``uv python install 3.13`` unpacks CPython under uv's data directory, and pyenv keeps
its builds under ``$PYENV_ROOT/versions``; neither is on PATH unless a shim or a link
puts it there. A version file asking for 3.13 (or a ``python3.13`` shim) should find
them, as ``uv python find`` and pyenv would, instead of failing. They come after PATH,
not before it as in uv (whose default ``python-preference`` is ``managed``): what PATH
offers is the user's explicit choice, and it is what every shim's fast path reads
first. The shims list the same directories the same way (shims/shim.c
``installed_pythons``, shims/shim.sh ``pyrun_installed``); tests/test_agreement.py
holds the three to one answer.

Only final CPython releases count: uv's ``cpython-3.X.Y-<platform>`` directories
(a free-threaded or debug build, ``cpython-3.13.0+freethreaded-...``, and the
``cpython-3.X-<platform>`` link uv keeps to the newest patch are left out) and
pyenv's ``3.X.Y``, numbers without leading zeros. Each directory offers one
interpreter, its newest release of the version asked for (of any 3.X when none is):
uv's, then pyenv's. Two of one release (uv's for two platforms) go by the name that
sorts first in bytes, so that every copy picks the same.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pyrun import pyenv

_NUMBER = r"(0|[1-9][0-9]?)"
_UV_NAME = re.compile(rf"cpython-3\.{_NUMBER}\.{_NUMBER}-[^+]*")
_PYENV_NAME = re.compile(rf"3\.{_NUMBER}\.{_NUMBER}")


def uv_dir(environ: Mapping[str, str]) -> str | None:
    """Where ``uv python install`` puts Pythons: UV_PYTHON_INSTALL_DIR, else uv's data
    directory (``$XDG_DATA_HOME/uv/python``, else ``~/.local/share/uv/python``)."""
    chosen = environ.get("UV_PYTHON_INSTALL_DIR", "")
    if chosen:
        return chosen if chosen.startswith("/") else None
    data = environ.get("XDG_DATA_HOME", "")
    if data.startswith("/"):
        return data + "/uv/python"
    home = environ.get("HOME", "")
    return home + "/.local/share/uv/python" if home.startswith("/") else None


def pyenv_dir(environ: Mapping[str, str]) -> str | None:
    """pyenv's builds, under its root as its shims spell it (pyenv.root)."""
    root = pyenv.root(environ)
    return root + "/versions" if root.startswith("/") else None


def candidates(environ: Mapping[str, str], minor: str | None) -> list[str]:
    """The interpreters to try, in order: ``<dir>/<name>/bin/python3.X`` of the newest
    release of `minor` (of any 3.X when None) in uv's directory, then in pyenv's."""
    found = []
    for directory, pattern in _directories(environ):
        best = _newest(directory, pattern, minor)
        if best is not None:
            found.append(best)
    return found


def minors(environ: Mapping[str, str]) -> list[str]:
    """Every minor version uv or pyenv installed here, oldest first: what the "no Python
    found" error names when the version asked for is not among them."""
    found = {
        int(match[1])
        for directory, pattern in _directories(environ)
        for match in _releases(directory, pattern)
    }
    return [f"3.{y}" for y in sorted(found)]


def _directories(environ: Mapping[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    """uv's directory, then pyenv's, each with the names of the releases it holds."""
    pairs = ((uv_dir(environ), _UV_NAME), (pyenv_dir(environ), _PYENV_NAME))
    return [(directory, pattern) for directory, pattern in pairs if directory is not None]


def _releases(directory: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [match for match in map(pattern.fullmatch, names) if match is not None]


def _newest(directory: str, pattern: re.Pattern[str], minor: str | None) -> str | None:
    releases = [
        # newest first; of one release, the name first in bytes
        (-int(match[1]), -int(match[2]), os.fsencode(match[0]), match[1], match[0])
        for match in _releases(directory, pattern)
        if minor is None or f"3.{match[1]}" == minor
    ]
    if not releases:
        return None
    *_, y, name = min(releases)
    return f"{directory}/{name}/bin/python3.{y}"
