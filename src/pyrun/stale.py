"""Which old isolated environments a new one takes the place of, and the line saying so.

Why: when a base interpreter is upgraded, moved or deleted, the shim's record no longer
holds, it hands over to the slow path, and that path makes a new environment. Without
this module the old one, with everything the user installed in it, would be orphaned
without a word. Here the slow path (and ``pyrun repair``) decide which old environments
the new one replaces, save their package lists first (inventory.save), and word the one
line the user sees, so nothing installed is lost and the fix is one command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyrun import inventory, isolated, records
from pyrun.inventory import IsolatedEnv, SavedList
from pyrun.paths import Paths


@dataclass(frozen=True)
class Target:
    """The environment that takes over: its directory, where its base was found, and
    its implementation and minor version (read from the directory's name, which
    isolated.env_key makes, so it is known before the environment exists)."""

    path: Path
    found_at: str | None

    @property
    def _key(self) -> str:
        """The name without the system_site_packages suffix (isolated.env_dir)."""
        name = self.path.name
        return name[: -len(isolated.SITE_SUFFIX)] if name.endswith(isolated.SITE_SUFFIX) else name

    @property
    def implementation(self) -> str:
        return self._key.rsplit("-", 2)[0]

    @property
    def minor(self) -> str:
        parts = self._key.rsplit("-", 2)
        return parts[1] if len(parts) == 3 else ""


def replaced(
    paths: Paths,
    target: Target,
    hints: Mapping[Path, str] | None = None,
    *,
    related: bool = True,
) -> list[IsolatedEnv]:
    """The old environments `target` replaces whose packages are not reinstalled yet.

    * `hints`: environments that a record named for a path which now leads elsewhere
      or nowhere (env -> that path): what that path used to run;
    * with `related`, also those found at the same path as `target` (the marker's
      ``found_at``), those whose saved list already names `target` as their
      replacement, and those whose base is gone or changed with the same
      implementation and minor version (a moved or reinstalled prefix).

    Environments `pyrun gc` removed count too, by the list it kept of each.
    """
    hints = hints or {}
    chosen: list[IsolatedEnv] = []
    for env in inventory.scan(paths) + inventory.removed(paths):
        if env.path == target.path:
            continue
        if env.path.name.endswith(isolated.SITE_SUFFIX) != target.path.name.endswith(
            isolated.SITE_SUFFIX
        ):
            continue  # with and without system_site_packages: side by side, not replaced
        saved = env.saved
        if saved is not None and saved.restored:
            continue
        hinted = env.path in hints
        same_path = target.found_at is not None and env.found_at == target.found_at
        named = saved is not None and saved.replaced_by == str(target.path)
        moved = (
            env.stale and env.implementation == target.implementation and env.minor == target.minor
        )
        if hinted or (related and (same_path or named or moved)):
            chosen.append(env)
    return chosen


def what_happened(env: IsolatedEnv, where: str | None = None) -> str:
    """A phrase for one old environment: its base gone, changed, or no longer found."""
    if env.removed:
        because = f" ({env.why})" if env.why else ""
        return f"Python {env.version} behind {env.path} was removed by `pyrun gc`{because}"
    if env.state == "gone":
        return f"Python {env.version} behind {env.path} is gone (was {env.base})"
    if env.state == "changed":
        return f"Python {env.version} behind {env.path} changed ({env.why})"
    return f"Python {env.version} behind {env.path} is no longer what {where or env.found_at} runs"


def save_all(
    olds: list[IsolatedEnv],
    replaced_by: Path | None,
    hints: Mapping[Path, str] | None = None,
    *,
    save: bool = True,
) -> tuple[int, list[str]]:
    """Save each list first; (how many packages there are, what could not be saved).
    Without `save` (``pyrun which``/``why``), only count them."""
    count = 0
    problems = []
    for env in olds:
        if not save:
            count += len(env.packages())
            continue
        why = what_happened(env, (hints or {}).get(env.path))
        try:
            saved = inventory.save(env, why, replaced_by)
        except OSError as exc:
            problems.append(f"could not save the package list of {env.path}: {exc}")
            continue
        count += len(saved.packages)
    return count, problems


def packages_phrase(count: int, olds: int) -> str:
    its = "its" if olds == 1 else "their"
    if not count:
        return f"nothing was installed in {'it' if olds == 1 else 'them'} to reinstall"
    return f"run `pyrun repair` to reinstall {its} {count} package{'s' if count != 1 else ''}"


def announce(
    olds: list[IsolatedEnv],
    hints: Mapping[Path, str],
    target: Path,
    base: str,
    version: str,
    *,
    new: bool,
    count: int,
    problems: list[str],
) -> str:
    """The one line saying `target` takes the place of `olds`. Worded the same whether
    it is printed by the shim's slow path, which makes `target`, or by ``pyrun which``,
    which only looks (the shims and the resolver are checked to say the same)."""
    parts = [what_happened(env, hints.get(env.path)) for env in olds]
    its = "its" if len(olds) == 1 else "their"
    what = "a new environment" if new else "the environment"
    parts.append(f"{what} {target} from {base} ({version}) takes {its} place")
    if count or not problems:
        parts.append(packages_phrase(count, len(olds)))
    return "; ".join(parts + problems)


def orphans_phrase(olds: list[IsolatedEnv], saved: Mapping[Path, SavedList | None]) -> str:
    """For the "no Python found" error: the environments left without their base."""
    if not olds:
        return ""
    count = 0
    for env in olds:
        listed = saved.get(env.path)
        count += len(listed.packages) if listed is not None else len(env.packages())
    names = ", ".join(str(env.path) for env in olds)
    if len(olds) == 1:
        env = olds[0]
        head = f"the isolated environment {names} lost its Python {env.version} ({env.why})"
    else:
        head = f"the isolated environments {names} lost their Pythons"
    if not count:
        return head
    things = f"{count} package{'s' if count != 1 else ''}"
    return f"{head}: once a Python is found, `pyrun repair` reinstalls {things}"


# -- what the slow path calls ------------------------------------------------------------


def remember(paths: Paths, candidate: str, left_behind: dict[Path, str]) -> None:
    """A PATH entry that no longer holds a Python but whose record named an
    environment: that environment may be what a new one takes the place of."""
    record = records.read_raw(paths, candidate)
    if record is not None and record.kind == "env":
        left_behind.setdefault(record.target, candidate)


@dataclass
class Takeover:
    """Old environments a new one replaces, their lists already saved."""

    env: Path
    new: bool
    olds: list[IsolatedEnv]
    hints: dict[Path, str] = field(default_factory=dict)
    count: int = 0
    problems: list[str] = field(default_factory=list)

    def message(self, base: str, version: str) -> str:
        return announce(
            self.olds,
            self.hints,
            self.env,
            base,
            version,
            new=self.new,
            count=self.count,
            problems=self.problems,
        )


def prepare(
    paths: Paths,
    candidate: str,
    env: Path,
    left_behind: Mapping[Path, str],
    matches_minor: Callable[[str], bool],
    *,
    save: bool,
) -> Takeover | None:
    """Before `env` is made (or reused) for the base found at `candidate`: which old
    environments it replaces, with their package lists saved first (with `save`; the
    slow path saves, ``pyrun which`` only looks); None for none.

    It replaces the one the record for `candidate` named, when that differs (the path
    now runs another Python). A new environment also replaces those that PATH entries
    now empty used to run (`left_behind`, when of the requested minor version) and
    those `replaced` finds (found at the same path, or of the same minor version with
    their base gone or changed).
    """
    new = not isolated.is_complete(env)
    hints: dict[Path, str] = {}
    before = records.read_raw(paths, candidate)
    if before is not None and before.kind == "env" and before.target != env:
        hints[before.target] = candidate
    if new:
        for old, where in left_behind.items():
            if old != env and matches_minor(Target(old, None).minor):
                hints.setdefault(old, where)
    if not new and not hints:
        return None
    olds = replaced(paths, Target(env, candidate), hints, related=new)
    if not olds:
        return None
    count, problems = save_all(olds, env, hints, save=save)
    return Takeover(env, new, olds, hints, count, problems)


def orphans_note(paths: Paths, matches_minor: Callable[[str], bool], *, save: bool) -> str:
    """For "no Python found": the environments whose base is gone (their lists saved
    first when `save`), or "" when there are none."""
    olds = []
    saved: dict[Path, SavedList | None] = {}
    for env in inventory.scan(paths):
        if not env.stale or not matches_minor(env.version):
            continue
        listed = env.saved
        if listed is not None and listed.restored:
            continue
        if save and listed is None:  # once: a base that is gone installs nothing more
            with contextlib.suppress(OSError):  # the error itself matters more
                listed = inventory.save(env, what_happened(env))
        saved[env.path] = listed
        olds.append(env)
    return orphans_phrase(olds, saved)
