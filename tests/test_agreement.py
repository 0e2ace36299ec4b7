"""The fast paths and the Python resolver implement one discovery order.

Both shims (the shell script shims/shim.sh and the compiled shims/shim.c) run over the
same directory trees and environment variables as the resolver and must give the same
answer. The resolver answers through ``pyrun which NAME --json`` (or an error exit
and a one-line message); the shim runs for real with ``PYRUN_DEBUG=1``, which makes it
say on stderr either what it decided (``pyrun[sh] NAME: <step> -> <program>``, or
``pyrun[c] ...``) or why it handed over to the slow path (``... slow path: <reason>``).

* When the shell decided, its program (plus the shared pip, or the runner of an
  environment's own pip, that it runs) must be the resolver's argv, and the resolver
  must have had nothing to warn about.
* When it deferred, the reason must be a legitimate one (the resolver has an error or a
  warning to show, a relative path, a base interpreter without a current record, or
  an environment's own pip without the runner that guards it),
  and what finally ran (the slow path's exec line and the program's own output) or the
  error exit and message must be the resolver's.
* Warm-up: once a healthy case has run, running it again is decided by the shell, so
  the steady state starts no process but the target (a case the shell decided on its
  first run is in that state already, and is not run twice).

Each scenario runs two of the names, a python and a pip, turning over the matrix; the
stress set runs the other names of the scenarios that set no variable and a third name
of every other scenario.

The trees are built once per session (real venvs are slow to make); every group of
scenarios gets a fresh ``world`` (HOME, data directory, no records yet), so each starts
cold, and the random trees of the property test are built in one.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyrun import compiled, records, redirect, shims
from pyrun.paths import Paths
from tests.conftest import Base, World, need, need_minor, pyrun_messages

NAMES = ("python", "python3", "python3.11", "python3.12", "pip", "pip3", "pip3.12")
SCRIPT = "pyrun-probe"  # the console script of the wheelhouse's pyrun_probe
PYTHON_ARGS = ("-c", "import sys; print(sys.executable)")
PIP_ARGS = ("--version",)

# Each tree's working directory, relative to the lab root: the logical path a shell shows
# in PWD (the process's cwd is its physical path; only "physical" differs).
TREES = {
    "none": "plain/deep/dir",
    "cwd": "cwdproj",
    "up1": "upproj/a",
    "up3": "upproj/a/b/c",
    "nested": "upproj/a/inner/src",
    "inside": "upproj/envs/myenv/lib",
    "symlink": "linkproj/src",
    "physical": "logical/work",
    "nocfg": "nocfg/src",
    "dangling": "dangling/src",
    "uv": "uvproj/pkg",
    "pinned": "pinproj/src",  # pinproj/.python-version asks for 3.11; no .venv
    **{tree: f"upproj/a/{tree}/src" for tree in ("r-rel", "r-abs", "r-crlf", "r-link")},
    **{tree: f"upproj/a/{tree}/src" for tree in ("r-spaces", "r-cr", "r-empty", "r-missing")},
    **{tree: f"upproj/a/{tree}/src" for tree in ("r-plain", "r-to-file", "r-to-holder")},
}
# What each redirect tree's .venv file holds ({root}: the lab's): a redirect file stops
# the walk (upproj/.venv above is never used); the last seven name no environment.
REDIRECTS = {
    "r-rel": "../../envs/myenv\n",
    "r-abs": "{root}/cwdproj/.venv/",  # no newline, a trailing slash
    "r-crlf": "../../envs/myenv\r\n",
    "r-spaces": " ../../envs/myenv\n",  # the space is part of the path
    "r-cr": "../../envs/myenv\r",  # a lone \r too
    "r-empty": "\r\n",
    "r-missing": "../../../gone\n",
    "r-plain": "{root}/plain\n",  # a directory that is no environment
    "r-to-file": "../r-rel/.venv\n",  # a redirect to a redirect
    "r-to-holder": "../r-rel\n",  # a directory holding a redirect
}
BROKEN_TREES = ("nocfg", "dangling", *list(REDIRECTS)[3:])
PATH_ORDERS = ("311-first", "312-first", "only-312-dir", "impostors-first")


# -- the lab: every tree, built once -------------------------------------------------------


@dataclass
class Lab:
    root: Path
    bases: dict[str, Base]

    @property
    def myenv(self) -> Path:
        """A 3.12 venv with pip that is not called .venv, inside a project with one."""
        return self.root / "upproj" / "envs" / "myenv"

    @property
    def conda_root(self) -> Path:
        return self.root / "condas" / "miniconda3"

    @property
    def conda_named(self) -> Path:
        return self.conda_root / "envs" / "sci"

    @property
    def only312(self) -> Path:
        """A PATH directory with nothing but a python3.12."""
        return self.root / "only312"

    @property
    def uv_pythons(self) -> Path:
        """What `uv python install 3.12` leaves, with decoys no copy may take."""
        return self.root / "uv-pythons"

    @property
    def pyenv_root(self) -> Path:
        """A PYENV_ROOT with a 3.11 build and no shims: pyenv not on PATH."""
        return self.root / "pyenv"

    @property
    def foreign_shims(self) -> Path:
        """Another pyrun installation's shims: never run, never a loop."""
        return self.root / "foreign-shims"

    @property
    def not_python(self) -> Path:
        """python, python3, python3.X that are not Python (they exit 3)."""
        return self.root / "not-python"

    def cwd(self, tree: str) -> Path:
        return self.root / TREES[tree]

    def path_dirs(self, order: str) -> list[Path]:
        b311, b312 = self.bases["3.11"].bin, self.bases["3.12"].bin
        return {
            "311-first": [b311, b312],
            "312-first": [b312, b311],
            "only-312-dir": [self.only312, b311],
            "impostors-first": [self.foreign_shims, self.not_python, b312, b311],
            # An environment's bin first on PATH, without activation: it is used as is.
            "venv-first": [self.myenv / "bin", b311],
            "conda-env-first": [self.conda_named / "bin", b311],
            # conda's own bin (condabin/ beside it): a base interpreter.
            "conda-base-first": [self.conda_root / "bin", b312],
            "empty": [],
        }[order]


def link_interpreter(bindir: Path, base: Base, *names: str) -> None:
    bindir.mkdir(parents=True, exist_ok=True)
    for name in names:
        (bindir / name).symlink_to(base.python)


def handmade_venv(prefix: Path, base: Base) -> Path:
    """What ``python -m venv --without-pip --symlinks`` makes, without running anything."""
    prefix.mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text(
        f"home = {base.bin}\ninclude-system-site-packages = false\nversion = {base.minor}\n"
    )
    link_interpreter(prefix / "bin", base, "python", "python3", f"python{base.minor}")
    (prefix / "lib" / f"python{base.minor}" / "site-packages").mkdir(parents=True)
    return prefix


def dangling_venv(prefix: Path) -> Path:
    (prefix / "bin").mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text("home = /nonexistent/pyrun-gone/bin\nversion = 3.11.0\n")
    (prefix / "bin" / "python").symlink_to("/nonexistent/pyrun-gone/bin/python3.11")
    (prefix / "bin" / "python3").symlink_to("python")
    (prefix / "bin" / "python3.11").symlink_to("python")
    return prefix


