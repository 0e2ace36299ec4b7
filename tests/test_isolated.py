"""A base interpreter found on PATH runs as its cached isolated environment."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import World


def test_pip_install_lands_in_isolated_env_and_imports_elsewhere(world: World) -> None:
    project_a = world.root / "a"
    project_b = world.root / "b" / "deep"
    project_a.mkdir()
    project_b.mkdir(parents=True)

    installed = world.run(["pip", "install", "pyrun_probe"], cwd=project_a)
    assert installed.returncode == 0, installed.stderr

    imported = world.run(
        ["python", "-c", "import pyrun_probe, sys; print(pyrun_probe.VERSION, sys.prefix)"],
        cwd=project_b,
    )
    assert imported.returncode == 0, imported.stderr
    version, prefix = imported.stdout.split()
    assert version == "1.0"
    envs = list(world.envs.iterdir())
    assert len(envs) == 1, "one base interpreter makes exactly one isolated environment"
    assert prefix == str(envs[0])


def test_which_json_names_the_isolated_env_and_its_base(world: World) -> None:
    world.run(["python", "-c", "pass"], check=True)
    done = world.pyrun("which", "python", "--json", check=True)
    data = json.loads(done.stdout)
    assert data["source"] == "isolated"
    assert data["base"] == str(world.base.python.resolve())
    assert data["environment"].startswith(str(world.envs))
    assert data["program"] == data["environment"] + "/bin/python"


def test_the_environment_loads_the_guard_itself_and_fails_closed(world: World) -> None:
    # An environment made before the hook existed gets it at the next rehash; then any
    # pip's commands module, imported by anything, comes guarded (envguard.py).
    prefix = world.prefix_of("python")
    (site,) = Path(prefix).glob("lib/python3*/site-packages")
    for name in ("_pyrun_guard.pth", "_pyrun_guard_hook.py"):
        (site / name).unlink()
    world.pyrun("rehash", "-q", check=True)
    probe = "import pip._internal.commands as c; print(c.create_command._pyrun_guarded)"
    done = world.run(["python", "-c", probe])
    assert done.stdout.strip() == "True", done.stderr
    # Without the guard file pip stops in one line instead of running unguarded.
    guard = world.data / "pip" / "runner" / "_pyrun_pip_guard.py"
    guard.rename(guard.with_suffix(".off"))
    done = world.run(["python", "-c", "import pip._internal.commands"])
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("pyrun: cannot load pip's install guard"), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
