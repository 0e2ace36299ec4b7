"""Hook cost per prompt in bash, zsh and fish: pyrun against direnv and mise, measured
the same way, and checked against issue #13's targets.

Why: a prompt hook runs before every prompt of every shell the user opens, so its
cost is paid all day. pyrun's claim is that an unchanged prompt starts no process and
that a change (a `cd`, an activation, a `.venv` that appears) costs one run of its
compiled binary at most; this bench measures both, beside the two tools that do the
same job with a binary at every prompt, and prints whether the targets are met.

Each tool's hook is set up as its README says (``eval "$(pyrun hook bash)"``,
``pyrun hook fish | source``, ``eval "$(direnv hook zsh)"``, ``mise activate fish |
source`` ...) in an interactive shell with the tool's own throwaway HOME and XDG
directories; only the public hook is used, so the bench measures whatever hook
``pyrun hook`` prints. The drivers (bench/prompt_shells.py) then play what the shell
does before each prompt in five situations, and time batches of prompts with the
shell's own clock. pyrun runs twice: with its compiled shims, and with the POSIX sh
shims (``PYRUN_SHIM=sh``, as when no C compiler is found), each with its own data
directory in the temp dir. A run with no hook at all is the baseline: the tables give
each hook's cost over it.

Each round starts one shell per shell kind and tool, tools in rotated order
(interleaved); the tables give the median and min-max of the per-prompt time over the
rounds. Processes per prompt come from one more run per shell and tool under
``strace -f`` (process-creating ``clone``/``fork`` calls and successful ``execve``,
between marker files the driver opens), minus what the no-hook run starts (nothing,
so far: the `.venv` that appears is renamed by a thread of this script, asked over a
FIFO). Before timing, each driver walks every
situation twice and prints ``PYRUN_ENV_NAME`` after each step; for pyrun the bench
compares it with ``pyrun which python --json``'s label, so a cheap hook that misses a
change shows up as one.

No real Python is changed: the plain directories resolve to the ``python3`` on
``PATH`` (/usr/bin), which pyrun's Python side runs once, at the first prompt that
meets it, to learn its version (a note in the temp data directory; the warm-up, not
the timed batches, pays for it); the ``.venv`` and the activated venv are directories
with a ``pyvenv.cfg`` and a ``bin/python`` link that no hook runs.

Peers are installed by this script into its temporary directory: mise with
``npm install --prefix`` (``@jdxcode/mise-linux-x64``), run with ``MISE_OFFLINE=1``;
direnv from the Debian package when it is missing and we are root. A peer that cannot
be installed or run is reported as such.

    .venv/bin/python bench/prompt.py [--rounds N] [--prompts N] [--shells bash,zsh,fish]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.peers import last_line
from bench.prompt_report import Results, report
from bench.prompt_shells import SHELLS, SITUATIONS, Shell, fish_results
from bench.prompt_tools import Tool, home_env, make_direnv, make_mise, make_pyrun
from bench.prompt_trace import count_trace


def make_tree(work: Path) -> dict[str, Path]:
    """Two plain directories, a project with a `.venv`, a venv to activate, and a
    project whose `.venv` is renamed in and out (`.venv-off` at rest)."""
    dirs = {
        "A": work / "dirs" / "a",
        "B": work / "dirs" / "b",
        "P": work / "dirs" / "project",
        "G": work / "dirs" / "grow",
        "VENV": work / "envs" / "act",
    }
    for where in ("A", "B"):
        dirs[where].mkdir(parents=True)
    fake_venv(dirs["P"] / ".venv")
    fake_venv(dirs["G"] / ".venv-off")
    fake_venv(dirs["VENV"])
    (work / "mark").mkdir()
    for name in [*(f"begin-{s}" for s in SITUATIONS), "end"]:
        (work / "mark" / name).touch()
    return dirs


def fake_venv(where: Path) -> None:
    """A venv as the hooks and resolvers see one: pyvenv.cfg and bin/python -> the
    system python3, which nothing here runs (the resolvers never run an interpreter
    found in a directory)."""
    (where / "bin").mkdir(parents=True)
    (where / "pyvenv.cfg").write_text(
        "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"
    )
    (where / "bin" / "python").symlink_to("/usr/bin/python3")
    (where / "bin" / "python3").symlink_to("python")


def reset_grow(dirs: dict[str, Path]) -> None:
    """A driver that died between the two renames leaves `.venv` in place: undo it."""
    grow = dirs["G"]
    if (grow / ".venv").exists() and not (grow / ".venv-off").exists():
        (grow / ".venv").rename(grow / ".venv-off")


class Renamer:
    """The other process of the ``appear`` situation: a thread of the bench that renames
    the prepared ``.venv`` in (``in``) or out (``out``) when the driver asks over one
    FIFO, and says it is done over another, so the shell starts no process for it."""

    def __init__(self, work: Path, grow: Path) -> None:
        Renamer.serial += 1
        self.req = work / f"fifo-req-{Renamer.serial}"
        self.ack = work / f"fifo-ack-{Renamer.serial}"
        os.mkfifo(self.req)
        os.mkfifo(self.ack)
        self.grow = grow
        self.thread = threading.Thread(target=self.serve, daemon=True)

    serial = 0

    def serve(self) -> None:
        while True:
            with open(self.req) as req:
                asked = req.read().strip()
            if asked not in ("in", "out"):
                return
            on, off = self.grow / ".venv", self.grow / ".venv-off"
            # Answered even when the rename fails: a driver must not wait forever.
            with contextlib.suppress(OSError):
                off.rename(on) if asked == "in" else on.rename(off)
            with open(self.ack, "w") as ack:
                ack.write("done\n")

    def __enter__(self) -> Renamer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Wake the thread where it waits for a request; a thread stuck elsewhere (a
        # driver that died between request and answer) is a daemon and is left.
        try:
            fd = os.open(self.req, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        with os.fdopen(fd, "w") as req:
            req.write("quit\n")
        self.thread.join(timeout=5)


@dataclass
class Run:
    """What one driver run printed: timings, labels, or why it failed."""

    times: list[tuple[str, float, int]] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # ("situation odd", name)
    problem: str = ""


def run_driver(
    shell: Shell,
    tool: Tool,
    work: Path,
    dirs: dict[str, Path],
    mode: str,
    n: int,
    trace: Path | None = None,
) -> Run:
    """One interactive shell with `tool`'s hook, through every situation once."""
    setup = work / f"setup-{tool.name}.{shell.name}"
    setup.write_text(shell.setup(tool.kind, tool.exe) + "\n")
    driver = work / f"driver.{shell.name}"
    driver.write_text(shell.script)
    reset_grow(dirs)
    env = {
        **tool.env,
        **{f"BENCH_{key}": str(value) for key, value in dirs.items()},
        "BENCH_SETUP": str(setup),
        "BENCH_MODE": mode,
        "BENCH_N": str(n),
        "BENCH_ORDER": " ".join(SITUATIONS),
        "BENCH_MARK": str(work / "mark"),
    }
    argv = shell.command(driver)
    if trace is not None:
        calls = "clone,clone3,fork,vfork,execve,openat"
        argv = ["strace", "-f", "-qq", "-e", f"trace={calls}", "-o", str(trace), *argv]
    with Renamer(work, dirs["G"]) as renamer:
        env["BENCH_REQ"], env["BENCH_ACK"] = str(renamer.req), str(renamer.ack)
        try:
            done = subprocess.run(
                argv,
                env=env,
                cwd=work,
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return Run(problem=f"{shell.name} driver did not finish in 10 minutes")
    return parse_run(shell, tool, done)


def parse_run(shell: Shell, tool: Tool, done: subprocess.CompletedProcess[str]) -> Run:
    run = Run()
    if done.returncode != 0:
        run.problem = f"{shell.name} driver failed ({done.returncode}): {last_line(done.stderr)}"
        return run
    if tool.kind != "none" and "HOOKED yes" not in done.stdout:
        run.problem = f"its hook registered nothing in {shell.name}: {last_line(done.stderr)}"
        return run
    for line in done.stdout.splitlines():
        words = line.split(" ", 3)
        if words[0] == "RESULT" and len(words) == 4:
            run.times.append((words[1], float(words[2]), int(words[3])))
        elif words[0] == "LABEL" and len(words) >= 3:
            run.labels.append((f"{words[1]} {words[2]}", words[3] if len(words) > 3 else ""))
    if shell.name == "fish":
        run.times = fish_results(done.stderr)
    return run


def check_labels(tool: Tool, run: Run) -> list[str]:
    """Each step where the hook's PYRUN_ENV_NAME is not `pyrun which`'s label."""
    wrong = []
    for step, seen in run.labels:
        want = tool.expected.get(step)
        if want is not None and seen != want:
            wrong.append(f"{step}: {seen!r}, not {want!r}")
    return sorted(set(wrong))


def measure(args: argparse.Namespace, work: Path, dirs: dict, tools: list[Tool]) -> Results:
    shells = [SHELLS[name] for name in args.shells]
    results = Results(shells=[s.name for s in shells], tools=tools)
    for round_ in range(args.rounds):
        print(f"bench: round {round_ + 1} of {args.rounds}", file=sys.stderr)
        for shell in shells:
            live = [tool for tool in tools if not results.problem(shell.name, tool.name)]
            shift = round_ % len(live) if live else 0
            for tool in live[shift:] + live[:shift]:
                run = run_driver(shell, tool, work, dirs, "time", args.prompts)
                results.add_run(shell.name, tool.name, run.problem, run.times)
                results.add_labels(shell.name, tool.name, check_labels(tool, run))
    if shutil.which("strace") is None:
        results.no_strace = True
        return results
    for shell in shells:
        for tool in tools:
            if results.problem(shell.name, tool.name):
                continue
            trace = work / f"trace-{shell.name}-{tool.name}.txt"
            run = run_driver(shell, tool, work, dirs, "count", args.count_prompts, trace)
            if run.problem or not trace.exists():
                results.add_run(shell.name, tool.name, f"under strace: {run.problem}", [])
                continue
            counted = count_trace(trace.read_text(errors="replace"), str(work / "mark"))
            results.add_counts(shell.name, tool.name, counted, args.count_prompts)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--prompts", type=int, default=60, help="prompts per timed batch")
    parser.add_argument("--count-prompts", type=int, default=20, help="prompts under strace")
    parser.add_argument("--shells", default="bash,zsh,fish", help="comma-separated")
    parser.add_argument("--mise", help="use this mise binary instead of installing one")
    args = parser.parse_args()
    args.shells = [name for name in args.shells.split(",") if name]
    unknown = [name for name in args.shells if name not in SHELLS]
    missing = [name for name in args.shells if shutil.which(name) is None]
    if unknown or missing:
        parser.error(f"unknown shells {unknown}, not installed {missing}")
    # An even number of steps ends where the batch started, so batches follow each other.
    args.prompts += args.prompts % 2
    args.count_prompts += args.count_prompts % 2

    work = Path(tempfile.mkdtemp(prefix="pyrun-bench-prompt-"))
    try:
        dirs = make_tree(work)
        none = Tool("none", "no hook (baseline)", "none", "", home_env(work, "none"))
        tools = [
            none,
            make_pyrun(work, dirs, sh=False),
            make_pyrun(work, dirs, sh=True),
            make_direnv(work),
            make_mise(work, args.mise),
        ]
        load = os.getloadavg()[0]
        results = measure(args, work, dirs, tools)
        # A fork costs several times as much on a busy machine: say how busy it was.
        results.load = (load, os.getloadavg()[0], os.cpu_count() or 0)
        report(results, args, {name: SHELLS[name].version() for name in args.shells})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
