"""``pyrun list [--json]``: the cached isolated environments and what each one costs.

Why: they pile up, one per base interpreter ever used, out of sight under the data
directory; this shows each one's base, version, whether that base is still there
(``same``, ``gone``, ``changed``: inventory.py), size on disk, package count and last
use (usage.py says what that means and how fine it is), so the user can see what
``pyrun gc`` would take. An environment whose creation was killed has no marker; it
is listed as ``incomplete`` (it takes disk space, and ``pyrun gc`` removes it) rather
than hidden. Nothing is created, run or written.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pyrun import usage
from pyrun.label import inert
from pyrun.paths import Paths
from pyrun.usage import Entry

HEADER = ("NAME", "PYTHON", "STATE", "SIZE", "PACKAGES", "LAST USE", "BASE")


def run(as_json: bool) -> int:
    paths = Paths.from_env()
    entries = usage.survey(paths)
    here = usage.resolved_here(paths) if entries else None
    now = time.time()
    if as_json:
        print(json.dumps([as_object(entry, here, now) for entry in entries], indent=2))
        return 0
    if not entries:
        print(f"pyrun: no isolated environments yet (the first `python` makes one in {paths.envs})")
        return 0
    rows = [HEADER, *(_row(entry, here, now) for entry in entries)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]
        print("  ".join(cells))
    total = usage.human_size(sum(entry.size for entry in entries))
    count = f"{len(entries)} environment{'s' if len(entries) != 1 else ''}"
    star = ", * = what `python` runs here" if here in [entry.path for entry in entries] else ""
    print(f"{count}, {total}, in {inert(str(paths.envs))}{star}")
    return 0


def _row(entry: Entry, here: Path | None, now: float) -> tuple[str, ...]:
    env = entry.env
    mark = "* " if entry.path == here else "  "
    if env is None:
        minor = entry.name.split("-")[1] if entry.name.count("-") == 2 else "?"
        return (mark + inert(entry.name), minor, "incomplete", usage.human_size(entry.size),
                "-", usage.ago(entry.last_use, now), "-")  # fmt: skip
    return (
        mark + inert(entry.name),
        env.version,
        env.state,
        usage.human_size(entry.size),
        str(len(env.packages())),
        usage.ago(entry.last_use, now),
        inert(env.base),
    )


def as_object(entry: Entry, here: Path | None, now: float) -> dict[str, Any]:
    """Stable keys; sizes in bytes, times as ISO 8601 UTC and as epoch seconds; null
    where an incomplete environment has nothing to say."""
    env = entry.env
    created = env.marker.get("created") if env is not None else None
    return {
        "name": entry.name,
        "path": str(entry.path),
        "state": entry.state,
        "why": env.why
        if env is not None
        else "no completion marker: its creation was killed (or is under way)",
        "base": env.base if env is not None else None,
        "found_at": env.found_at if env is not None else None,
        "implementation": env.implementation if env is not None else None,
        "version": env.version if env is not None else None,
        "size": entry.size,
        "packages": len(env.packages()) if env is not None else None,
        "created": usage.iso(float(created)) if isinstance(created, (int, float)) else None,
        "created_epoch": int(created) if isinstance(created, (int, float)) else None,
        "last_use": usage.iso(entry.last_use),
        "last_use_epoch": int(entry.last_use),
        "days_unused": entry.days_unused(now),
        "here": entry.path == here,
    }
