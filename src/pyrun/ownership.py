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
* the directory *holding* a `.venv` may be writable by others when it has the sticky
  bit (like /tmp): then nobody else can rename or replace the `.venv` inside it;
* ``PYRUN_TRUST`` lists what to use anyway, separated by ``:``: a `.venv`'s path or
  the path of the directory holding it, ``DIR/*`` for everything below DIR, or ``*``
  for everything (git's ``safe.directory = *``). The config file's ``trust`` list
  (config.py) adds to it: the shims and hooks get it baked in when they are made.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence

TRUST_VARIABLE = "PYRUN_TRUST"
# How a skipped environment's warning goes on after the reason (`pyrun doctor` splits
# the warning there into the problem and its fix).
TRUST_HINT = f"to use it anyway, add it to {TRUST_VARIABLE}"


def unsafe_reason(path: str, *, holder: bool = False) -> str | None:
    """Why `path` (a directory, symlinks followed) is not safe to take programs from.

    None when it is safe or cannot be examined (a path that does not exist is the
    caller's business: it is reported where it is used).
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    if info.st_uid not in (os.geteuid(), 0):
        return f"{path} is owned by uid {info.st_uid}, not by you (uid {os.geteuid()}) or root"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if holder and info.st_mode & stat.S_ISVTX:
            return None
        return f"{path} is writable by {_writers(info.st_mode)}"
    return None


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


def dot_venv_problem(env: str, environ: Mapping[str, str], extra: Sequence[str] = ()) -> str | None:
    """Why the found environment `env` must not be used, or None to use it.

    `env` is an absolute, normalised path (a `.venv`, or the environment the working
    directory is inside of); the directory holding it is checked too.
    """
    holder = os.path.dirname(env) or "/"
    reason = unsafe_reason(env) or unsafe_reason(holder, holder=True)
    if reason is None or trusted(env, holder, environ, extra):
        return None
    return f"not using {env}: {reason}; {TRUST_HINT} (export {TRUST_VARIABLE}={env})"


def _writers(mode: int) -> str:
    if mode & stat.S_IWGRP and mode & stat.S_IWOTH:
        return "its group and others"
    return "others" if mode & stat.S_IWOTH else "its group"
