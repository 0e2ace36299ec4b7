"""pip works for every base interpreter pyrun serves, whatever Python pyrun runs on.

The machine of the bug report: pyrun installed on an old Python with an old pip (here
the oldest pyrun supports, 3.9, in a venv given Debian 12's pip 23.0.1 from
``/usr/share/python-wheels``, with pyrun installed offline from ``.venv-wheelhouse``
and the checkout), and newer Pythons on PATH. pip 23.0.1 crashes on 3.12 at its first
start (``pkgutil.ImpImporter``), so one shared copy of pyrun's own pip cannot serve
them all: each minor version must get a pip that runs on it (pipshare.py,
pipversions.py). Every base here is a throwaway copy of a pyenv build, checked byte for
byte at the end; the pyenv builds themselves are only read.

Which pip each Python should get is computed here from the files the machine holds (the
newest pip found offline that the table in pipversions.py lets run on that Python), and
then shown by the pip that actually runs: `pip3.X install` through the shims, and
`python3.X -c 'import probe'` seeing what it installed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pyrun import pipversions
from pyrun.pipversions import FIRST_PIP, Candidate, choose
from tests.conftest import NOT_THE_CHECKOUT, Base, clean_env, need, real_python, snapshot
from tests.wheels import build_wheel

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / ".venv-wheelhouse"
SYSTEM_WHEELS = Path("/usr/share/python-wheels")
MINORS = ("3.9", "3.10", "3.11", "3.12", "3.13")
# pyrun's dependencies on 3.9, and its build backend
NEEDED_ON_39 = ("psutil", "packaging", "platformdirs", "shellingham", "tomli", "setuptools")


# -- the pieces: throwaway bases, pyrun on 3.9 with pip 23.0.1, a user's account ----------


def bare_base(root: Path, minor: str, ensurepip: bool = True) -> Base:
    """A throwaway base as conftest's make_base makes one (the binary copied, the standard
    library linked entry by entry, a site-packages of its own), without running ensurepip
    into it: pyrun's environments never see the base's site-packages, and a Debian
    python3 without python3-pip has none. Without `ensurepip`, its standard library has
    no ensurepip at all, as Debian's python3.X without python3.X-venv."""
    real = real_python(minor)
    need(real, f"a CPython {minor} to build a throwaway base interpreter from")
    assert real is not None
    prefix = root / f"base-{minor}{'' if ensurepip else '-no-ensurepip'}"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(real, prefix / "bin" / f"python{minor}")
    (prefix / "bin" / "python3").symlink_to(f"python{minor}")
    stdlib = prefix / "lib" / f"python{minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in (real.resolve().parent.parent / "lib" / f"python{minor}").iterdir():
        if entry.name != "site-packages" and (ensurepip or entry.name != "ensurepip"):
            (stdlib / entry.name).symlink_to(entry)
    return Base(prefix, minor, stdlib / "site-packages")


def wheel_version(wheel: Path) -> Version:
    return Version(wheel.name.split("-")[1])


def requires_python(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [
            n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1
        ]
        for line in archive.read(name).decode().splitlines():
            if line.lower().startswith("requires-python:"):
                return line.split(":", 1)[1].strip()
    return ""


def installable_on_39(name: str) -> bool:
    return any(
        SpecifierSet(requires_python(wheel)).contains("3.9")
        for wheel in WHEELHOUSE.glob(f"{name}-*.whl")
    )


def old_system_pip() -> Path | None:
    """Debian 12's pip wheel (python3-pip-whl), too old for 3.12."""
    found = [w for w in SYSTEM_WHEELS.glob("pip-*.whl") if wheel_version(w) < Version("23.2")]
    return max(found, key=wheel_version, default=None)


def run(argv: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=300, check=False, **kw
    )  # type: ignore[call-overload]
    return done  # type: ignore[no-any-return]


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args} exited {done.returncode}\n{done.stderr}"
    return done


