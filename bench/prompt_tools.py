"""The tools bench/prompt.py compares, each set up with its own throwaway HOME.

Why apart: getting each tool (pyrun twice, with compiled and with sh shims; direnv;
mise from npm) ready to measure, and learning what label pyrun's reference gives in
each situation, is set-up that says nothing about how the prompt is measured. A tool
that cannot be had keeps the reason, so the tables report it instead of dropping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PYRUN

from bench.peers import install_mise, last_line


@dataclass
class Tool:
    name: str
    label: str
    kind: str  # which setup line of a shell: none, pyrun, direnv, mise
    exe: str
    env: dict[str, str]
    version: str = ""
    problem: str = ""  # why it is not measured, when it is not
    expected: dict[str, str] = field(default_factory=dict)  # step -> label (pyrun)


def home_env(work: Path, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The same clean environment for every tool, with its own HOME and XDG dirs."""
    home = work / f"home-{name}"
    for sub in (".config", ".local/share", ".cache", ".local/state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "USER": os.environ.get("USER", "bench"),
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
    }
    env.update(extra or {})
    return env


def make_pyrun(work: Path, dirs: dict[str, Path], sh: bool) -> Tool:
    name = "pyrun-sh" if sh else "pyrun"
    extra = {"PYRUN_DATA_DIR": str(work / f"data-{name}")}
    if sh:
        extra["PYRUN_SHIM"] = "sh"  # shims.py: the POSIX sh shims, no compiler
    env = home_env(work, name, extra)
    label = "pyrun, sh shims" if sh else "pyrun, compiled shims"
    tool = Tool(name, label, "pyrun", PYRUN, env)
    done = subprocess.run([PYRUN, "--version"], capture_output=True, text=True, check=False)
    tool.version = done.stdout.strip()
    made = subprocess.run([PYRUN, "rehash", "-q"], env=env, capture_output=True, text=True)
    if made.returncode != 0:
        tool.problem = f"`pyrun rehash` failed: {last_line(made.stderr)}"
        return tool
    resolver = Path(extra["PYRUN_DATA_DIR"]) / "shims" / "pyrun-resolve"
    compiled = resolver.is_symlink() and os.readlink(resolver) == ".pyrun-shim"
    if compiled == sh:
        tool.problem = f"{resolver} is not the {'sh' if sh else 'compiled'} resolver"
        return tool
    tool.expected = expected_labels(env, dirs, resolver.parent)
    return tool


def expected_labels(env: dict[str, str], dirs: dict[str, Path], shims: Path) -> dict[str, str]:
    """The label `pyrun which python --json` gives at each step of each situation (the
    reference the hooks must agree with), keyed "situation odd"."""
    path = f"{shims}:{env['PATH']}"
    venv = {"VIRTUAL_ENV": str(dirs["VENV"]), "PATH": f"{dirs['VENV']}/bin:{path}"}
    grow = dirs["G"]
    (grow / ".venv-off").rename(grow / ".venv")
    try:
        with_venv = which_label(env, grow, {"PATH": path})
    finally:
        (grow / ".venv").rename(grow / ".venv-off")
    plain = which_label(env, dirs["A"], {"PATH": path})
    return {
        "same 0": plain,
        "same 1": plain,
        "cd 0": which_label(env, dirs["B"], {"PATH": path}),
        "cd 1": plain,
        "venv 0": which_label(env, dirs["P"], {"PATH": path}),
        "venv 1": plain,
        "activate 0": which_label(env, dirs["A"], venv),
        "activate 1": plain,
        "appear 0": with_venv,
        "appear 1": which_label(env, grow, {"PATH": path}),
    }


def which_label(env: dict[str, str], cwd: Path, extra: dict[str, str]) -> str:
    done = subprocess.run(
        [PYRUN, "which", "python", "--json"],
        env={**env, **extra},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return str(json.loads(done.stdout)["label"])
    except (ValueError, KeyError):
        return f"(pyrun which failed: {last_line(done.stderr)})"


def make_direnv(work: Path) -> Tool:
    env = home_env(work, "direnv")
    exe = shutil.which("direnv")
    if exe is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing direnv with apt-get", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "direnv"], capture_output=True, check=False, timeout=600
        )
        exe = shutil.which("direnv")
    tool = Tool("direnv", "direnv", "direnv", exe or "direnv", env)
    if exe is None:
        tool.problem = "not installed (no direnv on PATH, and apt-get could not install it)"
        return tool
    env["PATH"] = f"{Path(exe).parent}:{env['PATH']}"
    done = subprocess.run([exe, "version"], env=env, capture_output=True, text=True)
    tool.version = f"direnv {done.stdout.strip()}"
    return tool


def make_mise(work: Path, given: str | None) -> Tool:
    env = home_env(
        work,
        "mise",
        {
            "MISE_OFFLINE": "1",  # no network: no version lists, no update checks
            "MISE_AUTO_INSTALL": "0",
            "MISE_NOT_FOUND_AUTO_INSTALL": "0",
        },
    )
    tool = Tool("mise", "mise", "mise", "mise", env)
    exe, problem = (Path(given), None) if given else install_mise(work)
    if exe is None:
        tool.problem = problem or "not installed"
        return tool
    if not os.access(exe, os.X_OK):
        tool.problem = f"{exe} is not an executable"
        return tool
    tool.exe = str(exe)
    env["PATH"] = f"{exe.parent}:{env['PATH']}"
    done = subprocess.run([str(exe), "--version"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tool.problem = f"does not run: {last_line(done.stderr)}"
        return tool
    tool.version = f"mise {done.stdout.split()[0]}"
    offline = subprocess.run(
        [str(exe), "settings", "get", "offline"], env=env, capture_output=True, text=True
    )
    if offline.stdout.strip() != "true":
        tool.problem = "cannot be made to run offline (MISE_OFFLINE not honoured)"
    return tool
