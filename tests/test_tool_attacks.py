"""The tool rule (issue #16) attacked from another account and by a program the user runs.

A console script installed once in pyrun's shared isolated environment runs by name in
every directory (shared_tools.py); the script shim exports ``PYRUN_TOOL`` (its pid) and
``PYRUN_TOOL_PROJECT`` (the environment in use, when that lacks the script), a
``python`` shim whose parent is that pid runs the base behind the environment with the
guard loaded, and the guard refuses a tool's own pip changing the shared environment
(tool.py, pipguard.py ``_shared_change``). Each test here is one attack, run through
both shims (one world per flavour, shared by the module) and the resolver (``pyrun
which NAME --json``, ``pyrun why NAME``), asserting what the user sees. "Another
account" is uid 65534 (files chowned to it, as tests/test_ownership.py does); the
tests run as root, so root is "you". An attack that works today is a strict xfail
naming the fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyrun import compiled
from tests.conftest import (
    PYRUN,
    SHIM_FLAVOURS,
    World,
    assert_bases_untouched,
    flavour_needs,
    need,
    new_world,
    pyrun_messages,
)
from tests.wheels import build_wheel

NOBODY = 65534
TOOL = "attacktool"
# The tool: says where it runs and which project it was told of; `attacktool ARGS`
# runs ARGS as its own child (`{python}`: its own interpreter), as pip-sync, pdm or
# pre-commit run programs.
TOOL_SOURCE = """\
import os, subprocess, sys
def main():
    if sys.argv[1:]:
        argv = [sys.executable if a == "{python}" else a for a in sys.argv[1:]]
        raise SystemExit(subprocess.run(argv).returncode)
    print("attacktool", sys.prefix, os.environ.get("PYRUN_TOOL_PROJECT", "-"))
"""
THEIRS = "THEIRS"  # what every program another account planted prints
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # raw control bytes but \t and \n


@dataclass
class Attacked:
    """One user's world with TOOL installed through the pip shim outside any project
    (so into the shared environment), a project `.venv` of the user's own without it,
    and a directory where `python` means the shared environment."""

    world: World
    flavour: str
    shared: Path  # the shared environment
    project: Path  # holds the user's own .venv, which lacks TOOL
    neutral: Path  # no .venv: python means the shared environment
    packages: list[str]
    snapshots: dict  # the bases' (conftest's base_snapshots)

    def run(
        self, argv: list[str], cwd: Path, env: dict[str, str | None] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """argv typed in `cwd` (the shims found on PATH, as a user's shell finds them)."""
        return self.world.run(argv, cwd=cwd, env={"PWD": str(cwd), **(env or {})})

    def installed(self) -> list[str]:
        """The shared environment's distributions, by their metadata directories."""
        site = next(self.shared.glob("lib/python3.*/site-packages"))
        return sorted(p.name for p in site.glob("*.dist-info"))

    @property
    def ours(self) -> str:
        """What the user's own TOOL prints where `python` means the shared environment."""
        return f"attacktool {self.shared} -\n"


@pytest.fixture(scope="module", params=SHIM_FLAVOURS)
def attacked(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict,
    base_snapshots: dict,
) -> Iterator[Attacked]:
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    flavour = request.param
    flavour_needs(flavour)
    root = tmp_path_factory.mktemp(f"tool-attacks-{flavour}")
    house = root / "house"
    house.mkdir()
    build_wheel(house, "six", "1.99")
    build_wheel(house, "attacktool", "1.0", scripts={TOOL: "attacktool:main"}, module=TOOL_SOURCE)
    world = new_world(root, bases, house, flavour=flavour)
    neutral = root / "neutral"
    neutral.mkdir()
    world.run(["pip", "install", "attacktool"], cwd=neutral, check=True)
    project = root / "project"
    world.venv(project / ".venv")
    shared = Path(world.prefix_of(cwd=neutral))
    assert shared.parent == world.envs and (shared / "bin" / TOOL).is_file()
    made = Attacked(world, flavour, shared, project, neutral, [], base_snapshots)
    made.packages = made.installed()
    yield made
    assert_bases_untouched(bases, base_snapshots, world.home)


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *wanted: str) -> str:
    """A refusal as the standards want it: non-zero, one `pyrun:` line holding every
    `wanted` part, no traceback, no raw control byte; returns the line."""
    said = pyrun_messages(done.stderr)
    assert done.returncode != 0, done
    assert len(said) == 1 and "Traceback" not in done.stderr, done.stderr
    assert not CONTROL.search(done.stderr), repr(done.stderr)
    for part in wanted:
        assert part in said[0], said[0]
    return said[0]


