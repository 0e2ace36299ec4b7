"""The name the prompt shows for the environment `python` resolves to.

The hooks compute it again with their shell's builtins (shell/README.md is the
contract); this is the reference they are tested against, printed by
``pyrun which --json`` as ``label``. Read as text, never run: nothing found in a
directory is executed to learn its name. It needs only where the environment came
from and where it is, not the resolver, which uses `inert` from here for its warnings.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from pyrun.sources import Source

MAX_CFG_BYTES = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Control characters (newline, ESC, DEL, C1) removed: what a prompt may show."""
    return _CONTROL.sub("", text)


def cfg_prompt(env: Path) -> str | None:
    """The ``prompt =`` of a pyvenv.cfg, quotes that venv adds removed."""
    raw = _read_small(env / "pyvenv.cfg")
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "prompt":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            return value or None
    return None


def _read_small(path: Path) -> bytes | None:
    """The bytes of a regular file of at most MAX_CFG_BYTES, else None. Opened without
    blocking and checked after opening, so a FIFO or a huge (sparse) file put there
    costs nothing: the prompt must never hang on what a directory holds."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CFG_BYTES:
            return None
        chunks = []
        left = MAX_CFG_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= MAX_CFG_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def env_label(env: Path) -> str:
    prompt = cfg_prompt(env)
    if prompt is not None:
        return inert(prompt)
    if env.name == ".venv":
        return inert(env.parent.name or "/")
    return inert(env.name or "/")


def for_environment(kind: str, env: Path) -> str:
    """The label of `env`, by a resolution's kind (``isolated`` or its source's value)."""
    if kind == "isolated":  # its isolated environment, named cpython-3.X-<hash>
        minor = env.name.split("-")[1:2]
        return f"pyrun {minor[0]}" if minor else "pyrun"
    if kind == Source.CONDA_PREFIX.value:
        return inert(env.name or "/")
    return env_label(env)
