"""`pyrun uninstall [--all] [--dry-run]`: the shims and init's rc-file blocks go; with
--all everything pyrun made under its data directory (and install.sh's launcher) goes
too; nothing outside those is touched, and a data directory that does not look like
pyrun's is refused before anything changes.

Each test runs several steps on one world: a world costs a rehash, and the suite is
near its time budget.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrun.commands.init import BEGIN
from tests.conftest import World, snapshot
from tests.test_init import rc_of


def one_line_error(done: object) -> str:
    assert done.returncode == 1, done.stdout  # type: ignore[attr-defined]
    stderr: str = done.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("pyrun: refusing to uninstall: "), stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr


def fake_install_sh(world: World) -> tuple[Path, Path]:
    """What install.sh leaves: the tool venv in the data directory (only its `pyrun`
    matters here) and a link to it in the bin directory."""
    tool_pyrun = world.data / "tool" / "bin" / "pyrun"
    tool_pyrun.parent.mkdir(parents=True)
    tool_pyrun.write_text("#!/bin/sh\n")
    tool_pyrun.chmod(0o755)
    bindir = world.home / ".local" / "bin"
    bindir.mkdir(parents=True)
    link = bindir / "pyrun"
    link.symlink_to(tool_pyrun)
    return tool_pyrun, link


def test_dry_run_then_uninstall_then_all(world: World) -> None:
    originals = {}
    for shell in ("bash", "zsh", "fish"):
        rc = rc_of(world, shell)
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_bytes(f"# my {shell} settings\nalias ll='ls -l'".encode())  # no last newline
        originals[shell] = rc.read_bytes()
        world.pyrun("init", shell, check=True)
        assert BEGIN in rc.read_text()
    prefix = world.prefix_of("python")  # a real isolated environment, with its record
    assert prefix.startswith(str(world.envs))
    (world.data / "saved").mkdir()
    (world.data / "saved" / "cpython-3.10-old.json").write_text("{}\n")
    _tool, link = fake_install_sh(world)
    other_link = world.home / ".local" / "bin" / "tool"
    other_link.symlink_to("/bin/true")  # not pyrun's: stays
    neighbour = world.home / ".local" / "share" / "other-app"
    neighbour.mkdir()
    config = world.home / ".config" / "pyrun" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("prompt = false\n")

    before = snapshot(world.root)
    for args in (["--dry-run"], ["--all", "--dry-run"]):
        done = world.pyrun("uninstall", *args, check=True)
        assert snapshot(world.root) == before, f"uninstall {args} changed something"
        assert all(line.startswith("pyrun: ") for line in done.stdout.splitlines())
        assert f"would remove the pyrun block from {rc_of(world, 'bash')}" in done.stdout
        assert f"would remove the shims directory {world.shims}" in done.stdout
    dry_all = done.stdout
    assert f"would remove the isolated environments: {world.envs}" in dry_all
    assert f"would remove the pyrun command {link}" in dry_all
    assert f"would remove the data directory {world.data}" in dry_all

    done = world.pyrun("uninstall", check=True)
    out = done.stdout
    for shell, original in originals.items():
        assert rc_of(world, shell).read_bytes() == original, f"{shell} rc not as before init"
        assert f"removed the pyrun block from {rc_of(world, shell)}" in out
    assert not world.shims.exists()
    assert Path(prefix).is_dir() and (world.data / "by-path").is_dir()
    assert f"kept {world.data}: 1 isolated environment" in out
    assert "`pyrun uninstall --all` removes them" in out
    assert f"kept pyrun itself: {world.data / 'tool'} and the pyrun command {link}" in out
    assert f"kept your settings in {config.parent}" in out
    assert "pip uninstall pyrun" in out  # this pyrun was not installed by install.sh
    # python is the base interpreter's own again, through PATH
    assert world.prefix_of("python3").startswith(str(world.base.prefix))

    again = world.pyrun("uninstall", check=True)
    assert "removed" not in again.stdout

    done = world.pyrun("uninstall", "--all", check=True)
    out = done.stdout
    assert not world.data.exists()
    assert not os.path.lexists(link)
    assert f"removed the pyrun command {link}" in out
    assert f"removed the data directory {world.data}" in out
    assert other_link.is_symlink() and neighbour.is_dir() and config.is_file()
    for shell, original in originals.items():
        assert rc_of(world, shell).read_bytes() == original

    nothing = world.pyrun("uninstall", "--all", check=True)
    assert f"no data directory at {world.data}" in nothing.stdout


def test_refuses_a_data_dir_that_is_not_pyruns(world: World) -> None:
    rc = rc_of(world, "bash")
    world.pyrun("init", "bash", check=True)
    (world.home / "notes.txt").write_text("mine\n")
    before = snapshot(world.root)

    home = one_line_error(
        world.pyrun("uninstall", "--all", env={"PYRUN_DATA_DIR": str(world.home)})
    )
    assert "home directory" in home and "PYRUN_DATA_DIR" in home
    above = one_line_error(world.pyrun("uninstall", env={"PYRUN_DATA_DIR": str(world.root)}))
    assert "home directory or above it" in above
    project = world.root / "project"
    (project / "envs").mkdir(parents=True)
    (project / "README").write_text("mine\n")
    before_project = snapshot(world.root)
    refused = one_line_error(
        world.pyrun("uninstall", "--all", env={"PYRUN_DATA_DIR": str(project)})
    )
    assert "README" in refused
    assert snapshot(world.root) == before_project
    (project / "README").unlink()
    (project / "envs").rmdir()
    project.rmdir()
    assert snapshot(world.root) == before
    assert BEGIN in rc.read_text(), "a refusal touches no rc file either"

    # A file that is not a shim in the shims directory: not pyrun's to remove.
    stray = world.shims / "mytool"
    stray.write_text("#!/bin/sh\necho mine\n")
    refused = one_line_error(world.pyrun("uninstall"))
    assert str(stray) in refused
    stray.unlink()

    # A hook line the user wrote is reported, not edited.
    (world.home / ".zshrc").write_text('eval "$(pyrun hook zsh)"\n')
    done = world.pyrun("uninstall", check=True)
    assert f"kept line 1 of {world.home / '.zshrc'}" in done.stdout
    assert (world.home / ".zshrc").read_text() == 'eval "$(pyrun hook zsh)"\n'
    assert (world.home / "notes.txt").read_text() == "mine\n"
