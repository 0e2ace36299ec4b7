"""Shared copies of pip, so no environment has to install its own: one per Python.

Installing pip into every new environment is most of the ~6 s that ``python -m venv``
takes. Instead pyrun keeps copies of pip under ``$data/pip/<version>/``; isolated
environments see one through a ``.pth`` line, and environments made without pip (uv
makes those) run one as ``<env python> $data/pip/current/pip``. pip then installs into
whichever environment's interpreter runs it.

One pip cannot run on every Python (pip 23.0.1, Debian 12's, crashes on 3.12), so each
minor version gets the newest pip found offline that runs on it (pipversions.py), and
``$data/pip/py3.X`` points at that copy. A copy is made from pyrun's own environment's
pip (with its ``__pycache__``) or extracted from a ``pip-*.whl`` (a wheel runs from its
extracted directory; bytecode is written on first use). ``pyrun rehash`` prepares a copy
for every minor version it makes shims for and points every isolated environment whose
copy cannot run its Python at one that can; creating an isolated environment prepares
the one it needs.

``$data/pip/current`` points at ``runner/``, small standard-library-only programs that
the shims run with an environment's interpreter, whatever its version:
``pip/__main__.py`` (`PIP_RUNNER`) runs the copy for ``sys.version_info``'s minor
version, asking pyrun for it first when there is none yet (``pyrun rehash --pip``);
``ownpip/__main__.py`` (`RUNNER`) runs the environment's own pip.

Every copy and the runner carry pyrun's install guard (pipguard.py, as
``_pyrun_pip_guard.py``), called from each copy's ``pip/__main__.py`` before pip's own
code loads, so an install pointed at the base interpreter or the user site is refused
however pip is started.

`RUNNER`: an environment that has a pip of its own (a project's ``.venv``, an activated
venv, a named conda environment) gets that pip through it, run as ``<env python>
$data/pip/current/ownpip ARGS`` by the pip shim. It loads the guard by its file path (the
runner's directory never goes on ``sys.path``, so ``import pip`` is the environment's
own), installs it, and runs the environment's pip as ``python -m pip`` would. So the
guard refuses there too, and an install or uninstall that changed the environment's bin/
makes its console scripts' shims (pipguard.rehash_scripts).

An older pyrun made ``current`` a link to its one copy; the first `ensure` points it at
the runner instead (one atomic rename), and the copy stays as a candidate.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pyrun import envguard, envpip, pipguard
from pyrun.errors import PyrunError, disk_error
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER

if TYPE_CHECKING:
    from pyrun.pipversions import Candidate

# importlib.metadata and packaging cost tens of milliseconds to import and only the
# creating branch of the slow path needs them, so they (and pipversions, which uses
# them) are imported where used.

_MARKER = ".pyrun-complete"
GUARD_MODULE = "_pyrun_pip_guard"
# Loaded by its path beside the copy, not imported: pip's ``--python`` runs this file
# again under another interpreter through ``__pip-runner__.py``, with only pip itself
# importable there.
_GUARD_CALL = f"""def _pyrun_guard():  # added by pyrun: no install into the base interpreter
    import importlib.util
    import os
    import sys

    guard = sys.modules.get("{GUARD_MODULE}")
    if guard is None:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        spec = importlib.util.spec_from_file_location(
            "{GUARD_MODULE}", os.path.join(here, "{GUARD_MODULE}.py")
        )
        guard = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(guard)
        sys.modules["{GUARD_MODULE}"] = guard
    guard.install()


_pyrun_guard()

"""
# What copies made before that call it with (replaced by `_add_guard`).
_OLD_GUARD_CALL = f"""import {GUARD_MODULE}  # added by pyrun: no install into the base interpreter

{GUARD_MODULE}.install()

