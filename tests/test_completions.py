"""`pyrun completions bash|zsh|fish`, run in the real shells: bash through `complete -p`
and the completion function with COMP_WORDS set, zsh through its completion system
in a pseudo-terminal (zpty, with a compadd that prints what it is given), fish through
`complete -C`. The expected words come from the parser cli.py parses with (parser.py),
so a command or option added there and missing here fails.

Also here: doctor's colour, on a terminal only and never with NO_COLOR.
"""

from __future__ import annotations

import argparse
import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest

from pyrun.commands import doctor
from pyrun.parser import build_parser
from tests.conftest import PYRUN, World, need

ENV_NAME = "cpython-3.11-0123456789ab"


def parser_commands() -> dict[str, list[str]]:
    """Each visible subcommand of pyrun's parser and its option strings."""
    parser = build_parser()
    commands: dict[str, list[str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {choice.dest for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if name in helped:
                    commands[name] = [flag for a in sub._actions for flag in a.option_strings]
    return commands


@pytest.fixture(scope="module")
def cworld(module_world: World) -> World:
    """One world for the module: its shims, and an environment directory to complete."""
    (module_world.envs / ENV_NAME).mkdir(parents=True)
    return module_world


@pytest.fixture(scope="module")
def scripts(cworld: World) -> dict[str, Path]:
    made = {}
    for shell in ("bash", "zsh", "fish"):
        text = cworld.pyrun("completions", shell, check=True).stdout
        path = cworld.root / f"pyrun.{shell}"
        path.write_text(text)
        made[shell] = path
    return made


def shim_names(world: World) -> set[str]:
    """The shims a TAB offers: not the dot files, nor `pyrun`, the link to pyrun itself."""
    return {p.name for p in world.shims.iterdir() if not p.name.startswith(".")} - {"pyrun"}


# What each typed line completes to (None: compare with the parser or the shims).
def cases(world: World) -> dict[str, set[str]]:
    commands = parser_commands()
    expected = {
        "pyrun ": set(commands),
        "pyrun w": {"which", "why"},
        "pyrun un": {"uninstall"},
        "pyrun which ": shim_names(world),
        "pyrun why python3.": {n for n in shim_names(world) if n.startswith("python3.")},
        "pyrun which python ": set(),
        "pyrun hook ": {"bash", "zsh", "fish", "powershell", "pwsh"},
        "pyrun doctor --json z": {"zsh"},
        "pyrun completions ": {"bash", "zsh", "fish"},
        "pyrun repair --from ": {ENV_NAME},
        "pyrun gc --days ": set(),
        "pyrun uninstall --": {"--all", "--dry-run", "--help"},
    }
    for name, flags in commands.items():  # every option of every command, from parser.py
        expected[f"pyrun {name} --"] = {flag for flag in flags if flag.startswith("--")}
    return expected


def test_bash(cworld: World, scripts: dict[str, Path]) -> None:
    expected = cases(cworld)
    lines = [f"source {scripts['bash']}", "complete -p pyrun"]
    for typed in expected:
        words = typed.split(" ")
        lines.append(
            f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
            f"_pyrun; printf '%s\\n' '>>> {typed}' \"${{COMPREPLY[@]}}\""
        )
    lines.append("shopt -s failglob nullglob dotglob; set -u")  # a user's options: no matter
    lines.append(
        "COMP_WORDS=(pyrun which ''); COMP_CWORD=2; _pyrun; "
        "printf '%s\\n' '>>> strict' \"${COMPREPLY[@]}\""
    )
    done = cworld.run("\n".join(lines), check=True)
    assert done.stdout.startswith("complete -F _pyrun pyrun\n"), done.stdout
    got = parse(done.stdout)
    for typed, want in expected.items():
        assert got[typed] == want, typed
    assert got["strict"] == shim_names(cworld)
    assert done.stderr == ""


def parse(output: str) -> dict[str, set[str]]:
    got: dict[str, set[str]] = {}
    current = ""
    for line in output.splitlines():
        if line.startswith(">>> "):
            current = line[4:]
            got[current] = set()
        elif current and line:
            got[current].add(line)
    return got


def test_bash_script_is_shellcheck_clean(scripts: dict[str, Path]) -> None:
    need(shutil.which("shellcheck"), "shellcheck")
    done = subprocess.run(
        ["shellcheck", "-s", "bash", str(scripts["bash"])], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


# zsh: a real interactive zsh in a zpty, compinit, the script, then TAB. compadd is
# wrapped to print the matches the completion system computed (matching done by the
# real compadd through -A), the technique of zsh-capture-completion.
ZSH_CAPTURE = r"""
PROMPT=
autoload -U compinit
compinit -u -d "$CAPTURE_DUMP"
source "$CAPTURE_SCRIPT"
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
_capture_mark() { print -r -- '<<captured>>' }
compprefuncs=(_capture_mark)
comppostfuncs=(_capture_mark exit)
compadd() {
    if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
        builtin compadd "$@"
        return $?
    fi
    local -a __hits
    builtin compadd -A __hits "$@"
    local hit
    for hit in $__hits; do print -r -- "match:$hit"; done
}
print -r -- '<<ready>>'
"""

ZSH_DRIVE = r"""
zmodload zsh/zpty
for typed in "$@"; do
    zpty z zsh -f -i
    zpty -w z "source ${(q)CAPTURE}"
    while zpty -r z line; do [[ $line == *'<<ready>>'* ]] && break; done
    zpty -w -n z "$typed"$'\t'
    print -r -- ">>> $typed"
    seen=0
    while zpty -r z line; do
        if [[ $line == *'<<captured>>'* ]]; then
            (( ++seen == 2 )) && break
        elif (( seen == 1 )) && [[ $line == *match:* ]]; then
            print -r -- "${${line#*match:}//[$'\r\n']/}"
        fi
    done
    zpty -d z
done
"""


def test_zsh(cworld: World, scripts: dict[str, Path]) -> None:
    need(shutil.which("zsh"), "zsh")
    capture = cworld.root / "capture.zsh"
    capture.write_text(ZSH_CAPTURE)
    expected = cases(cworld)
    done = cworld.run(
        ["zsh", "-f", "-c", ZSH_DRIVE, "zsh", *expected],
        env={
            "CAPTURE": str(capture),
            "CAPTURE_SCRIPT": str(scripts["zsh"]),
            "CAPTURE_DUMP": str(cworld.root / "zcompdump"),
        },
        check=True,
        timeout=60,
    )
    got = parse(done.stdout)
    # zsh's _arguments offers the options where no argument is left to complete.
    assert got.pop("pyrun which python ") == {"-h", "--help", "--json"}
    for typed, want in expected.items():
        if typed != "pyrun which python ":
            assert got[typed] == want, typed


def test_zsh_autoloads_from_fpath(cworld: World, scripts: dict[str, Path]) -> None:
    """Saved as _pyrun on $fpath, compinit finds it by its #compdef line."""
    need(shutil.which("zsh"), "zsh")
    fpath = cworld.root / "zfunc"
    fpath.mkdir(exist_ok=True)
    shutil.copy(scripts["zsh"], fpath / "_pyrun")
    done = cworld.run(
        [
            "zsh",
            "-f",
            "-c",
            f"fpath=({fpath} $fpath); autoload -U compinit; "
            f"compinit -u -d {cworld.root / 'zdump2'}; print -r -- $_comps[pyrun]",
        ],
        check=True,
    )
    assert done.stdout.strip() == "_pyrun"


def test_fish(cworld: World, scripts: dict[str, Path]) -> None:
    need(shutil.which("fish"), "fish")
    expected = cases(cworld)
    body = [f"source {scripts['fish']}"]
    for typed in expected:
        body.append(f"echo '>>> {typed}'; complete -C '{typed}'")
    done = cworld.run(["fish", "--no-config", "-c", "\n".join(body)], check=True)
    got = {
        typed: {line.split("\t")[0] for line in words}
        for typed, words in parse(done.stdout).items()
    }
    for typed, want in expected.items():
        assert got[typed] == want, typed


def test_a_new_shim_completes_without_regenerating(cworld: World, scripts: dict[str, Path]) -> None:
    """The shim names are read from the shims directory when TAB is pressed."""
    added = cworld.shims / "python3.99"
    added.symlink_to("python3")
    try:
        done = cworld.run(
            f"source {scripts['bash']}; COMP_WORDS=(pyrun which python3.9); COMP_CWORD=2; "
            "_pyrun; printf '%s\\n' \"${COMPREPLY[@]}\"",
            check=True,
        )
    finally:
        added.unlink()
    assert "python3.99" in done.stdout.split()


def test_unknown_shell_is_one_line() -> None:
    done = subprocess.run([PYRUN, "completions", "tcsh"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("pyrun: ") and done.stderr.count("\n") == 1


# --- colour: doctor on a terminal, never with NO_COLOR ---------------------------------------


class Tty:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert doctor.wants_colour(Tty(True), {})
    assert not doctor.wants_colour(Tty(False), {})
    assert not doctor.wants_colour(Tty(True), {"NO_COLOR": "1"})
    assert doctor.wants_colour(Tty(True), {"NO_COLOR": ""})  # no-color.org: empty is unset
    assert not doctor.wants_colour(Tty(True), {"TERM": "dumb"})
    finding = doctor.Finding("hook", doctor.FIX, "no hook line", "run `pyrun init bash`")
    assert doctor.painted(finding, False) == finding.line()
    assert doctor.painted(finding, True) == "\033[31mfix\033[0m" + finding.line()[3:]


def doctor_on_a_terminal(world: World, extra: dict[str, str]) -> str:
    controller, terminal = pty.openpty()
    try:
        subprocess.run(
            [PYRUN, "doctor", "bash"],
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=terminal,
            env={**world.env, "TERM": "xterm", **extra},
            cwd=world.root,
            timeout=60,
            check=False,
        )
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the other side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)
    return b"".join(chunks).decode()


def test_doctor_colours_a_terminal_unless_no_color(cworld: World) -> None:
    coloured = doctor_on_a_terminal(cworld, {})
    assert "\033[32mok\033[0m" in coloured
    plain = doctor_on_a_terminal(cworld, {"NO_COLOR": "1"})
    assert "\033[" not in plain and "ok " in plain
    piped = cworld.pyrun("doctor", "bash")
    assert "\033[" not in piped.stdout
