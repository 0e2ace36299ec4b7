"""Environments the user already has, reached through PATH: used as they are.

A venv's or a named conda environment's ``bin/`` on PATH without activation, and a
pyenv-virtualenv environment that pyenv's shims would run, are those environments:
``python`` runs them, ``pip`` installs into them (under the guard), the prompt and
``pyrun which`` name them. Only a base interpreter (conda's own base install
included) runs as its isolated environment. The ``world`` fixture checks afterwards
that no base interpreter changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyrun import shims
from tests.conftest import World, need_minor
from tests.test_base_untouched import refusal
from tests.test_uv_agreement import fake_conda_prefix

PREFIX = "import sys; print(sys.prefix)"
PROBE = "import pyrun_probe, sys; print(sys.prefix)"


def which(world: World, cwd: Path) -> dict[str, object]:
    done = world.pyrun("which", "python", "--json", cwd=cwd, check=True)
    return json.loads(done.stdout)


def told_label(world: World, cwd: Path) -> str:
    """The label the hooks are told by the resolver binary."""
    done = world.run([str(world.shims / shims.RESOLVER)], cwd=cwd, check=True)
    return next(line[6:] for line in done.stdout.splitlines() if line.startswith("label="))


def assert_used_as_is(world: World, env: Path, label: str, cwd: Path) -> None:
    """python runs `env`, pip installs into it, and every copy names it."""
    assert world.run(["python", "-c", PREFIX], cwd=cwd, check=True).stdout.strip() == str(env)
    world.run(["pip", "install", "pyrun_probe"], cwd=cwd, check=True)
    # Where the environment's own interpreter imports it from: below the environment
    # (lib/python3.X/site-packages, or local/lib/python3.X/dist-packages for an
    # interpreter built by Debian, whose install scheme that is).
    located = [str(env / "bin" / "python"), "-c", "import pyrun_probe; print(pyrun_probe.__file__)"]
    landed = world.run(located, cwd=cwd, check=True).stdout.strip()
    assert landed.startswith(f"{env}/") and "-packages/pyrun_probe/" in landed, landed
    assert not list(world.envs.glob("*/lib/python*/site-packages/pyrun_probe"))
    assert world.run(["python", "-c", PROBE], cwd=cwd, check=True).stdout.strip() == str(env)
    found = which(world, cwd)
    assert (found["source"], found["environment"], found["base"]) == ("PATH", str(env), None)
    assert found["label"] == label
    assert told_label(world, cwd) == label
    why = world.pyrun("why", "python", cwd=cwd, check=True).stdout
    assert f"on PATH: found: {env} (" in why and "used as it is" in why, why


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_a_venv_bin_first_on_path_is_that_venv(world: World, flavour: str) -> None:
    world.env["PYRUN_SHIM"] = flavour
    world.pyrun("rehash", check=True)
    venv = world.venv(world.root / "venvs" / "tools")
    world.env["PATH"] = world.path_with(world.shims, venv / "bin", world.base.bin)
    assert_used_as_is(world, venv, "tools", world.root)


def test_a_named_conda_env_bin_on_path_is_that_env_but_condas_base_is_a_base(
    world: World,
) -> None:
    need_minor(world.bases, "3.12")
    conda = fake_conda_prefix(world.root / "miniconda3", world.bases["3.12"])
    (conda / "condabin").mkdir()  # conda's base install has it; its environments do not
    named = fake_conda_prefix(conda / "envs" / "sci", world.base)
    world.env["PATH"] = world.path_with(world.shims, named / "bin", world.base.bin)
    assert_used_as_is(world, named, "sci", world.root)
    world.env["PATH"] = world.path_with(world.shims, conda / "bin", world.base.bin)
    found = which(world, world.root)
    assert found["source"] == "isolated"
    assert Path(str(found["base"])).resolve() == (conda / "bin" / "python3").resolve()
    assert told_label(world, world.root) == "pyrun 3.12"


@pytest.mark.parametrize("how", ["version file", "PYENV_VERSION"])
def test_a_pyenv_virtualenv_name_runs_that_environment(world: World, how: str) -> None:
    need_minor(world.bases, "3.12")
    root = world.root / "pyenv-root"
    (root / "shims").mkdir(parents=True)
    (root / "versions").mkdir()
    (root / "versions" / "3.12.1").symlink_to(world.bases["3.12"].prefix)
    for name in ("python", "python3"):
        (root / "shims" / name).write_text("#!/bin/sh\necho 'pyenv was run' >&2\nexit 1\n")
        (root / "shims" / name).chmod(0o755)
    # pyenv-virtualenv keeps the venv under its version and links its name to it.
    env = world.venv(root / "versions" / "3.12.1-envs" / "myvenv", base=world.bases["3.12"])
    (root / "versions" / "myvenv").symlink_to(env)
    world.env["PYENV_ROOT"] = str(root)
    world.env["PATH"] = world.path_with(world.shims, root / "shims", world.base.bin)
    proj = world.root / "proj"
    proj.mkdir()
    if how == "version file":
        (proj / ".python-version").write_text("myvenv\n")
    else:
        world.env["PYENV_VERSION"] = "myvenv"
    assert_used_as_is(world, root / "versions" / "myvenv", "myvenv", proj)


@pytest.mark.parametrize("flavour", ["sh", "c"])
@pytest.mark.sh_in_stress
def test_a_path_venvs_own_pip_runs_under_the_guard(world: World, flavour: str) -> None:
    """`pip` with a venv's bin/ first on PATH is that venv's own pip (its version, its
    configuration), run by the guarded runner: an install into the base is refused,
    a plain one lands in the venv; the `world` fixture checks the base afterwards."""
    world.env["PYRUN_SHIM"] = flavour
    world.pyrun("rehash", check=True)
    venv = world.venv(world.root / "venvs" / "tools", pip=True)
    world.env["PATH"] = world.path_with(world.shims, venv / "bin", world.base.bin)
    said = world.run(["pip", "--version"], check=True).stdout
    assert f" from {venv}/lib/" in said, said
    refusal(world.run(["pip", "install", "--target", str(world.base.site_packages), "pyrun_probe"]))
    world.run(["pip", "install", "pyrun_probe"], check=True)
    assert list(venv.glob("lib/python3.*/site-packages/pyrun_probe/__init__.py"))
    assert not list(world.envs.glob("*/lib/python*/site-packages/pyrun_probe"))