"""
_MAIN_ANCHOR = 'if __name__ == "__main__":'
RUNNER_DIR = "runner"  # $data/pip/current points here
OWNPIP = "ownpip"  # in runner/: an environment's own pip, guarded
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


# Runs under the environment's Python (any version): standard library only.
PIP_RUNNER = f'''"""Written by pyrun (pipshare.py): the shared pip, run as `<env python> <this
directory> ARGS` by pyrun's pip shim in an environment without a pip of its own. One pip
cannot run on every Python, so this runs the copy made for this interpreter's minor
version, ../../py3.X, and asks pyrun to make it first when there is none yet."""

import os
import sys


def _prepare(data):
    """Have pyrun make the copy for this interpreter: None, or why it could not."""
    import json
    import subprocess

    try:
        with open(os.path.join(data, "shims", ".pyrun-shims.json")) as f:
            python = json.load(f)["python"]
        env = dict(os.environ)
        env["PYRUN_DATA_DIR"] = data
        done = subprocess.run(
            [python, "-I", "-m", "pyrun", "rehash", "--pip", sys.executable],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return "cannot run pyrun to copy pip for this Python (%s); run `pyrun rehash`" % (exc,)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = said[-1] if said else "pyrun exited %d" % done.returncode
        return last[len("pyrun: "):] if last.startswith("pyrun: ") else last
    return None


def _main():
    here = os.path.dirname(os.path.abspath(__file__))
    # This directory is sys.path[0]; nothing of it may shadow the copy's modules.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    shared = os.path.dirname(os.path.dirname(here))
    minor = "%d.%d" % sys.version_info[:2]
    copy = os.path.join(shared, "py" + minor)
    if not os.path.isfile(os.path.join(copy, "{_MARKER}")):
        why = _prepare(os.path.dirname(shared))
        if why is None and not os.path.isfile(os.path.join(copy, "{_MARKER}")):
            why = "pyrun made no copy of pip for Python %s; run `pyrun rehash`" % minor
        if why is not None:
            sys.stderr.write("pyrun: %s\\n" % why)
            return 1
    # The copy itself, not the link: a rehash that moves the link to a newer pip while
    # this one runs must not mix two versions' modules.
    sys.path.insert(0, os.path.realpath(copy))
    import runpy

    sys.argv[0] = "pip"  # pip names itself after argv[0] in its messages
    runpy.run_module("pip", run_name="__main__", alter_sys=False)
    return 0


sys.exit(_main())
'''
_RUNNER_FILES = {
    f"{GUARD_MODULE}.py": None,  # pipguard.py's source, read when written
    "pip/__main__.py": PIP_RUNNER,
    f"{OWNPIP}/__main__.py": RUNNER,
}


# What a damaged wheel raises when read (the copy is then made from the next pip found).
_BAD_WHEEL = (zipfile.BadZipFile, zlib.error, EOFError)


class NoPip(PyrunError):
    """No pip found offline runs on that Python: the one line names the fix."""


@dataclass(frozen=True)
class SharedPip:
    root: Path  # holds pip/ and pip-*.dist-info/
    version: str
    requires_python: str


def minor_link(paths: Paths, minor: str) -> Path:
    """``$data/pip/py3.X``: the copy that Python 3.X runs."""
    return paths.pip / f"py{minor}"


def for_minor(paths: Paths, minor: str) -> SharedPip | None:
    """The complete copy that Python `minor` runs, if there is one yet."""
    link = minor_link(paths, minor)
    if not (link / _MARKER).is_file():
        return None
    return _describe(link.resolve())


# -- the runner ------------------------------------------------------------------------


def runner_current(paths: Paths) -> bool:
    """Whether ``$data/pip/current`` is this pyrun's runner (a few small reads)."""
    current = paths.pip / "current"
    if os.path.realpath(current) != os.path.realpath(paths.pip / RUNNER_DIR):
        return False
    try:
        for name, text in _RUNNER_FILES.items():
            if (current / name).read_text(encoding="utf-8") != (text or _guard_source()):
                return False
    except (OSError, ValueError):
        return False
    return (current / _MARKER).is_file()


def ensure_runner(paths: Paths) -> None:
    """The runner in place and ``current`` pointing at it (what the shims run)."""
    if runner_current(paths):
        return
    paths.make(paths.locks)
    with exclusive(paths.locks / "pip.lock", "writing pip's runner"):
        _write_runner(paths)


def _write_runner(paths: Paths) -> None:
    """Under the pip lock: each file replaced atomically, then ``current`` moved onto the
    runner by one rename (a shim sees the old target or the new one)."""
    runner = paths.pip / RUNNER_DIR
    tmp = paths.pip / f".current.{os.getpid()}"
    try:
        paths.make(paths.pip)
        for name, text in _RUNNER_FILES.items():
            (runner / name).parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(runner / name, text or _guard_source())
        (runner / _MARKER).write_text("runner\n")
        if os.path.realpath(paths.pip / "current") != os.path.realpath(runner):
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(RUNNER_DIR)
            os.replace(tmp, paths.pip / "current")
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise disk_error(f"write pip's runner in {runner}", exc) from None


