"""Every command in README.md, run for real: what the README shows is what happens.

A command is a line starting with ``$ `` in a fenced ``console``, ``sh`` or ``bash``
block, optionally behind the prompt indicator the hook shows, ``(project) $ ``. The
lines after it, up to the next command or the end of the block, are its output.

The blocks run in README order in one shared world (conftest's: own HOME and XDG
directories, throwaway 3.11 and 3.12 bases on PATH after the shims, no network), each
block as one ``bash`` script started in HOME, so a ``cd`` or an ``eval`` carries on to
the next command of its block but not to the next block. What the README's
examples take for granted is made first: ``~/project`` with a ``.venv``, an empty
``~/scratch``, and a local ``requests`` wheel for ``pip install requests`` to find
(``PIP_FIND_LINKS``, no index). Because the blocks share a world, ``pyrun uninstall``
must stay the README's last command.

For each command the test checks:

- its exit status: 0, unless an HTML comment ``<!-- readme-test: ... -->`` right before
  the block says ``exit N``;
- the prompt in front of it: ``$ `` with no hook, or ``(NAME) $ `` exactly as the hook
  renders ``PS1`` after the previous command (the hook's ``PROMPT_COMMAND`` is run
  between commands, as an interactive bash would);
- its output: every shown line appears in what it printed (stdout and stderr), in
  order, with other lines allowed between them; ``/home/me`` and ``~/`` stand for the
  world's HOME and ``…`` for any text (a line that is only ``…`` marks lines left
  out). ``<!-- readme-test: illustrative output -->`` skips this check for a block
  whose output shows a state the world does not have (a deleted base, say).

Not run: the two setup commands at the top (``sh install.sh``, ``sh scripts/test.sh``),
written without ``$ ``; tests/test_install.py runs the first for real and CI's
``.ci/run`` runs the second, which the first test here checks. A ``$ `` line in a block
of any other language is an error, so nothing shown as a command escapes this test.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyrun import compiled
from tests.conftest import PYRUN, Base, World, assert_bases_untouched, need_minor, new_world
from tests.wheels import build_wheel

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUN_LANGUAGES = ("console", "sh", "bash")
SETUP = [
    "sh install.sh        # install pyrun into its own venv, generate the shims, show it working",
    "sh scripts/test.sh   # run the whole test suite (what CI runs)",
]
COMMAND = re.compile(r"^(?:\((?P<label>[^()\n]*)\) )?\$ (?P<text>.*)$")
DIRECTIVE = re.compile(r"^<!-- readme-test: (?P<words>.*) -->$")
FENCE = re.compile(r"^```(?P<lang>\S*)\s*$")
MARK = "@@pyrun-readme-test@@"


@dataclass
class Command:
    line: int  # 1-based line in README.md
    label: str | None
    text: str
    output: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Block:
    line: int
    lang: str
    illustrative: bool = False
    exit: int = 0
    commands: list[Command] = field(default_factory=list)


def parse(text: str) -> tuple[list[Block], list[str]]:
    """The fenced blocks of a README and the problems found in its markup."""
    blocks: list[Block] = []
    problems: list[str] = []
    lines = text.splitlines()
    block: Block | None = None
    for number, line in enumerate(lines, 1):
        fence = FENCE.match(line)
        if block is None:
            if fence:
                block = Block(number, fence["lang"])
                previous = next((ln for ln in reversed(lines[: number - 1]) if ln.strip()), "")
                directive = DIRECTIVE.match(previous)
                for word in (
                    w.strip() for w in (directive["words"] if directive else "").split(",")
                ):
                    if word == "illustrative output":
                        block.illustrative = True
                    elif word.startswith("exit "):
                        block.exit = int(word[len("exit ") :])
                    elif word:
                        problems.append(
                            f"README.md:{number - 1}: unknown readme-test word {word!r}"
                        )
            continue
        if fence and line == "```":
            blocks.append(block)
            block = None
            continue
        command = COMMAND.match(line)
        if command:
            if block.lang not in RUN_LANGUAGES:
                problems.append(
                    f"README.md:{number}: a `$ ` command in a ```{block.lang} block, which "
                    f"this test does not run; use {'/'.join(RUN_LANGUAGES)}, or write it in prose"
                )
            block.commands.append(Command(number, command["label"], command["text"]))
        elif block.commands:
            block.commands[-1].output.append((number, line))
    if block is not None:
        problems.append(f"README.md:{block.line}: a fenced block is never closed")
    return blocks, problems


BLOCKS, PROBLEMS = parse(README.read_text(encoding="utf-8"))
RUN = [block for block in BLOCKS if block.lang in RUN_LANGUAGES and block.commands]


def test_the_readme_starts_with_the_two_setup_commands_which_ci_and_test_install_run() -> None:
    assert not PROBLEMS, "\n".join(PROBLEMS)
    first = BLOCKS[0]
    body = README.read_text(encoding="utf-8").splitlines()[first.line : first.line + 3]
    assert (first.lang, body) == ("sh", [*SETUP, "```"]), (
        f"README.md:{first.line}: the README must start with the two setup commands"
    )
    assert "\nsh scripts/test.sh </dev/null" in (ROOT / ".ci" / "run").read_text()
    assert '["sh", "install.sh"]' in (ROOT / "tests" / "test_install.py").read_text()
    assert (
        "test_install_sh_installs_pyrun_into_its_own_venv"
        in (ROOT / "tests" / "test_install.py").read_text()
    )
    # Everything else shown as a command is run below; the tour at least.
    assert sum(len(block.commands) for block in RUN) >= 10
    assert RUN[-1].commands[-1].text.startswith("pyrun uninstall"), (
        f"README.md:{RUN[-1].commands[-1].line}: `pyrun uninstall` must be the last command "
        "shown, since the blocks run in one world"
    )


@pytest.fixture(scope="module")
def readme_world(
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
) -> Iterator[World]:
    need_minor(bases, "3.11")
    need_minor(bases, "3.12")
    root = tmp_path_factory.mktemp("readme")
    links = root / "wheels"
    links.mkdir()
    build_wheel(links, "requests", "2.32.3")
    world = new_world(root, bases, links, bases["3.12"])
    bindir = root / "bin"
    bindir.mkdir()
    (bindir / "pyrun").symlink_to(PYRUN)
    world.env["PATH"] = world.path_with(world.shims, bindir, bases["3.11"].bin, bases["3.12"].bin)
    for name in ("PROMPT_COMMAND", "PS1", "PYRUN_DISABLE"):
        world.env.pop(name, None)
    (world.home / "scratch").mkdir()
    (world.home / "project").mkdir()
    world.venv(world.home / "project" / ".venv")
    yield world
    assert_bases_untouched(bases, base_snapshots, world.home)


def script(block: Block) -> str:
    """The block as one bash script printing a marker around each command's output,
    with its exit status and the prompt bash would show after it."""
    parts = [
        "PS1='$ '",
        "_readme_prompt() {",
        "    local _readme_c",
        "    if [[ -n ${PROMPT_COMMAND+set} ]]; then",
        '        for _readme_c in "${PROMPT_COMMAND[@]}"; do eval "$_readme_c"; done',
        "    fi",
        f"    printf '\\n{MARK} prompt %s\\n' \"${{PS1@P}}\"",
        "}",
        "_readme_prompt",
    ]
    for index, command in enumerate(block.commands):
        parts += [
            f"printf '\\n{MARK} start {index}\\n'",
            command.text,
            f"_readme_status=$?; printf '\\n{MARK} end {index} %s\\n' \"$_readme_status\"",
            "_readme_prompt",
        ]
    return "\n".join(parts) + "\n"


@dataclass
class Result:
    prompt_before: str | None = None
    status: int | None = None
    output: list[str] = field(default_factory=list)


def results(printed: str, count: int) -> list[Result]:
    found = [Result() for _ in range(count)]
    prompt: str | None = None
    current: Result | None = None
    for line in printed.splitlines():
        if line.startswith(MARK + " "):
            word, _, rest = line[len(MARK) + 1 :].partition(" ")
            if word == "prompt":
                prompt = rest
            elif word == "start":
                current = found[int(rest)]
                current.prompt_before = prompt
            elif word == "end":
                index, _, status = rest.partition(" ")
                found[int(index)].status = int(status)
                current = None
        elif current is not None:
            current.output.append(line)
    return found


def pattern(shown: str, home: Path) -> re.Pattern[str]:
    shown = shown.rstrip().replace("/home/me", str(home)).replace("~/", f"{home}/")
    return re.compile(".*".join(re.escape(piece) for piece in shown.split("…")))


def missing_lines(command: Command, output: list[str], home: Path) -> list[str]:
    """The shown lines that do not appear, in order, in what the command printed."""
    at = 0
    missing = []
    for number, shown in command.output:
        if not shown.strip() or shown.strip() == "…":
            continue
        wanted = pattern(shown, home)
        for offset, line in enumerate(output[at:]):
            if wanted.fullmatch(line.rstrip()):
                at += offset + 1
                break
        else:
            missing.append(f"README.md:{number}: not printed: {shown}")
    return missing


def check(block: Block, world: World) -> list[str]:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script(block)],
        cwd=world.home,
        env=world.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=180,
        check=False,
    )
    failures = []
    for command, result in zip(block.commands, results(done.stdout, len(block.commands))):
        where = f"README.md:{command.line}: `{command.text}`"
        printed = "\n".join(result.output)
        if result.status is None:
            failures.append(f"{where} did not finish (the script exited {done.returncode})")
            break
        if result.status != block.exit:
            failures.append(
                f"{where} exited {result.status}, not {block.exit}; it printed:\n{printed}"
            )
        prompt = f"({command.label}) $ " if command.label is not None else "$ "
        if result.prompt_before != prompt:
            failures.append(f"{where}: the prompt was {result.prompt_before!r}, not {prompt!r}")
        if not block.illustrative:
            missing = missing_lines(command, result.output, world.home)
            if missing:
                failures.append("\n".join([*missing, f"{where} printed:", printed]))
    return failures


def test_every_command_in_the_readme_runs_as_shown(readme_world: World) -> None:
    failures: list[str] = []
    for block in RUN:
        failures += check(block, readme_world)
    assert not failures, "\n\n".join(failures)


def test_a_wrong_readme_is_caught(readme_world: World) -> None:
    """The checker itself: a wrong status, prompt or output line is each reported."""
    text = "\n".join(
        [
            "```console",
            "$ echo one; echo two",
            "two",
            "(nothing) $ false",
            "$ printf '%s\\n' \"$HOME/x\"",
            "/home/me/y",
            "```",
        ]
    )
    blocks, problems = parse(text)
    assert not problems
    failures = "\n".join(check(blocks[0], readme_world))
    assert "README.md:2" not in failures, failures
    assert "README.md:4: `false` exited 1, not 0" in failures
    assert "README.md:4: `false`: the prompt was '$ ', not '(nothing) $ '" in failures
    assert "README.md:6: not printed: /home/me/y" in failures
    assert os.fspath(readme_world.home) + "/x" in failures
    _, problems = parse("```text\n$ sudo python3\n```\n")
    assert problems and "README.md:2" in problems[0]


def test_one_set_of_shim_figures_is_quoted_everywhere() -> None:
    """The speed of each kind of shim is quoted from BENCHMARKS.md's "Figures quoted
    elsewhere", the same in the README and in what rehash and doctor print."""
    bench = (ROOT / "BENCHMARKS.md").read_text()
    quoted = bench.split("**Figures quoted elsewhere**", 1)[1].split("\n\n", 1)[0]
    ranges = set(re.findall(r"1\.\d\d-1\.\d\dx", quoted))
    compiled_range, shell_range = re.findall(r"\*\*(1\.\d\d-1\.\d\dx)\*\*", quoted)
    assert (
        f"the shell shims start at {shell_range} a direct start, "
        f"the compiled ones at {compiled_range}"
    ) == compiled.SPEED
    readme = README.read_text()
    found = set(re.findall(r"\b1\.\d\d-1\.\d\dx", readme))
    assert found and found <= ranges, found - ranges