# Session-wide: test_odd_input.py and test_ownership.py import it, and nothing writes
# into it after it is built (every scenario's own files go under its world).
@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, bases: dict[str, Base], wheelhouse: Path) -> Lab:
    need_minor(bases, "3.11")
    need_minor(bases, "3.12")
    root = tmp_path_factory.mktemp("lab")
    lab = Lab(root, bases)
    b311, b312 = bases["3.11"], bases["3.12"]
    builder = World(
        root=root, home=root / "builder-home", base=b311, bases=bases, wheelhouse=wheelhouse
    )
    builder.home.mkdir()
    for tree in TREES:
        if tree != "physical":
            lab.cwd(tree).mkdir(parents=True, exist_ok=True)
    # Real venvs (python -m venv); the ones with pip take seconds each, so in parallel.
    venvs = [
        (root / "cwdproj" / ".venv", b311, True),
        (root / "upproj" / ".venv", b311, False),
        (lab.myenv, b312, True),
        (root / "upproj" / "a" / "inner" / ".venv", b312, False),
        (root / "uvproj" / ".venv", b311, False),  # uv makes venvs without pip
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda v: builder.venv(v[0], base=v[1], pip=v[2]), venvs))
    (root / "linkproj" / ".venv").symlink_to(os.path.relpath(lab.myenv, root / "linkproj"))
    # A shell that cd'ed through logical/work shows it in PWD; the physical directory is
    # upproj/a/b (whose .venv is two levels up), while logical/ has a .venv of its own.
    (root / "logical").mkdir()
    (root / "logical" / ".venv").symlink_to("../cwdproj/.venv")
    (root / "logical" / "work").symlink_to("../upproj/a/b")
    (root / "logical" / "other").symlink_to("../upproj/envs/myenv")
    (root / "upproj" / "a" / "other").symlink_to("../../cwdproj/.venv")
    for tree, text in REDIRECTS.items():
        (lab.cwd(tree).parent / ".venv").write_text(text.format(root=root), newline="")
    # A .venv symlink to a redirect file: its text is relative to the link's directory.
    (lab.cwd("r-link").parent / ".venv").symlink_to("../r-rel/.venv")
    (root / "nocfg" / ".venv" / "bin").mkdir(parents=True)
    dangling_venv(root / "dangling" / ".venv")
    (root / "pinproj" / ".python-version").write_text("3.11\n")
    # Fake conda: a base install and a named env, interpreters linked, no pyvenv.cfg.
    link_interpreter(lab.conda_root / "bin", b311, "python3", "python3.11")
    (lab.conda_root / "conda-meta").mkdir()
    (lab.conda_root / "condabin").mkdir()  # what tells conda's base install on PATH
    link_interpreter(lab.conda_named / "bin", b312, "python3", "python3.12")
    (lab.conda_named / "conda-meta").mkdir()
    link_interpreter(lab.only312, b312, "python3.12")
    # Installed Pythons off PATH: uv's newest 3.12 and pyenv's 3.11 are the ones to take.
    for name, base in (
        ("cpython-3.12.1-linux-x86_64-gnu", b312),
        ("cpython-3.12.0-linux-x86_64-gnu", b311),
    ):
        link_interpreter(lab.uv_pythons / name / "bin", base, "python3.12", "python3")
    for name in ("cpython-3.12-linux-x86_64-gnu", "cpython-3.13.0+freethreaded-linux-x86_64-gnu"):
        link_interpreter(lab.uv_pythons / name / "bin", b311, "python3.12", "python3.13")
    link_interpreter(lab.pyenv_root / "versions" / "3.11.7" / "bin", b311, "python3.11")
    link_interpreter(lab.pyenv_root / "versions" / "3.11.07" / "bin", b312, "python3.11")
    foreign = Paths(data=root / "foreign-pyrun", config=root / "foreign-config")
    lab.foreign_shims.mkdir()
    lab.not_python.mkdir()
    for name in NAMES:
        (lab.foreign_shims / name).write_text(shims.render(name, foreign, sys.executable))
        (lab.foreign_shims / name).chmod(0o755)
    for name in ("python", "python3", "python3.11", "python3.12"):
        (lab.not_python / name).write_text("#!/bin/sh\nexit 3\n")
        (lab.not_python / name).chmod(0o755)
    return lab


# -- one world per group of scenarios ------------------------------------------------------


@dataclass
class Setup:
    world: World
    lab: Lab
    paths: Paths
    flavour: str  # "sh", "c" or "c-libc": which shim runs (PYRUN_SHIM)

    @property
    def tag(self) -> str:
        """What the shim calls itself under PYRUN_DEBUG: both builds of shim.c say c."""
        return "sh" if self.flavour == "sh" else "c"

    def add_shims(self, *names: str) -> None:
        """Shims for names PATH does not call for (rehash writes those of PATH)."""
        everything = os.pathsep.join(
            str(d) for d in [self.world.shims, *self.lab.path_dirs("311-first")]
        )
        wanted = shims.wanted_names(self.paths, everything)
        shims.rehash(self.paths, everything, names=[*wanted, *names])


# shim.c built over the C library (PYRUN_SHIM=c-libc, what a macOS port would start
# from) runs every case too when PYRUN_TEST_SHIM_LIBC=1: .ci/run asks for it in a step
# of its own, so the default suite does not grow by a third.
FLAVOURS = ["sh", "c", *(["c-libc"] if os.environ.get("PYRUN_TEST_SHIM_LIBC") == "1" else [])]
BUILT = {"sh": "shell: PYRUN_SHIM=sh", "c": compiled.KIND, "c-libc": compiled.LIBC_KIND}


