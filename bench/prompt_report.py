"""The tables and the target check that bench/prompt.py prints.

Why apart: the measuring (shells, strace) and the judging are read by different
people at different times; the judging is where an honest "not met" must not get lost,
so it lives in one short place. Every figure is per prompt and, for a hook, over the
no-hook run in the same shell: medians over the rounds for time; processes from the
strace run, minus what the no-hook driver itself started.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.prompt_shells import SITUATIONS
from bench.prompt_trace import Counted

CHANGES = [s for s in SITUATIONS if s != "same"]
RESOLVER = {"pyrun-resolve", ".pyrun-shim"}  # the compiled binary under its names
UNCHANGED_US = 40.0  # bash, over no hook
CHANGE_US = 1500.0  # compiled shims, bash/zsh/fish
SH_CHANGE_US = 4000.0  # sh shims


@dataclass
class PerPrompt:
    processes: float
    execs: float
    programs: dict[str, float]


@dataclass
class Results:
    shells: list[str]
    tools: list[Any]  # bench.prompt.Tool
    times: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    problems: dict[tuple[str, str], str] = field(default_factory=dict)
    wrong_labels: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    counts: dict[tuple[str, str, str], PerPrompt] = field(default_factory=dict)
    no_strace: bool = False
    load: tuple[float, float, int] = (0.0, 0.0, 0)  # 1-minute load at start, end; CPUs

    def problem(self, shell: str, tool: str) -> str:
        named = next((t for t in self.tools if t.name == tool), None)
        return (named.problem if named else "") or self.problems.get((shell, tool), "")

    def add_run(self, shell: str, tool: str, problem: str, times: list) -> None:
        if problem:
            self.problems.setdefault((shell, tool), problem)
            return
        for situation, micros, n in times:
            self.times.setdefault((shell, tool, situation), []).append(micros / n)

    def add_labels(self, shell: str, tool: str, wrong: list[str]) -> None:
        seen = self.wrong_labels.setdefault((shell, tool), [])
        seen.extend(w for w in wrong if w not in seen)

    def add_counts(self, shell: str, tool: str, counted: dict[str, Counted], n: int) -> None:
        for situation, c in counted.items():
            programs = {name: k / n for name, k in c.programs.items()}
            self.counts[(shell, tool, situation)] = PerPrompt(
                c.processes / n, c.execs / n, programs
            )

    def median(self, shell: str, tool: str, situation: str) -> float | None:
        values = self.times.get((shell, tool, situation))
        return statistics.median(values) if values else None

    def over(self, shell: str, tool: str, situation: str) -> float | None:
        mine, base = (self.median(shell, t, situation) for t in (tool, "none"))
        return None if mine is None or base is None else mine - base

    def own(self, shell: str, tool: str, situation: str) -> PerPrompt | None:
        """What the hook started per prompt beyond what the no-hook driver started."""
        mine = self.counts.get((shell, tool, situation))
        base = self.counts.get((shell, "none", situation))
        if mine is None or base is None:
            return None
        programs = Counter(mine.programs)
        programs.subtract(base.programs)
        return PerPrompt(
            mine.processes - base.processes,
            mine.execs - base.execs,
            {name: k for name, k in programs.items() if k > 1e-9},
        )


def programs_text(programs: dict[str, float]) -> str:
    return ", ".join(f"{name} {k:.2f}" for name, k in sorted(programs.items())) or "none"


def fmt(value: float | None, sign: bool = False) -> str:
    if value is None:
        return "?"
    return f"{value:+.0f}" if sign else f"{value:.0f}"


def shell_table(results: Results, shell: str) -> list[str]:
    lines = [
        "| hook | situation | µs per prompt, median | over no hook | min | max "
        "| processes per prompt | execve per prompt | programs per prompt |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for tool in results.tools:
        name = f"{tool.label} ({tool.version})" if tool.version else tool.label
        problem = results.problem(shell, tool.name)
        if problem:
            lines.append(f"| {name} | not measured: {problem} | | | | | | | |")
            continue
        for situation, text in SITUATIONS.items():
            lines.append(row(results, shell, tool.name, name, situation, text))
    return lines


def row(results: Results, shell: str, tool: str, name: str, situation: str, text: str) -> str:
    values = results.times.get((shell, tool, situation), [])
    if tool == "none":
        over = "—"
        counted = results.counts.get((shell, tool, situation))
    else:
        over = fmt(results.over(shell, tool, situation), sign=True)
        counted = results.own(shell, tool, situation)
    if counted is None:
        procs = execs = programs = "?"
    else:
        procs, execs = f"{counted.processes:.2f}", f"{counted.execs:.2f}"
        programs = programs_text(counted.programs)
    low, high = (fmt(f(values)) if values else "?" for f in (min, max))
    return (
        f"| {name} | {text} | {fmt(results.median(shell, tool, situation))} | {over} "
        f"| {low} | {high} | {procs} | {execs} | {programs} |"
    )


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "not met")


def target_lines(results: Results) -> list[str]:
    lines = []
    for shell in results.shells:
        lines.append(unchanged_target(results, shell))
    for shell in results.shells:
        for situation in CHANGES:
            lines.append(change_target(results, shell, "pyrun", situation, CHANGE_US))
    for shell in results.shells:
        for situation in CHANGES:
            lines.append(change_target(results, shell, "pyrun-sh", situation, SH_CHANGE_US))
    return lines


def label_lines(results: Results) -> list[str]:
    """Item 3 of the issue, seen from here: after each step, PYRUN_ENV_NAME is the label
    `pyrun which python --json` gives there (a hook that skips a change is cheap)."""
    lines = []
    for shell in results.shells:
        for tool in results.tools:
            if not tool.expected:
                continue
            what = f"{shell}, {tool.label}"
            if results.problem(shell, tool.name):
                lines.append(f"- not measured: {what}")
                continue
            wrong = results.wrong_labels.get((shell, tool.name), [])
            detail = ": " + "; ".join(wrong) if wrong else ""
            lines.append(f"- {verdict(not wrong)}: {what}{detail}")
    return lines


def unchanged_target(results: Results, shell: str) -> str:
    """bash: <= 40 µs over no hook and no process; zsh and fish: no process."""
    over = results.over(shell, "pyrun", "same")
    own = results.own(shell, "pyrun", "same")
    if over is None or own is None:
        return f"- not measured: {shell}, unchanged prompt"
    ok = own.processes == 0 and own.execs == 0
    want = "no process"
    if shell == "bash":
        ok = ok and over <= UNCHANGED_US
        want = f"<= {UNCHANGED_US:.0f} µs over no hook and no process"
    return (
        f"- {verdict(ok)}: {shell}, unchanged prompt, {want}: {over:+.0f} µs, "
        f"{own.processes:.2f} processes"
    )


def change_target(results: Results, shell: str, tool: str, situation: str, limit: float) -> str:
    """A change: under `limit` over no hook; compiled shims also at most one process,
    the binary, no `ls` and no Python. A wrong label at that change is said beside a
    "met": a hook that did not notice the change did not pay for it."""
    over = results.over(shell, tool, situation)
    own = results.own(shell, tool, situation)
    kind = "compiled" if tool == "pyrun" else "sh shims"
    what = f"{shell}, {kind}, {SITUATIONS[situation]}"
    if over is None or own is None:
        return f"- not measured: {what}"
    ok = over <= limit
    want = f"<= {limit / 1000:g} ms"
    if tool == "pyrun":
        others = set(own.programs) - RESOLVER
        ok = ok and own.processes <= 1.0 and own.execs <= 1.0 and not others
        want += ", <= 1 process, only the binary"
    # A hook that misses the change is cheap there: say so beside the verdict.
    steps = [
        w for w in results.wrong_labels.get((shell, tool), []) if w.startswith(situation + " ")
    ]
    caveat = " (but the label is wrong here: see the label check)" if steps and ok else ""
    return (
        f"- {verdict(ok)}{caveat}: {what} ({want}): {over:+.0f} µs, "
        f"{own.processes:.2f} processes, programs: {programs_text(own.programs)}"
    )


def report(results: Results, args: argparse.Namespace, versions: dict[str, str]) -> None:
    print(
        f"Hook cost per prompt, {args.rounds} interleaved rounds of {args.prompts} prompts "
        f"per situation and shell; processes counted under strace over "
        f"{args.count_prompts} prompts. Tools: "
        + "; ".join(f"{t.label} ({t.version or 'not measured'})" for t in results.tools[1:])
        + ".\n"
    )
    print(
        "Each shell's table: the median over the rounds of the time per prompt, and "
        "(over no hook) that median minus the no-hook median in the same situation; "
        "processes (process-creating clone/fork), execve and the programs executed are "
        "per prompt, for a hook beyond what the no-hook run started. Load average "
        f"(1 min) {results.load[0]:.2f} at the start, {results.load[1]:.2f} at the end, "
        f"on {results.load[2]} CPUs.\n"
    )
    for shell in results.shells:
        print(f"### {versions.get(shell, shell)}\n")
        print("\n".join(shell_table(results, shell)) + "\n")
    if results.no_strace:
        print("strace is not installed: processes per prompt were not counted.\n")
    print("### Targets (issue #13, item 4)\n")
    print("\n".join(target_lines(results)) + "\n")
    print("### The label after each step is `pyrun which python --json`'s (item 3)\n")
    print("\n".join(label_lines(results)))
