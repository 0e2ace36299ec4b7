"""A shim is invisible: bytes, exit codes, signals and streams pass through, and the
target replaces the shim instead of running under it. Every test runs with both shims,
the shell script and the compiled one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIM_FLAVOURS, World, need


@pytest.fixture(params=SHIM_FLAVOURS)
def shim_flavour(request: pytest.FixtureRequest) -> str:
    return request.param


ARGS = [
    "",
    " spaced  out ",
    "$HOME",
    "`id`",
    "$(id)",
    "a\nb",
    "tab\there",
    "naïve",
    "日本",
    "\\",
    "'\"",
]


def warm(world: World) -> None:
    world.run(["python", "-c", "pass"], check=True)


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_every_argv_byte_passes_through(world: World, path: str) -> None:
    if path == "fast":
        warm(world)
    code = "import sys, json; print(json.dumps(sys.argv[1:]))"
    done = world.run(["python", "-c", code, *ARGS], env={"PYRUN_DEBUG": "1"}, check=True)
    assert json.loads(done.stdout) == ARGS
    assert ("slow path" in done.stderr) == (path == "slow")


def test_non_utf8_argument_bytes_pass_through(world: World) -> None:
    warm(world)
    raw = b"\xff\xfe-latin1-\xe9"
    code = "import sys, os; sys.stdout.buffer.write(os.fsencode(sys.argv[1]))"
    done = subprocess.run(
        [str(world.shims / "python"), "-c", code, raw], env=world.env, capture_output=True
    )
    assert done.stdout == raw


def test_exit_code_stdin_and_stderr(world: World) -> None:
    warm(world)
    code = "import sys; data = sys.stdin.read(); sys.stderr.write('E:' + data); sys.exit(42)"
    done = world.run(["python", "-c", code], input=b"hello")
    assert (done.returncode, done.stderr) == (42, "E:hello")


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_shim_execs_no_wrapper_process_stays(world: World, path: str) -> None:
    if path == "fast":
        warm(world)
    code = "import os, sys; print(os.getpid()); sys.stdout.flush(); sys.stdin.read()"
    proc = subprocess.Popen(
        [str(world.shims / "python"), "-c", code],
        env=world.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=world.root,
    )
    assert proc.stdout is not None and proc.stdin is not None
    reported = int(proc.stdout.readline())
    proc.stdin.close()
    proc.wait(timeout=60)
    assert reported == proc.pid, "the interpreter must be the process the caller started"


def test_signals_reach_the_target(world: World) -> None:
    warm(world)
    code = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    done = world.run(["python", "-c", code])
    assert done.returncode == -signal.SIGTERM


def test_pyrun_disable_passes_through_to_the_next_python(world: World) -> None:
    done = world.run(["python3", "-c", "import sys; print(sys.prefix)"], env={"PYRUN_DISABLE": "1"})
    assert done.stdout.strip() == str(world.base.prefix)
    assert not world.envs.exists(), "pass-through creates nothing"


def test_exec_system_runs_the_base(world: World) -> None:
    done = world.pyrun(
        "exec", "--system", "--", "python3", "-c", "import sys; print(sys.prefix)", check=True
    )
    assert done.stdout.strip() == str(world.base.prefix)


def test_shims_twice_on_path_and_through_a_symlink_do_not_loop(world: World) -> None:
    link = world.root / "shims-link"
    link.symlink_to(world.shims)
    path = os.pathsep.join([str(world.shims), str(link), str(world.shims), str(world.base.bin)])
    for _ in range(2):  # cold, then warm
        done = world.run(
            ["python", "-c", "import sys; print(sys.prefix)"], env={"PATH": path}, timeout=30
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().startswith(str(world.envs))


def test_a_second_installation_of_shims_does_not_loop(world: World) -> None:
    other_home = world.root / "other"
    other_data = other_home / "data"
    env = {"PYRUN_DATA_DIR": str(other_data), "HOME": str(other_home)}
    world.pyrun("rehash", "-q", env=env, check=True)
    path = os.pathsep.join([str(world.shims), str(other_data / "shims"), str(world.base.bin)])
    for extra in ({}, {"PYRUN_DISABLE": "1"}):
        done = world.run(
            ["python3", "-c", "import sys; print(sys.prefix)"],
            env={"PATH": path, **extra},
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
    only_shims = os.pathsep.join([str(world.shims), str(other_data / "shims")])
    done = world.run(["python3", "-c", "pass"], env={"PATH": only_shims}, timeout=30)
    assert done.returncode != 0
    assert "pyrun" in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_racing_cold_start_makes_one_complete_environment(world: World) -> None:
    code = "import sys; print(sys.prefix)"
    procs = [
        subprocess.Popen(
            [str(world.shims / "python"), "-c", code],
            env=world.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=world.root,
        )
        for _ in range(16)
    ]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), results
    prefixes = {out.strip() for out, _err in results}
    assert len(prefixes) == 1
    assert [p.name for p in world.envs.iterdir()] == [Path(prefixes.pop()).name]


def test_an_incomplete_environment_is_rebuilt_not_used(world: World) -> None:
    warm(world)
    (env,) = world.envs.iterdir()
    (env / ".pyrun-complete").unlink()  # as if creation was killed before the end
    (env / "half-made").write_text("leftover")
    done = world.run(["python", "-c", "import sys; print(sys.prefix)"], env={"PYRUN_DEBUG": "1"})
    assert done.returncode == 0, done.stderr
    assert "slow path" in done.stderr
    assert (env / ".pyrun-complete").is_file()
    assert not (env / "half-made").exists()


def test_first_use_announces_itself_only_on_a_terminal(world: World) -> None:
    done = world.run(["python", "-c", "pass"])
    assert done.stderr == "", "no chatter when stderr is not a terminal"
    pexpect = pytest.importorskip("pexpect")
    other = world.root / "tty-home"
    env = {**world.env, "PYRUN_DATA_DIR": str(other)}
    world.pyrun("rehash", "-q", env={"PYRUN_DATA_DIR": str(other)}, check=True)
    child = pexpect.spawn(
        str(other / "shims" / "python"),
        ["-c", "print('done')"],
        env=env,
        encoding="utf-8",
        cwd=str(world.root),
    )
    child.expect("creating the isolated environment for Python 3.11")
    child.expect("done")
    child.wait()


def test_output_before_a_hard_exit_arrives(world: World) -> None:
    # Output written before a crash still arrives: the shim adds no pipe of its own.
    warm(world)
    code = "import os; os.write(1, b'partial'); os._exit(3)"
    done = world.run(["python", "-c", code])
    assert (done.returncode, done.stdout) == (3, "partial")


def test_sys_executable_is_the_environment_interpreter(world: World) -> None:
    warm(world)
    done = world.run(["python3", "-c", "import sys; print(sys.executable)"], check=True)
    assert done.stdout.strip().startswith(str(world.envs))
    assert done.stdout.strip().endswith("/bin/python3")


def test_shim_whose_pyrun_is_gone_says_so(world: World) -> None:
    # pyrun installed with an interpreter that is then deleted: a venv that sees this
    # pyrun and its dependencies through a .pth file writes the shims, then goes.
    tool = world.root / "tool"
    subprocess.run([world.base.python, "-m", "venv", "--without-pip", tool], check=True)
    site = next(tool.glob("lib/python3.*/site-packages"))
    (site / "dev.pth").write_text("\n".join(p for p in sys.path if p) + "\n")
    rehash = "from pyrun.cli import main; raise SystemExit(main(['rehash', '-q']))"
    world.run([str(tool / "bin" / "python"), "-c", rehash], check=True)
    shutil.rmtree(tool)
    done = world.run(["python", "-c", "pass"])
    assert done.returncode == 127
    assert "reinstall pyrun" in done.stderr and done.stderr.count("\n") == 1


def test_steady_state_starts_no_process_but_the_target(world: World, shim_flavour: str) -> None:
    strace = shutil.which("strace")
    need(strace, "strace")
    proj = world.root / "proj"
    world.venv(proj / ".venv")
    # The isolated env via its record, a .venv, and a .venv that PYRUN_TRUST names. The
    # sh shim has no builtin for mode bits: where a .venv is found it runs one `ls` to
    # check who controls it (src/pyrun/ownership.py), unless PYRUN_TRUST says to trust.
    for cwd, trust in ((world.root, None), (proj, None), (proj, "*")):
        env = {"PYRUN_TRUST": trust} if trust else {}
        world.run(["python", "-c", "pass"], cwd=cwd, env=env, check=True)  # warm
        log = world.root / "strace.log"
        world.run(
            [
                str(strace),
                "-f",
                "-qq",
                "-e",
                "trace=execve,fork,vfork,clone,clone3",
                "-o",
                str(log),
                str(world.shims / "python"),
                "-c",
                "pass",
            ],
            cwd=cwd,
            env=env,
            check=True,
        )
        calls = [line.split(None, 1)[1] for line in log.read_text().splitlines() if line.strip()]
        execs = [c for c in calls if c.startswith("execve(")]
        spawns = [c for c in calls if c.startswith(("fork", "vfork", "clone"))]
        checks_owner = shim_flavour == "sh" and cwd == proj and trust is None
        # the shim, (ls,) then the interpreter replacing the shim
        assert len(execs) == (3 if checks_owner else 2), execs
        assert "bin/python" in execs[-1]
        if checks_owner:
            assert execs[1].startswith('execve("/bin/ls", '), execs
            assert len(spawns) == 1, spawns
        else:
            assert spawns == [], spawns