@pytest.fixture(params=FLAVOURS)
def setup(
    world: World, lab: Lab, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Setup:
    flavour = request.param
    if flavour != "sh":
        need(compiled.compiler(), "a C compiler, to build the compiled shim")
    monkeypatch.setenv("PYRUN_SHIM", flavour)
    world.env["PYRUN_SHIM"] = flavour
    paths = Paths(data=world.data, config=world.home / ".config" / "pyrun")
    s = Setup(world, lab, paths, flavour)
    s.add_shims()  # python3.12 and pip3.12 shims too
    assert shims.built(paths) == BUILT[flavour]
    return s


@dataclass(frozen=True)
class Case:
    tree: str
    venv: str  # VIRTUAL_ENV: unset | valid | missing | relative | spelled | dotdot
    conda: str  # unset | named | named-spelled | base (CONDA_DEFAULT_ENV=base) | root (_CONDA_ROOT)
    name: str
    order: str
    installed: bool = False

    def __str__(self) -> str:
        where = f"{self.name} in {self.tree} venv={self.venv} conda={self.conda}"
        return f"{where} path={self.order}" + (" installed" if self.installed else "")


@dataclass(frozen=True)
class Situation:
    """Where and with what environment a shim and the resolver are asked."""

    label: str
    name: str
    cwd: Path  # the logical working directory (the process's cwd resolves it)
    env: dict[str, str | None]

    @property
    def kind(self) -> str:
        if self.name == SCRIPT:
            return "script"
        return "pip" if self.name.startswith("pip") else "python"


def situation(s: Setup, case: Case) -> Situation:
    lab = s.lab
    cwd = lab.cwd(case.tree)
    env: dict[str, str | None] = {
        "PATH": os.pathsep.join(str(d) for d in [s.world.shims, *lab.path_dirs(case.order)]),
        "PWD": str(cwd),
        "VIRTUAL_ENV": {
            "unset": None,
            "valid": str(lab.myenv),
            "missing": str(lab.root / "gone" / "venv"),
            "relative": os.path.relpath(lab.myenv, cwd.resolve()),
            # The same directory spelled with //, /./ and a trailing slash.
            "spelled": f"{lab.root}//upproj/./envs/myenv/",
            # A ".." after a symlinked directory: lexically logical/other (a 3.12 venv),
            # through the symlink upproj/a/other (a 3.11 one). CPython goes by the
            # spelling, so the resolver does, and so must the shim.
            "dotdot": f"{lab.root}/logical/work/../other",
        }[case.venv],
        "CONDA_PREFIX": None,
        "CONDA_DEFAULT_ENV": None,
        "_CONDA_ROOT": None,
    }
    if case.conda == "named":
        env.update(CONDA_PREFIX=str(lab.conda_named), CONDA_DEFAULT_ENV="sci")
    elif case.conda == "named-spelled":
        env.update(CONDA_PREFIX=f"{lab.conda_root}/envs/./sci//", CONDA_DEFAULT_ENV="sci")
    elif case.conda == "base":
        env.update(CONDA_PREFIX=str(lab.conda_root), CONDA_DEFAULT_ENV="base")
    elif case.conda == "root":
        env.update(CONDA_PREFIX=str(lab.conda_root), _CONDA_ROOT=str(lab.conda_root))
    if case.installed:
        env.update(UV_PYTHON_INSTALL_DIR=str(lab.uv_pythons), PYENV_ROOT=str(lab.pyenv_root))
    return Situation(str(case), case.name, cwd, env)


# -- asking both sides ---------------------------------------------------------------------


@dataclass
class Answer:
    """The resolver's: ``pyrun which NAME --json``."""

    code: int
    argv: list[str] | None
    warnings: list[str]
    error: str | None
    kind: str | None = None  # `source` and `label`: what the prompt must show
    label: str | None = None
    found_at: str | None = None  # where the base behind an isolated environment was found
    found_by: str | None = None  # and by which step
    shared_env: str | None = None  # a console script installed once: whose copy runs

    @property
    def healthy(self) -> bool:
        return self.code == 0 and not self.warnings


def ask_resolver(s: Setup, sit: Situation) -> Answer:
    done = s.world.pyrun("which", sit.name, "--json", cwd=sit.cwd, env=sit.env)
    said = pyrun_messages(done.stderr)
    if done.returncode != 0:
        assert said, f"{sit.label}: `pyrun which` failed without a message:\n{done.stderr}"
        assert not done.stdout, f"{sit.label}: `pyrun which` failed but printed {done.stdout!r}"
        return Answer(done.returncode, None, [], said[-1])
    found = json.loads(done.stdout)
    return Answer(
        0,
        found["argv"],
        said,
        None,
        found["source"],
        found["label"],
        found["found_at"],
        found["found_by"],
        found["shared_env"],
    )


SH_DECIDED = re.compile(
    r"pyrun\[(?:sh|c)\] (?P<name>\S+): "
    r"(?:VIRTUAL_ENV|CONDA_PREFIX|\.venv|PATH|isolated|passthrough|shared) -> "
    r"(?P<program>.*?)(?: \((?P<pip>shared pip|own pip, guarded)\))?"
)
# What the shim runs with the interpreter it names, by its debug line's suffix.
PIP_RUNNERS = {"shared pip": "pip", "own pip, guarded": "ownpip"}
SH_DEFERRED = re.compile(r"pyrun\[(?:sh|c)\] (?P<name>\S+): slow path: (?P<reason>.*)")
PY_EXEC = re.compile(r"pyrun\[py\] (?P<name>\S+): exec (?P<argv>\[.*\])")
# Why the shell may hand over, and what must then hold. Any other reason is a bug.
DEFERRALS = {
    # a base interpreter met for the first time: the slow path creates and records
    "record": re.compile(
        r"(?:PATH|conda base|installed) interpreter (?P<candidate>/.*) has no current record"
    ),
    "relative": re.compile(r"(?P<variable>VIRTUAL_ENV|CONDA_PREFIX) is a relative path"),
    # the resolver has an error or a warning to show
    "explain": re.compile(
        r"(?:VIRTUAL_ENV|CONDA_PREFIX|\.venv) environment /.* has no working interpreter"
        r"|VIRTUAL_ENV /.* is not a virtual environment \(no pyvenv\.cfg\)"
        r"|CONDA_PREFIX /.* is not a conda environment \(no conda-meta\)"
        # an activated environment that wins over a version file asking for another
        r"|(?:VIRTUAL_ENV|CONDA_PREFIX) /.* is not Python 3\.\d+, which the version file asks for"
    ),
    # a .venv or version file someone else controls (ownership.py), or a version file
    # that is no regular file or too large (version_file.py): the resolver warns, walks on
    "untrusted": re.compile(
        r"(?:\.venv|version file|PATH environment) /.* is not trusted"
        # a symlink a shim does not follow itself (`..` after a name, a link again)
        r"|(?:\.venv|version file|PATH environment) /.* is a symlink this shim does not follow"
        r"|version file /.* is no regular file of at most \d+ bytes"
        r"|\.venv redirect file /.* points where it is not trusted"
    ),
    # a .venv redirect file the shims leave to Python (redirect.py): odd text, a link
    # or a missing name on the way to its target, a .venv symlink to one
    "redirect": re.compile(
        r"\.venv redirect file /.* (?:needs the slow path to read"
        r"|leads where this shim does not follow)"
        r"|\.venv /.* is a symlink to a redirect file"
    ),
    # python run by a tool from pyrun's isolated environments (its parent exported
    # PYRUN_TOOL, its own pid): Python runs the base behind the environment (tool.py);
    # `pyrun which` does not model it (it is no tool's child)
    "tool": re.compile(r"python run by a tool gets the isolated environment's base"),
    # past PATH_MAX: Python walks such a working directory by descriptor (ancestors.py)
    "deep": re.compile(r"the working directory is longer than getcwd\(2\) reports"),
    # an environment's own pip, whose guarded runner (pipshare.py) the slow path makes
    "runner": re.compile(
        r"(?:VIRTUAL_ENV|CONDA_PREFIX|\.venv|PATH) environment /.* has its own pip but the "
        r"guarded runner is missing"
    ),
    # the resolver has an error to show
    "error": re.compile(
        r"\.venv /.* has no pyvenv\.cfg|conda base /.* has no interpreter|no interpreter found"
        r"|\.venv redirect file /.* names /.*, which has no pyvenv\.cfg"
        r"|PYRUN_PYTHON_VERSION_FILES is neither 0 nor 1"
        # a console script in neither the environment nor the rest of PATH
        r"|(?:VIRTUAL_ENV|CONDA_PREFIX|\.venv|PATH|isolated) environment /.* has no (?P<s1>\S+) "
        r"and no other (?P=s1) on PATH"
    ),
}


def always_slow(reason: str) -> bool:
    """Whether a healthy case may take the slow path every time: past PATH_MAX (SAFETY.md,
    known limits), or a redirect file the shims leave to Python."""
    return any(DEFERRALS[kind].fullmatch(reason) for kind in ("deep", "redirect"))


PIP_VERSION = re.compile(r"pip \S+ from (?P<location>.+) \(python (?P<minor>3\.\d+)\)")


@dataclass
class ShimRun:
    code: int
    stdout: str
    stderr: str
    decided: list[str] | None  # the argv the shell exec'd
    reason: str | None  # why it deferred
    slow_argv: list[str] | None  # what the slow path exec'd
    messages: list[str]


def run_shim(s: Setup, sit: Situation, parent: tuple[str, ...] = ()) -> ShimRun:
    """Run the shim as `sit` says, under the program `parent` when one is given."""
    args = PIP_ARGS if sit.kind == "pip" else () if sit.kind == "script" else PYTHON_ARGS
    done = s.world.run(
        [*parent, str(s.world.shims / sit.name), *args],
        cwd=sit.cwd,
        env={**sit.env, "PYRUN_DEBUG": "1"},
    )
    lines = done.stderr.splitlines()
    shell = [line for line in lines if line.startswith(f"pyrun[{s.tag}] {sit.name}: ")]
    assert shell, (
        f"{sit.label}: the {s.flavour} shim said nothing with PYRUN_DEBUG=1:\n{done.stderr}"
    )
    decided = reason = slow_argv = None
    if m := SH_DEFERRED.fullmatch(shell[-1]):
        reason = m["reason"]
        execs = [PY_EXEC.fullmatch(line) for line in lines]
        found = [ast.literal_eval(m["argv"]) for m in execs if m]
        slow_argv = found[-1] if found else None
    elif m := SH_DECIDED.fullmatch(shell[-1]):
        decided = [m["program"]]
        if m["pip"]:
            decided.append(str(s.paths.pip / "current" / PIP_RUNNERS[m["pip"]]))
    else:
        raise AssertionError(f"{sit.label}: unexpected last shim line {shell[-1]!r}")
    return ShimRun(
        done.returncode,
        done.stdout,
        done.stderr,
        decided,
        reason,
        slow_argv,
        pyrun_messages(done.stderr),
    )


def current_records(s: Setup) -> set[str]:
    """The interpreter paths whose record the shell may trust right now."""
    root = str(s.paths.by_path)
    found = set()
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            candidate = os.path.join(dirpath, name)[len(root) :]
            if records.read_valid(s.paths, candidate) is not None:
                found.add(candidate)
    return found


def interpreter_of(argv: list[str]) -> str:
    """The interpreter that argv runs: itself, or a script's shebang."""
    if len(argv) == 2 or not Path(argv[0]).name.startswith("pip"):
        return argv[0]
    first, *rest = Path(argv[0]).read_text().splitlines()
    if first.startswith("#!/bin/sh") and rest:  # the long-path trampoline
        return ast.literal_eval(rest[0].split()[1])
    return first[2:].strip()


def output_problems(s: Setup, sit: Situation, argv: list[str], run: ShimRun) -> list[str]:
    """Does what ran look like argv? python prints sys.executable; pip its location."""
    if run.code != 0:
        return [f"exited {run.code}, expected 0:\n{run.stderr}"]
    out = run.stdout.strip()
    if sit.kind == "script":
        # The probe prints its name, version and sys.prefix; a stand-in on PATH its path.
        env = os.path.dirname(os.path.dirname(argv[0]))
        wanted = argv[0] if Path(argv[0]).parent.name != "bin" else f"pyrun_probe 1.0 {env}"
        return [] if out == wanted else [f"ran {out!r}, expected {wanted!r}"]
    if sit.kind == "python":
        return [] if out == argv[0] else [f"ran {out}, expected {argv[0]}"]
    m = PIP_VERSION.fullmatch(out)
    if m is None:
        return [f"pip said {out!r}"]
    python = interpreter_of(argv)
    minor = re.search(r"python(3\.\d+)$", os.path.realpath(python))
    problems = []
    if minor is None or minor[1] != m["minor"]:
        problems.append(f"pip ran on Python {m['minor']}, but {argv} is {python}")
    location = os.path.realpath(m["location"])
    homes = (os.path.realpath(Path(python).parent.parent), os.path.realpath(s.paths.pip))
    if not any(location.startswith(home + os.sep) for home in homes):
        problems.append(f"pip came from {location}, not from {homes[0]} or the shared pip")
    return problems


def has_relative_prefix(sit: Situation) -> bool:
    """VIRTUAL_ENV or CONDA_PREFIX relative: always Python's to explain, never warm."""
    return any((sit.env.get(var) or "/")[0] != "/" for var in ("VIRTUAL_ENV", "CONDA_PREFIX"))


def answer_lines(stdout: str) -> dict[str, list[str]]:
    """The resolver's ``key=value`` lines, by key (only `warning` repeats)."""
    said: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        key, _, value = line.partition("=")
        said.setdefault(key, []).append(value)
    return said


def label_problems(s: Setup, sit: Situation, answer: Answer) -> list[str]:
    """The hooks' question, asked of the shim binary (``pyrun-resolve``) and of Python:
    the same lines from both, and the kind and label ``pyrun which python --json`` says."""
    binary = s.world.run(
        [str(s.world.shims / shims.RESOLVER)], cwd=sit.cwd, env={**sit.env, "PYRUN_DEBUG": "1"}
    )
    python = s.world.pyrun("_shim", shims.RESOLVER, "asked by the test", cwd=sit.cwd, env=sit.env)
    problems = []
    for who, done in (("the resolver binary", binary), ("Python's answer", python)):
        if done.returncode != 0 or "kind" not in answer_lines(done.stdout):
            problems.append(f"{who} exited {done.returncode}: {done.stdout!r} {done.stderr!r}")
    if problems:
        return problems
    fast, reference = answer_lines(binary.stdout), answer_lines(python.stdout)
    if fast != reference:
        problems.append(f"pyrun-resolve said {fast}, Python says {reference}")
    if answer.code == 0:
        want = {"kind": [answer.kind], "label": [answer.label]}
        got = {key: reference[key] for key in want}
        if got != want:
            problems.append(f"the hooks are told {got}, `pyrun which --json` says {want}")
    elif reference["kind"] == ["isolated"] or not reference["label"][0]:
        problems.append(f"`pyrun which` fails ({answer.error}), but the hooks are told {reference}")
    relative = has_relative_prefix(sit)
    slow = [
        line
        for line in binary.stderr.splitlines()
        if ": slow path: " in line and not always_slow(line.partition(": slow path: ")[2])
    ]
    if answer.healthy and not relative and slow:
        problems.append(f"pyrun-resolve took the slow path for a healthy case: {slow}")
    return problems


def check(s: Setup, sit: Situation, answer: Answer) -> list[str]:
    """Run the shim once (twice when healthy and first deferred) and list every
    disagreement; for `python`, then ask the hooks' question too (`label_problems`),
    once records exist."""
    before = current_records(s)
    run = run_shim(s, sit)
    problems = [f"{sit.label}: {p}" for p in agreement_problems(s, sit, answer, run, before)]
    if sit.name == "python":
        problems += [f"{sit.label}: {p}" for p in label_problems(s, sit, answer)]
    relative = has_relative_prefix(sit)
    if answer.healthy and not relative and not problems and run.decided is None:
        again = run_shim(s, sit)
        if again.reason and always_slow(again.reason):
            pass  # past PATH_MAX, or an odd redirect file: every call is the slow path's
        elif again.decided is None:
            problems.append(
                f"{sit.label}: warm-up: the second run still took the slow path "
                f"({again.reason}); the steady state must start no process but the target"
            )
        elif again.decided != answer.argv:
            problems.append(f"{sit.label}: warm: shell ran {again.decided}, resolver {answer.argv}")
        else:
            problems += [
                f"{sit.label}: warm: {p}" for p in output_problems(s, sit, answer.argv, again)
            ]
    return problems


def agreement_problems(
    s: Setup, sit: Situation, answer: Answer, run: ShimRun, before: set[str]
) -> list[str]:
    if run.decided is not None:
        if answer.error is not None:
            return [f"the shell ran {run.decided}; the resolver says: {answer.error}"]
        if answer.warnings:
            return [f"the shell ran {run.decided} silently; the resolver warns {answer.warnings}"]
        if run.decided != answer.argv:
            return [f"the shell ran {run.decided}; the resolver says {answer.argv}"]
        return output_problems(s, sit, answer.argv, run)
    problems = [
        f"deferred ({run.reason}) but {why}"
        for why in deferral_problems(s, sit, answer, run, before)
    ]
    # Whatever the reason, the slow path's final result must be the resolver's.
    if answer.error is not None:
        if (run.code, run.messages[-1:]) != (answer.code, [answer.error]):
            problems.append(
                f"the shim exited {run.code} saying {run.messages}; `pyrun which` exited "
                f"{answer.code} saying {answer.error!r}"
            )
        if run.stdout:
            problems.append(f"the shim failed but the program ran: {run.stdout!r}")
        return problems
    if run.slow_argv != answer.argv:
        problems.append(f"the slow path ran {run.slow_argv}; `pyrun which` says {answer.argv}")
    if run.messages != answer.warnings:
        problems.append(f"the shim warned {run.messages}; `pyrun which` warned {answer.warnings}")
    return problems + output_problems(s, sit, answer.argv, run)


def deferral_problems(
    s: Setup, sit: Situation, answer: Answer, run: ShimRun, before: set[str]
) -> list[str]:
    """Why the shell had no business deferring, if it had none."""
    reason = run.reason or ""
    kind, m = next(
        ((kind, m) for kind, pattern in DEFERRALS.items() if (m := pattern.fullmatch(reason))),
        (None, None),
    )
    if kind == "record":
        if os.path.normpath(m["candidate"]) in before:
            return ["a current record existed before the run"]
    elif kind == "relative":
        if (sit.env.get(m["variable"]) or "/").startswith("/"):
            return [f"{m['variable']}={sit.env.get(m['variable'])}"]
    elif kind == "runner":
        # `pyrun which` creates nothing: without the runner it names the pip script.
        script = answer.argv[0] if answer.argv and len(answer.argv) == 1 else ""
        if not Path(script).name.startswith("pip"):
            return [f"the runner was there: the resolver answers {answer.argv}"]
    elif kind == "redirect":
        pass  # Python's to read, healthy or not
    elif kind == "tool":
        return ["no tool started it (test_a_tools_python_is_the_base runs those)"]
    elif kind == "deep":
        if len(os.path.realpath(sit.cwd)) < 4096:
            return ["the working directory is shorter than PATH_MAX"]
    elif kind in ("explain", "untrusted"):
        if answer.healthy:
            return ["the resolver answers without an error or a warning"]
    elif kind == "error":
        if answer.error is None:
            return [f"the resolver answers {answer.argv}"]
    else:
        return ["that is not a reason to leave the fast path"]
    return []


def check_all(s: Setup, situations: list[Situation]) -> list[tuple[Situation, Answer, list[str]]]:
    # `pyrun which` creates nothing, so every question is asked up front, from a cold
    # world. Then the shims run, two at a time: racing on a cold start is something they
    # must survive anyway, and the checks hold whichever run creates a record first.
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda sit: ask_resolver(s, sit), situations))
        found = list(pool.map(lambda pair: check(s, *pair), zip(situations, answers)))
    return list(zip(situations, answers, found))


