"""Console scripts by name: ``pip install`` through a shim, then the script's own name.

A wheel with a console script (tests/wheels.py, ``pyrun-probe``, which prints its name,
version and ``sys.prefix``) is installed through the pip shim for real; the pip guard
makes its shim (shims.rehash_scripts), and it then runs from any directory where the
isolated environment is what ``python`` resolves to, in scripts and in a shell that had
looked for it before, and, installed once, wherever the environment ``python`` uses
lacks it (a project's own copy wins). Where no isolated environment has it either, the
next one on PATH runs, else a one-line error; an uninstall takes the shim away with the last
environment that has it. tests/test_agreement.py holds both shim flavours to the
resolver for the same name.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHIM_FLAVOURS, UV, World, need, need_minor, snapshot
from tests.wheels import build_wheel

SCRIPT = "pyrun-probe"


def fake_on_path(world: World) -> Path:
    """Another pyrun-probe, later on PATH: prints its own path."""
    fake = world.root / "elsewhere"
    fake.mkdir()
    (fake / SCRIPT).write_text('#!/bin/sh\necho "$0"\n')
    (fake / SCRIPT).chmod(0o755)
    return fake


def test_pip_install_through_the_shim_then_the_script_by_name(world: World) -> None:
    plain = world.root / "plain" / "dir"
    plain.mkdir(parents=True)
    # One shell: not found, installed through the pip shim, then found, with no
    # `hash -r` (bash does not remember a name it did not find).
    done = world.run(
        f"{SCRIPT}; echo rc=$?; pip install -q pyrun_probe; {SCRIPT}", cwd=plain, check=True
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "rc=127", done.stderr
    env = json.loads(world.pyrun("which", "python", "--json", cwd=plain, check=True).stdout)
    assert lines[1] == f"pyrun_probe 1.0 {env['environment']}"
    assert (world.shims / SCRIPT).is_file()
    assert not (world.shims / "activate").exists(), "venv's own files get no shim"

    # A fresh script anywhere below: by name, through PATH, no hook involved.
    (plain / "run.sh").write_text(f"#!/bin/sh\ncd /\nexec {SCRIPT}\n")
    (plain / "run.sh").chmod(0o755)
    done = world.run([str(plain / "run.sh")], cwd=plain, check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {env['environment']}"

    answer = json.loads(world.pyrun("which", SCRIPT, "--json", cwd=plain, check=True).stdout)
    assert answer["program"] == f"{env['environment']}/bin/{SCRIPT}"
    assert answer["source"] == "isolated" and answer["passthrough"] is False

    # Installed once, run everywhere: a project whose .venv lacks it runs the isolated
    # environment's copy (on that environment's interpreter), before any other on PATH.
    project = world.root / "project"
    world.venv(project / ".venv")
    fake = fake_on_path(world)
    later = {"PATH": world.path_with(world.shims, world.base.bin, fake)}
    done = world.run([SCRIPT], cwd=project, env=later, check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {env['environment']}"
    answer = json.loads(world.pyrun("which", SCRIPT, "--json", cwd=project, env=later).stdout)
    assert answer["program"] == f"{env['environment']}/bin/{SCRIPT}"
    assert answer["shared_env"] == env["environment"] and answer["passthrough"] is False
    assert answer["environment"] == str(project / ".venv")
    why = world.pyrun("why", SCRIPT, cwd=project, check=True).stdout
    assert (
        f"{project / '.venv'} has no {SCRIPT}: the one installed in pyrun's isolated "
        f"environment {env['environment']} runs" in why
    ), why
    # The project's own copy wins once it has one.
    world.run(["pip", "install", "-q", "pyrun_probe"], cwd=project, check=True)
    done = world.run([SCRIPT], cwd=project, env=later, check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {project / '.venv'}"
    # PYRUN_DISABLE=1 passes through, as for python.
    done = world.run([SCRIPT], cwd=plain, env={**later, "PYRUN_DISABLE": "1"}, check=True)
    assert done.stdout.strip() == str(fake / SCRIPT)

    # `pyrun rehash` makes it again; `pip uninstall` through the shim takes it from the
    # isolated environment, and the shim stays while the project's .venv has it.
    (world.shims / SCRIPT).unlink()
    world.pyrun("rehash", "-q", check=True)
    assert (world.shims / SCRIPT).is_file()
    world.run(["pip", "uninstall", "-y", "-q", "pyrun_probe"], cwd=plain, check=True)
    assert (world.shims / SCRIPT).is_file()
    # Where neither the environment in use nor an isolated one has it: the next one on
    # PATH, else a one-line error.
    other = world.root / "other"
    world.venv(other / ".venv")
    done = world.run([SCRIPT], cwd=other, env=later, check=True)
    assert done.stdout.strip() == str(fake / SCRIPT)
    answer = json.loads(world.pyrun("which", SCRIPT, "--json", cwd=other, env=later).stdout)
    assert answer["program"] == str(fake / SCRIPT) and answer["passthrough"] is True
    done = world.run([SCRIPT], cwd=other)
    assert done.returncode == 127
    assert done.stderr == (
        f"pyrun: {SCRIPT} is not in {other / '.venv'}, the environment `python` uses "
        f"here, nor in pyrun's isolated environments, and no other {SCRIPT} is on PATH; "
        f"`pip install` it, or see `pyrun why {SCRIPT}`\n"
    )
    world.run(["pip", "uninstall", "-y", "-q", "pyrun_probe"], cwd=project, check=True)
    assert not (world.shims / SCRIPT).exists()
    assert world.pyrun("which", SCRIPT).returncode == 2


def test_the_shim_stays_while_another_environment_has_the_script(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    assert py312 is not None
    world.env["PATH"] = world.path_with(world.shims, world.base.bin, py312.bin)
    world.pyrun("rehash", "-q", check=True)
    for pip in ("pip3.11", "pip3.12"):
        world.run([pip, "install", "-q", "pyrun_probe"], check=True)
    world.run(["pip3.11", "uninstall", "-y", "-q", "pyrun_probe"], check=True)
    assert (world.shims / SCRIPT).is_file(), "the 3.12 environment still has it"
    # python is 3.11's isolated environment here, which lacks it now: 3.12's copy runs,
    # installed once, and so it does where python resolves to 3.12
    first_312 = {"PATH": world.path_with(world.shims, py312.bin, world.base.bin)}
    for env in ({}, first_312):
        done = world.run([SCRIPT], env=env, check=True)
        assert done.stdout.startswith("pyrun_probe 1.0 ") and "-3.12-" in done.stdout
    world.run(["pip3.12", "uninstall", "-y", "-q", "pyrun_probe"], check=True)
    assert not (world.shims / SCRIPT).exists()


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
@pytest.mark.sh_in_stress
def test_scripts_of_a_project_venv_with_its_own_pip(world: World, base_snapshots: dict) -> None:
    """pip in a project's own .venv runs that pip under pyrun's install guard: its
    scripts get shims, run by name where that .venv is what python resolves to, and an
    install aimed at the base interpreter is refused."""
    project = world.root / "project"
    venv = world.venv(project / ".venv", pip=True)
    plain = world.root / "plain"
    plain.mkdir()
    world.run(["pip", "install", "-q", "pyrun_probe"], cwd=project, check=True)
    assert (venv / "bin" / SCRIPT).is_file(), "pip installed into the project's .venv"
    assert (world.shims / SCRIPT).is_file(), "and the guard made the script's shim"
    (project / "src").mkdir()
    done = world.run([SCRIPT], cwd=project / "src", check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {venv}"
    answer = json.loads(world.pyrun("which", SCRIPT, "--json", cwd=project, check=True).stdout)
    assert answer["program"] == str(venv / "bin" / SCRIPT) and answer["source"] == ".venv"

    # Where python is something else: the next one on PATH, else a one-line error.
    fake = fake_on_path(world)
    later = {"PATH": world.path_with(world.shims, world.base.bin, fake)}
    done = world.run([SCRIPT], cwd=plain, env=later, check=True)
    assert done.stdout.strip() == str(fake / SCRIPT)
    done = world.run([SCRIPT], cwd=plain)
    assert done.returncode == 127 and done.stderr.startswith(f"pyrun: {SCRIPT} is not in ")

    # The guard stands in front of the project's pip too: the base stays as it was.
    site = world.base.site_packages
    done = world.run(["pip", "install", "--target", str(site), "pyrun_probe"], cwd=project)
    assert done.returncode == 1
    assert done.stderr.startswith(f"pyrun: pip install --target {site} would write into ")
    # ... and --root joined with --prefix, from the variables, is the base (issue 14, 5)
    rooted = {"PIP_ROOT": str(world.base.prefix.parent), "PIP_PREFIX": "/" + world.base.prefix.name}
    done = world.run(["pip", "install", "pyrun_probe"], cwd=project, env=rooted)
    assert done.returncode == 1 and "pyrun keeps unchanged" in done.stderr, done.stderr
    assert snapshot(world.base.prefix) == base_snapshots[world.base.minor]

    # pip's own commands work as before, and it still names itself pip.
    done = world.run(["pip", "--version"], cwd=project, check=True)
    assert f"from {venv}/lib/python{world.base.minor}/site-packages/pip " in done.stdout
    done = world.run(["pip", "help"], cwd=project, check=True)
    assert "\n  pip <command> [options]\n" in done.stdout

    world.run(["pip", "uninstall", "-y", "-q", "pyrun_probe"], cwd=project, check=True)
    assert not (world.shims / SCRIPT).exists(), "no environment has it any more"
    assert world.pyrun("which", SCRIPT, cwd=project).returncode == 2


def test_scripts_of_an_activated_venv_and_a_damaged_list(world: World) -> None:
    """An activated venv (VIRTUAL_ENV) is registered as a project's .venv is; bad lines
    in ``$data/script-envs`` are ignored and dropped, and environments that are gone
    take their shims with them."""
    elsewhere = world.venv(world.root / "tools" / "venv", pip=True)
    active = {"VIRTUAL_ENV": str(elsewhere)}
    world.run(["pip", "install", "-q", "pyrun_probe"], env=active, check=True)
    done = world.run([SCRIPT], env=active, check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {elsewhere}"

    registry = world.data / "script-envs"
    junk = b"relative/dir\n\n/nonexistent/env\n\xff\xfe\x00/bad\n" + str(world.root).encode()
    registry.write_bytes(junk + b"\n" + registry.read_bytes() + b"/tmp/../etc\n")
    world.pyrun("rehash", "-q", check=True)
    assert (world.shims / SCRIPT).is_file(), "the bad lines did not hide the good one"
    assert registry.read_text().splitlines() == [str(world.root), str(elsewhere)]
    done = world.run([SCRIPT], env=active, check=True)
    assert done.stdout.strip() == f"pyrun_probe 1.0 {elsewhere}"

    shutil.rmtree(elsewhere)
    world.pyrun("rehash", "-q", check=True)
    assert not (world.shims / SCRIPT).exists()
    assert registry.read_text().splitlines() == [str(world.root)]


def test_rehash_found_answers_for_scripts_another_installer_put_there(world: World) -> None:
    """`pyrun rehash --found NAME`, the shells' command-not-found question: a script uv
    installed into the isolated environment, or into the .venv `python` means here,
    gets its shim (exit 0, the .venv registered); a script of a .venv elsewhere, a
    program no package declares, a name no environment has or one pyrun never shims
    is exit 1, quietly, with nothing written; so is any name under PYRUN_DISABLE=1."""
    need(UV.is_file(), f"uv next to the test interpreter ({UV})")
    wheel = next(world.wheelhouse.glob("pyrun_probe-*.whl"))
    plain = world.root / "plain"
    plain.mkdir()
    isolated = Path(world.prefix_of(cwd=plain))
    install = [str(UV), "pip", "install", "-q", "--offline", "--no-index", "--python"]
    world.run([*install, str(isolated / "bin" / "python"), str(wheel)], check=True)
    assert not (world.shims / SCRIPT).exists(), "uv made no shim"

    before = snapshot(world.data)
    for name in ("pyrun-nowhere", "python", "pip3.12", "activate", "a b", "-rf", "../x", "cd"):
        done = world.pyrun("rehash", f"--found={name}", cwd=plain)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", ""), name
    done = world.pyrun("rehash", f"--found={SCRIPT}", cwd=plain, env={"PYRUN_DISABLE": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (1, "", ""), "shims pass through"
    assert snapshot(world.data) == before, "a miss writes nothing"

    done = world.pyrun("rehash", f"--found={SCRIPT}", cwd=plain)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert world.run([SCRIPT], cwd=plain, check=True).stdout.startswith("pyrun_probe 1.0 ")
    assert not (world.data / "script-envs").exists(), "pyrun's own environment: not listed"

    project = world.root / "project"
    world.venv(project / ".venv")
    built = world.root / "built"
    built.mkdir()
    other = build_wheel(built, "pyrun_fresh", "1.0", scripts={"pyrun-fresh": "pyrun_fresh:main"})
    world.run([*install, str(project / ".venv" / "bin" / "python"), str(other)], check=True)
    (project / ".venv" / "bin" / "undeclared").write_text("#!/bin/sh\necho no\n")
    (project / ".venv" / "bin" / "undeclared").chmod(0o755)
    for name, cwd in (("pyrun-fresh", plain), ("undeclared", project)):
        done = world.pyrun("rehash", f"--found={name}", cwd=cwd)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", ""), name
        assert not (world.shims / name).exists(), name
    done = world.pyrun("rehash", "--found=pyrun-fresh", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (world.shims / "pyrun-fresh").is_file()
    assert (world.data / "script-envs").read_text() == f"{project / '.venv'}\n"
