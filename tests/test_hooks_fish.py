"""`pyrun hook fish | source` in a real interactive fish, driven through a pty.

The prompt the tests install prints `<P:STATUS>`, so what the hook puts in front of it
is whatever the terminal shows before that mark. Paths reach fish through environment
variables, never typed, so hostile names cannot be mangled on the way in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrun.commands.hook import render
from pyrun.paths import Paths
from pyrun.shells import SHELLS, quote_fish
from tests.conftest import PYRUN, World, need, need_minor
from tests.test_hooks_posix import owner_tree

pexpect = pytest.importorskip("pexpect")

FISH = shutil.which("fish")
GOLDEN = Path(__file__).parent / "golden" / "hook.fish"
HOSTILE = "q'uote $dollar; semi && sp ace пример 日本 🐍"
EVIL = "a\nb\x1b[31m$(touch mark4)`touch mark4`"
PROMPT = re.compile(r"<P:(\d+)>")


def golden_text() -> str:
    """The hook as `pyrun hook fish` prints it, for the same paths on every machine."""
    return render(
        SHELLS["fish"], Paths(data=Path("/home/user/.local/share/pyrun"), config=Path("/"))
    )


class Fish:
    """One interactive fish with the hook sourced, driven line by line."""

    def __init__(self, world: World, env: dict[str, str] | None = None, strace: Path | None = None):
        need(FISH, "fish")
        argv = [FISH, "--no-config", "-i"]
        if strace is not None:
            argv = ["strace", "-f", "-e", "trace=fork,vfork,clone,clone3,execve", "-o", str(strace)]
            argv += [FISH, "--no-config", "-i"]
        merged = {**world.env, "TERM": "dumb", "PWD": str(world.root), **(env or {})}
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=merged,
            cwd=str(world.root),
            encoding="utf-8",
            codec_errors="replace",
            timeout=30,
            dimensions=(40, 1000),
        )
        self.child.sendline("function fish_prompt; printf '<P:%s>' $status; end")
        self.run(f"{quote_fish(PYRUN)} hook fish | source")

    def run(self, line: str) -> tuple[str, str]:
        """Run `line`; its output, and what the next prompt shows in front of the mark."""
        self.child.sendline(f"echo __BE''GIN__; {line}; echo __DO''NE__")
        self.child.expect_exact("__BEGIN__\r\n")
        self.child.expect_exact("__DONE__\r\n")
        output = self.child.before.replace("\r\n", "\n")
        return output, self.prompt()

    def prompt(self) -> str:
        self.child.expect(PROMPT)
        self.before = self.child.before.replace("\r\n", "\n")
        return self.child.before.split("\r")[-1]

    def status_then_prompt(self, line: str) -> tuple[str, str]:
        """`line` runs last, so the prompt's $status is its status: (indicator, status)."""
        self.child.sendline(f"echo __DO''NE__; {line}")
        self.child.expect_exact("__DONE__\r\n")
        indicator = self.prompt()
        return indicator, self.child.match.group(1)

    def kind_name(self) -> tuple[str, str]:
        out, _ = self.run('printf \'%s\\n\' "$PYRUN_ENV_KIND" "$PYRUN_ENV_NAME"')
        kind, name = out.splitlines()[-2:]
        return kind, name

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()


@pytest.fixture
def fish(world: World) -> Iterator[Fish]:
    shell = Fish(world, {"HOSTILE": str(world.root / HOSTILE), "EVIL": str(world.root / EVIL)})
    yield shell
    shell.close()


def project(world: World, name: str) -> Path:
    where = world.root / name
    where.mkdir(parents=True)
    world.venv(where / ".venv")
    return where


