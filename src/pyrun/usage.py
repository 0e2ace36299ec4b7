"""How big each isolated environment is and when it was last used, for list and gc.

Why: ``pyrun list`` shows what the cached environments cost, and ``pyrun gc --days N``
removes the ones nobody used for N days. Both build on inventory.py (which
environments exist, their base's state, their packages) and add what it has no need
of: size on disk, last use, and which environment ``python`` runs here.

*Last use* cannot be a stamp pyrun writes: the shims start no process and write
nothing on their fast path. What every start leaves behind is CPython reading
``<env>/pyvenv.cfg``, so that file's access time is the signal. Most Linux systems
mount with ``relatime``, which updates an access time at most once a day (or on the
first read after a write): last use is good to a day, no finer. Where access times
are not kept (``noatime``), the newest of the completion marker's mtime (creation)
and the mtimes of the by-path records naming the environment (written each time the
slow path settles a base interpreter on it) stand in, so last use is never older
than those. Nothing here reads ``pyvenv.cfg`` (only ``stat``), so looking does not
count as using.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pyrun import inventory, records
from pyrun.errors import PyrunError
from pyrun.inventory import IsolatedEnv
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER

DAY = 86400.0


@dataclass
class Entry:
    """One directory under envs/: a complete environment (`env`) or an incomplete one,
    left by a creation that was killed (or one under way right now)."""

    path: Path
    env: IsolatedEnv | None
    size: int
    last_use: float
    records: list[Path] = field(default_factory=list)  # by-path records naming it

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def state(self) -> str:
        return self.env.state if self.env is not None else "incomplete"

    def days_unused(self, now: float) -> int:
        return max(0, int((now - self.last_use) // DAY))


def survey(paths: Paths) -> list[Entry]:
    """Every directory under envs/, complete ones and leftovers, by name."""
    named = records_by_env(paths)
    entries = [
        Entry(env.path, env, disk_size(env.path), 0.0, named.get(env.path, []))
        for env in inventory.scan(paths)
    ]
    entries += [
        Entry(path, None, disk_size(path), 0.0, named.get(path, []))
        for path in inventory.leftovers(paths)
    ]
    for entry in entries:
        entry.last_use = last_use(entry.path, entry.records)
    return sorted(entries, key=lambda entry: entry.name)


def disk_size(root: Path) -> int:
    """Bytes allocated under `root` (``du``'s answer), symlinks not followed (bin/python
    leads to the base, which is not the environment's) and hard links counted once."""
    try:
        total = _allocated(os.lstat(root))
    except OSError:
        return 0
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            try:
                info = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            if info.st_nlink > 1 and not stat.S_ISDIR(info.st_mode):
                if (info.st_dev, info.st_ino) in seen:
                    continue
                seen.add((info.st_dev, info.st_ino))
            total += _allocated(info)
    return total


def _allocated(info: os.stat_result) -> int:
    blocks = getattr(info, "st_blocks", None)
    return blocks * 512 if blocks is not None else info.st_size


def records_by_env(paths: Paths) -> dict[Path, list[Path]]:
    """The records (records.py, both indexes) that name each environment."""
    return records.by_env(paths)


def last_use(env: Path, records: list[Path]) -> float:
    """Epoch seconds: pyvenv.cfg's access time, or what stands in for it (above)."""
    times = [_stat(env / "pyvenv.cfg", "st_atime"), _stat(env / COMPLETE_MARKER, "st_mtime")]
    times += [_stat(record, "st_mtime") for record in records]
    known = [moment for moment in times if moment is not None]
    return max(known) if known else _stat(env, "st_mtime") or 0.0


def _stat(path: Path, what: str) -> float | None:
    try:
        return float(getattr(os.stat(path), what))
    except OSError:
        return None


def resolved_here(paths: Paths) -> Path | None:
    """The isolated environment `python` runs in the working directory, if any; never
    created, nothing printed (an error here only means there is none to spare)."""
    from pyrun.discovery import resolve
    from pyrun.request import Request

    try:
        resolution = resolve(Request.parse("python"), paths, create=False)
    except PyrunError:
        return None
    return resolution.environment if resolution.kind == "isolated" else None


def running_programs() -> list[tuple[int, list[str]]]:
    """(pid, first two words of the command line) of every process we may read."""
    import psutil  # only gc asks: not on any common path

    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        pid = int(process.info["pid"])
        words = process.info.get("cmdline") or []
        if pid != os.getpid() and words:
            found.append((pid, [str(word) for word in words[:2]]))
    return found


def started_from(env: Path, running: list[tuple[int, list[str]]]) -> int | None:
    """The pid of a running program started from `env`, or None: its interpreter, or
    a script in it (``pip``, a console script run through its shebang), is the first
    or second word of the command line, as a shim execs it.

    Why: a program keeps importing from its environment while it runs; removing that
    under a long-running service would break it at its next import.
    """
    inside = str(env) + os.sep
    for pid, words in running:
        if any(word == str(env) or word.startswith(inside) for word in words):
            return pid
    return None


# -- how it is shown -------------------------------------------------------------------


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    if unit == "B":
        return f"{size} B"
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


def ago(moment: float, now: float | None = None) -> str:
    """ "today", "yesterday", "3 days ago": the granularity last use has."""
    days = max(0, int(((time.time() if now is None else now) - moment) // DAY))
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def iso(moment: float) -> str:
    """ISO 8601 in UTC, to the second."""
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
