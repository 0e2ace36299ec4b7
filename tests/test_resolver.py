"""The hooks' question, asked of every copy of the walk over odd labels.

A hook runs ``$shims/pyrun-resolve`` (the compiled shim, or shim.sh, under that name)
and shows the ``label=`` it prints. test_agreement.py holds the walk itself to the
resolver over many trees; this module holds the *label* to ``pyrun which python
--json`` over the inputs where three spellings of one rule could part: what a
pyvenv.cfg's ``prompt =`` line may hold (Unicode line breaks and white space, quotes,
control characters, invalid UTF-8, a file over 64 KiB, a FIFO) and what a directory's
name may hold. For each case the compiled binary, the sh shim, Python's own answer
(``pyrun _shim pyrun-resolve``) and ``which --json`` must give the same label, and the
compiled one must give it without Python wherever the input is valid UTF-8.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyrun import shims
from tests.conftest import Base, World, assert_bases_untouched, flavour_needs, need, new_world
from tests.test_agreement import answer_lines, handmade_venv


@dataclass(frozen=True)
class Case:
    name: str
    cfg: bytes  # appended to the pyvenv.cfg venv writes
    label: str  # what every copy must say
    directory: str = "proj"  # the project's directory name
    c_needs_python: bool = False  # the compiled binary hands this one to Python
    sh_needs_python: bool = False  # shim.sh does (it reads printable ASCII and tabs only)
    sparse: bool = False  # pyvenv.cfg then grows to a terabyte of holes (no disk used)


CASES = [
    Case("unicode", "prompt = 'héllo 🐍'\n".encode(), "héllo 🐍", sh_needs_python=True),
    Case("tab-inside", b'prompt = "x\ty"\n', "xy"),
    Case("crlf", b"prompt = crlf\r\nversion = 3\r\n", "crlf", sh_needs_python=True),
    Case("line-separator", "version = 3\u2028prompt = ls\n".encode(), "ls", sh_needs_python=True),
    Case("nel-ends-the-line", "prompt = a\u0085b\n".encode(), "a", sh_needs_python=True),
    Case(
        "unicode-white-space", "prompt =\u00a0nbsp\u3000\n".encode(), "nbsp", sh_needs_python=True
    ),
    Case("escape-sequence", b"prompt = \x1b[31mred\x1b[0m\n", "[31mred[0m", sh_needs_python=True),
    Case("c1-control", "prompt = c1\u009bx\n".encode(), "c1x", sh_needs_python=True),
    Case(
        "invalid-utf8",
        b"prompt = bad\xff\n",
        "bad\ufffd",
        c_needs_python=True,
        sh_needs_python=True,
    ),
    # a lone 0x9b byte is CSI to a terminal reading 8-bit controls (issue #14, item 13)
    Case(
        "raw-c1-byte",
        b"prompt = c1\x9bx\n",
        "c1\ufffdx",
        c_needs_python=True,
        sh_needs_python=True,
    ),
    Case("empty-quotes", b'prompt = ""\n', "proj"),
    Case("one-quote", b'prompt = "\n', '"'),
    Case("mismatched-quotes", b"prompt = 'a\"\n", "'a\""),
    Case("spaced", b"   prompt   =   spaced out  \n", "spaced out"),
    Case("case-matters", b"PROMPT = no\n", "proj"),
    Case("first-prompt-line-wins", b"prompt =\nprompt = second\n", "proj"),
    Case("bom", "\ufeffprompt = bom\n".encode(), "proj", sh_needs_python=True),
    Case("nul-in-value", b"prompt = a\x00b\n", "ab", sh_needs_python=True),
    Case("over-64-kib", b"prompt = big\n" + b"#" * 70000 + b"\n", "proj"),
    Case("sparse-terabyte", b"prompt = huge\n", "proj", sparse=True),
    Case("no-prompt", b"", "proj"),
    Case("name-with-controls", b"", "abc", directory="a\nb\u009bc", sh_needs_python=True),
    Case("name-not-ascii", b"", "café", directory="café"),
    # U+00A9 is 0xc2 0xa9: the byte C1 controls start with, but no control
    Case("name-c2-but-no-control", b"", "©2026", directory="©2026"),
    # a name that is no UTF-8 (byte 0xff): its bytes, as Python's surrogateescape keeps them
    Case("name-not-utf8", b"", "x\udcffy", directory="x\udcffy"),
]


@pytest.fixture(scope="module")
def worlds(
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
    wheelhouse: Path,
) -> Iterator[dict[str, World]]:
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    flavour_needs("c")
    made = {
        flavour: new_world(
            tmp_path_factory.mktemp(f"resolver-{flavour}"), bases, wheelhouse, flavour=flavour
        )
        for flavour in ("c", "sh")
    }
    yield made
    for world in made.values():
        assert_bases_untouched(bases, base_snapshots, world.home)


def build(root: Path, world: World, case: Case) -> Path:
    """The project of `case` with its .venv; the working directory to ask in."""
    project = root / case.name / case.directory
    venv = handmade_venv(project / ".venv", world.base)
    cfg = venv / "pyvenv.cfg"
    cfg.write_bytes(cfg.read_bytes() + case.cfg)
    if case.sparse:
        os.truncate(cfg, 1 << 40)
    return project


def resolver(world: World, cwd: Path) -> tuple[int, dict[str, list[str]], bool]:
    """The binary's exit status, lines, and whether it took the slow path."""
    done = world.run(
        [str(world.shims / shims.RESOLVER)], cwd=cwd, env={"PYRUN_DEBUG": "1", "PWD": str(cwd)}
    )
    return done.returncode, answer_lines(done.stdout), ": slow path: " in done.stderr


