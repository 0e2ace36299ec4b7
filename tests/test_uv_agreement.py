"""pyrun's discovery against uv's, the reference, on generated trees and environments.

Every case is one working directory (a generated tree), one VIRTUAL_ENV, one conda
activation, one PATH and one request. uv answers it with ``uv python find [3.X]``
(python requests) or ``uv pip install --dry-run [--python 3.X]`` (pip requests), pyrun
with ``pyrun which NAME --json``, and the two must agree:

* uv finds an environment (VIRTUAL_ENV, a named CONDA_PREFIX, the nearest .venv, or
  the venv the working directory is inside of): pyrun names the same environment
  directory (both resolved), with the matching ``source``.
* uv finds a base interpreter (conda base or PATH): pyrun's ``base`` is the same file
  (both resolved) and its source is ``isolated``.

The deliberate differences (DESIGN.md, and the docstring of src/pyrun/discovery.py):

* A base interpreter runs as its isolated environment (above).
* pip without a virtual environment: uv fails with "No virtual environment found",
  pyrun installs into the isolated environment of the interpreter that
  ``uv python find`` picks for the same case.
* A broken environment is an error, never a silent fall-through. A broken nearest
  .venv (no pyvenv.cfg, or a dangling bin/python) or a broken named conda environment:
  uv's ``python find`` walks past it (``pip install`` fails, or walks past the conda
  one); pyrun stops there with one line naming it, whatever the request. A broken
  VIRTUAL_ENV: both fail.
* VIRTUAL_ENV naming no environment (a missing or a plain directory): both skip it for
  python (pyrun also warns on stderr). For pip, uv skips it too and installs into
  whatever comes next (a named conda environment, the .venv) or fails when nothing
  does; pyrun always refuses, naming VIRTUAL_ENV, so a stale activation never sends an
  install elsewhere.
* A ``.venv`` redirect file naming no virtual environment (missing, a plain directory,
  a base prefix, another redirect, text with a space or a second line): uv's ``python
  find`` goes on to PATH (as for a broken ``.venv``), ``pip install`` fails; pyrun
  stops there with one line naming the file, whatever the request. An empty one: both
  fail.
* A relative PATH entry: uv searches it (from the working directory), pyrun ignores
  it, so pyrun answers as uv does with that entry removed.
* A version file against an activated environment of another version: uv's
  ``python find`` takes the file, pyrun runs the activated environment and says so in
  one line (``uv pip install`` takes the activated environment too). Against a .venv
  of another version: uv's ``pip install`` ignores the file, pyrun's pip follows it as
  its python does. uv reads version files only with configuration on, so the pinned
  trees' cases run uv without UV_NO_CONFIG and with an empty user configuration.
* Below a directory the user may not search, uv fails; pyrun walks on (a test of its
  own, as an unprivileged user).
* An environment's bin/ on PATH: both take the first interpreter on PATH, and pyrun
  names its environment with source ``PATH``. For pip, uv installs into a venv found
  so, but calls a named conda environment's interpreter a system one ("No virtual
  environment found"); pyrun installs into that environment, the one ``python`` runs.
  Conda's base install on PATH (it has condabin/) is a base interpreter to both.
* pyenv-virtualenv names are not compared: uv does not read pyenv's files, it runs
  pyenv's shim (tests/test_path_environments.py checks pyrun against pyenv's choice).

How uv is run: offline, with no config, no managed Pythons (an empty
UV_PYTHON_INSTALL_DIR, but for the ``managed`` cases: a 3.12 there, and uv told to
prefer PATH, the order pyrun keeps), its own cache, and no .python-version (but the
pinned trees' own) or pyproject.toml anywhere it looks (checked). uv gets the same
environment as pyrun except that PATH has pyrun's shims directory removed: uv would
otherwise take the ``python`` shim, which answers with pyrun's own choice and makes the
comparison circular, and pyrun skips that directory itself, so this is the PATH pyrun
effectively searches. Both see the working directory the same way: the process cwd may
be reached through a symlink, PWD is the logical path, and both walk the physical one.

The trees are built once per module (a module-scoped world built like conftest's
``world``, ending with the same base-interpreter-unchanged check), and the cases run
concurrently before the per-case tests read their outcomes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import (
    PYRUN,
    UV,
    Base,
    World,
    assert_bases_untouched,
    clean_env,
    need,
    need_minor,
    new_world,
    snapshot,
)
from tests.test_ownership import NOBODY, shims_for_everyone

# -- the matrix ------------------------------------------------------------------------

TREES: dict[str, str] = {
    "none": "no .venv in the working directory or any parent",
    "cwd": ".venv (3.11) in the working directory",
    "up1": ".venv (3.11) one level up",
    "up3": ".venv (3.12) three levels up",
    "inside": "cwd is site-packages of a 3.12 venv that sits next to a 3.11 .venv",
    "nested": "outer .venv (3.11), nearer inner .venv (3.12): the nearest wins",
    "linked-venv": ".venv is a symlink to a 3.11 venv elsewhere",
    "linked-cwd": "cwd reached through a symlink: its physical parents have a 3.12 .venv, "
    "its logical parents a 3.11 one",
    "no-cfg": "nearest .venv has no pyvenv.cfg (broken)",
    "dangling": "nearest .venv's bin/python is a dangling symlink (broken)",
    "pin-3.11": "a .python-version asking for 3.11 in the working directory",
    "pin-3.12": "a .python-version asking for 3.12 in the working directory",
    "pin-venv": ".venv (3.11) and a .python-version asking for 3.12",
}
BROKEN_TREES = ("no-cfg", "dangling")
PINS = {"pin-3.11": "3.11", "pin-3.12": "3.12", "pin-venv": "3.12"}  # tree -> minor asked
# .venv redirect files (redirect.py), each in redirects/<tree>/ below a 3.12 .venv
# directory (redirects/.venv) that a walk past the file would find. What the file holds
# ({rel}: the 3.11 venv linked-3.11 relative to the file's directory, {abs}: absolute).
REDIRECTS: dict[str, str] = {
    "r-rel": "{rel}\n",
    "r-abs": "{abs}/",  # no newline, a trailing slash
    "r-crlf": "{rel}\r\n",
    "r-link": "",  # .venv is a symlink to r-rel's redirect file
    # naming no environment: uv's python find goes on to PATH, pip fails; pyrun's error
    "r-space": " {rel}\n",
    "r-second-line": "{rel}\n\n",
    "r-empty": "\n",  # uv fails too
    "r-missing": "../gone\n",
    "r-plain": "../plain\n",
    "r-base": "{base}\n",  # a base interpreter's prefix
    "r-to-file": "../r-rel/.venv\n",  # a redirect to a redirect
    "r-to-holder": "../r-rel\n",  # a directory holding a redirect file
}
REDIRECT_FOUND = ("r-rel", "r-abs", "r-crlf", "r-link")
TREES.update({tree: f"a .venv redirect file holding {text!r}" for tree, text in REDIRECTS.items()})
BROKEN_TREES = ("no-cfg", "dangling", *(t for t in REDIRECTS if t not in REDIRECT_FOUND))
MAIN_TREES = [tree for tree in TREES if tree not in REDIRECTS]
FEW_TREES = ("none", "cwd", "no-cfg")  # for the extra dimensions below

# VIRTUAL_ENV: unset, an existing 3.12 venv, a directory that does not exist; and on
# FEW_TREES only: a venv whose interpreter is gone, a plain directory.
VIRTUAL_ENVS = ("unset", "other", "gone")
EXTRA_VIRTUAL_ENVS = ("broken", "plain")
NO_ENV_VIRTUAL_ENVS = ("gone", "plain")


# conda: unset; a named 3.11 env (CONDA_DEFAULT_ENV is its directory name, _CONDA_ROOT
# the installation); the 3.12 base, told apart two ways, alternating over the trees:
# "base" by CONDA_DEFAULT_ENV=base, "base-root" only by _CONDA_ROOT (CONDA_DEFAULT_ENV
# is the prefix's own name there, and CONDA_PREFIX has a trailing slash). On FEW_TREES
# only: "named-broken", a named env whose interpreter is gone.
def condas(tree: str) -> tuple[str, ...]:
    return ("unset", "named", "base" if MAIN_TREES.index(tree) % 2 == 0 else "base-root")


# PATH after the shims directory (/usr/bin:/bin follow). b11, b12: the bin/ of the
# throwaway 3.11 and 3.12 bases; the others hold one symlink to the 3.12 base's binary.
PATHS: dict[str, tuple[str, ...]] = {
    "standard": ("b11", "b12"),
    "b12-first": ("b12", "b11"),
    "python-only": ("python-only", "b11", "b12"),  # holds `python`
    "minor-only": ("minor-only", "b11", "b12"),  # holds `python3.12`, no python/python3
    "relative": ("bin-rel", "b11", "b12"),  # relative entry; the none tree's cwd has it
    "b11-only": ("b11",),  # no 3.12 on PATH (/usr/bin's python3 is not 3.12 either)
    # an environment's bin/ without activation: a 3.11 venv, the named 3.11 conda env,
    # conda's 3.12 base install (with condabin/), and the venv after a base
    "venv-first": ("venv-bin", "b12", "b11"),
    "conda-env-first": ("conda-env-bin", "b12", "b11"),
    "conda-base-first": ("conda-base-bin", "b11", "b12"),
    "venv-second": ("b12", "venv-bin", "b11"),
    # a symlink to the venv's bin/: CPython finds no pyvenv.cfg above it, a base to both
    "venv-link-first": ("venv-link", "b12", "b11"),
}
PATH_ENV_ORDERS = (
    "venv-first",
    "conda-env-first",
    "conda-base-first",
    "venv-second",
    "venv-link-first",
)

PYTHON_REQUESTS = ("python", "python3.11", "python3.12")


@dataclass(frozen=True)
class Case:
    tree: str
    venv: str
    conda: str
    request: str
    path: str = "standard"
    # a uv-managed 3.12 (`uv python install`) off PATH, with uv told to look at PATH
    # first (UV_PYTHON_PREFERENCE=system), the order pyrun keeps (installed.py)
    managed: bool = False

    @property
    def id(self) -> str:
        tail = "" if self.path == "standard" else f"/PATH={self.path}"
        tail += "/managed" if self.managed else ""
        return f"{self.tree}/venv={self.venv}/conda={self.conda}/{self.request}{tail}"

    @property
    def kind(self) -> str:
        return "pip" if self.request.startswith("pip") else "python"

    @property
    def minor(self) -> str | None:
        match = re.fullmatch(r"(?:python|pip)(3\.\d+)?", self.request)
        assert match is not None, self.request
        return match[1]

    def with_(self, **changes: str) -> Case:
        return dataclasses.replace(self, **changes)

    def uv_args(self, wheelhouse: Path) -> list[str]:
        if self.kind == "python":
            return [str(UV), "python", "find", *([self.minor] if self.minor else [])]
        # -v: uv names the environment even when it is the working directory's .venv
        # (without it that default is not shown).
        args = [str(UV), "pip", "install", "-v", "--dry-run", "--offline", "--no-index"]
        args += ["--find-links", str(wheelhouse), "pyrun_probe"]
        return args + (["--python", self.minor] if self.minor else [])


def product(
    trees: Iterable[str],
    venvs: Iterable[str],
    conda_of: Callable[[str], Iterable[str]],
    requests: Iterable[str],
    paths: Iterable[str] = ("standard",),
) -> list[Case]:
    return [
        Case(tree, venv, conda, request, path)
        for tree in trees
        for venv in venvs
        for conda in conda_of(tree)
        for request in requests
        for path in paths
    ]


PYTHON_CASES = (
    product(MAIN_TREES, VIRTUAL_ENVS, condas, PYTHON_REQUESTS)
    + product(REDIRECTS, ("unset",), lambda _: ("unset",), ("python", "python3.12"))
    + product(FEW_TREES, EXTRA_VIRTUAL_ENVS, lambda _: ("unset", "named"), ("python", "python3.12"))
    + product(FEW_TREES, ("unset", "gone"), lambda _: ("named-broken",), ("python",))
    + product(("none",), ("unset",), lambda _: ("unset",), PYTHON_REQUESTS, list(PATHS)[1:])
    + product(("cwd",), ("unset",), lambda _: ("unset",), ("python",), PATH_ENV_ORDERS)
)
PIP_CASES = (
    product(MAIN_TREES, VIRTUAL_ENVS, condas, ("pip",))
    + product(MAIN_TREES, ("unset",), condas, ("pip3.12",))
    + product(REDIRECTS, ("unset",), lambda _: ("unset",), ("pip",))
    + product(FEW_TREES, EXTRA_VIRTUAL_ENVS, lambda _: ("unset", "named"), ("pip",))
    + product(FEW_TREES, ("unset", "gone"), lambda _: ("named-broken",), ("pip",))
    + product(("none",), ("unset",), lambda _: ("unset",), ("pip", "pip3.12"), PATH_ENV_ORDERS)
)
MANAGED = [
    Case(tree, "unset", "unset", request, path, managed=True)
    for tree in ("none", "pin-3.11", "pin-3.12")
    for request in ("python", "python3.12", "pip")
    for path in ("standard", "b11-only")
]
PYTHON_CASES += [case for case in MANAGED if case.kind == "python"]
PIP_CASES += [case for case in MANAGED if case.kind == "pip"]
ALL_CASES = PYTHON_CASES + PIP_CASES
assert len(set(ALL_CASES)) == len(ALL_CASES)

# -- the world the cases run in ----------------------------------------------------------


@dataclass
class Lab:
    world: World
    cwd: dict[str, Path]  # tree -> working directory (maybe through a symlink)
    broken: dict[str, Path]  # broken tree -> its nearest .venv (physical path)
    venvs: dict[str, Path]  # VIRTUAL_ENV value -> path
    conda_base: Path
    conda_named: Path
    conda_broken: Path
    path_dirs: dict[str, str]  # PATHS entry -> directory

    def is_environment(self, prefix: str) -> bool:
        """A venv, or a conda prefix other than the base: what uv and pyrun use as is."""
        if os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
            return True
        conda = os.path.isdir(os.path.join(prefix, "conda-meta"))
        return conda and prefix != os.path.realpath(self.conda_base)

    def path(self, case: Case) -> list[str]:
        return [self.path_dirs[entry] for entry in PATHS[case.path]] + ["/usr/bin", "/bin"]

    def activation(self, case: Case) -> dict[str, str | None]:
        """The environment of a case, for pyrun (uv gets uv_env on top)."""
        env: dict[str, str | None] = {
            "VIRTUAL_ENV": None,
            "CONDA_PREFIX": None,
            "CONDA_DEFAULT_ENV": None,
            "_CONDA_ROOT": None,
        }
        if case.venv != "unset":
            env["VIRTUAL_ENV"] = str(self.venvs[case.venv])
        if case.conda in ("named", "named-broken"):
            prefix = self.conda_named if case.conda == "named" else self.conda_broken
            env["CONDA_PREFIX"] = str(prefix)
            env["CONDA_DEFAULT_ENV"] = prefix.name
            env["_CONDA_ROOT"] = str(self.conda_base)
        elif case.conda == "base":
            env["CONDA_PREFIX"] = str(self.conda_base)
            env["CONDA_DEFAULT_ENV"] = "base"
        elif case.conda == "base-root":
            env["CONDA_PREFIX"] = str(self.conda_base) + "/"
            env["CONDA_DEFAULT_ENV"] = self.conda_base.name
            env["_CONDA_ROOT"] = str(self.conda_base)
        env["PWD"] = str(self.cwd[case.tree])
        env["PATH"] = os.pathsep.join([str(self.world.shims), *self.path(case)])
        if case.managed:
            env["UV_PYTHON_INSTALL_DIR"] = str(self.world.root / "uv-managed")
        return env

    def uv_env(self, case: Case) -> dict[str, str | None]:
        root = self.world.root
        env: dict[str, str | None] = {
            "PATH": os.pathsep.join(self.path(case)),
            "UV_OFFLINE": "1",
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_CONFIG": "1",
            "UV_NO_PROGRESS": "1",
            "UV_CACHE_DIR": str(root / "uv-cache"),
            "UV_PYTHON_INSTALL_DIR": str(root / "uv-pythons"),
            "NO_COLOR": "1",
        }
        if case.tree in PINS:
            # UV_NO_CONFIG hides .python-version from uv too: a pinned tree's case reads
            # configuration, from an empty user directory (and no uv.toml above).
            env.update(UV_NO_CONFIG=None, XDG_CONFIG_HOME=str(root / "uv-config"))
        if case.managed:
            env.update(
                UV_PYTHON_INSTALL_DIR=str(root / "uv-managed"), UV_PYTHON_PREFERENCE="system"
            )
        return env

    def repro(self, case: Case) -> str:
        env = self.activation(case)
        shown = " ".join(f"{key}={value}" for key, value in env.items() if value and key != "PATH")
        uv_path = self.uv_env(case)["PATH"]
        uv = " ".join(case.uv_args(self.world.wheelhouse))
        cd = f"cd {self.cwd[case.tree]} && env {shown}"
        return (
            f"{cd} PATH={uv_path} {uv}\n{cd} PATH={env['PATH']} pyrun which {case.request} --json"
        )


def fake_conda_prefix(prefix: Path, base: Base) -> Path:
    """A conda prefix as uv and pyrun see one: its own interpreter binary (a copy of the
    base's, so sys.prefix is this directory), the stdlib linked in, an empty
    site-packages, conda-meta/ and no pyvenv.cfg. A bin/python3 symlink to the base would
    not do: sys.prefix would be the base's, and uv pip reports sys.prefix. The stdlib's
    EXTERNALLY-MANAGED (Debian's python3 has one) is left out: a conda environment is
    its own, and conda writes none, so pip and uv install into it."""
    real_lib = base.prefix / "lib" / f"python{base.minor}"
    bin_dir = prefix / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(base.python, bin_dir / f"python{base.minor}")
    for name in ("python3", "python"):
        (bin_dir / name).symlink_to(f"python{base.minor}")
    stdlib = prefix / "lib" / f"python{base.minor}"
    (stdlib / "site-packages").mkdir(parents=True)
    for entry in real_lib.iterdir():
        if entry.name not in ("site-packages", "EXTERNALLY-MANAGED"):
            (stdlib / entry.name).symlink_to(entry)
    (prefix / "conda-meta").mkdir()
    (prefix / "conda-meta" / "history").write_text("")
    return prefix


def dangling_env(prefix: Path, gone_base: Path, venv: bool = True) -> Path:
    """An environment whose base interpreter was removed: the layout `python -m venv`
    leaves behind (or a conda env's, without pyvenv.cfg)."""
    bin_dir = prefix / "bin"
    bin_dir.mkdir(parents=True)
    if venv:
        (prefix / "pyvenv.cfg").write_text(
            f"home = {gone_base}\ninclude-system-site-packages = false\nversion = 3.11.7\n"
        )
    else:
        (prefix / "conda-meta").mkdir()
    (bin_dir / "python3.11").symlink_to(gone_base / "python3.11")
    (bin_dir / "python").symlink_to("python3.11")
    (bin_dir / "python3").symlink_to("python3.11")
    return prefix


def build_trees(world: World, top: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Every tree of TREES under top; returns the working directories and broken .venvs."""
    b11, b12 = world.bases["3.11"], world.bases["3.12"]

    def venv(where: Path, base: Base) -> Path:
        where.parent.mkdir(parents=True, exist_ok=True)
        return world.venv(where, base=base, pip=False)

    def mkdir(where: Path) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        return where

    cwd: dict[str, Path] = {}
    broken: dict[str, Path] = {}
    t = {name: top / name for name in TREES}

    cwd["none"] = mkdir(t["none"] / "a" / "b")
    # Only the "relative" PATH reaches it (PATH entry "bin-rel", from this cwd).
    mkdir(cwd["none"] / "bin-rel")
    (cwd["none"] / "bin-rel" / "python3").symlink_to(b12.python)

    venv(t["cwd"] / ".venv", b11)
    cwd["cwd"] = t["cwd"]

    venv(t["up1"] / ".venv", b11)
    cwd["up1"] = mkdir(t["up1"] / "src")

    venv(t["up3"] / ".venv", b12)
    cwd["up3"] = mkdir(t["up3"] / "a" / "b" / "c")

    venv(t["inside"] / ".venv", b11)
    venv(t["inside"] / "env-3.12", b12)
    cwd["inside"] = t["inside"] / "env-3.12" / "lib" / "python3.12" / "site-packages"

    venv(t["nested"] / ".venv", b11)
    venv(t["nested"] / "inner" / ".venv", b12)
    cwd["nested"] = mkdir(t["nested"] / "inner" / "pkg")

    target = venv(top.parent / "elsewhere" / "linked-3.11", b11)
    mkdir(t["linked-venv"])
    (t["linked-venv"] / ".venv").symlink_to(target)
    cwd["linked-venv"] = t["linked-venv"]

    # logical: linked-cwd/logical/link (with linked-cwd/logical/.venv, 3.11);
    # physical: linked-cwd/physical/proj (with linked-cwd/physical/.venv, 3.12).
    venv(t["linked-cwd"] / "physical" / ".venv", b12)
    venv(t["linked-cwd"] / "logical" / ".venv", b11)
    physical = mkdir(t["linked-cwd"] / "physical" / "proj")
    (t["linked-cwd"] / "logical" / "link").symlink_to(physical)
    cwd["linked-cwd"] = t["linked-cwd"] / "logical" / "link"

    # A .venv directory with an interpreter but no pyvenv.cfg.
    no_cfg = mkdir(t["no-cfg"] / ".venv" / "bin")
    (no_cfg / "python").symlink_to(b11.python)
    (no_cfg / "python3").symlink_to("python")
    broken["no-cfg"] = no_cfg.parent
    cwd["no-cfg"] = t["no-cfg"]

    broken["dangling"] = dangling_env(t["dangling"] / ".venv", top / "removed-base" / "bin")
    cwd["dangling"] = t["dangling"]

    venv(t["pin-venv"] / ".venv", b11)
    for tree, minor in PINS.items():
        cwd[tree] = mkdir(t[tree])
        (t[tree] / ".python-version").write_text(f"{minor}\n")

    redirects = top / "redirects"
    venv(redirects / ".venv", b12)
    mkdir(redirects / "plain")
    for tree, text in REDIRECTS.items():
        holder = mkdir(redirects / tree)
        cwd[tree] = mkdir(holder / "src")
        if tree not in REDIRECT_FOUND:
            broken[tree] = holder / ".venv"  # what pyrun's error names
        if tree == "r-link":
            (holder / ".venv").symlink_to("../r-rel/.venv")
            continue
        filled = text.format(rel=os.path.relpath(target, holder), abs=target, base=b11.prefix)
        (holder / ".venv").write_text(filled, newline="")

    assert set(cwd) == set(TREES)
    return cwd, broken


def assert_nothing_above(root: Path) -> None:
    """No file above the trees that uv or pyrun would read and the cases do not control."""
    for directory in [root.resolve(), *root.resolve().parents]:
        for name in (".venv", "pyvenv.cfg", ".python-version", ".python-versions"):
            assert not os.path.lexists(directory / name), f"{directory / name} would leak in"
        for name in ("pyproject.toml", "uv.toml"):
            assert not os.path.lexists(directory / name), f"{directory / name} would leak in"


@pytest.fixture(scope="module")
def lab(
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
    wheelhouse: Path,
) -> Iterator[Lab]:
    need_minor(bases, "3.11")
    need_minor(bases, "3.12")
    need(UV.is_file(), f"uv next to the test interpreter ({UV})")
    root = tmp_path_factory.mktemp("uv-agreement")
    assert_nothing_above(root)
    (root / "uv-pythons").mkdir()
    (root / "uv-config").mkdir()
    assert not os.path.lexists("/etc/uv/uv.toml"), "uv's system configuration would leak in"
    b11, b12 = bases["3.11"], bases["3.12"]
    managed = root / "uv-managed" / f"cpython-{b12.minor}.99-linux-x86_64-gnu" / "bin"
    managed.mkdir(parents=True)
    (managed / f"python{b12.minor}").symlink_to(b12.python)
    world = new_world(root, bases, wheelhouse, b12)
    home = world.home
    assert world.shims.is_dir()

    cwd, broken = build_trees(world, root / "trees")
    elsewhere = root / "elsewhere"
    venvs = {
        "other": world.venv(elsewhere / "active-3.12", base=b12, pip=False),
        "gone": elsewhere / "deleted-venv",
        "broken": dangling_env(elsewhere / "broken-venv", root / "removed-base" / "bin"),
        "plain": elsewhere / "plain-dir",
    }
    venvs["plain"].mkdir()
    assert not os.path.lexists(venvs["gone"])
    conda_base = fake_conda_prefix(root / "miniconda3", b12)
    conda_named = fake_conda_prefix(conda_base / "envs" / "work", b11)
    conda_broken = dangling_env(
        conda_base / "envs" / "old", root / "removed-base" / "bin", venv=False
    )
    (conda_base / "condabin").mkdir()  # only conda's base install has it
    path_dirs = {"b11": str(b11.bin), "b12": str(b12.bin), "bin-rel": "bin-rel"}
    path_dirs["venv-bin"] = str(world.venv(root / "venvs" / "tools", base=b11, pip=False) / "bin")
    (root / "path").mkdir()
    (root / "path" / "venv-link").symlink_to(path_dirs["venv-bin"])
    path_dirs["venv-link"] = str(root / "path" / "venv-link")
    path_dirs["conda-env-bin"] = str(conda_named / "bin")
    path_dirs["conda-base-bin"] = str(conda_base / "bin")
    for name, link in (("python-only", "python"), ("minor-only", "python3.12")):
        directory = root / "path" / name
        directory.mkdir()
        (directory / link).symlink_to(b12.python)
        path_dirs[name] = str(directory)
    conda_snapshot = snapshot(conda_base)
    yield Lab(
        world=world,
        cwd=cwd,
        broken=broken,
        venvs=venvs,
        conda_base=conda_base,
        conda_named=conda_named,
        conda_broken=conda_broken,
        path_dirs=path_dirs,
    )
    assert snapshot(conda_base) == conda_snapshot, "the fake conda installation was modified"
    assert_bases_untouched(bases, base_snapshots, home)


# -- running both sides ------------------------------------------------------------------


@dataclass(frozen=True)
class UvAnswer:
    kind: str  # "env", "base", "no-venv" (pip only), "error"
    path: str | None  # resolved environment dir ("env") or interpreter ("base")


@dataclass(frozen=True)
class Outcome:
    uv: subprocess.CompletedProcess[str]
    pyrun: subprocess.CompletedProcess[str]
    answer: UvAnswer


def read_uv(lab: Lab, case: Case, done: subprocess.CompletedProcess[str]) -> UvAnswer:
    # uv shows a path under the working directory relative to it (or as found on a
    # relative PATH entry), other paths absolute.
    physical_cwd = os.path.realpath(lab.cwd[case.tree])
    if case.kind == "python":
        if done.returncode != 0:
            return UvAnswer("error", None)
        executable = os.path.join(physical_cwd, done.stdout.strip())
        prefix = os.path.realpath(os.path.dirname(os.path.dirname(executable)))
        if lab.is_environment(prefix):
            return UvAnswer("env", prefix)
        return UvAnswer("base", os.path.realpath(executable))
    if done.returncode != 0:
        if "No virtual environment found" in done.stderr:
            return UvAnswer("no-venv", None)
        return UvAnswer("error", None)
    match = re.search(r"environment at: (.+)$", done.stderr, re.MULTILINE)
    assert match is not None, f"uv pip install said nothing about an environment:\n{done.stderr}"
    prefix = os.path.realpath(os.path.join(physical_cwd, match[1].strip()))
    assert lab.is_environment(prefix), f"uv pip install chose a base interpreter: {prefix}"
    return UvAnswer("env", prefix)


def run_case(lab: Lab, case: Case) -> Outcome:
    cwd = lab.cwd[case.tree]
    activation = lab.activation(case)
    uv_env = {**activation, **lab.uv_env(case)}
    uv = lab.world.run(case.uv_args(lab.world.wheelhouse), cwd=cwd, env=uv_env)
    pyrun = lab.world.pyrun("which", case.request, "--json", cwd=cwd, env=activation)
    return Outcome(uv, pyrun, read_uv(lab, case, uv))


def _selected(session: pytest.Session) -> list[Case] | None:
    """The cases the selected per-case tests need, or None when every case is needed."""
    chosen: list[Case] = []
    for item in session.items:
        if getattr(item, "module", None) is not sys.modules[__name__]:
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is None or "case" not in callspec.params:
            return None
        chosen.append(callspec.params["case"])
    return chosen


def ask_pyrun_many(lab: Lab, cases: list[Case]) -> list[subprocess.CompletedProcess[str]]:
    """`pyrun which` for every case, in one process (tests/which_many.py says why)."""
    questions = []
    for case in cases:
        env = {**lab.world.env, **lab.activation(case)}
        env = {key: value for key, value in env.items() if value is not None}
        questions.append({"cwd": str(lab.cwd[case.tree]), "env": env, "name": case.request})
    done = subprocess.run(
        [str(Path(PYRUN).parent / "python"), str(Path(__file__).parent / "which_many.py")],
        input=json.dumps(questions),
        capture_output=True,
        text=True,
        check=True,
        cwd=lab.world.root,
        env=lab.world.env,
    )
    return [
        subprocess.CompletedProcess(
            ["pyrun", "which", case.request, "--json"], a["code"], a["stdout"], a["stderr"]
        )
        for case, a in zip(cases, json.loads(done.stdout))
    ]


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, lab: Lab) -> dict[Case, Outcome]:
    selected = _selected(request.session)
    cases = ALL_CASES if selected is None else selected

    def uv(case: Case) -> subprocess.CompletedProcess[str]:
        env = {**lab.activation(case), **lab.uv_env(case)}
        return lab.world.run(case.uv_args(lab.world.wheelhouse), cwd=lab.cwd[case.tree], env=env)

    # uv once per case, two at a time per core; pyrun in two processes of many answers.
    workers = max(2, 2 * (os.cpu_count() or 1))
    half = len(cases) // 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pyruns = [pool.submit(ask_pyrun_many, lab, part) for part in (cases[:half], cases[half:])]
        uvs = list(pool.map(uv, cases))
        answers = pyruns[0].result() + pyruns[1].result()
    return {
        case: Outcome(done, answer, read_uv(lab, case, done))
        for case, done, answer in zip(cases, uvs, answers)
    }


def outcome_of(lab: Lab, outcomes: dict[Case, Outcome], case: Case) -> Outcome:
    """A case's outcome, run now when only part of the module was selected."""
    found = outcomes.get(case)
    return found if found is not None else run_case(lab, case)


# -- the comparison ----------------------------------------------------------------------

# Where each step sits in the order; a base interpreter comes after every environment,
# and "nothing found" after that.
RANK = {"VIRTUAL_ENV": 1, "CONDA_PREFIX": 2, ".venv": 3, "PATH": 4, "base": 4, "nothing": 5}


def expected_source(lab: Lab, case: Case, prefix: str) -> str:
    activation = lab.activation(case)
    for source in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        value = activation[source]
        if value and prefix == os.path.realpath(value):
            return source
    on_path = {os.path.realpath(os.path.dirname(entry)) for entry in lab.path(case)}
    return "PATH" if prefix in on_path else ".venv"


def uv_rank(lab: Lab, case: Case, answer: UvAnswer) -> int:
    if answer.kind == "env":
        assert answer.path is not None
        return RANK[expected_source(lab, case, answer.path)]
    return RANK["base"] if answer.kind in ("base", "no-venv") else RANK["nothing"]


def broken_before(lab: Lab, case: Case, rank: int) -> str | None:
    """The first broken environment of the case in a step before `rank`: uv walks past
    it, pyrun must stop there and name it."""
    steps: list[tuple[int, str]] = []
    if case.venv == "broken":
        steps.append((RANK["VIRTUAL_ENV"], str(lab.venvs["broken"])))
    if case.conda == "named-broken":
        steps.append((RANK["CONDA_PREFIX"], str(lab.conda_broken)))
    if case.tree in BROKEN_TREES:
        steps.append((RANK[".venv"], os.path.realpath(lab.broken[case.tree])))
    return next((path for step, path in steps if step < rank), None)


def explain(lab: Lab, case: Case, outcome: Outcome, problem: str) -> str:
    return (
        f"{case.id}: {problem}\n{lab.repro(case)}\n"
        f"uv exited {outcome.uv.returncode}\nuv stdout: {outcome.uv.stdout}"
        f"uv stderr: {outcome.uv.stderr}\n"
        f"pyrun exited {outcome.pyrun.returncode}\npyrun stdout: {outcome.pyrun.stdout}\n"
        f"pyrun stderr: {outcome.pyrun.stderr}"
    )


def assert_one_line_error(lab: Lab, case: Case, outcome: Outcome, naming: str) -> None:
    done = outcome.pyrun
    assert done.returncode != 0, explain(lab, case, outcome, f"pyrun should refuse: {naming}")
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, explain(lab, case, outcome, "pyrun's error is not one line")
    assert lines[0].startswith("pyrun: "), explain(lab, case, outcome, "not pyrun's error")
    assert naming in lines[0], explain(lab, case, outcome, f"the error does not name {naming}")
    assert done.stdout == "", explain(lab, case, outcome, "a refusal printed a program")


def pyrun_json(lab: Lab, case: Case, outcome: Outcome) -> dict[str, str]:
    assert outcome.pyrun.returncode == 0, explain(lab, case, outcome, "pyrun failed, uv did not")
    data = json.loads(outcome.pyrun.stdout)
    assert isinstance(data, dict)
    program = Path(data["program"])
    assert program.parent == Path(data["environment"]) / "bin", explain(
        lab, case, outcome, "the program is not in the environment's bin/"
    )
    return data


def assert_same_env(lab: Lab, case: Case, outcome: Outcome, prefix: str) -> None:
    data = pyrun_json(lab, case, outcome)
    environment = os.path.realpath(data["environment"])
    assert environment == prefix, explain(lab, case, outcome, f"uv chose {prefix}")
    source = expected_source(lab, case, prefix)
    assert data["source"] == source, explain(lab, case, outcome, f"expected source {source}")


def assert_isolated(lab: Lab, case: Case, outcome: Outcome, base: str) -> None:
    data = pyrun_json(lab, case, outcome)
    chose = f"uv chose the base interpreter {base}"
    assert data["source"] == "isolated", explain(lab, case, outcome, chose)
    assert Path(data["environment"]).parent == lab.world.envs, explain(lab, case, outcome, chose)
    assert data["base"] is not None, explain(lab, case, outcome, chose)
    assert os.path.realpath(data["base"]) == base, explain(lab, case, outcome, chose)


def activated_over_pin(lab: Lab, case: Case) -> Path | None:
    """The activated environment that runs where `uv python find` takes the version file
    instead: a deliberate difference (the README's table). The "other" VIRTUAL_ENV is
    3.12 and the named conda environment 3.11."""
    pin = PINS.get(case.tree)
    if pin is None or case.minor is not None:
        return None
    if case.venv == "other":
        return lab.venvs["other"] if pin != "3.12" else None
    if case.venv in ("unset", *NO_ENV_VIRTUAL_ENVS) and case.conda == "named":
        return lab.conda_named if pin != "3.11" else None
    return None


@pytest.mark.parametrize("case", PYTHON_CASES, ids=lambda case: case.id)
def test_python_find_agrees(lab: Lab, outcomes: dict[Case, Outcome], case: Case) -> None:
    outcome = outcomes[case]
    answer = outcome.answer
    activated = activated_over_pin(lab, case)
    if activated is not None:
        # uv runs the pinned version; pyrun the environment the user activated, saying so.
        followed = answer.path != os.path.realpath(activated)
        assert followed, explain(lab, case, outcome, "uv should follow the pin")
        assert_same_env(lab, case, outcome, os.path.realpath(activated))
        said = f"which {lab.cwd[case.tree] / '.python-version'} asks for: the activated"
        assert said in outcome.pyrun.stderr, explain(lab, case, outcome, "no warning")
        return
    if case.path == "relative":
        # pyrun ignores the relative entry: it answers as uv does without it.
        answer = outcome_of(lab, outcomes, case.with_(path="standard")).answer
    broken = broken_before(lab, case, uv_rank(lab, case, answer))
    if broken is not None:
        assert_one_line_error(lab, case, outcome, broken)
    elif answer.kind == "env":
        assert answer.path is not None
        assert_same_env(lab, case, outcome, answer.path)
    elif answer.kind == "base":
        assert answer.path is not None
        assert_isolated(lab, case, outcome, answer.path)
    else:
        assert outcome.pyrun.returncode != 0, explain(lab, case, outcome, "uv found nothing")
    if case.venv in NO_ENV_VIRTUAL_ENVS and outcome.pyrun.returncode == 0:
        assert str(lab.venvs[case.venv]) in outcome.pyrun.stderr, explain(
            lab, case, outcome, "pyrun skipped VIRTUAL_ENV without a warning"
        )


def pin_passes_venv(lab: Lab, case: Case, answer: UvAnswer) -> bool:
    """`uv pip install` took a .venv of another version than the version file asks for:
    uv pip ignores the file, pyrun's `pip` follows it as `python` does (the README's
    table), so that pip installs where python imports from."""
    assert answer.path is not None
    chosen = expected_source(lab, case, answer.path)
    return case.tree == "pin-venv" and case.minor is None and chosen == ".venv"


@pytest.mark.parametrize("case", PIP_CASES, ids=lambda case: case.id)
def test_pip_install_agrees(lab: Lab, outcomes: dict[Case, Outcome], case: Case) -> None:
    outcome = outcomes[case]
    answer = outcome.answer
    if case.venv in NO_ENV_VIRTUAL_ENVS:
        # pyrun refuses whatever uv does (uv skips VIRTUAL_ENV and installs into the
        # next environment, or fails when there is none).
        assert_one_line_error(lab, case, outcome, str(lab.venvs[case.venv]))
        return
    broken = broken_before(lab, case, uv_rank(lab, case, answer))
    if broken is not None:
        assert_one_line_error(lab, case, outcome, broken)
    elif answer.kind == "env" and not pin_passes_venv(lab, case, answer):
        assert answer.path is not None
        assert_same_env(lab, case, outcome, answer.path)
    elif answer.kind in ("no-venv", "env"):
        # pyrun installs into the isolated environment of what `uv python find` picks;
        # so does `pip` where the .venv is not the version the pin asks for.
        python = case.with_(request="python" + case.request[len("pip") :])
        found = outcome_of(lab, outcomes, python)
        if found.answer.kind == "env" and found.answer.path is not None:
            # A named conda environment on PATH: a system interpreter to uv's pip, that
            # environment to pyrun (README's table).
            assert os.path.isdir(os.path.join(found.answer.path, "conda-meta"))
            assert_same_env(lab, case, outcome, found.answer.path)
            return
        assert found.answer.kind == "base", explain(lab, python, found, "expected a base")
        assert found.answer.path is not None
        assert_isolated(lab, case, outcome, found.answer.path)
    else:
        raise AssertionError(explain(lab, case, outcome, "uv failed and nothing is broken"))


def test_the_matrix_exercises_every_step(lab: Lab, outcomes: dict[Case, Outcome]) -> None:
    """Guard against a matrix that silently degenerates (say, everything on PATH)."""
    assert len(outcomes) == len(ALL_CASES)
    answers = Counter((case.kind, o.answer.kind) for case, o in outcomes.items())
    for kind in (("python", "env"), ("python", "base"), ("python", "error")):
        assert answers[kind] > 0, answers
    for kind in (("pip", "env"), ("pip", "no-venv"), ("pip", "error")):
        assert answers[kind] > 0, answers
    sources: Counter[tuple[str, str]] = Counter()
    bases: set[str] = set()
    for case, outcome in outcomes.items():
        if outcome.pyrun.returncode == 0:
            data = json.loads(outcome.pyrun.stdout)
            sources[(case.kind, data["source"])] += 1
            if data["base"]:
                bases.add(os.path.realpath(data["base"]))
    for kind in ("python", "pip"):
        for source in ("VIRTUAL_ENV", "CONDA_PREFIX", ".venv", "isolated"):
            assert sources[(kind, source)] > 0, (kind, source, sources)
    assert len(bases) == 3, bases  # the two bases and conda base
    assert os.path.realpath(lab.conda_base / "bin" / "python3.12") in bases


def test_the_cases_mean_what_they_say(lab: Lab, outcomes: dict[Case, Outcome]) -> None:
    """What uv answers for a few landmark cases, so the matrix is known to test what its
    names say (a .venv three levels up is found, the logical parents are not walked...)."""
    trees = lab.world.root / "trees"
    b11 = os.path.realpath(lab.world.bases["3.11"].python)
    b12 = os.path.realpath(lab.world.bases["3.12"].python)
    conda_base = os.path.realpath(lab.conda_base / "bin" / "python3.12")
    unset = ("unset", "unset")
    expected: dict[tuple[str, ...], tuple[str, Path | str | None]] = {
        ("none", *unset, "python"): ("base", b11),
        ("none", *unset, "python3.12"): ("base", b12),
        ("cwd", *unset, "python"): ("env", trees / "cwd" / ".venv"),
        # A request the .venv does not satisfy falls through to PATH.
        ("cwd", *unset, "python3.12"): ("base", b12),
        ("up1", *unset, "python"): ("env", trees / "up1" / ".venv"),
        ("up3", *unset, "python"): ("env", trees / "up3" / ".venv"),
        ("inside", *unset, "python"): ("env", trees / "inside" / "env-3.12"),
        ("inside", *unset, "python3.11"): ("base", b11),
        ("nested", *unset, "python"): ("env", trees / "nested" / "inner" / ".venv"),
        ("nested", *unset, "python3.11"): ("base", b11),
        ("linked-venv", *unset, "python"): ("env", lab.world.root / "elsewhere" / "linked-3.11"),
        ("linked-cwd", *unset, "python"): ("env", trees / "linked-cwd" / "physical" / ".venv"),
        # The logical parents' 3.11 .venv is not looked at.
        ("linked-cwd", *unset, "python3.11"): ("base", b11),
        ("no-cfg", *unset, "python"): ("base", b11),
        ("dangling", *unset, "python3.12"): ("base", b12),
        # A redirect file is followed, and stops the walk even when it names nothing.
        ("r-rel", *unset, "python"): ("env", lab.world.root / "elsewhere" / "linked-3.11"),
        ("r-link", *unset, "pip"): ("env", lab.world.root / "elsewhere" / "linked-3.11"),
        ("r-crlf", *unset, "python3.12"): ("base", b12),
        ("r-missing", *unset, "python"): ("base", b11),
        ("r-space", *unset, "python"): ("base", b11),
        ("r-to-file", *unset, "python"): ("base", b11),
        ("r-empty", *unset, "python"): ("error", None),
        ("r-base", *unset, "pip"): ("error", None),
        ("none", "other", "named", "python"): ("env", lab.venvs["other"]),
        ("none", "gone", "unset", "python"): ("base", b11),
        ("none", "plain", "unset", "python"): ("base", b11),
        ("none", "broken", "unset", "python"): ("error", None),
        ("none", "unset", "named", "python3.11"): ("env", lab.conda_named),
        ("none", "unset", "named", "python3.12"): ("base", b12),
        ("none", "unset", "named-broken", "python"): ("base", b11),
        ("none", "unset", "base", "python"): ("base", conda_base),
        ("none", "unset", "base", "python3.11"): ("base", b11),
        ("up1", "unset", "base", "python"): ("env", trees / "up1" / ".venv"),
        ("cwd", "unset", "base-root", "python"): ("env", trees / "cwd" / ".venv"),
        ("cwd", "unset", "base-root", "python3.12"): ("base", conda_base),
        ("none", *unset, "python", "b12-first"): ("base", b12),
        ("none", *unset, "python3.11", "b12-first"): ("base", b11),
        ("none", *unset, "python", "python-only"): ("base", b12),
        ("none", *unset, "python", "minor-only"): ("base", b12),
        ("none", *unset, "python3.11", "minor-only"): ("base", b11),
        ("none", *unset, "python", "relative"): ("base", b12),
        ("none", *unset, "python", "venv-first"): ("env", lab.world.root / "venvs" / "tools"),
        ("none", *unset, "python3.12", "venv-first"): ("base", b12),
        ("none", *unset, "python", "conda-env-first"): ("env", lab.conda_named),
        ("none", *unset, "python", "conda-base-first"): ("base", conda_base),
        ("none", *unset, "python", "venv-second"): ("base", b12),
        ("none", *unset, "python", "venv-link-first"): ("base", b11),
        ("none", *unset, "pip", "venv-first"): ("env", lab.world.root / "venvs" / "tools"),
        ("none", *unset, "pip", "conda-env-first"): ("no-venv", None),
        ("none", *unset, "pip", "venv-second"): ("no-venv", None),
        ("none", *unset, "pip"): ("no-venv", None),
        ("none", "unset", "base", "pip"): ("no-venv", None),
        ("up3", *unset, "pip"): ("env", trees / "up3" / ".venv"),
        ("none", "unset", "named", "pip"): ("env", lab.conda_named),
        ("no-cfg", *unset, "pip"): ("error", None),
        ("dangling", *unset, "pip"): ("error", None),
        ("none", "gone", "unset", "pip"): ("error", None),
        ("none", "unset", "named-broken", "pip"): ("error", None),
        ("cwd", "unset", "named-broken", "pip"): ("env", trees / "cwd" / ".venv"),
        ("cwd", *unset, "pip3.12"): ("no-venv", None),
        ("up3", "unset", "named", "pip3.12"): ("env", trees / "up3" / ".venv"),
        # uv skips a VIRTUAL_ENV that is no environment for pip too; pyrun refuses.
        ("cwd", "gone", "unset", "pip"): ("env", trees / "cwd" / ".venv"),
        ("cwd", "plain", "named", "pip"): ("env", lab.conda_named),
        # uv reads the version files: the pin beats PATH's order, a .venv of another
        # version and an activated environment for `python find`, not for `pip install`.
        ("pin-3.12", *unset, "python"): ("base", b12),
        ("pin-3.11", "other", "unset", "python"): ("base", b11),
        ("pin-3.12", "unset", "named", "python"): ("base", b12),
        ("pin-venv", *unset, "python"): ("base", b12),
        ("pin-3.11", "other", "unset", "pip"): ("env", lab.venvs["other"]),
        ("pin-venv", *unset, "pip"): ("env", trees / "pin-venv" / ".venv"),
        ("pin-3.11", *unset, "pip"): ("no-venv", None),
        # uv's managed 3.12, found where PATH has no 3.12 (and only there: preference
        # system), for a version file and for a version in the name
        ("pin-3.12", *unset, "python", "b11-only", True): ("base", b12),
        ("none", *unset, "python3.12", "b11-only", True): ("base", b12),
        ("none", *unset, "python", "b11-only", True): ("base", b11),
    }
    for key, (kind, path) in expected.items():
        case = Case(*key)
        outcome = outcomes[case]
        want = None if path is None else os.path.realpath(path)
        assert (outcome.answer.kind, outcome.answer.path) == (kind, want), explain(
            lab, case, outcome, "uv's answer is not what this case was built for"
        )


# -- a directory the user may no longer search -------------------------------------------


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_below_a_directory_you_may_not_search(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shell left below a directory whose owner then ran `chmod 700` on it: uv fails
    ("Permission denied" on the .venv it cannot look at); pyrun takes what it cannot
    see as absent and walks on to the project's .venv above, the documented difference
    (the README's table). Run as an unprivileged user: root may search anything."""
    paths = shims_for_everyone(public_root, flavour, monkeypatch)
    project = public_root / "proj"
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "pyvenv.cfg").write_text("home = /nonexistent\n")
    program = project / ".venv" / "bin" / "python3"
    program.write_text("#!/bin/sh\necho ran proj\n")
    program.chmod(0o755)
    cwd = project / "locked" / "sub"
    cwd.mkdir(parents=True)
    cache = public_root / "uv-cache"
    cache.mkdir()
    for path in (project, project / ".venv", project / ".venv" / "bin", program, cwd, cache):
        os.chown(path, NOBODY, NOBODY)
    uv = public_root / "uv"
    shutil.copy2(UV, uv)
    (project / "locked").chmod(0o700)  # root's: the user may not search it
    env = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env.update(UV_NO_CONFIG="1", UV_OFFLINE="1", UV_CACHE_DIR=str(cache), NO_COLOR="1")
    as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    # The working directory is entered as root, before setpriv drops to the user.
    ran = {
        who: subprocess.run(
            [*as_nobody, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        for who, argv in (
            ("uv", [str(uv), "python", "find"]),
            ("pyrun", [str(paths.shims / "python3")]),
        )
    }
    assert ran["uv"].returncode != 0, ran["uv"]
    assert "Permission denied" in ran["uv"].stderr, ran["uv"]
    assert (ran["pyrun"].returncode, ran["pyrun"].stdout) == (0, "ran proj\n"), ran["pyrun"]