@dataclass
class PyrunOn39:
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def pyrun(self) -> Path:
        return self.venv / "bin" / "pyrun"

    def own_pip(self) -> tuple[Version, str]:
        (info,) = self.venv.glob("lib/python3.9/site-packages/pip-*.dist-info")
        text = (info / "METADATA").read_text()
        requires = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.lower().startswith("requires-python:")
            ),
            "",
        )
        return Version(info.name[len("pip-") : -len(".dist-info")]), requires


def pyenv_untouched_parts(real: Path) -> dict[str, str]:
    """What a pip install into the pyenv build would change: its bin/ and site-packages."""
    prefix = real.resolve().parent.parent
    state = {}
    for part in (prefix / "bin", prefix / "lib" / "python3.9" / "site-packages"):
        state.update({f"{part.name}/{k}": v for k, v in snapshot(part).items()})
    return state


@pytest.fixture(scope="module")
def pyrun39(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PyrunOn39]:
    """pyrun installed offline into a venv of the pyenv 3.9 build, whose pip is Debian's
    23.0.1 (installed from its wheel), as a user of Debian 12 with pyenv would have it."""
    real = real_python("3.9")
    need(real, "a CPython 3.9 (pyenv's) for pyrun to run on")
    assert real is not None
    pip_wheel = old_system_pip()
    need(pip_wheel, f"Debian's pip 23.0.1 wheel in {SYSTEM_WHEELS} (apt install python3-pip-whl)")
    assert pip_wheel is not None
    need(
        all(installable_on_39(name) for name in NEEDED_ON_39),
        f"{WHEELHOUSE} with wheels of {', '.join(NEEDED_ON_39)} that install on Python 3.9 "
        "(scripts/test.sh builds it; it must fetch them for the oldest Python pyrun supports)",
    )
    before = pyenv_untouched_parts(real)
    root = tmp_path_factory.mktemp("pyrun39")
    env = clean_env({"HOME": str(root / "home")})
    venv = root / "venv"
    ok(run([str(real), "-m", "venv", "--without-pip", str(venv)], env))
    python = str(venv / "bin" / "python")
    ok(run([python, f"{pip_wheel}/pip", "install", "--no-index", str(pip_wheel)], env))
    checkout = root / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_THE_CHECKOUT, symlinks=True)
    links = ["--no-index", "--find-links", str(WHEELHOUSE)]
    ok(run([python, "-m", "pip", "install", *links, str(checkout)], env))
    installed = PyrunOn39(venv)
    assert installed.own_pip()[0] == wheel_version(pip_wheel)
    yield installed
    assert pyenv_untouched_parts(real) == before, "the pyenv 3.9 build was written"


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    house = tmp_path_factory.mktemp("probes")
    build_wheel(house, "probe", "1.0")
    build_wheel(house, "probe_two", "1.0")
    return house