# -- the matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    tree: str
    venv: str = "unset"
    conda: str = "unset"
    order: str | None = None  # None: turn the PATH orders over the names
    installed: bool = False  # uv's and pyenv's directories of installed Pythons set
    few: bool = False  # three names, not all: every name gets the same one-line error


# Scenarios of one group share a world: a world costs about a second to set up, and its
# first shared-pip run another to compile pip.
GROUPS = {
    "path": [Scenario("none", order=order) for order in (*PATH_ORDERS, "empty")],
    "venv-walk": [Scenario(tree) for tree in ("cwd", "up1", "up3", "nested", "inside")],
    "links-and-uv": [Scenario(tree) for tree in ("symlink", "physical", "uv")],
    "redirect": [
        Scenario(tree, few=tree in BROKEN_TREES) for tree in TREES if tree.startswith("r-")
    ],
    "broken": [
        Scenario("nocfg"),
        Scenario("dangling"),
        Scenario("dangling", venv="valid"),
        Scenario("nocfg", venv="missing"),
        Scenario("dangling", conda="named"),
        Scenario("nocfg", conda="base"),
    ],
    "virtual-env": [
        Scenario("none", venv="valid"),
        Scenario("cwd", venv="valid"),
        Scenario("none", venv="missing"),
        Scenario("cwd", venv="missing"),
        Scenario("none", venv="relative"),
        Scenario("physical", venv="relative"),
        Scenario("none", venv="spelled"),
        Scenario("cwd", venv="dotdot"),
    ],
    "path-envs": [
        Scenario("none", order="venv-first"),
        Scenario("none", order="conda-env-first"),
        Scenario("none", order="conda-base-first"),
        Scenario("cwd", order="venv-first"),
        Scenario("none", conda="base", order="venv-first"),
    ],
    "conda": [
        Scenario("none", conda="named"),
        Scenario("cwd", conda="named"),
        Scenario("none", conda="named-spelled"),
        Scenario("none", conda="base"),
        Scenario("up1", conda="base"),
        Scenario("none", conda="root", order="only-312-dir"),
        Scenario("symlink", conda="root"),
    ],
    "both": [
        Scenario("cwd", venv="valid", conda="named"),
        Scenario("inside", venv="missing", conda="named"),
        Scenario("uv", venv="missing", conda="base"),
        Scenario("up3", venv="relative", conda="root"),
    ],
    # An activated environment (3.12) against a version file asking for 3.11.
    # PATH without the version asked for: uv's installed Pythons, then pyenv's.
    "installed": [
        Scenario("none", order="empty", installed=True),
        Scenario("pinned", order="empty", installed=True),
        Scenario("cwd", order="empty", installed=True),
    ],
    "pin-vs-activation": [
        Scenario("pinned"),
        Scenario("pinned", venv="valid"),
        Scenario("pinned", conda="named"),
        Scenario("pinned", venv="valid", conda="named"),
    ],
}


