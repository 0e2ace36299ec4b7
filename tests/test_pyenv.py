"""pyenv's shims on PATH: pyrun follows pyenv's version files instead of running them.

A throwaway PYENV_ROOT whose ``versions/`` are the throwaway base interpreters, and
whose shims are scripts like pyenv's (here they exec a fixed interpreter, standing in
for pyenv when pyrun has to run one: a version prefix pyenv alone can resolve).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pyrun import shims
from tests.conftest import World, need_minor


@pytest.fixture
def pyenv_root(world: World) -> Path:
    need_minor(world.bases, "3.12")
    root = world.root / "pyenv-root"
    (root / "shims").mkdir(parents=True)
    (root / "versions").mkdir()
    (root / "versions" / "3.11.9").symlink_to(world.bases["3.11"].prefix)
    (root / "versions" / "3.12.1").symlink_to(world.bases["3.12"].prefix)
    for name in ("python", "python3", "python3.11", "python3.12"):
        shim = root / "shims" / name
        # What pyenv would run for the version prefix "3.12" used below.
        shim.write_text(f'#!/bin/sh\nexec {world.bases["3.12"].python} "$@"\n')
        shim.chmod(0o755)
    world.env["PYENV_ROOT"] = str(root)
    world.env["PATH"] = world.path_with(world.shims, root / "shims", world.base.bin)
    return root


def version_and_path(world: World, cwd: Path, **env: str) -> tuple[str, str]:
    code = "import sys; print('%d.%d' % sys.version_info[:2], sys.prefix)"
    done = world.run(["python", "-c", code], cwd=cwd, env={**env, "PYRUN_DEBUG": "1"})
    assert done.returncode == 0, done.stderr
    version = done.stdout.split()[0]
    return version, "slow" if "slow path" in done.stderr else "fast"


def which_base(world: World, cwd: Path, **env: str) -> str:
    done = world.pyrun("which", "python", "--json", cwd=cwd, env=env, check=True)
    return json.loads(done.stdout)["base"]


def labels(world: World, cwd: Path, **env: str) -> tuple[str, str]:
    """What the hooks are told (the resolver binary's label=) and which's label."""
    told = world.run([str(world.shims / shims.RESOLVER)], cwd=cwd, env=env, check=True)
    which = world.pyrun("which", "python", "--json", cwd=cwd, env=env, check=True)
    said = [line[len("label=") :] for line in told.stdout.splitlines() if line.startswith("label=")]
    return (said[0] if said else told.stdout), json.loads(which.stdout)["label"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("PYENV_VERSION", "3.12"),
        ("local file in a parent", "3.12"),
        ("global version file", "3.12"),
        ("local file says system", "3.11"),
        ("local beats global", "3.11"),
        # not followed, and never read whole: the next python3 on PATH (3.11) runs
        ("global version file a sparse terabyte", "3.11"),
    ],
)
def test_pyenv_choice_is_followed_without_running_pyenv(
    world: World, pyenv_root: Path, setup: str, expected: str
) -> None:
    proj = world.root / "proj"
    deep = proj / "a" / "b"
    deep.mkdir(parents=True)
    env: dict[str, str] = {}
    if setup == "PYENV_VERSION":
        env["PYENV_VERSION"] = "3.12.1"
    elif setup == "local file in a parent":
        (proj / ".python-version").write_text("# pinned\n\n3.12.1\n")
    elif setup == "global version file":
        (pyenv_root / "version").write_text("3.12.1\n")
    elif setup == "global version file a sparse terabyte":
        with open(pyenv_root / "version", "wb") as huge:
            huge.write(b"3.12.1\n")
            huge.truncate(1 << 40)
    elif setup == "local file says system":
        (proj / ".python-version").write_text("system\n")
    else:
        (pyenv_root / "version").write_text("3.12.1\n")
        (proj / ".python-version").write_text("3.11.9 3.12.1\n")
    first = version_and_path(world, deep, **env)
    assert first[0] == expected
    again = version_and_path(world, deep, **env)
    assert again == (expected, "fast"), "the steady state is decided by the shim alone"
    base = which_base(world, deep, **env)
    assert os.path.realpath(base).startswith(str(world.bases[expected].prefix.resolve())), (
        "the resolver picks the same interpreter"
    )
    # The prompt names the version pyenv would run, as `which` does (the hooks used to
    # stop at pyenv's shim and say a bare "pyrun").
    assert labels(world, deep, **env) == (f"pyrun {expected}", f"pyrun {expected}")


def test_a_version_only_pyenv_can_resolve_still_works(world: World, pyenv_root: Path) -> None:
    proj = world.root / "proj"
    proj.mkdir()
    (proj / ".python-version").write_text("3.12\n")  # a prefix: pyenv resolves it
    assert version_and_path(world, proj) == ("3.12", "slow")
    assert which_base(world, proj).startswith(str(world.bases["3.12"].prefix.resolve()))


def test_a_failing_pyenv_shim_is_not_remembered_as_unusable(world: World, pyenv_root: Path) -> None:
    proj = world.root / "proj"
    proj.mkdir()
    (proj / ".python-version").write_text("3.12\n")
    shims = list((pyenv_root / "shims").iterdir())
    working = {shim: shim.read_text() for shim in shims}
    for shim in shims:
        shim.write_text("#!/bin/sh\necho \"pyenv: version '3.12' is not installed\" >&2\nexit 1\n")
    # As pyenv says: no 3.12 build yet (else pyrun would find it off PATH, installed.py).
    build = pyenv_root / "versions" / "3.12.1"
    build.rename(build.with_name("later"))
    # The file asks for 3.12 and nothing on PATH gives it: one line naming the file (pyenv
    # and uv fail here too) ...
    done = world.run(["python", "-c", "pass"], cwd=proj)
    assert done.returncode == 127
    assert done.stderr.count("\n") == 1 and str(proj / ".python-version") in done.stderr
    # ... and without version files, the next python on PATH.
    off = version_and_path(world, proj, PYRUN_PYTHON_VERSION_FILES="0")
    assert off[0] == "3.11", "falls through to the next python"
    for shim, text in working.items():  # the user installs 3.12
        shim.write_text(text)
    build.with_name("later").rename(build)
    assert version_and_path(world, proj)[0] == "3.12"