@dataclass
class Account:
    """One user: HOME, XDG directories, PATH with the shims first, pyrun on 3.9."""

    root: Path
    pyrun39: PyrunOn39
    probes: Path
    path: list[Path]

    @property
    def data(self) -> Path:
        return self.root / "home" / ".local" / "share" / "pyrun"

    @property
    def shims(self) -> Path:
        return self.data / "shims"

    def env(self) -> dict[str, str]:
        home = self.root / "home"
        return clean_env(
            {
                "HOME": str(home),
                "XDG_DATA_HOME": str(home / ".local" / "share"),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_CACHE_HOME": str(home / ".cache"),
                "PIP_FIND_LINKS": str(self.probes),
                "SHELL": "/bin/bash",
                "PATH": os.pathsep.join(
                    [str(self.shims), *map(str, self.path), "/usr/bin", "/bin"]
                ),
            }
        )

    def run(self, *argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run([str(a) for a in argv], self.env(), cwd=str(cwd or self.root))

    def pyrun(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.pyrun39.pyrun, *argv)

    def pip_findings(self) -> list[dict[str, str]]:
        done = self.pyrun("doctor", "--json")
        assert done.stderr == "", done.stderr
        checks = json.loads(done.stdout)["checks"]
        return [c for c in checks if c["check"] == "pip"]


def account(root: Path, pyrun39: PyrunOn39, probes: Path, bases: list[Base]) -> Account:
    (root / "home").mkdir(parents=True)
    return Account(root, pyrun39, probes, [base.bin for base in bases])


# -- which pip each Python should get, from the files on this machine ------------------


def offline_pips(who: Account, bases: list[Base]) -> dict[Version, str]:
    """Every pip pyrun can find without the network: its own, the wheels each Python on
    PATH bundles (prefix/lib/python3.X/ensurepip/_bundled), Debian's; version ->
    Requires-Python."""
    own, own_requires = who.pyrun39.own_pip()
    found = {own: own_requires}
    dirs = [
        base.prefix / "lib" / f"python{base.minor}" / "ensurepip" / "_bundled" for base in bases
    ]
    for directory in ("/usr/bin", "/bin"):
        for exe in Path(directory).glob("python3.*"):
            if exe.name[len("python") :].replace(".", "").isdigit():
                minor = exe.name[len("python") :]
                dirs.append(
                    exe.resolve().parent.parent
                    / "lib"
                    / f"python{minor}"
                    / "ensurepip"
                    / "_bundled"
                )
    for directory in [*dirs, SYSTEM_WHEELS]:
        for wheel in directory.glob("pip-*.whl"):
            found.setdefault(wheel_version(wheel), requires_python(wheel))
    return found


def expected_pip(pips: dict[Version, str], minor: str) -> Version:
    """The newest of `pips` that can run on `minor`: at least the table's first pip for
    it, and admitted by its Requires-Python."""
    fitting = [
        version
        for version, requires in pips.items()
        if version >= Version(FIRST_PIP[minor]) and SpecifierSet(requires).contains(minor)
    ]
    assert fitting, f"no pip on this machine runs on {minor}: {sorted(pips)}"
    return max(fitting)


def pip_version(who: Account, minor: str, cwd: Path | None = None) -> str:
    """What `pip3.X --version` says, through the shim: "pip V from DIR (python 3.X)"."""
    return ok(who.run(f"pip{minor}", "--version", cwd=cwd)).stdout.strip()


def install_and_import(who: Account, minor: str, module: str) -> tuple[str, str]:
    """`pip3.X install MODULE`, then what `python3.X` imports: (pip's version, where
    `import pip` finds it), checking it runs in its isolated environment."""
    ok(who.run(f"pip{minor}", "install", "-q", module))
    done = ok(
        who.run(
            f"python{minor}",
            "-c",
            f"import {module}, pip, sys; print(sys.prefix); print(pip.__version__); "
            "print(pip.__file__)",
        )
    )
    prefix, version, where = done.stdout.split("\n")[:3]
    assert prefix.startswith(str(who.data / "envs")), done.stdout
    return version, where


def guard_refuses(who: Account, base: Base) -> None:
    """The install guard is on the copy this Python runs, and runs on it."""
    done = who.run(f"pip{base.minor}", "install", "--target", base.site_packages, "probe")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"pyrun: pip install --target {base.site_packages} would "), (
        done.stderr
    )


# -- the tests -------------------------------------------------------------------------