def cases_of(index: int, scenario: Scenario, rest: bool = False) -> list[Case]:
    """Two names per scenario, a python and a pip; with `rest`, the stress set's: every
    other name of a scenario that sets no variable, a third one of each other scenario.

    The PATH order and the choice of names turn with the index, so that over the matrix
    every name meets every order and every kind of scenario.
    """
    pythons, pips = NAMES[:4], NAMES[4:]
    sampled = [pythons[index % len(pythons)], pips[index % len(pips)]]
    alone = (scenario.venv, scenario.conda) == ("unset", "unset") and not scenario.few
    third = [name for name in NAMES if name not in sampled][index % (len(NAMES) - 2)]
    others = [name for name in NAMES if name not in sampled] if alone else [third]
    names = others if rest else sampled
    return [
        Case(
            scenario.tree,
            scenario.venv,
            scenario.conda,
            name,
            scenario.order or PATH_ORDERS[(index + NAMES.index(name)) % len(PATH_ORDERS)],
            scenario.installed,
        )
        for name in names
    ]


def group_cases(group: str, rest: bool = False) -> list[Case]:
    start = 0
    for name, scenarios in GROUPS.items():
        if name == group:
            break
        start += len(scenarios)
    return [
        case
        for index, scenario in enumerate(GROUPS[group], start)
        for case in cases_of(index, scenario, rest)
    ]


@pytest.mark.parametrize("group", list(GROUPS))
def test_shell_and_resolver_agree(setup: Setup, group: str) -> None:
    agree(setup, group_cases(group))


@pytest.mark.stress
@pytest.mark.parametrize("group", [group for group in GROUPS if group_cases(group, rest=True)])
def test_shell_and_resolver_agree_on_every_other_name(setup: Setup, group: str) -> None:
    """The names the default run leaves out of a scenario that sets no variable."""
    agree(setup, group_cases(group, rest=True))


def agree(setup: Setup, cases: list[Case]) -> None:
    """Every copy of the walk gives each case the resolver's answer (`check`); what a
    broken .venv, a pin against an activation and installed Pythons must give."""
    results = check_all(setup, [situation(setup, case) for case in cases])
    problems = [p for _case, _answer, found in results for p in found]
    assert not problems, "\n".join(problems)
    # Nothing answers before a broken .venv here: every name must get the error.
    for case, (_sit, answer, _found) in zip(cases, results):
        if case.tree in BROKEN_TREES and case.venv != "valid" and case.conda != "named":
            assert answer.error, f"{case}: a broken .venv must be an error, got {answer}"
        if case.tree == "pinned" and not re.search(r"3\.\d+$", case.name):
            assert_activation_beats_pin(setup, case, answer)
        if case.installed:
            assert_installed_python(setup, case, answer)


def assert_installed_python(s: Setup, case: Case, answer: Answer) -> None:
    """With nothing on PATH, the newest 3.12 uv installed and pyenv's 3.11, and no
    decoy (an older release, uv's minor-version link, a free-threaded build, `3.11.07`)."""
    uv312 = s.lab.uv_pythons / "cpython-3.12.1-linux-x86_64-gnu" / "bin" / "python3.12"
    pyenv311 = s.lab.pyenv_root / "versions" / "3.11.7" / "bin" / "python3.11"
    asked = re.search(r"3\.\d+$", case.name)
    minor = asked[0] if asked else "3.11" if case.tree == "pinned" else None
    if case.tree == "cwd" and minor in (None, "3.11"):  # its .venv is 3.11
        assert answer.kind == ".venv", f"{case}: {answer}"
        return
    want = pyenv311 if minor == "3.11" else uv312
    assert (answer.found_by, answer.found_at) == ("installed", str(want)), f"{case}: {answer}"


def assert_activation_beats_pin(s: Setup, case: Case, answer: Answer) -> None:
    """An unversioned name against pinproj's 3.11: an activated 3.12 environment runs,
    with one line saying so; with none, the pin's isolated environment runs silently."""
    assert answer.code == 0 and answer.argv, f"{case}: {answer}"
    if case.venv == "valid":
        variable, activated, undo = "VIRTUAL_ENV", s.lab.myenv, "deactivate"
    elif case.conda == "named":
        variable, activated, undo = "CONDA_PREFIX", s.lab.conda_named, "conda deactivate"
    else:
        assert answer.kind == "isolated" and not answer.warnings, f"{case}: {answer}"
        return
    assert answer.argv[0].startswith(f"{activated}/bin/"), f"{case}: {answer}"
    assert answer.kind == variable, f"{case}: {answer}"
    pin = s.lab.root / "pinproj" / ".python-version"
    assert answer.warnings == [
        f"pyrun: {variable}={activated} is not Python 3.11, which {pin} asks for: "
        f"the activated environment runs; `{undo}` to follow the file"
    ], f"{case}: {answer}"


def test_common_redirect_files_are_decided_by_the_shims(setup: Setup) -> None:
    # Relative or absolute text, \n or \r\n or nothing after it: the fast path's own,
    # python, pip and the hooks' label alike (the odd cases may go to Python).
    for tree, name in itertools.product(("r-rel", "r-abs", "r-crlf"), ("python", "pip")):
        sit = situation(setup, Case(tree, "unset", "unset", name, "311-first"))
        answer = ask_resolver(setup, sit)
        assert answer.healthy and answer.kind == ".venv", (tree, answer)
        run_shim(setup, sit)  # the shared pip's runner is made on the first run
        again = run_shim(setup, sit)
        assert again.decided == answer.argv, (tree, name, again.reason)
    for tree in ("r-rel", "r-abs", "r-crlf"):
        sit = situation(setup, Case(tree, "unset", "unset", "python", "311-first"))
        done = setup.world.run(
            [str(setup.world.shims / shims.RESOLVER)],
            cwd=sit.cwd,
            env={**sit.env, "PYRUN_DEBUG": "1"},
        )
        assert "slow path" not in done.stderr, (tree, done.stderr)
        want = "cwdproj" if tree == "r-abs" else "myenv"
        assert f"label={want}" in done.stdout.splitlines(), (tree, done.stdout)
        # `pyrun why` names the file and where it leads.
        why = setup.world.pyrun("why", cwd=sit.cwd, env=sit.env)
        dot = sit.cwd.parent / ".venv"
        env = setup.lab.root / "cwdproj" / ".venv" if tree == "r-abs" else setup.lab.myenv
        assert f"found: {env} (named by the .venv redirect file {dot})" in why.stdout, why


