"""The name the prompt shows for the environment `python` resolves to.

The hooks compute it again with their shell's builtins (shell/README.md is the
contract); this is the reference they are tested against, printed by
``pyrun which --json`` as ``label``. Read as text, never run: nothing found in a
directory is executed to learn its name. It needs only where the environment came
from and where it is, not the resolver, which uses `inert` from here for its warnings.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyrun.sources import Source

MAX_CFG_BYTES = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Control characters (newline, ESC, DEL, C1) removed: what a prompt may show."""
    return _CONTROL.sub("", text)


def cfg_prompt(env: Path) -> str | None:
    """The ``prompt =`` of a pyvenv.cfg, quotes that venv adds removed."""
    cfg = env / "pyvenv.cfg"
    try:
        if cfg.stat().st_size > MAX_CFG_BYTES:
            return None
        text = cfg.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "prompt":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            return value or None
    return None


def env_label(env: Path) -> str:
    prompt = cfg_prompt(env)
    if prompt is not None:
        return inert(prompt)
    if env.name == ".venv":
        return inert(env.parent.name or "/")
    return inert(env.name or "/")


def for_environment(source: Source, env: Path) -> str:
    """The label of `env`, found by step `source` (a resolution's source and environment)."""
    if source.is_base:  # its isolated environment, named cpython-3.X-<hash>
        minor = env.name.split("-")[1:2]
        return f"pyrun {minor[0]}" if minor else "pyrun"
    if source is Source.CONDA_PREFIX:
        return inert(env.name or "/")
    return env_label(env)
