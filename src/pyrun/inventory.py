"""What isolated environments exist, whether their base is still there, what is in them.

Why: a base interpreter can be upgraded, moved or deleted under its environment, and
then the environment's site-packages are the only record of what the user installed
through pyrun. This module reads that record without running any interpreter (the
base may be gone, and the slow path must stay cheap): the ``.pyrun-complete`` marker,
a few ``stat`` calls, and the ``*.dist-info`` metadata in site-packages. It saves the
package list into the environment (``.pyrun-packages.json``, written atomically) so
that ``pyrun repair`` can reinstall it into the environment that replaces this one, and
so that ``pyrun list``, ``gc`` and ``doctor`` ([5/5]) can build on the same facts.
``pyrun gc`` deletes the environment, and the list inside it with it, so it keeps a
copy outside first (``$data/saved/<name>.json``, `keep`); such a *removed* environment
is loaded from that copy alone (`removed`, `load_removed`) and ``pyrun repair`` and
stale.py treat it like one still on disk.

A base is ``same`` while its binary exists, is the file the environment's
``bin/python`` leads to, and its prefix still holds the standard library of the
environment's minor version; ``gone`` when the binary is missing (deleted, or its
prefix moved); ``changed`` otherwise (``bin/python`` leads elsewhere, or another
Python version now lives in that prefix). An in-place patch upgrade (3.11.6 to 3.11.7
at the same path) stays ``same``: the environment is made with ``venv --symlinks``, so
its ``bin/python`` runs the new binary and keeps working, and it is kept.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyrun.environment import samefile
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER

SAVED = ".pyrun-packages.json"

# What `pip freeze` leaves out: the installer and the build tools it brought along.
NOT_FROZEN = frozenset({"pip", "setuptools", "wheel", "distribute"})


@dataclass(frozen=True)
class SavedList:
    """A package list saved in an environment, and whether it was reinstalled yet."""

    packages: tuple[str, ...]
    saved: float
    why: str
    replaced_by: str | None  # the environment that took this one's place, when known
    restored_into: str | None  # set once `pyrun repair` reinstalled the list
    data: Mapping[str, Any]

    @property
    def restored(self) -> bool:
        return self.restored_into is not None


@dataclass(frozen=True)
class IsolatedEnv:
    path: Path
    base: str  # the real path of the base interpreter's binary, from the marker
    found_at: str  # where on PATH (or in conda base) the base was found
    version: str
    implementation: str
    state: str  # "same", "gone" or "changed" (for a removed one: when it was removed)
    why: str  # for gone and changed: what is wrong, as a phrase
    marker: Mapping[str, Any]
    kept: Path | None = None  # removed by `pyrun gc`: its saved list, all that is left

    @property
    def removed(self) -> bool:
        return self.kept is not None

    @property
    def list_file(self) -> Path:
        """Where its package list is saved: inside it, or the copy `pyrun gc` kept."""
        return self.kept if self.kept is not None else self.path / SAVED

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])

    @property
    def stale(self) -> bool:
        return self.state != "same"

    @property
    def saved(self) -> SavedList | None:
        return _read(self.list_file)

    def packages(self) -> list[str]:
        if self.kept is not None:  # nothing left to read the metadata of
            listed = _read(self.kept)
            return list(listed.packages) if listed is not None else []
        return installed(self.path)

    def found_at_elsewhere(self) -> bool:
        """Whether the path it was found at no longer leads to its base."""
        return not samefile(self.found_at, self.base)


def scan(paths: Paths) -> list[IsolatedEnv]:
    """Every complete isolated environment, by name."""
    try:
        names = sorted(os.listdir(paths.envs))
    except OSError:
        return []
    found = []
    for name in names:
        if name.startswith("."):
            continue
        env = load(paths.envs / name)
        if env is not None:
            found.append(env)
    return found


def leftovers(paths: Paths) -> list[Path]:
    """Directories under envs/ without the completion marker: killed creations."""
    try:
        names = sorted(os.listdir(paths.envs))
    except OSError:
        return []
    return [
        paths.envs / name
        for name in names
        if not name.startswith(".")
        and (paths.envs / name).is_dir()
        and not (paths.envs / name / COMPLETE_MARKER).is_file()
    ]


def load(env: Path) -> IsolatedEnv | None:
    """The environment at `env`, or None when it is not a complete pyrun environment."""
    try:
        marker = json.loads((env / COMPLETE_MARKER).read_text(encoding="utf-8"))
        base = str(marker["base"])
        version = str(marker["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    implementation = str(marker.get("implementation") or "cpython")
    state, why = base_state(env, base, version, implementation)
    return IsolatedEnv(
        path=env,
        base=base,
        found_at=str(marker.get("found_at") or base),
        version=version,
        implementation=implementation,
        state=state,
        why=why,
        marker=marker,
    )


def base_state(env: Path, base: str, version: str, implementation: str) -> tuple[str, str]:
    """("same" | "gone" | "changed", why) for the base behind `env`, by stat alone."""
    if not os.path.exists(base):
        return "gone", f"{base} is gone"
    python = env / "bin" / "python"
    if not samefile(python, base):
        return "changed", f"{python} no longer leads to {base}"
    if implementation == "cpython":
        minor = ".".join(version.split(".")[:2])
        prefix = Path(base).parent.parent
        if not any((prefix / lib / f"python{minor}").is_dir() for lib in ("lib", "lib64")):
            return "changed", f"{prefix} no longer holds Python {minor}'s standard library"
    return "same", ""


# -- what is installed ---------------------------------------------------------------


_NORMALISE = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


def installed(env: Path) -> list[str]:
    """The environment's packages as `pip freeze` lines, read from their metadata.

    ``name==version`` for an ordinary install, ``name @ url`` for one from a URL or VCS,
    ``-e path`` for an editable one; pip, setuptools and wheel left out as pip freeze
    does. Sorted by name, one line per project.
    """
    lines: dict[str, str] = {}
    for site in sorted(env.glob("lib/*/site-packages")):
        try:
            entries = sorted(os.listdir(site))
        except OSError:
            continue
        for entry in entries:
            found = _describe(site / entry)
            if found is None:
                continue
            key, line = found
            if key not in NOT_FROZEN:
                lines.setdefault(key, line)
    return [lines[key] for key in sorted(lines)]


def _describe(entry: Path) -> tuple[str, str] | None:
    if entry.name.endswith(".dist-info"):
        meta = entry / "METADATA"
    elif entry.name.endswith(".egg-info"):
        meta = entry / "PKG-INFO" if entry.is_dir() else entry
    elif entry.name.endswith(".egg"):
        meta = entry / "EGG-INFO" / "PKG-INFO"
    else:
        return None
    headers = _headers(meta)
    name, version = headers.get("name"), headers.get("version")
    if not name or not version:
        return None
    key = canonical(name)
    line = f"{name}=={version}"
    if entry.name.endswith(".dist-info"):
        line = _direct_url(entry / "direct_url.json", name) or line
    return key, line


def _headers(meta: Path) -> dict[str, str]:
    """Name and Version from a METADATA/PKG-INFO file: the headers before the body."""
    headers: dict[str, str] = {}
    try:
        with open(meta, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break
                field, sep, value = line.partition(":")
                if sep and field.lower() in ("name", "version"):
                    headers.setdefault(field.lower(), value.strip())
    except OSError:
        pass
    return headers


def _direct_url(path: Path, name: str) -> str | None:
    """PEP 610: an install from a URL, a VCS or a local directory, as pip freeze says it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url = str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if isinstance(data.get("dir_info"), dict) and data["dir_info"].get("editable"):
        return f"-e {url[len('file://') :] if url.startswith('file://') else url}"
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        return f"{name} @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
    return f"{name} @ {url}"


