"""What a hook is told about the directory it is in: the resolver's answer as lines.

The hooks do not walk (issue [2/5]): on a change they run the shim binary under the
name ``pyrun-resolve`` (shims.RESOLVER), which prints these lines itself when it is
sure and hands over to this module (``pyrun _shim pyrun-resolve REASON``) when it is
not: an untrusted ``.venv``, a broken environment, a base interpreter with no record
yet. Both print the same format, so a hook cannot tell which answered; shell/README.md
is the contract. Nothing is created here: the answer is `which`'s (create=False).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from pyrun import label, shims
from pyrun.discovery import DiscoveryError, resolve
from pyrun.errors import PyrunError
from pyrun.paths import Paths
from pyrun.request import Request
from pyrun.sources import Outcome, Source

# The kind and label of an environment that is there but cannot run: every `python`
# there is an error until it is fixed, and the prompt says so.
_BROKEN = {
    Source.DOT_VENV: (".venv", "broken .venv"),
    Source.VIRTUAL_ENV: ("VIRTUAL_ENV", "broken VIRTUAL_ENV"),
    Source.CONDA_PREFIX: ("CONDA_PREFIX", "broken CONDA_PREFIX"),
}
NONE = ("none", "no python")


def marker(paths: Paths) -> str:
    """The generation marker the hooks test at each prompt, or "" when there is none."""
    try:
        token = (paths.shims / shims.GENERATION).read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    if not token or not token.isalnum() or not token.isascii():
        return ""
    return f"{paths.shims / shims.GENERATION}.{token}"


_ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def note_version(paths: Paths, candidate: str, env: Path, base: str) -> None:
    """Remember, for the next prompt, which isolated environment the base interpreter
    at `candidate` will get: ``<env name> <base>``, valid while `candidate` is the same
    file as `base`, the binary it ran (so, as with a record, a wrapper script such as
    a pyenv shim, which runs another binary per directory, is never remembered). Only
    this question writes it and only the hooks' question reads it (shim.c and shim.sh
    in resolve mode), so it changes no answer: without it the shim hands the question
    here again, which runs the interpreter to learn its version (0.1-0.5 s a prompt)
    until the first `python` makes the record. A cache: a failure to write it is
    ignored."""
    if not _ENV_NAME.fullmatch(env.name):
        return
    note = paths.version_note_for(candidate)
    tmp = note.with_name(f".{note.name}.{os.getpid()}.tmp")
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(f"{env.name} {base}\n".encode("utf-8", "surrogateescape"))
        os.replace(tmp, note)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def lines(paths: Paths, environ: Mapping[str, str] | None = None) -> list[str]:
    """The answer for the working directory, one ``key=value`` per line."""
    warnings: list[str] = []
    try:
        resolution = resolve(Request.for_shim("python"), paths, environ, create=False)
    except DiscoveryError as exc:
        failed = [step.source for step in exc.trail if step.outcome is Outcome.ERROR]
        kind, name = _BROKEN.get(failed[-1], NONE) if failed else NONE
    except PyrunError as exc:  # a bad setting: the prompt says nothing runs, and why
        kind, name = NONE
        warnings.append(exc.message)
    else:
        kind = resolution.kind
        name = label.for_environment(resolution.kind, resolution.environment)
        warnings += resolution.warnings
        # A base the binary could not settle (no record for this path yet, or none
        # that holds): noted, so that the next prompt's question is the binary's.
        if resolution.isolated and resolution.found_at and resolution.base:
            note_version(paths, resolution.found_at, resolution.environment, resolution.base)
    out = [f"kind={kind}", f"label={label.inert(name)}", f"shims={label.inert(marker(paths))}"]
    out += [f"warning=pyrun: {label.inert(warning)}" for warning in warnings]
    return out
