"""`pyrun list` and `pyrun gc` over real isolated environments made through the shims.

One world for all the checks (each environment costs an interpreter start, a pip
install seconds): a 3.11 base of our own, which is then moved away, and the session's
3.12 base. The session's bases are compared byte for byte by the `world` fixture; the
moved one is compared with its own snapshot.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from tests.conftest import World, need_minor, snapshot
from tests.test_base_lifecycle import one_line, only_path, own_base

DAY = 86400


def listed(world: World, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = world.pyrun("list", "--json", env=env, check=True)
    return {item["name"]: item for item in json.loads(done.stdout)}


def unused(world: World, env: Path, days: int) -> None:
    """Make `env` look unused for `days`: its pyvenv.cfg's access time, and the creation
    and record times that stand in for it on a noatime mount."""
    long_ago = time.time() - days * DAY
    cfg = env / "pyvenv.cfg"
    os.utime(cfg, (long_ago, cfg.stat().st_mtime))
    for stamp in [env / ".pyrun-complete", *records_naming(world, env)]:
        os.utime(stamp, (long_ago, long_ago))


def line_for(lines: list[str], name: str) -> str:
    (line,) = [line for line in lines if f" {name} " in line]
    return line


def records_naming(world: World, env: Path) -> list[Path]:
    found = []
    for dirpath, _dirs, files in os.walk(world.data / "by-path"):
        for name in files:
            record = Path(dirpath) / name
            if record.read_text().strip() == f"env {env}":
                found.append(record)
    return found


def test_list_and_gc(world: World) -> None:
    py312 = need_minor(world.bases, "3.12")
    assert py312 is not None
    mine = own_base(world.bases["3.11"], world.root / "opt" / "python-3.11")
    with_mine = only_path(world, mine.bin)
    with_312 = only_path(world, py312.bin)

    empty = world.pyrun("list", env=with_mine, check=True)
    assert empty.stdout.startswith("pyrun: no isolated environments yet"), empty.stdout
    assert empty.stdout.count("\n") == 1
    assert json.loads(world.pyrun("list", "--json", env=with_mine, check=True).stdout) == []

    # Two environments through the real shims; a wheel installed into the 3.11 one.
    world.run(["pip", "install", "pyrun_probe"], env=with_mine, check=True)
    (old,) = world.envs.iterdir()
    world.run(["python", "-c", "pass"], env=with_312, check=True)
    (new,) = [env for env in world.envs.iterdir() if env != old]
    before_move = snapshot(mine.prefix)

    items = listed(world, with_mine)
    assert set(items) == {old.name, new.name}
    a, b = items[old.name], items[new.name]
    assert a["path"] == str(old) and a["state"] == "same" and a["why"] == ""
    assert a["version"].startswith("3.11.") and b["version"].startswith("3.12.")
    assert a["base"] == os.path.realpath(mine.python)
    assert a["packages"] == 1 and b["packages"] == 0
    assert a["size"] > 0 and b["size"] > 0
    assert a["here"] is True and b["here"] is False, "`python` runs the 3.11 one here"
    for item in (a, b):
        assert item["days_unused"] == 0
        assert item["last_use_epoch"] >= item["created_epoch"], item  # used after made
        assert item["last_use"].endswith("Z") and item["created"].endswith("Z")

    table = world.pyrun("list", env=with_mine, check=True).stdout.splitlines()
    header = ["NAME", "PYTHON", "STATE", "SIZE", "PACKAGES", "LAST USE", "BASE"]
    assert re.split(r"\s{2,}", table[0].strip()) == header
    assert len(table) == 4, table
    assert table[1 + (old.name > new.name)].startswith(f"* {old.name}  "), table
    assert table[1 + (new.name > old.name)].startswith(f"  {new.name}  "), table
    for title, column in (("PYTHON", "version"), ("BASE", "base"), ("LAST USE", None)):
        at = table[0].index(title)
        for line, item in ((line_for(table, name), items[name]) for name in items):
            assert line[at:].startswith(item[column] if column else "today"), (title, table)
    assert table[3].startswith("2 environments, ") and "* = what `python` runs here" in table[3]

    # The 3.11 base moves away; a creation killed half-way leaves a directory.
    moved = world.root / "opt" / "python-3.11-moved"
    mine.prefix.rename(moved)
    killed = world.envs / "cpython-3.11-0123456789ab"
    (killed / "lib").mkdir(parents=True)
    items = listed(world, with_312)
    assert items[old.name]["state"] == "gone"
    assert items[old.name]["why"] == f"{a['base']} is gone"
    assert items[killed.name]["state"] == "incomplete" and items[killed.name]["version"] is None
    assert items[new.name]["state"] == "same"

    data = snapshot(world.data)
    kept = world.data / "saved" / f"{old.name}.json"
    dry = world.pyrun("gc", "--dry-run", env=with_312, check=True)
    assert snapshot(world.data) == data, "--dry-run changed something"
    lines = dry.stdout.splitlines()
    assert len(lines) == 3, dry.stdout
    line = line_for(lines, old.name)
    assert line.startswith(f"pyrun: would remove {old.name} (Python 3.11."), line
    assert f"its base {a['base']} is gone" in line
    assert line.endswith(f"its 1 package would be listed in {kept}"), line
    assert line_for(lines, killed.name).startswith(f"pyrun: would remove {killed.name} (incomplete")
    assert lines[2].startswith("pyrun: would remove 2 environments (")
    assert lines[2].endswith("nothing was changed")

    assert records_naming(world, old), "the shims recorded the 3.11 environment"
    done = world.pyrun("gc", env=with_312, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    line = line_for(lines, old.name)
    assert line.startswith(f"pyrun: removed {old.name} (Python 3.11."), line
    assert line.endswith(
        f"its 1 package listed in {kept}: `pyrun repair --from {old.name}` reinstalls it"
    ), line
    assert line_for(lines, killed.name).startswith(f"pyrun: removed {killed.name} (incomplete")
    assert (
        lines[2].startswith("pyrun: removed 2 environments (") and "1 environment left" in lines[2]
    )
    assert sorted(world.envs.iterdir()) == [new]
    assert not records_naming(world, old), "records naming the removed environment stay"
    assert records_naming(world, new)
    saved = json.loads(kept.read_text())
    assert saved["packages"] == ["pyrun_probe==1.0"] and saved["restored_into"] is None
    after = snapshot(world.data)
    gone = {key for key in data if key not in after}
    assert all(key.startswith(("envs/", "by-path/")) for key in gone), gone
    assert all(key.startswith(("saved", "locks")) for key in set(after) - set(data))
    assert all(after[key] == data[key] for key in set(data) & set(after) if key.startswith("shims"))
    again = world.pyrun("gc", env=with_312, check=True)
    assert again.stdout.startswith("pyrun: nothing to remove among 1 environment ("), again.stdout

    # The base is back elsewhere: its new environment takes the removed one's place, and
    # `pyrun repair` finds the list gc kept.
    with_moved = only_path(world, moved / "bin")
    first = world.run(["python", "-c", "pass"], env=with_moved)
    assert first.returncode == 0, first.stderr
    (third,) = [env for env in world.envs.iterdir() if env != new]
    said = one_line(first.stderr)
    assert f"behind {old} was removed by `pyrun gc` ({a['base']} is gone)" in said, said
    assert said.endswith("run `pyrun repair` to reinstall its 1 package"), said
    dry_repair = world.pyrun("repair", "--from", old.name, "--dry-run", env=with_moved, check=True)
    assert dry_repair.stdout == (
        f"pyrun: would reinstall 1 package from {old} into {third}: pyrun_probe==1.0\n"
    )
    repaired = world.pyrun("repair", env=with_moved, check=True)
    assert repaired.stdout == f"pyrun: reinstalled 1 package from {old} into {third}\n"
    assert json.loads(kept.read_text())["restored_into"] == str(third)
    world.run(["python", "-c", "import pyrun_probe"], env=with_moved, check=True)
    assert snapshot(moved) == before_move, "the moved base was written to"

    # --days: the 3.12 environment unused for 40 days (its pyvenv.cfg's access time, and
    # the creation and record times that stand in for it on a noatime mount).
    unused(world, new, 40)
    items = listed(world, with_moved)
    assert items[new.name]["days_unused"] == 40 and items[third.name]["days_unused"] == 0
    table = world.pyrun("list", env=with_moved, check=True).stdout
    assert "40 days ago" in table and "today" in table
    quiet = world.pyrun("gc", "--days", "41", env=with_moved, check=True)
    assert quiet.stdout.startswith("pyrun: nothing to remove among 2 environments"), quiet.stdout
    data = snapshot(world.data)  # reads pyvenv.cfg: a use, as a Python start is
    unused(world, new, 40)
    dry = world.pyrun("gc", "--days", "30", "--dry-run", env=with_moved, check=True)
    assert dry.stdout.startswith(f"pyrun: would remove {new.name} (Python 3.12."), dry.stdout
    assert "unused for 40 days" in dry.stdout
    assert snapshot(world.data) == data
    unused(world, new, 40)
    here = world.pyrun("gc", "--days", "30", env=with_312, check=True)
    assert f"pyrun: kept {new.name} (Python 3.12." in here.stdout and "`python` runs it here" in (
        here.stdout
    )
    assert new.is_dir()
    removed = world.pyrun("gc", "--days", "30", env=with_moved, check=True)
    assert removed.stdout.startswith(f"pyrun: removed {new.name} (Python 3.12."), removed.stdout
    assert sorted(world.envs.iterdir()) == [third]
    assert json.loads((world.data / "saved" / f"{new.name}.json").read_text())["packages"] == []
    # Used again, it is made again under the same name; --from still finds the kept list.
    world.run(["python", "-c", "pass"], env=with_312, check=True)
    assert new.is_dir()
    from_kept = world.pyrun("repair", "--from", new.name, "--dry-run", env=with_312, check=True)
    assert from_kept.stdout == f"pyrun: would reinstall 0 packages from {new} into {new}\n"

    # Bad input: one line, exit 2, nothing done.
    for bad in ("-1", "x", "1.5"):
        refused = world.pyrun("gc", "--days", bad, env=with_moved)
        assert refused.returncode == 2 and refused.stdout == ""
        assert f"'{bad}' is not a whole number of days" in one_line(refused.stderr)
    assert sorted(world.envs.iterdir()) == sorted([third, new])


def test_gc_leaves_what_is_not_its_own(world: World) -> None:
    """A symlink in envs/ that leads elsewhere is listed, and never followed by gc."""
    outside = world.root / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep me")
    world.envs.mkdir(parents=True)
    (world.envs / "cpython-3.11-aaaaaaaaaaaa").symlink_to(outside)
    items = listed(world, {})
    assert items["cpython-3.11-aaaaaaaaaaaa"]["state"] == "incomplete"
    done = world.pyrun("gc", check=True)
    assert "pyrun: kept cpython-3.11-aaaaaaaaaaaa (incomplete" in done.stdout, done.stdout
    assert "not pyrun's to remove" in done.stdout
    assert (outside / "precious").read_text() == "keep me"
    assert (world.envs / "cpython-3.11-aaaaaaaaaaaa").is_symlink()
