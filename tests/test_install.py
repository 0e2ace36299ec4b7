"""install.sh, run for real: pyrun in a venv of its own, shims, the hook line, offline.

Each run gets its own HOME, XDG directories and bin directory, a throwaway base
interpreter (conftest's ``bases``) as PYTHON, and a copy of the checkout, so neither the
machine's Python nor this working tree is written. pip finds pyrun's dependencies and
build backend only in ``.venv-wheelhouse/`` (built by ``sh scripts/test.sh``), with no
index and no pip configuration, so nothing here uses the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyrun import __version__
from pyrun.commands import init
from pyrun.shells import SHELLS as SHELL_TABLE
from tests.conftest import (
    NOT_THE_CHECKOUT,
    Base,
    clean_env,
    need,
    primary,
    real_python,
    real_pythons,
    snapshot,
)

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / ".venv-wheelhouse"
README_COMMAND = ["sh", "install.sh"]  # as the README's first line says (test_readme.py)
WHEELS = ("psutil", "packaging", "platformdirs", "shellingham", "setuptools", "wheel")


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

    def env(
        self, python: Path | str, path: list[Path], extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        return clean_env(
            {
                "SHELL": "/bin/bash",
                "HOME": str(self.home),
                "XDG_DATA_HOME": str(self.root / "xdg-data"),
                "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
                "XDG_CACHE_HOME": str(self.root / "xdg-cache"),
                "PYRUN_BIN_DIR": str(self.bin),
                "PYTHON": str(python),
                "PIP_FIND_LINKS": str(WHEELHOUSE),
                "PATH": os.pathsep.join([*map(str, path), "/usr/bin", "/bin"]),
                **(extra or {}),
            }
        )

    def install(
        self,
        python: Path | str,
        path: list[Path] | None = None,
        *args: str,
        extra: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*README_COMMAND, *args],
            cwd=self.checkout,
            env=self.env(python, path or [], extra),
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
    need(bases, "a CPython to build a throwaway base interpreter from")
    need(
        wheelhouse_ready(), f"{WHEELHOUSE} with {', '.join(WHEELS)} (sh scripts/test.sh builds it)"
    )
    base = primary(bases)

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
    for name in ("python", "python3", "pip", "pip3", f"python{base.minor}", f"pip{base.minor}"):
        assert os.access(machine.data / "shims" / name, os.X_OK), f"no shim {name}"

    # It showed python, through the shims, running the isolated environment of the base.
    envs = sorted((machine.data / "envs").iterdir())
    assert len(envs) == 1, envs
    assert f"\n  {envs[0]}\n" in first.stdout, output(first)
    assert '"source": "isolated"' in first.stdout
    assert f'"base": "{base.python.resolve()}"' in first.stdout
    # SHELL=/bin/bash: `pyrun init bash` added its block (calling the tool venv's pyrun
    # by its path), and the step for this terminal is `exec bash`.
    bashrc = machine.home / ".bashrc"
    line = SHELL_TABLE["bash"].init_line(str(machine.tool / "bin" / "pyrun"))
    assert bashrc.read_text() == f"{init.BEGIN}\n{line}\n{init.END}\n"
    assert f"pyrun: done: add the pyrun block to {bashrc}\n" in first.stdout
    assert first.stdout.endswith(f"{NEXT_STEP}\n\n    exec bash\n\n"), output(first)

    # A new bash reads it: the shims first on PATH, pyrun among them, though the bin
    # directory is not on PATH.
    hooked = subprocess.run(
        ["bash", "-i", "-c", 'echo "$PATH"; command -v pyrun'],
        env=machine.env(base.python, [base.bin]),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    path, found = hooked.stdout.splitlines()
    assert path.startswith(f"{machine.data / 'shims'}:"), output(hooked)
    assert found == str(machine.data / "shims" / "pyrun")

    # Again, with pyrun's bin directory and the shims on PATH as after setup: a reinstall,
    # for a fish user who keeps their start-up files to themselves.
    second = machine.install(
        base.python,
        [machine.data / "shims", machine.bin, base.bin],
        "--no-modify-rc",
        extra={"SHELL": "/usr/bin/fish"},
    )
    assert second.returncode == 0, output(second)
    assert "left alone (--no-modify-rc)" in second.stdout, output(second)
    assert second.stdout.endswith("    pyrun init fish\n    exec fish\n\n"), output(second)
    assert not (machine.root / "xdg-config" / "fish").exists()
    assert bashrc.read_text() == f"{init.BEGIN}\n{line}\n{init.END}\n"
    assert f"\n  {envs[0]}\n" in second.stdout, output(second)
    assert sorted((machine.data / "envs").iterdir()) == envs
    assert not (machine.data / "tool.old").exists()
    again = subprocess.run([str(machine.link), "--version"], env=clean_env(), capture_output=True)
    assert again.returncode == 0

    # A shell pyrun has no hook for: nothing to edit, and a line says what there is.
    third = machine.install(base.python, [base.bin], extra={"SHELL": "/bin/dash"})
    assert third.returncode == 0, output(third)
    assert "Your shell (SHELL=/bin/dash) has no pyrun hook" in third.stdout, output(third)
    assert f"{machine.link} init bash (or zsh, fish," in third.stdout, output(third)
    assert bashrc.read_text() == f"{init.BEGIN}\n{line}\n{init.END}\n"
    assert not (machine.home / ".profile").exists() and not (machine.home / ".zshrc").exists()

    assert snapshot(base.prefix) == base_snapshots[base.minor], "the base interpreter was modified"
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


def test_an_unknown_argument_is_a_one_line_error_before_anything_is_written(
    machine: Machine,
) -> None:
    done = machine.install("python3", None, "--no-modify-path")
    assert done.returncode == 1, output(done)
    assert done.stdout == "" and done.stderr.count("\n") == 1, output(done)
    assert done.stderr.startswith("install.sh: unknown argument --no-modify-path; ")
    assert "sh install.sh --no-modify-rc" in done.stderr
    assert not machine.data.exists() and not machine.link.exists()
    assert list(machine.home.iterdir()) == []


def test_install_sh_without_ensurepip_says_so_in_one_line(machine: Machine) -> None:
    """A Python without ensurepip (Debian without python3-venv) cannot make the venv."""
    minor = next(iter(real_pythons()), "3.11")
    real = real_python(minor)
    need(real, f"a CPython {minor} to copy")
    assert real is not None
    prefix = machine.root / "no-ensurepip"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(real, prefix / "bin" / f"python{minor}")
    stdlib = prefix / "lib" / f"python{minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in (real.resolve().parent.parent / "lib" / f"python{minor}").iterdir():
        if entry.name not in ("site-packages", "ensurepip"):
            (stdlib / entry.name).symlink_to(entry)

    done = machine.install(prefix / "bin" / f"python{minor}")
    assert done.returncode == 1, output(done)
    assert done.stdout == "", output(done)
    assert done.stderr.count("\n") == 1, output(done)
    assert done.stderr.startswith("install.sh: "), output(done)
    assert "ensurepip" in done.stderr
    assert not machine.data.exists()


# --- a real account: the distribution's Python, any umask, root or not, real terminals --

SYSTEM_PYTHON = Path("/usr/bin/python3")
SYSTEM_SITES = (Path("/usr/lib/python3"), *sorted(Path("/usr/lib").glob("python3.[0-9]*")))
NOBODY = 65534
SHELLS = {"bash": "/bin/bash", "zsh": "/bin/zsh", "fish": "/usr/bin/fish"}
RC = {"bash": ".bashrc", "zsh": ".zshrc", "fish": ".config/fish/config.fish"}
NEXT_STEP = "To start using it in this terminal, run:"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


def system_python_makes_venvs() -> bool:
    """Debian's and Ubuntu's python3 makes a venv with pip once python3-venv is in."""
    if not SYSTEM_PYTHON.exists():
        return False
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import ensurepip, venv"], capture_output=True, check=False
    )
    return done.returncode == 0


def system_snapshot() -> dict[str, dict[str, str]]:
    return {str(site): snapshot(site) for site in SYSTEM_SITES if site.is_dir()}


@pytest.fixture(scope="module")
def system_before() -> dict[str, dict[str, str]]:
    return system_snapshot()


@dataclass
class Account:
    """A user of a fresh machine: a HOME made from /etc/skel and owned by them, a pyrun
    checkout they can read but not write, the wheels pip may use, the system's Python
    and shells on PATH, and nothing of pyrun's anywhere."""

    root: Path
    uid: int

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def checkout(self) -> Path:
        return self.root / "checkout"

    @property
    def data(self) -> Path:
        return self.home / ".local" / "share" / "pyrun"

    @property
    def shims(self) -> Path:
        return self.data / "shims"

    @property
    def link(self) -> Path:
        return self.home / ".local" / "bin" / "pyrun"

    def env(self, shell: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A login's environment, with pip told to use the local wheels only."""
        name = "root" if self.uid == 0 else "nobody"
        return {
            "HOME": str(self.home),
            "USER": name,
            "LOGNAME": name,
            "SHELL": SHELLS[shell],
            "PATH": "/usr/bin:/bin",
            "TERM": "dumb",
            "LANG": "C.UTF-8",
            "PIP_FIND_LINKS": str(self.root / "wheelhouse"),
            "PIP_NO_INDEX": "1",
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_CACHE_DIR": "1",
            **(extra or {}),
        }

    def argv(self, *argv: str) -> list[str]:
        if self.uid == 0:
            return list(argv)
        ids = [f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups"]
        return ["setpriv", *ids, *argv]

    def install(
        self, umask: str, shell: str, *args: str, extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        script = f'umask {umask}; exec sh install.sh "$@"'
        return subprocess.run(
            self.argv("sh", "-c", script, "sh", *args),
            cwd=self.checkout,
            env=self.env(shell, extra),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def chown(self, path: Path) -> None:
        for where, dirs, files in os.walk(path):
            for name in [".", *dirs, *files]:
                os.lchown(os.path.join(where, name), self.uid, self.uid)


def make_account(root: Path, uid: int) -> Account:
    need(wheelhouse_ready(), f"{WHEELHOUSE} (sh scripts/test.sh builds it)")
    need(
        system_python_makes_venvs(),
        f"{SYSTEM_PYTHON} with its venv module and ensurepip (Debian/Ubuntu: python3-venv)",
    )
    if uid != 0:
        need(os.geteuid() == 0 and shutil.which("setpriv"), "root and setpriv, to be another user")
    account = Account(root, uid)
    shutil.copytree("/etc/skel", account.home, symlinks=True)
    account.chown(account.home)
    shutil.copytree(ROOT, account.checkout, ignore=NOT_THE_CHECKOUT, symlinks=True)
    shutil.copytree(WHEELHOUSE, root / "wheelhouse")
    return account


class Terminal:
    """An interactive shell on a pseudo-terminal, as a terminal window runs it; each line
    typed is followed by a mark with its exit status, and read up to that mark."""

    def __init__(self, account: Account, shell: str, cwd: Path) -> None:
        pexpect = pytest.importorskip("pexpect")
        argv = account.argv(SHELLS[shell], "-i")
        self.shell = shell
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=account.env(shell),
            cwd=str(cwd),
            encoding="utf-8",
            codec_errors="replace",
            timeout=120,
            dimensions=(50, 500),
        )
        self.count = 0
        self.transcript = ""

    def type(self, line: str, timeout: float = 120) -> tuple[int, str]:
        """Run `line`; its exit status and what the terminal showed (escapes removed)."""
        self.count += 1
        status = "$status" if self.shell == "fish" else "$?"
        # The mark is printed in two pieces, so the echo of the line typed is no match.
        self.child.sendline(f"{line}; printf '%s%s %s\\n' @@mark {self.count} {status}")
        self.child.expect(rf"@@mark{self.count} (\d+)\r?\n", timeout=timeout)
        shown = ANSI.sub("", self.child.before).replace("\r", "")
        self.transcript += shown
        return int(self.child.match.group(1)), shown

    def replace(self, line: str) -> None:
        """Type a line that replaces the shell (`exec bash`); wait for the new one's
        prompt, which shows pyrun's indicator once the hook is loaded."""
        self.child.sendline(line)
        self.child.expect(r"\(pyrun[^)\n]*\) ", timeout=120)

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pytest.importorskip("pexpect").EOF, timeout=30)
        self.child.close()


def uses_pyrun(terminal: Terminal, account: Account) -> None:
    """pyrun by name, and python through its shims, in this terminal."""
    status, shown = terminal.type("command -v pyrun")
    assert status == 0 and str(account.shims / "pyrun") in shown.splitlines(), shown
    status, shown = terminal.type("pyrun --version")
    assert status == 0 and f"pyrun {__version__}" in shown.splitlines(), shown
    status, shown = terminal.type("python -c 'import sys; print(sys.prefix)'")
    prefixes = [line for line in shown.splitlines() if line.startswith(str(account.data))]
    assert status == 0 and prefixes, shown
    assert prefixes[-1].startswith(str(account.data / "envs")), shown


def hook_lines(account: Account, shell: str) -> int:
    """How many lines of the shell's rc file load pyrun's hook."""
    text = (account.home / RC[shell]).read_text()
    by_hand = init.hand_written(text, SHELL_TABLE[shell])
    block = init.block_lines(text) or []
    return len(by_hand) + sum(f"hook {shell}" in line for line in block)


# Each umask as root and as a normal user, each shell twice. The default run takes the
# normal user (who the README's command is for) with the strictest umask; the other
# five are in the stress set, and .ci/fresh-debian runs install.sh as a normal user
# with umask 002 in bash, zsh and fish on Debian's own python3.
CASES = [
    ("022", 0, "bash"),
    ("002", 0, "zsh"),
    ("077", 0, "fish"),
    ("022", NOBODY, "zsh"),
    ("002", NOBODY, "fish"),
    ("077", NOBODY, "bash"),
]
MATRIX = [
    pytest.param(
        u,
        uid,
        s,
        id=f"umask{u}-{'root' if uid == 0 else 'user'}-{s}",
        marks=[] if (u, uid) == ("077", NOBODY) else [pytest.mark.stress],
    )
    for u, uid, s in CASES
]


@pytest.mark.parametrize(("umask", "uid", "shell"), MATRIX)
def test_the_readme_install_on_a_fresh_account_then_its_next_step_in_the_same_terminal(
    public_root: Path,
    system_before: dict[str, dict[str, str]],
    umask: str,
    uid: int,
    shell: str,
) -> None:
    need(shutil.which(SHELLS[shell]), shell)
    account = make_account(public_root, uid)
    skel = snapshot(account.home)
    checkout = snapshot(account.checkout)

    # The terminal the user had open: the README's command, typed there.
    terminal = Terminal(account, shell, account.checkout)
    terminal.type(f"umask {umask}")
    rc = account.home / RC[shell]
    # (fish writes a config.fish of its own when it first starts)
    rc_before = rc.read_bytes() if rc.exists() else b""
    status, shown = terminal.type("sh install.sh", timeout=600)
    assert status == 0, terminal.transcript
    assert "install.sh: " in shown and "Traceback" not in shown, shown

    # pyrun made its data directory 0700 and its shims directory 0755, whatever the umask.
    for directory, mode in ((account.data, 0o700), (account.shims, 0o755)):
        info = directory.stat()
        assert (stat.S_IMODE(info.st_mode), info.st_uid) == (mode, uid), directory
    assert hook_lines(account, shell) == 1
    assert snapshot(account.checkout) == checkout, "install.sh wrote into the checkout"

    # The step it names for this terminal, typed as printed.
    lines = shown.splitlines()
    said = next(i for i, line in enumerate(lines) if line.endswith(NEXT_STEP))
    step = next(line.strip() for line in lines[said + 1 :] if line.strip())
    assert step == f"exec {shell}", shown
    terminal.replace(step)
    uses_pyrun(terminal, account)
    terminal.close()

    # A new terminal.
    terminal = Terminal(account, shell, account.home)
    uses_pyrun(terminal, account)
    # Everything goes: no hook line is left for a shell to fail on.
    status, shown = terminal.type("pyrun uninstall --all")
    assert status == 0 and "kept line" not in shown, shown
    terminal.close()
    assert not account.data.exists() and not os.path.lexists(account.link)
    assert rc.read_bytes() == rc_before, "the rc file is not as it was before the install"
    if RC[shell] in skel:
        assert hashlib.sha256(rc_before).hexdigest() == skel[RC[shell]]
    started = subprocess.run(
        account.argv(SHELLS[shell], "-i", "-c", "echo started"),
        env=account.env(shell),
        cwd=account.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.stdout == "started\n" and "pyrun" not in started.stderr, started.stderr
    assert not (account.home / ".local" / "lib").exists(), "a user site-packages appeared"
    if uid == 0:
        assert system_snapshot() == system_before, "the system's Python was modified"


def one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, output(done)
    last = done.stderr.splitlines()[-1]
    assert last.startswith("install.sh: "), output(done)
    assert "Traceback" not in done.stderr
    return last


def test_a_data_directory_below_a_folder_others_can_write_is_refused_first(
    public_root: Path,
) -> None:
    """~/.local/share left 0777 (not sticky): someone else could rename pyrun's data
    directory out of it and put theirs in its place, so pyrun would refuse it; the
    install says so, with the fix, before writing anything."""
    account = make_account(public_root, NOBODY)
    share = account.data.parent
    share.mkdir(parents=True)
    account.chown(account.home)
    share.chmod(0o777)
    before = snapshot(account.home)
    line = one_line_failure(account.install("002", "bash"))
    assert f"{share} is writable by its group and others, so someone else could rename " in line
    assert f"so pyrun would refuse to use {account.data}; run: chmod go-w {share}, then" in line
    assert snapshot(account.home) == before, "a refused install wrote something"


def test_a_data_directory_left_group_writable_is_refused_first_and_the_fix_works(
    public_root: Path,
) -> None:
    """The issue's account: umask 002, and the 0775 data directory an older install.sh
    left. The refusal comes before anything is written, and its fix works as printed."""
    account = make_account(public_root, NOBODY)
    account.data.mkdir(parents=True)
    account.data.chmod(0o775)
    account.chown(account.home)
    before = snapshot(account.home)

    done = account.install("002", "bash")
    line = one_line_failure(done)
    assert done.stdout == "" and done.stderr.count("\n") == 1, output(done)
    assert f"{account.data} is writable by its group, so pyrun would refuse to use it" in line
    assert snapshot(account.home) == before, "a refused install wrote something"

    fix = re.search(r"run: (chmod go-w .*), then rerun sh install\.sh$", line)
    assert fix, line
    subprocess.run(account.argv("sh", "-c", fix[1]), check=True, cwd=account.home)
    # The line that older install.sh printed, pasted into ~/.bashrc: init finds it and
    # adds no second one.
    bashrc = account.home / ".bashrc"
    pasted = f'eval "$({account.link} hook bash)"'
    with open(bashrc, "a") as handle:
        handle.write(f"{pasted}\n")
    number = len(bashrc.read_text().splitlines())
    pasted_rc = bashrc.read_bytes()
    again = account.install("002", "bash")
    assert again.returncode == 0, output(again)
    assert (
        f"pyrun: {bashrc} already runs the pyrun hook on line {number}, written by hand "
        f"({pasted}); adding nothing\n"
    ) in again.stdout, output(again)
    assert bashrc.read_bytes() == pasted_rc and hook_lines(account, "bash") == 1
    # 0755 after the fix: others may go in, so it is closed before anything is put in
    # it (nothing inside was anyone else's), as pyrun makes it
    assert stat.S_IMODE(account.data.stat().st_mode) == 0o700


def test_a_failed_install_takes_back_what_it_made_and_a_rerun_works(public_root: Path) -> None:
    """pyrun rehash fails (a config file it cannot read) after the tool venv, the bin
    directory and the link are made: all of it goes again, the directories mkdir -p
    made included, and once the file is fixed the same command works."""
    account = make_account(public_root, NOBODY)
    config = account.home / ".config" / "pyrun" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("prompt = maybe\n")
    account.chown(account.home)
    before = snapshot(account.home)

    done = account.install("002", "zsh")
    line = one_line_failure(done)
    assert "pyrun rehash failed" in line and str(config) in done.stderr, output(done)
    assert snapshot(account.home) == before, "a failed install left something behind"
    assert not (account.home / ".local").exists()

    config.write_text("prompt = false\n")
    again = account.install("002", "zsh", extra={"PYRUN_NO_MODIFY_RC": "1"})
    assert again.returncode == 0, output(again)
    assert stat.S_IMODE(account.data.stat().st_mode) == 0o700
    assert not (account.home / ".zshrc").exists(), "PYRUN_NO_MODIFY_RC=1 edits nothing"
    # ~/.local/bin is not on PATH: the init line names pyrun by its path, and works as is.
    step = again.stdout.splitlines()[-3].strip()
    assert step == f"{account.link} init zsh", output(again)
    assert again.stdout.splitlines()[-2].strip() == "exec zsh"
    subprocess.run(
        account.argv("sh", "-c", step), check=True, env=account.env("zsh"), cwd=account.home
    )
    assert hook_lines(account, "zsh") == 1
