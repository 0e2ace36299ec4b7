"""`.python-version` files pick the version, as uv reads them, in every implementation.

A project pinned to 3.12 (``uv python pin 3.12``, ``pyenv local 3.12.1``) must run
3.12 when the user types ``python`` or ``pip`` there, whether 3.11 is first on PATH or
an old 3.11 ``.venv`` is lying around. version_file.py is the reading; the resolver,
both shims (tests/test_agreement.py's harness: same answer, warm runs decided by the
shim itself) and uv itself are held to it here; the hooks are in their own tests.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pyrun import version_file
from tests.conftest import PYRUN, SHIM_FLAVOURS, World
from tests.test_agreement import (  # noqa: F401  (lab and setup are fixtures)
    Answer,
    Lab,
    Setup,
    Situation,
    ask_resolver,
    check_all,
    handmade_venv,
    lab,
    setup,
)
from tests.test_uv_agreement import UV

# What a file holds -> the minor version it asks for (None: no version, as if absent).
READINGS = {
    "3.12\n": "3.12",
    "3.12": "3.12",  # no final newline
    "3.12.1\n": "3.12",  # pyenv local: a patch release asks for its minor
    "# pinned by the team\n\n   \n3.12\r\n": "3.12",  # comments, blank lines, CRLF
    "  3.12 \t\n": "3.12",  # uv trims every line
    "3.012\n": "3.12",  # and reads leading zeros as a number
    "system\n3.12\n": "3.12",  # uv skips a name it cannot read (pyenv's `system`)
    "my-virtualenv\n3.11\n3.12\n": "3.11",  # the first request wins
    "3\n3.12\n": None,  # any Python 3: the first request, so no version
    "": None,
    "# only a comment\n": None,
    "3.12.1.4\n": None,  # not a version pyrun reads: skipped
    "3.12-dev\n": None,
}


def test_reading(tmp_path: Path) -> None:
    for number, (text, minor) in enumerate(READINGS.items()):
        path = tmp_path / f"f{number}"
        path.write_text(text, newline="")
        assert version_file.read(str(path)).minor == minor, repr(text)


def pinned_dir(root: Path, text: str, *, name: str = ".python-version") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, newline="")
    work = root / "src" / "deep"
    work.mkdir(parents=True)
    return work


def path_311_first(s: Setup) -> str:
    return os.pathsep.join(str(d) for d in [s.world.shims, *s.lab.path_dirs("311-first")])


def base_minor(s: Setup, sit: Situation, answer: Answer) -> str:
    """The minor version the resolver's answer runs (the isolated environment's name
    says it, a venv's bin/python3.X does)."""
    assert answer.argv, f"{sit.label}: {answer.error}"
    program = Path(answer.argv[0])
    for minor in ("3.11", "3.12"):
        if f"-{minor}-" in str(program) or (program.parent / f"python{minor}").exists():
            return minor
    raise AssertionError(f"{sit.label}: cannot tell the version of {program}")