def test_each_base_3_9_to_3_13_gets_a_pip_that_runs_on_it(
    tmp_path: Path, pyrun39: PyrunOn39, probes: Path
) -> None:
    bases = {minor: bare_base(tmp_path / "bases", minor) for minor in MINORS}
    before = {minor: snapshot(base.prefix) for minor, base in bases.items()}
    older = [bases[m] for m in ("3.9", "3.10", "3.11", "3.12")]
    who = account(tmp_path / "user", pyrun39, probes, older)

    # 1. Without 3.13 on PATH: pyrun's own pip is 23.0.1, yet 3.12 gets a newer one.
    ok(who.pyrun("rehash", "-q"))
    pips = offline_pips(who, older)
    chosen = {}
    for base in older:
        wanted = expected_pip(pips, base.minor)
        chosen[base.minor] = wanted
        version, where = install_and_import(who, base.minor, "probe")
        assert version == str(wanted), (base.minor, version)
        assert where.startswith(f"{who.data / 'pip'}/{wanted}/"), where
        guard_refuses(who, base)
    assert chosen["3.12"] >= Version("23.2"), "pip 23.1 and older crash on Python 3.12"
    print("pip chosen without 3.13 on PATH:", ", ".join(f"{m}: {v}" for m, v in chosen.items()))

    # A pip-less venv of a Python that is not on PATH (as uv makes them, from a Python
    # only uv knows): pip there is the shared pip's runner, which has pyrun copy the pip
    # for 3.13 first.
    project = tmp_path / "project"
    project.mkdir()
    ok(
        run(
            [str(bases["3.13"].python), "-m", "venv", "--without-pip", str(project / ".venv")],
            clean_env(),
        )
    )
    assert not (who.data / "pip" / "py3.13").exists()
    pips_13 = offline_pips(who, [*older, bases["3.13"]])
    wanted_13 = expected_pip(pips_13, "3.13")
    said = ok(who.run("pip", "--version", cwd=project)).stdout
    assert said.startswith(f"pip {wanted_13} from {who.data / 'pip'}/"), said
    assert said.strip().endswith("(python 3.13)"), said
    ok(who.run("pip", "install", "-q", "probe", cwd=project))
    done = ok(who.run("python", "-c", "import probe, sys; print(sys.prefix)", cwd=project))
    assert done.stdout.strip() == str(project / ".venv")

    # 2. With 3.13 on PATH too: a rehash gives every Python the newest that runs on it.
    who.path = [base.bin for base in bases.values()]
    ok(who.pyrun("rehash", "-q"))
    for minor in MINORS:
        chosen[minor] = expected_pip(pips_13, minor)
        target = os.path.realpath(who.data / "pip" / f"py{minor}")
        assert Path(target).name == str(chosen[minor]), (minor, target)
    assert install_and_import(who, "3.13", "probe")[0] == str(chosen["3.13"])
    guard_refuses(who, bases["3.13"])
    assert pip_version(who, "3.13").startswith(f"pip {chosen['3.13']} from {who.data}/pip/")
    # The environments made before keep the pip they run on: still one that fits.
    install_and_import(who, "3.12", "probe_two")

    findings = who.pip_findings()
    assert [f["status"] for f in findings] == ["ok"], findings
    runs = ", ".join(
        f"{minor}: pip {chosen[minor]}" for minor in ("3.9", "3.10", "3.11", "3.12", "3.13")
    )
    assert runs in findings[0]["message"], findings
    print(f"pip chosen with 3.13 on PATH: {runs}")

    for minor, base in bases.items():
        assert snapshot(base.prefix) == before[minor], f"base {minor} was modified"
    assert not (who.root / "home" / ".local" / "lib").exists(), "a user site appeared"


