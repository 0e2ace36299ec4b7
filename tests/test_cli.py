"""The commands a user types: which, why, rehash, and their errors."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import World, need_minor


def test_why_lists_every_step_in_order_and_what_answered(world: World) -> None:
    proj = world.root / "proj"
    world.venv(proj / ".venv", pip=True)
    done = world.pyrun("why", "pip", cwd=proj, check=True)
    lines = done.stdout.splitlines()
    assert [line.split(".", 1)[0] for line in lines[:5]] == ["1", "2", "3", "4", "5"]
    assert "VIRTUAL_ENV" in lines[0] and "skipped: not set" in lines[0]
    assert ".venv" in lines[2] and "found" in lines[2] and str(proj / ".venv") in lines[2]
    assert "not looked at" in lines[3] and "not looked at" in lines[4]
    # its own pip, under pyrun's install guard (pipshare.py's runner)
    runner = world.data / "pip" / "current" / "ownpip"
    assert lines[-1] == f"=> pip runs {proj / '.venv' / 'bin' / 'python3'} {runner}"


def test_why_explains_a_broken_venv_and_exits_non_zero(world: World) -> None:
    proj = world.root / "proj"
    (proj / ".venv").mkdir(parents=True)
    done = world.pyrun("why", cwd=proj)
    assert done.returncode == 1
    assert "no pyvenv.cfg" in done.stdout and "=> python: error:" in done.stdout


def test_which_before_first_use_names_the_env_it_will_create(world: World) -> None:
    data = json.loads(world.pyrun("which", "pip3", "--json", check=True).stdout)
    assert data["ready"] is False
    assert not world.envs.exists(), "which only explains; it creates nothing"
    world.run(["pip3", "--version"], check=True)
    after = json.loads(world.pyrun("which", "pip3", "--json", check=True).stdout)
    assert after["ready"] is True
    assert after["environment"] == data["environment"]
    assert after["program"] == data["program"]


def test_rehash_follows_the_versions_on_path(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    assert not (world.shims / "python3.12").exists()
    with_312 = world.path_with(world.shims, world.base.bin, py312.bin)  # type: ignore[union-attr]
    world.pyrun("rehash", env={"PATH": with_312}, check=True)
    assert os.access(world.shims / "python3.12", os.X_OK)
    assert os.access(world.shims / "pip3.12", os.X_OK)
    world.pyrun("rehash", check=True)  # 3.12 gone from PATH again: its shims are pruned
    assert not (world.shims / "python3.12").exists()
    assert (world.shims / "python3.11").exists()


def test_hook_rehashes_when_a_new_version_appears_on_path(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    with_312 = world.path_with(world.shims, world.base.bin, py312.bin)  # type: ignore[union-attr]
    world.pyrun("hook", "bash", env={"PATH": with_312}, check=True)
    assert (world.shims / "python3.12").exists()


@pytest.mark.parametrize(
    "argv",
    [["which", "ruby"], ["why", "python2"], ["exec"], ["exec", "--system"], ["frobnicate"]],
)
def test_bad_input_is_one_line_and_non_zero(world: World, argv: list[str]) -> None:
    done = world.pyrun(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("pyrun: ") and done.stderr.count("\n") == 1, done.stderr