@pytest.mark.sh_in_stress
def test_shims_and_resolver_read_version_files_alike(setup: Setup) -> None:  # noqa: F811
    s, world = setup, setup.world
    top = world.root / "pins"
    situations: list[tuple[Situation, str | None]] = []
    env = {"PATH": path_311_first(s)}

    def ask(label: str, name: str, cwd: Path, want: str | None, **extra: str | None) -> None:
        situations.append(
            (Situation(f"{label}: {name}", name, cwd, {**env, "PWD": str(cwd), **extra}), want)
        )

    for number, (text, minor) in enumerate(READINGS.items()):
        cwd = pinned_dir(top / f"r{number}", text)
        # No version asked: the first Python on PATH, 3.11.
        ask(
            f"file {text!r}", ("python", "pip", "python3", "pip3")[number % 4], cwd, minor or "3.11"
        )
    # The nearest file wins; .python-version before .python-versions in one directory.
    outer = pinned_dir(top / "outer", "3.11\n")
    inner = pinned_dir(outer / "inner", "3.12\n")
    ask("nearest", "python", inner, "3.12")
    plural = pinned_dir(top / "plural", "3.12\n", name=".python-versions")
    ask(".python-versions", "python", plural, "3.12")
    both = pinned_dir(top / "both", "3.12\n")
    (top / "both" / ".python-versions").write_text("3.11\n")
    ask("both names", "python", both, "3.12")
    # A version-specific name keeps its own version.
    ask("python3.11 ignores the file", "python3.11", inner, "3.11")
    # uv's global pin (uv python pin --global) when no file is nearer.
    glob = world.root / "xdg"
    (glob / "uv").mkdir(parents=True)
    (glob / "uv" / ".python-version").write_text("3.12\n")
    plain = world.root / "plain" / "dir"
    plain.mkdir(parents=True)
    ask("global pin", "python", plain, "3.12", XDG_CONFIG_HOME=str(glob))
    ask(
        "local beats global",
        "python",
        pinned_dir(top / "local", "3.11\n"),
        "3.11",
        XDG_CONFIG_HOME=str(glob),
    )
    # A .venv of another version does not count; one that matches does. An activated
    # environment wins over the file (with a warning, test_agreement's pin-vs-activation).
    project = world.root / "project"
    handmade_venv(project / ".venv", s.lab.bases["3.11"])
    work = pinned_dir(project, "3.12\n")
    ask("a 3.11 .venv under a 3.12 pin", "python", work, "3.12")
    ask("a 3.11 .venv under a 3.12 pin", "pip", work, "3.12")
    matching = world.root / "matching"
    handmade_venv(matching / ".venv", s.lab.bases["3.12"])
    ask("a 3.12 .venv under a 3.12 pin", "python", pinned_dir(matching, "3.12\n"), "3.12")
    ask("VIRTUAL_ENV 3.12 under a 3.11 pin", "python", outer, "3.12", VIRTUAL_ENV=str(s.lab.myenv))
    # Turned off: the file is not read.
    ask("PYRUN_PYTHON_VERSION_FILES=0", "python", inner, "3.11", PYRUN_PYTHON_VERSION_FILES="0")
    # A version nothing here has, and a bad switch: one-line errors, the same everywhere.
    missing = pinned_dir(top / "missing", "3.13\n")
    ask("a pin nothing satisfies", "python", missing, None)
    ask("a bad switch", "python", inner, None, PYRUN_PYTHON_VERSION_FILES="yes")
    ask("a bad switch", "python3.11", inner, None, PYRUN_PYTHON_VERSION_FILES="yes")

    results = check_all(s, [sit for sit, _want in situations])
    problems = [p for _sit, _answer, found in results for p in found]
    assert not problems, "\n".join(problems)
    for (sit, want), (_sit, answer, _found) in zip(situations, results):
        if want is None:
            assert answer.error and answer.code != 0, f"{sit.label}: {answer}"
        else:
            assert base_minor(s, sit, answer) == want, f"{sit.label}: {answer.argv}"
    errors = {sit.label: answer.error for (sit, _w), (_s, answer, _f) in zip(situations, results)}
    assert (
        str(missing.parent.parent / ".python-version") in errors["a pin nothing satisfies: python"]
    )
    assert "PYRUN_PYTHON_VERSION_FILES" in errors["a bad switch: python"]


def test_pip_install_lands_in_the_pinned_version(world: World) -> None:
    """The user's check: `pip install` in a 3.12 project, then `python` imports it there,
    and a 3.11 project next door does not see it; neither base changes."""
    path = world.path_with(world.shims, world.base.bin, world.bases["3.12"].bin)
    pinned = pinned_dir(world.root / "p312", "3.12\n")
    other = pinned_dir(world.root / "p311", "3.11\n")
    env = {"PATH": path}
    done = world.run(["pip", "install", "pyrun_probe"], cwd=pinned, env=env)
    assert done.returncode == 0, done.stderr
    probe = "import pyrun_probe, sys; print(sys.version_info[:2], sys.prefix)"
    here = world.run(["python", "-c", probe], cwd=pinned, env=env, check=True).stdout
    assert here.startswith("(3, 12)"), here
    assert "-3.12-" in here
    there = world.run(["python", "-c", probe], cwd=other, env=env)
    assert there.returncode != 0 and "No module named 'pyrun_probe'" in there.stderr
    # `pyrun doctor` says which file chose the version.
    checks = json.loads(world.pyrun("doctor", "--json", cwd=pinned, env=env).stdout)["checks"]
    said = next(c["message"] for c in checks if c["check"] == "python")
    assert f"{pinned.parent.parent / '.python-version'} asks for Python 3.12" in said, said