def test_a_python_no_pip_found_runs_on_gets_one_line_and_keeps_python(
    tmp_path: Path, pyrun39: PyrunOn39, probes: Path
) -> None:
    """Debian's own way to have a 3.12 without ensurepip, with pyrun on pip 23.0.1 and
    Debian's 23.0.1 wheel: no pip found offline runs on 3.12. pip says so in one line,
    with the fix; python3.12 still runs; once a pip that runs on it is there (here the
    base gets its ensurepip back), `pyrun rehash` gives its environment that pip."""
    base = bare_base(tmp_path / "bases", "3.12", ensurepip=False)
    before = snapshot(base.prefix)
    who = account(tmp_path / "user", pyrun39, probes, [base])
    own, _ = pyrun39.own_pip()
    newest = max([own, *(wheel_version(w) for w in SYSTEM_WHEELS.glob("pip-*.whl"))])
    need(newest < Version("23.2"), "no pip for Python 3.12 among the wheels this machine holds")
    apt = " or run `apt install python3.12-venv` (that Python's own pip)"
    line = (
        "pyrun: no pip that runs on Python 3.12 is available offline (it needs pip 23.2 or "
        f"newer, and the newest found is pip {newest}); run "
        f"`{shlex.quote(str(pyrun39.python))} -m pip install --upgrade pip` (pyrun's own "
        f"pip){apt if Path('/etc/debian_version').is_file() else ''}, then `pyrun rehash`"
    )

    done = who.pyrun("rehash", "-q")
    assert (done.returncode, done.stderr) == (0, line + "\n")
    done = who.run("pip3.12", "install", "probe")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", line + "\n")
    # Nothing half-made: no copy, no link for 3.12, no temporary; python3.12 runs in its
    # isolated environment, made without pip.
    assert not (who.data / "pip" / "py3.12").exists()
    assert not [p.name for p in (who.data / "pip").iterdir() if p.name.startswith(".")]
    prefix = ok(who.run("python3.12", "-c", "import sys; print(sys.prefix)")).stdout.strip()
    assert prefix.startswith(str(who.data / "envs"))
    assert not (Path(prefix) / "bin" / "pip3.12").exists()
    fixes = [f for f in who.pip_findings() if f["status"] == "fix"]
    assert fixes[0] == {
        "check": "pip",
        "status": "fix",
        "message": line[len("pyrun: ") :].split("; run ")[0],
        "fix": "run " + line.split("; run ", 1)[1],
    }
    assert fixes[1]["message"].startswith(f"the isolated environment {prefix} (Python 3.12.")
    assert (
        " has no pip: no pip that runs on Python 3.12 is available offline" in (fixes[1]["message"])
    )

    # The fix arrives (python3.12-venv's ensurepip, here the pyenv build's).
    real = real_python("3.12")
    assert real is not None
    stdlib = base.prefix / "lib" / "python3.12"
    (stdlib / "ensurepip").symlink_to(
        real.resolve().parent.parent / "lib" / "python3.12" / "ensurepip"
    )
    before = snapshot(base.prefix)
    done = who.pyrun("rehash", "-q")
    assert (done.returncode, done.stderr) == (0, "")
    assert (Path(prefix) / "bin" / "pip3.12").exists()
    install_and_import(who, "3.12", "probe")
    ok(who.run("python3.12", "-m", "pip", "--version"))
    assert [f["status"] for f in who.pip_findings()] == ["ok"]
    assert snapshot(base.prefix) == before, "the base was modified"


def test_an_install_from_before_one_pip_per_python_is_migrated(
    tmp_path: Path, pyrun39: PyrunOn39, probes: Path
) -> None:
    """What pyrun left before each Python had its own pip: one copy of its own pip
    (23.0.1) in $data/pip/23.0.1, `current` a link to it, and a 3.12 environment whose
    .pth names it, so that pip3.12 crashes. The first shell with the hook moves it over."""
    base = bare_base(tmp_path / "bases", "3.12")
    before = snapshot(base.prefix)
    who = account(tmp_path / "user", pyrun39, probes, [base])
    ok(who.pyrun("rehash", "-q"))
    env = Path(ok(who.run("python3.12", "-c", "import sys; print(sys.prefix)")).stdout.strip())
    own, _ = pyrun39.own_pip()
    pip = who.data / "pip"
    # The old layout, as pipshare's _copy made it: pyrun's own pip and its metadata, the
    # guard beside it and called from pip/__main__.py, the marker.
    old = pip / str(own)
    site = pyrun39.venv / "lib" / "python3.9" / "site-packages"
    shutil.copytree(site / "pip", old / "pip")
    shutil.copytree(site / f"pip-{own}.dist-info", old / f"pip-{own}.dist-info")
    guard = (who.data / "pip" / "current" / "_pyrun_pip_guard.py").read_text()
    (old / "_pyrun_pip_guard.py").write_text(guard)
    main = (old / "pip" / "__main__.py").read_text()
    call = "import _pyrun_pip_guard\n\n_pyrun_pip_guard.install()\n\n"
    (old / "pip" / "__main__.py").write_text(
        main.replace('if __name__ == "__main__":', call + 'if __name__ == "__main__":', 1)
    )
    (old / ".pyrun-complete").write_text(f"{own}\n")
    for entry in pip.iterdir():
        if entry.is_symlink():
            entry.unlink()
        elif entry != old:
            shutil.rmtree(entry)
    (pip / "current").symlink_to(str(own))
    (pth,) = env.glob("lib/python3.12/site-packages/_pyrun_shared_pip.pth")
    pth.write_text(f"{old}\n")

    done = who.run("pip3.12", "install", "probe")
    assert done.returncode != 0 and "ImpImporter" in done.stderr, done.stderr
    fixes = [(f["message"], f["fix"]) for f in who.pip_findings() if f["status"] == "fix"]
    assert (
        f"the isolated environment {env} (Python {env_version(env)}) runs pip {own}, which "
        "cannot run on it",
        "run `pyrun rehash`",
    ) in fixes, fixes

    hook = who.pyrun("hook", "bash")
    assert hook.returncode == 0 and hook.stderr == "", hook.stderr
    assert os.readlink(pip / "current") == "runner"
    install_and_import(who, "3.12", "probe")
    assert Path(pth.read_text().strip()) == (pip / "py3.12").resolve()
    assert [f["status"] for f in who.pip_findings()] == ["ok"]
    assert snapshot(base.prefix) == before, "the base was modified"