# -- the saved list --------------------------------------------------------------------


def read_saved(env: Path) -> SavedList | None:
    return _read(env / SAVED)


def _read(file: Path) -> SavedList | None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        packages = tuple(str(line) for line in data["packages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return SavedList(
        packages=packages,
        saved=float(data.get("saved") or 0),
        why=str(data.get("why") or ""),
        replaced_by=data.get("replaced_by"),
        restored_into=data.get("restored_into"),
        data=data,
    )


def save(env: IsolatedEnv, why: str, replaced_by: Path | None = None) -> SavedList:
    """Save (or refresh) the environment's package list inside it (for a removed one:
    in its kept copy), atomically.

    A list already reinstalled stays marked so while the packages are the same; a
    changed list is something new to reinstall.
    """
    packages = tuple(env.packages())
    old = env.saved
    data: dict[str, Any] = dict(old.data) if old is not None else {}
    if old is not None and old.packages != packages:
        data.pop("restored_into", None)
        data.pop("restored", None)
    data.update(
        {
            "packages": list(packages),
            "saved": time.time(),
            "why": why,
            "base": env.base,
            "found_at": env.found_at,
            "version": env.version,
            "implementation": env.implementation,
        }
    )
    if replaced_by is not None:
        data["replaced_by"] = str(replaced_by)
    data.setdefault("replaced_by", None)
    data.setdefault("restored_into", None)
    _write(env.list_file, data)
    saved = env.saved
    if saved is None:  # pragma: no cover - we just wrote it
        raise OSError(f"could not read back {env.list_file}")
    return saved


def mark_restored(env: IsolatedEnv, into: Path) -> None:
    saved = env.saved
    if saved is None:
        return
    data = dict(saved.data)
    data["restored_into"] = str(into)
    data["restored"] = time.time()
    _write(env.list_file, data)


# -- environments `pyrun gc` removed ---------------------------------------------------


def kept_file(paths: Paths, name: str) -> Path:
    return paths.saved / f"{name}.json"


def keep(paths: Paths, env: IsolatedEnv, why: str) -> SavedList:
    """Before `pyrun gc` deletes `env`: save its list (inside it, as the slow path
    does) and copy it to ``$data/saved/<name>.json``, which outlives it, with the state
    its base was in. Raises OSError when either cannot be written: then it stays."""
    saved = save(env, why)
    data = dict(saved.data)
    data.update(
        {
            "removed": time.time(),
            "path": str(env.path),
            "state": env.state,
            "state_why": env.why,
        }
    )
    paths.make(paths.saved)
    file = kept_file(paths, env.path.name)
    _write(file, data)
    kept = _read(file)
    if kept is None:  # pragma: no cover - we just wrote it
        raise OSError(f"could not read back {file}")
    return kept


def load_removed(paths: Paths, name: str) -> IsolatedEnv | None:
    """The environment `name` as `pyrun gc` left it: its kept list, or None."""
    file = kept_file(paths, name)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        base = str(data["base"])
        version = str(data["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return IsolatedEnv(
        path=paths.envs / name,
        base=base,
        found_at=str(data.get("found_at") or base),
        version=version,
        implementation=str(data.get("implementation") or "cpython"),
        state=str(data.get("state") or "gone"),
        why=str(data.get("state_why") or ""),
        marker={},
        kept=file,
    )


def removed(paths: Paths) -> list[IsolatedEnv]:
    """Environments `pyrun gc` removed whose name no complete environment took back
    (one that did is only reached by name: ``pyrun repair --from NAME``)."""
    try:
        names = sorted(os.listdir(paths.saved))
    except OSError:
        return []
    found = []
    for entry in names:
        if entry.startswith(".") or not entry.endswith(".json"):
            continue
        name = entry[: -len(".json")]
        if (paths.envs / name / COMPLETE_MARKER).is_file():
            continue
        env = load_removed(paths, name)
        if env is not None:
            found.append(env)
    return found


def _write(target: Path, data: Mapping[str, Any]) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=1) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