def test_config_file_can_turn_it_off(world: World) -> None:
    """python_version_files = false in config.toml is baked into the shims at rehash."""
    path = world.path_with(world.shims, world.base.bin, world.bases["3.12"].bin)
    pinned = pinned_dir(world.root / "p", "3.12\n")
    version = ["python", "-c", "import sys; print(sys.version_info[1])"]
    assert world.run(version, cwd=pinned, env={"PATH": path}, check=True).stdout == "12\n"
    config = world.home / ".config" / "pyrun" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("python_version_files = false\n")
    shown = json.loads(world.pyrun("config", "--json").stdout)
    assert shown["settings"]["python_version_files"]["value"] is False
    world.pyrun("rehash", "-q", env={"PATH": path})
    assert world.run(version, cwd=pinned, env={"PATH": path}, check=True).stdout == "11\n"
    done = world.run(version, cwd=pinned, env={"PATH": path, "PYRUN_PYTHON_VERSION_FILES": "1"})
    assert done.stdout == "12\n", done.stderr


def tree(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_a_version_found_nowhere_makes_nothing_and_names_those_found(world: World) -> None:
    """A file asking for 3.7 where PATH has 3.11 and 3.12 (and uv installed 3.13): each
    name fails in one line naming the file and the versions there are, and leaves the
    data directory as it was (no isolated environment of another version, no lock)."""
    path = world.path_with(world.shims, world.base.bin, world.bases["3.12"].bin)
    env = {"PATH": path}
    world.run(["pip", "install", "pyrun_probe"], env=env, check=True)  # a script to run
    uv_python = world.home / ".local" / "share" / "uv" / "python"
    (uv_python / "cpython-3.13.1-linux-x86_64-gnu" / "bin").mkdir(parents=True)
    here = pinned_dir(world.root / "old", "3.7\n")
    before = tree(world.data)
    for argv in (
        ["python", "-V"],
        ["pip", "--version"],
        ["pyrun-probe"],
        [PYRUN, "which", "python"],
        [PYRUN, "which", "pip", "--json"],
        [PYRUN, "why", "python"],
    ):
        done = world.run(argv, cwd=here, env=env)
        assert done.returncode == 127, f"{argv}: {done.stdout} {done.stderr}"
        assert tree(world.data) == before, f"{argv} wrote into {world.data}"
        said = (done.stderr or done.stdout.splitlines()[-1]).splitlines()
        assert len(said) == 1, f"{argv}: {done.stderr}"
        assert f"no Python 3.7 (which {here.parent.parent / '.python-version'} asks" in said[0]
        assert "found Python 3.11, 3.12 on PATH and 3.13 installed by uv or pyenv" in said[0]


def test_uv_reads_them_the_same(setup: Setup) -> None:  # noqa: F811
    """`uv python find` picks the interpreter pyrun's isolated environment is made from,
    for every file pyrun reads as uv does (not the deliberate differences)."""
    s, world = setup, setup.world
    if s.flavour != "sh":  # one flavour is enough: this compares the resolver with uv
        return
    shared = {
        "PATH": os.pathsep.join(str(d) for d in s.lab.path_dirs("311-first")),
        "HOME": str(world.home),
        "XDG_CONFIG_HOME": str(world.root / "uv-config"),
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_CACHE_DIR": str(world.root / "uv-cache"),
        "UV_PYTHON_INSTALL_DIR": str(world.root / "uv-pythons"),
        "NO_COLOR": "1",
    }
    cases = {text: minor for text, minor in READINGS.items() if "3.12.1.4" not in text}
    cases.pop("3.12-dev\n")  # uv reads that as a version request pyrun does not
    # uv wants the exact patch release a file names: the one this 3.12 base is.
    patch = subprocess.run(
        [
            str(s.lab.bases["3.12"].python),
            "-c",
            "import platform; print(platform.python_version())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    for number, text in enumerate(cases):
        cwd = pinned_dir(world.root / "uv" / f"c{number}", text.replace("3.12.1", patch))
        found = subprocess.run(
            [str(UV), "python", "find"], cwd=cwd, env=shared, capture_output=True, text=True
        )
        assert found.returncode == 0, f"{text!r}: {found.stderr}"
        ours = world.pyrun(
            "which",
            "python",
            "--json",
            cwd=cwd,
            env={"PATH": path_311_first(s), "XDG_CONFIG_HOME": shared["XDG_CONFIG_HOME"]},
        )
        assert ours.returncode == 0, ours.stderr
        base = json.loads(ours.stdout)["base"]
        assert os.path.realpath(found.stdout.strip()) == os.path.realpath(base), (
            f"{text!r}: uv found {found.stdout.strip()}, pyrun's base is {base}"
        )


# -- files someone else controls, and files that are none ------------------------------------

NOBODY = 65534  # "another account": the tests run as root, the user here


@pytest.mark.sh_in_stress
def test_a_version_file_someone_else_controls_is_not_obeyed(setup: Setup) -> None:  # noqa: F811
    """Another account's ``echo 3.11 > /tmp/pub/.python-version`` must not move the
    user's python off their 3.12 .venv: a version file is held to the .venv rule
    (ownership.py), skipped with a warning naming it and PYRUN_TRUST, and the walk goes
    on (to the file above, or none). The user's own file still counts, in /tmp too."""
    s, world = setup, setup.world
    top = world.root / "pub"
    env = {"PATH": path_311_first(s)}
    cases: list[tuple[Situation, str, Path | None]] = []

    def ask(label: str, cwd: Path, want: str, skipped: Path | None, **extra: str) -> None:
        sit = Situation(f"{label} [{s.flavour}]", "python", cwd, {**env, "PWD": str(cwd), **extra})
        cases.append((sit, want, skipped))

    def pinned(name: str, text: str, *, owner: int = 0, holder_mode: int = 0o755) -> Path:
        work = pinned_dir(top / name, text)
        os.chown(top / name / ".python-version", owner, owner)
        (top / name).chmod(holder_mode)
        return work

    # /tmp-like (sticky) and a 0777 team directory: another account's 3.12 pin is skipped,
    # the first Python on PATH (3.11) runs; the user's own pin counts in the sticky one.
    sticky = pinned("sticky", "3.12\n", owner=NOBODY, holder_mode=0o1777)
    ask("another account's pin in a sticky directory", sticky, "3.11", sticky.parent.parent)
    team = pinned("team", "3.12\n", owner=NOBODY, holder_mode=0o777)
    ask("another account's pin in a 0777 directory", team, "3.11", team.parent.parent)
    mine_team = pinned("mineteam", "3.12\n", holder_mode=0o777)
    ask("my pin in a 0777 directory", mine_team, "3.11", mine_team.parent.parent)
    ask(
        "my pin in a sticky directory",
        pinned("minesticky", "3.12\n", holder_mode=0o1777),
        "3.12",
        None,
    )
    writable = pinned("writable", "3.12\n")
    (top / "writable" / ".python-version").chmod(0o666)
    ask("my pin others can write", writable, "3.11", writable.parent.parent)
    # The case: the user's 3.12 .venv in /tmp/pub, another account's 3.11 pin.
    handmade_venv(top / "venv" / ".venv", s.lab.bases["3.12"])
    in_venv = pinned("venv", "3.11\n", owner=NOBODY, holder_mode=0o1777)
    ask("another account's pin beside my .venv", in_venv, "3.12", in_venv.parent.parent)
    # Skipped as if absent: the user's own file above counts.
    outer = pinned_dir(top / "outer", "3.12\n")
    inner = pinned("outer/inner", "3.11\n", owner=NOBODY, holder_mode=0o1777)
    ask("another account's pin below mine", inner, "3.12", inner.parent.parent)
    assert outer.exists()
    # PYRUN_TRUST names it (or its directory): obeyed.
    trusted = top / "team" / ".python-version"
    ask("PYRUN_TRUST=the file", team, "3.12", None, PYRUN_TRUST=str(trusted))
    ask("PYRUN_TRUST=its directory", team, "3.12", None, PYRUN_TRUST=str(top / "team"))

    # A symlink is its owner's too (ownership.link_reason): another account's link to
    # the user's own 3.12 pin is skipped, the user's own link to it obeyed.
    for name, owner in (("linked", NOBODY), ("mylink", 0)):
        work = pinned(name, "3.11\n", holder_mode=0o1777)
        link = top / name / ".python-version"
        link.unlink()
        link.symlink_to(top / "minesticky" / ".python-version")
        os.chown(link, owner, owner, follow_symlinks=False)
        ask(
            f"{name}: a pin linked to mine",
            work,
            "3.11" if owner else "3.12",
            link.parent if owner else None,
        )

    results = check_all(s, [sit for sit, _w, _f in cases])
    problems = [p for _sit, _answer, found in results for p in found]
    assert not problems, "\n".join(problems)
    for (sit, want, skipped), (_sit, answer, _found) in zip(cases, results):
        assert base_minor(s, sit, answer) == want, f"{sit.label}: {answer.argv}"
        if skipped is None:
            assert not answer.warnings, f"{sit.label}: {answer.warnings}"
            continue
        file = skipped / ".python-version"
        assert len(answer.warnings) == 1, f"{sit.label}: {answer.warnings}"
        assert answer.warnings[0].startswith(f"pyrun: not using {file}: "), answer.warnings
        assert f"export PYRUN_TRUST={file})" in answer.warnings[0], answer.warnings


def odd_files(root: Path) -> dict[str, Path]:
    """Version files that are none, each in a directory below the user's own 3.12 pin:
    label -> the working directory."""
    pinned_dir(root, "3.12\n")
    made = {}
    for label in ("fifo", "sparse", "large", "directory", "nul"):
        work = root / label / "w"
        work.mkdir(parents=True)
        made[label] = work
    os.mkfifo(root / "fifo" / ".python-version")
    with open(root / "sparse" / ".python-version", "wb") as handle:
        handle.truncate(1 << 40)  # `truncate -s 1T`: no disk used
    (root / "large" / ".python-versions").write_text("3.11\n" + "#" * version_file.MAX_BYTES)
    (root / "directory" / ".python-version").mkdir()
    (root / "nul" / ".python-version").write_bytes(b"\0" * (version_file.MAX_BYTES + 1))
    return made


@pytest.mark.sh_in_stress
def test_a_fifo_or_a_huge_version_file_is_skipped(setup: Setup) -> None:  # noqa: F811
    """A FIFO, a 1 TB sparse file, a file over MAX_BYTES, a directory: one warning each
    and the walk goes on (the pin above counts), in the resolver and both shims; none
    hangs, none is a traceback. A file of exactly MAX_BYTES is read."""
    s, world = setup, setup.world
    env = {"PATH": path_311_first(s)}
    made = odd_files(world.root / "odd")
    exact = pinned_dir(world.root / "exact", ("#" * (version_file.MAX_BYTES - 5)) + "\n3.11")
    assert (world.root / "exact" / ".python-version").stat().st_size == version_file.MAX_BYTES
    situations = [
        Situation(f"{label} [{s.flavour}]", "python", cwd, {**env, "PWD": str(cwd)})
        for label, cwd in made.items()
    ]
    situations.append(Situation("exactly MAX_BYTES", "python", exact, {**env, "PWD": str(exact)}))
    results = check_all(s, situations)
    problems = [p for _sit, _answer, found in results for p in found]
    assert not problems, "\n".join(problems)
    for sit, answer, _found in results:
        if sit.label == "exactly MAX_BYTES":
            assert base_minor(s, sit, answer) == "3.11" and not answer.warnings, answer
            continue
        assert base_minor(s, sit, answer) == "3.12", f"{sit.label}: {answer.argv}"
        assert len(answer.warnings) == 1, f"{sit.label}: {answer.warnings}"
        assert answer.warnings[0].startswith(f"pyrun: not reading {sit.cwd.parent}/.python-"), (
            answer.warnings
        )


def test_every_copy_reads_at_most_the_same_size() -> None:
    """One figure, spelled in each copy."""
    root = Path(__file__).resolve().parent.parent / "shims"
    c = (root / "shim.c").read_text()
    sh = (root / "shim.sh").read_text()
    assert f"#define PIN_MAX_BYTES {version_file.MAX_BYTES}\n" in c
    assert f"of at most {version_file.MAX_BYTES} bytes" in c
    assert f"\npyrun_pin_max={version_file.MAX_BYTES}\n" in sh
