"""`eval "$(pyrun hook bash)"` in real bash: shims first, once, and kept first."""

from __future__ import annotations

import shutil

from tests.conftest import PYRUN, World

HOOK = f'eval "$({PYRUN} hook bash)"'


def test_hook_puts_shims_first_once_even_when_evaluated_three_times(module_world: World) -> None:
    world = module_world
    path = world.path_with(world.base.bin)  # shims not on PATH yet
    done = world.run(
        f'{HOOK}; {HOOK}; {HOOK}; printf "%s\\n" "$PATH"; type -P python',
        env={"PATH": path},
        check=True,
    )
    shown_path, python = done.stdout.splitlines()
    entries = shown_path.split(":")
    assert entries[0] == str(world.shims)
    assert entries.count(str(world.shims)) == 1
    assert entries[1:] == path.split(":")
    assert python == str(world.shims / "python")


def test_hook_moves_shims_back_first_at_the_next_prompt(module_world: World) -> None:
    world = module_world
    venv = world.venv(world.root / "v")
    script = (
        f"{HOOK}; source {venv}/bin/activate; "
        'printf "%s\\n" "${PATH%%:*}"; _pyrun_hook; printf "%s\\n" "${PATH%%:*}";'
        "python -c 'import sys; print(sys.prefix)'"
    )
    done = world.run(script, env={"PATH": world.path_with(world.base.bin)}, check=True)
    after_activate, after_prompt, prefix = done.stdout.splitlines()
    assert after_activate == f"{venv}/bin"
    assert after_prompt == str(world.shims)
    assert prefix == str(venv), "VIRTUAL_ENV from activate is step 1"


def test_hook_regenerates_missing_shims(world: World) -> None:
    shutil.rmtree(world.shims)
    world.run(f"{HOOK}; python -c pass", check=True)
    assert (world.shims / "python").is_file()
    assert (world.shims / "pip3.11").is_file()


def test_hook_keeps_the_exit_status_and_existing_prompt_command(module_world: World) -> None:
    world = module_world
    script = (
        'PROMPT_COMMAND="echo user-prompt"; '
        f'{HOOK}; false; _pyrun_hook; echo status=$?; echo "$PROMPT_COMMAND"'
    )
    done = world.run(script, check=True)
    assert "status=1" in done.stdout
    assert "_pyrun_hook;echo user-prompt" in done.stdout


def test_hook_is_safe_under_set_eu_posix_and_failglob(module_world: World) -> None:
    world = module_world
    script = (
        f"set -eu -o posix; shopt -s failglob; unset PROMPT_COMMAND; {HOOK}; _pyrun_hook; echo ok"
    )
    done = world.run(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert done.stderr == ""


def test_unknown_shell_is_a_one_line_error(module_world: World) -> None:
    world = module_world
    done = world.pyrun("hook", "tcsh")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "tcsh" in done.stderr