def test_odd_redirect_files_never_hang(setup: Setup) -> None:
    """A FIFO called .venv is no .venv (the walk goes on to the one above); a 1 TB sparse
    file, one over MAX_BYTES, a NUL byte, text that is not UTF-8, a second line: one
    line naming the file, in the resolver and both shims, never a hang or a traceback.
    A file of exactly MAX_BYTES is read."""
    s, root = setup, setup.world.root / "odd-redirects"
    above = handmade_venv(root / ".venv", s.lab.bases["3.12"])
    myenv = str(s.lab.myenv)
    texts: dict[str, bytes | None] = {
        "fifo": None,
        "sparse": None,
        "large": (myenv + "/" * redirect.MAX_BYTES).encode(),
        "exact": (myenv + "/" * (redirect.MAX_BYTES - len(myenv) - 1) + "\n").encode(),
        "nul": myenv.encode() + b"\0\n",
        "latin-1": myenv.encode() + b"\xe9\n",
        "two-lines": (myenv + "\n" + myenv + "\n").encode(),
    }
    situations = []
    for label, text in texts.items():
        work = root / label / "w"
        work.mkdir(parents=True)
        dot = root / label / ".venv"
        if label == "fifo":
            os.mkfifo(dot)
        elif label == "sparse":
            with open(dot, "wb") as handle:
                handle.truncate(1 << 40)  # `truncate -s 1T`: no disk used
        else:
            assert text is not None
            dot.write_bytes(text)
        env = {
            "PATH": os.pathsep.join(str(d) for d in [s.world.shims, *s.lab.path_dirs("311-first")]),
            "PWD": str(work),
        }
        situations.append(Situation(f"{label} [{s.flavour}]", "python", work, env))
    assert (root / "exact" / ".venv").stat().st_size == redirect.MAX_BYTES
    results = check_all(s, situations)
    problems = [p for _sit, _answer, found in results for p in found]
    assert not problems, "\n".join(problems)
    for sit, answer, _found in results:
        dot = sit.cwd.parent / ".venv"
        if sit.label.startswith(("fifo", "exact")):
            want = above if sit.label.startswith("fifo") else s.lab.myenv
            assert answer.argv == [str(want / "bin" / "python")], (sit.label, answer)
            continue
        assert answer.error is not None and "\n" not in answer.error, (sit.label, answer)
        assert answer.error.startswith(f"pyrun: {dot} is a .venv redirect file "), answer.error


# -- random trees and environments ---------------------------------------------------------

LEVEL_KINDS = (
    "nothing",
    "nothing",
    "venv-3.11",  # a .venv made by hand (no pip)
    "venv-3.12",
    "venv-bare",  # a hand-made .venv with bin/python only
    "link-pip-3.11",  # .venv -> a real venv with pip
    "link-pip-3.12",
    "nocfg",
    "dangling",
    "redirect-3.12",  # a .venv file naming an environment (relative), redirect.py
    "redirect-crlf-3.11",  # absolute, CRLF
    "redirect-empty",  # an error
    "redirect-missing",  # names nothing: an error
    "link-nowhere",
    "inside",  # this directory is itself a venv (pyvenv.cfg) that the walk goes through
    # ownership.py: not used unless trusted ...
    "foreign-3.11",  # a .venv owned by another user
    "groupw-3.12",  # a .venv its group can write to (a group /etc/group does not know)
    "holder-ow",  # a .venv in a directory others can write to
    "redirect-foreign",  # a redirect file owned by another user
    "redirect-to-ow",  # a redirect to an environment in a directory others can write to
    # ... and used
    "sticky-3.12",  # a .venv in a world-writable directory with the sticky bit (/tmp)
    # Group-writable by root's own group (the tests run as root): used where that group
    # is private to root (ownership.private_group; Debian's, Fedora's /etc/group).
    "groupw-private-3.12",  # the .venv
    "holder-gw",  # the directory holding it
)
TRUST_KINDS = ("unset", "unset", "all", "below-top", "bad-entries")
# A version file (version_file.py): where it is, what it asks for, and the switch.
PIN_KINDS = (
    "none",
    "none",
    "none",
    "3.12@cwd",
    "3.11@top",
    "3.12-versions@top",  # .python-versions
    "3.13@cwd",  # a version nothing here has
    "junk-then-3.12@cwd",  # a comment, `system`, CRLF, padding, then 3.12.1
    "3@cwd",  # any Python 3
    "3.12@global",  # uv's user config directory
    "3.12@cwd-off",  # PYRUN_PYTHON_VERSION_FILES=0
    "3.12@cwd-bad",  # PYRUN_PYTHON_VERSION_FILES=yes: an error
)
OTHER_UID = 65534  # nobody: "another user"
NO_GROUP = 4242  # a gid /etc/group does not have: its members cannot be told


VENV_KINDS = (
    "unset",
    "unset",
    "empty",
    "valid",
    "valid/",
    "spelled",
    "dotdot",
    "missing",
    "relative",
    "broken",
    "plain",  # a directory that is no environment
)
CONDA_KINDS = (
    "unset",
    "unset",
    "named",
    "named-missing",
    "pixi",  # a pixi environment is never conda's base
    "base",
    "base-empty",
    "root",
    "root/",
)
PATH_ENTRIES = (
    "b311",
    "b312/",
    "only312",
    "relative",
    "empty",
    "shims-link",
    "foreign-shims",
    "not-python",
    "venv-bin",  # a venv's bin/ (3.12, with pip): that venv, used as is
    "conda-bin",  # a named conda environment's bin/ (3.12): that environment
    "conda-base-bin",  # conda's base install's bin/ (3.11): a base interpreter
    "venv-bin-link",  # a symlink to that venv's bin/: a base to CPython, and to pyrun
)


@dataclass(frozen=True)
class Spec:
    levels: tuple[str, ...]  # what each directory from the top down to the cwd holds
    through_link: bool  # whether the cwd is reached through a symlinked directory
    venv: str
    conda: str
    path: tuple[str, ...]
    name: str
    trust: str = "unset"  # PYRUN_TRUST
    pin: str = "none"  # PIN_KINDS


SPECS = st.builds(
    Spec,
    levels=st.lists(st.sampled_from(LEVEL_KINDS), min_size=1, max_size=4).map(tuple),
    through_link=st.booleans(),
    venv=st.sampled_from(VENV_KINDS),
    conda=st.sampled_from(CONDA_KINDS),
    path=st.lists(st.sampled_from(PATH_ENTRIES), max_size=4, unique=True).map(tuple),
    name=st.sampled_from((*NAMES, "pip3.11", "python3.13")),
    trust=st.sampled_from(TRUST_KINDS),
    pin=st.sampled_from(PIN_KINDS),
)


def place_pin(top: Path, cwd: Path, kind: str) -> dict[str, str | None]:
    """Write the version file `kind` says; return the variables it needs."""
    if kind == "none":
        return {}
    asks, _, where = kind.partition("@")
    text = {
        "junk-then-3.12": "# pinned\r\nsystem\r\n\r\n  3.12.1 \r\n",
        "3.12-versions": "3.12\n",
    }.get(asks, asks + "\n")
    name = ".python-versions" if asks.endswith("-versions") else ".python-version"
    directory = {"cwd": cwd, "top": top, "global": top / "xdg" / "uv"}[where.split("-")[0]]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, newline="")
    variables: dict[str, str | None] = {}
    if where == "global":
        variables["XDG_CONFIG_HOME"] = str(top / "xdg")
    if where.endswith("-off"):
        variables["PYRUN_PYTHON_VERSION_FILES"] = "0"
    if where.endswith("-bad"):
        variables["PYRUN_PYTHON_VERSION_FILES"] = "yes"
    return variables


def build_level(lab: Lab, top: Path, directory: Path, kind: str) -> None:
    dot = directory / ".venv"
    base = lab.bases["3.12" if kind.endswith("3.12") else "3.11"]
    if kind == "venv-bare":
        handmade_venv(dot, base)
        for name in ("python3", f"python{base.minor}"):
            (dot / "bin" / name).unlink()
    elif kind.startswith("venv-"):
        handmade_venv(dot, base)
    elif kind.startswith("link-pip-"):
        dot.symlink_to(lab.myenv if base.minor == "3.12" else lab.root / "cwdproj" / ".venv")
    elif kind == "nocfg":
        (dot / "bin").mkdir(parents=True)
    elif kind == "dangling":
        dangling_venv(dot)
    elif kind == "redirect-3.12":
        dot.write_text(os.path.relpath(lab.myenv, directory) + "\n")
    elif kind == "redirect-crlf-3.11":
        dot.write_text(f"{lab.root}/cwdproj/.venv\r\n", newline="")
    elif kind == "redirect-empty":
        dot.write_text("")
    elif kind == "redirect-missing":
        dot.write_text(f"{top}/nowhere")
    elif kind == "redirect-foreign":
        dot.write_text(str(lab.myenv))
        os.chown(dot, OTHER_UID, OTHER_UID)
    elif kind == "redirect-to-ow":
        open_dir = directory / "open"
        handmade_venv(open_dir / "env", lab.bases["3.12"])
        open_dir.chmod(0o757)
        dot.write_text("open/env\n")
    elif kind == "link-nowhere":
        dot.symlink_to(top / "nowhere")
    elif kind == "inside":
        (directory / "pyvenv.cfg").write_text(f"home = {base.bin}\n")
        link_interpreter(directory / "bin", base, "python", "python3", f"python{base.minor}")
    elif kind == "foreign-3.11":
        os.chown(handmade_venv(dot, base), OTHER_UID, OTHER_UID)
    elif kind == "groupw-3.12":
        handmade_venv(dot, base).chmod(0o775)
        os.chown(dot, 0, NO_GROUP)
    elif kind == "groupw-private-3.12":
        handmade_venv(dot, base).chmod(0o775)
        os.chown(dot, 0, 0)
    elif kind == "holder-gw":
        handmade_venv(dot, base)
        directory.chmod(0o775)
        os.chown(directory, 0, 0)
    elif kind == "holder-ow":
        handmade_venv(dot, base)
        directory.chmod(0o757)
    elif kind == "sticky-3.12":
        handmade_venv(dot, base)
        directory.chmod(0o1777)


