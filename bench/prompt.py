"""Hook cost per prompt in bash: pyrun against direnv and mise, measured the same way.

Each tool's hook is set up as its README says (``eval "$(pyrun hook bash)"``,
``eval "$(direnv hook bash)"``, ``eval "$(mise activate bash)"``) in an interactive
bash (``bash -i`` on a driver script, so ``$-`` has ``i``) with its own throwaway HOME
and XDG directories. The driver then plays what bash does before each prompt: every
entry of ``PROMPT_COMMAND`` (string or array), then the expansion of ``PS1``. It times
a batch of such prompts with ``$EPOCHREALTIME`` in three situations:

- *same directory*: prompt after prompt, nothing changed (the cost every Enter pays);
- *cd each time*: ``cd`` to the other of two plain directories, then the prompt (so a
  hook that wraps ``cd``, like mise's, is charged for it too);
- *cd to a .venv*: the same between a plain directory and a project with a ``.venv``
  (pyrun's hook then checks who controls the ``.venv``: one ``ls`` in bash).

A baseline with no hook at all shows what the driver and ``cd`` cost by themselves.
Each round starts one bash per tool, in rotated order (interleaved), and times one
batch per situation; the table gives the median and min-max of the per-prompt time
over the rounds. Processes per prompt are counted in a separate run under
``strace -f`` (process-creating ``clone``/``fork`` calls and successful ``execve``).

Peers are installed by this script into its temporary directory: mise with
``npm install --prefix`` (the ``@jdxcode/mise-linux-x64`` package) and run with
``MISE_OFFLINE=1``; direnv from the Debian package when it is missing and we are root.
A peer that cannot be installed or run is reported as such in the output.

    .venv/bin/python bench/prompt.py [--rounds N] [--prompts N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import PYRUN

from bench.peers import install_mise, last_line

SCENARIOS = {
    "same": "same directory",
    "cd": "`cd` to the other directory, then the prompt",
    "venv": "`cd` between a plain directory and a project with a `.venv`, then the prompt",
}

DRIVER = r"""
set +H
cd -- "$BENCH_A" || exit 3
PS1='\u@\h:\w\$ '
source "$BENCH_SETUP"
echo "PROMPT_COMMAND_IS $(declare -p PROMPT_COMMAND 2>/dev/null | tr '\n' ' ')"

# What bash does before showing a prompt: each PROMPT_COMMAND entry (a string is one
# entry), then PS1's expansion. No locals: hooks run in the caller's dynamic scope.
_bench_prompt() {
    _bench_pc=("${PROMPT_COMMAND[@]}")
    for _bench_c in "${_bench_pc[@]}"; do
        eval "$_bench_c"
    done
    _bench_ps1=${PS1@P}
}

_bench_same() {
    for ((_bench_i = 0; _bench_i < BENCH_N; _bench_i++)); do
        _bench_prompt
    done
}

_bench_cd() {
    for ((_bench_i = 0; _bench_i < BENCH_N; _bench_i++)); do
        if ((_bench_i % 2)); then cd -- "$BENCH_A"; else cd -- "$BENCH_B"; fi
        _bench_prompt
    done
}

_bench_venv() {
    for ((_bench_i = 0; _bench_i < BENCH_N; _bench_i++)); do
        if ((_bench_i % 2)); then cd -- "$BENCH_A"; else cd -- "$BENCH_P"; fi
        _bench_prompt
    done
}

for ((_bench_i = 0; _bench_i < 5; _bench_i++)); do _bench_prompt; done
cd -- "$BENCH_B"; _bench_prompt; cd -- "$BENCH_A"; _bench_prompt; _bench_prompt

for _bench_s in $BENCH_ORDER; do
    if [[ $BENCH_MODE == count ]]; then
        : <"$BENCH_MARK/begin"
        "_bench_$_bench_s"
        : <"$BENCH_MARK/end"
        echo "COUNTED $_bench_s $BENCH_N"
    else
        _bench_t0=${EPOCHREALTIME/[.,]/}
        "_bench_$_bench_s"
        _bench_t1=${EPOCHREALTIME/[.,]/}
        echo "RESULT $_bench_s $((_bench_t1 - _bench_t0)) $BENCH_N"
    fi
