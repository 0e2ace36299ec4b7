"""`pyrun doctor`: a healthy setup says so (exit 0, `--json` ok), and each broken piece
is one exact line saying `fix` with the fix, and exit 1.

One world for the whole module (it costs a rehash and an environment): each test
breaks one thing, looks, and puts it back. Doctor runs from a real bash, as a user
types it, so shellingham finds bash as its parent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pyrun import compiled, inventory
from pyrun.commands.init import BEGIN
from pyrun.shells import SHELLS
from tests.conftest import (
    PYRUN,
    World,
    need,
)
from tests.test_base_lifecycle import own_base

HOOK_LINE = SHELLS["bash"].init_line(PYRUN)
CHECKS = ["safety", "path", "hook", "shims", "envs", "pip", "pyrun", "venv", "python"]


@pytest.fixture(scope="module")
def world(module_world: World) -> World:
    """A user who ran `pyrun init bash` and `python` once: everything in place."""
    module_world.env["SHELL"] = "/bin/bash"
    module_world.pyrun("init", "bash", check=True)
    module_world.run(["python", "-c", "pass"], check=True)
    return module_world


def doctor(
    world: World, *args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None
) -> tuple[int, list[str]]:
    """Exit status and stdout lines of `pyrun doctor ARGS`, typed in bash (its parent)."""
    done = world.run(f"{PYRUN} doctor {' '.join(args)}; exit $?", cwd=cwd, env=env)  # type: ignore[arg-type]
    assert done.stderr == "", done.stderr
    return done.returncode, done.stdout.splitlines()


def report(world: World, **kw: object) -> dict[str, object]:
    code, lines = doctor(world, "--json", **kw)  # type: ignore[arg-type]
    data = json.loads("\n".join(lines))
    assert (code == 0) is data["ok"]
    return data


def fixes(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("fix ")]


def the_env(world: World) -> Path:
    (env,) = [path for path in world.envs.iterdir() if not path.name.startswith(".")]
    return env


# --- all is well -------------------------------------------------------------------------


def test_a_healthy_setup_is_all_ok_and_exits_0(world: World) -> None:
    code, lines = doctor(world)
    assert code == 0, "\n".join(lines)
    assert lines[-1] == "pyrun doctor: all is well"
    findings = lines[:-1]
    assert [line[:4].strip() for line in findings] == ["ok"] * 8 + ["info"], lines
    assert [line[5:].split(":", 1)[0] for line in findings] == CHECKS
    env = the_env(world)
    assert findings[0] == (
        f"ok   safety: {world.data} and its shims directory are writable by you alone"
    )
    assert findings[1] == f"ok   path: pyrun's shims ({world.shims}) are first on PATH"
    assert findings[2] == f"ok   hook: {world.home / '.bashrc'} has the pyrun hook line for bash"
    assert (
        findings[3].startswith("ok   shims: ") and f"shims in {world.shims}, current" in findings[3]
    )
    assert findings[4] == (
        f"ok   envs: 1 isolated environment in {world.envs}, its base Python still there"
    )
    assert findings[8].startswith(
        f"info python: `python` in {world.root} runs {env / 'bin' / 'python'}: "
        "the isolated environment of "
    )

    data = report(world)
    assert data["ok"] is True
    checks = data["checks"]
    assert isinstance(checks, list)
    assert [c["check"] for c in checks] == CHECKS
    assert {c["status"] for c in checks} == {"ok", "info"}
    assert all(c["fix"] is None for c in checks)


def test_the_hook_in_a_real_interactive_bash_makes_doctor_happy(world: World) -> None:
    # A new login: PATH without the shims; ~/.bashrc (pyrun init's line) puts them first.
    env = {"PATH": world.path_with(world.base.bin), "PS1": "$ ", "TERM": "dumb"}
    typed = f"{PYRUN} doctor; echo status=$?\nexit\n"
    done = world.run(["bash", "-i"], env=env, input=typed.encode(), cwd=world.home)
    assert "status=0" in done.stdout, done.stdout + done.stderr
    assert f"ok   path: pyrun's shims ({world.shims}) are first on PATH" in done.stdout


# --- each broken in turn -----------------------------------------------------------------


def test_shims_not_first_on_path(world: World) -> None:
    behind = world.path_with(world.base.bin, world.shims)
    code, lines = doctor(world, env={"PATH": behind})
    assert code == 1
    assert fixes(lines) == [
        f"fix  path: {world.base.bin / 'python3'} comes before pyrun's shims ({world.shims}) "
        f"on PATH, so `python3` runs it, not pyrun; run `{HOOK_LINE}` (the hook keeps the "
        "shims first)"
    ]
    assert lines[-1] == "pyrun doctor: 1 thing to fix"
    (path,) = [c for c in report(world, env={"PATH": behind})["checks"] if c["check"] == "path"]  # type: ignore[union-attr]
    assert path["status"] == "fix"
    assert path["fix"] == f"run `{HOOK_LINE}` (the hook keeps the shims first)"

    missing = world.path_with(world.base.bin)
    code, lines = doctor(world, env={"PATH": missing})
    assert code == 1
    assert (
        f"fix  path: pyrun's shims ({world.shims}) are not on PATH, so `python` and `pip` "
        f"are not pyrun's; run `{HOOK_LINE}`"
    ) in lines


def test_shims_twice_or_after_an_empty_directory_is_a_warning(world: World) -> None:
    empty = world.root / "empty-bin"
    empty.mkdir(exist_ok=True)
    path = world.path_with(empty, world.shims, world.base.bin, world.shims)
    code, lines = doctor(world, env={"PATH": path})
    assert code == 0, lines
    warned = [line for line in lines if line.startswith("warn")]
    assert warned == [
        f"warn path: pyrun's shims ({world.shims}) are not first on PATH ({empty} is); nothing "
        "before them has python or pip now, but anything that gets one wins; "
        f"run `{HOOK_LINE}`",
        f"warn path: pyrun's shims ({world.shims}) are on PATH 2 times (harmless: a shim skips "
        f"itself); run `{HOOK_LINE}`, which keeps one",
    ]
    assert lines[-1] == "pyrun doctor: all is well (2 warnings)"


def test_hook_line_missing_from_the_rc_file(world: World) -> None:
    rc = world.home / ".bashrc"
    world.pyrun("init", "bash", "--undo", check=True)
    try:
        code, lines = doctor(world)
        assert code == 1
        assert fixes(lines) == [
            f"fix  hook: {rc} has no pyrun hook line, so new bash shells will not keep "
            "pyrun's shims first; run `pyrun init bash`"
        ]
        # The hook loaded from elsewhere (it exports PYRUN_ENV_KIND) counts.
        code, lines = doctor(world, env={"PYRUN_ENV_KIND": "isolated"})
        assert code == 0
        assert (
            f"ok   hook: the hook is loaded in this shell (PYRUN_ENV_KIND is set), though {rc} "
            "has no pyrun hook line"
        ) in lines
        # A line of one's own, as the README allows, counts too.
        rc.write_text('# mine\neval "$(pyrun hook bash)"\n')
        code, lines = doctor(world)
        assert code == 0
        assert f"ok   hook: {rc} runs the pyrun hook (line 2, added by hand)" in lines
        # Another shell's rc file, named.
        code, lines = doctor(world, "zsh")
        assert (
            f"fix  hook: {world.home / '.zshrc'} has no pyrun hook line, so new zsh shells will "
            "not keep pyrun's shims first; run `pyrun init zsh`"
        ) in lines
    finally:
        rc.unlink(missing_ok=True)
        world.pyrun("init", "bash", check=True)
    assert BEGIN in rc.read_text()


def test_a_block_for_another_pyrun_is_to_be_updated(world: World) -> None:
    rc = world.home / ".bashrc"
    original = rc.read_text()
    rc.write_text(original.replace(PYRUN, "/old/place/pyrun"))
    try:
        code, lines = doctor(world)
        assert code == 1
        assert fixes(lines) == [
            f"fix  hook: the pyrun block in {rc} does not run this pyrun ({PYRUN}); "
            "run `pyrun init bash` to update it"
        ]
    finally:
        rc.write_text(original)


def test_stale_shims(world: World) -> None:
    stamp = world.shims / ".pyrun-shims.json"
    original = stamp.read_bytes()
    recorded = json.loads(original)
    try:
        # A new pythonX.Y on PATH has no shim yet (a link to our base, never run here).
        newer = world.root / "newer-bin"
        newer.mkdir()
        (newer / "python3.99").symlink_to(world.base.python)
        path = world.path_with(world.shims, world.base.bin, newer)
        code, lines = doctor(world, env={"PATH": path})
        assert code == 1
        assert fixes(lines) == [
            f"fix  shims: the shims in {world.shims} are stale: {newer / 'python3.99'} is on "
            "PATH without a `python3.99` shim, so `python3.99` runs it as is; "
            "run `pyrun rehash`"
        ]
        # Made by another pyrun, and a shim gone.
        stamp.write_text(json.dumps({**recorded, "pyrun": "0.0.1"}))
        (world.shims / "pip3").rename(world.shims / "pip3.away")
        code, lines = doctor(world)
        assert code == 1
        assert fixes(lines) == [
            f"fix  shims: the shims in {world.shims} are stale: pyrun 0.0.1 made them and this "
            "is pyrun 0.1.0, and the `pip3` shim is missing; run `pyrun rehash`"
        ]
    finally:
        stamp.write_bytes(original)
        if (world.shims / "pip3.away").exists():
            (world.shims / "pip3.away").rename(world.shims / "pip3")
    assert doctor(world)[0] == 0


def test_shell_shims_when_a_compiler_is_there_now_is_a_warning(world: World) -> None:
    need(shutil.which("cc", path=world.env["PATH"]), "a C compiler")
    stamp = world.shims / ".pyrun-shims.json"
    original = stamp.read_bytes()
    shell = {**json.loads(original), "built": "shell: no C compiler (cc, gcc or clang) on PATH"}
    stamp.write_text(json.dumps(shell))
    try:
        code, lines = doctor(world)
    finally:
        stamp.write_bytes(original)
    assert code == 0
    (warned,) = [line for line in lines if line.startswith("warn")]
    assert warned.startswith(f"warn shims: {len(shell['names'])} shims in {world.shims}, current")
    assert "shell scripts: there was no C compiler when they were made, and " in warned
    assert warned.endswith(
        f"is there now; run `pyrun rehash` for the compiled ones ({compiled.SPEED})"
    )


def test_an_isolated_env_whose_base_is_gone(world: World) -> None:
    mine = own_base(world.base, world.root / "opt" / "python-3.11")
    before = set(world.envs.iterdir())
    world.run(
        ["python", "-c", "pass"],
        env={"PATH": os.pathsep.join([str(world.shims), str(mine.bin)])},
        check=True,
    )
    (env,) = set(world.envs.iterdir()) - before
    marker = inventory.load(env)
    assert marker is not None
    shutil.rmtree(mine.prefix)
    try:
        code, lines = doctor(world)
        assert code == 1
        assert fixes(lines) == [
            f"fix  envs: Python {marker.version} behind {env} is gone (was {marker.base}); "
            "nothing was installed in it; remove it with `pyrun gc`"
        ]
        (envs,) = [c for c in report(world)["checks"] if c["check"] == "envs"]  # type: ignore[union-attr]
        assert envs["fix"] == "remove it with `pyrun gc`"
    finally:
        shutil.rmtree(env)
    assert doctor(world)[0] == 0


def test_a_foreign_venv_is_skipped(world: World) -> None:
    proj = world.root / "proj"
    venv = world.venv(proj / ".venv")
    if os.geteuid() == 0:
        os.chown(venv, 65534, 65534)
        reason = f"{venv} is owned by uid 65534, not by you (uid 0) or root"
    else:
        venv.chmod(0o757)
        reason = f"{venv} is writable by others"
    try:
        code, lines = doctor(world, cwd=proj)
        assert code == 1
        hint = f"to use it anyway, add it to PYRUN_TRUST (export PYRUN_TRUST={venv})"
        assert fixes(lines) == [f"fix  venv: not using {venv}: {reason}; {hint}"]
        assert lines[-2].startswith(f"info python: `python` in {proj} runs {the_env(world)}")
        (check,) = [c for c in report(world, cwd=proj)["checks"] if c["check"] == "venv"]  # type: ignore[union-attr]
        assert (check["status"], check["fix"]) == ("fix", hint)

        code, lines = doctor(world, cwd=proj, env={"PYRUN_TRUST": str(venv)})
        assert code == 0, lines
        assert f"ok   venv: {venv} is used: PYRUN_TRUST trusts it" in lines
        assert (
            f"info python: `python` in {proj} runs {venv / 'bin' / 'python'}: the .venv {venv}"
            in lines
        )
    finally:
        shutil.rmtree(proj)


def test_pip_settings_that_change_where_pip_installs(world: World) -> None:
    code, lines = doctor(world, env={"PIP_USER": "1"})
    assert code == 1
    assert fixes(lines) == [
        "fix  pip: PIP_USER=1 is set, so pip refuses to install into any virtual "
        "environment, pyrun's included; unset PIP_USER"
    ]
    target = world.root / "elsewhere"
    code, lines = doctor(world, env={"PIP_TARGET": str(target), "PIP_USER": "0"})
    assert code == 1
    assert fixes(lines) == [
        f"fix  pip: PIP_TARGET={target} is set, so pip installs into that directory, not into "
        "the environment `python` runs, which then cannot import it; unset PIP_TARGET"
    ]
    conf = world.root / "pip.conf"
    conf.write_text("[install]\nuser = yes\n")
    code, lines = doctor(world, env={"PIP_CONFIG_FILE": str(conf)})
    assert code == 1
    assert fixes(lines) == [
        f"fix  pip: {conf} sets user = yes in [install], so pip refuses to install into any "
        f"virtual environment, pyrun's included; remove it from {conf}"
    ]
    # Informational only: an index (its password not shown), require-virtualenv.
    code, lines = doctor(
        world,
        env={
            "PIP_INDEX_URL": "https://me:s3cret@pypi.example/simple",
            "PIP_REQUIRE_VIRTUALENV": "1",
        },
    )
    assert code == 0, lines
    assert (
        "info pip: PIP_REQUIRE_VIRTUALENV=1 is set, which is harmless: pyrun's environments "
        "are virtual environments"
    ) in lines
    assert (
        "info pip: PIP_INDEX_URL=https://****@pypi.example/simple: pip installs from there" in lines
    )
    assert "s3cret" not in "\n".join(lines)


def test_pyrun_settings(world: World) -> None:
    code, lines = doctor(world, env={"PYRUN_DISABLE": "1"})
    assert code == 1
    assert fixes(lines) == [
        "fix  pyrun: PYRUN_DISABLE=1 is set, so the shims pass straight through to the "
        "system's python and pip; unset PYRUN_DISABLE"
    ]
    code, lines = doctor(world, env={"PYRUN_TRUST": "*"})
    assert code == 0
    assert (
        "warn pyrun: PYRUN_TRUST=* makes pyrun use every .venv, also one someone else "
        "controls; list the directories you trust in PYRUN_TRUST instead"
    ) in lines


def test_a_data_directory_others_can_write_to(world: World) -> None:
    world.data.chmod(0o770)
    os.chown(world.data, -1, 4242)  # a group /etc/group does not have (not private)
    try:
        code, lines = doctor(world)
    finally:
        world.data.chmod(0o700)
        os.chown(world.data, -1, os.getegid())
    assert code == 1
    assert fixes(lines) == [
        f"fix  safety: refusing to use {world.data}: it is writable by its group, so someone "
        f"else could choose what `python` and `pip` run; fix it with `chmod go-w {world.data}`"
    ]
    assert "info python: not resolved: pyrun refuses its directories (see above)" in lines


def test_an_unknown_shell_is_a_one_line_error(world: World) -> None:
    done = world.pyrun("doctor", "tcsh")
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr.startswith("pyrun: no hook for shell 'tcsh'") and done.stderr.count("\n") == 1
    )


def test_help_names_the_checks_and_the_exit_status(world: World) -> None:
    done = world.pyrun("doctor", "--help", check=True)
    for words in ("first on", "rc file", "PIP_*", "--json", "Exit status 1"):
        assert words in done.stdout, words