def env_version(env: Path) -> str:
    return str(json.loads((env / ".pyrun-complete").read_text())["version"])


@pytest.mark.parametrize(
    ("pips", "minor", "bundled", "chosen"),
    [
        # Requires-Python says >=3.7, yet 23.0.1 crashes on 3.12 and 3.13.
        ({"23.0.1": ">=3.7"}, "3.12", None, None),
        ({"23.0.1": ">=3.7", "23.2.1": ">=3.7"}, "3.12", None, "23.2.1"),
        ({"23.2.1": ">=3.7", "24.2": ">=3.8"}, "3.13", None, "24.2"),
        ({"23.2.1": ">=3.7"}, "3.13", None, None),
        # The newest that fits, even for a Python an older one runs on.
        ({"23.0.1": ">=3.7", "24.2": ">=3.8"}, "3.9", None, "24.2"),
        # ... unless its Requires-Python leaves that Python out.
        ({"23.0.1": ">=3.7", "26.0": ">=3.10"}, "3.9", None, "23.0.1"),
        ({"22.0.4": ">=3.7", "24.2": ">=3.8"}, "3.7", None, "22.0.4"),
        # Too old for the install guard (no create_command before 19.3): never.
        ({"18.1": ">=2.7"}, "3.6", None, None),
        # A minor newer than the table: at least what that Python bundles.
        ({"24.2": ">=3.8", "25.2": ">=3.9"}, "3.14", Version("25.2"), "25.2"),
        ({"24.2": ">=3.8"}, "3.14", Version("25.2"), None),
        ({"24.2": ">=3.8"}, "3.14", None, "24.2"),
    ],
)
def test_which_pip_a_python_gets(
    pips: dict[str, str], minor: str, bundled: Version | None, chosen: str | None
) -> None:
    """pipversions.choose on the table's edges (no files: versions and Requires-Python)."""
    found = sorted(
        (Candidate(Version(v), "copy", Path(v), requires) for v, requires in pips.items()),
        key=lambda c: c.version,
        reverse=True,
    )
    picked = choose(found, minor, None, bundled)
    assert (str(picked.version) if picked else None) == chosen


def test_a_bundled_pip_others_can_write_is_never_shared(tmp_path: Path) -> None:
    """A base's ensurepip wheel becomes the pip of every environment of its minor
    version, so one from a directory someone else can write is not taken."""
    prefix = tmp_path / "base"
    (prefix / "bin").mkdir(parents=True)
    python = prefix / "bin" / "python3.12"
    python.write_text("")
    bundled = pipversions.bundled_dir(python, "3.12")
    bundled.mkdir(parents=True)
    (bundled / "pip-99.0-py3-none-any.whl").write_bytes(b"")

    def offered() -> list[str]:
        found = pipversions.candidates([], {str(python): "3.12"})
        return [str(c.version) for c in found if c.kind == "wheel" and c.source.parent == bundled]

    assert offered() == ["99.0"]
    for writable in (bundled, prefix):
        writable.chmod(0o777)
        assert offered() == [], writable
        writable.chmod(0o755)
    assert offered() == ["99.0"]
