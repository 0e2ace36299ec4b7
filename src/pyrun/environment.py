"""What is inside an environment directory, judged exactly as the shim judges it.

The shim can only use ``test -x``/``test -f``; these helpers use the same tests
(``os.access`` follows symlinks as ``-x`` does) so that both sides agree on which
environments are healthy and which program runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pyrun import compiled
from pyrun.request import Request

SHIM_MARKER = b"# pyrun-shim"


def executable(path: str | os.PathLike[str]) -> bool:
    """``[ -x path ]``."""
    return os.access(path, os.X_OK)


def executable_file(path: str | os.PathLike[str]) -> bool:
    """``[ -f path ] && [ -x path ]``."""
    return os.path.isfile(path) and os.access(path, os.X_OK)


def is_pyrun_shim(path: str | os.PathLike[str]) -> bool:
    """Whether a file is a pyrun shim (ours or another installation's); read, never run."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    if head.startswith(b"#!"):
        return SHIM_MARKER in head
    return head.startswith(b"\x7fELF") and compiled.is_compiled_shim(path)


def samefile(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """``[ a -ef b ]``: false when either side does not exist."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@dataclass(frozen=True)
class EnvHealth:
    """``ok``: an interpreter runs; ``broken``: it is an environment whose interpreter is
    missing or dangling; ``missing``: nothing that looks like an environment is there."""

    state: str
    python: Path | None


def health(prefix: Path) -> EnvHealth:
    for name in ("python3", "python"):
        if executable(prefix / "bin" / name):
            return EnvHealth("ok", prefix / "bin" / name)
    looks_like_env = (prefix / "pyvenv.cfg").is_file() or any(
        os.path.islink(prefix / "bin" / name) for name in ("python3", "python")
    )
    return EnvHealth("broken" if looks_like_env else "missing", None)


def has_minor(prefix: Path, minor: str | None) -> bool:
    return minor is None or executable(prefix / "bin" / f"python{minor}")


def program_in(prefix: Path, request: Request) -> tuple[list[str], bool] | None:
    """The argv prefix that runs `request` inside a healthy environment, and whether it
    still needs the shared pip's path appended.

    None means the environment lacks the exact file a python request names. A pip
    request in an environment without pip runs the shared pip with the environment's
    own interpreter, so pip installs into that environment.
    """
    for name in request.env_names:
        candidate = prefix / "bin" / name
        if executable(candidate):
            return [str(candidate)], False
    if request.kind == "pip":
        python = prefix / "bin" / "python3"
        if not executable(python):
            python = prefix / "bin" / "python"
        return [str(python)], True
    return None
