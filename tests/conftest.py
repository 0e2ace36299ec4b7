"""The world every test runs in: its own HOME, its own base interpreters, real shims.

Nothing here touches the machine's Pythons. A *base interpreter* is built per session
from a real CPython: its binary copied into ``base-3.X/bin``, its standard library
linked entry by entry, and an empty ``site-packages`` of its own that ensurepip fills
with pip, so ``sys.prefix`` is the throwaway directory. Every test that can mutate it
ends by asserting it is byte-for-byte what it was (and that no user site appeared).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyrun import compiled
from tests.wheels import build_wheel

PYRUN = str(Path(sys.executable).parent / "pyrun")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def real_python(minor: str) -> Path | None:
    """A real CPython of that minor version to copy from: pyenv's, else ours."""
    candidates = [Path.home() / ".pyenv" / "versions"]
    for root in candidates:
        if root.is_dir():
            for version in sorted(root.iterdir(), reverse=True):
                exe = version / "bin" / f"python{minor}"
                if version.name.startswith(minor + ".") and exe.is_file():
                    return exe
    ours = Path(sys.base_prefix) / "bin" / f"python{minor}"
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == minor and ours.is_file():
        return ours
    return None


def need(thing: object, what: str) -> None:
    """A missing tool is a skip on a laptop and a failure in CI."""
    if thing:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available here")


@dataclass(frozen=True)
class Base:
    """A throwaway base interpreter: prefix, its bin/ for PATH, and its minor version."""

    prefix: Path
    minor: str

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def python(self) -> Path:
        return self.bin / f"python{self.minor}"

    @property
    def site_packages(self) -> Path:
        return self.prefix / "lib" / f"python{self.minor}" / "site-packages"


def make_base(root: Path, real: Path, minor: str) -> Base:
    real_prefix = real.resolve().parent.parent
    prefix = root / f"base-{minor}"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(real, prefix / "bin" / f"python{minor}")
    (prefix / "bin" / "python3").symlink_to(f"python{minor}")
    stdlib = prefix / "lib" / f"python{minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in (real_prefix / "lib" / f"python{minor}").iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry)
    env = clean_env({"HOME": str(root / "ensurepip-home")})
    subprocess.run(
        [str(prefix / "bin" / f"python{minor}"), "-m", "ensurepip"],
        env=env,
        check=True,
        capture_output=True,
    )
    return Base(prefix, minor)


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


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with nothing from this machine that changes Python or pip."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "CONDA", "_CONDA", "PYRUN_", "UV_"))
        and key not in ("PYENV_VERSION",)
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
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Base]:
    root = tmp_path_factory.mktemp("bases")
    made: dict[str, Base] = {}
    for minor in ("3.11", "3.12"):
        real = real_python(minor)
        if real is not None:
            made[minor] = make_base(root, real, minor)
    return made


@pytest.fixture(scope="session")
def base_snapshots(bases: dict[str, Base]) -> dict[str, dict[str, str]]:
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
    shims, the 3.11 base and any extra bases, then /usr/bin and /bin. The shims are what
    a user gets here (compiled when a C compiler works) unless flavour says "sh" or "c"."""
    home = root / "home"
    home.mkdir()
    world = World(root=root, home=home, base=bases["3.11"], bases=bases, wheelhouse=wheelhouse)
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
    for minor, base in bases.items():
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
    need(bases.get("3.11"), "a CPython 3.11 to build a throwaway base interpreter from")
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
    need(bases.get("3.11"), "a CPython 3.11 to build a throwaway base interpreter from")
    name = request.module.__name__.rsplit(".", 1)[-1]
    made = new_world(tmp_path_factory.mktemp(name), bases, wheelhouse)
    yield made
    assert_bases_untouched(bases, base_snapshots, made.home)
