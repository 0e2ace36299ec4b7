"""``python -S`` through the shims runs the isolated environment's prefix, never the
base's (issue #14, item 8; src/pyrun/nosite.py). The installs it could attempt are in
test_base_untouched.py's battery; here: how options are read (nosite.parse, and both
shims' scan held to it), and that the program runs as CPython would have run it."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrun import nosite
from tests.conftest import (
    SHIM_FLAVOURS,
    World,
    assert_bases_untouched,
    flavour_needs,
    need,
    new_world,
)

# args -> (options, letters, mode, target, program's args), as CPython's getopt reads them
PARSED = {
    ("-S", "-c", "x", "a"): (["-S"], "Sc", "-c", "x", ["a"]),
    ("-EsSc", "x"): (["-EsS"], "EsSc", "-c", "x", []),
    ("-Sccode", "a"): (["-S"], "Sc", "-c", "code", ["a"]),
    ("-cS",): ([], "c", "-c", "S", []),
    ("-Sm", "pip", "install"): (["-S"], "Sm", "-m", "pip", ["install"]),
    ("-Smpip",): (["-S"], "Sm", "-m", "pip", []),
    ("-IS", "f.py", "a"): (["-IS"], "IS", "file", "f.py", ["a"]),
    ("-W", "S", "f.py"): (["-W", "S"], "W", "file", "f.py", []),
    ("-WS", "-S"): (["-WS", "-S"], "WS", "", None, []),
    ("-XS",): (["-XS"], "X", "", None, []),
    ("-X", "S", "-m", "S"): (["-X", "S"], "Xm", "-m", "S", []),
    ("--check-hash-based-pycs", "-S"): (["--check-hash-based-pycs", "-S"], "", "", None, []),
    ("--version", "-S"): (["--version", "-S"], "S", "", None, []),
    ("-", "-S"): ([], "", "-", None, ["-S"]),
    ("--", "-S"): ([], "", "file", "-S", []),
    ("--", "-", "a"): ([], "", "-", None, ["a"]),
    ("f.py", "-S"): ([], "", "file", "f.py", ["-S"]),
    ("-S",): (["-S"], "S", "", None, []),
    ("-u", "-S", "--", "x"): (["-u", "-S"], "uS", "file", "x", []),
}


@pytest.mark.parametrize("args", PARSED, ids=" ".join)
def test_options_are_read_as_cpython_reads_them(args: tuple[str, ...]) -> None:
    command = nosite.parse(list(args))
    assert (command.options, command.letters, command.mode, command.target, command.args) == (
        PARSED[args]
    )
    assert command.complete


@pytest.mark.parametrize("args", [["-S", "-W"], ["-S", "-c"], ["-Sm"], ["-S", "-X"]])
def test_an_option_without_its_argument_is_left_to_cpython(args: list[str]) -> None:
    assert not nosite.parse(args).complete
    assert nosite.rewrite(Path("/env"), args, stdin_is_tty=False) == args


@pytest.fixture(scope="module", params=SHIM_FLAVOURS)
def nosite_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict,
    base_snapshots: dict,
    wheelhouse: Path,
) -> Iterator[World]:
    """A world per shim kind, its isolated environment made and recorded (fast path)."""
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    flavour_needs(request.param)
    made = new_world(
        tmp_path_factory.mktemp(f"nosite-{request.param}"), bases, wheelhouse, flavour=request.param
    )
    made.run(["python", "-c", "pass"], check=True)
    yield made
    assert_bases_untouched(bases, base_snapshots, made.home)


SLOW = "python -S needs the isolated environment's prefix set"


def test_each_shim_hands_exactly_S_over(nosite_world: World) -> None:
    # Both shims scan as nosite.parse does: -S goes to Python, anything else runs fast.
    for args in PARSED:
        done = nosite_world.run(["python", *args], env={"PYRUN_DEBUG": "1"}, input=b"")
        asked = "S" in PARSED[args][1]
        assert (SLOW in done.stderr) == asked, (args, done.stderr)
        assert ("slow path" in done.stderr) == asked, (args, done.stderr)


PROBE = (
    "import sys; print(sys.prefix, sys.exec_prefix, sys.flags.no_site,"
    " [p for p in sys.path if 'site-packages' in p])"
)


def test_python_S_runs_the_environments_prefix(nosite_world: World) -> None:
    env = nosite_world.prefix_of()
    assert env.startswith(str(nosite_world.envs)), env
    for argv in (
        ["python", "-S", "-c", PROBE],
        ["python", "-EsSc", PROBE],  # pdm's findpython asks exactly this
        ["python3", "-IS", "-c", PROBE],
    ):
        done = nosite_world.run(argv, check=True)
        assert done.stdout.split(None, 3) == [env, env, "1", "[]\n"], (argv, done.stdout)
    # -I keeps site: the environment's prefix, and its install guard hook loaded.
    hooked = "import sys; print(sys.prefix, '_pyrun_guard_hook' in sys.modules)"
    done = nosite_world.run(["python", "-I", "-c", hooked], check=True)
    assert done.stdout.split() == [env, "True"]
    done = nosite_world.run(["python", "-S", "-c", hooked], check=True)
    assert done.stdout.split() == [env, "True"]


def test_the_program_runs_as_cpython_runs_it(nosite_world: World, tmp_path: Path) -> None:
    # With -S as without: sys.argv, sys.path[0], __file__ and __name__ are CPython's,
    # for -c, -m, a file (with -x too), a directory, stdin and `-`.
    show = (
        "import sys, json; print(json.dumps([sys.argv, sys.path[0],"
        " globals().get('__file__'), __name__, sys._getframe().f_lineno]))\n"
    )
    (tmp_path / "probe_mod.py").write_text(show)
    (tmp_path / "dos.py").write_text("this first line is skipped by -x\n" + show)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text(show)
    for args, stdin in (
        (["-c", show, "a"], None),
        (["-m", "probe_mod", "a"], None),
        (["probe_mod.py", "a", "-S"], None),
        (["app", "a"], None),
        (["-x", "dos.py"], None),
        ([], show),
        (["-", "a"], show),
    ):
        runs = [
            nosite_world.run(
                ["python", *flags, *args],
                cwd=tmp_path,
                input=(stdin or "").encode(),
                check=True,
            ).stdout
            for flags in ([], ["-S"])
        ]
        assert json.loads(runs[1]) == json.loads(runs[0]), args


def test_exit_status_and_errors_pass_through(nosite_world: World) -> None:
    assert nosite_world.run(["python", "-S", "-c", "raise SystemExit(3)"]).returncode == 3
    done = nosite_world.run(["python", "-S", "-c", "import sys; sys.exit('bye')"])
    assert (done.returncode, done.stderr) == (1, "bye\n")
    done = nosite_world.run(["python", "-S", "-c", "1/0"])
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):", done.stderr
    assert lines[1].startswith('  File "<string>", line 1'), done.stderr
    assert "nosite" not in done.stderr and lines[-1].startswith("ZeroDivisionError")
    done = nosite_world.run(["python", "-S", "nosuch.py"])
    assert done.returncode == 2 and "can't open file" in done.stderr


def test_python_S_on_a_terminal_is_the_repl(nosite_world: World) -> None:
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        ["python", "-S", "-q"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**nosite_world.env, "TERM": "dumb", "PYTHON_BASIC_REPL": "1"},
        cwd=nosite_world.root,
    )
    os.close(child)
    os.write(parent, b"import sys; print('prefix=' + sys.prefix); raise SystemExit(4)\n")
    seen = b""
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([parent], [], [], 0.5)[0]:
            try:
                seen += os.read(parent, 4096)
            except OSError:
                break
    proc.wait(timeout=60)
    os.close(parent)
    env = nosite_world.prefix_of()
    assert f"prefix={env}".encode() in seen, seen
    assert proc.returncode == 4