def conda_variables(lab: Lab, top: Path, kind: str) -> dict[str, str | None]:
    if kind in ("named", "named-missing"):
        prefix = lab.conda_named if kind == "named" else top / "envs" / "gone"
        return {"CONDA_PREFIX": str(prefix), "CONDA_DEFAULT_ENV": prefix.name}
    if kind == "pixi":
        prefix = top / "pixi-env"
        link_interpreter(prefix / "bin", lab.bases["3.12"], "python3", "python3.12")
        (prefix / "conda-meta").mkdir()
        (prefix / "conda-meta" / "pixi").write_text("")
        return {"CONDA_PREFIX": str(prefix), "CONDA_DEFAULT_ENV": "base"}
    if kind == "base":
        return {"CONDA_PREFIX": str(lab.conda_root), "CONDA_DEFAULT_ENV": "base"}
    if kind == "base-empty":  # conda's base without an interpreter
        (top / "conda" / "bin").mkdir(parents=True)
        return {"CONDA_PREFIX": str(top / "conda"), "CONDA_DEFAULT_ENV": "base"}
    if kind == "root":
        return {"CONDA_PREFIX": str(lab.conda_root), "_CONDA_ROOT": str(lab.conda_root)}
    if kind == "root/":
        return {"CONDA_PREFIX": f"{lab.conda_root}/", "_CONDA_ROOT": f"{lab.conda_root}//"}
    return {}


def build_random(s: Setup, number: int, spec: Spec) -> Situation:
    lab, world = s.lab, s.world
    top = world.root / "random" / str(number)
    directory = top / "t"
    for depth, kind in enumerate(spec.levels):
        directory = directory / f"d{depth}"
        directory.mkdir(parents=True)
        build_level(lab, top, directory, kind)
    cwd = directory
    if spec.through_link:
        # Reach the tree through a symlinked directory whose logical parent has a .venv.
        handmade_venv(top / "alias" / ".venv", lab.bases["3.12"])
        (top / "alias" / "work").symlink_to(directory)
        cwd = top / "alias" / "work"
    (top / "shims-link").symlink_to(world.shims)
    (top / "venv-bin-link").symlink_to(lab.myenv / "bin")
    entries = {
        "b311": str(lab.bases["3.11"].bin),
        "b312/": f"{lab.bases['3.12'].bin}/",
        "only312": str(lab.only312),
        "relative": "bin",
        "empty": "",
        "shims-link": str(top / "shims-link"),
        "foreign-shims": str(lab.foreign_shims),
        "not-python": str(lab.not_python),
        "venv-bin": str(lab.myenv / "bin"),
        "conda-bin": str(lab.conda_named / "bin"),
        "conda-base-bin": str(lab.conda_root / "bin"),
        "venv-bin-link": str(top / "venv-bin-link"),
    }
    venv = {
        "unset": None,
        "empty": "",
        "valid": str(lab.myenv),
        "valid/": f"{lab.myenv}/",
        "spelled": f"{lab.root}/./upproj//envs/myenv//",
        "dotdot": f"{lab.root}/logical/work/../other/",
        "missing": str(top / "gone"),
        "relative": os.path.relpath(lab.root / "cwdproj" / ".venv", directory),
        "broken": str(lab.root / "dangling" / ".venv"),
        "plain": str(lab.root / "plain"),
    }[spec.venv]
    env: dict[str, str | None] = {
        "PATH": os.pathsep.join([str(world.shims), *(entries[e] for e in spec.path)]),
        "PWD": str(cwd),
        "VIRTUAL_ENV": venv,
        "CONDA_PREFIX": None,
        "CONDA_DEFAULT_ENV": None,
        "_CONDA_ROOT": None,
        "PYRUN_TRUST": {
            "unset": None,
            "all": "*",
            "below-top": f"{top}/*",
            "bad-entries": f"relative/dir::{top}/t/d0//:{top}/t/d0/d1/.venv/",
        }[spec.trust],
        **conda_variables(lab, top, spec.conda),
        **place_pin(top, directory, spec.pin),
    }
    return Situation(f"random #{number} {spec}", spec.name, cwd, env)


def random_trees_agree(setup: Setup, examples: int) -> None:
    setup.add_shims("python3.13")  # a version that nothing here has
    numbers = itertools.count()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(spec=SPECS)
    def agree(spec: Spec) -> None:
        sit = build_random(setup, next(numbers), spec)
        problems = check(setup, sit, ask_resolver(setup, sit))
        assert not problems, "\n".join(problems)

    agree()


def test_random_trees_and_environments_agree(setup: Setup) -> None:
    random_trees_agree(setup, 20)


@pytest.mark.stress
def test_many_random_trees_and_environments_agree(setup: Setup) -> None:
    random_trees_agree(setup, 200)


def test_a_replaced_interpreter_is_noticed(setup: Setup) -> None:
    # A record holds only while the interpreter is the file it was made from: when the
    # python3 on PATH becomes another Python, the shell must not run the old environment.
    swap = setup.world.root / "swap"
    swap.mkdir()
    env: dict[str, str | None] = {
        "PATH": os.pathsep.join([str(setup.world.shims), str(swap)]),
        "PWD": str(setup.lab.cwd("none")),
    }
    for minor in ("3.11", "3.12"):
        (swap / "python3").unlink(missing_ok=True)
        (swap / "python3").symlink_to(setup.lab.bases[minor].python)
        for name in ("python3", "pip3"):
            sit = Situation(f"{name} on PATH as Python {minor}", name, setup.lab.cwd("none"), env)
            answer = ask_resolver(setup, sit)
            assert answer.argv and f"-{minor}-" in answer.argv[0], answer
            problems = check(setup, sit, answer)
            assert not problems, "\n".join(problems)


