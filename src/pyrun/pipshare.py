"""One shared copy of pip, so no environment has to install its own.

Installing pip into every new environment is most of the ~6 s that ``python -m venv``
takes. Instead pyrun copies the pip that runs pyrun itself once into
``$data/pip/<version>/``; isolated environments see it through a ``.pth`` line, and
environments made without pip (uv makes those) run it as ``<env python> <dir>/pip``,
which is how pip runs from a directory. pip then installs into whichever environment's
interpreter runs it. ``$data/pip/current`` points at the copy in use.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyrun.lock import exclusive
from pyrun.paths import Paths

if TYPE_CHECKING:
    from importlib import metadata

# importlib.metadata and packaging cost tens of milliseconds to import and only the
# creating branch of the slow path needs them, so they are imported where used.

_MARKER = ".pyrun-complete"


@dataclass(frozen=True)
class SharedPip:
    root: Path  # holds pip/ and pip-*.dist-info/
    version: str
    requires_python: str

    def supports(self, python_version: str) -> bool:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            return SpecifierSet(self.requires_python).contains(python_version)
        except InvalidSpecifier:
            return True


def current(paths: Paths) -> SharedPip | None:
    link = paths.pip / "current"
    if not (link / _MARKER).is_file():
        return None
    return _describe(link.resolve())


def ensure(paths: Paths) -> SharedPip | None:
    """The shared pip, copied from pyrun's own environment on first need; None if there
    is no pip to copy."""
    from importlib import metadata

    existing = current(paths)
    try:
        dist = metadata.distribution("pip")
    except metadata.PackageNotFoundError:
        return existing
    if existing is not None and existing.version == dist.version:
        return existing
    target = paths.pip / dist.version
    with exclusive(paths.locks / "pip.lock", "copying pip"):
        if not (target / _MARKER).is_file():
            _copy(dist, target)
        link = paths.pip / "current"
        tmp = paths.pip / f".current.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(dist.version)
        os.replace(tmp, link)
    return _describe(target)


def _copy(dist: metadata.Distribution, target: Path) -> None:
    package = Path(str(dist.locate_file("pip")))
    info = next(
        Path(str(dist.locate_file(f))).parent
        for f in dist.files or ()
        if f.name == "METADATA" and f.parent.name.endswith(".dist-info")
    )
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    # __pycache__ comes along: without it every pip start compiles pip from source
    # (and nothing rewrites it where PYTHONDONTWRITEBYTECODE is set).
    shutil.copytree(package, staging / "pip")
    shutil.copytree(info, staging / info.name)
    # The copy is read-only in spirit: pip refuses to uninstall it from an environment
    # because it lies outside that environment's prefix.
    (staging / _MARKER).write_text(dist.version + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)


def _describe(root: Path) -> SharedPip:
    from importlib import metadata

    infos = sorted(root.glob("pip-*.dist-info"))
    requires = ""
    version = root.name
    if infos:
        meta = metadata.PathDistribution(infos[0]).metadata
        requires = meta.get("Requires-Python") or ""
        version = meta.get("Version") or version
    return SharedPip(root=root, version=version, requires_python=requires)
