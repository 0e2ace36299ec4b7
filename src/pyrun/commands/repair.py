"""``pyrun repair``: reinstall what was in environments whose base interpreter went away.

Why: when a base interpreter is upgraded, moved or deleted, the slow path makes a new
isolated environment and saves the old one's package list first (stale.py). This puts
those packages into the isolated environment ``python`` runs here, with that
environment's own pip (never a base interpreter's: the target must be one of pyrun's
complete isolated environments), and marks each list as reinstalled, so a second run
says there is nothing to do.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pyrun import inventory, stale
from pyrun.discovery import print_warnings, resolve
from pyrun.environment import executable
from pyrun.errors import PyrunError
from pyrun.inventory import IsolatedEnv
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.request import Request


def run(source: str | None, dry_run: bool, unpinned: bool, pip_args: list[str]) -> int:
    paths = Paths.from_env()
    chosen = named(paths, source) if source is not None else None
    # Resolving makes the environment `python` runs here, if it is not there yet (and
    # that saves the lists of the environments it replaces); a dry run makes nothing.
    resolution = resolve(Request.parse("python"), paths, create=not dry_run)
    print_warnings(resolution)
    target = resolution.environment
    if resolution.kind != "isolated":
        raise PyrunError(
            f"`python` here runs {target} ({resolution.kind}), not one of pyrun's isolated "
            "environments, so pyrun has nothing to repair into; run `pyrun repair` from a "
            "directory without a virtual environment"
        )
    if chosen is not None and chosen.path == target and not chosen.removed:
        # `pyrun gc` removed it and the same base made it again: the kept list is meant
        chosen = inventory.load_removed(paths, target.name) or chosen
    if chosen is not None:
        if chosen.path == target and not chosen.removed:
            raise PyrunError(
                f"{target} is the environment `python` runs here, not an old one; name the "
                f"environment to reinstall from (they are in {paths.envs})",
                exit_code=2,
            )
        olds = [chosen]
    else:
        olds = stale.replaced(paths, stale.Target(target, resolution.found_at))
        if not olds:
            raise PyrunError(
                f"nothing to repair: no earlier environment that {target} replaces has "
                "packages left to reinstall; to copy another one's, name it with "
                f"`pyrun repair --from ENV` (they are in {paths.envs})"
            )
    if dry_run:
        for old in olds:
            listed = old.saved
            packages = list(listed.packages) if listed is not None else old.packages()
            print(
                f"pyrun: would reinstall {_count(packages)} from {old.path} into {target}"
                + (f": {' '.join(packages)}" if packages else "")
            )
        return 0
    _check_target(paths, target)
    with exclusive(paths.locks / f"{target.name}.repair.lock", f"repairing {target}"):
        for old in olds:
            _reinstall(old, target, unpinned, pip_args)
    return 0


def named(paths: Paths, value: str) -> IsolatedEnv:
    """--from: a path to an isolated environment, or its name under envs/; also one
    `pyrun gc` removed, by the package list it kept in saved/."""
    candidates = [Path(os.path.abspath(value))]
    if os.sep not in value:
        candidates.append(paths.envs / value)
    for candidate in candidates:
        env = inventory.load(candidate)
        if env is not None:
            return env
    for candidate in candidates:
        if candidate.parent == paths.envs:
            env = inventory.load_removed(paths, candidate.name)
            if env is not None:
                return env
    raise PyrunError(
        f"--from {value}: not one of pyrun's isolated environments (a directory in "
        f"{paths.envs} with a .pyrun-complete marker, or one `pyrun gc` removed, listed "
        f"in {paths.saved}); name one of those",
        exit_code=2,
    )


def _check_target(paths: Paths, target: Path) -> None:
    """Never a base interpreter: only a complete isolated environment under envs/."""
    if (
        target.parent != paths.envs
        or inventory.load(target) is None
        or not (target / "pyvenv.cfg").is_file()
        or not executable(target / "bin" / "python")
    ):
        raise PyrunError(
            f"{target} is not a complete isolated environment, so pyrun will not install "
            "into it; run `python -c pass` here to recreate it, then `pyrun repair` again"
        )


def _reinstall(old: IsolatedEnv, target: Path, unpinned: bool, pip_args: list[str]) -> None:
    listed = old.saved
    why = listed.why if listed is not None and listed.why else stale.what_happened(old)
    listed = inventory.save(old, why, target)  # what is there now, saved before anything
    packages = list(listed.packages)
    if not packages:
        inventory.mark_restored(old, target)
        print(f"pyrun: nothing was installed in {old.path}; nothing to reinstall")
        return
    command = [str(target / "bin" / "python"), "-m", "pip", "install", *pip_args]
    for line in packages:
        if line.startswith("-e "):
            command += ["-e", line[3:]]
        elif unpinned and "==" in line and " @ " not in line:
            command.append(line.split("==", 1)[0])
        else:
            command.append(line)
    done = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        said = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        errors = [line for line in said if line.startswith("ERROR")]
        detail = (errors or said or [f"pip exited {done.returncode}"])[-1]
        raise PyrunError(
            f"pip could not reinstall the {_count(packages)} of {old.path} into {target}: "
            f"{detail}; fix that and run `pyrun repair` again (`--unpinned` drops the "
            "versions; options after `--` go to pip)"
        )
    inventory.mark_restored(old, target)
    print(f"pyrun: reinstalled {_count(packages)} from {old.path} into {target}")


def _count(packages: list[str]) -> str:
    return f"{len(packages)} package{'s' if len(packages) != 1 else ''}"
