"""``pyrun gc [--days N] [--dry-run]``: remove isolated environments that are of no use.

Why: one environment is cached per base interpreter ever used, and none goes away by
itself. By default gc removes those that can no longer run, their base interpreter
``gone`` or ``changed`` (inventory.py), and ``incomplete`` ones, left by a killed
creation (the next use would rebuild them anyway). With ``--days N`` it also removes
those unused for N days (usage.py: last use, to a day). There is no default age:
an environment holds what the user installed, and a cache that empties itself
unasked is a surprise.

What is never removed: the environment ``python`` runs in the working directory, one
a running program was started from (its command line names a file in it), and one
whose lock another pyrun holds (creating or using it): each gets a "kept" line. Only
directories directly inside ``envs/`` and records inside ``by-path/`` are deleted.

Nothing installed is lost: before an environment goes, its package list is saved and
copied to ``$data/saved/<name>.json`` (inventory.keep), where ``pyrun repair`` and
the slow path find it (stale.py). The removal holds the environment's creation lock
(the one isolated.ensure takes), so no shim is making it at the same time, and goes
in the order that keeps every reader safe: the records naming it (the fast path stops
trusting it), its marker (it is incomplete to everyone), then the directory.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from pathlib import Path

from pyrun import inventory, usage
from pyrun.errors import PyrunError, disk_error
from pyrun.label import inert
from pyrun.lock import exclusive, holder
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER
from pyrun.usage import Entry

LOCK_WAIT = 1.0  # seconds; a lock held longer means someone is busy with it: keep it


class Kept(Exception):
    """Not removed, for a reason that is no failure (another pyrun is busy with it)."""


def run(days: int | None, dry_run: bool) -> int:
    paths = Paths.from_env()
    paths.ensure_safe()  # what is in there may be someone else's choice
    now = time.time()
    entries = usage.survey(paths)
    chosen = [(entry, why) for entry in entries if (why := reason(entry, days, now))]
    if not chosen:
        print(f"pyrun: nothing to remove among {_count(len(entries))}{_hint(days)}")
        return 0
    here = usage.resolved_here(paths)
    running = usage.running_programs()
    failed = False
    removed: list[Entry] = []
    for entry, why in chosen:
        name = inert(entry.name)
        if entry.path == here:
            print(f"pyrun: kept {name} ({why}): `python` runs it here")
            continue
        pid = usage.started_from(entry.path, running)
        if pid is not None:
            print(f"pyrun: kept {name} ({why}): a running program uses it (pid {pid})")
            continue
        if dry_run:
            listed = ""
            count = len(entry.env.packages()) if entry.env is not None else 0
            if count:
                listed = f"; its {count} package{'s' if count != 1 else ''} would be listed in "
                listed += str(inventory.kept_file(paths, entry.name))
            print(f"pyrun: would remove {name} ({why}, {usage.human_size(entry.size)}){listed}")
            removed.append(entry)
            continue
        try:
            said = remove(paths, entry, why)
        except Kept as exc:
            print(f"pyrun: kept {name} ({why}): {exc}")
            continue
        except PyrunError as exc:  # a disk error: one line, and the exit status says so
            print(f"pyrun: kept {name}: {exc.message}", file=sys.stderr)
            failed = True
            continue
        print(f"pyrun: removed {name} ({why}, {usage.human_size(entry.size)}){said}")
        removed.append(entry)
    size = usage.human_size(sum(entry.size for entry in removed))
    left = len(entries) - len(removed)
    if dry_run:
        print(f"pyrun: would remove {_count(len(removed))} ({size}); nothing was changed")
    else:
        print(f"pyrun: removed {_count(len(removed))} ({size}); {_count(left)} left")
    return 1 if failed else 0


def reason(entry: Entry, days: int | None, now: float) -> str:
    """Why `entry` goes, as a phrase, or "" when it stays."""
    env = entry.env
    if env is None:
        return "incomplete: its creation was killed"
    if env.state == "gone":
        return f"Python {env.version}, its base {env.base} is gone"
    if env.state == "changed":
        return f"Python {env.version}, its base changed: {env.why}"
    unused = entry.days_unused(now)
    if days is not None and unused >= days:
        return f"Python {env.version}, unused for {unused} day{'s' if unused != 1 else ''}"
    return ""


def remove(paths: Paths, entry: Entry, why: str) -> str:
    """Save its list, then remove `entry` and the records naming it, under its lock.
    Returns what to add to the line about it; raises Kept, or a one-line PyrunError
    when the disk fails."""
    path = entry.path
    if path.parent != paths.envs or path.is_symlink() or not path.is_dir():
        raise Kept(f"a symlink or no directory: not pyrun's to remove from {paths.envs}")
    lock = paths.locks / f"{path.name}.lock"
    try:
        with exclusive(lock, f"removing {path}", timeout=LOCK_WAIT):
            return _remove_locked(paths, path, why)
    except PyrunError as exc:
        if exc.message.startswith("timed out"):
            raise Kept(f"{holder(lock)} is busy with it; run `pyrun gc` again later") from None
        raise


def _remove_locked(paths: Paths, path: Path, why: str) -> str:
    if not path.is_dir():
        raise Kept("another pyrun removed it meanwhile")
    env = inventory.load(path)  # again, under the lock: it may have changed meanwhile
    said = ""
    if env is not None:
        try:
            kept = inventory.keep(paths, env, f"removed by `pyrun gc`: {why}")
        except OSError as exc:
            raise disk_error(f"save the package list of {path}, so it stays", exc) from None
        count = len(kept.packages)
        if count:
            said = (
                f"; its {count} package{'s' if count != 1 else ''} listed in "
                f"{inventory.kept_file(paths, path.name)}: `pyrun repair --from {path.name}` "
                f"reinstalls {'them' if count != 1 else 'it'}"
            )
    try:
        for record in usage.records_by_env(paths).get(path, []):  # inside the indexes
            with contextlib.suppress(FileNotFoundError):
                record.unlink()
        with contextlib.suppress(FileNotFoundError):
            (path / COMPLETE_MARKER).unlink()
        shutil.rmtree(path)
    except OSError as exc:
        raise disk_error(f"remove {path}", exc) from None
    return said


def _count(number: int) -> str:
    return f"{number} environment{'s' if number != 1 else ''}"


def _hint(days: int | None) -> str:
    if days is not None:
        return f" (none has its base gone or changed, or is unused for {days} days)"
    return " (none has its base gone or changed; `--days N` also removes those unused for N days)"