# -- choosing and making the copies ----------------------------------------------------


def copies(paths: Paths) -> list[Candidate]:
    """The complete copies under ``$data/pip``, as candidates."""
    from pyrun.pipversions import Candidate, parse_version

    found = []
    try:
        entries = list(paths.pip.iterdir())
    except OSError:
        return []
    for entry in entries:
        version = parse_version(entry.name)
        if version is None or entry.is_symlink() or not (entry / _MARKER).is_file():
            continue
        found.append(Candidate(version, "copy", entry))
    return found


def ensure_for(
    paths: Paths, minor: str, version: str | None = None, python: str | None = None
) -> SharedPip:
    """The copy that Python `version` (minor version `minor`, interpreter `python`) runs:
    the newest pip found offline that fits it, made and linked on first need. A Python
    that no pip found fits is one line naming the fix (NoPip); nothing is made."""
    from pyrun import pipversions

    pythons = {python: minor} if python else {}
    paths.make(paths.locks)
    with exclusive(paths.locks / "pip.lock", f"copying pip for Python {minor}"):
        found = pipversions.candidates(copies(paths), pythons)
        problem = _prepare(paths, found, minor, version, python)
        if problem is not None:
            raise NoPip(problem)
        if not runner_current(paths):
            _write_runner(paths)
    shared = for_minor(paths, minor)
    if shared is None:  # _prepare linked it; only a concurrent removal gets here
        raise PyrunError(f"the shared pip for Python {minor} vanished; run `pyrun rehash`")
    return shared


def ensure(paths: Paths, pythons: dict[str, str] | None = None) -> list[str]:
    """What ``pyrun rehash`` does: a copy for the minor version of each interpreter in
    `pythons` (path -> minor), of each isolated environment and of each copy linked
    already, each the newest that fits; every isolated environment pointed at one that
    runs its Python; the runner. Returns one line for each Python that no pip fits."""
    from pyrun import pipversions

    wanted = dict(pythons or {})
    envs = _shared_envs(paths)
    for _env, minor, _version, base in envs + _shared_envs(paths, without=True):
        wanted.setdefault(base, minor)
    minors: dict[str, str | None] = {}
    for python, minor in wanted.items():
        minors.setdefault(minor, python)
    for link in _links(paths):
        minors.setdefault(link.name[2:], None)
    problems = []
    paths.make(paths.locks)
    with exclusive(paths.locks / "pip.lock", "copying pip"):
        found = pipversions.candidates(copies(paths), wanted)
        for minor in sorted(minors, key=pipversions.minor_key):
            problem = _prepare(paths, found, minor, None, minors[minor])
            if problem is not None:
                problems.append(problem)
        for env, minor, version, base in envs:
            _relink_env(paths, env, minor, version, base)
        for env, minor, version, base in _shared_envs(paths, without=True):
            shared = for_minor(paths, minor)
            if shared is not None and runs_on(shared.root, minor, version, base):
                envpip.attach(env, minor, shared.root)
        # Environments may run a copy no minor version is linked to any more: each copy
        # gets this pyrun's guard.
        for copy in copies(paths):
            _refresh_guard(copy.source)
        if not runner_current(paths):
            _write_runner(paths)
        _hook_envs(paths)
    return problems


def runner_guard(paths: Paths) -> Path:
    """The guard that isolated environments load (envguard.py): the runner's copy, which
    every ``pyrun rehash`` keeps current."""
    return paths.pip / RUNNER_DIR / f"{GUARD_MODULE}.py"


def _hook_envs(paths: Paths) -> None:
    """Under the pip lock: every complete isolated environment, with or without pip
    (``ensurepip`` can give it one), loads the guard at start; one made by an older pyrun
    gets the hook here."""
    guard = runner_guard(paths)
    try:
        envs = [e for e in paths.envs.iterdir() if (e / COMPLETE_MARKER).is_file()]
    except OSError:
        return
    for env in envs:
        if not envguard.current(env, guard):
            try:
                envguard.add(env, guard)
            except OSError as exc:
                raise disk_error(f"add pip's install guard to {env}", exc) from None


def _links(paths: Paths) -> list[Path]:
    try:
        return [p for p in paths.pip.glob("py3.*") if p.is_symlink()]
    except OSError:
        return []


