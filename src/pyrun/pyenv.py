"""What a pyenv shim on PATH would run, read from pyenv's files instead of running it.

A pyenv shim is a script whose choice depends on the directory (``.python-version``),
so the fast path could never trust a record for it, and every ``python`` paid for a
query through pyenv (100 to 300 ms). pyenv's choice is plain data, though: this
follows pyenv's own rules (libexec/pyenv-version-name, -version-file,
-version-file-read, -which) to the interpreter under ``$PYENV_ROOT/versions``, which is
then looked up like any other. shims/shim.sh does the same with builtins. Anything
these rules do not settle (a version prefix such as ``3.11``, ``PYENV_DIR``) is left to
the old way, running the shim.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from pyrun import ownership, version_file
from pyrun.environment import executable, samefile


class Pick(Enum):
    """What pyenv's files say a pyenv shim would run."""

    USE = "use"  # the interpreter at Choice.path
    SKIP = "skip"  # pyenv runs the system's python here, or none of its versions has it
    UNKNOWN = "unknown"  # not settled by the files: ask the shim itself


@dataclass(frozen=True)
class Choice:
    outcome: Pick
    path: str | None = None
    why: str = ""


def root(environ: Mapping[str, str]) -> str:
    # Spelled as the shim spells it: ${PYENV_ROOT:-$HOME/.pyenv}.
    return environ.get("PYENV_ROOT") or environ.get("HOME", "") + "/.pyenv"


def is_shims_dir(directory: str, environ: Mapping[str, str]) -> bool:
    return samefile(directory, root(environ) + "/shims")


def _start_dir(environ: Mapping[str, str]) -> str | None:
    """pyenv's bash starts from PWD when it names the working directory, else getcwd."""
    pwd = environ.get("PWD", "")
    if pwd.startswith("/") and samefile(pwd, "."):
        return pwd
    try:
        return os.getcwd()
    except OSError:
        return None


def _version_file(environ: Mapping[str, str]) -> str:
    directory = _start_dir(environ)
    while directory:
        if os.path.isfile(directory + "/.python-version"):
            return directory + "/.python-version"
        directory = directory.rsplit("/", 1)[0]
        if not directory:
            if os.path.isfile("/.python-version"):
                return "/.python-version"
            break
    return root(environ) + "/version"


def _read_versions(path: str) -> list[str] | None:
    """The versions pyenv's file `path` names; None when it is no regular file or larger
    than a version file (version_file.MAX_BYTES: pyenv's own are a line or two), which
    is not followed: a FIFO or a sparse terabyte must not hang `python`. Opened without
    blocking and judged by fstat on the opened file, as shims/shim.c reads it."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # a device is not opened
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return []
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > version_file.MAX_BYTES:
            return None
        data = ownership.read_at_most(fd, version_file.MAX_BYTES)
    except OSError:
        return []
    finally:
        os.close(fd)
    if data is None:
        return None  # it grew after fstat
    lines = data.decode("utf-8", errors="surrogateescape").split("\n")
    versions = []
    for line in lines:
        # read's word splitting on the default IFS: spaces and tabs (a CR stays part of
        # the word, and the shim then leaves it to pyenv: pyenv itself strips it).
        word = re.split(r"[ \t]", line.lstrip(" \t"), maxsplit=1)[0]
        if not word or word.startswith("#") or word == ".." or "/" in word:
            continue
        versions.append(word)
    return versions


def choice(name: str, environ: Mapping[str, str]) -> Choice:
    if environ.get("PYENV_DIR"):
        return Choice(Pick.UNKNOWN, why="PYENV_DIR is set")
    wanted = environ.get("PYENV_VERSION", "")
    if wanted:
        versions = wanted.split(":")
        source = "PYENV_VERSION"
    else:
        source = _version_file(environ)
        read = _read_versions(source)
        if read is None:
            return Choice(
                Pick.SKIP,
                why=f"{source} is no regular file of at most {version_file.MAX_BYTES} bytes: "
                "pyenv's choice is not followed",
            )
        versions = read
    if not versions or versions == ["system"]:
        return Choice(Pick.SKIP, why=f"pyenv picks the system python ({source})")
    base = root(environ) + "/versions"
    for version in versions:
        if version == "system":
            return Choice(Pick.SKIP, why=f"pyenv picks the system python ({source})")
        if not os.path.isdir(f"{base}/{version}"):
            return Choice(Pick.UNKNOWN, why=f"pyenv version {version!r} needs pyenv to resolve")
        program = f"{base}/{version}/bin/{name}"
        if executable(program):
            return Choice(Pick.USE, program, why=f"pyenv {version} from {source}")
    return Choice(Pick.SKIP, why=f"no pyenv version from {source} has {name}")
