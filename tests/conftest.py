"""The world every test runs in: its own HOME, its own base interpreters, real shims.

Nothing here touches the machine's Pythons. A *base interpreter* is built per session
from a real CPython: its binary copied into ``base-3.X/bin``, its standard library
linked entry by entry, and an empty ``site-packages`` of its own that ensurepip fills
with pip, so ``sys.prefix`` is the throwaway directory. Every test that can mutate it
ends by asserting it is byte-for-byte what it was (and that no user site appeared).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyrun import compiled
from tests.wheels import build_wheel

PYRUN = str(Path(sys.executable).parent / "pyrun")
UV = Path(sys.executable).parent / "uv"  # the uv the tests install, a test dependency
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# What a copy of the checkout leaves out (to install pyrun from, as install.sh does).
NOT_THE_CHECKOUT = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-wheelhouse*",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "bench",
)


# Minors the suite builds bases for: the first is the one a world's `python` finds, the
# second is "another version on PATH". A machine with only one of them (a fresh Debian
# has 3.11, Ubuntu 24.04 has 3.12) skips the tests that need the other, with the reason.
MINORS = ("3.11", "3.12")


@functools.cache
def real_pythons() -> dict[str, Path]:
    """Real CPythons to copy bases from, by minor version.

    ``PYRUN_TEST_PYTHONS`` (paths, separated by spaces or colons) names them; else, per
    minor, pyenv's newest build, the interpreter running the tests, then ``python3.X``
    in /usr/local/bin and /usr/bin (the distribution's).
    """
    named = os.environ.get("PYRUN_TEST_PYTHONS", "").replace(":", " ").split()
    if named:
        found: dict[str, Path] = {}
        for path in named:
            minor = _minor_of(path)
            if minor is None:
                pytest.exit(f"PYRUN_TEST_PYTHONS names {path}, which does not run as Python 3", 2)
            found.setdefault(minor, Path(path))
        return found
    found = {}
    for minor in MINORS:
        real = _find(minor)
        if real is not None:
            found[minor] = real
    return found


@functools.cache
def _find(minor: str) -> Path | None:
    for candidate in _candidates(minor):
        if candidate.is_file() and _minor_of(str(candidate)) == minor:
            return candidate
    return None


def _candidates(minor: str) -> Iterator[Path]:
    versions = Path.home() / ".pyenv" / "versions"
    if versions.is_dir():
        for version in sorted(versions.iterdir(), reverse=True):
            if version.name.startswith(minor + "."):
                yield version / "bin" / f"python{minor}"
    yield Path(sys.base_prefix) / "bin" / f"python{minor}"
    yield Path("/usr/local/bin") / f"python{minor}"
    yield Path("/usr/bin") / f"python{minor}"


def _minor_of(python: str) -> str | None:
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            env={**clean_env(), "PYRUN_DISABLE": "1"},
            check=False,
        )
    except OSError:
        return None
    minor = done.stdout.strip()
    return minor if done.returncode == 0 and minor.startswith("3.") else None


def real_python(minor: str) -> Path | None:
    """A real CPython of that minor version to copy from, or None: one of the bases'
    (real_pythons), or for another minor (tests of the oldest and newest Pythons) the
    first found the same way, unless PYRUN_TEST_PYTHONS names them all."""
    if minor in real_pythons() or os.environ.get("PYRUN_TEST_PYTHONS", "").strip():
        return real_pythons().get(minor)
    return _find(minor)


def need(thing: object, what: str) -> None:
    """A missing tool is a skip on a laptop and a failure in CI.

    The skip reason starts with ``needs``: the summary at the end of the run
    (pytest_terminal_summary) counts the tests each missing thing skipped."""
    if thing:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"needs {what}, which is not available here")


class Bases(dict):  # type: ignore[type-arg]
    """The throwaway bases by minor version. Asking for a minor this machine has no
    Python of skips the test with the reason (a fresh machine has one Python), unless
    ``PYRUN_TEST_REQUIRE_MINORS`` names it: CI on the development machine sets it, so
    that a Python gone missing there fails instead of shrinking the suite silently."""

    def __missing__(self, minor: str) -> Base:
        have = ", ".join(sorted(self)) or "none"
        what = f"a CPython {minor} to build a throwaway base interpreter from (found: {have})"
        if minor in os.environ.get("PYRUN_TEST_REQUIRE_MINORS", "").replace(",", " ").split():
            pytest.fail(f"{what} is required (PYRUN_TEST_REQUIRE_MINORS)")
        pytest.skip(f"needs {what}")

    @property
    def primary(self) -> Base:
        """The base a world's `python` finds: the tests' own minor when there is a base
        of it (the distribution's Python on a fresh machine), else the first of MINORS."""
        mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
        if mine in self:
            return self[mine]
        return self[next((m for m in MINORS if m in self), MINORS[0])]


@dataclass(frozen=True)
class Base:
    """A throwaway base interpreter: prefix, its bin/ for PATH, its minor version, and
    the site-packages its own pip installs into (``lib/python3.X/site-packages``, or on
    a Debian-built Python ``local/lib/python3.X/dist-packages``)."""

    prefix: Path
    minor: str
    site_packages: Path

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def python(self) -> Path:
        return self.bin / f"python{self.minor}"

    @property
    def stdlib(self) -> Path:
        """Its standard library: entries linked to the real one's, so never write in it."""
        return self.prefix / "lib" / f"python{self.minor}"


def need_minor(bases: dict[str, Base], minor: str) -> Base:
    """The base of `minor`; a machine without one skips the test (Bases.__missing__)."""
    return bases[minor] if minor in bases else Bases(bases)[minor]


def primary(bases: dict[str, Base]) -> Base:
    """The base a world's `python` finds (Bases.primary), for a plain dict too."""
    return Bases(bases).primary


def make_base(root: Path, real: Path, minor: str) -> Base:
    """Copy `real` into ``root/base-X.Y`` with its standard library linked entry by
    entry and a pip of its own: from ensurepip where the Python allows it, else (Debian
    and Ubuntu disable ensurepip for the system Python) from a pip wheel on the machine,
    installed by that wheel's own pip. A failure says why instead of erroring every test."""
    real_prefix = real.resolve().parent.parent
    prefix = root / f"base-{minor}"
    (prefix / "bin").mkdir(parents=True)
    python = prefix / "bin" / f"python{minor}"
    shutil.copy2(real, python)
    (prefix / "bin" / "python3").symlink_to(f"python{minor}")
    stdlib = prefix / "lib" / f"python{minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in (real_prefix / "lib" / f"python{minor}").iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry)
    env = clean_env({"HOME": str(root / "ensurepip-home"), "PYRUN_DISABLE": "1"})
    tried = subprocess.run(
        [str(python), "-m", "ensurepip"], env=env, capture_output=True, text=True, check=False
    )
    if tried.returncode != 0:
        wheel = pip_wheel(real_prefix / "lib" / f"python{minor}")
        if wheel is None:
            last = (tried.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.fail(
                f"cannot give the throwaway base {prefix} a pip: `-m ensurepip` failed "
                f"({last}) and there is no pip wheel in {real_prefix}/lib/python{minor}/"
                "ensurepip/_bundled or /usr/share/python-wheels (Debian: apt-get install "
                "python3-pip-whl)",
                pytrace=False,
            )
        installed = subprocess.run(
            [str(python), f"{wheel}/pip", "install", "--no-index", "--no-deps",
             "--break-system-packages", str(wheel)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            pytest.fail(
                f"cannot give the throwaway base {prefix} a pip from {wheel}: "
                f"{installed.stdout}{installed.stderr}",
                pytrace=False,
            )
    where = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Base(prefix, minor, Path(where.stdout.strip()))


def pip_wheel(stdlib: Path) -> Path | None:
    """The newest pip wheel a Python's ensurepip would use: its own bundled one, else the
    distribution's (Debian's python3-pip-whl)."""
    from packaging.version import InvalidVersion, Version

    def version(wheel: Path) -> Version:
        try:
            return Version(wheel.name.split("-")[1])
        except (IndexError, InvalidVersion):
            return Version("0")

    wheels = [*(stdlib / "ensurepip" / "_bundled").glob("pip-*.whl")]
    wheels += Path("/usr/share/python-wheels").glob("pip-*.whl")
    return max(wheels, key=version, default=None)


def snapshot(root: Path) -> dict[str, str]:
    """Every file, link and directory under root with its content digest or target."""
    state: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                state[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                state[rel] = "dir"
            else:
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return state


def fingerprint(root: Path) -> dict[str, tuple[int, ...]]:
    """Every entry under root with its inode, size, mode and modification and change
    times. The kernel moves an inode's change time on every write to it, every chmod
    and every link made or removed, and a directory's on every entry added, removed or
    renamed, and no call sets it back: an equal fingerprint proves that no byte under
    root changed since it was taken, in a fiftieth of the time of reading every byte
    (`snapshot`), which `assert_bases_untouched` falls back to when it differs."""
    state: dict[str, tuple[int, ...]] = {}
    start = len(str(root)) + 1
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            state[path[start:]] = (
                st.st_ino,
                st.st_size,
                st.st_mode,
                st.st_mtime_ns,
                st.st_ctime_ns,
            )
    return state


# Each base's fingerprint, taken with its snapshot (`base_snapshots`), by prefix.
BASE_FINGERPRINTS: dict[str, dict[str, tuple[int, ...]]] = {}


PROJECT_TOOL_SETTINGS = (
    "PDM_", "POETRY_", "HATCH_", "PIPENV_", "PIPX_", "TOX_", "NOX_", "PRE_COMMIT", "VIRTUALENV_",
)  # fmt: skip


def pyrun_messages(stderr: str) -> list[str]:
    """pyrun's own lines in a command's stderr (each starts ``pyrun: ``)."""
    return [line for line in stderr.splitlines() if line.startswith("pyrun: ")]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with nothing from this machine that changes Python or pip."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "CONDA", "_CONDA", "PYRUN_", "UV_"))
        # the project tools tests/test_tools.py drives read their settings from these
        and not key.startswith(PROJECT_TOOL_SETTINGS)
        # pyenv's own builds are found without PATH (installed.py): never this machine's
        and key not in ("PYENV_VERSION", "PYENV_ROOT")
    }
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INDEX": "1",
            "PIP_NO_CACHE_DIR": "1",
            "LC_ALL": "C.UTF-8",
        }
    )
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Bases:
    root = tmp_path_factory.mktemp("bases")
    made = Bases()
    for minor, real in sorted(real_pythons().items()):
        made[minor] = make_base(root, real, minor)
    return made


@pytest.fixture(scope="session")
def base_snapshots(bases: dict[str, Base]) -> dict[str, dict[str, str]]:
    for base in bases.values():
        BASE_FINGERPRINTS[str(base.prefix)] = fingerprint(base.prefix)
    return {minor: snapshot(base.prefix) for minor, base in bases.items()}


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    house = tmp_path_factory.mktemp("wheelhouse")
    build_wheel(house, "pyrun_probe", "1.0", scripts={"pyrun-probe": "pyrun_probe:main"})
    build_wheel(house, "pyrun_other", "2.0")
    return house


@dataclass
class World:
    """One user's machine: HOME, data dir, PATH with shims first and base interpreters."""

    root: Path
    home: Path
    base: Base
    bases: dict[str, Base]
    wheelhouse: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.home / ".local" / "share" / "pyrun"

    @property
    def shims(self) -> Path:
        return self.data / "shims"

    @property
    def envs(self) -> Path:
        return self.data / "envs"

    def path_with(self, *dirs: Path | str) -> str:
        return os.pathsep.join([str(d) for d in dirs] + ["/usr/bin", "/bin"])

    def run(
        self,
        argv: list[str] | str,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        input: bytes | None = None,
        check: bool = False,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run argv (or a bash script when a string) as the user would."""
        if isinstance(argv, str):
            argv = ["bash", "--norc", "--noprofile", "-c", argv]
        merged = {**self.env, **(env or {})}
        for key, value in list(merged.items()):
            if value is None:
                del merged[key]
        done = subprocess.run(
            argv,
            cwd=str(cwd or self.root),
            env=merged,
            input=input.decode() if input is not None else None,
            capture_output=True,
            text=True,
            errors="surrogateescape",  # a path's bytes, as Python's os functions give them
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{argv} exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
            )
        return done

    def pyrun(
        self, *args: str, cwd: Path | str | None = None, **kw: object
    ) -> subprocess.CompletedProcess[str]:
        return self.run([PYRUN, *args], cwd=cwd, **kw)  # type: ignore[arg-type]

    def shim(self, name: str, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.shims / name), *args], **kw)  # type: ignore[arg-type]

    def prefix_of(self, name: str = "python", cwd: Path | str | None = None, **kw: object) -> str:
        done = self.run(
            [name, "-c", "import sys; print(sys.prefix)"],
            cwd=cwd,
            check=True,
            **kw,  # type: ignore[arg-type]
        )
        return done.stdout.strip()

    def venv(self, where: Path, base: Base | None = None, pip: bool = False) -> Path:
        """A real virtual environment made by the base interpreter's venv module; with
        pip only when asked (ensurepip costs seconds, and pip-less venvs are real too)."""
        python = (base or self.base).python
        args = [str(python), "-m", "venv", str(where)]
        if not pip:
            args.insert(3, "--without-pip")
        subprocess.run(
            args, check=True, capture_output=True, env=clean_env({"HOME": str(self.home)})
        )
        return where


def new_world(
    root: Path,
    bases: dict[str, Base],
    wheelhouse: Path,
    *extra_bases: Base,
    flavour: str | None = None,
) -> World:
    """A user's machine under root: own HOME and XDG dirs, shims generated, PATH with the
    shims, the primary base (Bases.primary) and any extra bases, then /usr/bin and /bin.
    The shims are what a user gets here (compiled when a C compiler works) unless
    flavour says "sh" or "c"."""
    home = root / "home"
    home.mkdir()
    world = World(root=root, home=home, base=primary(bases), bases=bases, wheelhouse=wheelhouse)
    world.env = clean_env(
        {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PIP_FIND_LINKS": str(wheelhouse),
        }
    )
    if flavour is not None:
        world.env["PYRUN_SHIM"] = flavour
    world.env["PATH"] = world.path_with(
        world.shims, world.base.bin, *(base.bin for base in extra_bases)
    )
    subprocess.run([PYRUN, "rehash", "-q"], env=world.env, check=True, cwd=root)
    return world


def assert_bases_untouched(
    bases: dict[str, Base], base_snapshots: dict[str, dict[str, str]], home: Path
) -> None:
    """Every base byte for byte as the session found it (its `fingerprint` unchanged,
    or else every file read and compared), and no user site-packages in `home`."""
    for minor, base in bases.items():
        if fingerprint(base.prefix) == BASE_FINGERPRINTS.get(str(base.prefix)):
            continue
        assert snapshot(base.prefix) == base_snapshots[minor], f"base {minor} was modified"
    assert not (home / ".local" / "lib").exists(), "a user site-packages appeared"


@pytest.fixture
def shim_flavour() -> str | None:
    """Which shims `world` gets: None for what a user gets. A module about the shims
    themselves overrides this with params=SHIM_FLAVOURS to run each test with both."""
    return None


SHIM_FLAVOURS = ["sh", "c"]


def flavour_needs(flavour: str | None) -> None:
    if flavour == "c":
        need(compiled.compiler(), "a C compiler, to build the compiled shim")


@pytest.fixture
def world(
    tmp_path: Path,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
    wheelhouse: Path,
    shim_flavour: str | None,
) -> Iterator[World]:
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    flavour_needs(shim_flavour)
    world = new_world(tmp_path, bases, wheelhouse, flavour=shim_flavour)
    yield world
    assert_bases_untouched(bases, base_snapshots, world.home)


@pytest.fixture(scope="module")
def module_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
    wheelhouse: Path,
) -> Iterator[World]:
    """One world shared by a module's tests (a world costs a rehash and a compile), with
    the base interpreters checked byte for byte once the module is done."""
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    name = request.module.__name__.rsplit(".", 1)[-1]
    made = new_world(tmp_path_factory.mktemp(name), bases, wheelhouse)
    yield made
    assert_bases_untouched(bases, base_snapshots, made.home)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked ``sh_in_stress`` runs its cases through the compiled shim in the
    default run and through the sh shim in the stress set, which CI runs beside it:
    the slowest of the per-flavour repeats (ownership, version files, odd input), so
    that the default run stays under ten minutes. test_agreement still holds both
    copies of the walk to the resolver there. ``PYRUN_TEST_EVERY_FLAVOUR=1`` keeps
    both in the default run (.ci/fresh-debian sets it: a machine without a compiler
    runs the sh shims)."""
    if os.environ.get("PYRUN_TEST_EVERY_FLAVOUR") == "1":
        return
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec is None or item.get_closest_marker("sh_in_stress") is None:
            continue
        if "sh" in (spec.params.get(key) for key in ("setup", "shim_flavour", "flavour")):
            item.add_marker(pytest.mark.stress)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per thing this machine lacks, with the number of tests it skipped, so
    a laptop run says what it did not test (scripts/test.sh says how to install each)."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = str(reason).removeprefix("Skipped: ")
        if reason.startswith("needs "):
            what = reason[len("needs ") :].removesuffix(", which is not available here")
            counts[what] = counts.get(what, 0) + 1
    if counts:
        terminalreporter.section("skipped for what this machine lacks")
        for what, number in sorted(counts.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{number:5d} skipped, each needs {what}")


@pytest.fixture
def public_root() -> Iterator[Path]:
    """A directory every user can reach (pytest's own tmp is root's alone)."""
    root = Path(tempfile.mkdtemp(prefix="pyrun-public-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root)
