"""`pyrun hook fish | source` in a real interactive fish, driven through a pty.

The hook does not walk: it asks the resolver (`pyrun-resolve`, the shim binary) when
its change key moved. So these tests hold what fish shows to what `pyrun which python
--json` says over the same trees, and check the hook's own parts: the key (a file that
appears without a `cd`, the shims changing), no process on an unchanged prompt, $status,
the indicator, and that no function a directory supplies runs in its place.

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
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrun.commands.hook import PLACEHOLDERS, render
from pyrun.paths import Paths
from pyrun.shells import SHELLS, quote_fish
from pyrun.shims import RESOLVER
from tests.conftest import PYRUN, UV, World, need, need_minor
from tests.test_hooks_posix import fresh_project, install_line, owner_tree

pexpect = pytest.importorskip("pexpect")

FISH = shutil.which("fish")
HOSTILE = "q'uote $dollar; semi && sp ace пример 日本 🐍"
EVIL = "a\nb\x1b[31m$(touch mark4)`touch mark4`"
PROMPT = re.compile(r"<P:(\d+)>")


def rendered() -> str:
    """The hook as `pyrun hook fish` prints it, for the same paths on every machine."""
    return render(
        SHELLS["fish"], Paths(data=Path("/home/user/.local/share/pyrun"), config=Path("/"))
    )


class Fish:
    """One interactive fish with the hook sourced, driven line by line."""

    def __init__(
        self,
        world: World,
        env: dict[str, str] | None = None,
        strace: Path | None = None,
        before: str = "",
        cwd: Path | None = None,
    ):
        need(FISH, "fish")
        argv = [FISH, "--no-config", "-i"]
        if strace is not None:
            argv = ["strace", "-f", "-e", "trace=fork,vfork,clone,clone3,execve", "-o", str(strace)]
            argv += [FISH, "--no-config", "-i"]
        where = cwd or world.root
        merged = {**world.env, "TERM": "dumb", "PWD": str(where), **(env or {})}
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=merged,
            cwd=str(where),
            encoding="utf-8",
            codec_errors="replace",
            timeout=30,
            dimensions=(40, 1000),
        )
        # `builtin`: a planted `printf` function must not be what the test's prompt runs.
        self.child.sendline("function fish_prompt; builtin printf '<P:%s>' $status; end")
        if before:
            self.child.sendline(before)
        self.run(f"{quote_fish(PYRUN)} hook fish | source")

    def run(self, line: str) -> tuple[str, str]:
        """Run `line`; its output, and what the next prompt shows in front of the mark."""
        self.child.sendline(f"builtin echo __BE''GIN__; {line}; builtin echo __DO''NE__")
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
        self.child.sendline(f"builtin echo __DO''NE__; {line}")
        self.child.expect_exact("__DONE__\r\n")
        indicator = self.prompt()
        return indicator, self.child.match.group(1)

    def kind_name(self) -> tuple[str, str]:
        out, _ = self.run('builtin printf \'%s\\n\' "$PYRUN_ENV_KIND" "$PYRUN_ENV_NAME"')
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
    assert shown == f"({which(world, world.root)['label']}) "


def test_sourcing_three_times_is_once_and_keeps_the_status(world: World, fish: Fish) -> None:
    src = f"{quote_fish(PYRUN)} hook fish | source"
    fish.run(f"{src}; {src}")
    out, _ = fish.run(
        "printf '%s\\n' (contains -i -- $_pyrun_shims $PATH)"
        " (count (string match -- $_pyrun_shims $PATH));"
        "functions _pyrun_original_fish_prompt | string match -q '*<P:*'; and echo user-prompt-kept"
    )
    assert out.split() == ["1", "1", "user-prompt-kept"]
    isolated = f"({which(world, world.root)['label']}) "
    assert fish.status_then_prompt("false") == (isolated, "1")
    assert fish.status_then_prompt("true") == (isolated, "0")
    assert fish.status_then_prompt("sh -c 'exit 7'") == (isolated, "7")
    # A prompt where the resolver runs keeps the status too.
    project(world, "status")
    assert fish.status_then_prompt("cd status; false") == ("(status) ", "1")
    assert fish.status_then_prompt("cd ..; sh -c 'exit 3'") == (isolated, "3")


def test_isolated_label_agrees_before_and_after_the_environment_is_made(
    world: World, fish: Fish
) -> None:
    before = which(world, world.root)
    assert fish.kind_name() == (before["source"], before["label"])
    _, shown = fish.run("python -c pass")  # the first use makes it
    after = which(world, world.root)
    assert shown == f"({after['label']}) "
    assert fish.kind_name() == ("isolated", after["label"])
    assert after["label"] == f"pyrun {world.base.minor}"


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


def spawns(text: str) -> list[str]:
    """The lines of an strace log that start a process or a program (not a thread)."""
    return [
        line
        for line in text.splitlines()
        if re.search(r"\b(execve|fork|vfork|clone|clone3)\(", line)
        and "CLONE_THREAD" not in line
        and "resumed>" not in line
    ]


def test_an_unchanged_prompt_starts_no_process_and_a_change_one(
    world: World, tmp_path: Path
) -> None:
    need(shutil.which("strace"), "strace")
    probe = subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True)
    need(probe.returncode == 0, "strace allowed to trace (ptrace)")
    project(world, "still")
    project(world, "next")
    log = tmp_path / "strace.log"
    shell = Fish(world, strace=log)
    try:
        shell.run("cd still")
        before = log.stat().st_size
        for _ in range(5):
            shell.child.sendline("")
        shell.run("set -l x")
        calm = log.read_text(errors="replace")[before:]
        before += len(calm)
        shell.run("cd ../next")  # a builtin: what starts is the hook's
        changed = log.read_text(errors="replace")[before:]
        before += len(changed)
        shell.run("command true")  # the control: a real process shows up in the log
        busy = log.read_text(errors="replace")[before:]
        kind_name = shell.kind_name()
    finally:
        shell.close()
    assert spawns(calm) == []
    started = spawns(changed)
    assert [line for line in started if "execve(" in line] == [
        line for line in started if f"/{RESOLVER}" in line
    ], started
    assert len([line for line in started if "execve(" in line]) == 1, started
    assert kind_name == (".venv", "next")
    assert spawns(busy), "strace saw nothing: the control failed"


def test_a_venv_or_version_file_appearing_here_is_seen_without_a_cd(
    world: World, fish: Fish
) -> None:
    here = world.root / "here"
    here.mkdir()
    fish.run("cd here")
    isolated = which(world, here)
    assert fish.kind_name() == (isolated["source"], isolated["label"])
    steps = [  # what changes in the directory, between two prompts
        ("a .venv made", lambda: world.venv(here / ".venv")),
        ("the .venv removed", lambda: shutil.rmtree(here / ".venv")),
        ("a .python-version", lambda: (here / ".python-version").write_text("3.99\n")),
        ("it removed", lambda: (here / ".python-version").unlink()),
        ("a .python-versions", lambda: (here / ".python-versions").write_text("3.99\n")),
    ]
    seen = []
    for what, change in steps:
        change()
        _, shown = fish.run("true")
        done = world.pyrun("which", "python", "--json", cwd=here)
        if done.returncode == 0:
            expected = json.loads(done.stdout)
            kind, label = expected["source"], expected["label"]
        else:  # no Python 3.99 anywhere: `python` fails, and the prompt says so
            assert "3.99" in done.stderr, done.stderr
            kind, label = "none", "no python"
        assert shown == f"({label}) ", what
        assert fish.kind_name() == (kind, label), what
        seen.append(label)
    assert seen == ["here", isolated["label"], "no python", isolated["label"], "no python"]


def test_a_change_of_the_shims_is_seen_at_the_next_prompt(world: World, fish: Fish) -> None:
    def marker() -> str:
        token = (world.shims / ".pyrun-generation").read_text().strip()
        return str(world.shims / f".pyrun-generation.{token}")

    first = marker()
    out, _ = fish.run("printf '%s\\n' $_pyrun_marker")
    assert out.strip() == first
    world.pyrun("rehash", "-q", check=True)
    assert marker() != first and not Path(first).exists()
    fish.run("true")
    out, _ = fish.run("printf '%s\\n' $_pyrun_marker")
    assert out.strip() == marker()


PLANTED = [  # what the hook calls, and a fish function of its own that it defines
    "set", "test", "string", "contains", "printf", "functions", "count", "echo",
    "read", "_pyrun_update", "_pyrun_make_key", "_pyrun_indicator",
]  # fmt: skip


def test_no_function_a_directory_supplies_runs_in_the_hooks_place(world: World, fish: Fish) -> None:
    # A relative entry in fish_function_path names a directory under the one entered:
    # a function there would be autoloaded in place of a builtin called without
    # `builtin`. Each planted one notes that it ran.
    attack = world.root / "attack"
    (attack / "functions").mkdir(parents=True)
    ran = world.root / "ran"
    for name in PLANTED:
        (attack / "functions" / f"{name}.fish").write_text(
            f"function {name}; builtin echo {name} $argv >> {quote_fish(str(ran))}; end\n"
        )
    # (Set in there: fish remembers for a while that a function was not found, so a
    # lookup made before entering would hide the planted ones from the hook.)
    _, shown = fish.run("cd attack; set -g fish_function_path functions $fish_function_path")
    expected = which(world, attack)
    assert shown == f"({expected['label']}) "
    world.venv(attack / ".venv")
    _, shown = fish.run("true")
    assert shown == "(attack) "
    assert fish.kind_name() == (".venv", "attack")
    assert not ran.exists(), ran.read_text()
    # The control: the same function, called without `builtin`, is what runs.
    fish.run("printf control")
    assert ran.read_text() == "printf control\n"


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
    (science / "conda-meta").mkdir()  # CONDA_PREFIX counts only for a conda environment
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
    pinned.mkdir()
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
    (active / "conda-meta").mkdir()  # also a conda environment, for the CONDA_PREFIX case
    cases = [  # where, environment, what the prompt shows
        (pinned, {}, "pyrun 3.12"),
        (mismatch, {}, "pyrun 3.12"),
        (outer, {}, "outer"),
        (messy, {}, "pyrun 3.12"),
        (plural, {}, "pyrun 3.12"),
        (any3, {}, "pyrun 3.11"),
        (pinned, {"VIRTUAL_ENV": str(active)}, "activated"),  # activation beats the pin
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

    # uv's global file, where `uv python pin --global` writes, is not in the directory:
    # written without a change, it is seen at the next one. XDG_CONFIG_HOME (where it
    # is looked for) and PYRUN_PYTHON_VERSION_FILES are part of the key: a change of
    # either, exported, is seen at once; unexported, the shims do not see it, nor the
    # hook.
    fish.run(f"set -e VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV; cd {quote_fish(str(plain))}")
    (world.home / ".config" / "uv").mkdir(parents=True)
    (world.home / ".config" / "uv" / ".python-version").write_text("3.12\n")
    _, shown = fish.run("true")
    assert shown == "(pyrun 3.11) "
    fish.run("cd ..")
    elsewhere = {"XDG_CONFIG_HOME": str(world.home / "elsewhere")}
    off = {"PYRUN_PYTHON_VERSION_FILES": "0"}
    unexported = "set -e PYRUN_PYTHON_VERSION_FILES; set -g PYRUN_PYTHON_VERSION_FILES 0"
    steps = [  # what fish runs, the resolver's environment, label
        ("cd plain", {}, "pyrun 3.12"),
        ("set -gx XDG_CONFIG_HOME $HOME/elsewhere", elsewhere, "pyrun 3.11"),
        ("set -gx XDG_CONFIG_HOME $HOME/.config", {}, "pyrun 3.12"),
        ("set -gx PYRUN_PYTHON_VERSION_FILES 0", off, "pyrun 3.11"),
        (unexported, {}, "pyrun 3.12"),
    ]
    for line, env, label in steps:
        _, shown = fish.run(line)
        expected = which(world, plain, env)
        assert expected["label"] == label, line
        assert shown == f"({label}) ", line
        assert fish.kind_name() == (expected["source"], label), line


def test_hook_file_and_rendered_hook_parse(tmp_path: Path) -> None:
    need(FISH, "fish")
    template = Path(__file__).parents[1] / "shell" / "fish" / "pyrun.fish"
    hook = tmp_path / "hook.fish"
    hook.write_text(rendered(), encoding="utf-8")
    for path in (template, hook):
        done = subprocess.run([FISH, "--no-execute", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_placeholders_are_replaced_by_quoted_values(tmp_path: Path) -> None:
    # Every placeholder the hook holds is filled in, each one a single fish literal
    # that keeps a hostile path whole; a resolver that cannot be run gives `pyrun?`,
    # quietly.
    need(FISH, "fish")
    template = (Path(__file__).parents[1] / "shell" / "fish" / "pyrun.fish").read_text()
    used = sorted(set(re.findall(r"__PYRUN_[A-Z_]+__", template)))
    assert used == sorted(PLACEHOLDERS)
    data = tmp_path / "d'a$ta `x` \"q\" back\\slash \\' (end)\\"
    paths = Paths(data=data, config=tmp_path)
    text = render(SHELLS["fish"], paths)
    assert "__PYRUN_" not in text
    assert f"_pyrun_resolve {quote_fish(str(paths.shims / RESOLVER))}\n" in text
    hook = tmp_path / "hook.fish"
    hook.write_text(text, encoding="utf-8")
    show = "printf '%s\\n' $_pyrun_shims $_pyrun_resolve $_pyrun_python $_pyrun_prompt"
    show += " $PYRUN_ENV_NAME"
    done = subprocess.run(
        [FISH, "--no-config", "-c", f"source {quote_fish(str(hook))}; {show}"],
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    lines = [str(paths.shims), str(paths.shims / RESOLVER), sys.executable, "1", "pyrun?"]
    assert done.stdout.decode() == "".join(f"{line}\n" for line in lines)


# What the resolver reads but its answer does not depend on: the working directory (the
# hook has its own), debugging output on stderr, and two that resolving ignores.
# What no prompt depends on: the working directory (the hooks key it themselves), the
# shims' debugging and pass-through switches, their re-entry guard, and PYRUN_TOOL,
# which only a tool's own child process reads (src/pyrun/tool.py). test_hooks_powershell
# holds PowerShell's key to the same list.
NOT_IN_THE_KEY = {"PWD", "PYRUN_DEBUG", "PYRUN_DISABLE", "PYRUN_SHIM_PID", "PYRUN_TOOL"}


def resolver_reads() -> set[str]:
    """The environment variables shims/shim.c reads."""
    source = (Path(__file__).parents[1] / "shims" / "shim.c").read_text()
    return set(re.findall(r'\b(?:getenv_|env_or_empty)\("([A-Z_]+)"\)', source))


def test_every_variable_the_resolver_reads_is_in_the_key(tmp_path: Path) -> None:
    # Each one, set and exported, moves the key, so the next prompt asks again. (An
    # unexported one moves it too, costing a question whose answer is the same: the
    # agreement tests above hold the label to the resolver's for those.)
    need(FISH, "fish")
    names = sorted(resolver_reads() - NOT_IN_THE_KEY)
    assert len(names) >= 13 and "PYENV_VERSION" in names
    hook = tmp_path / "hook.fish"
    hook.write_text(render(SHELLS["fish"], Paths(data=tmp_path, config=tmp_path)))
    script = [f"source {quote_fish(str(hook))}"]
    for name in names:
        script += [
            f"set -gx {name} one-value; _pyrun_update; set -l before $_pyrun_key",
            f"set -gx {name} another; _pyrun_update",
            f'test "$before" != "$_pyrun_key"; and echo moved {name}',
        ]
    done = subprocess.run(
        [FISH, "--no-config", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": os.environ["PATH"]},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"moved {name}" for name in names]


def test_a_console_script_another_installer_made_runs_on_first_use(world: World) -> None:
    """`python -m pip` (the .venv's own pip, no guard) makes no shim; the first time
    the name is typed, fish_command_not_found asks pyrun, which makes the shim and runs
    it with the arguments (fish sets $status to 127 after any handler). A name no
    environment has, and a script named like a system command (which gets no shim),
    reach the handler that was there before pyrun's."""
    project, wheel, system = fresh_project(world, "python -m pip")
    out = world.root / "out"
    before = (
        'function fish_command_not_found; builtin printf "%s\\n" "$argv" > $T_OUT/previous; end'
    )
    env = {"T_WHEEL": str(wheel), "T_OUT": str(out)}
    out.mkdir()
    fish = Fish(world, env=env, before=before, cwd=project)
    fish.run('python -m pip install -q --no-index "$T_WHEEL"')
    assert (project / ".venv" / "bin" / "pyrun-fresh").is_file()
    assert not (world.shims / "pyrun-fresh").exists(), "the installer made no shim"

    shown, _ = fish.run("pyrun-fresh a 'b c'")
    assert f"fresh {project / '.venv'} a|b c" in shown, shown
    assert (world.shims / "pyrun-fresh").is_file(), "the shim is there for next time"
    assert not (out / "previous").exists()
    shown, _ = fish.run("pyrun-fresh again")
    assert f"fresh {project / '.venv'} again" in shown, shown

    fish.run("pyrun-nowhere x")
    assert (out / "previous").read_text() == "pyrun-nowhere x\n", "the previous handler"
    fish.run(f"{system} y")
    assert (out / "previous").read_text() == f"{system} y\n"
    assert (project / ".venv" / "bin" / system).is_file()
    assert not (world.shims / system).exists(), "no shim for a system command's name"
    fish.close()


def test_sourced_three_times_the_handler_keeps_fish_s_own_message(world: World) -> None:
    """With fish's own handler before pyrun's and the hook sourced three times, a
    script uv installed runs on first use, and a name no environment has still says
    fish's `Unknown command`, once (a copy of pyrun's own handler kept as the previous
    one would call itself)."""
    project, wheel, _system = fresh_project(world, "uv pip")
    env = {"T_WHEEL": str(wheel), "T_UV": str(UV), "UV_CACHE_DIR": str(world.root / "uv")}
    fish = Fish(world, env=env, cwd=project)
    for _ in range(2):
        fish.run(f"{quote_fish(PYRUN)} hook fish | source")
    fish.run(install_line("uv pip"))
    shown, _ = fish.run("pyrun-fresh")
    assert f"fresh {project / '.venv'} \n" in shown, shown
    shown, _ = fish.run("pyrun-nowhere a")
    assert shown.count("Unknown command: pyrun-nowhere") == 1, shown
    fish.close()
