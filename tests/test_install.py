"""install.sh, run for real: pyrun in a venv of its own, shims, the hook line, offline.

Each run gets its own HOME, XDG directories and bin directory, a throwaway base
interpreter (conftest's ``bases``) as PYTHON, and a copy of the checkout, so neither the
machine's Python nor this working tree is written. pip finds pyrun's dependencies and
build backend only in ``.venv-wheelhouse/`` (built by ``sh scripts/test.sh``), with no
index and no pip configuration, so nothing here uses the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyrun import __version__
from tests.conftest import Base, clean_env, need, real_python, snapshot

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / ".venv-wheelhouse"
WHEELS = ("psutil", "packaging", "platformdirs", "shellingham", "setuptools", "wheel")
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


def wheelhouse_ready() -> bool:
    return all(any(WHEELHOUSE.glob(f"{name}-*.whl")) for name in WHEELS)


@dataclass
class Machine:
    """One user's account: HOME, XDG dirs, a bin directory, a pyrun checkout."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def data(self) -> Path:
        return self.root / "xdg-data" / "pyrun"

    @property
    def tool(self) -> Path:
        return self.data / "tool"

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def link(self) -> Path:
        return self.bin / "pyrun"

    @property
    def checkout(self) -> Path:
        return self.root / "checkout"

    def env(self, python: Path | str, path: list[Path]) -> dict[str, str]:
        return clean_env(
            {
                "HOME": str(self.home),
                "XDG_DATA_HOME": str(self.root / "xdg-data"),
                "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
                "XDG_CACHE_HOME": str(self.root / "xdg-cache"),
                "PYRUN_BIN_DIR": str(self.bin),
                "PYTHON": str(python),
                "PIP_FIND_LINKS": str(WHEELHOUSE),
                "PATH": os.pathsep.join([*map(str, path), "/usr/bin", "/bin"]),
            }
        )

    def install(
        self, python: Path | str, path: list[Path] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", "install.sh"],
            cwd=self.checkout,
            env=self.env(python, path or []),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    machine = Machine(tmp_path)
    machine.home.mkdir()
    shutil.copytree(ROOT, machine.checkout, ignore=NOT_THE_CHECKOUT, symlinks=True)
    return machine


def output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"


def test_install_sh_installs_pyrun_into_its_own_venv_and_shows_it_working(
    machine: Machine, bases: dict[str, Base], base_snapshots: dict[str, dict[str, str]]
) -> None:
    need(bases.get("3.11"), "a CPython 3.11 to build a throwaway base interpreter from")
    need(
        wheelhouse_ready(), f"{WHEELHOUSE} with {', '.join(WHEELS)} (sh scripts/test.sh builds it)"
    )
    base = bases["3.11"]

    first = machine.install(base.python, path=[base.bin])
    assert first.returncode == 0, output(first)

    # Its own venv, under pyrun's data directory, made from PYTHON, pyrun not editable.
    assert (machine.tool / "pyvenv.cfg").is_file()
    assert f"home = {base.bin}" in (machine.tool / "pyvenv.cfg").read_text()
    located = subprocess.run(
        [str(machine.tool / "bin" / "python"), "-c", "import pyrun; print(pyrun.__file__)"],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert located.stdout.strip().startswith(str(machine.tool / "lib")), located.stdout
    assert machine.link.is_symlink()
    assert machine.link.resolve() == (machine.tool / "bin" / "pyrun").resolve()
    version = subprocess.run(
        [str(machine.link), "--version"], env=clean_env(), capture_output=True, text=True
    )
    assert version.stdout.strip() == f"pyrun {__version__}", output(version)
    for name in ("python", "python3", "pip", "pip3", "python3.11", "pip3.11"):
        assert os.access(machine.data / "shims" / name, os.X_OK), f"no shim {name}"

    # It showed python, through the shims, running the isolated environment of the base.
    envs = sorted((machine.data / "envs").iterdir())
    assert len(envs) == 1, envs
    assert f"\n  {envs[0]}\n" in first.stdout, output(first)
    assert '"source": "isolated"' in first.stdout
    assert f'"base": "{base.python.resolve()}"' in first.stdout
    # The bin directory is not on PATH, so the hook line names pyrun by its full path.
    assert f'    eval "$({machine.link} hook bash)"\n' in first.stdout, output(first)
    assert "is not on your PATH" in first.stdout

    # The line it prints does what it says in a real bash.
    hooked = subprocess.run(
        [
            "bash",
            "--norc",
            "--noprofile",
            "-c",
            f'eval "$({machine.link} hook bash)"; echo "$PATH"',
        ],
        env=machine.env(base.python, [base.bin]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert hooked.stdout.startswith(f"{machine.data / 'shims'}:"), output(hooked)

    # Again, with pyrun's bin directory and the shims on PATH as after setup: a reinstall.
    second = machine.install(base.python, path=[machine.data / "shims", machine.bin, base.bin])
    assert second.returncode == 0, output(second)
    assert '    eval "$(pyrun hook bash)"\n' in second.stdout, output(second)
    assert f"\n  {envs[0]}\n" in second.stdout, output(second)
    assert sorted((machine.data / "envs").iterdir()) == envs
    assert not (machine.data / "tool.old").exists()
    again = subprocess.run([str(machine.link), "--version"], env=clean_env(), capture_output=True)
    assert again.returncode == 0

    assert snapshot(base.prefix) == base_snapshots["3.11"], "the base interpreter was modified"
    assert not (machine.home / ".local" / "lib").exists(), "a user site-packages appeared"


def fake_python(where: Path, prints: str) -> Path:
    where.write_text(f"#!/bin/sh\necho '{prints}'\n")
    where.chmod(0o755)
    return where


@pytest.mark.parametrize(
    ("python", "says"),
    [
        ("/bin/false", "does not run as a Python interpreter"),
        ("{tmp}/no-such-python", "does not run as a Python interpreter"),
        ("no-such-python-anywhere", "was not found on PATH"),
        ("{fake:2.7.18 /usr/bin/python2.7}", "is Python 2.7.18"),
        ("{fake:3.8.10 /usr/bin/python3.8}", "is Python 3.8.10"),
        ("{fake:}", "does not answer like a Python interpreter"),
    ],
)
def test_install_sh_refuses_what_is_not_python_3_9_in_one_line(
    machine: Machine, python: str, says: str
) -> None:
    if python.startswith("{fake:"):
        python = str(fake_python(machine.root / "fake-python", python[len("{fake:") : -1]))
    python = python.replace("{tmp}", str(machine.root))
    done = machine.install(python)
    assert done.returncode == 1, output(done)
    assert done.stdout == "", output(done)
    assert done.stderr.count("\n") == 1, output(done)
    assert done.stderr.startswith("install.sh: "), output(done)
    assert says in done.stderr
    assert "3.9 or newer" in done.stderr
    assert not machine.data.exists(), "a failed check must write nothing"
    assert not machine.link.exists()


def test_install_sh_without_ensurepip_says_so_in_one_line(machine: Machine) -> None:
    """A Python without ensurepip (Debian without python3-venv) cannot make the venv."""
    real = real_python("3.11")
    need(real, "a CPython 3.11 to copy")
    assert real is not None
    prefix = machine.root / "no-ensurepip"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(real, prefix / "bin" / "python3.11")
    stdlib = prefix / "lib" / "python3.11"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in (real.resolve().parent.parent / "lib" / "python3.11").iterdir():
        if entry.name not in ("site-packages", "ensurepip"):
            (stdlib / entry.name).symlink_to(entry)

    done = machine.install(prefix / "bin" / "python3.11")
    assert done.returncode == 1, output(done)
    assert done.stdout == "", output(done)
    assert done.stderr.count("\n") == 1, output(done)
    assert done.stderr.startswith("install.sh: "), output(done)
    assert "ensurepip" in done.stderr
    assert not machine.data.exists()