def venv_of(where: Path, owner: int) -> Path:
    """A `.venv` at `where` owned by `owner` whose python and TOOL print THEIRS."""
    (where / "bin").mkdir(parents=True)
    (where / "pyvenv.cfg").write_text("home = /nonexistent\n")
    for name in ("python", "python3", "python3.11", "python3.12", TOOL, "pip"):
        (where / "bin" / name).write_text(f'#!/bin/sh\necho {THEIRS} {name} "$@"\n')
        (where / "bin" / name).chmod(0o755)
    for path in (where, *where.rglob("*")):
        os.chown(path, owner, owner, follow_symlinks=False)
    return where


def resolver(a: Attacked, cwd: Path, env: dict[str, str | None] | None = None) -> dict:
    done = a.world.run(
        [PYRUN, "which", TOOL, "--json"], cwd=cwd, env={"PWD": str(cwd), **(env or {})}
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# -- A. another account's .venv with a copy of the tool ------------------------------------


def planted(root: Path) -> dict[str, tuple[Path, Path]]:
    """Another account's `.venv`s, each with its TOOL and python: (the working
    directory, the .venv the warning names)."""
    made: dict[str, tuple[Path, Path]] = {}
    pub = root / "pub"  # like /tmp: sticky, others may write
    pub.mkdir(parents=True)
    pub.chmod(0o1777)
    made["theirs in a sticky dir"] = (pub, venv_of(pub / ".venv", NOBODY))
    for name, owner in (("theirs", NOBODY), ("yours", 0)):
        team = root / f"team-{name}"  # a chmod 777 team folder, not sticky
        team.mkdir()
        made[f"{name} in a team dir"] = (team, venv_of(team / ".venv", owner))
        team.chmod(0o777)
    links = root / "links"  # a .venv symlink another account put in a sticky dir
    links.mkdir()
    venv_of(root / "their-env", NOBODY)
    (links / ".venv").symlink_to(root / "their-env")
    os.chown(links / ".venv", NOBODY, NOBODY, follow_symlinks=False)
    links.chmod(0o1777)
    made["their .venv symlink"] = (links, links / ".venv")
    return made


def test_another_accounts_venv_never_runs_its_copy_of_a_tool(attacked: Attacked) -> None:
    """Typed where another account's `.venv` (or one it can replace) has a TOOL and a
    python of its own: the user's shared copy runs, after one `pyrun: not using` line,
    told of no project; its own `python` is the base, theirs never runs. The resolver
    says the same; PYRUN_TRUST naming the .venv is the user's choice to run theirs."""
    a = attacked
    for label, (cwd, venv) in planted(a.world.root / "planted").items():
        done = a.run([TOOL], cwd)
        said = pyrun_messages(done.stderr)
        assert done.returncode == 0 and done.stdout == a.ours, (label, done)
        assert len(said) == 1 and said[0].startswith(f"pyrun: not using {venv}: "), (label, said)
        assert "PYRUN_TRUST" in said[0], said
        found = resolver(a, cwd)
        assert found["program"] == str(a.shared / "bin" / TOOL) and found["shared_env"] is None
        why = a.world.pyrun("why", TOOL, cwd=cwd, env={"PWD": str(cwd)})
        assert f"skipped: not using {venv}: " in why.stdout, why.stdout
        assert why.stdout.endswith(f"=> {TOOL} runs {a.shared / 'bin' / TOOL}\n"), why.stdout
        # The tool's own python there: the base behind the shared environment.
        child = a.run([TOOL, "python", "-c", "import sys; print(sys.prefix)"], cwd)
        assert child.returncode == 0, (label, child.stderr)
        assert child.stdout == f"{a.world.base.prefix}\n", (label, child)
        assert all(line.startswith("pyrun: not using ") for line in pyrun_messages(child.stderr))
        # Trusted by name: theirs, as `python` would be; trusting another path: not.
        trusted = a.run([TOOL], cwd, {"PYRUN_TRUST": str(venv)})
        assert trusted.stdout.startswith(f"{THEIRS} {TOOL}"), (label, trusted)
        assert resolver(a, cwd, {"PYRUN_TRUST": str(venv)})["program"] == str(venv / "bin" / TOOL)
        elsewhere = a.run([TOOL], cwd, {"PYRUN_TRUST": str(a.project)})
        assert elsewhere.stdout == a.ours, (label, elsewhere)
    assert a.installed() == a.packages


# -- B. PYRUN_TOOL and PYRUN_TOOL_PROJECT set by a program the user runs --------------------


def program(tool: str, project: str | None = None) -> list[str]:
    """A program that exports PYRUN_TOOL=`tool` (sh: `$$` its own pid, `$PPID` its
    parent's) and PYRUN_TOOL_PROJECT=`project` (taken from the environment: any bytes),
    then runs its arguments as its child."""
    export = "PYRUN_TOOL_PROJECT=$FAKE_PROJECT; export PYRUN_TOOL_PROJECT; " if project else ""
    script = f'PYRUN_TOOL={tool}; export PYRUN_TOOL; {export}"$@"; exit $?'
    return ["/bin/sh", "-c", script, "program"]


def assert_untouched(a: Attacked) -> None:
    """The bases byte for byte, no user site, the shared environment's packages."""
    assert_bases_untouched(a.world.bases, a.snapshots, a.world.home)
    assert a.installed() == a.packages


def test_a_program_that_says_it_is_the_tool_gets_the_guarded_base(attacked: Attacked) -> None:
    """A program that exports PYRUN_TOOL as its own pid is taken for a tool: its python
    (where python means the shared environment) is the base, and every pip it runs to
    change a base, the user site or the shared environment is refused in one line."""
    a = attacked
    me = program("$$")
    python = a.run([*me, "python", "-c", "import sys; print(sys.prefix)"], a.neutral)
    assert python.returncode == 0 and python.stdout == f"{a.world.base.prefix}\n", python
    base = str(a.world.base.prefix)
    for argv in (
        ["python", "-m", "pip", "install", "--user", "six"],
        ["python", "-m", "pip", "install", "six"],
        ["python", "-m", "pip", "uninstall", "-y", TOOL],
    ):
        done = a.run([*me, *argv], a.neutral)
        assert_one_clear_line(done, f"would change the base interpreter {base}", "; sh runs python")
    # An install that names the base as its destination: no advice to leave the option
    # out (a plain install there is refused too).
    prefix = a.run([*me, "python", "-m", "pip", "install", "--prefix", base, "six"], a.neutral)
    line = assert_one_clear_line(prefix, f"the library of the base interpreter ({base})")
    assert "make a virtual environment to install into" in line and "leave out" not in line
    done = a.run([*me, "pip", "uninstall", "-y", TOOL], a.neutral)
    assert_one_clear_line(done, f"sh would uninstall from pyrun's shared environment {a.shared}")
    # The tool itself running its own interpreter's pip (pip-sync's `sys.executable -m
    # pip`): no uninstall anywhere, no install where python means the user's project.
    real = a.run([TOOL, "{python}", "-m", "pip", "uninstall", "-y", TOOL], a.neutral)
    assert_one_clear_line(real, f"{TOOL} would uninstall from pyrun's shared environment")
    venv = a.project / ".venv"
    real = a.run([TOOL, "{python}", "-m", "pip", "install", "six"], a.project)
    assert_one_clear_line(
        real, f"from {venv}, where python means", f"tell {TOOL} to use {venv}/bin/python,"
    )
    assert_untouched(a)


def test_a_pid_that_is_not_the_parent_is_no_tool(attacked: Attacked) -> None:
    """PYRUN_TOOL naming the program's parent, garbage, or a pid with a leading zero:
    no python shim's parent, so python is the shared environment as for the user, and
    a user-site install is refused as the user's is."""
    a = attacked
    for pid in ("$PPID", "garbage", "0$$", '"$$ "', "\"$$$(printf '\\033')\"", "-1", ""):
        python = a.run([*program(pid), "python", "-c", "import sys; print(sys.prefix)"], a.neutral)
        assert python.stdout == f"{a.shared}\n", (pid, python)
        if pid in ("$PPID", "garbage"):  # pip costs a second: the same rule for each
            argv = [*program(pid), "python", "-m", "pip", "install", "--user", "six"]
            assert_one_clear_line(a.run(argv, a.neutral), "pip install --user is refused")
    assert_untouched(a)


def test_a_made_up_project_keeps_the_shared_environment(attacked: Attacked) -> None:
    """PYRUN_TOOL_PROJECT made up by the program (a path that is not there, another
    account's `.venv`): its pip install and uninstall in the shared environment are
    refused in one line, the suggested python quoted."""
    a = attacked
    theirs = venv_of(a.world.root / "made-up" / "their" / ".venv", NOBODY)
    for project in ("/nowhere/.venv", "/no where/it's", str(theirs)):
        for argv in (["pip", "install", "six"], ["pip", "uninstall", "-y", TOOL]):
            done = a.run([*program("$$", project), *argv], a.neutral, {"FAKE_PROJECT": project})
            line = assert_one_clear_line(done, f"from {project}, where python means")
            suggested = os.path.join(project, "bin", "python")
            if "'" in project:
                assert "tell sh to use '/no where/it'\\''s/bin/python'," in line, line
            else:
                assert f"tell sh to use {suggested}," in line, line
    assert_untouched(a)


def test_a_project_path_with_control_bytes_is_not_printed_raw(attacked: Attacked) -> None:
    """PYRUN_TOOL_PROJECT with a newline and escape bytes (a project directory named so,
    or a program that sets it): the refusal says `a project` and suggests no command."""
    a = attacked
    project = "/tmp/x\n\x1b[31mpyrun: all good\x1b[0m"
    done = a.run(
        [*program("$$", project), "pip", "install", "six"], a.neutral, {"FAKE_PROJECT": project}
    )
    try:
        line = assert_one_clear_line(
            done, "would install into pyrun's shared environment", "from a project, where"
        )
        assert "tell sh to use" not in line, line
    finally:
        assert_untouched(a)


def test_a_reused_pid_of_a_tool_gives_only_a_guarded_base(attacked: Attacked) -> None:
    """The tool (pid 2 in a pid namespace) has exited; a program of a shell it left
    behind gets pid 2 again (ns_last_pid), with PYRUN_TOOL=2 inherited. Its python is
    taken for the tool's (the base: pids are reused), but still guarded: the base and
    the shared environment stay as they were."""
    a = attacked
    need(os.geteuid() == 0 and shutil.which("unshare"), "root and unshare, for a pid namespace")
    probe = subprocess.run(["unshare", "-pf", "--mount-proc", "true"], check=False)
    need(probe.returncode == 0, "a pid namespace (unshare -p --mount-proc)")
    script = (
        'PYRUN_TOOL=2; export PYRUN_TOOL; sh -c "exit 0"; '  # pid 2: the tool, gone
        'echo 1 >/proc/sys/kernel/ns_last_pid; sh -c \'[ $$ = 2 ] && "$@"; exit $?\' again "$@"'
    )
    reused = ["unshare", "-pf", "--mount-proc", "/bin/sh", "-c", script, "ns"]
    python = a.run([*reused, "python", "-c", "import sys; print(sys.prefix)"], a.neutral)
    assert python.stdout == f"{a.world.base.prefix}\n", python
    user = a.run([*reused, "python", "-m", "pip", "install", "--user", "six"], a.neutral)
    assert_one_clear_line(user, "would change the base interpreter")
    gone = a.run([*reused, "pip", "uninstall", "-y", TOOL], a.neutral)
    assert_one_clear_line(gone, "would uninstall from pyrun's shared environment")
    assert_untouched(a)


def test_a_tool_named_with_control_bytes_is_named_the_tool(attacked: Attacked) -> None:
    """A program whose file name holds escape bytes runs pip as a tool: the refusal
    calls it `the tool`, never prints its name raw."""
    a = attacked
    odd = a.world.root / "odd"
    odd.mkdir(exist_ok=True)
    script = odd / "\x1b[31mtool"
    script.write_text('#!/bin/sh\nPYRUN_TOOL=$$; export PYRUN_TOOL; "$@"; exit $?\n')
    script.chmod(0o755)
    done = a.run([str(script), "pip", "uninstall", "-y", TOOL], a.neutral)
    assert_one_clear_line(done, "pyrun: the tool would uninstall from pyrun's shared environment")
    assert_untouched(a)


# -- C. the shared environment where another account can write -----------------------------


def test_a_data_directory_others_can_write_refuses_the_tool(attacked: Attacked) -> None:
    """`chmod 777` on the data directory: the compiled shim refuses the tool in one line
    (it checks the bits on every start), and so does the resolver; the sh shim leaves
    that to the slow path, hook and rehash once records exist (SAFETY.md, known limits),
    so it still runs the user's own copy."""
    a = attacked
    a.world.data.chmod(0o777)
    try:
        for cwd in (a.neutral, a.project):
            done = a.run([TOOL], cwd)
            if a.flavour == "c":
                assert_one_clear_line(done, f"refusing to use {a.world.data}:", "chmod go-w")
                assert done.stdout == ""
            else:
                assert done.returncode == 0 and done.stdout.startswith(f"attacktool {a.shared}")
            which = a.world.pyrun("which", TOOL, "--json", cwd=cwd)
            assert_one_clear_line(which, f"refusing to use {a.world.data}:")
    finally:
        a.world.data.chmod(0o700)


def refused_everywhere(a: Attacked, cwd: Path, *wanted: str) -> None:
    """What another account put in the data directory never runs: the compiled shim
    (it checks the data directory on every start) and the resolver refuse in one line;
    the sh shim leaves that to the slow path, the hook and `pyrun rehash`, which refuse
    alike (SAFETY.md, known limits)."""
    if a.flavour == "c":
        done = a.run([TOOL], cwd)
        assert_one_clear_line(done, *wanted)
        assert THEIRS not in done.stdout and done.stdout == "", done
    assert_one_clear_line(a.world.pyrun("which", TOOL, "--json", cwd=cwd), *wanted)
    assert_one_clear_line(a.world.pyrun("rehash", "-q", cwd=cwd), *wanted)


def test_an_environment_planted_in_envs_is_not_run(attacked: Attacked) -> None:
    """Data directory 0755 (others may go in), envs/ made 0777: another account adds
    `envs/cpython-3.99-<hex>` (the newest minor wins) with a TOOL and a marker. Nothing
    inside the data directory is trusted once others can go into it and write there."""
    a = attacked
    planted = a.world.envs / "cpython-3.99-0123456789ab"
    a.world.data.chmod(0o755)
    a.world.envs.chmod(0o777)
    try:
        venv_of(planted, NOBODY)
        (planted / ".pyrun-complete").write_text("{}")
        os.chown(planted / ".pyrun-complete", NOBODY, NOBODY)
        refused_everywhere(
            a, a.project, f"refusing to use {a.world.data}: others can go into it and ", "rm -rf"
        )
        assert (a.world.data.stat().st_mode & 0o777) == 0o755, "closed over a planted env"
    finally:
        shutil.rmtree(planted)
        a.world.envs.chmod(0o755)
        a.world.data.chmod(0o700)


def test_a_tool_replaced_in_a_bin_others_can_write_is_not_run(attacked: Attacked) -> None:
    """Data directory 0755, the shared environment's bin/ made 0777 after it was made:
    another account moves the user's TOOL aside and puts its own there."""
    a = attacked
    bindir = a.shared / "bin"
    a.world.data.chmod(0o755)
    bindir.chmod(0o777)
    (bindir / TOOL).rename(bindir / ".mine")
    try:
        (bindir / TOOL).write_text(f"#!/bin/sh\necho {THEIRS}\n")
        (bindir / TOOL).chmod(0o755)
        os.chown(bindir / TOOL, NOBODY, NOBODY)
        for cwd in (a.neutral, a.project):
            refused_everywhere(a, cwd, f"refusing to use {a.world.data}: others can go into it")
    finally:
        (bindir / ".mine").replace(bindir / TOOL)
        bindir.chmod(0o755)
        a.world.data.chmod(0o700)


def test_a_data_directory_others_may_go_into_is_closed(attacked: Attacked) -> None:
    """A 0755 data directory (an older pyrun's, or made by hand) with nothing inside
    that anyone else could change: the next slow path closes it (0700) and runs the
    tool; the compiled shim takes the slow path until then."""
    a = attacked
    a.world.data.chmod(0o755)
    try:
        if a.flavour == "c":
            done = a.run([TOOL], a.neutral)
        else:
            assert a.world.pyrun("rehash", "-q").returncode == 0
            done = a.run([TOOL], a.neutral)
        assert done.returncode == 0 and done.stdout == a.ours and done.stderr == "", done
        assert (a.world.data.stat().st_mode & 0o777) == 0o700
    finally:
        a.world.data.chmod(0o700)


def test_a_data_directory_under_a_folder_others_can_write_is_refused(
    tmp_path: Path, bases: dict, base_snapshots: dict, wheelhouse: Path
) -> None:
    """XDG_DATA_HOME in a `chmod 777` folder (not sticky): another account could rename
    the folder's `xdg` away and put its own tree, shims and environments under the same
    path. `pyrun rehash` refuses as for a data directory others can write, and the
    compiled shim made before the folder opened takes the slow path, which refuses."""
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    world = new_world(tmp_path, bases, wheelhouse, flavour="sh")
    team = tmp_path / "team"
    (team / "xdg").mkdir(parents=True)
    env = {"XDG_DATA_HOME": str(team / "xdg")}
    assert world.pyrun("rehash", "-q", env=env).returncode == 0
    team.chmod(0o777)
    wanted = (
        f"refusing to use {team / 'xdg' / 'pyrun'}: {team} is writable by its group and "
        f"others, so someone else could rename {team / 'xdg'}",
        f"chmod go-w {team}",
    )
    assert_one_clear_line(world.pyrun("rehash", "-q", env=env), *wanted)
    need(compiled.compiler(), "a C compiler, to build the compiled shim")
    team.chmod(0o755)
    world.pyrun("rehash", "-q", env={**env, "PYRUN_SHIM": "c"}, check=True)
    team.chmod(0o777)
    done = world.run([str(team / "xdg" / "pyrun" / "shims" / "python"), "-c", "print(1)"], env=env)
    assert_one_clear_line(done, *wanted)
    assert done.stdout == ""


# -- D. odd values ---------------------------------------------------------------------------


def test_a_tool_pid_with_colons_changes_nothing_for_pip(attacked: Attacked) -> None:
    """PYRUN_TOOL holding `:` (the program's pid, then what the sh shim once joined its
    test with) is no pid: pip decides on the fast path, as the resolver says, in both
    shims."""
    a = attacked
    pid = f'"$$:python::{a.world.data}/envs/"'
    done = a.run([*program(pid), "pip", "--version"], a.neutral, {"PYRUN_DEBUG": "1"})
    assert done.returncode == 0, done.stderr
    assert not any(": slow path: " in line for line in done.stderr.splitlines()), done.stderr