def reference(world: World, cwd: Path) -> tuple[dict[str, list[str]], str]:
    """Python's own lines for the hooks, and `which --json`'s label (or its error)."""
    python = world.pyrun("_shim", shims.RESOLVER, "asked by the test", cwd=cwd)
    which = world.pyrun("which", "python", "--json", cwd=cwd)
    label = json.loads(which.stdout)["label"] if which.returncode == 0 else which.stderr
    return answer_lines(python.stdout), label


def test_every_copy_gives_the_same_label(worlds: dict[str, World], tmp_path: Path) -> None:
    projects = [build(tmp_path, worlds["c"], case) for case in CASES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        fast = {
            flavour: list(pool.map(resolver, [world] * len(projects), projects))
            for flavour, world in worlds.items()
        }
        slow = list(pool.map(lambda cwd: reference(worlds["c"], cwd), projects))
    problems = []
    for index, case in enumerate(CASES):
        python, which = slow[index]
        want = {"kind": [".venv"], "label": [case.label]}
        if which != case.label:
            problems.append(f"{case.name}: `pyrun which --json` says {which!r}")
        if {key: python.get(key) for key in want} != want:
            problems.append(f"{case.name}: Python's answer is {python}")
        for flavour, answers in fast.items():
            code, lines, took_slow_path = answers[index]
            if code != 0 or {key: lines.get(key) for key in want} != want:
                problems.append(
                    f"{case.name}: pyrun-resolve ({flavour}) said {lines} (exit {code})"
                )
            marker = lines.get("shims", [""])[0]
            if not marker.startswith(str(worlds[flavour].shims)) or not os.path.exists(marker):
                problems.append(
                    f"{case.name}: ({flavour}) the shims marker {marker!r} is not there"
                )
            needs_python = case.c_needs_python if flavour == "c" else case.sh_needs_python
            if took_slow_path != needs_python:
                problems.append(
                    f"{case.name}: the {flavour} resolver "
                    + ("took the slow path" if took_slow_path else "answered without Python")
                )
    assert not problems, "\n".join(problems)


def test_the_label_reader_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    """The walk takes a pyvenv.cfg only when it is a regular file, but it can be
    swapped for a FIFO before the label is read: the reader opens without blocking and
    reads nothing that is not a regular file (shim.c's cfg_prompt does the same)."""
    from pyrun import label

    venv = tmp_path / "proj" / ".venv"
    venv.mkdir(parents=True)
    os.mkfifo(venv / "pyvenv.cfg")
    assert label.cfg_prompt(venv) is None
    assert label.env_label(venv) == "proj"


def test_the_shims_marker_goes_when_the_shims_change(worlds: dict[str, World]) -> None:
    """What a hook tests at each prompt (one stat) to learn that bash's remembered
    command paths may be stale: gone after any rehash, and the answer names the new one."""
    for flavour, world in worlds.items():
        _code, before, _slow = resolver(world, world.root)
        old = before["shims"][0]
        assert os.path.exists(old), f"{flavour}: {before}"
        world.pyrun("rehash", "-q", check=True)
        _code, after, _slow = resolver(world, world.root)
        new = after["shims"][0]
        assert not os.path.exists(old), f"{flavour}: the old marker {old} is still there"
        assert new != old and os.path.exists(new), f"{flavour}: {after}"


def test_a_base_without_a_record_costs_python_once(
    worlds: dict[str, World], tmp_path: Path
) -> None:
    """Before any `python` has run with the base on PATH there is no record, and only
    running the interpreter tells its version: the first question goes to Python,
    which notes the answer, and the next ones are the binary's alone, with the label
    `which` gives. The note names the binary, so it is never taken for another."""
    for flavour, world in worlds.items():
        place = tmp_path / flavour
        place.mkdir()
        cache = world.data / "cache" / "versions"
        shutil.rmtree(cache, ignore_errors=True)
        for record in world.data.glob("by-path*"):
            shutil.rmtree(record)
        _code, first, slow_first = resolver(world, place)
        _code, second, slow_second = resolver(world, place)
        _python, which = reference(world, place)
        assert (slow_first, slow_second) == (True, False), f"{flavour}: {first} {second}"
        assert first == second and first["label"] == [which] and first["kind"] == ["isolated"]
        assert which == f"pyrun {world.base.minor}"
        # The same path, now another binary: the note no longer holds.
        note = next(p for p in cache.rglob("*") if p.is_file())
        name = note.read_text().split(" ")[0]
        note.write_text(f"{name} /bin/sh\n")
        assert resolver(world, place)[2], f"{flavour}: a note for another binary was used"


def test_what_the_resolver_starts(worlds: dict[str, World], tmp_path: Path) -> None:
    """A hook pays for every process the resolver starts, at every change. The compiled
    one starts none. shim.sh has no builtin for mode bits or a file's size: for a .venv
    one `ls` tells both (ownership and the pyvenv.cfg's size), for an activated
    VIRTUAL_ENV one `wc -c` the size; a directory name that is not ASCII costs a subshell
    (its byte sets), no program."""
    strace = shutil.which("strace")
    need(strace, "strace")
    project = tmp_path / "proj"
    venv = handmade_venv(project / ".venv", worlds["c"].base)
    named = tmp_path / "naïve"
    handmade_venv(named / ".venv", worlds["c"].base)
    situations = {
        "plain directory": (tmp_path, {}, [], 0),
        ".venv": (project, {}, ["/bin/ls"], 1),
        "non-ASCII .venv": (named, {}, ["/bin/ls"], 2),
        "activated": (tmp_path, {"VIRTUAL_ENV": str(venv)}, ["wc"], 1),
    }
    trace = [str(strace), "-f", "-qq", "-e", "trace=execve,fork,vfork,clone,clone3"]
    problems = []
    for flavour, world in worlds.items():
        resolver(world, tmp_path)  # a record for the base, as after any first prompt
        for name, (cwd, env, programs, spawns) in situations.items():
            log = tmp_path / f"strace-{flavour}.log"
            done = world.run(
                [*trace, "-o", str(log), str(world.shims / shims.RESOLVER)],
                cwd=cwd,
                env={"PYRUN_DEBUG": "1", "PWD": str(cwd), **env},
            )
            calls = [line.split(None, 1)[1] for line in log.read_text().splitlines()]
            execs = [c.split('"')[1] for c in calls if c.startswith("execve(") and "= 0" in c]
            forks = [c for c in calls if c.startswith(("fork", "vfork", "clone"))]
            want = (programs, spawns) if flavour == "sh" else ([], 0)
            got = ([os.path.basename(e) if "wc" in e else e for e in execs[1:]], len(forks))
            if ": slow path: " in done.stderr or got != want:
                problems.append(f"{name} ({flavour}): started {execs[1:]}, {len(forks)} forks")
    assert not problems, "\n".join(problems)
