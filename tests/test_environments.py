"""Which environment `python` and `pip` mean, step by step, through the real shims."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.conftest import World, need, need_minor


def which(world: World, name: str, cwd: Path, **env: str) -> dict[str, object]:
    done = world.pyrun("which", name, "--json", cwd=cwd, env=env, check=True)
    return json.loads(done.stdout)


def test_nearest_dot_venv_from_cwd_and_parents(world: World) -> None:
    outer = world.venv(world.root / "proj" / ".venv")
    inner_dir = world.root / "proj" / "pkg"
    inner = world.venv(inner_dir / ".venv")
    deep = inner_dir / "src" / "a" / "b"
    deep.mkdir(parents=True)
    assert world.prefix_of(cwd=deep) == str(inner)
    assert world.prefix_of(cwd=world.root / "proj") == str(outer)
    assert which(world, "python3", deep)["source"] == ".venv"


def test_cwd_inside_a_venv_selects_it(world: World) -> None:
    venv = world.venv(world.root / "env")
    inside = venv / "lib"
    assert world.prefix_of(cwd=inside) == str(venv)


def test_walk_uses_the_physical_cwd(world: World) -> None:
    # /root/logical/.venv exists, but `link` points at a directory with no .venv above it.
    world.venv(world.root / "logical" / ".venv")
    target = world.root / "physical" / "proj"
    target.mkdir(parents=True)
    (world.root / "logical" / "link").symlink_to(target)
    logical = world.root / "logical" / "link"
    prefix = world.prefix_of(cwd=logical, env={"PWD": str(logical)})
    assert prefix.startswith(str(world.envs)), "the .venv above the logical path must not count"


def test_virtual_env_beats_dot_venv(world: World) -> None:
    active = world.venv(world.root / "active")
    world.venv(world.root / "proj" / ".venv")
    prefix = world.prefix_of(cwd=world.root / "proj", env={"VIRTUAL_ENV": str(active)})
    assert prefix == str(active)


def test_named_conda_env_beats_dot_venv_and_conda_base_comes_after(world: World) -> None:
    conda = world.root / "miniconda"
    named = conda / "envs" / "science"
    for prefix in (conda, named):
        (prefix / "bin").mkdir(parents=True)
        (prefix / "bin" / "python3").symlink_to(world.base.python)
        (prefix / "conda-meta").mkdir()
    world.venv(world.root / "proj" / ".venv")
    proj = world.root / "proj"
    got = which(world, "python", proj, CONDA_PREFIX=str(named), CONDA_DEFAULT_ENV="science")
    assert (got["source"], got["environment"]) == ("CONDA_PREFIX", str(named))

    base_env = {"CONDA_PREFIX": str(conda), "CONDA_DEFAULT_ENV": "base"}
    assert which(world, "python", proj, **base_env)["source"] == ".venv"
    elsewhere = world.root / "elsewhere"
    elsewhere.mkdir()
    got = which(world, "python", elsewhere, **base_env)
    assert got["source"] == "isolated"
    assert got["base"] == str(world.base.python.resolve())


def test_version_shim_skips_environments_of_another_version(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    world.env["PATH"] = world.path_with(world.shims, world.base.bin, py312.bin)
    world.pyrun("rehash", "-q", check=True)
    proj = world.root / "proj"
    world.venv(proj / ".venv")  # 3.11
    assert world.prefix_of("python3.12", cwd=proj).startswith(str(world.envs))
    out = world.run(["python3.12", "-c", "import sys; print(sys.version_info[:2])"], cwd=proj)
    assert out.stdout.strip() == "(3, 12)"
    assert world.prefix_of("python3.11", cwd=proj) == str(proj / ".venv")
    pip = world.run(["pip3.12", "--version"], cwd=proj, check=True)
    assert "(python 3.12)" in pip.stdout


def test_broken_dot_venv_is_an_error_not_a_fall_through(world: World) -> None:
    proj = world.root / "proj"
    (proj / ".venv").mkdir(parents=True)  # no pyvenv.cfg
    done = world.run(["python", "-c", "print('ran')"], cwd=proj)
    assert done.returncode != 0
    assert "ran" not in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(proj / ".venv") in lines[0] and "python3 -m venv" in lines[0]


def test_dangling_dot_venv_interpreter_is_an_error(world: World) -> None:
    proj = world.root / "proj"
    venv = world.venv(proj / ".venv")
    for name in ("python", "python3", "python3.11"):
        (venv / "bin" / name).unlink()
    (venv / "bin" / "python").symlink_to(world.root / "deleted-base" / "python3.11")
    for name in ("python", "pip"):
        done = world.run([name, "--version"], cwd=proj)
        assert done.returncode == 1
        assert f"{venv} is broken" in done.stderr


def test_virtual_env_pointing_nowhere_is_skipped_for_python_and_refused_for_pip(
    world: World,
) -> None:
    env = {"VIRTUAL_ENV": str(world.root / "gone")}
    python = world.run(["python", "-c", "import sys; print(sys.prefix)"], env=env)
    assert python.returncode == 0
    assert python.stdout.strip().startswith(str(world.envs))
    assert "ignoring VIRTUAL_ENV=" in python.stderr and "deactivate" in python.stderr
    pip = world.run(["pip", "install", "pyrun_probe"], env=env)
    assert pip.returncode != 0
    assert "VIRTUAL_ENV=" in pip.stderr and "deactivate" in pip.stderr
    assert not list(world.envs.glob("*/lib/python*/site-packages/pyrun_probe"))


def test_pip_in_a_venv_without_pip_installs_into_that_venv(world: World) -> None:
    proj = world.root / "proj"
    venv = world.venv(proj / ".venv", pip=False)
    assert not (venv / "bin" / "pip").exists()
    world.run(["pip", "install", "pyrun_probe"], cwd=proj, check=True)
    assert list((venv / "lib").glob("python3.11/site-packages/pyrun_probe/__init__.py"))
    got = world.run(["python", "-c", "import pyrun_probe; print(pyrun_probe.VERSION)"], cwd=proj)
    assert got.stdout.strip() == "1.0"
    assert not (venv / "bin" / "pip").exists(), "pip itself was not installed into the venv"
    # its console script has a shim, as one installed into an isolated environment would
    got = world.run(["pyrun-probe"], cwd=proj, check=True)
    assert got.stdout.strip() == f"pyrun_probe 1.0 {venv}"


def test_deleted_cwd_still_runs_steps_1_2_and_4(world: World) -> None:
    active = world.venv(world.root / "active")

    def prefix_from_deleted_cwd(name: str, **env: str) -> str:
        gone = world.root / name
        gone.mkdir()
        script = f"cd {gone} && rmdir {gone} && python -c 'import sys; print(sys.prefix)'"
        done = world.run(script, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert prefix_from_deleted_cwd("gone1").startswith(str(world.envs))
    assert prefix_from_deleted_cwd("gone2", VIRTUAL_ENV=str(active)) == str(active)
    (active / "conda-meta").mkdir()  # a conda environment now, for step 2
    conda_env = {"CONDA_PREFIX": str(active), "CONDA_DEFAULT_ENV": "active"}
    assert prefix_from_deleted_cwd("gone3", **conda_env) == str(active)


def test_relative_path_entries_are_not_searched(world: World) -> None:
    # A `python3` in the directory you cd into must not become the base interpreter.
    trap = world.root / "trap"
    (trap / "bin").mkdir(parents=True)
    canary = trap / "bin" / "python3"
    canary.write_text("#!/bin/sh\necho CANARY-RAN\n")
    canary.chmod(0o755)
    env = {"PATH": os.pathsep.join([str(world.shims), "bin", str(world.base.bin), "/usr/bin"])}
    done = world.run(["python3", "-c", "print('real')"], cwd=trap, env=env)
    assert done.stdout.strip() == "real", done.stdout + done.stderr


def test_nothing_found_is_a_clear_error(world: World) -> None:
    empty = world.root / "empty"
    empty.mkdir()
    env = {"PATH": os.pathsep.join([str(world.shims), str(empty)])}
    done = world.run([str(world.shims / "python3"), "-c", "pass"], env=env)
    assert done.returncode == 127
    assert done.stderr.count("\n") == 1
    assert "no Python 3 found" in done.stderr and "VIRTUAL_ENV" in done.stderr


def test_a_path_dir_with_only_python3_x_provides_the_unversioned_python(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    only = world.root / "uv-bin"
    only.mkdir()
    (only / "python3.12").symlink_to(py312.python)  # type: ignore[union-attr]
    env = {"PATH": world.path_with(world.shims, only, world.base.bin), "PYRUN_DEBUG": "1"}
    code = "import sys; print(sys.version_info[:2])"
    for _ in range(2):  # the slow path creates the env, then the shell finds it alone
        done = world.run(["python", "-c", code], env=env, check=True)
        assert done.stdout.strip() == "(3, 12)"
    assert "slow path" not in done.stderr, done.stderr


def test_pip_in_a_uv_made_venv_installs_into_it(world: World) -> None:
    uv = Path(sys.executable).parent / "uv"
    need(uv.exists(), "uv (a test dependency)")
    proj = world.root / "proj"
    proj.mkdir()
    offline = {
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
        "UV_CACHE_DIR": str(world.root / "uv-cache"),
    }
    world.run(
        [str(uv), "venv", "--python", str(world.base.python), str(proj / ".venv")],
        cwd=proj,
        env=offline,
        check=True,
    )
    assert not (proj / ".venv" / "bin" / "pip").exists(), "uv makes venvs without pip"
    world.run("pip install pyrun_probe", cwd=proj, check=True)
    assert list((proj / ".venv" / "lib").glob("python3.11/site-packages/pyrun_probe"))
    done = world.run(["python", "-c", "import pyrun_probe, sys; print(sys.prefix)"], cwd=proj)
    assert done.stdout.strip() == str(proj / ".venv")
