"""A base interpreter upgraded, moved or deleted under its isolated environment.

Through the real shims: the next `python` says so in one line and makes a new
environment (or refuses, when no Python is left), the old environment's package list is
saved into it first, and `pyrun repair` reinstalls the list into the new environment
with its own pip. The session's bases are compared byte for byte by the `world`
fixture; the ones moved or deleted here are copies of our own.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pyrun import inventory
from tests.conftest import Base, World, need_minor, snapshot

VERSION = "import sys; print('%d.%d' % sys.version_info[:2], sys.prefix)"
PROBE = "import pyrun_probe, sys; print(pyrun_probe.VERSION, sys.prefix)"


def own_base(source: Base, prefix: Path) -> Base:
    """A base interpreter of our own to move or delete: `source`'s binary copied, its
    standard library linked entry by entry, an empty site-packages (no pip needed: the
    isolated environment runs pyrun's shared pip)."""
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(source.python, prefix / "bin" / f"python{source.minor}")
    (prefix / "bin" / "python3").symlink_to(f"python{source.minor}")
    stdlib = prefix / "lib" / f"python{source.minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in source.stdlib.iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry)
    return Base(prefix, source.minor, prefix / source.site_packages.relative_to(source.prefix))


def only_path(world: World, *dirs: Path) -> dict[str, str]:
    """PATH with the shims and `dirs` only: no /usr/bin, so the machine's own Python is
    never found (nor run) when the base under test is gone."""
    return {"PATH": os.pathsep.join(str(d) for d in (world.shims, *dirs))}


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyrun: "), stderr
    return lines[0]


def saved_list(env: Path) -> dict[str, object]:
    return json.loads((env / ".pyrun-packages.json").read_text())


def other_env(world: World, old: Path) -> Path:
    (new,) = [env for env in world.envs.iterdir() if env != old]
    return new


def install_probe(world: World, env: dict[str, str]) -> Path:
    world.run(["pip", "install", "pyrun_probe"], env=env, check=True)
    (old,) = world.envs.iterdir()
    return old


def repair_and_import(world: World, env: dict[str, str], old: Path, new: Path, *args: str) -> None:
    """`pyrun repair` reinstalls the wheel into `new`, importable through the shim; a
    second repair has nothing to do."""
    repaired = world.pyrun("repair", *args, env=env)
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout == f"pyrun: reinstalled 1 package from {old} into {new}\n"
    imported = world.run(["python", "-c", PROBE], env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.split() == ["1.0", str(new)]
    assert saved_list(old)["restored_into"] == str(new)
    again = world.pyrun("repair", env=env)
    assert again.returncode == 1
    assert "nothing to repair" in one_line(again.stderr)


def test_python3_on_path_upgraded_to_another_minor(world: World) -> None:
    need_minor(world.bases, "3.12")
    links = world.root / "bin"
    links.mkdir()
    (links / "python3").symlink_to(world.bases["3.11"].python)
    env = only_path(world, links)
    old = install_probe(world, env)

    # The upgrade: python3 on PATH is now the 3.12 (as a distribution upgrade does).
    (links / "python3.new").symlink_to(world.bases["3.12"].python)
    os.replace(links / "python3.new", links / "python3")
    # `pyrun which` sees it too, and only looks: it saves and makes nothing.
    looked = one_line(world.pyrun("which", env=env, check=True).stderr)
    assert not (old / ".pyrun-packages.json").exists()
    done = world.run(["python", "-c", VERSION], env=env)
    assert done.returncode == 0, done.stderr
    new = other_env(world, old)
    assert done.stdout.split() == ["3.12", str(new)]
    said = one_line(done.stderr)
    assert said == looked, "the shim and `pyrun which` say the same"
    assert f"behind {old} is no longer what {links / 'python3'} runs" in said, said
    assert f"a new environment {new} from {world.bases['3.12'].python} (3.12." in said, said
    assert said.endswith("run `pyrun repair` to reinstall its 1 package"), said
    saved = saved_list(old)
    assert saved["packages"] == ["pyrun_probe==1.0"]
    assert saved["replaced_by"] == str(new)
    assert saved["restored_into"] is None
    quiet = world.run(["python", "-c", "import pyrun_probe"], env=env)
    assert quiet.returncode != 0 and "pyrun:" not in quiet.stderr, "said once, not every time"

    dry = world.pyrun("repair", "--dry-run", env=env, check=True)
    listed = f"pyrun: would reinstall 1 package from {old} into {new}: pyrun_probe==1.0\n"
    assert dry.stdout == listed
    # Options after `--` reach pip; when pip fails the list stays to reinstall.
    empty = world.root / "no-wheels"
    empty.mkdir()
    no_links = {**env, "PIP_FIND_LINKS": None}
    failed = world.pyrun("repair", "--", "--no-index", "--find-links", str(empty), env=no_links)
    assert failed.returncode == 1
    said = one_line(failed.stderr)
    assert f"pip could not reinstall the 1 package of {old} into {new}" in said, said
    assert "pyrun_probe" in said, said
    assert saved_list(old)["restored_into"] is None
    wheels = ["--", "--no-index", "--find-links", str(world.wheelhouse)]
    repair_and_import(world, no_links, old, new, *wheels)


def test_base_moved(world: World) -> None:
    mine = own_base(world.bases["3.11"], world.root / "opt" / "python-3.11")
    before = snapshot(mine.prefix)
    old = install_probe(world, only_path(world, mine.bin))

    moved = world.root / "opt" / "python-3.11-moved"
    mine.prefix.rename(moved)
    env = only_path(world, moved / "bin")  # PATH follows it, as the user would
    done = world.run(["python", "-c", VERSION], env=env)
    assert done.returncode == 0, done.stderr
    new = other_env(world, old)
    assert done.stdout.split() == [mine.minor, str(new)]
    said = one_line(done.stderr)
    assert f"Python {mine.minor}." in said and f"behind {old} is gone (was {mine.python})" in said
    assert f"a new environment {new} from {moved / 'bin' / mine.python.name} (" in said, said
    assert saved_list(old)["packages"] == ["pyrun_probe==1.0"]

    for bad in (str(moved), str(world.root / "nowhere")):
        refused = world.pyrun("repair", "--from", bad, env=env)
        assert refused.returncode == 2
        assert f"--from {bad}: not one of pyrun's isolated environments" in one_line(refused.stderr)
    repair_and_import(world, env, old, new)
    assert snapshot(moved) == before, "repair installed into the moved base"


def test_base_deleted(world: World) -> None:
    need_minor(world.bases, "3.12")
    mine = own_base(world.bases["3.11"], world.root / "opt" / "python-3.11")
    env = only_path(world, mine.bin)
    old = install_probe(world, env)

    shutil.rmtree(mine.prefix)
    refused = world.run(["python", "-c", "pass"], env=env)
    assert refused.returncode == 127
    said = one_line(refused.stderr)
    assert "no Python 3 found for `python`" in said, said
    assert f"the isolated environment {old} lost its Python {mine.minor}." in said, said
    assert "`pyrun repair` reinstalls 1 package" in said, said
    assert saved_list(old)["packages"] == ["pyrun_probe==1.0"], "saved before refusing"

    # Another Python later on PATH: the dead entry's record names the old environment.
    py312 = world.bases["3.12"]
    env = only_path(world, mine.bin, py312.bin)
    done = world.run(["python", "-c", VERSION], env=env)
    assert done.returncode == 0, done.stderr
    new = other_env(world, old)
    assert done.stdout.split() == ["3.12", str(new)]
    said = one_line(done.stderr)
    assert f"behind {old} is gone (was {mine.python})" in said, said
    assert f"a new environment {new} from {py312.python} (3.12." in said, said
    assert said.endswith("run `pyrun repair` to reinstall its 1 package"), said

    itself = world.pyrun("repair", "--from", str(new), env=env)
    assert itself.returncode == 2
    assert "is the environment `python` runs here" in one_line(itself.stderr)
    repair_and_import(world, env, old, new)


def test_package_list_is_read_from_metadata_as_pip_freeze_says_it(tmp_path: Path) -> None:
    site = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)

    def dist(entry: str, name: str, version: str, direct_url: object = None) -> None:
        (site / entry).mkdir()
        (site / entry / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-this\n"
        )
        if direct_url is not None:
            (site / entry / "direct_url.json").write_text(json.dumps(direct_url))

    dist("pip-24.0.dist-info", "pip", "24.0")
    dist("setuptools-69.0.dist-info", "setuptools", "69.0")
    dist("Requests-2.31.0.dist-info", "Requests", "2.31.0")
    dist(
        "mine-0.1.dist-info",
        "mine",
        "0.1",
        {"url": "file:///src/mine", "dir_info": {"editable": True}},
    )
    vcs = {"url": "https://example.org/x.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}}
    dist("x-1.0.dist-info", "x", "1.0", vcs)
    (site / "old_thing-1.0-py3.11.egg-info").write_text("Name: old.thing\nVersion: 1.0\n")
    (site / "requests").mkdir()  # a package directory, not metadata
    assert inventory.installed(tmp_path / "env") == [
        "-e /src/mine",
        "old.thing==1.0",
        "Requests==2.31.0",
        "x @ git+https://example.org/x.git@abc",
    ]