def which(world: World, cwd: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    done = world.pyrun("which", "python", "--json", cwd=cwd, env=env, check=True)
    return json.loads(done.stdout)


def test_cd_into_a_hostile_named_project_shows_its_name_as_data(world: World, fish: Fish) -> None:
    project(world, HOSTILE)
    _, shown = fish.run("cd $HOSTILE")
    assert shown == f"({HOSTILE}) "
    assert fish.kind_name() == (".venv", HOSTILE)
    out, _ = fish.run("python -c 'import sys; print(sys.prefix)'")
    assert out.strip() == str(world.root / HOSTILE / ".venv")
    _, shown = fish.run("cd ..")
    assert shown == "(pyrun) "


def test_sourcing_three_times_is_once_and_keeps_the_status(world: World, fish: Fish) -> None:
    src = f"{quote_fish(PYRUN)} hook fish | source"
    fish.run(f"{src}; {src}")
    out, _ = fish.run(
        "printf '%s\\n' (contains -i -- $_pyrun_shims $PATH)"
        " (count (string match -- $_pyrun_shims $PATH));"
        "functions _pyrun_original_fish_prompt | string match -q '*<P:*'; and echo user-prompt-kept"
    )
    assert out.split() == ["1", "1", "user-prompt-kept"]
    assert fish.status_then_prompt("false") == ("(pyrun) ", "1")
    assert fish.status_then_prompt("true") == ("(pyrun) ", "0")
    assert fish.status_then_prompt("sh -c 'exit 7'") == ("(pyrun) ", "7")


def test_isolated_label_appears_once_the_environment_is_made(world: World, fish: Fish) -> None:
    assert fish.kind_name() == ("isolated", "pyrun")
    _, shown = fish.run("python -c pass")  # the first use makes it
    assert shown == "(pyrun 3.11) "
    assert fish.kind_name() == ("isolated", "pyrun 3.11")


def test_shims_are_put_back_first_and_activate_shows_its_own_indicator(
    world: World, fish: Fish
) -> None:
    proj = project(world, "proj")
    _, shown = fish.run(f"cd {quote_fish(str(proj))}")
    assert shown == "(proj) "
    _, shown = fish.run("source .venv/bin/activate.fish")
    assert shown.count("(") == 1 and "(proj)" not in shown, shown
    out, _ = fish.run("echo $PATH[1]; printf '%s\\n' $PYRUN_ENV_KIND")
    assert out.split() == [str(world.shims), "VIRTUAL_ENV"]
    _, shown = fish.run("deactivate")
    assert shown == "(proj) "


def test_prompt_can_be_turned_off_and_the_variables_stay(world: World, fish: Fish) -> None:
    project(world, "quiet")
    _, shown = fish.run("set -gx PYRUN_PROMPT 0; cd quiet")
    assert shown == ""
    assert fish.kind_name() == (".venv", "quiet")


def test_cd_and_prompts_never_run_what_a_directory_holds(world: World, fish: Fish) -> None:
    canary = world.root / "ran"
    bin_dir = world.root / "trap" / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir.parent / "pyvenv.cfg").write_text("home = /nowhere\n")
    for name in ("python", "python3"):
        (bin_dir / name).write_text(f"#!/bin/sh\ntouch '{canary}'\n")
        (bin_dir / name).chmod(0o755)
    fish.run("cd trap")
    for _ in range(3):
        out, shown = fish.run("cd .venv/bin; cd ../..; cd ..; cd trap")
        assert shown == "(trap) ", out
    fish.child.sendline("")
    fish.child.sendline("")
    fish.run("true")
    assert not canary.exists()


def test_hostile_prompt_values_and_directory_names_are_shown_inert(
    world: World, fish: Fish
) -> None:
    marks = [world.root / f"mark{i}" for i in range(4)]
    values = {
        "subst": (f"$(touch {marks[0]})", f"$(touch {marks[0]})"),
        "paren": (f"(touch {marks[1]})", f"(touch {marks[1]})"),
        "tick": (f"`touch {marks[2]}`", f"`touch {marks[2]}`"),
        "osc": ("'\x1b]0;pwned\x07 %s %n'", "]0;pwned %s %n"),
    }
    for name, (value, _) in values.items():
        env = world.root / name / ".venv"
        env.parent.mkdir()
        world.venv(env)
        with open(env / "pyvenv.cfg", "a") as cfg:
            cfg.write(f"prompt = {value}\n")
    for name, (_, expected) in values.items():
        _, shown = fish.run(f"cd {quote_fish(str(world.root / name))}")
        assert shown == f"({expected}) ", name
    evil = world.root / EVIL
    evil.mkdir()
    world.venv(evil / ".venv")
    _, shown = fish.run("cd $EVIL")
    assert shown == "(ab[31m$(touch mark4)`touch mark4`) "
    marks += [world.root / "mark4", evil / "mark4"]
    assert not any(mark.exists() for mark in marks)


