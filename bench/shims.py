"""Shim overhead: `python -c pass` through the shim against the same interpreter run directly.

Every case is a pair of whole-process commands, A (through a shim or a peer) and B (the
program A ends up running, started directly), timed paired and interleaved: after the
warm-up pairs, A B, B A, A B, ... (the order flips each pair so neither side always
runs second), each start timed around ``posix_spawn`` + ``waitpid`` with
``perf_counter_ns``. The harness's own fork/exec cost is in both sides. What is
reported per case is the median of the per-pair ratios A/B, their 5th-95th percentiles
and min-max, the median of the per-pair differences A-B, and both absolute medians.

Cases, all on a throwaway base interpreter built like the tests build theirs
(``tests.conftest.make_base``), with a throwaway HOME and pyrun data directory:

- every pyrun case below twice, once per shim flavour, each with its own data
  directory: the compiled shim (``PYRUN_SHIM=c`` for ``pyrun rehash`` and the runs: one
  static binary built from shims/shim.c that every name links to) first, then the POSIX
  sh scripts (``PYRUN_SHIM=sh``, shims/shim.sh); after the rehash the script checks
  the flavour it got, and a ``PYRUN_DEBUG=1`` run of each case that the shim that ran
  says ``pyrun[c]`` or ``pyrun[sh]``. Without a working C compiler the compiled cases
  are reported as not measured, with the reason;
- each discovery step of the shim: ``VIRTUAL_ENV``, a named conda environment
  (``CONDA_PREFIX`` + ``CONDA_DEFAULT_ENV``, a directory with ``conda-meta/`` whose
  ``bin/python3`` links to the base), ``.venv`` with the working directory 0 to 50
  levels below the project, the isolated fallback after the walk to ``/`` (the
  isolated environment warmed first: steady state), and ``pip --version`` against the
  environment's own pip;
- a floor: a two-line ``#!/bin/sh`` script that only ``exec``s the target, the least a
  shell shim can cost;
- peers doing the same job: pyenv's shim (the pyenv program of ``~/.pyenv`` with a
  throwaway ``PYENV_ROOT`` whose only version links to the base), mise's shim
  (installed by this script with ``npm install --prefix`` into the temp dir, run with
  ``MISE_OFFLINE=1`` and its own HOME and XDG dirs, the base linked in as its
  ``installs/python/<version>`` and named in its global config) and
  ``uv run --no-project python`` (the uv next to this interpreter, offline, no config,
  its own cache, in a directory with a ``.venv``);
  a peer that cannot be set up is reported, not dropped;
- scaling of the isolated fallback with ``PATH`` length (extra empty directories
  before the base's) and with the number of cached environments (fake ones added to a
  data directory of its own), and of ``.venv`` and the fallback with depth.

Prints Markdown for BENCHMARKS.md and writes an SVG plot of cost against depth and
``PATH`` length.

``--before REF`` measures something else: whether a change to shims/shim.c made the
shim slower. Only the compiled shim is set up, twice, in data directories of their own:
as this checkout builds it, and with its binary then rebuilt (same flags, same
generated shim_config.h) from ``git show REF:shims/shim.c`` with the compiler flags of
REF's src/pyrun/compiled.py. Every pyrun case above is
timed for both, the two back to back (which goes first alternates), so both see the
same load on a shared machine; no sh shims, floor or peers. It prints each case's
median ratio for both and their quotient (after/before).

    .venv/bin/python bench/shims.py [--quick] [--svg FILE] [--mise MISE] [--before REF]
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import PYRUN, Base, clean_env, make_base, real_python

from bench.peers import install_mise, last_line
from pyrun import compiled as compiled_shim

PYENV = Path.home() / ".pyenv"
UV = Path(sys.executable).parent / "uv"
DEPTHS = (0, 1, 5, 15, 30, 50)
PATH_LENGTHS = (5, 10, 25, 50, 100)
ENV_COUNTS = (1, 10, 50)
FLAVOURS = {"c": "compiled shim", "sh": "sh shim"}  # PYRUN_SHIM value: what rows say
BEFORE = "c-before"  # --before REF: the compiled shim rebuilt from REF's shims/shim.c
BEFORE_SOURCE: dict[str, str] = {}  # "ref" and "source" once --before is given
BEFORE_FLAGS: list[str] = []  # the compiler flags at --before's ref (compiled.FLAGS there)
BINARY = ".pyrun-shim"  # the compiled shim, in the shims directory (src/pyrun/compiled.py)
STAMP = ".pyrun-shims.json"  # what rehash built, under "built" (src/pyrun/shims.py)
PROBE = "import os, sys; print(os.path.realpath(sys.prefix), sys.version_info[:2])"


@dataclass
class Cmd:
    argv: list[str]
    env: dict[str, str]
    cwd: Path


@dataclass
class Case:
    key: str
    label: str
    a: Cmd | None  # through the shim or the peer
    b: Cmd | None  # the target run directly
    problem: str = ""
    flavour: str = ""  # "c" or "sh" for a pyrun shim: the one PYRUN_DEBUG must show
    shown_env: tuple[str, ...] = ()  # variables worth showing with the command line
    a_ns: list[int] = field(default_factory=list)
    b_ns: list[int] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.a_ns, self.b_ns)]

    def diffs_ms(self) -> list[float]:
        return [(a - b) / 1e6 for a, b in zip(self.a_ns, self.b_ns)]


# -- timing ------------------------------------------------------------------------


def spawn_ns(cmd: Cmd, devnull: int) -> int:
    """Wall time of one whole process, output discarded; it must exit 0."""
    os.chdir(cmd.cwd)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    start = time.perf_counter_ns()
    pid = os.posix_spawn(cmd.argv[0], cmd.argv, cmd.env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{shlex.join(cmd.argv)} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed


def measure(case: Case, warmups: int, budget_s: float, lo: int, hi: int, devnull: int) -> None:
    assert case.a is not None and case.b is not None
    spent = 0
    for _ in range(warmups):
        spent += spawn_ns(case.a, devnull) + spawn_ns(case.b, devnull)
    per_pair = spent / max(warmups, 1) / 1e9
    pairs = int(min(hi, max(lo, budget_s / max(per_pair, 1e-6))))
    for i in range(pairs):
        if i % 2:
            b = spawn_ns(case.b, devnull)
            a = spawn_ns(case.a, devnull)
        else:
            a = spawn_ns(case.a, devnull)
            b = spawn_ns(case.b, devnull)
        case.a_ns.append(a)
        case.b_ns.append(b)


def check(case: Case) -> None:
    """A and B must run the same interpreter (same sys.prefix and version), and a pyrun
    shim must be of the flavour asked for (`pyrun[c]`/`pyrun[sh]` under PYRUN_DEBUG=1)
    and decide on its fast path (no `slow path`)."""
    if case.problem or case.a is None or case.b is None:
        return
    probe = ["-c", PROBE]

    def run(cmd: Cmd, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        argv = cmd.argv[:-2] + probe if cmd.argv[-2:] == ["-c", "pass"] else cmd.argv
        return subprocess.run(
            argv,
            env={**cmd.env, **(extra or {})},
            cwd=cmd.cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    a = run(case.a, {"PYRUN_DEBUG": "1"})
    b = run(case.b)
    if a.returncode != 0 or b.returncode != 0:
        why = (a.stderr if a.returncode else b.stderr).strip().splitlines()
        case.problem = f"does not run: {why[-1] if why else 'exit status'}"
    elif a.stdout != b.stdout:
        case.problem = f"runs something else: {a.stdout.strip()!r} vs {b.stdout.strip()!r}"
    elif case.flavour and f"pyrun[{case.flavour[:1]}] " not in a.stderr:  # c-before: c
        said = sorted(set(re.findall(r"pyrun\[\w+\]", a.stderr))) or ["no debug output"]
        case.problem = f"not the {FLAVOURS[case.flavour]} that ran: {', '.join(said)}"
    elif "slow path" in a.stderr:
        case.problem = "the shim took its slow path: " + a.stderr.strip().splitlines()[-1]


# -- the world ---------------------------------------------------------------------


def home_env(work: Path, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    home = work / f"home-{name}"
    for sub in (".config", ".local/share", ".cache", ".local/state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = clean_env(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "PATH": "/usr/bin:/bin",
        }
    )
    for key in ("PYENV_ROOT", "PYENV_DIR", "PYENV_HOOK_PATH"):
        env.pop(key, None)
    env.update(extra or {})
    return env


def deep(root: Path, depth: int) -> Path:
    path = root.joinpath(*(["d"] * depth))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Pyrun:
    data: Path
    env: dict[str, str]
    isolated_python: Path

    @property
    def shims(self) -> Path:
        return self.data / "shims"


class SetupFailed(Exception):
    """Why a shim flavour could not be set up (its cases are reported, not dropped)."""


def flags_at(root: Path, ref: str) -> list[str]:
    """``compiled.FLAGS`` as src/pyrun/compiled.py had them at `ref`."""
    shown = subprocess.run(
        ["git", "-C", str(root), "show", f"{ref}:src/pyrun/compiled.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    for node in ast.parse(shown.stdout).body if shown.returncode == 0 else []:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["FLAGS"]:
            return list(ast.literal_eval(node.value))
    sys.exit(f"bench: no FLAGS in src/pyrun/compiled.py at {ref}")


def rebuild_before(shims: Path) -> None:
    """Replace the compiled binary in shims with one built from --before's shim.c and
    flags, with the shim_config.h this rehash would write (compiled.config_header, from
    its stamp). That the header is the one rehash wrote is checked: this checkout's
    shim.c built with it and today's flags must give rehash's binary."""
    stamp = json.loads((shims / STAMP).read_text())
    header = compiled_shim.config_header(
        list(stamp["names"]), shims, shims.parent, str(stamp["python"])
    )
    cc = compiled_shim.compiler()
    if cc is None:
        raise SetupFailed("no C compiler for the --before build")
    now = (Path(__file__).resolve().parents[1] / "shims" / "shim.c").read_text()
    with tempfile.TemporaryDirectory(prefix="before-") as tmp:
        (Path(tmp) / "shim_config.h").write_text(header)
        built = {}
        for which, source in (("now", now), ("before", BEFORE_SOURCE["source"])):
            (Path(tmp) / "shim.c").write_text(source)
            out = Path(tmp) / which
            flags = compiled_shim.FLAGS if which == "now" else BEFORE_FLAGS
            argv = [cc, *flags, "-o", str(out), "shim.c"]
            done = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SetupFailed(f"the {which} build failed: {last_line(done.stderr)}")
            built[which] = out
        if built["now"].read_bytes() != (shims / BINARY).read_bytes():
            raise SetupFailed("rebuilt from this checkout, the binary differs from rehash's")
        os.replace(built["before"], shims / BINARY)


def make_pyrun(work: Path, base: Base, name: str, path_dirs: list[Path], flavour: str) -> Pyrun:
    """A data directory with shims of that flavour (PYRUN_SHIM, kept for the runs too;
    BEFORE: the compiled ones, then rebuilt from --before's shim.c)."""
    data = work / f"data-{name}"
    shim_choice = "c" if flavour == BEFORE else flavour
    env = home_env(
        work, f"pyrun-{flavour}", {"PYRUN_DATA_DIR": str(data), "PYRUN_SHIM": shim_choice}
    )
    env["PATH"] = os.pathsep.join(
        [str(data / "shims"), *map(str, path_dirs), str(base.bin), "/usr/bin", "/bin"]
    )
    done = subprocess.run([PYRUN, "rehash", "-q"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupFailed(
            f"`PYRUN_SHIM={flavour} pyrun rehash` exited {done.returncode}: "
            f"{last_line(done.stderr)}"
        )
    shims = data / "shims"
    compiled = (shims / BINARY).is_file() and (shims / "python").is_symlink()
    if compiled != (shim_choice == "c"):
        try:
            built = json.loads((shims / STAMP).read_text()).get("built", "unknown")
        except (OSError, ValueError):
            built = "no stamp"
        raise SetupFailed(f"`PYRUN_SHIM={flavour} pyrun rehash` built other shims ({built})")
    if flavour == BEFORE:
        rebuild_before(shims)
    done = subprocess.run(  # first use: creates the isolated environment
        [str(data / "shims" / "python"), "-c", "import sys; print(sys.executable)"],
        env=env,
        cwd=work / "plain",
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SetupFailed(
            f"first use of the {FLAVOURS[flavour]} exited {done.returncode}: "
            f"{last_line(done.stderr)}"
        )
    return Pyrun(data, env, Path(done.stdout.strip()))


def add_fake_envs(pyrun: Pyrun, base: Base, work: Path, count: int) -> None:
    """count-1 more cached environments, each with its record, next to the real one."""
    for i in range(1, count):
        fake_base = work / "fake-bases" / f"b{i}" / "bin"
        fake_base.mkdir(parents=True, exist_ok=True)
        exe = fake_base / "python3"
        if not exe.exists():
            exe.symlink_to(base.python)
        env = pyrun.data / "envs" / f"fake-{i}"
        (env / "bin").mkdir(parents=True, exist_ok=True)
        (env / "bin" / "python").unlink(missing_ok=True)
        (env / "bin" / "python").symlink_to(base.python)
        (env / "pyvenv.cfg").write_text(f"home = {base.bin}\n")
        (env / ".pyrun-complete").touch()
        record = pyrun.data / "by-path" / str(exe).lstrip("/")
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(f"env {env}\n")


def venv(base: Base, where: Path, env: dict[str, str], pip: bool = False) -> Path:
    argv = [str(base.python), "-m", "venv", str(where)]
    if not pip:
        argv.append("--without-pip")
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return where


def pyenv_case(work: Path, base: Base, version: str) -> Case:
    label = "pyenv shim (`$PYENV_ROOT/shims/python`, `PYENV_VERSION` set)"
    exe = PYENV / "bin" / "pyenv"
    if not exe.exists():
        return Case("pyenv", label, None, None, problem=f"not installed (no {exe})")
    root = work / "pyenv-root"
    (root / "versions").mkdir(parents=True)
    (root / "versions" / version).symlink_to(base.prefix)
    env = home_env(work, "pyenv", {"PYENV_ROOT": str(root), "PYENV_VERSION": version})
    env["PATH"] = f"{root / 'shims'}:{exe.parent}:/usr/bin:/bin"
    done = subprocess.run(
        [str(exe), "rehash"], env=env, cwd=work / "plain", capture_output=True, text=True
    )
    if done.returncode != 0 or not (root / "shims" / "python").exists():
        return Case("pyenv", label, None, None, problem="`pyenv rehash` failed: " + done.stderr)
    ver = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True)
    label = f"{ver.stdout.strip()} shim (`$PYENV_ROOT/shims/python`, `PYENV_VERSION` set)"
    target = root / "versions" / version / "bin" / "python"
    return Case(
        "pyenv",
        label,
        Cmd([str(root / "shims" / "python"), "-c", "pass"], env, work / "plain"),
        Cmd([str(target), "-c", "pass"], env, work / "plain"),
        shown_env=("PYENV_ROOT", "PYENV_VERSION"),
    )


def mise_case(work: Path, base: Base, version: str, given: str | None) -> Case:
    label = "mise shim (`$MISE_DATA_DIR/shims/python`)"
    if given:
        exe = Path(given)
    else:
        found, problem = install_mise(work)
        if found is None:
            return Case("mise", label, None, None, problem=problem)
        exe = found
    # `path:<prefix>` versions get no shims from `mise reshim`; an install of mise's own
    # is what it shims, so the base is linked in as one (as `mise sync python --pyenv`).
    mdata = work / "mise-data"
    (mdata / "installs" / "python").mkdir(parents=True)
    (mdata / "installs" / "python" / version).symlink_to(base.prefix)
    mconf = work / "mise-config"
    mconf.mkdir()
    (mconf / "config.toml").write_text(f'[tools]\npython = "{version}"\n')
    env = home_env(
        work,
        "mise",
        {
            "MISE_OFFLINE": "1",
            "MISE_AUTO_INSTALL": "0",
            "MISE_NOT_FOUND_AUTO_INSTALL": "0",
            "MISE_DATA_DIR": str(mdata),
            "MISE_CONFIG_DIR": str(mconf),
            "MISE_CACHE_DIR": str(work / "mise-cache"),
            "MISE_STATE_DIR": str(work / "mise-state"),
        },
    )
    env["PATH"] = f"{mdata / 'shims'}:{exe.parent}:/usr/bin:/bin"
    ver = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True)
    if ver.returncode != 0:
        return Case("mise", label, None, None, problem=f"does not run: {last_line(ver.stderr)}")
    label = (
        f"mise {ver.stdout.split()[0]} shim (`$MISE_DATA_DIR/shims/python`, the base linked "
        'in as `installs/python/<version>`, global config `python = "<version>"`)'
    )
    offline = subprocess.run(
        [str(exe), "settings", "get", "offline"], env=env, capture_output=True, text=True
    )
    if offline.stdout.strip() != "true":
        return Case("mise", label, None, None, problem="cannot run offline (MISE_OFFLINE ignored)")
    done = subprocess.run(
        [str(exe), "reshim"], env=env, cwd=work / "plain", capture_output=True, text=True
    )
    shim = mdata / "shims" / "python"
    if done.returncode != 0 or not shim.exists():
        return Case("mise", label, None, None, problem=f"`mise reshim`: {last_line(done.stderr)}")
    return Case(
        "mise",
        label,
        Cmd([str(shim), "-c", "pass"], env, work / "plain"),
        Cmd(
            [str(mdata / "installs" / "python" / version / "bin" / "python"), "-c", "pass"],
            env,
            work / "plain",
        ),
        shown_env=("MISE_OFFLINE", "MISE_DATA_DIR", "MISE_CONFIG_DIR"),
    )


def uv_case(work: Path, base: Base) -> Case:
    label = "`uv run --no-project python` (offline, no config, own cache)"
    if not UV.exists():
        return Case("uv", label, None, None, problem=f"not installed (no {UV})")
    proj = work / "uv-proj"
    proj.mkdir()
    env = home_env(
        work,
        "uv",
        {
            "UV_OFFLINE": "1",
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_CONFIG": "1",
            "UV_CACHE_DIR": str(work / "uv-cache"),
        },
    )
    venv(base, proj / ".venv", env)
    ver = subprocess.run([str(UV), "--version"], env=env, capture_output=True, text=True)
    label = f"`uv run --no-project python` ({ver.stdout.strip()}, offline, no config, own cache)"
    return Case(
        "uv",
        label,
        Cmd([str(UV), "run", "--no-project", "python", "-c", "pass"], env, proj),
        Cmd([str(proj / ".venv" / "bin" / "python"), "-c", "pass"], env, proj),
        shown_env=("UV_OFFLINE", "UV_PYTHON_DOWNLOADS", "UV_NO_CONFIG"),
    )


@dataclass
class Flavour:
    """Every pyrun case for one shim flavour (PYRUN_SHIM), or why it could not be set up."""

    flavour: str
    problem: str
    pyrun: Pyrun | None
    steps: list[Case]  # VIRTUAL_ENV, CONDA_PREFIX
    depth_venv: dict[int, Case]
    depth_iso: dict[int, Case]
    pip: Case
    paths: dict[int, Case]
    big: Case
    envs: dict[int, Case]

    @property
    def name(self) -> str:
        return FLAVOURS[self.flavour]

    def cases(self) -> list[Case]:
        return [
            *self.steps,
            *self.depth_venv.values(),
            *self.depth_iso.values(),
            self.pip,
            *self.paths.values(),
            self.big,
            *self.envs.values(),
        ]


def pinned_project(work: Path, base: Base, shim: str, env: dict[str, str]) -> Path:
    """A project whose .python-version names the base's minor version, as pyenv writes
    it, with the shim run there once: the pin makes it look for python3.X first, whose
    record the first run writes (as a user's first `python` there would)."""
    project = work / "pinned"
    project.mkdir(exist_ok=True)
    (project / ".python-version").write_text(f"# pinned by the team\n{base.minor}.0\n")
    cwd = deep(project, 1)
    if env:
        subprocess.run([shim, "-c", "pass"], env=env, cwd=cwd, capture_output=True, check=False)
    return project


def flavour_cases(work: Path, base: Base, flavour: str, proj: Path, conda: Path) -> Flavour:
    """The pyrun cases with shims of one flavour, in data directories of their own."""
    name = FLAVOURS[flavour]
    plain = work / "plain"
    problem = ""
    try:
        main_run: Pyrun | None = make_pyrun(work, base, f"{flavour}-main", [], flavour)
    except SetupFailed as why:
        problem, main_run = str(why), None
    # Without a setup the commands below are never run (every case gets the problem).
    shims = main_run.shims if main_run else work / f"data-{flavour}-main" / "shims"
    env = main_run.env if main_run else {}
    shim = str(shims / "python")
    iso = str(main_run.isolated_python if main_run else work / "not-set-up")
    vpy = str(proj / ".venv" / "bin" / "python")
    p = ["-c", "pass"]

    def case(
        key: str, label: str, a: list[str], b: list[str], cwd: Path, e: dict[str, str], *kw: str
    ) -> Case:
        return Case(
            f"{flavour}-{key}",
            f"{name}: {label}",
            Cmd(a, e, cwd),
            Cmd(b, e, cwd),
            flavour=flavour,
            shown_env=("PYRUN_SHIM", *kw, "PATH"),
        )

    def pair(key: str, label: str, a: list[str], b: list[str], cwd: Path, **kw: str) -> Case:
        return case(key, label, a, b, cwd, {**env, **kw}, *kw)

    steps = [
        pair(
            "venv-env",
            "`VIRTUAL_ENV`",
            [shim, *p],
            [vpy, *p],
            plain,
            VIRTUAL_ENV=str(proj / ".venv"),
        ),
        pair(
            "conda",
            "`CONDA_PREFIX` (named env)",
            [shim, *p],
            [str(conda / "bin" / "python3"), *p],
            plain,
            CONDA_PREFIX=str(conda),
            CONDA_DEFAULT_ENV="bench",
        ),
        # The fallback above reads no version file (there is none up to `/`); here a
        # project pins the base's own version, so the shim reads the file and then
        # looks for python3.X first, as `python3.X` itself does.
        pair(
            "pinned",
            f"`.python-version` {base.minor}, cwd 1 below the project (isolated fallback)",
            [shim, *p],
            [iso, *p],
            deep(pinned_project(work, base, shim, env), 1),
        ),
        pair(
            "pin-off",
            "isolated fallback, cwd 1 below `$W/plain`, `PYRUN_PYTHON_VERSION_FILES=0`",
            [shim, *p],
            [iso, *p],
            deep(plain, 1),
            PYRUN_PYTHON_VERSION_FILES="0",
        ),
    ]
    # A venv's bin/ first on PATH without activation (~/venvs/tools/bin): used as it is,
    # once the .venv ownership rule holds for it (issue #15).
    tools = work / "venvs" / "tools"
    if main_run and not tools.exists():
        venv(base, tools, env)
    first_path = [shims, tools / "bin", base.bin, Path("/usr/bin"), Path("/bin")]
    steps.append(
        pair(
            "path-venv",
            "a venv's `bin/` first on `PATH`, not activated",
            [shim, *p],
            [str(tools / "bin" / "python"), *p],
            plain,
            PATH=os.pathsep.join(map(str, first_path)),
        )
    )
    depth_venv = {
        d: pair(
            f"dot-{d}",
            f"`.venv`, cwd {d} below the project",
            [shim, *p],
            [vpy, *p],
            deep(proj, d),
        )
        for d in DEPTHS
    }
    depth_iso = {
        d: pair(
            f"iso-{d}",
            f"isolated fallback, cwd {d} below `$W/plain` (walk to `/`)",
            [shim, *p],
            [iso, *p],
            deep(plain, d),
        )
        for d in DEPTHS
    }
    pip = pair(
        "pip",
        "`pip --version`, `.venv` at depth 1, against `.venv/bin/pip --version`",
        [str(shims / "pip"), "--version"],
        [str(proj / ".venv" / "bin" / "pip"), "--version"],
        deep(proj, 1),
    )

    def with_path(dirs: list[Path]) -> dict[str, str]:
        entries = [shims, *dirs, base.bin, Path("/usr/bin"), Path("/bin")]
        return {**env, "PATH": os.pathsep.join(map(str, entries))}

    paths: dict[int, Case] = {}
    for n in PATH_LENGTHS:
        extra = [work / "empty" / f"p{i}" for i in range(n - 4)]
        for d in extra:
            d.mkdir(parents=True, exist_ok=True)
        paths[n] = case(
            f"path-{n}",
            f"isolated fallback, `PATH` of {n} entries",
            [shim, *p],
            [iso, *p],
            plain,
            with_path(extra),
        )
    # A real PATH holds big directories (/usr/bin: about a thousand programs) before
    # the one with the interpreter; the empty ones above only show the per-entry cost.
    big = work / "big"
    if not big.exists():
        big.mkdir()
        for i in range(1000):
            (big / f"tool{i}").touch(mode=0o755)
    big_case = case(
        "path-big",
        "isolated fallback, `PATH` of 5 entries, one a dir of 1000 programs before the base",
        [shim, *p],
        [iso, *p],
        plain,
        with_path([big]),
    )
    envs: dict[int, Case] = {}
    for n in ENV_COUNTS:
        label = (
            f"{name}: isolated fallback, {n} cached environment{'s' if n > 1 else ''} "
            f"(the real one{f' and {n - 1} fake ones with their records' if n > 1 else ''})"
        )
        why, run = problem, None
        if not why:
            try:
                run = make_pyrun(work, base, f"{flavour}-envs{n}", [], flavour)
            except SetupFailed as failed:
                why = str(failed)
        if why or run is None:
            envs[n] = Case(f"{flavour}-envs-{n}", label, None, None, problem=why, flavour=flavour)
            continue
        add_fake_envs(run, base, work, n)
        envs[n] = Case(
            f"{flavour}-envs-{n}",
            label,
            Cmd([str(run.shims / "python"), *p], run.env, plain),
            Cmd([str(run.isolated_python), *p], run.env, plain),
            flavour=flavour,
            shown_env=("PYRUN_SHIM", "PATH"),
        )
    result = Flavour(
        flavour, problem, main_run, steps, depth_venv, depth_iso, pip, paths, big_case, envs
    )
    for each in result.cases() if problem else []:
        each.problem, each.a, each.b = problem, None, None
    return result


# -- output ------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def row(case: Case) -> str:
    if case.problem or not case.a_ns:
        return f"| {case.label} | not measured: {case.problem or 'no result'} | | | | | | |"
    r = case.ratios()
    return (
        f"| {case.label} | **{statistics.median(r):.3f}** | {pct(r, 0.05):.3f}-{pct(r, 0.95):.3f} "
        f"| {min(r):.3f}-{max(r):.3f} | {statistics.median(case.diffs_ms()):+.2f} "
        f"| {statistics.median(case.a_ns) / 1e6:.2f} | {statistics.median(case.b_ns) / 1e6:.2f} "
        f"| {len(r)} |"
    )


HEADER = (
    "| case | ratio, median | p5-p95 | min-max | A-B ms, median | A ms | B ms | pairs |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def med_ratio(case: Case) -> float:
    return statistics.median(case.ratios()) if case.a_ns and not case.problem else float("nan")


def med_diff(case: Case) -> float:
    return statistics.median(case.diffs_ms()) if case.a_ns and not case.problem else float("nan")


def slope(points: list[tuple[float, float]]) -> float:
    xs, ys = zip(*points)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else float("nan")


def shown(cmd: Cmd, keys: tuple[str, ...], work: Path) -> str:
    env = " ".join(f"{k}={shlex.quote(cmd.env[k])}" for k in keys if k in cmd.env)
    text = f"cd {shlex.quote(str(cmd.cwd))} && {env + ' ' if env else ''}{shlex.join(cmd.argv)}"
    text = text.replace(str(work), "$W")
    text = re.sub(r"((?:/d){4,})", lambda m: f"/d/.../d ({len(m[1]) // 2} levels)", text)
    return re.sub(
        r"\$W/empty/p0(?::\$W/empty/p\d+)*:\$W/empty/p(\d+)",
        lambda m: f"$W/empty/p0:...:$W/empty/p{m[1]} ({int(m[1]) + 1} empty dirs)",
        text,
    )


def svg_plot(panels: list[dict], path: Path) -> None:
    """A hand-written SVG: one panel per dict(title, xlabel, series={name: [(x, y)]}).
    Points that are not numbers (a case not measured) and empty series are left out; the
    legend, one line per series at the top left, gets headroom above the data."""
    width, height, pad = 420, 300, 50
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(panels)}" '
        f'height="{height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width * len(panels)}" height="{height}" fill="white"/>',
    ]
    for p, panel in enumerate(panels):
        ox = p * width
        shown_series = {
            name: kept
            for name, series in panel["series"].items()
            if (kept := [(x, y) for x, y in series if math.isfinite(x) and math.isfinite(y)])
        }
        pts = [xy for s in shown_series.values() for xy in s]
        if not pts:
            continue
        xmax = max(x for x, _ in pts) or 1
        ys = [*(y for _, y in pts), 0.98, 1.05]
        ymin, top = min(ys), max(ys) + 0.02
        legend = (14 * len(shown_series) + 6) / (height - 1.8 * pad)  # its share of the height
        ymax = ymin + (top - ymin) / (1 - legend)

        def sx(x: float, ox: int = ox, xmax: float = xmax) -> float:
            return ox + pad + (width - 1.6 * pad) * x / xmax

        def sy(y: float, ymin: float = ymin, ymax: float = ymax) -> float:
            return height - pad - (height - 1.8 * pad) * (y - ymin) / (ymax - ymin)

        x0, x1, y0, y1 = sx(0), sx(xmax), sy(ymin), sy(ymax)
        parts.append(
            f'<text x="{ox + width / 2}" y="18" text-anchor="middle" font-size="13">'
            f"{panel['title']}</text>"
        )
        parts.append(
            f'<path d="M{x0:.1f},{y1:.1f} V{y0:.1f} H{x1:.1f}" stroke="black" fill="none"/>'
        )
        steps = 5
        for i in range(steps + 1):
            yv = ymin + (ymax - ymin) * i / steps
            parts.append(
                f'<text x="{x0 - 4:.1f}" y="{sy(yv) + 4:.1f}" text-anchor="end">{yv:.2f}</text>'
            )
            xv = xmax * i / steps
            parts.append(
                f'<text x="{sx(xv):.1f}" y="{y0 + 14:.1f}" text-anchor="middle">{xv:.0f}</text>'
            )
        parts.append(
            f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{sy(1.05):.1f}" y2="{sy(1.05):.1f}" '
            'stroke="gray" stroke-dasharray="4,3"/>'
            f'<text x="{x1:.1f}" y="{sy(1.05) - 3:.1f}" text-anchor="end" fill="gray">'
            "target 1.05x</text>"
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{panel['xlabel']}</text>"
            f'<text transform="translate({ox + 12},{(y0 + y1) / 2:.1f}) rotate(-90)" '
            'text-anchor="middle">shim / direct, median ratio</text>'
        )
        for i, (name, series) in enumerate(shown_series.items()):
            color = colors[i % len(colors)]
            d = " ".join(
                f"{'M' if j == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}"
                for j, (x, y) in enumerate(series)
            )
            parts.append(f'<path d="{d}" stroke="{color}" fill="none" stroke-width="2"/>')
            for x, y in series:
                parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{color}"/>')
            parts.append(
                f'<text x="{x0 + 8:.1f}" y="{y1 + 14 + 14 * i:.1f}" fill="{color}">{name}</text>'
            )
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def gap(cases: list[Case]) -> str:
    """Why a target cannot be judged: the first of its cases that has no result."""
    for case in cases:
        if case.problem or not case.a_ns:
            return f"**not measured** ({case.label}: {case.problem or 'no result'})"
    return ""


def targets(f: Flavour) -> list[str]:
    """The targets, judged for one flavour, as Markdown list items."""
    if f.problem:
        return [f"- {f.name}: every target **not measured**: {f.problem}."]
    lines = []
    at = [*f.steps, f.depth_venv[1], f.depth_venv[15], f.depth_iso[1], f.depth_iso[15]]
    what = "Steady state at most 1.05x at depth 1 and 15 for every step"
    if gap(at):
        lines.append(f"- {f.name}: {what}: {gap(at)}.")
    else:
        worst = max(at, key=med_ratio)
        ok = all(med_ratio(c) <= 1.05 for c in at)
        lines.append(
            f"- {f.name}: {what}: **{'met' if ok else 'not met'}** (worst: "
            f"{worst.label.removeprefix(f.name + ': ')}, {med_ratio(worst):.3f}x, "
            f"{med_diff(worst):+.2f} ms)."
        )
    for name, series, unit in (
        ("`PATH` length", f.paths, "entry"),
        ("cached environments", f.envs, "environment"),
    ):
        keys = sorted(series)
        what = f"Flat in {name} ({keys[0]} to {keys[-1]})"
        if gap(list(series.values())):
            lines.append(f"- {f.name}: {what}: {gap(list(series.values()))}.")
            continue
        lo_c, hi_c = series[keys[0]], series[keys[-1]]
        change = med_ratio(hi_c) - med_ratio(lo_c)
        per = slope([(k, med_diff(series[k])) for k in keys]) * 1000
        flat = abs(change) <= 0.02
        lines.append(
            f"- {f.name}: {what}: **{'met' if flat else 'not met'}** "
            f"({med_ratio(lo_c):.3f}x to {med_ratio(hi_c):.3f}x, {change:+.3f}; "
            f"fitted {per:+.1f} µs per {unit}; flat means within ±0.02x)."
        )
    for name, series in (("`.venv`", f.depth_venv), ("isolated fallback", f.depth_iso)):
        what = f"Linear and small in depth, {name}"
        if gap(list(series.values())):
            lines.append(f"- {f.name}: {what}: {gap(list(series.values()))}.")
            continue
        per = slope([(d, med_diff(series[d])) for d in DEPTHS]) * 1000
        first, top = med_ratio(series[1]), med_ratio(series[DEPTHS[-1]])
        small = top - first <= 0.05
        lines.append(
            f"- {f.name}: {what}: **{'met' if small else 'not met'}** "
            f"(fitted {per:+.1f} µs per level; {first:.3f}x at depth 1, {top:.3f}x at "
            f"depth {DEPTHS[-1]}; small means the {DEPTHS[-1] - 1} more levels add at most "
            "0.05x)."
        )
    return lines


def for_scale(floor_case: Case, by: dict[str, Flavour]) -> str:
    """The floor against what each flavour adds at `.venv` depth 1."""
    if gap([floor_case]):
        return f"- For scale: the `#!/bin/sh` floor is {gap([floor_case])}."
    floor_r, floor_d = med_ratio(floor_case), med_diff(floor_case)
    text = (
        f"- For scale: a `#!/bin/sh` script that does nothing but `exec` costs "
        f"{floor_r:.3f}x ({floor_d:+.2f} ms) by itself; "
    )
    sh_case = by["sh"].depth_venv[1]
    if gap([sh_case]):
        text += "the sh shim was not measured; "
    else:
        text += (
            f"the sh shim's discovery adds {med_diff(sh_case) - floor_d:+.2f} ms to that at "
            "`.venv` depth 1; "
        )
    c_case = by["c"].depth_venv[1]
    if gap([c_case]):
        return text + f"the compiled shim was not measured ({by['c'].problem or c_case.problem})."
    return text + (
        f"the compiled shim, no shell at all, costs {med_ratio(c_case):.3f}x "
        f"({med_diff(c_case):+.2f} ms) in all there."
    )


def rows(f: Flavour, cases: list[Case], prefix: str = "") -> list[str]:
    """Table rows for one flavour's cases; one problem row when it could not be set up."""
    if f.problem:
        return [f"| {prefix}{f.name}: every case | not measured: {f.problem} | | | | | | |"]
    return [row(c).replace(f"| {f.name}:", f"| {prefix}{f.name}:", 1) for c in cases]


def compare(
    work: Path,
    base: Base,
    proj: Path,
    conda: Path,
    timing: tuple[int, float, int, int],
    devnull: int,
    began: float,
) -> None:
    """--before: this checkout's compiled shim against REF's, case by case, back to back."""
    after = flavour_cases(work, base, "c", proj, conda)
    before = flavour_cases(work, base, BEFORE, proj, conda)
    for f in (after, before):
        if f.problem:
            sys.exit(f"bench: {f.name} could not be set up: {f.problem}")
    pairs = list(zip(after.cases(), before.cases()))
    for a, b in pairs:
        check(a)
        check(b)
    warmups, budget, lo, hi = timing
    print(f"bench: timing {len(pairs)} cases, each for both builds", file=sys.stderr)
    for i, (a, b) in enumerate(pairs):
        for case in (a, b) if i % 2 == 0 else (b, a):
            if not case.problem:
                measure(case, warmups, budget, lo, hi, devnull)
        print(
            f"bench: [{i + 1}/{len(pairs)}] {a.key}: {med_ratio(a):.3f}x after, "
            f"{med_ratio(b):.3f}x before",
            file=sys.stderr,
        )
    load = os.getloadavg()
    print(
        f"Compiled shim, this checkout (after) against {BEFORE_SOURCE['ref']}'s "
        f"shims/shim.c (before), built with `{' '.join(compiled_shim.FLAGS)}` (after) and "
        f"`{' '.join(BEFORE_FLAGS)}` (before) and "
        f"the same shim_config.h; {warmups} warm-up pairs then up to {hi} interleaved "
        f"pairs per case and build, the two builds of a case timed back to back (which "
        f"first alternates); load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"at the end; {time.monotonic() - began:.0f} s in all. Ratio: through the shim "
        "over the same interpreter started directly, per pair, median.\n"
    )
    print("| case | after | before | after/before | A-B ms after | A-B ms before |")
    print("| --- | --- | --- | --- | --- | --- |")
    quotients = []
    for a, b in pairs:
        label = a.label.removeprefix(f"{after.name}: ")
        if gap([a, b]):
            print(f"| {label} | not measured: {gap([a, b])} | | | | |")
            continue
        q = med_ratio(a) / med_ratio(b)
        quotients.append(q)
        print(
            f"| {label} | {med_ratio(a):.3f} | {med_ratio(b):.3f} | {q:.3f} "
            f"| {med_diff(a):+.2f} | {med_diff(b):+.2f} |"
        )
    if quotients:
        print(
            f"\nafter/before over {len(quotients)} cases: median "
            f"{statistics.median(quotients):.3f}, min {min(quotients):.3f}, "
            f"max {max(quotients):.3f}."
        )


# -- main --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument("--warmups", type=int, help="warm-up pairs per case (20; quick 3)")
    parser.add_argument("--seconds", type=float, help="time per case (6; quick 0.4)")
    parser.add_argument("--max-pairs", type=int, help="at most this many pairs (400; quick 20)")
    parser.add_argument("--min-pairs", type=int, help="at least this many pairs (60; quick 8)")
    parser.add_argument("--svg", help="write the plot here (default: bench/shims.svg, quick: none)")
    parser.add_argument("--mise", help="use this mise binary instead of installing one")
    parser.add_argument(
        "--before",
        metavar="REF",
        help="only the compiled shim, this checkout's against git REF's shims/shim.c and flags",
    )
    args = parser.parse_args()
    if args.before:
        root = Path(__file__).resolve().parents[1]
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"{args.before}:shims/shim.c"],
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.returncode != 0:
            sys.exit(f"bench: no shims/shim.c at {args.before}: {last_line(shown.stderr)}")
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", args.before],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        BEFORE_SOURCE.update(ref=f"{args.before} ({rev})", source=shown.stdout)
        BEFORE_FLAGS.extend(flags_at(root, args.before))
        FLAVOURS[BEFORE] = f"compiled shim at {args.before}"
    warmups = args.warmups if args.warmups is not None else (3 if args.quick else 20)
    budget = args.seconds if args.seconds is not None else (0.4 if args.quick else 6.0)
    hi = args.max_pairs or (20 if args.quick else 400)
    lo = args.min_pairs or (8 if args.quick else 60)
    svg = args.svg or (None if args.quick else str(Path(__file__).with_name("shims.svg")))

    real = real_python("3.11")
    if real is None:
        sys.exit("bench: no CPython 3.11 to build a throwaway base from")
    began = time.monotonic()
    here = os.getcwd()
    work = Path(tempfile.mkdtemp(prefix="pyrun-bench-shims-")).resolve()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        base = make_base(work, real, "3.11")
        (base.bin / "python").symlink_to(base.python.name)  # as pyenv's builds have
        version = real.resolve().parent.parent.name
        plain = work / "plain"
        plain.mkdir()
        print("bench: setting up", file=sys.stderr)
        proj = work / "proj"
        venv(base, proj / ".venv", home_env(work, "setup"), pip=True)
        conda = work / "conda" / "envs" / "bench"
        (conda / "bin").mkdir(parents=True)
        (conda / "bin" / "python3").symlink_to(base.python)
        (conda / "conda-meta").mkdir()  # what makes it a conda environment (issue #14)
        if args.before:
            compare(work, base, proj, conda, (warmups, budget, lo, hi), devnull, began)
            return
        flavours = [flavour_cases(work, base, f, proj, conda) for f in FLAVOURS]  # c first
        by = {f.flavour: f for f in flavours}
        for f in flavours:
            if f.problem:
                print(f"bench: {f.name} not measured: {f.problem}", file=sys.stderr)
        ready = next((f.pyrun for f in flavours if f.pyrun), None)
        if ready is None:
            sys.exit("bench: no shim flavour could be set up")
        iso = str(ready.isolated_python)
        floor = work / "floor-shim"
        floor.write_text(f'#!/bin/sh\nexec {shlex.quote(iso)} "$@"\n')
        floor.chmod(0o755)
        p = ["-c", "pass"]
        floor_case = Case(
            "floor",
            "floor: a 2-line `#!/bin/sh` script that only `exec`s the isolated python",
            Cmd([str(floor), *p], ready.env, plain),
            Cmd([iso, *p], ready.env, plain),
            shown_env=("PATH",),
        )
        print("bench: setting up the peers", file=sys.stderr)
        peers = [
            pyenv_case(work, base, version),
            mise_case(work, base, version, args.mise),
            uv_case(work, base),
        ]

        everything = [*(c for f in flavours for c in f.cases()), floor_case, *peers]
        for case in everything:
            check(case)
        live = [c for c in everything if not c.problem]
        print(f"bench: timing {len(live)} cases", file=sys.stderr)
        for i, case in enumerate(live):
            measure(case, warmups, budget, lo, hi, devnull)
            print(
                f"bench: [{i + 1}/{len(live)}] {case.key}: {med_ratio(case):.3f}x",
                file=sys.stderr,
            )
        os.chdir(here)
        load = os.getloadavg()[0]
        elapsed = time.monotonic() - began

        # -- report ---------------------------------------------------------------
        print(
            f"Shim overhead, CPython {version} (throwaway base), `/bin/sh` is "
            f"{os.path.realpath('/bin/sh')}; {warmups} warm-up pairs then up to {hi} "
            f"interleaved pairs per case; load average {load:.1f} at the end; "
            f"{elapsed:.0f} s in all. A is through the shim or peer, B the same "
            "interpreter started directly; the ratio is per pair (A/B). Every pyrun case "
            "is run with both shim flavours: the compiled shim (`PYRUN_SHIM=c`, "
            "shims/shim.c) and the sh shim (`PYRUN_SHIM=sh`, shims/shim.sh).\n"
        )
        print("### Each discovery step (`python -c pass`)\n")
        print(HEADER)
        for f in flavours:
            step_rows = [
                *f.steps,
                f.depth_venv[1],
                f.depth_venv[15],
                f.depth_venv[50],
                f.depth_iso[1],
                f.pip,
            ]
            print("\n".join(rows(f, step_rows)))
        print(row(floor_case))
        print("\n### Peers doing the same job (`python -c pass`)\n")
        print(HEADER)
        for f in flavours:
            print("\n".join(rows(f, [f.depth_venv[1], f.depth_iso[1]], "pyrun ")))
        for case in peers:
            print(row(case))
        print("\n### Scaling\n")
        print(HEADER)
        for f in flavours:
            scaling = [
                *f.depth_venv.values(),
                *f.depth_iso.values(),
                *f.paths.values(),
                f.big,
                *f.envs.values(),
            ]
            print("\n".join(rows(f, scaling)))

        # -- targets --------------------------------------------------------------
        print("\n### Targets\n")
        for f in flavours:
            print("\n".join(targets(f)))
        print(for_scale(floor_case, by))

        print("\n### Command lines\n")
        print(f"`$W` is the temporary directory ({work.name} this run). A, then B:\n")
        for case in everything:
            if case.a is None or case.b is None:
                continue
            print(f"- {case.label}:")
            print(f"  `{shown(case.a, case.shown_env, work)}` /")
            print(f"  `{shown(case.b, case.shown_env, work)}`")
        if svg:
            short = {"c": "compiled", "sh": "sh"}
            measured = [f for f in flavours if not f.problem]
            depth_series = {}  # .venv (compiled), .venv (sh), isolated (compiled), ...
            for kind in (".venv", "isolated"):
                for f in measured:
                    series = f.depth_venv if kind == ".venv" else f.depth_iso
                    depth_series[f"{kind} ({short[f.flavour]})"] = [
                        (d, med_ratio(series[d])) for d in DEPTHS
                    ]
            svg_plot(
                [
                    {
                        "title": "Cost against directory depth",
                        "xlabel": "levels between the cwd and the project (or /plain)",
                        "series": depth_series,
                    },
                    {
                        "title": "Cost against PATH length",
                        "xlabel": "PATH entries (isolated fallback)",
                        "series": {
                            f"{short[f.flavour]} shim": [
                                (n, med_ratio(f.paths[n])) for n in PATH_LENGTHS
                            ]
                            for f in measured
                        },
                    },
                ],
                Path(svg),
            )
            print(f"\nPlot written to {svg}.", file=sys.stderr)
    finally:
        os.chdir(here)
        os.close(devnull)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
