"""Faults during creation: a killed creator, a lock held by a live or a dead process.

Nothing half-made is ever used, and the next call recovers. The `kill -9` test runs
PYRUN_STRESS_KILLS rounds (6 by default; the issue's stress run is
``PYRUN_STRESS_KILLS=50 sh scripts/test.sh tests/test_faults.py``).
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from pyrun.records import COMPLETE_MARKER
from tests.conftest import World

PREFIX = "import sys; print(sys.prefix)"


def kill_rounds() -> int:
    return int(os.environ.get("PYRUN_STRESS_KILLS", "6"))


def environment_name(world: World) -> str:
    answer = json.loads(world.pyrun("which", "python", "--json", check=True).stdout)
    return Path(answer["environment"]).name


def complete_means_usable(world: World) -> None:
    """Whatever carries the completion marker is a working environment with pip."""
    for env in world.envs.iterdir() if world.envs.exists() else []:
        if not (env / COMPLETE_MARKER).is_file():
            continue
        done = subprocess.run(
            [str(env / "bin" / "python"), "-c", "import pip, sys; print(sys.prefix)"],
            capture_output=True,
            text=True,
            env=world.env,
            check=False,
        )
        assert done.returncode == 0, f"{env} is marked complete but does not work:\n{done.stderr}"
        assert done.stdout.strip() == str(env)


def test_kill_9_during_creation_never_leaves_a_usable_half(world: World) -> None:
    rounds = kill_rounds()
    landed = {"before the environment existed": 0, "mid-creation": 0, "after completion": 0}
    for i in range(rounds):
        # Cold each round: no environment, no record.
        for leftover in ("envs", "by-path"):
            subprocess.run(["rm", "-rf", str(world.data / leftover)], check=True)
        proc = subprocess.Popen(
            [str(world.shims / "python"), "-c", PREFIX],
            env=world.env,
            cwd=world.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the slow path and its venv child die together
        )
        if i % 2 == 0:  # at a moment spread over the whole first use
            time.sleep(0.3 * i / max(rounds - 1, 1))
        else:  # once the environment's directory appears, 0-20 ms into making it
            deadline = time.monotonic() + 10
            while not (world.envs.exists() and any(world.envs.iterdir())):
                if time.monotonic() > deadline or proc.poll() is not None:
                    break
                time.sleep(0.001)
            time.sleep(random.Random(i).uniform(0, 0.02))  # noqa: S311 (timing, not secrets)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        made = list(world.envs.iterdir()) if world.envs.exists() else []
        if not made:
            landed["before the environment existed"] += 1
        elif any(not (env / COMPLETE_MARKER).exists() for env in made):
            landed["mid-creation"] += 1
        else:
            landed["after completion"] += 1
        complete_means_usable(world)
        done = world.run(["python", "-c", PREFIX])
        assert done.returncode == 0, f"round {i}: the next call did not recover:\n{done.stderr}"
        env = Path(done.stdout.strip())
        assert env.parent == world.envs and (env / COMPLETE_MARKER).is_file(), env
        complete_means_usable(world)
    # The figures for SAFETY.md (pytest -s shows them).
    print(f"\nkill -9: {rounds} rounds; landed " + ", ".join(f"{n} {w}" for w, n in landed.items()))
    print(f"kill -9: the next call recovered {rounds} of {rounds} times")
    assert landed["mid-creation"] > 0, "no kill landed during creation; nothing was tested"


def hold_lock(world: World, name: str, pid: int) -> int:
    lock = world.data / "locks" / f"{name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, str(pid).encode())
    return fd


def test_a_live_lock_is_waited_for_with_a_message(world: World) -> None:
    fd = hold_lock(world, environment_name(world), os.getpid())
    proc = subprocess.Popen(
        [str(world.shims / "python"), "-c", PREFIX],
        env=world.env,
        cwd=world.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)
    assert proc.poll() is None, "it did not wait for the lock"
    os.close(fd)  # the holder finishes
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip().startswith(str(world.envs))
    assert f"pyrun: waiting for another pyrun (pid {os.getpid()}) to finish creating" in err


def test_a_lock_held_too_long_is_a_one_line_error_and_nothing_is_made(world: World) -> None:
    fd = hold_lock(world, environment_name(world), os.getpid())
    try:
        done = world.run(["python", "-c", PREFIX], env={"PYRUN_LOCK_TIMEOUT": "2"})
    finally:
        os.close(fd)
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert said[-1].startswith("pyrun: timed out after 2s waiting for another pyrun (pid ")
    assert "stop it and run the command again" in said[-1]
    assert not world.envs.exists() or not any(world.envs.iterdir())


def test_a_lock_left_by_a_dead_process_is_taken_over(world: World) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    lock = world.data / "locks" / f"{environment_name(world)}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(str(gone.pid))  # named, but nobody holds it: flock died with it
    done = world.run(["python", "-c", PREFIX], check=True)
    # A wait of more than a second would have said so (the live-lock test shows it does).
    assert "waiting" not in done.stderr
    assert done.stdout.strip().startswith(str(world.envs))


def test_a_bad_lock_timeout_is_one_line(world: World) -> None:
    done = world.run(["python", "-c", PREFIX], env={"PYRUN_LOCK_TIMEOUT": "soon"})
    assert done.returncode != 0
    assert "PYRUN_LOCK_TIMEOUT='soon' is not a number of seconds" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