def test_an_unchanged_prompt_starts_no_process(world: World, tmp_path: Path) -> None:
    need(shutil.which("strace"), "strace")
    probe = subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True)
    need(probe.returncode == 0, "strace allowed to trace (ptrace)")
    project(world, "still")
    log = tmp_path / "strace.log"
    shell = Fish(world, strace=log)
    try:
        shell.run("cd still")
        before = log.stat().st_size
        for _ in range(5):
            shell.child.sendline("")
        shell.run("set -l x")
        calm = log.read_text(errors="replace")[before:]
        shell.run("command true")  # the control: a real process shows up in the log
        busy = log.read_text(errors="replace")[before + len(calm) :]
    finally:
        shell.close()

    def spawns(text: str) -> list[str]:
        return [
            line
            for line in text.splitlines()
            if re.search(r"\b(execve|fork|vfork|clone|clone3)\(", line)
            and "CLONE_THREAD" not in line
        ]

    assert spawns(calm) == []
    assert spawns(busy), "strace saw nothing: the control failed"


def test_kind_and_name_agree_with_pyrun_which(world: World, fish: Fish) -> None:
    world.shim("python", "-c", "pass", check=True)  # the isolated environment exists
    proj = project(world, "here")
    deep = proj / "a" / "b"
    deep.mkdir(parents=True)
    inside = world.venv(world.root / "inside-env")
    with open(inside / "pyvenv.cfg", "a") as cfg:
        cfg.write("prompt = 'my app'\n")
    active = world.venv(world.root / "activated")
    science = world.venv(world.root / "conda" / "envs" / "science")
    plain = world.root / "plain"
    plain.mkdir()
    cases = [
        (proj, {}),
        (deep, {}),
        (inside / "bin", {}),
        (plain, {"VIRTUAL_ENV": str(active)}),
        (plain, {"CONDA_PREFIX": str(science), "CONDA_DEFAULT_ENV": "science"}),
        (plain, {}),
    ]
    for cwd, env in cases:
        sets = "".join(f"set -gx {key} {quote_fish(value)}; " for key, value in env.items())
        fish.run(
            f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; {sets}cd {quote_fish(str(cwd))}"
        )
        expected = which(world, cwd, env)
        assert fish.kind_name() == (expected["source"], expected["label"]), (cwd, env)

    broken = world.root / "broken"
    (broken / ".venv").mkdir(parents=True)
    fish.run(f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; cd {quote_fish(str(broken))}")
    assert fish.kind_name() == (".venv", "broken .venv")
    done = world.pyrun("which", "python", "--json", cwd=broken)
    assert done.returncode != 0 and ".venv" in done.stderr

    dead = world.venv(world.root / "dead-env")
    for name in ("python", "python3", "python3.11"):
        (dead / "bin" / name).unlink()
    fish.run(f"set -gx VIRTUAL_ENV {quote_fish(str(dead))}; cd {quote_fish(str(plain))}")
    assert fish.kind_name() == ("VIRTUAL_ENV", "broken VIRTUAL_ENV")
    done = world.pyrun("which", "python", "--json", cwd=plain, env={"VIRTUAL_ENV": str(dead)})
    assert done.returncode != 0 and "VIRTUAL_ENV" in done.stderr

    # A .venv that someone else controls is skipped as the shims skip it, with their
    # warning, once; PYRUN_TRUST, exported, makes it count.
    need(os.geteuid() == 0, "root, to make a .venv owned by another user")
    owners = owner_tree(world.root, world.base)
    own = f"{owners}/foreign/.venv"
    steps = [  # where, PYRUN_TRUST for the resolver, label, what fish runs to get there
        ("foreign", None, "owners", "cd foreign"),
        ("foreign/sub", None, "owners", "cd sub"),  # the same .venv: not said again
        ("sticky", None, "sticky", "cd ../../sticky"),
        ("otherw", None, "owners", "cd ../otherw"),
        ("mine", None, "mine", "cd ../mine"),
        ("groupw", None, "owners", "cd ../groupw"),
        ("foreign/.venv/bin", None, "owners", "cd ../foreign/.venv/bin"),
        ("foreign", own, "foreign", "cd ../..; set -gx PYRUN_TRUST $PWD/.venv"),
        ("otherw", "*", "otherw", "set -gx PYRUN_TRUST '*'; cd ../otherw"),
        ("otherw", None, "owners", "set -e PYRUN_TRUST; set -g PYRUN_TRUST '*'"),  # unexported
    ]
    fish.run(f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; cd {quote_fish(str(owners))}")
    for where, trust, label, line in steps:
        env = {} if trust is None else {"PYRUN_TRUST": trust}
        done = world.pyrun("which", "python", "--json", cwd=owners / where, env=env, check=True)
        info = json.loads(done.stdout)
        assert (info["source"], info["label"]) == (".venv", label), where
        out, shown = fish.run(line)
        out += fish.before  # a changed variable is seen when the prompt is drawn
        assert shown == f"({label}) ", (where, out)
        assert fish.kind_name() == (".venv", label)
        said = [text for text in out.splitlines() if text.startswith("pyrun: ")]
        warned = [text for text in done.stderr.splitlines() if text.startswith("pyrun: ")]
        # The resolver repeats a .venv it meets twice (from inside it, then from above).
        expected = [] if where == "foreign/sub" else list(dict.fromkeys(warned))
        assert said == expected, (where, out)
        if where == "foreign" and trust is None:
            assert said == [
                f"pyrun: not using {own}: {own} is owned by uid 65534, not by you (uid 0) or "
                f"root; to use it anyway, add it to PYRUN_TRUST (export PYRUN_TRUST={own})"
            ]


def test_python_version_files_agree_with_pyrun_which(world: World, fish: Fish) -> None:
    # A .python-version makes `python` ask for its minor version (version_file.py): a
    # second base on PATH is chosen, an environment of another minor is skipped.
    need_minor(world.bases, "3.12")
    world.env["PATH"] = world.path_with(world.shims, world.base.bin, world.bases["3.12"].bin)
    fish.run(f"set -gx PATH {quote_fish(world.env['PATH'])}")
    pinned = world.root / "pinned"
    (pinned / "deep").mkdir(parents=True)
    (pinned / ".python-version").write_text("3.12\n")
    # Both isolated environments exist, so their records name their versions.
    world.shim("python", "-c", "pass", check=True)
    world.shim("python", "-c", "pass", cwd=pinned, check=True)
    # A .venv of 3.11 under a file asking for 3.12 is skipped, and the .venv step ends
    # there: the 3.12 .venv above it is not looked at either.
    outer = world.root / "outer"
    world.venv(outer / ".venv", base=world.bases["3.12"])
    (outer / ".python-version").write_text("3.12\n")
    mismatch = project(world, "outer/inner")
    messy = world.root / "messy"
    messy.mkdir()
    (messy / ".python-version").write_bytes(
        b"# a comment\r\n\r\n   \r\nsystem\r\n3.12t\r\n 3.012.1 \r\n3.11\r\n"
    )
    plural = world.root / "plural"
    plural.mkdir()
    (plural / ".python-versions").write_text("3.12\n3.11\n")
    any3 = world.root / "any3"
    any3.mkdir()
    (any3 / ".python-version").write_text("3\n3.12\n")
    plain = world.root / "plain"
    plain.mkdir()
    active = world.venv(world.root / "activated")  # 3.11
    cases = [  # where, environment, what the prompt shows
        (pinned, {}, "pyrun 3.12"),
        (pinned / "deep", {}, "pyrun 3.12"),
        (mismatch, {}, "pyrun 3.12"),
        (outer, {}, "outer"),
        (messy, {}, "pyrun 3.12"),
        (plural, {}, "pyrun 3.12"),
        (any3, {}, "pyrun 3.11"),
        (plain, {}, "pyrun 3.11"),
        (pinned, {"VIRTUAL_ENV": str(active)}, "pyrun 3.12"),
        (pinned, {"CONDA_PREFIX": str(active), "CONDA_DEFAULT_ENV": "activated"}, "pyrun 3.12"),
        (plain, {"CONDA_PREFIX": str(active), "CONDA_DEFAULT_ENV": "activated"}, "activated"),
    ]
    for cwd, env, label in cases:
        sets = "".join(f"set -gx {key} {quote_fish(value)}; " for key, value in env.items())
        fish.run(
            f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; {sets}cd {quote_fish(str(cwd))}"
        )
        expected = which(world, cwd, env)
        assert fish.kind_name() == (expected["source"], expected["label"]), (cwd, env)
        assert expected["label"] == label, (cwd, env)

    # uv's global file, where `uv python pin --global` writes: used where no file is
    # found above the working directory; $HOME/.config/uv when XDG_CONFIG_HOME is not
    # absolute. Written without a change, it is noticed at the next one.
    fish.run(f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; cd {quote_fish(str(plain))}")
    (world.home / ".config" / "uv").mkdir(parents=True)
    (world.home / ".config" / "uv" / ".python-version").write_text("3.12\n")
    _, shown = fish.run("true")
    assert shown == "(pyrun 3.11) "
    again = "cd ..; cd plain"
    elsewhere = str(world.home / "elsewhere")
    off = {"PYRUN_PYTHON_VERSION_FILES": "0"}
    steps = [  # what fish runs, where, the resolver's environment, label
        (again, plain, {}, "pyrun 3.12"),
        (f"set -gx XDG_CONFIG_HOME rel; {again}", plain, {"XDG_CONFIG_HOME": "rel"}, "pyrun 3.12"),
        (
            f"set -gx XDG_CONFIG_HOME {quote_fish(elsewhere)}; {again}",
            plain,
            {"XDG_CONFIG_HOME": elsewhere},
            "pyrun 3.11",
        ),
        (f"set -gx XDG_CONFIG_HOME $HOME/.config; {again}", plain, {}, "pyrun 3.12"),
        # The setting, turned off: noticed without a cd; unexported it does not count.
        ("set -gx PYRUN_PYTHON_VERSION_FILES 0", plain, off, "pyrun 3.11"),
        (
            "set -e PYRUN_PYTHON_VERSION_FILES; set -g PYRUN_PYTHON_VERSION_FILES 0",
            plain,
            {},
            "pyrun 3.12",
        ),
        (
            f"set -e PYRUN_PYTHON_VERSION_FILES; cd {quote_fish(str(pinned))}",
            pinned,
            {},
            "pyrun 3.12",
        ),
        ("set -gx PYRUN_PYTHON_VERSION_FILES 0", pinned, off, "pyrun 3.11"),
        (
            "set -gx PYRUN_PYTHON_VERSION_FILES ''",
            pinned,
            {"PYRUN_PYTHON_VERSION_FILES": ""},
            "pyrun 3.12",
        ),
    ]
    for line, cwd, env, label in steps:
        _, shown = fish.run(line)
        expected = which(world, cwd, env)
        assert expected["label"] == label, line
        assert shown == f"({label}) ", line
        assert fish.kind_name() == (expected["source"], label), line


def test_hook_file_and_rendered_hook_parse(tmp_path: Path) -> None:
    need(FISH, "fish")
    template = Path(__file__).parents[1] / "shell" / "fish" / "pyrun.fish"
    rendered = tmp_path / "hook.fish"
    rendered.write_text(golden_text(), encoding="utf-8")
    for path in (template, rendered):
        done = subprocess.run([FISH, "--no-execute", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_quote_fish_survives_hostile_paths(tmp_path: Path) -> None:
    need(FISH, "fish")
    data = tmp_path / "d'a$ta `x` \"q\" back\\slash \\' end\\"
    hook = tmp_path / "hook.fish"
    hook.write_text(render(SHELLS["fish"], Paths(data=data, config=tmp_path)), encoding="utf-8")
    done = subprocess.run([FISH, "--no-execute", str(hook)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [FISH, "--no-config", "-c", f"source {quote_fish(str(hook))}; printf '%s' $_pyrun_data"],
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == str(data).encode()


def test_golden_file() -> None:
    text = golden_text()
    if os.environ.get("PYRUN_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text, "run with PYRUN_UPDATE_GOLDEN=1 and review"