def test_console_scripts_agree(setup: Setup) -> None:
    """A console script shim walks python's order and runs the environment's own copy,
    else the copy installed once in pyrun's isolated environments (the newest Python's;
    shared_tools.py), else the next one on PATH, else fails as the resolver does
    (request.py, kind script)."""
    world, lab = setup.world, setup.lab
    fake = world.root / "fake-bin"
    fake.mkdir()
    (fake / SCRIPT).write_text('#!/bin/sh\necho "$0"\n')
    (fake / SCRIPT).chmod(0o755)

    def ask_all(cases: list[tuple[str, str, str, list[Path]]]) -> list[Answer]:
        situations = []
        for tree, venv, order, extra in cases:
            sit = situation(setup, Case(tree, venv, "unset", SCRIPT, order))
            path = [world.shims, *lab.path_dirs(order), *extra]
            sit.env["PATH"] = os.pathsep.join(str(d) for d in path)
            situations.append(Situation(f"{sit.label} +{len(extra)}", SCRIPT, sit.cwd, sit.env))
        results = check_all(setup, situations)
        problems = [p for _sit, _answer, found in results for p in found]
        assert not problems, "\n".join(problems)
        return [answer for _sit, answer, _found in results]

    # Before any isolated environment has it (a project's venv elsewhere has, so that
    # its shim exists): the next one on PATH, else 127.
    b311 = os.pathsep.join(str(d) for d in [world.shims, *lab.path_dirs("311-first")])

    def install(pip: str, cwd: Path) -> None:
        done = world.run(
            [str(world.shims / pip), "install", "pyrun_probe"], cwd=cwd, env={"PATH": b311}
        )
        assert done.returncode == 0, done.stderr

    elsewhere = world.root / "has-probe"
    world.venv(elsewhere / ".venv")
    install("pip", elsewhere)
    assert (world.shims / SCRIPT).is_file(), "the pip guard made the script's shim"
    before = ask_all(
        [
            ("none", "unset", "312-first", [fake]),
            ("none", "unset", "312-first", []),
            ("cwd", "unset", "311-first", [fake]),  # a project .venv without it
            ("cwd", "unset", "311-first", []),
            ("dangling", "unset", "311-first", [fake]),  # python's error, not a fall-through
        ]
    )
    assert before[0].argv == [str(fake / SCRIPT)] and before[2].argv == [str(fake / SCRIPT)]
    assert before[1].code == 127 and before[3].code == 127
    assert before[4].error and "broken" in before[4].error

    install("pip", lab.cwd("none"))
    [installed] = world.envs.glob(f"*-3.11-*/bin/{SCRIPT}")
    # Decoys a copy must not take: an environment not complete, one not named as pyrun
    # names them, each with a newer Python and the script.
    for decoy in ("cpython-3.99-0123456789ab", "cpython-3.98-0123456789AB", "cpython-3.97-x"):
        (world.envs / decoy / "bin").mkdir(parents=True)
        (world.envs / decoy / "bin" / SCRIPT).write_text('#!/bin/sh\necho "$0"\n')
        (world.envs / decoy / "bin" / SCRIPT).chmod(0o755)
        if decoy != "cpython-3.99-0123456789ab":
            (world.envs / decoy / ".pyrun-complete").write_text("{}")
    shared = [str(installed)]
    after = ask_all(
        [
            ("none", "unset", "311-first", []),  # the isolated 3.11 environment's own
            ("none", "unset", "312-first", [fake]),  # the 3.12 one lacks it: installed once
            ("cwd", "unset", "311-first", [fake]),  # a project .venv without it
            ("none", "valid", "311-first", [fake]),  # an activated one without it
            ("dangling", "unset", "311-first", [fake]),  # python's error still
            ("none", "missing", "311-first", []),  # python's warning, then isolated
        ]
    )
    assert after[0].argv == shared and after[0].shared_env is None
    for answer in (after[1], after[2], after[3]):
        assert answer.argv == shared and answer.shared_env == str(installed.parent.parent)
    assert after[4].error and "broken" in after[4].error
    # Installed in the 3.12 environment too: the newest Python's copy runs where the
    # environment in use has none.
    install("pip3.12", lab.cwd("none"))
    [newer] = world.envs.glob(f"*-3.12-*/bin/{SCRIPT}")
    again = ask_all([("cwd", "unset", "311-first", [fake]), ("none", "unset", "311-first", [])])
    assert again[0].argv == [str(newer)] and again[1].argv == shared


def test_own_pip_without_its_runner_is_made_by_the_slow_path(setup: Setup) -> None:
    """A project's own pip runs under the guard's runner (pipshare.py); where that is
    missing (a pip copy from an older pyrun) the shim defers, the slow path makes it and
    runs pip through it, and from then on the shim decides alone."""
    runner = setup.paths.pip / "current" / "ownpip"
    sit = situation(setup, Case("cwd", "unset", "unset", "pip", "311-first"))
    venv = setup.lab.root / "cwdproj" / ".venv"
    guarded = [str(venv / "bin" / "python3"), str(runner)]
    assert ask_resolver(setup, sit).argv == guarded
    shutil.rmtree(runner)
    answer = ask_resolver(setup, sit)
    assert answer.argv == [str(venv / "bin" / "pip")], "which creates nothing"
    run = run_shim(setup, sit)
    assert DEFERRALS["runner"].fullmatch(run.reason or ""), run.stderr
    assert not deferral_problems(setup, sit, answer, run, set())
    assert run.slow_argv == guarded
    assert not output_problems(setup, sit, guarded, run)
    assert (runner / "__main__.py").is_file()
    again = run_shim(setup, sit)
    assert again.decided == guarded == ask_resolver(setup, sit).argv
    assert not output_problems(setup, sit, guarded, again)


def tool(pid: str = "$$") -> tuple[str, ...]:
    """A parent process that exports ``PYRUN_TOOL=<pid>`` (its own pid by default), as
    a script shim does for a console script from pyrun's isolated environments, then
    runs its arguments as a child (``; exit`` keeps sh from exec'ing them)."""
    return ("/bin/sh", "-c", f'PYRUN_TOOL={pid}; export PYRUN_TOOL; "$@"; exit $?', "tool")


def test_a_tools_python_is_the_base(setup: Setup) -> None:
    """A python shim whose parent is the tool that exported PYRUN_TOOL, and whose walk
    lands on an isolated environment, hands over; the slow path runs the base behind
    it (tool.py). Not for another parent, not for pip, not where a project's
    environment is python."""
    base = setup.lab.bases["3.11"]
    plain = situation(setup, Case("none", "unset", "unset", "python", "311-first"))
    answer = ask_resolver(setup, plain)
    assert not check(setup, plain, answer), "the isolated environment is made and warm"
    child = run_shim(setup, plain, tool())
    assert DEFERRALS["tool"].fullmatch(child.reason or ""), child.stderr
    assert child.slow_argv and os.path.samefile(child.slow_argv[0], base.python)
    assert child.code == 0 and child.stdout.strip() == child.slow_argv[0], child.stderr
    # Every option the tool gave (findpython's -I, virtualenv's -S), the base's prefix,
    # and the environment's install guard loaded.
    probe = "import sys; print(sys.prefix == sys.base_prefix, '_pyrun_guard_hook' in sys.modules)"
    for options in (["-I"], ["-S"], ["-EsS"]):
        done = setup.world.run(
            [*tool(), str(setup.world.shims / "python"), *options, "-c", probe],
            cwd=plain.cwd,
            env=plain.env,
        )
        assert done.stdout == "True True\n", (options, done.stderr)
    # Another parent with PYRUN_TOOL set (a grandchild of the tool), a pip, a project's
    # environment: the fast path, as the resolver says.
    project = situation(setup, Case("cwd", "unset", "unset", "python", "311-first"))
    pip = situation(setup, Case("none", "unset", "unset", "pip", "311-first"))
    for sit, parent in ((plain, tool("1")), (pip, tool()), (project, tool())):
        wanted = ask_resolver(setup, sit).argv
        ran = run_shim(setup, sit, parent)
        assert ran.decided == wanted, f"{sit.label}: {ran.stderr}"
        assert not output_problems(setup, sit, wanted, ran), ran.stderr


def test_a_tool_is_told_it_is_one(setup: Setup) -> None:
    """A console script from pyrun's isolated environments gets ``PYRUN_TOOL``, its own
    pid, and ``PYRUN_TOOL_PROJECT``, the environment in use when that lacks it; any
    other console script gets neither, whatever it inherited (tool.py). The same from
    the shim and from the slow path (VIRTUAL_ENV gone: the resolver's warning)."""
    world, lab = setup.world, setup.lab
    name = "pyrun-tool-probe"
    said = '#!/bin/sh\necho "$$ ${PYRUN_TOOL-unset} ${PYRUN_TOOL_PROJECT-unset}"\n'
    plain = situation(setup, Case("none", "unset", "unset", "python", "311-first"))
    env = Path(ask_resolver(setup, plain).argv[0]).parent.parent
    world.run([str(world.shims / "python"), "-c", ""], cwd=plain.cwd, env=plain.env, check=True)
    own = world.venv(world.root / "own" / ".venv")
    for where in (env, own):
        (where / "bin" / name).write_text(said)
        (where / "bin" / name).chmod(0o755)
    setup.add_shims()
    project = str(lab.root / "cwdproj" / ".venv")
    stale = {"PYRUN_TOOL": "1", "PYRUN_TOOL_PROJECT": "/stale"}
    for tree, venv, cwd, wanted in (
        ("none", "unset", None, "unset"),
        ("cwd", "unset", None, project),
        ("none", "missing", None, "unset"),
        ("cwd", "missing", None, project),
        ("none", "unset", own.parent, None),  # the project's own copy: no tool
    ):
        sit = situation(setup, Case(tree, venv, "unset", "python", "311-first"))
        done = world.run(
            [str(world.shims / name)],
            cwd=cwd or sit.cwd,
            env={**sit.env, **stale, "PWD": str(cwd or sit.cwd), "PYRUN_DEBUG": "1"},
        )
        pid, tool_pid, tool_project = done.stdout.split()
        label = f"{tree} venv={venv}{' own' if cwd else ''}: {done.stderr}"
        slow = any(": slow path: " in line for line in done.stderr.splitlines())
        assert slow == (venv == "missing"), label
        if wanted is None:
            assert (tool_pid, tool_project) == ("unset", "unset"), label
        else:
            assert (tool_pid, tool_project) == (pid, wanted), label