done
"""


@dataclass
class Tool:
    name: str
    label: str
    setup: str  # bash sourced by the driver
    env: dict[str, str]
    version: str = ""
    problem: str = ""  # why it is not measured, when it is not
    times: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, tuple[float, float]] = field(default_factory=dict)


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


def make_pyrun(work: Path) -> Tool:
    env = home_env(work, "pyrun", {"PYRUN_DATA_DIR": str(work / "pyrun-data")})
    tool = Tool("pyrun", "pyrun", f'eval "$({PYRUN} hook bash)"', env)
    done = subprocess.run([PYRUN, "--version"], capture_output=True, text=True, check=False)
    tool.version = done.stdout.strip()
    check = subprocess.run([PYRUN, "hook", "bash"], env=env, capture_output=True, text=True)
    if check.returncode != 0:
        tool.problem = f"`pyrun hook bash` failed: {last_line(check.stderr)}"
    return tool


def make_direnv(work: Path) -> Tool:
    env = home_env(work, "direnv")
    exe = shutil.which("direnv")
    if exe is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing direnv with apt-get", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "direnv"], capture_output=True, check=False, timeout=600
        )
        exe = shutil.which("direnv")
    tool = Tool("direnv", "direnv", 'eval "$(direnv hook bash)"', env)
    if exe is None:
        tool.problem = "not installed (no direnv on PATH, and apt-get could not install it)"
        return tool
    env["PATH"] = f"{Path(exe).parent}:{env['PATH']}"
    tool.setup = f'eval "$({exe} hook bash)"'
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
    tool = Tool("mise", "mise", "", env)
    if given:
        exe = Path(given)
    else:
        found, problem = install_mise(work)
        if found is None:
            tool.problem = problem
            return tool
        exe = found
    env["PATH"] = f"{exe.parent}:{env['PATH']}"
    tool.setup = f'eval "$({exe} activate bash)"'
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


def run_driver(
    tool: Tool, work: Path, mode: str, n: int, order: list[str], strace_out: Path | None = None
) -> subprocess.CompletedProcess[str]:
    setup = work / f"setup-{tool.name}.bash"
    setup.write_text(tool.setup + "\n")
    env = {
        **tool.env,
        "BENCH_A": str(work / "dirs" / "a"),
        "BENCH_B": str(work / "dirs" / "b"),
        "BENCH_P": str(work / "dirs" / "project"),
        "BENCH_SETUP": str(setup),
        "BENCH_MODE": mode,
        "BENCH_N": str(n),
        "BENCH_ORDER": " ".join(order),
        "BENCH_MARK": str(work / "mark"),
    }
    argv = ["bash", "--norc", "--noprofile", "-i", str(work / "driver.bash")]
    if strace_out is not None:
        trace = "clone,clone3,fork,vfork,execve,openat"
        argv = ["strace", "-f", "-qq", "-z", "-e", f"trace={trace}", "-o", str(strace_out), *argv]
    return subprocess.run(
        argv,
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
        stdin=subprocess.DEVNULL,
    )


def check_output(tool: Tool, done: subprocess.CompletedProcess[str]) -> bool:
    if done.returncode != 0:
        tool.problem = f"driver failed ({done.returncode}): {last_line(done.stderr)}"
        return False
    declared = next(
        (line for line in done.stdout.splitlines() if line.startswith("PROMPT_COMMAND_IS")), ""
    )
    if tool.name != "none" and "PROMPT_COMMAND" not in declared.replace("PROMPT_COMMAND_IS", ""):
        tool.problem = "its hook registered no PROMPT_COMMAND: " + last_line(done.stderr)
        return False
    return True


CLONE = re.compile(r"^\d+ +(clone3?|v?fork)\(")
EXECVE = re.compile(r"^\d+ +execve\(")


def count(tool: Tool, work: Path, n: int) -> None:
    for scenario in SCENARIOS:
        trace = work / f"trace-{tool.name}-{scenario}.txt"
        done = run_driver(tool, work, "count", n, [scenario], strace_out=trace)
        if done.returncode != 0 or not trace.exists():
            tool.problem = tool.problem or f"strace run failed: {last_line(done.stderr)}"
            return
        inside = False
        procs = execs = 0
        for line in trace.read_text(errors="replace").splitlines():
            if "openat(" in line and str(work / "mark") in line:
                inside = line.find("/mark/begin") >= 0
                continue
            if not inside or "resumed>" in line:
                continue
            if CLONE.match(line) and "CLONE_THREAD" not in line:
                procs += 1
            elif EXECVE.match(line):
                execs += 1
        tool.counts[scenario] = (procs / n, execs / n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--prompts", type=int, default=100, help="prompts per timed batch")
    parser.add_argument("--count-prompts", type=int, default=20, help="prompts under strace")
    parser.add_argument("--mise", help="use this mise binary instead of installing one")
    args = parser.parse_args()
    # An even number of `cd`s ends where the batch started, so batches follow each other.
    args.prompts += args.prompts % 2
    args.count_prompts += args.count_prompts % 2

    work = Path(tempfile.mkdtemp(prefix="pyrun-bench-prompt-"))
    try:
        (work / "driver.bash").write_text(DRIVER)
        for sub in ("dirs/a", "dirs/b", "dirs/project/.venv/bin", "mark"):
            (work / sub).mkdir(parents=True)
        # A .venv as the hook sees one (it reads pyvenv.cfg and checks who owns it; it
        # runs nothing from it); its python is not there to run, and need not be.
        (work / "dirs/project/.venv/pyvenv.cfg").write_text("home = /usr/bin\n")
        (work / "mark" / "begin").touch()
        (work / "mark" / "end").touch()
        none = Tool("none", "no hook (baseline)", ":", home_env(work, "none"))
        tools = [none, make_pyrun(work), make_direnv(work), make_mise(work, args.mise)]
        live = [tool for tool in tools if not tool.problem]
        for tool in live:
            tool.times = {scenario: [] for scenario in SCENARIOS}
        for round_ in range(args.rounds):
            shift = round_ % len(live) if live else 0
            order = list(SCENARIOS) if round_ % 2 == 0 else list(reversed(SCENARIOS))
            for tool in live[shift:] + live[:shift]:
                if tool.problem:
                    continue
                done = run_driver(tool, work, "time", args.prompts, order)
                if not check_output(tool, done):
                    continue
                for line in done.stdout.splitlines():
                    if line.startswith("RESULT "):
                        _, scenario, micros, n = line.split()
                        tool.times[scenario].append(int(micros) / int(n))
        have_strace = shutil.which("strace") is not None
        for tool in live:
            if have_strace and not tool.problem:
                count(tool, work, args.count_prompts)

        print(
            f"Hook cost per prompt in bash {bash_version()}, {args.rounds} interleaved rounds "
            f"of {args.prompts} prompts per situation; processes counted under strace over "
            f"{args.count_prompts} prompts.\n"
        )
        print(
            "| hook | situation | µs per prompt, median | min | max "
            "| processes per prompt | execve per prompt |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for tool in tools:
            name = f"{tool.label} ({tool.version})" if tool.version else tool.label
            if tool.problem or not all(tool.times.get(s) for s in SCENARIOS):
                why = tool.problem or "no result"
                print(f"| {name} | not measured: {why} | | | | | |")
                continue
            for scenario, label in SCENARIOS.items():
                values = tool.times[scenario]
                procs, execs = tool.counts.get(scenario, (float("nan"), float("nan")))
                print(
                    f"| {name} | {label} | {statistics.median(values):.0f} "
                    f"| {min(values):.0f} | {max(values):.0f} | {procs:.2f} | {execs:.2f} |"
                )
        if not have_strace:
            print("\nstrace is not installed: processes per prompt were not counted.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bash_version() -> str:
    done = subprocess.run(
        ["bash", "-c", "echo $BASH_VERSION"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


if __name__ == "__main__":
    main()
