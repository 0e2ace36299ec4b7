"""One shared copy of pip, so no environment has to install its own.

Installing pip into every new environment is most of the ~6 s that ``python -m venv``
takes. Instead pyrun copies the pip that runs pyrun itself once into
``$data/pip/<version>/``; isolated environments see it through a ``.pth`` line, and
environments made without pip (uv makes those) run it as ``<env python> <dir>/pip``,
which is how pip runs from a directory. pip then installs into whichever environment's
interpreter runs it. ``$data/pip/current`` points at the copy in use.

The copy carries pyrun's install guard (pipguard.py, as ``_pyrun_pip_guard.py``),
called from the copy's ``pip/__main__.py`` before pip's own code loads, so an install
pointed at the base interpreter or the user site is refused however pip is started.

Beside it sits ``ownpip/__main__.py`` (`RUNNER`): an environment that has a pip of its
own (a project's ``.venv``, an activated venv, a named conda environment) gets that pip
through it, run as ``<env python> $data/pip/current/ownpip ARGS`` by the pip shim. It
loads the guard by its file path (the directory holding the shared ``pip/`` never goes
on ``sys.path``, so ``import pip`` is the environment's own), installs it, and runs the
environment's pip as ``python -m pip`` would. So the guard refuses there too, and an
install or uninstall that changed the environment's bin/ makes its console scripts'
shims (pipguard.rehash_scripts).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyrun import pipguard
from pyrun.errors import disk_error
from pyrun.lock import exclusive
from pyrun.paths import Paths

if TYPE_CHECKING:
    from importlib import metadata

# importlib.metadata and packaging cost tens of milliseconds to import and only the
# creating branch of the slow path needs them, so they are imported where used.

_MARKER = ".pyrun-complete"
GUARD_MODULE = "_pyrun_pip_guard"
_GUARD_CALL = f"""import {GUARD_MODULE}  # added by pyrun: no install into the base interpreter

{GUARD_MODULE}.install()

"""
_MAIN_ANCHOR = 'if __name__ == "__main__":'
OWNPIP = "ownpip"  # the runner's directory beside the copy
# Runs under the environment's Python (any version pip supports): standard library only.
RUNNER = f'''"""Written by pyrun (pipshare.py): this environment's own pip, under pyrun's install
guard. Run as `<env python> <this directory> ARGS` by pyrun's pip shim."""

import os
import sys


def _main():
    here = os.path.dirname(os.path.abspath(__file__))
    # This directory is sys.path[0]; nothing of it may shadow the environment's modules.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    guard = os.path.join(os.path.dirname(here), "{GUARD_MODULE}.py")
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("{GUARD_MODULE}", guard)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["{GUARD_MODULE}"] = module
        module.install()
        found = importlib.util.find_spec("pip")
    except (OSError, ImportError, SyntaxError) as exc:
        sys.stderr.write(
            "pyrun: cannot load pip's install guard %s (%s); run `pyrun rehash`\\n" % (guard, exc)
        )
        return 1
    if found is None:
        sys.stderr.write(
            "pyrun: %s has a pip script but %s cannot import pip; reinstall it with "
            "`%s -m ensurepip`\\n" % (sys.prefix, sys.executable, sys.executable)
        )
        return 1
    import runpy

    sys.argv[0] = "pip"  # pip names itself after argv[0] in its messages
    runpy.run_module("pip", run_name="__main__", alter_sys=False)
    return 0


sys.exit(_main())
'''


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
        if not _guard_current(existing.root):
            with exclusive(paths.locks / "pip.lock", "updating pip's install guard"):
                try:
                    _add_guard(existing.root)
                except OSError as exc:
                    raise disk_error(
                        f"update pip's install guard in {existing.root}", exc
                    ) from None
        return existing
    target = paths.pip / dist.version
    paths.make(paths.locks)
    with exclusive(paths.locks / "pip.lock", "copying pip"):
        tmp = paths.pip / f".current.{os.getpid()}"
        try:
            paths.make(paths.pip)
            if not (target / _MARKER).is_file():
                _copy(dist, target)
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(dist.version)
            os.replace(tmp, paths.pip / "current")
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise disk_error(f"copy pip to {target}", exc) from None
    return _describe(target)


def _copy(dist: metadata.Distribution, target: Path) -> None:
    """Copy pip beside the others under a temporary name, then rename it into place:
    a copy cut short (a full disk, a kill) never carries the marker, and is removed
    when the copy fails."""
    package = Path(str(dist.locate_file("pip")))
    info = next(
        Path(str(dist.locate_file(f))).parent
        for f in dist.files or ()
        if f.name == "METADATA" and f.parent.name.endswith(".dist-info")
    )
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        # __pycache__ comes along: without it every pip start compiles pip from source
        # (and nothing rewrites it where PYTHONDONTWRITEBYTECODE is set).
        _copytree(package, staging / "pip")
        _copytree(info, staging / info.name)
        # The copy is read-only in spirit: pip refuses to uninstall it from an
        # environment because it lies outside that environment's prefix.
        _add_guard(staging)
        (staging / _MARKER).write_text(dist.version + "\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)


class _CopyFailed(Exception):
    """Carries a file's OSError past copytree, which would note it and go on copying."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _copy_file(source: str, destination: str) -> object:
    try:
        return shutil.copy2(source, destination)
    except OSError as exc:
        raise _CopyFailed(exc) from None


def _copytree(source: Path, destination: Path) -> None:
    """shutil.copytree that stops at the first file it cannot write (a full disk), with
    that file's own OSError, instead of trying every other file and raising a list."""
    try:
        shutil.copytree(source, destination, copy_function=_copy_file)
    except _CopyFailed as failed:
        raise failed.error from None


def _guard_source() -> str:
    return Path(pipguard.__file__).read_text(encoding="utf-8")


def _guard_current(root: Path) -> bool:
    try:
        guard = (root / f"{GUARD_MODULE}.py").read_text(encoding="utf-8")
        main = (root / "pip" / "__main__.py").read_text(encoding="utf-8")
        runner = (root / OWNPIP / "__main__.py").read_text(encoding="utf-8")
    except OSError:
        return False
    return guard == _guard_source() and _GUARD_CALL in main and runner == RUNNER


def _add_guard(root: Path) -> None:
    """Write the guard and the runner beside the copy and call the guard from the
    copy's __main__ (once)."""
    guard = root / f"{GUARD_MODULE}.py"
    _write_atomically(guard, _guard_source())
    (root / OWNPIP).mkdir(exist_ok=True)
    _write_atomically(root / OWNPIP / "__main__.py", RUNNER)
    main = root / "pip" / "__main__.py"
    text = main.read_text(encoding="utf-8")
    if _GUARD_CALL in text:
        return
    if _MAIN_ANCHOR not in text:
        raise OSError(f"{main} has no {_MAIN_ANCHOR!r} line to call the install guard before")
    _write_atomically(main, text.replace(_MAIN_ANCHOR, _GUARD_CALL + _MAIN_ANCHOR, 1))


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one; a failed write leaves no temporary."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


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