def _prepare(
    paths: Paths,
    found: list[Candidate],
    minor: str,
    version: str | None,
    python: str | None,
) -> str | None:
    """Under the pip lock: link ``py<minor>`` to a copy of the newest candidate that
    fits, made when needed; the one line saying why not, or None."""
    from pyrun import pipversions

    bundled = pipversions.bundled_version(python, minor) if python else None
    while True:
        chosen = pipversions.choose(found, minor, version, bundled)
        if chosen is None:
            return "; ".join(pipversions.no_fit(found, minor, version, bundled))
        try:
            root = _make_copy(paths, chosen)
        except _BAD_WHEEL:
            found.remove(chosen)  # a damaged wheel: the next one
            continue
        break
    if chosen.kind != "copy":
        # The next minor version that picks it finds the copy made.
        found[found.index(chosen)] = pipversions.Candidate(chosen.version, "copy", root)
    _refresh_guard(root)
    link = minor_link(paths, minor)
    if os.path.realpath(link) != os.path.realpath(root):
        tmp = paths.pip / f".{link.name}.{os.getpid()}"
        try:
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(root.name)
            os.replace(tmp, link)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise disk_error(f"link {link} to {root}", exc) from None
    return None


def _make_copy(paths: Paths, chosen: Candidate) -> Path:
    """The copy of `chosen` under ``$data/pip/<version>``, made when it is not there.

    Made beside the others under a temporary name and renamed into place: a copy cut
    short (a full disk, a kill) never carries the marker, and is removed when the copy
    fails."""
    if chosen.kind == "copy":
        return chosen.source
    target = paths.pip / str(chosen.version)
    if (target / _MARKER).is_file():
        return target
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        paths.make(paths.pip)
        if chosen.kind == "dist":
            # __pycache__ comes along: without it every pip start compiles pip from
            # source (and nothing rewrites it where PYTHONDONTWRITEBYTECODE is set).
            _copytree(chosen.source.parent / "pip", staging / "pip")
            _copytree(chosen.source, staging / chosen.source.name)
        else:
            _extract(chosen.source, staging)
        # The copy is read-only in spirit: pip refuses to uninstall it from an
        # environment because it lies outside that environment's prefix.
        _add_guard(staging)
        (staging / _MARKER).write_text(f"{chosen.version}\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise disk_error(f"copy pip to {target}", exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _extract(wheel: Path, staging: Path) -> None:
    """pip's package and its .dist-info out of a wheel (nothing else, nothing outside)."""
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            parts = PurePosixPath(member.filename).parts
            if not parts or ".." in parts or member.filename.startswith("/"):
                continue
            top = parts[0]
            if top == "pip" or (top.startswith("pip-") and top.endswith(".dist-info")):
                archive.extract(member, staging)
    if not (staging / "pip" / "__main__.py").is_file():
        raise zipfile.BadZipFile(f"{wheel} holds no pip/__main__.py")


# -- isolated environments ---------------------------------------------------------------


def _shared_envs(paths: Paths, without: bool = False) -> list[tuple[Path, str, str, str]]:
    """(environment, minor, version, base) of each complete isolated environment that
    runs a shared copy (it has the ``.pth`` line); with `without`, of those made without
    one instead, because no pip found then ran on their Python (envpip.NO_PIP)."""
    found = []
    try:
        envs = list(paths.envs.iterdir())
    except OSError:
        return []
    for env in envs:
        try:
            marker = json.loads((env / COMPLETE_MARKER).read_text())
            version, base = str(marker["version"]), str(marker["base"])
            pth = envpip.site_packages(env) / envpip.PIP_PTH
        except (OSError, ValueError, KeyError, TypeError, PyrunError):
            continue
        if (marker.get("pip") == envpip.NO_PIP) if without else pth.is_file():
            found.append((env, ".".join(version.split(".")[:2]), version, base))
    return found


def runs_on(root: Path | None, minor: str, version: str | None, python: str | None) -> bool:
    """Whether the copy at `root` is complete and runs on that Python."""
    from pyrun import pipversions

    if root is None or not (root / _MARKER).is_file():
        return False
    shared = _describe(root)
    parsed = pipversions.parse_version(shared.version)
    if parsed is None:
        return False
    bundled = pipversions.bundled_version(python, minor) if python else None
    candidate = pipversions.Candidate(parsed, "copy", root, shared.requires_python)
    return pipversions.fits(candidate, minor, version, bundled)


def _relink_env(paths: Paths, env: Path, minor: str, version: str, base: str) -> None:
    """Under the pip lock: an environment whose copy cannot run its Python (made by an
    older pyrun, when one pip served every Python) is pointed at the one that can."""
    if runs_on(envpip.copy_of(env), minor, version, base):
        return
    shared = for_minor(paths, minor)
    if shared is None or not runs_on(shared.root, minor, version, base):
        return  # no pip fits: `ensure` said so, and `pyrun doctor` names the environment
    pth = envpip.site_packages(env) / envpip.PIP_PTH
    try:
        _write_atomically(pth, f"{shared.root}\n")
    except OSError as exc:
        raise disk_error(f"point {env} at the shared pip {shared.root}", exc) from None


REHASH = "run `pyrun rehash`"


def problems(paths: Paths, minors: dict[str, str | None]) -> list[tuple[str, str]]:
    """What ``pyrun doctor`` says about the shared pip, as (problem, fix): the runner,
    each minor version in `minors` (-> the interpreter the shims find for it, or None)
    and each isolated environment, whose copy must run its Python. Changes nothing."""
    from pyrun import pipversions

    found = pipversions.candidates(copies(paths), {p: m for m, p in minors.items() if p})

    def unfit(minor: str, version: str | None, python: str | None) -> tuple[str, str] | None:
        """None when some pip found fits (a rehash puts it in place), else why not."""
        bundled = pipversions.bundled_version(python, minor) if python else None
        if pipversions.choose(found, minor, version, bundled) is not None:
            return None
        return pipversions.no_fit(found, minor, version, bundled)

    said: list[tuple[str, str]] = []
    if not runner_current(paths):
        said.append(
            (
                f"{paths.pip / 'current'} is not this pyrun's pip runner, so `pip` in an "
                "environment without pip may run a pip too old for its Python",
                REHASH,
            )
        )
    for minor, python in minors.items():
        shared = for_minor(paths, minor)
        if shared is not None and runs_on(shared.root, minor, None, python):
            continue
        none_fits = unfit(minor, None, python)
        if none_fits is not None:
            said.append(none_fits)
        elif shared is None:
            said.append((f"there is no shared pip for Python {minor} yet", REHASH))
        else:
            what = f"the shared pip for Python {minor}, pip {shared.version}, cannot run on it"
            said.append((what, REHASH))
    for env, minor, version, base in _shared_envs(paths):
        copy = envpip.copy_of(env)
        if runs_on(copy, minor, version, base):
            continue
        complete = copy is not None and (copy / _MARKER).is_file()
        running = f"pip {_describe(copy).version}" if complete and copy else f"{copy}"
        none_fits = unfit(minor, version, base)
        said.append(
            (
                f"the isolated environment {env} (Python {version}) runs {running}, which "
                "cannot run on it",
                REHASH if none_fits is None else none_fits[1],
            )
        )
    for env, minor, version, base in _shared_envs(paths, without=True):
        none_fits = unfit(minor, version, base)
        said.append(
            (
                f"the isolated environment {env} (Python {version}) has no pip: "
                + ("one runs on it now" if none_fits is None else none_fits[0]),
                REHASH if none_fits is None else none_fits[1],
            )
        )
    return said


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


def _refresh_guard(root: Path) -> None:
    if not _guard_current(root):
        try:
            _add_guard(root)
        except OSError as exc:
            raise disk_error(f"update pip's install guard in {root}", exc) from None


def _guard_source() -> str:
    return Path(pipguard.__file__).read_text(encoding="utf-8")


def _guard_current(root: Path) -> bool:
    try:
        guard = (root / f"{GUARD_MODULE}.py").read_text(encoding="utf-8")
        main = (root / "pip" / "__main__.py").read_text(encoding="utf-8")
    except OSError:
        return False
    return guard == _guard_source() and _GUARD_CALL in main


def _add_guard(root: Path) -> None:
    """Write the guard beside the copy and call it from the copy's __main__ (once)."""
    guard = root / f"{GUARD_MODULE}.py"
    _write_atomically(guard, _guard_source())
    main = root / "pip" / "__main__.py"
    text = main.read_text(encoding="utf-8").replace(_OLD_GUARD_CALL, "")
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
