"""Console scripts named like a system command or a shell builtin get no shim.

The shims directory is first on PATH, so a package declaring a console script ``ls``
would, with a shim, replace ``/usr/bin/ls`` everywhere (issue 14, item 11). A wheel
built here declares ``ls``, ``cd`` and a harmless name; it is installed through the
real pip shim, with both shim flavours: only the harmless name gets a shim, pip says in
one line why the others got none, they stay runnable by their path, ``pyrun which``
and ``pyrun why`` explain, and a shadowing shim left by an older pyrun is pruned by the
next rehash. The list of shell words (src/pyrun/shadowing.py) is held to what the
shells installed here say their builtins and keywords are.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pyrun import shadowing
from pyrun.request import is_script_name
from tests.conftest import SHIM_FLAVOURS, World, need
from tests.wheels import build_wheel

HARMLESS = "pyrun-shadow-ok"

# POSIX.1-2024 XCU 2.4 (reserved words, and the words that may be reserved), 2.15
# (special built-ins) and 1.7 (intrinsic utilities).
_POSIX = """
    ! { } case do done elif else esac fi for if in then until while
    [[ ]] function namespace select time
    break : continue . eval exec exit export readonly return set shift times trap unset
    alias bg cd command fc fg getopts hash jobs kill read type ulimit umask unalias wait
"""
POSIX = _POSIX.split()

# What each shell says its builtins and keywords are.
SHELL_QUERIES = {
    "bash": ["bash", "--norc", "--noprofile", "-c", "compgen -b; compgen -k"],
    "zsh": ["zsh", "-f", "-c", "print -l ${(k)builtins} ${(k)reswords}"],
    "fish": ["fish", "--no-config", "-c", "builtin --names"],
}


@pytest.mark.parametrize("shell", sorted(SHELL_QUERIES))
def test_the_list_has_every_builtin_and_keyword_of_the_shell(shell: str) -> None:
    need(shutil.which(shell), shell)
    done = subprocess.run(SHELL_QUERIES[shell], capture_output=True, text=True, check=True)
    said = set(done.stdout.split())
    assert said, f"{shell} named no builtins"
    assert sorted(said - shadowing.SHELL_WORDS) == []


def test_the_list_has_posix_words() -> None:
    assert sorted(set(POSIX) - shadowing.SHELL_WORDS) == []
    # the names from the issue, all of which could be console scripts
    for name in ("cd", "echo", "test", "exec", "source", "type", "command", "builtin"):
        assert is_script_name(name) and shadowing.shadow_reason(name) == shadowing.BUILTIN


def system_ls() -> str:
    found = shadowing.system_command("ls")
    need(found, "ls in a system directory")
    assert found is not None
    return found


def shadow_wheel(world: World, *scripts: str) -> Path:
    """pyrun_shadow 1.0, whose console scripts (each its main) are called `scripts`."""
    wheels = world.root / "wheels"
    wheels.mkdir()
    entry = "pyrun_shadow:main"
    return build_wheel(wheels, "pyrun_shadow", "1.0", scripts=dict.fromkeys(scripts, entry))


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_no_shim_shadows_a_system_command_or_a_builtin(world: World) -> None:
    ls = system_ls()
    wheel = shadow_wheel(world, "ls", "cd", HARMLESS)
    plain = world.root / "plain"
    plain.mkdir()
    done = world.run(["pip", "install", "-q", str(wheel)], cwd=plain, check=True)
    env = Path(
        json.loads(world.pyrun("which", "--json", cwd=plain, check=True).stdout)["environment"]
    )
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert said == [
        "pyrun: no shim for cd (a shell builtin or keyword has that name) or ls (a system "
        f"command has that name); run them as {env}/bin/cd, {env}/bin/ls"
    ], done.stderr

    assert (world.shims / HARMLESS).is_file()
    assert not (world.shims / "ls").exists() and not (world.shims / "cd").exists()
    # Shims first on PATH: ls is still the system's, in bash and in sh.
    for shell in (["bash", "--norc", "--noprofile", "-c"], ["sh", "-c"]):
        found = world.run([*shell, "command -v ls; command -v cd"], cwd=plain, check=True)
        assert found.stdout.splitlines() == [ls, "cd"], shell
    assert world.run(["ls", "-d", "."], cwd=plain, check=True).stdout == ".\n"
    # The harmless one by name; the others by their path.
    expected = f"pyrun_shadow 1.0 {env}\n"
    assert world.run([HARMLESS], cwd=plain, check=True).stdout == expected
    for name in ("ls", "cd"):
        assert world.run([str(env / "bin" / name)], cwd=plain, check=True).stdout == expected

    # pyrun which and why: one line, why there is no shim and where the script is.
    for command in ("which", "why"):
        done = world.pyrun(command, "ls", cwd=plain)
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr == (
            f"pyrun: ls has no shim: a system command has that name ({ls}); the console "
            f"script runs by its path: {env}/bin/ls\n"
        )
    done = world.pyrun("which", "cd", cwd=plain)
    assert done.returncode == 2
    assert done.stderr == (
        "pyrun: cd has no shim: a shell builtin or keyword has that name; the console "
        f"script runs by its path: {env}/bin/cd\n"
    )


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_rehash_prunes_a_shadowing_shim_from_an_older_pyrun(world: World) -> None:
    """An older pyrun made ``ls`` a shim like any other console script of the
    environment: the link to the compiled binary or a copy of shim.sh. It shadows
    /usr/bin/ls until a rehash, which must remove it, the one pip runs after an install
    (``--scripts``) included."""
    ls = system_ls()
    wheel = shadow_wheel(world, "ls", HARMLESS)
    world.run(["pip", "install", "-q", str(wheel)], check=True)
    for rehash in (["rehash", "-q"], ["rehash", "--scripts", "-q"]):
        shutil.copy(world.shims / HARMLESS, world.shims / "ls", follow_symlinks=False)
        found = world.run("command -v ls", check=True).stdout.strip()
        assert found == str(world.shims / "ls"), "the stale shim shadows ls until the rehash"
        world.pyrun(*rehash, check=True)
        assert not (world.shims / "ls").exists(), rehash
        assert world.run("command -v ls", check=True).stdout.strip() == ls
        assert (world.shims / HARMLESS).is_file()


def test_a_project_venv_with_its_own_pip(world: World) -> None:
    """An environment that is not pyrun's own (registered in script-envs): the same."""
    wheel = shadow_wheel(world, "ls")
    project = world.root / "my project"
    venv = world.venv(project / ".venv", pip=True)
    done = world.run(["pip", "install", "-q", str(wheel)], cwd=project, check=True)
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert said == [
        f"pyrun: no shim for ls (a system command has that name); run it as '{venv}/bin/ls'"
    ], done.stderr
    assert not (world.shims / "ls").exists()
    assert (world.data / "script-envs").read_text().splitlines() == [str(venv)]
    done = world.run([str(venv / "bin" / "ls")], cwd=project, check=True)
    assert done.stdout == f"pyrun_shadow 1.0 {venv}\n"
