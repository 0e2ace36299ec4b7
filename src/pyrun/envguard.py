"""pip's install guard, loaded by the isolated environment itself, whatever pip runs there.

The guard (pipguard.py) used to be called by the pip that pyrun put in an environment:
the shared copy's ``pip/__main__.py`` and the environment's ``bin/pip`` scripts. pip's
own upgrade notice says ``pip install -U pip``; that pip lands in the environment's
site-packages, ahead of the shared copy on ``sys.path``, and replaces the ``bin/pip``
scripts, so the guard was no longer called by anything (issue #14, item 4). The same
held for ``--force-reinstall pip`` and for ``ensurepip`` after ``pip uninstall pip``.

So the environment loads the guard instead of any pip: ``site-packages/_pyrun_guard.pth``
(`PTH`) imports ``_pyrun_guard_hook`` (`HOOK`) at every interpreter start, and that puts
one import finder first on ``sys.meta_path``. The finder answers only for
``pip._internal.commands``, whichever pip that module belongs to (the shared copy, one
installed into the environment, one run from a wheel or ``PYTHONPATH``); it lets the
normal path finder find it and wraps its loader, so that right after pip's module has
run, and before pip's command line code imports ``create_command`` from it, the guard
from pyrun's runner directory (``$data/pip/runner/_pyrun_pip_guard.py``, rewritten by
every ``pyrun rehash``) wraps ``create_command``. If the guard cannot be loaded, or the
pip is one it cannot wrap (older than 19.3), pip stops there with one line naming the
fix: the guard fails closed.

It answers the same way for distutils' ``dist`` module, under both names it may load
as: ``distutils.dist`` (the standard library's up to 3.11, or setuptools' copy behind
its ``distutils`` alias, which loads its submodules under that name) and
``setuptools._distutils.dist``. Once that module has run, the guard's
``guard_distutils`` wraps ``Distribution.run_command``, so that ``python setup.py
install --prefix=<base>`` is refused before it writes (issue #14, item 9). The check
itself is the guard's: one list of what is protected, for pip and setup.py alike.

Why this survives what pip does: pip removes only the files a distribution's RECORD
lists, and no distribution owns these two files, so ``pip install -U pip``,
``--force-reinstall``, ``pip uninstall pip`` and ``ensurepip`` leave them in place.

Cost: the ``.pth`` line runs at every start of the environment's Python (not only
pip's): one small module import and one string comparison per later import; the
guard itself is read only when pip is. ``python -S`` runs no ``.pth``: through a shim
the hook is loaded by path instead (nosite.py). Not covered: a user who deletes these files.
"""

from __future__ import annotations

import os
from pathlib import Path

PTH = "_pyrun_guard.pth"
HOOK = "_pyrun_guard_hook"
_PTH_LINE = f"import {HOOK}  # pyrun: pip's install guard, whatever pip runs here\n"

# Runs under the environment's Python at every start (any version): standard library
# only, nothing imported until pip or distutils is.
_HOOK_SOURCE = '''"""Written by pyrun (envguard.py), loaded by _pyrun_guard.pth: whatever pip
runs in this environment gets pyrun's install guard as soon as pip defines its commands."""

import sys

GUARD = {guard!r}
_COMMANDS = "pip._internal.commands"
# distutils' Distribution, under either name setuptools' distutils alias may give it.
_DISTS = ("distutils.dist", "setuptools._distutils.dist")


def _refuse(why):
    sys.stderr.write("pyrun: %s; run `pyrun rehash`\\n" % why)
    raise SystemExit(1)


def _load():
    """pyrun's guard, loaded by path once, or stop here in one line."""
    guard = sys.modules.get("_pyrun_pip_guard")
    if guard is not None:
        return guard
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("_pyrun_pip_guard", GUARD)
        guard = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(guard)
    except (OSError, ImportError, SyntaxError, AttributeError) as exc:
        _refuse("cannot load pip's install guard %s (%s)" % (GUARD, exc))
    sys.modules["_pyrun_pip_guard"] = guard
    return guard


def _guard(module):
    """Wrap this pip's create_command, or distutils' Distribution.run_command, with the
    guard, or stop in one line."""
    guard = _load()
    if module.__name__ in _DISTS:
        try:
            guard.guard_distutils(module)
        except AttributeError as exc:
            _refuse("cannot load pip's install guard %s (%s)" % (GUARD, exc))
        return
    try:
        guard.install()
    except (OSError, ImportError, AttributeError) as exc:
        _refuse("cannot load pip's install guard %s (%s)" % (GUARD, exc))
    commands = module
    if not getattr(getattr(commands, "create_command", None), "_pyrun_guarded", False):
        _refuse(
            "the pip at %s is too old for pyrun's install guard (pip 19.3 or newer)"
            % (getattr(commands, "__file__", None) or "?",)
        )


class _Loader:
    """pip's (or distutils') own loader for the module, then the guard."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.__dict__["loader"], name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _guard(module)


class PyrunPipGuard:
    """First on sys.meta_path; answers for pip's commands module and distutils'
    Distribution module only."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != _COMMANDS and name not in _DISTS:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if not any(getattr(f, "__name__", "") == "PyrunPipGuard" for f in sys.meta_path):
    sys.meta_path.insert(0, PyrunPipGuard)
'''


def hook_source(guard: Path) -> str:
    return _HOOK_SOURCE.format(guard=str(guard))


def site_packages(env: Path) -> Path | None:
    found = sorted(env.glob("lib/python3*/site-packages"))
    return found[0] if found else None


def current(env: Path, guard: Path) -> bool:
    """Whether `env` loads the guard at `guard` (two small reads)."""
    site = site_packages(env)
    if site is None:
        return False
    try:
        return (site / PTH).read_text(encoding="utf-8") == _PTH_LINE and (
            site / f"{HOOK}.py"
        ).read_text(encoding="utf-8") == hook_source(guard)
    except (OSError, ValueError):
        return False


def add(env: Path, guard: Path) -> None:
    """Make `env` load the guard at `guard` at every start: the hook module first, then
    the ``.pth`` line that imports it, each written atomically. Raises OSError."""
    site = site_packages(env)
    if site is None:
        raise OSError(f"{env} has no lib/python3.X/site-packages")
    for name, text in ((f"{HOOK}.py", hook_source(guard)), (PTH, _PTH_LINE)):
        tmp = site / f".{name}.{os.getpid()}.tmp"
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, site / name)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
