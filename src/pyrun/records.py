"""The fast-path index: which isolated environment belongs to a base interpreter path.

A record is one line in a file at ``$data/by-path/<absolute path>``:

* ``env <dir>``: the interpreter at that path has the isolated environment <dir>;
  valid while <dir> is complete and the path resolves to the same file as
  ``<dir>/bin/python``.
* ``skip <file>``: the path is not a usable Python 3 (a Python 2, a broken wrapper,
  another pyrun's shim); valid while the path resolves to the same file as <file>.

The shim reads it with ``read`` and checks it with ``test -ef``: no process. Records
are written atomically, so a reader sees the old line or the new one.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from pyrun.environment import samefile
from pyrun.errors import disk_error
from pyrun.paths import Paths

COMPLETE_MARKER = ".pyrun-complete"


@dataclass(frozen=True)
class Record:
    kind: str  # "env" or "skip"
    target: Path


def read_raw(paths: Paths, candidate: str) -> Record | None:
    """The record for `candidate` as written, whether or not it still holds: what that
    path ran when it was last resolved (the slow path reads it to notice an environment
    left behind by an upgraded, moved or deleted base interpreter)."""
    return _parse(paths.record_for(candidate))


def _parse(record: Path) -> Record | None:
    try:
        with open(record, encoding="utf-8", errors="surrogateescape") as handle:
            line = handle.readline().rstrip("\n")
    except OSError:
        return None
    if line.startswith("env "):
        return Record("env", Path(line[4:]))
    if line.startswith("skip "):
        return Record("skip", Path(line[5:]))
    return None


def by_env(paths: Paths) -> dict[Path, list[Path]]:
    """Every record file, in both indexes, that names an environment, by environment."""
    found: dict[Path, list[Path]] = {}
    for index in paths.indexes:
        for dirpath, _dirnames, filenames in os.walk(index):
            for name in filenames:
                if name.startswith("."):  # a record being written
                    continue
                record = Path(dirpath) / name
                parsed = _parse(record)
                if parsed is not None and parsed.kind == "env":
                    found.setdefault(parsed.target, []).append(record)
    return found


def read_valid(paths: Paths, candidate: str) -> Record | None:
    record = read_raw(paths, candidate)
    if record is None:
        return None
    if record.kind == "env":
        env = record.target
        if (env / COMPLETE_MARKER).is_file() and samefile(candidate, env / "bin" / "python"):
            return record
    elif samefile(candidate, record.target):
        return record
    return None


def write(paths: Paths, candidate: str, kind: str, target: str | os.PathLike[str]) -> None:
    """Record `kind target` for `candidate`, or raise a one-line PyrunError.

    On a full or read-only disk nothing is left behind: the temporary file goes, and
    the old record (if any) stays whole.
    """
    record = paths.record_for(candidate)
    paths.make(record.parent)
    tmp = record.with_name(f".{record.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(f"{kind} {os.fspath(target)}\n", encoding="utf-8", errors="surrogateescape")
        os.replace(tmp, record)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise disk_error(f"write the record {record}", exc) from None
