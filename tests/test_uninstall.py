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


def test_hand_written_hook_lines_are_named_with_file_and_line_number(world: World) -> None:
    """The issue's machine: a line pasted from install.sh's advice, then `pyrun init`,
    then `pyrun uninstall --all`, which left the pasted line to fail in every new shell.
    Each such line is named, where it is now, with what it will do if it stays."""
    bashrc, zshrc, fish = rc_of(world, "bash"), rc_of(world, "zsh"), rc_of(world, "fish")
    pasted = 'eval "$(/home/me/.local/bin/pyrun hook bash)"'
    bashrc.write_text(f"# mine\n{pasted}\n")
    world.pyrun("init", "bash", check=True)  # it finds the pasted line: adds nothing
    assert bashrc.read_text() == f"# mine\n{pasted}\n"
    zshrc.write_text("# mine\n")
    world.pyrun("init", "zsh", check=True)
    with open(zshrc, "a") as handle:  # after init's block (lines 3 to 5, after a blank): lines 6, 7
        handle.write('# eval "$(pyrun hook zsh)"\neval "$(\'pyrun\' hook zsh)"\n')
    fish.parent.mkdir(parents=True, exist_ok=True)
    fish.write_text("pyrun hook fish | source\n")
    # What rehash makes for a pyrun installed by install.sh: the shims directory's own
    # link to the tool venv's pyrun, which is no launcher of install.sh's to name.
    tool_pyrun, link = fake_install_sh(world)
    (world.shims / "pyrun").unlink()
    (world.shims / "pyrun").symlink_to(tool_pyrun)

    before = snapshot(world.root)
    dry = world.pyrun("uninstall", "--dry-run", check=True).stdout
    assert snapshot(world.root) == before
    assert f"would keep line 2 of {bashrc} ({pasted}): it runs `pyrun hook bash`" in dry
    assert "or every new shell makes the shims again" in dry
    assert f"would keep line 7 of {zshrc} (eval \"$('pyrun' hook zsh)\")" in dry, dry
    assert f"line 6 of {zshrc}" not in dry, "a commented-out line is no hook line"
    assert f"would keep line 1 of {fish} (pyrun hook fish | source)" in dry
    assert f"would remove the pyrun block from {zshrc}" in dry

    done = world.pyrun("uninstall", "--all", check=True).stdout
    # Numbered as the file is now: init's block (and the blank line before it) is gone.
    assert zshrc.read_text() == '# mine\n# eval "$(pyrun hook zsh)"\neval "$(\'pyrun\' hook zsh)"\n'
    assert f"kept line 3 of {zshrc}" in done, done
    assert f"kept line 2 of {bashrc} ({pasted})" in done
    assert "remove it yourself: with pyrun gone, it fails in every new shell" in done
    assert bashrc.read_text() == f"# mine\n{pasted}\n"
    assert fish.read_text() == "pyrun hook fish | source\n"
    assert f"removed the pyrun command {link}" in done
    assert f"the pyrun command {world.shims / 'pyrun'}" not in done
    assert not world.data.exists() and not os.path.lexists(link)
