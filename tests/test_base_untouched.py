"""Nothing typed through a shim modifies the base interpreter or the user site.

The `world` fixture asserts after each test that every base is byte-for-byte what it
was and that no ``~/.local/lib`` appeared; each case here also checks where the
package did land, so a refused install cannot pass as a protected one by accident.
"""

from __future__ import annotations

import pytest

from tests.conftest import PYRUN, World

# Typed into a real bash with the hook evaluated, as a user would.
HOOK = f'eval "$({PYRUN} hook bash)"; '

INSTALLED = "import pyrun_probe, sys; print(pyrun_probe.__file__)"


def landed_in_isolated_env(world: World) -> bool:
    done = world.run(["python", "-c", INSTALLED])
    return done.returncode == 0 and done.stdout.startswith(str(world.envs))


@pytest.mark.parametrize(
    "command",
    [
        ["pip", "install", "pyrun_probe"],
        ["pip3", "install", "pyrun_probe"],
        ["pip3.11", "install", "pyrun_probe"],
        ["python", "-m", "pip", "install", "pyrun_probe"],
        ["python3", "-m", "pip", "install", "pyrun_probe"],
        ["python3.11", "-m", "pip", "install", "pyrun_probe"],
        ["pip", "install", "--break-system-packages", "pyrun_probe"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_install_goes_to_the_isolated_env(world: World, command: list[str]) -> None:
    done = world.run(HOOK + " ".join(command), env={"PATH": world.path_with(world.base.bin)})
    assert done.returncode == 0, done.stderr
    assert landed_in_isolated_env(world)


def test_user_install_is_refused_with_a_clear_message(world: World) -> None:
    done = world.run(HOOK + "pip install --user pyrun_probe")
    assert done.returncode != 0
    assert "--user" in done.stderr or "user site" in done.stderr.lower()
    assert not landed_in_isolated_env(world)


def test_uninstall_and_upgrade_pip_stay_inside(world: World) -> None:
    world.run(["pip", "install", "pyrun_probe"], check=True)
    world.run(["pip", "uninstall", "-y", "pyrun_probe"], check=True)
    assert not landed_in_isolated_env(world)
    # pip lives in the shared copy; uninstalling it from the environment is refused
    # by pip itself (outside the environment) and must not reach the base's pip.
    done = world.run(["pip", "uninstall", "-y", "pip"])
    assert "Not uninstalling pip" in done.stdout and "outside environment" in done.stdout
    assert world.run(["pip", "--version"]).returncode == 0


def test_ensurepip_through_the_shim_stays_inside(world: World) -> None:
    done = world.run(["python", "-m", "ensurepip"])
    assert done.returncode == 0, done.stderr


def test_shebang_script_calling_sys_executable_pip(world: World) -> None:
    script = world.root / "installer.py"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'pip', 'install', 'pyrun_probe'], check=True)\n"
    )
    script.chmod(0o755)
    done = world.run([str(script)])
    assert done.returncode == 0, done.stderr
    assert landed_in_isolated_env(world)


def test_installed_package_is_visible_from_any_directory_and_version_shim(world: World) -> None:
    world.run(["pip", "install", "pyrun_probe"], cwd=world.home, check=True)
    elsewhere = world.root / "x" / "y"
    elsewhere.mkdir(parents=True)
    for name in ("python", "python3", "python3.11"):
        done = world.run([name, "-c", INSTALLED], cwd=elsewhere)
        assert done.returncode == 0, (name, done.stderr)
