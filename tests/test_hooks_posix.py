"""The bash and zsh hooks (shell/README.md) in real interactive shells through a pty.

Each shell is started as a user starts it (`bash --norc --noprofile -i`, `zsh -f -i`),
its prompt set to end in a mark, and the hook evaluated from `pyrun hook SHELL`. What
the terminal shows between the last line break and the mark is the indicator. Paths
reach the shell through environment variables and values come back through files,
so hostile names are never mangled by typing or by the terminal on the way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyrun.commands import hook as hook_command
from pyrun.label import inert
from pyrun.paths import Paths
from pyrun.request import is_script_name
from pyrun.shadowing import SHELL_WORDS, shadow_reason
from pyrun.shells import SHELLS, quote_posix
from tests.conftest import (
    IN_CI,
    PYRUN,
    UV,
    Base,
    World,
    assert_bases_untouched,
    need,
    need_minor,
    new_world,
)
from tests.wheels import build_wheel

pexpect = pytest.importorskip("pexpect")

SHELL_NAMES = ("bash", "zsh")
MARK = "#@> "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")
HOSTILE = "q'uote $dollar; semi && sp ace пример 日本 🐍"
PROJECT = f"p {HOSTILE}"
INJECTIONS = {
    "subst": "$(touch {canary}-subst)",
    "backticks": "`touch {canary}-tick`",
    "percent": "%F{{red}}red%f %~ %n",
    "escape-text": "\\e]0;title\\a \\w \\$",
    "escape-real": "\x1b]0;evil\x07\x1b[31mred",
    "history": "!! ! \\!",
}
FORK = re.compile(r"\b(fork|vfork|clone|clone3|execve)\(| <\.\.\. (fork|vfork|clone|clone3|execve)")


def tool(name: str) -> str | None:
    found = shutil.which(name)
    need(found, name)
    return found


@dataclass
class Tree:
    world: World
    start: Path  # a directory whose name holds a quote, $, ;, a space, Cyrillic, CJK, emoji
    project: Path  # start/PROJECT with a real .venv
    link: Path  # a symlink elsewhere pointing at project/sub
    canary: Path  # a .venv whose interpreters write a file when run
    inject: Path  # one .venv per INJECTIONS case, plus a newline in a directory name
    out: Path  # where shells write what the tests read

    def env(self) -> dict[str, str]:
        return {
            "T_START": str(self.start),
            "T_PROJ": str(self.project),
            "T_LINK": str(self.link),
            "T_CANARY": str(self.canary),
            "T_INJECT": str(self.inject),
            "T_OUT": str(self.out),
            "INPUTRC": str(self.world.root / "inputrc"),
            "TERM": "dumb",
        }


def fake_venv(where: Path, base: Base, prompt: str | None = None) -> Path:
    """A .venv as the hook sees one: pyvenv.cfg and an executable bin/python."""
    (where / "bin").mkdir(parents=True)
    cfg = f"home = {base.bin}\ninclude-system-site-packages = false\nversion = 3.11.0\n"
    if prompt is not None:
        cfg += f"prompt = '{prompt}'\n"
    (where / "pyvenv.cfg").write_bytes(cfg.encode("utf-8"))
    (where / "bin" / "python").symlink_to(base.python)
    (where / "bin" / "python3").symlink_to("python")
    return where


@pytest.fixture(scope="module")
def tree(
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict[str, Base],
    base_snapshots: dict[str, dict[str, str]],
    wheelhouse: Path,
) -> Iterator[Tree]:
    need_minor(bases, "3.11")
    root = tmp_path_factory.mktemp("hooks")
    world = new_world(root, bases, wheelhouse)
    world.run(["python", "-c", "pass"], check=True)  # the isolated env: "pyrun 3.11"
    (root / "inputrc").write_text("set enable-bracketed-paste off\n")
    start = root / HOSTILE
    start.mkdir()
    project = start / PROJECT
    (project / "sub").mkdir(parents=True)
    world.venv(project / ".venv")
    link = root / "elsewhere" / "link"
    link.parent.mkdir()
    link.symlink_to(project / "sub")
    canary = root / "canary"
    (canary / ".venv" / "bin").mkdir(parents=True)
    (canary / ".venv" / "pyvenv.cfg").write_text(f"home = {world.base.bin}\n")
    for name in ("python", "python3", "python3.11"):
        script = canary / ".venv" / "bin" / name
        script.write_text(f"#!/bin/sh\ntouch {root}/canary-ran\n")
        script.chmod(0o755)
    inject = root / "inject"
    for case, value in INJECTIONS.items():
        fake_venv(inject / case / ".venv", world.base, value.format(canary=root / "canary"))
    fake_venv(inject / "new\nline $(touch canary-dir)" / ".venv", world.base)
    out = root / "out"
    out.mkdir()
    yield Tree(world, start, project, link, canary, inject, out)
    assert_bases_untouched(bases, base_snapshots, world.home)


def canaries(tree: Tree) -> list[Path]:
    found = list(tree.world.root.glob("canary-*"))
    found += list(tree.inject.glob("*/canary-dir"))
    return found


class Term:
    """One interactive shell with the hook evaluated, driven line by line."""

    def __init__(
        self,
        tree: Tree,
        shell: str,
        *,
        cwd: Path | None = None,
        before: str = "",
        env: dict[str, str] | None = None,
        evals: int = 1,
        strace: Path | None = None,
    ) -> None:
        need(shutil.which(shell), shell)
        self.tree = tree
        self.shell = shell
        argv = ["bash", "--norc", "--noprofile", "-i"] if shell == "bash" else ["zsh", "-f", "-i"]
        if strace is not None:
            tool("strace")
            argv = ["strace", "-f", "-e", "trace=fork,vfork,clone,clone3,execve", "-o", str(strace)]
            argv += (
                ["bash", "--norc", "--noprofile", "-i"] if shell == "bash" else ["zsh", "-f", "-i"]
            )
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env={**tree.world.env, **tree.env(), **(env or {})},
            cwd=str(cwd or tree.start),
            encoding="utf-8",
            codec_errors="replace",
            timeout=30,
            dimensions=(40, 2000),
        )
        quiet = "unset zle_bracketed_paste; unsetopt prompt_sp; " if shell == "zsh" else ""
        hook = f'eval "$({quote_posix(PYRUN)} hook {shell})"'
        # The mark is typed in two pieces, so the echoed command never contains it.
        self.first = self.run(f"{quiet}PS1='#@''> '; {before}" + "; ".join([hook] * evals))

    def run(self, line: str) -> str:
        """Run `line`; what the next prompt shows in front of the mark."""
        self.child.sendline(line)
        return self.prompt()

    def run_out(self, line: str) -> tuple[str, str]:
        """Run `line`; everything the terminal showed up to the next prompt's indicator
        (the echoed line, output, and the hook's stderr), and that indicator."""
        shown = self.run(line)
        return self.before, shown

    def prompt(self) -> str:
        self.child.expect_exact(MARK)
        shown = ANSI.sub("", self.child.before)
        self.before = shown.replace("\r", "")
        return re.split(r"[\r\n]", shown)[-1]

    def read(self, expression: str) -> list[str]:
        """The words `expression` expands to in the shell, through a file."""
        target = self.tree.out / f"{self.shell}-{time.monotonic_ns()}"
        self.run(f"printf '%s\\0' {expression} > {quote_posix(str(target))}")
        data = target.read_text(encoding="utf-8", errors="surrogateescape")
        return data.split("\0")[:-1]

    def kind_name(self) -> tuple[str, str]:
        kind, name = self.read('"$PYRUN_ENV_KIND" "$PYRUN_ENV_NAME"')
        return kind, name

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()


@pytest.fixture(params=SHELL_NAMES)
def shell(request: pytest.FixtureRequest) -> str:
    return request.param


def test_cd_into_a_project_and_out_from_a_hostile_directory(tree: Tree, shell: str) -> None:
    term = Term(tree, shell)
    assert term.first == "(pyrun 3.11) "
    assert term.kind_name() == ("isolated", "pyrun 3.11")
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    assert term.kind_name() == (".venv", PROJECT)
    assert term.run("cd sub") == f"({PROJECT}) "
    assert term.run("cd ../..") == "(pyrun 3.11) "
    assert term.read('"$PWD"') == [str(tree.start)]
    term.close()


def test_a_symlinked_cwd_is_walked_physically_and_stays_logical(tree: Tree, shell: str) -> None:
    term = Term(tree, shell)
    assert term.run('cd "$T_LINK"') == f"({PROJECT}) ", "the .venv above the physical cwd"
    # bash learns the physical cwd with `cd -P .`: pwd and `cd ..` must stay logical.
    assert term.read('"$PWD" "$(pwd)"') == [str(tree.link)] * 2
    assert term.run("cd ..") == "(pyrun 3.11) "
    assert term.read('"$PWD"') == [str(tree.link.parent)]
    term.close()


def test_cd_never_runs_the_interpreter_it_finds(tree: Tree, shell: str) -> None:
    term = Term(tree, shell)
    assert term.run('cd "$T_CANARY"') == "(canary) "
    for _ in range(3):
        assert term.run("") == "(canary) "
    assert term.run("cd .. && cd canary") == "(canary) "
    term.close()
    assert not (tree.world.root / "canary-ran").exists()


@pytest.mark.parametrize("expand", ["expand", "plain"])
def test_prompt_injection_is_shown_as_text(tree: Tree, shell: str, expand: str) -> None:
    # bash's promptvars and zsh's PROMPT_SUBST expand $(...) and backticks in a prompt.
    option = {"bash": "promptvars", "zsh": "prompt_subst"}[shell]
    if shell == "bash":
        before = f"shopt -{'s' if expand == 'expand' else 'u'} {option}; "
    else:
        before = f"{'setopt' if expand == 'expand' else 'unsetopt'} {option}; "
    term = Term(tree, shell, before=before)
    for case, value in INJECTIONS.items():
        label = inert(value.format(canary=tree.world.root / "canary"))
        shown = term.run(f'cd "$T_INJECT"/{case}')
        assert shown == f"({label}) ", case
        assert term.kind_name() == (".venv", label)
    shown = term.run('cd "$T_INJECT"/new*line*')
    assert shown == "(newline $(touch canary-dir)) "
    for _ in range(2):
        term.run("")
    term.close()
    assert canaries(tree) == []


def test_no_double_indicator_after_activate(tree: Tree, shell: str) -> None:
    # Python 3.11's activate does not escape `$` in its path: a plain-named project.
    project = tree.world.root / "plain project"
    if not project.exists():
        tree.world.venv(project / ".venv")
    term = Term(tree, shell, env={"T_PLAIN": str(project)})
    assert term.run('cd "$T_PLAIN"') == "(plain project) "
    shown = term.run("source .venv/bin/activate")
    assert shown == "(.venv) ", "the activate script's indicator alone"
    assert term.kind_name() == ("VIRTUAL_ENV", "plain project")
    assert term.read('"${PATH%%:*}"') == [str(tree.world.shims)], "shims first again"
    assert term.run("") == "(.venv) "
    assert term.run("deactivate") == "(plain project) "
    assert term.run("cd ..") == "(pyrun 3.11) "
    # With the activate script's prompt disabled, the hook shows it.
    term.run('VIRTUAL_ENV_DISABLE_PROMPT=1; cd "$T_PLAIN"; source .venv/bin/activate')
    assert term.run("") == "(plain project) "
    assert term.run("deactivate; cd ..") == "(pyrun 3.11) "
    term.close()


def test_pyrun_prompt_0_hides_the_indicator_but_exports_the_variables(
    tree: Tree, shell: str
) -> None:
    term = Term(tree, shell, env={"PYRUN_PROMPT": "0"})
    assert term.first == ""
    assert term.run('cd "$T_PROJ"') == ""
    assert term.kind_name() == (".venv", PROJECT)
    assert term.read('"$(printenv PYRUN_ENV_NAME)"') == [PROJECT]
    assert term.run("PYRUN_PROMPT=1") == f"({PROJECT}) "
    term.close()


def test_exit_status_is_preserved(tree: Tree, shell: str) -> None:
    term = Term(tree, shell)
    term.run("false")
    assert term.read('"$?"') == ["1"]
    term.run("(exit 7)")
    term.run("")  # an empty line keeps $? in both shells
    assert term.read('"$?"') == ["7"]
    term.close()


def test_nounset_and_hostile_options_are_safe(tree: Tree, shell: str) -> None:
    before = "set -u; " if shell == "bash" else "setopt nounset ksh_arrays sh_word_split; "
    term = Term(tree, shell, before=before, evals=3)
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    assert term.run("cd ..") == "(pyrun 3.11) "
    assert term.kind_name() == ("isolated", "pyrun 3.11")
    term.child.sendline("echo done-checking")
    term.prompt()
    assert "unbound" not in term.child.before and "parameter not set" not in term.child.before
    term.close()


def test_evaluating_three_times_is_once(tree: Tree, shell: str) -> None:
    path = tree.world.path_with(tree.world.base.bin, tree.world.shims)
    term = Term(tree, shell, env={"PATH": path}, evals=3)
    assert term.first == "(pyrun 3.11) "
    entries = term.read('"$PATH"')[0].split(":")
    assert entries[0] == str(tree.world.shims)
    assert entries.count(str(tree.world.shims)) == 1
    if shell == "bash":
        assert term.read('"${PROMPT_COMMAND[@]}"') == ["_pyrun_hook"]
    else:
        assert term.read('"${precmd_functions[@]}"') == ["_pyrun_hook", "_pyrun_prompt"]
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    term.run(f'eval "$({quote_posix(PYRUN)} hook {shell})"')
    assert term.run("") == f"({PROJECT}) "
    term.close()


def test_bash_prompt_command_string_is_chained(tree: Tree) -> None:
    log = tree.out / "pc-string"
    before = f"PROMPT_COMMAND='echo \"pc=$?\" >> {log}'; "
    term = Term(tree, "bash", before=before, evals=2)
    assert term.read('"$PROMPT_COMMAND"') == [f'_pyrun_hook;echo "pc=$?" >> {log}']
    term.run("false")
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    term.close()
    assert log.read_text().splitlines()[-2:] == ["pc=1", "pc=0"]


def test_bash_prompt_command_array_is_chained(tree: Tree) -> None:
    log = tree.out / "pc-array"
    before = f"PROMPT_COMMAND=('echo \"a=$?\" >> {log}' 'echo b >> {log}'); "
    term = Term(tree, "bash", before=before, evals=2)
    assert term.read('"${PROMPT_COMMAND[@]}"') == [
        "_pyrun_hook",
        f'echo "a=$?" >> {log}',
        f"echo b >> {log}",
    ]
    term.run("false")
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    term.close()
    assert log.read_text().splitlines()[-4:] == ["a=1", "b", "a=0", "b"]


def test_zsh_user_precmd_and_chpwd_functions_still_run(tree: Tree) -> None:
    log = tree.out / "zsh-hooks"
    before = (
        f'u_pre() {{ echo "pre=$?" >> {log} }}; u_cd() {{ echo cd >> {log} }}; '
        "precmd_functions=(u_pre); chpwd_functions=(u_cd); "
    )
    term = Term(tree, "zsh", before=before, evals=2)
    assert term.read('"${precmd_functions[@]}"') == ["_pyrun_hook", "u_pre", "_pyrun_prompt"]
    assert term.read('"${chpwd_functions[@]}"') == ["u_cd"]
    term.run("false")
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    term.close()
    assert log.read_text().splitlines()[-3:] == ["pre=1", "cd", "pre=0"]


def forks(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if FORK.search(line)]


def settled(log: Path) -> list[str]:
    """The log's fork/exec lines once strace has written everything so far."""
    time.sleep(0.3)
    return forks(log)


def test_an_unchanged_prompt_starts_no_process_and_a_change_runs_the_resolver_once(
    tree: Tree, shell: str
) -> None:
    log = tree.out / f"strace-{shell}"
    term = Term(tree, shell, strace=log)
    assert term.first == "(pyrun 3.11) "
    at_start = settled(log)
    assert any("execve" in line for line in at_start), "strace records the start-up"
    for _ in range(4):
        assert term.run("") == "(pyrun 3.11) "
    assert settled(log) == at_start, "an unchanged prompt forked or ran something"
    # A change runs the resolver once, by its absolute path; the compiled one answers
    # these itself (no python, no ls, nothing else).
    assert term.run('cd "$T_PROJ"') == f"({PROJECT}) "
    assert term.run('cd "$T_CANARY"') == "(canary) "
    assert term.run("cd ..") == "(pyrun 3.11) "
    new = settled(log)[len(at_start) :]
    resolver = str(tree.world.shims / "pyrun-resolve")
    execs = [line for line in new if "execve(" in line]
    assert [e for e in execs if f'execve("{resolver}"' in e] != [], new
    if (tree.world.shims / ".pyrun-shim").exists():
        assert len(execs) == 3, new
        assert all(f'execve("{resolver}", ' in e for e in execs), new
        spawned = [line for line in new if FORK.search(line) and "execve" not in line]
        assert len(spawned) == 3, "one process per change"
    for _ in range(3):
        assert term.run("") == "(pyrun 3.11) "
    assert len(settled(log)) == len(at_start) + len(new), "unchanged again: nothing"
    term.close()
    assert not (tree.world.root / "canary-ran").exists()


# -- agreement with `pyrun which python --json` --------------------------------------


def agreement_cases(tree: Tree) -> dict[str, tuple[Path, dict[str, str]]]:
    root = tree.world.root / "agree"
    if not root.exists():
        other = tree.world.venv(root / "activated" / "env")
        (other / "pyvenv.cfg").write_text(
            (other / "pyvenv.cfg").read_text() + "prompt = uv-style name\n"
        )
        quoted = tree.world.venv(root / "quoted" / ".venv")
        (quoted / "pyvenv.cfg").write_text(
            (quoted / "pyvenv.cfg").read_text() + "prompt = 'venv style'\n"
        )
        tree.world.venv(root / "conda" / "envs" / "ml")
        (root / "conda" / "envs" / "ml" / "conda-meta").mkdir()
        (root / "broken" / ".venv").mkdir(parents=True)
        dangling = fake_venv(root / "dangling" / ".venv", tree.world.base)
        (dangling / "bin" / "python").unlink()
        (dangling / "bin" / "python").symlink_to(root / "gone")
        (root / "plain" / "deep").mkdir(parents=True)
    conda = {
        "CONDA_PREFIX": str(root / "conda" / "envs" / "ml"),
        "CONDA_DEFAULT_ENV": "ml",
    }
    return {
        ".venv in cwd": (tree.project, {}),
        ".venv in a parent": (tree.project / "sub", {}),
        "cwd inside the venv": (tree.project / ".venv" / "lib", {}),
        "symlinked cwd": (tree.link, {}),
        "venv-style prompt": (root / "quoted", {}),
        "VIRTUAL_ENV": (root / "plain", {"VIRTUAL_ENV": str(root / "activated" / "env")}),
        "VIRTUAL_ENV over .venv": (tree.project, {"VIRTUAL_ENV": str(root / "activated/env/")}),
        "named conda env": (root / "plain" / "deep", conda),
        "none: isolated": (root / "plain" / "deep", {}),
        "broken .venv": (root / "broken", {}),
        "dangling .venv": (root / "dangling", {}),
        "broken VIRTUAL_ENV": (root / "plain", {"VIRTUAL_ENV": str(root / "dangling" / ".venv")}),
        "VIRTUAL_ENV naming nothing": (root / "plain", {"VIRTUAL_ENV": str(root / "nowhere")}),
        **pinned_cases(tree, root, conda),
        **foreign_cases(tree),
        **pyenv_cases(tree, root),
    }


# The warning `pyrun which` gives in a case, which each hook must print as it is.
WARNED = {"untrusted .venv": "is owned by uid 65534"}


def foreign_cases(tree: Tree) -> dict[str, tuple[Path, dict[str, str]]]:
    """A .venv owned by another user (made as root only): skipped with a warning."""
    if os.geteuid() != 0:
        return {}
    owners = owner_tree(tree.world.root, tree.world.base)
    return {
        "untrusted .venv": (owners / "foreign", {}),
        "untrusted .venv, trusted": (owners / "foreign", {"PYRUN_TRUST": "*"}),
    }


def pyenv_cases(tree: Tree, root: Path) -> dict[str, tuple[Path, dict[str, str]]]:
    """pyenv's shims first on PATH (after pyrun's): the label names the version pyenv
    would run (tests/test_pyenv.py builds the same)."""
    second = tree.world.bases.get("3.12")
    if second is None:
        return {}
    pyenv = root / "pyenv-root"
    if not pyenv.exists():
        (pyenv / "shims").mkdir(parents=True)
        (pyenv / "versions").mkdir()
        (pyenv / "versions" / "3.11.9").symlink_to(tree.world.base.prefix)
        (pyenv / "versions" / "3.12.1").symlink_to(second.prefix)
        for name in ("python", "python3", "python3.11", "python3.12"):
            shim = pyenv / "shims" / name
            shim.write_text(f'#!/bin/sh\nexec {second.python} "$@"\n')
            shim.chmod(0o755)
        (root / "pyenv-local").mkdir()
        (root / "pyenv-local" / ".python-version").write_text("3.12.1\n")
    env = {
        "PYENV_ROOT": str(pyenv),
        "PATH": tree.world.path_with(tree.world.shims, pyenv / "shims", tree.world.base.bin),
    }
    return {
        "pyenv: PYENV_VERSION": (root / "plain", {**env, "PYENV_VERSION": "3.12.1"}),
        "pyenv: a local version file": (root / "pyenv-local", env),
        "pyenv: system": (root / "plain", {**env, "PYENV_VERSION": "system"}),
    }


# What `python` is in each .python-version case: the resolver is held to it too, so a
# pin that neither side read could not pass.
PINNED = {
    "pin: a second base on PATH": ("isolated", "pyrun 3.12"),
    "pin: a .venv of that minor": (".venv", "venv"),
    "pin: a .venv of another minor is skipped": ("isolated", "pyrun 3.12"),
    # an environment the user activated wins over the file (with a warning)
    "pin: VIRTUAL_ENV of another minor wins": ("VIRTUAL_ENV", "uv-style name"),
    "pin: a named conda env of another minor wins": ("CONDA_PREFIX", "ml"),
    "pin: comments, CRLF, white space, 3.012": ("isolated", "pyrun 3.12"),
    "pin: .python-versions": ("isolated", "pyrun 3.12"),
    "pin: 3 asks for no minor": ("isolated", "pyrun 3.11"),
    "pin: uv's global file": ("isolated", "pyrun 3.12"),
    "pin: PYRUN_PYTHON_VERSION_FILES=0": ("isolated", "pyrun 3.11"),
}


def pinned_cases(
    tree: Tree, root: Path, conda: dict[str, str]
) -> dict[str, tuple[Path, dict[str, str]]]:
    """.python-version files (src/pyrun/version_file.py), with the 3.11 base first on
    PATH and the 3.12 base after it: a pin to 3.12 skips what is not 3.12."""
    base = tree.world.bases.get("3.12")
    if base is None:  # the agreement test still runs the rest; the pin test skips below
        return {}
    pins = root / "pins"
    path = tree.world.path_with(tree.world.shims, tree.world.base.bin, base.bin)
    env = {"PATH": path}
    if not pins.exists():
        # The 3.12 base's isolated environment and its record, as python3.12 (which
        # reads no file) makes them: the hook reads the record, never the interpreter.
        tree.world.pyrun("_shim", "python3.12", "test", "-c", "pass", env=env, check=True)

        def pin(where: Path, text: str, name: str = ".python-version") -> None:
            where.mkdir(parents=True, exist_ok=True)
            (where / name).write_bytes(text.encode())

        pin(pins / "second", "3.12\n")
        (pins / "second" / "src").mkdir()
        tree.world.venv(pins / "venv" / ".venv")  # a real one: it has bin/python3.11
        pin(pins / "venv", "3.11.7\n")
        pin(pins / "venv" / "other", "3.12\n")
        pin(pins / "crlf", "# the team's pin\r\n\r\n  \t\r\nsystem\r\n 3.012.1 \r\n3.11\r\n")
        pin(pins / "plural", "3.12\n", ".python-versions")
        pin(pins / "any", "3\n3.12\n")
        pin(pins / "xdg" / "uv", "3.12")
        (pins / "plain").mkdir()
    second = pins / "second" / "src"
    return {
        "pin: a second base on PATH": (second, env),
        "pin: a .venv of that minor": (pins / "venv", env),
        "pin: a .venv of another minor is skipped": (pins / "venv" / "other", env),
        "pin: VIRTUAL_ENV of another minor wins": (
            second,
            {**env, "VIRTUAL_ENV": str(root / "activated" / "env")},
        ),
        "pin: a named conda env of another minor wins": (second, {**env, **conda}),
        "pin: comments, CRLF, white space, 3.012": (pins / "crlf", env),
        "pin: .python-versions": (pins / "plural", env),
        "pin: 3 asks for no minor": (pins / "any", env),
        "pin: uv's global file": (pins / "plain", {**env, "XDG_CONFIG_HOME": str(pins / "xdg")}),
        "pin: PYRUN_PYTHON_VERSION_FILES=0": (second, {**env, "PYRUN_PYTHON_VERSION_FILES": "0"}),
    }


def hook_file(tree: Tree, shell: str) -> Path:
    """`pyrun hook SHELL` printed once into a file: each case sources the same text
    (no config.toml in these cases changes it), one process less per case."""
    path = tree.out / f"hook.{shell}"
    if not path.exists():
        path.write_text(tree.world.pyrun("hook", shell, check=True).stdout)
    return path


def shell_argv(shell: str, script: str) -> list[str]:
    """Run `script` in bash or zsh with no start-up file of the machine's."""
    if shell == "zsh":
        return ["zsh", "-f", "-c", script]
    return ["bash", "--norc", "--noprofile", "-c", script]


def hook_sees(tree: Tree, shell: str, cwd: Path, env: dict[str, str]) -> tuple[str, str, str]:
    """PYRUN_ENV_KIND, PYRUN_ENV_NAME and the stderr of the hook evaluated in cwd."""
    need(shutil.which(shell), shell)
    script = (
        f"cd {quote_posix(str(cwd))} && . {quote_posix(str(hook_file(tree, shell)))} && "
        'printf \'%s\\0\' "$PYRUN_ENV_KIND" "$PYRUN_ENV_NAME"'
    )
    argv = shell_argv(shell, script)
    done = tree.world.run(argv, env=env, check=True)
    kind, name = done.stdout.split("\0")[:2]
    return kind, name, done.stderr


def test_hooks_agree_with_pyrun_which(tree: Tree) -> None:
    shells = [name for name in SHELL_NAMES if shutil.which(name)]
    need(len(shells) == len(SHELL_NAMES) or not IN_CI, "bash and zsh")
    for case, (cwd, env) in agreement_cases(tree).items():
        done = tree.world.pyrun("which", "python", "--json", cwd=cwd, env=env)
        if done.returncode == 0:
            info = json.loads(done.stdout)
            expected = (info["source"], info["label"])
        elif case == "broken VIRTUAL_ENV":
            expected = ("VIRTUAL_ENV", "broken VIRTUAL_ENV")
        else:
            assert case.endswith(".venv"), (case, done.stderr)
            expected = (".venv", "broken .venv")
        assert PINNED.get(case, expected) == expected, (case, "pyrun which")
        assert WARNED.get(case, "") in done.stderr, (case, done.stderr)
        # which's warnings, not its error for a broken environment
        said = done.stderr.splitlines() if done.returncode == 0 else []
        warnings = [line for line in said if line.startswith("pyrun: ")]
        for shell in shells:
            kind, name, stderr = hook_sees(tree, shell, cwd, env)
            assert (kind, name) == expected, (case, shell)
            assert stderr.splitlines() == warnings, (case, shell, stderr)


def test_a_python_version_file_appearing_here_is_seen_at_the_next_prompt(
    tree: Tree, shell: str
) -> None:
    """A .python-version (or .python-versions) made or removed in the current
    directory is seen at the next prompt, without a cd; an edit of one that stays is
    seen at the next change. PYRUN_PYTHON_VERSION_FILES counts once exported, as the
    shims see it."""
    need_minor(tree.world.bases, "3.12")
    cases = agreement_cases(tree)
    _cwd, env = cases["pin: a second base on PATH"]
    work = tree.world.root / "agree" / "pins" / f"edit-{shell}"
    work.mkdir()
    term = Term(tree, shell, env={**env, "T_WORK": str(work)})
    assert term.run('cd "$T_WORK"') == "(pyrun 3.11) "
    assert term.run("printf '3.12\\n' > .python-version") == "(pyrun 3.12) "
    assert term.kind_name() == ("isolated", "pyrun 3.12")
    assert term.run("printf '3.11\\n' > .python-version") == "(pyrun 3.12) ", "no change seen"
    term.run("cd ..")
    assert term.run("cd - >/dev/null") == "(pyrun 3.11) ", "seen at the next change"
    assert term.run("rm .python-version") == "(pyrun 3.11) "
    assert term.run("printf '3.12\\n' > .python-versions") == "(pyrun 3.12) "
    assert term.run("export PYRUN_PYTHON_VERSION_FILES=0") == "(pyrun 3.11) "
    assert term.run("PYRUN_PYTHON_VERSION_FILES=1") == "(pyrun 3.12) "
    # Not exported, the shims do not see it: neither does the hook.
    assert term.run("unset PYRUN_PYTHON_VERSION_FILES; PYRUN_PYTHON_VERSION_FILES=0") == (
        "(pyrun 3.12) "
    )
    assert term.run("rm .python-versions") == "(pyrun 3.11) "
    term.close()


def test_a_venv_made_or_removed_here_is_seen_at_the_next_prompt(tree: Tree, shell: str) -> None:
    """`python -m venv .venv` (or uv venv, poetry install) in the project: the next
    prompt names it, without a cd; removing it (or leaving a broken one) too. An edited
    pyvenv.cfg prompt is seen at the next change."""
    work = tree.world.root / f"fresh-{shell}"
    work.mkdir()
    term = Term(tree, shell, env={"T_WORK": str(work), "T_BASE": str(tree.world.base.python)})
    assert term.run('cd "$T_WORK"') == "(pyrun 3.11) "
    assert term.run('"$T_BASE" -m venv --without-pip .venv') == f"(fresh-{shell}) "
    assert term.kind_name() == (".venv", f"fresh-{shell}")
    assert term.read('"$(python -c "import sys; print(sys.prefix)")"') == [str(work / ".venv")]
    term.run("printf 'prompt = edited\\n' >> .venv/pyvenv.cfg")
    term.run("cd ..")
    assert term.run("cd - >/dev/null") == "(edited) ", "seen at the next change"
    assert term.run("rm -r .venv") == "(pyrun 3.11) "
    assert term.run("mkdir .venv") == "(broken .venv) "
    assert term.run("rmdir .venv && ln -s nowhere .venv") == "(broken .venv) "
    assert term.kind_name() == (".venv", "broken .venv")
    assert term.run("rm .venv") == "(pyrun 3.11) "
    # A redirect file naming an environment elsewhere, made and removed here.
    term.run('"$T_BASE" -m venv --without-pip elsewhere')
    assert term.run("printf 'elsewhere\\n' > .venv") == "(elsewhere) "
    assert term.kind_name() == (".venv", "elsewhere")
    assert term.run("rm .venv") == "(pyrun 3.11) "
    term.close()


def test_the_resolver_missing_is_said_and_its_return_is_seen(tree: Tree, shell: str) -> None:
    """No pyrun-resolve (the shims directory half gone): the label says `pyrun?`
    rather than guess, and `pyrun rehash` making it again is seen at the next prompt."""
    term = Term(tree, shell)
    resolver = tree.world.shims / "pyrun-resolve"
    away = tree.world.root / f"resolver-away-{shell}"
    resolver.rename(away)
    try:
        assert term.run('cd "$T_PROJ"') == "(pyrun?) "
        assert term.kind_name() == ("", "pyrun?")
        assert term.run("") == "(pyrun?) "
    finally:
        away.rename(resolver)
    assert term.run("") == f"({PROJECT}) ", "the resolver is back"
    term.close()


# -- a .venv that someone else controls (src/pyrun/ownership.py) ----------------------

NOBODY = 65534


def owner_tree(top: Path, base: Base) -> Path:
    """Below a project top/owners whose own .venv is what the walk falls back to: a .venv
    owned by another user, one writable by others, one in a group-writable directory,
    one in a sticky world-writable directory (usable), and root's own (usable). Made
    once; tests/test_hooks_fish.py uses it too."""
    root = top / "owners"
    if root.exists():
        return root
    for name in ("", "foreign", "otherw", "groupw", "sticky", "mine"):
        fake_venv(root / name / ".venv", base)
        for path in (root / name, root / name / ".venv"):
            path.chmod(0o755)
    (root / "foreign" / "sub").mkdir()
    for dirpath, dirnames, filenames in os.walk(root / "foreign" / ".venv"):
        for name in [".", *dirnames, *filenames]:
            os.chown(Path(dirpath) / name, NOBODY, NOBODY, follow_symlinks=False)
    (root / "otherw" / ".venv").chmod(0o757)
    (root / "groupw").chmod(0o775)
    os.chown(root / "groupw", -1, 4242)  # a group /etc/group does not have (not private)
    (root / "sticky").chmod(0o1777)
    return root


_RESOLVED: dict[tuple[str, str | None], tuple[str, str, list[str]]] = {}


def resolver_sees(tree: Tree, cwd: Path, trust: str | None = None) -> tuple[str, str, list[str]]:
    """Kind, label and warning lines of `pyrun which python --json` in cwd."""
    key = (str(cwd), trust)
    if key not in _RESOLVED:
        env = {} if trust is None else {"PYRUN_TRUST": trust}
        done = tree.world.pyrun("which", "python", "--json", cwd=cwd, env=env, check=True)
        info = json.loads(done.stdout)
        warnings = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
        _RESOLVED[key] = (info["source"], info["label"], warnings)
    return _RESOLVED[key]


def test_a_venv_someone_else_controls_is_skipped_as_the_shims_skip_it(
    tree: Tree, shell: str
) -> None:
    need(os.geteuid() == 0, "root, to make a .venv owned by another user")
    owners = owner_tree(tree.world.root, tree.world.base)
    term = Term(tree, shell, env={"T_OWN": str(owners)})

    def visit(where: str, label: str, *, trust: str | None = None, line: str = "") -> str:
        """cd (or run `line`) there; the label and the warnings agree with the resolver."""
        cwd = owners / where
        kind, name, warnings = resolver_sees(tree, cwd, trust)
        assert (kind, name) == (".venv", label), (where, trust)
        out, shown = term.run_out(line or f'cd "$T_OWN/{where}"')
        assert shown == f"({label}) ", (where, trust, out)
        assert term.kind_name() == (kind, name)
        for warning in warnings:
            assert warning in out, (where, trust, out)
        if not warnings:
            assert "pyrun: " not in out, (where, trust, out)
        return out

    # Skipped as if absent: the walk goes on to the project's .venv, with one warning.
    out = visit("foreign", "owners")
    assert f"not using {owners}/foreign/.venv: {owners}/foreign/.venv is owned by uid 65534" in out
    assert f"(export PYRUN_TRUST={owners}/foreign/.venv)" in out
    assert term.run_out("")[0].count("pyrun: ") == 0, "said when recomputed, not every prompt"
    assert "pyrun: " not in term.run_out("cd sub")[0], "not again for the same .venv"
    visit("sticky", "sticky")
    visit("otherw", "owners")
    visit("mine", "mine")
    visit("groupw", "owners")
    visit("foreign/.venv/bin", "owners")  # inside it: skipped too
    # Trusted by PYRUN_TRUST, exported as the shims need it; `*` trusts everything.
    foreign = f"{owners}/foreign/.venv"
    visit("foreign", "foreign", trust=foreign, line='export PYRUN_TRUST="$T_OWN/foreign/.venv"')
    visit("foreign", "foreign", trust="*", line="PYRUN_TRUST='*'")
    visit("otherw", "otherw", trust="*")
    # Not exported, it does not reach the shims: the hook ignores it too.
    visit("otherw", "owners", line="unset PYRUN_TRUST; PYRUN_TRUST='*'")
    term.close()
    assert canaries(tree) == []


def test_a_version_file_that_is_none_or_someone_elses_is_skipped_at_the_prompt(
    tree: Tree, shell: str
) -> None:
    """A FIFO or a 1 TB sparse .python-version, or one another account wrote in a
    sticky directory: the prompt comes back (pexpect's timeout, not the shell's), shows
    the default environment and says the resolver's one warning."""
    need(os.geteuid() == 0, "root, to make a file owned by another user")
    root = tree.world.root / "pins"
    if not root.exists():
        for name in ("fifo", "sparse", "foreign"):
            (root / name / "w").mkdir(parents=True)
        os.mkfifo(root / "fifo" / ".python-version")
        with open(root / "sparse" / ".python-version", "wb") as handle:
            handle.truncate(1 << 40)  # `truncate -s 1T`
        (root / "foreign" / ".python-version").write_text("3.13\n")
        os.chown(root / "foreign" / ".python-version", NOBODY, NOBODY)
        (root / "foreign").chmod(0o1777)
    term = Term(tree, shell, env={"T_PINS": str(root)})
    for name in ("fifo", "sparse", "foreign"):
        cwd = root / name / "w"
        kind, label, warnings = resolver_sees(tree, cwd)
        assert (kind, label) == ("isolated", "pyrun 3.11"), name
        assert len(warnings) == 1 and f"{root / name}/.python-version" in warnings[0], warnings
        out, shown = term.run_out(f'cd "$T_PINS/{name}/w"')
        assert shown == "(pyrun 3.11) ", (name, out)
        assert warnings[0] in out, (name, out)
    term.close()


# -- the rendered hook: placeholders and linters -------------------------------------


def rendered(shell: str, data: str = "") -> str:
    """The hook as `pyrun hook SHELL` prints it, for the same paths on every machine."""
    paths = Paths(
        data=Path(data or "/home/user/.local/share/pyrun"), config=Path("/home/user/.config")
    )
    return hook_command.render(SHELLS[shell], paths)


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_rendered_placeholders_are_all_replaced_and_quoted(
    shell: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every placeholder is replaced, by a value the shell reads back byte for byte
    from a path holding quotes, `$(...)`, a space and non-ASCII; the resolver is not
    there, so the hook says `pyrun?` (and runs nothing the path names)."""
    data = tmp_path / f"d a'ta \"$(touch {tmp_path}/ran)` пример"
    template = Path(__file__).parents[1] / "shell" / shell / f"pyrun.{shell}"
    used = sorted(set(re.findall(r"__PYRUN_[A-Z_]+__", template.read_text())))
    assert used == sorted(hook_command.PLACEHOLDERS)
    python = data / "venv" / "bin" / "python3"  # the interpreter running pyrun
    monkeypatch.setattr(sys, "executable", str(python))
    text = rendered(shell, str(data))
    assert "__PYRUN_" not in text
    hook = tmp_path / f"hook.{shell}"
    hook.write_text(text)
    script = (
        f'. {quote_posix(str(hook))}; printf \'%s\\0\' "$_pyrun_shims" "$_pyrun_resolver" '
        '"$_pyrun_python" "$_pyrun_prompt" "$_pyrun_before" "$_pyrun_after" "$PYRUN_ENV_NAME"'
    )
    argv = shell_argv(shell, script)
    need(shutil.which(shell), shell)
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, check=True)
    shims = data / "shims"
    values = [str(shims), str(shims / "pyrun-resolve"), str(python), "1", "(", ") ", "pyrun?"]
    assert done.stdout.split("\0")[:-1] == values
    assert done.stderr == ""
    assert not (tmp_path / "ran").exists()


def test_rendered_hooks_pass_their_linters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bash_hook = tmp_path / "hook.bash"
    bash_hook.write_text(rendered("bash"))
    zsh_hook = tmp_path / "hook.zsh"
    zsh_hook.write_text(rendered("zsh"))
    shellcheck = tool("shellcheck")
    done = subprocess.run(
        [str(shellcheck), "-s", "bash", str(bash_hook)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    zsh = tool("zsh")
    done = subprocess.run([str(zsh), "-n", str(zsh_hook)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# -- neighbours: direnv's hook and conda's activation in the same shell ---------------


def test_beside_direnv(tree: Tree, shell: str) -> None:
    direnv = shutil.which("direnv")
    need(direnv, "direnv")
    # A plain name: direnv 2.32 itself mangles a `$` in the directory's path.
    project = tree.world.root / "direnv-project"
    if not project.exists():
        fake_venv(project / ".venv", tree.world.base)
        (project / "sub").mkdir()
        (project / "sub" / ".envrc").write_text("export PYRUN_NEIGHBOUR=direnv-was-here\n")
        tree.world.run([str(direnv), "allow", str(project / "sub")], check=True)
    term = Term(
        tree,
        shell,
        before=f'eval "$({quote_posix(str(direnv))} hook {shell})"; ',
        env={"T_DIRENV": str(project)},
    )
    assert term.run('cd "$T_DIRENV/sub"').endswith("(direnv-project) ")
    assert term.read('"${PYRUN_NEIGHBOUR-unset}" "$PYRUN_ENV_KIND"') == ["direnv-was-here", ".venv"]
    term.run("false")
    assert term.read('"$?"') == ["1"], "the exit status survives both hooks"
    assert term.read('"${PATH%%:*}"') == [str(tree.world.shims)]
    term.run("cd ..")
    assert term.read('"${PYRUN_NEIGHBOUR-unset}" "$PYRUN_ENV_KIND"') == ["unset", ".venv"]
    term.close()


def test_beside_a_conda_activation(tree: Tree, shell: str) -> None:
    # conda itself is not installable here: this does to the shell what `conda activate`
    # does (PATH in front, CONDA_* exported, its own "(name) " in front of the prompt).
    env = tree.world.root / "conda-neighbour" / "envs" / "ml"
    if not env.exists():
        (env / "bin").mkdir(parents=True)
        (env / "bin" / "python3").symlink_to(tree.world.base.python)
        (env / "conda-meta").mkdir()
    activate = (
        "_fake_conda_activate() { export CONDA_PREFIX=$1 CONDA_DEFAULT_ENV=ml "
        'CONDA_PROMPT_MODIFIER="(ml) "; PATH="$1/bin:$PATH"; PS1="(ml) $PS1"; }; '
    )
    term = Term(tree, shell, before=activate, env={"T_CONDA": str(env)})
    shown = term.run('_fake_conda_activate "$T_CONDA"')
    assert shown == "(ml) ", "conda shows the environment; pyrun does not show it again"
    assert term.read('"$PYRUN_ENV_KIND" "$PYRUN_ENV_NAME"') == ["CONDA_PREFIX", "ml"]
    assert term.read('"${PATH%%:*}"') == [str(tree.world.shims)], "shims first again"
    term.close()


def test_beside_a_starship_style_prompt(tree: Tree, shell: str) -> None:
    # starship is in no registry this machine reaches. This stands in for it the way
    # its init works: the prompt is a command substitution of `starship prompt`, fed
    # the last exit status by a precmd hook registered before pyrun's.
    fake = tree.world.root / "starship-bin"
    if not fake.exists():
        fake.mkdir()
        script = fake / "starship"
        script.write_text('#!/bin/sh\nprintf "star[%s]#@""> " "${2#--status=}"\n')
        script.chmod(0o755)
    star = quote_posix(str(fake / "starship"))
    if shell == "bash":
        init = (
            f"_star_precmd() {{ _star_status=$?; }}; PROMPT_COMMAND=_star_precmd; "
            f"PS1='$({star} prompt --status=$_star_status)'; "
        )
    else:
        init = (
            "setopt prompt_subst; _star_precmd() { _star_status=$?; }; "
            f"precmd_functions=(_star_precmd); PS1='$({star} prompt --status=$_star_status)'; "
        )
    term = Term(tree, shell, before=init)
    assert term.first.endswith("star[0]"), term.first
    shown = term.run('cd "$T_PROJ"; false')
    assert shown == f"({PROJECT}) star[1]", "starship sees the user's exit status"
    assert term.read('"$PYRUN_ENV_KIND" "${PATH%%:*}"') == [".venv", str(tree.world.shims)]
    shown = term.run("PYRUN_PROMPT=0")
    assert shown == "star[0]", "with the indicator off, starship's prompt is left alone"
    assert term.read('"$PYRUN_ENV_NAME"') == [PROJECT], "starship can read the label instead"
    term.close()


# -- console script shims that come and go while the shell runs ------------------------


def test_the_shell_forgets_command_paths_when_the_shims_change(world: World, shell: str) -> None:
    """bash and zsh remember where they found a command. After `pip install` through
    the shim makes a shim for that name, the next prompt makes the name run pyrun's
    shim; after `pip uninstall` removes it, the next one falls through to the copy
    further on PATH, with no `No such file or directory` (the shims marker is gone, so
    the hook runs hash -r / rehash)."""
    fake = world.root / "fake-bin"
    fake.mkdir()
    (fake / "pyrun-probe").write_text("#!/bin/sh\necho fake\n")
    (fake / "pyrun-probe").chmod(0o755)
    out = world.root / "out"
    out.mkdir()
    tree = Tree(world, world.root, world.root, world.root, world.root, world.root, out)
    term = Term(tree, shell, env={"PATH": world.path_with(world.shims, world.base.bin, fake)})
    term.run('pyrun-probe > "$T_OUT/before"')
    assert (out / "before").read_text() == "fake\n", "found the one in fake-bin"
    term.run("pip install -q pyrun_probe")
    assert (world.shims / "pyrun-probe").is_file(), "pip made the console script shim"
    term.run('pyrun-probe > "$T_OUT/after"')
    after = (out / "after").read_text()
    assert after.startswith("pyrun_probe 1.0 ") and str(world.envs) in after, after
    term.run("pip uninstall -q -y pyrun_probe")
    assert not (world.shims / "pyrun-probe").exists(), "pip removed the shim"
    shown, _ = term.run_out('pyrun-probe > "$T_OUT/gone"')
    assert "No such file" not in shown, shown
    assert (out / "gone").read_text() == "fake\n"
    term.close()


# -- the user's shell options, and zsh prompt themes ------------------------------------


@pytest.mark.parametrize(
    "options",
    ["set -e", "set -u", "shopt -s failglob nullglob", "set -o posix", "all"],
)
def test_bash_options_do_not_break_the_hook(tree: Tree, options: str) -> None:
    if options == "all":
        options = "set -eu -o posix; shopt -s failglob"
    # The user's aliases and functions for the commands the hook uses change nothing.
    hijack = (
        "alias builtin=false shopt=false; hash() { echo hijacked; }; shopt() { echo hijacked; }"
    )
    term = Term(tree, "bash", before=f"{hijack}; {options}; ")
    assert term.first == "(pyrun 3.11) "
    shown, indicator = term.run_out('cd "$T_PROJ"')
    assert indicator == f"({PROJECT}) "
    assert term.run("cd sub && mkdir -p .venv") == "(broken .venv) "
    shown += term.run_out("rmdir .venv; cd ../..")[0]
    assert term.kind_name() == ("isolated", "pyrun 3.11")
    assert "bash:" not in shown and "hijacked" not in shown, shown
    assert term.child.isalive()
    term.close()


def test_zsh_emulate_sh_and_aliases_do_not_break_the_hook(tree: Tree) -> None:
    before = (
        "alias emulate=false local=false print=false rehash=false; "
        "export() { echo hijacked; }; rehash() { echo hijacked; }; "
        "emulate sh; setopt nounset ksh_arrays sh_word_split; "
    )
    term = Term(tree, "zsh", before=before)
    assert term.first == "(pyrun 3.11) "
    shown, indicator = term.run_out('cd "$T_PROJ"')
    assert indicator == f"({PROJECT}) "
    assert term.run("mkdir sub/.venv && cd sub") == "(broken .venv) "
    shown += term.run_out("rmdir .venv; cd ../..")[0]
    assert term.kind_name() == ("isolated", "pyrun 3.11")
    assert "zsh:" not in shown and "hijacked" not in shown, shown
    term.close()


# An oh-my-zsh theme as they are written: PROMPT set in a precmd function of its own,
# added with add-zsh-hook once oh-my-zsh has loaded (after or before pyrun's hook).
OMZ_THEME = (
    "setopt prompt_subst; autoload -Uz add-zsh-hook; "
    "_omz_theme_precmd() { PROMPT='omz %~ #@''> '; }; add-zsh-hook precmd _omz_theme_precmd; "
)


@pytest.mark.parametrize("theme", ["adam1", "omz"])
@pytest.mark.parametrize("order", ["theme after the hook", "theme before the hook"])
def test_zsh_prompt_themes_keep_the_indicator(tree: Tree, theme: str, order: str) -> None:
    """Debian's `autoload -Uz promptinit; promptinit; prompt adam1` and an oh-my-zsh
    style theme rebuild PROMPT in their own precmd: the indicator is still there."""
    need(shutil.which("zsh"), "zsh")
    if theme == "adam1":
        # The test's mark after adam1's prompt, which breaks its line when the path
        # is long: the indicator is then on the line before.
        setup = (
            "autoload -Uz promptinit; promptinit; prompt adam1; "
            "_mark() { PS1=$PS1'#@''> '; }; add-zsh-hook precmd _mark; "
        )
    else:
        setup = OMZ_THEME
    hook = f'eval "$({quote_posix(PYRUN)} hook zsh)"'
    if order == "theme after the hook":
        term = Term(tree, "zsh", before=f"{hook}; {setup}")
        term.run("")  # the first prompt after the theme came may lack it (the README)
    else:
        term = Term(tree, "zsh", before=setup)
    term.run("")
    assert "(pyrun 3.11) " in term.before, term.before
    shown = term.run('cd "$T_PROJ"')
    assert f"({PROJECT}) " in term.before, term.before
    if theme == "omz":
        assert shown.startswith(f"({PROJECT}) omz "), shown
    term.run("")
    assert f"({PROJECT}) " in term.before, term.before
    assert term.read('"${precmd_functions[1]}" "${precmd_functions[-1]}"') == [
        "_pyrun_hook",
        "_pyrun_prompt",
    ]
    term.close()


# -- console scripts another installer made: the command-not-found handlers -------------

# What the first-use script prints and how it exits: its prefix, its arguments, and a
# status of its own, so the test sees both pass through the handler.
FRESH = (
    "import sys\n"
    "def main():\n"
    "    print('fresh', sys.prefix, '|'.join(sys.argv[1:]))\n"
    "    return 40 + len(sys.argv)\n"
)


def sbin_name() -> str:
    """A system command that is not on the tests' PATH (/usr/bin and /bin only): the
    shell does not find it, so its handler is asked, and pyrun must still refuse it."""
    for directory in ("/usr/sbin", "/sbin"):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if (
                is_script_name(name)
                and shadow_reason(name) is not None
                and name not in SHELL_WORDS
                and not any(os.path.exists(f"{d}/{name}") for d in ("/usr/bin", "/bin"))
            ):
                return name
    need(None, "a command in /usr/sbin or /sbin that is not in /usr/bin or /bin")
    return ""


def fresh_project(world: World, installer: str) -> tuple[Path, Path, str]:
    """A project whose .venv pyrun has never seen, and a wheel declaring the console
    script `pyrun-fresh` and one named like a system command: (project, wheel, that
    name). The .venv has pip only when the installer is its `python -m pip`."""
    project = world.root / "proj"
    project.mkdir()
    world.venv(project / ".venv", pip=installer == "python -m pip")
    system = sbin_name()
    house = world.root / "house"
    house.mkdir()
    scripts = {"pyrun-fresh": "pyrun_fresh:main", system: "pyrun_fresh:main"}
    wheel = build_wheel(house, "pyrun_fresh", "1.0", scripts=scripts, module=FRESH)
    return project, wheel, system


def install_line(installer: str) -> str:
    """The install as typed in the shell: `python` is the shim, so `python -m pip` is
    the .venv's own pip (no guard); uv picks the .venv of the working directory."""
    if installer == "uv pip":
        need(UV.is_file(), f"uv next to the test interpreter ({UV})")
        return '"$T_UV" pip install -q --offline --no-index "$T_WHEEL"'
    return 'python -m pip install -q --no-index "$T_WHEEL"'


@pytest.mark.parametrize("installer", ["python -m pip", "uv pip"])
def test_a_console_script_another_installer_made_runs_on_first_use(
    world: World, shell: str, installer: str
) -> None:
    """No pip guard ran, so no shim: the first time the name is typed, the shell's
    command-not-found handler asks pyrun, which makes the shim (registering the .venv)
    and runs it with the arguments, its status passed on. A name no environment has
    still reaches the handler that was there before pyrun's; a script named like a
    system command gets no shim and reaches it too."""
    project, wheel, system = fresh_project(world, installer)
    out = world.root / "out"
    out.mkdir()
    tree = Tree(world, world.root, world.root, world.root, world.root, world.root, out)
    name = {"bash": "command_not_found_handle", "zsh": "command_not_found_handler"}[shell]
    before = f'{name}() {{ printf "%s\\n" "$*" > "$T_OUT/previous"; return 3; }}; '
    env = {"T_WHEEL": str(wheel), "T_UV": str(UV), "UV_CACHE_DIR": str(world.root / "uv")}
    term = Term(tree, shell, cwd=project, before=before, env=env)
    term.run(install_line(installer))
    assert (project / ".venv" / "bin" / "pyrun-fresh").is_file(), term.before
    assert not (world.shims / "pyrun-fresh").exists(), "the installer made no shim"

    term.run('pyrun-fresh a "b c" > "$T_OUT/fresh"; echo $? > "$T_OUT/status"')
    assert (out / "fresh").read_text() == f"fresh {project / '.venv'} a|b c\n", term.before
    assert (out / "status").read_text() == "43\n"
    assert (world.shims / "pyrun-fresh").is_file(), "the shim is there for next time"
    assert str(project / ".venv") in (world.data / "script-envs").read_text().splitlines()
    assert not (out / "previous").exists()

    term.run('pyrun-nowhere x > "$T_OUT/none"; echo $? > "$T_OUT/status"')
    assert (out / "previous").read_text() == "pyrun-nowhere x\n", "the previous handler"
    assert (out / "status").read_text() == "3\n"
    assert (out / "none").read_text() == ""

    term.run(f'{system} y; echo $? > "$T_OUT/status"')
    assert (out / "previous").read_text() == f"{system} y\n"
    assert (out / "status").read_text() == "3\n"
    assert (project / ".venv" / "bin" / system).is_file()
    assert not (world.shims / system).exists(), "no shim for a system command's name"
    term.close()


def test_without_a_previous_handler_the_shell_says_command_not_found(
    world: World, shell: str
) -> None:
    """No handler before pyrun's, under set -u (bash) or nounset (zsh), the hook
    evaluated three times: a script uv installed runs on first use, and a name no
    environment has, or one pyrun refuses outright, gets the shell's own message and
    127 (a copy of pyrun's own handler kept as the previous one would call itself)."""
    project, wheel, _system = fresh_project(world, "uv pip")
    out = world.root / "out"
    out.mkdir()
    tree = Tree(world, world.root, world.root, world.root, world.root, world.root, out)
    before = "set -u; " if shell == "bash" else "setopt nounset; "
    env = {"T_WHEEL": str(wheel), "T_UV": str(UV), "UV_CACHE_DIR": str(world.root / "uv")}
    term = Term(tree, shell, cwd=project, before=before, env=env, evals=3)
    term.run(install_line("uv pip"))
    shown, _ = term.run_out('pyrun-fresh; echo "status=$?"')
    assert f"fresh {project / '.venv'} \nstatus=41" in shown, shown
    for typed in ("pyrun-nowhere", "'no such'", "-dash"):
        shown, _ = term.run_out(f'{typed} a; echo "status=$?"')
        message = {
            "bash": f"bash: {typed.strip(chr(39))}: command not found",
            "zsh": f"zsh: command not found: {typed.strip(chr(39))}",
        }[shell]
        assert message in shown, shown
        assert "status=127" in shown, shown
        assert "unbound" not in shown and "parameter not set" not in shown, shown
    term.close()
