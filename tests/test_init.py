"""`pyrun init [SHELL] [--dry-run] [--undo]`: the hook line in the right rc file, once,
and taken back out byte for byte; plus `pyrun hook`'s shell names."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from pyrun import compiled
from pyrun.commands import hook as hook_command
from pyrun.commands.init import BEGIN, END
from pyrun.errors import PyrunError
from pyrun.shells import SHELLS, named
from tests.conftest import PYRUN, World, need

SHELL_NAMES = ("bash", "zsh", "fish", "powershell")


def rc_of(world: World, shell: str) -> Path:
    """Where each shell reads its start-up file in this world (HOME, XDG_CONFIG_HOME)."""
    config = world.home / ".config"
    return {
        "bash": world.home / ".bashrc",
        "zsh": world.home / ".zshrc",
        "fish": config / "fish" / "config.fish",
        "powershell": config / "powershell" / "Microsoft.PowerShell_profile.ps1",
    }[shell]


def expected_line(shell: str) -> str:
    return SHELLS[shell].init_line(PYRUN)


def one_line_error(done: object) -> str:
    assert done.returncode != 0, done.stdout  # type: ignore[attr-defined]
    stderr: str = done.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("pyrun: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr


@pytest.fixture
def shim_flavour() -> str:
    """init edits rc files, whatever shims the world has: the sh ones, which cost no
    compiler run per test (the suite makes a world for each of these tests)."""
    return "sh"


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --- adding the block ------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_init_adds_the_block_once_and_then_is_up_to_date(world: World, shell: str) -> None:
    rc = rc_of(world, shell)
    before = b"# mine\nalias ll='ls -l'\n"
    write(rc, before)
    done = world.pyrun("init", shell, check=True)
    assert str(rc) in done.stdout and "add" in done.stdout
    text = rc.read_text()
    assert text.startswith(before.decode())
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    lines = text.splitlines()
    assert lines[lines.index(BEGIN) + 1] == expected_line(shell)
    assert lines[lines.index(BEGIN) + 2] == END
    assert f"hook {shell}" in expected_line(shell) and PYRUN in expected_line(shell)

    first = rc.read_bytes()
    inode = rc.stat().st_ino
    again = world.pyrun("init", shell, check=True)
    assert "already up to date" in again.stdout
    assert rc.read_bytes() == first
    assert rc.stat().st_ino == inode, "an up-to-date file is not even rewritten"


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_init_creates_a_missing_rc_file_and_its_directory(world: World, shell: str) -> None:
    rc = rc_of(world, shell)
    if rc.parent != world.home:
        shutil.rmtree(world.home / ".config", ignore_errors=True)
    assert not rc.exists()
    world.pyrun("init", shell, check=True)
    text = rc.read_text()
    assert text == f"{BEGIN}\n{expected_line(shell)}\n{END}\n"


def test_a_new_rc_file_gets_the_umask_mode(world: World) -> None:
    rc = rc_of(world, "bash")
    world.run(f"umask 077; {PYRUN} init bash", check=True)
    assert stat.S_IMODE(rc.stat().st_mode) == 0o600


def test_pwsh_is_powershell_for_init(world: World) -> None:
    world.pyrun("init", "pwsh", check=True)
    assert expected_line("powershell") in rc_of(world, "powershell").read_text()


def test_zsh_rc_honours_zdotdir(world: World) -> None:
    zdot = world.root / "zdot"
    world.pyrun("init", "zsh", env={"ZDOTDIR": str(zdot)}, check=True)
    assert BEGIN in (zdot / ".zshrc").read_text()
    assert not (world.home / ".zshrc").exists()


@pytest.mark.parametrize("shell", ["fish", "powershell"])
def test_config_files_honour_xdg_config_home(world: World, shell: str) -> None:
    config = world.root / "elsewhere"
    world.pyrun("init", shell, env={"XDG_CONFIG_HOME": str(config)}, check=True)
    relative = rc_of(world, shell).relative_to(world.home / ".config")
    assert BEGIN in (config / relative).read_text()
    assert not rc_of(world, shell).exists()


def test_a_relative_xdg_config_home_is_ignored_as_the_spec_says(world: World) -> None:
    world.pyrun("init", "fish", env={"XDG_CONFIG_HOME": "relative/dir"}, check=True)
    assert BEGIN in rc_of(world, "fish").read_text()
    assert not (world.root / "relative").exists()


def test_a_changed_line_is_replaced_in_place(world: World) -> None:
    rc = rc_of(world, "bash")
    old = f"{BEGIN}\neval \"$('/old/place/pyrun' hook bash)\"\n{END}\n"
    write(rc, f"top\n\n{old}bottom\n".encode())
    done = world.pyrun("init", "bash", check=True)
    assert "update" in done.stdout
    assert rc.read_text() == f"top\n\n{BEGIN}\n{expected_line('bash')}\n{END}\nbottom\n"
    world.pyrun("init", "bash", "--undo", check=True)
    assert rc.read_text() == "top\nbottom\n"


# --- --dry-run -------------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_dry_run_prints_the_block_and_writes_nothing(world: World, shell: str) -> None:
    rc = rc_of(world, shell)
    shutil.rmtree(world.home / ".config", ignore_errors=True)
    done = world.pyrun("init", shell, "--dry-run", check=True)
    assert f"{BEGIN}\n{expected_line(shell)}\n{END}\n" in done.stdout
    assert str(rc) in done.stdout
    assert not rc.exists()
    assert not (world.home / ".config").exists(), "not even the directory"

    write(rc, b"keep\n")
    world.pyrun("init", shell, "--dry-run", check=True)
    assert rc.read_bytes() == b"keep\n"


def test_undo_dry_run_prints_the_block_and_writes_nothing(world: World) -> None:
    rc = rc_of(world, "bash")
    write(rc, b"export USER_LINE=1\n")
    world.pyrun("init", "bash", check=True)
    with_block = rc.read_bytes()
    done = world.pyrun("init", "bash", "--undo", "--dry-run", check=True)
    assert f"{BEGIN}\n{expected_line('bash')}\n{END}\n" in done.stdout
    assert "USER_LINE" not in done.stdout, "it shows what goes, not the whole file"
    assert rc.read_bytes() == with_block


# --- --undo ----------------------------------------------------------------------------

CONTENTS = {
    "empty": b"",
    "plain": b"export A=1\nexport B=2\n",
    "no-final-newline": b"export A=1\nexport B=2",
    "one-line-no-newline": b"export A=1",
    "blank-lines-at-end": b"export A=1\n\n\n",
    "only-a-newline": b"\n",
    "crlf": b"export A=1\r\nexport B=2\r\n",
    "crlf-no-final-newline": b"export A=1\r\nexport B=2",
    "unicode": "# caf\u00e9 \u2603\nPS1='\u03bb '\n".encode(),
}


@pytest.mark.parametrize("content", CONTENTS.values(), ids=list(CONTENTS))
def test_undo_gives_back_the_file_byte_for_byte(world: World, content: bytes) -> None:
    rc = rc_of(world, "bash")
    write(rc, content)
    world.pyrun("init", "bash", check=True)
    assert rc.read_bytes() != content
    assert rc.read_bytes().startswith(content)
    done = world.pyrun("init", "bash", "--undo", check=True)
    assert "remove" in done.stdout
    assert rc.read_bytes() == content
    again = world.pyrun("init", "bash", "--undo", check=True)
    assert "nothing to remove" in again.stdout
    assert rc.read_bytes() == content


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_undo_for_every_shell(world: World, shell: str) -> None:
    rc = rc_of(world, shell)
    content = b"# first\nsomething here"
    write(rc, content)
    world.pyrun("init", shell, check=True)
    world.pyrun("init", shell, check=True)
    world.pyrun("init", shell, "--undo", check=True)
    assert rc.read_bytes() == content


def test_undo_keeps_what_the_user_added_after_the_block(world: World) -> None:
    rc = rc_of(world, "bash")
    write(rc, b"before\n")
    world.pyrun("init", "bash", check=True)
    with open(rc, "ab") as handle:
        handle.write(b"after\n")
    world.pyrun("init", "bash", "--undo", check=True)
    assert rc.read_bytes() == b"before\nafter\n"


def test_undo_with_no_rc_file_creates_nothing(world: World) -> None:
    done = world.pyrun("init", "bash", "--undo", check=True)
    assert "nothing to remove" in done.stdout
    assert not rc_of(world, "bash").exists()


# --- the file as it is on disk: links and modes ----------------------------------------


def test_a_symlinked_rc_file_is_edited_through_the_link(world: World) -> None:
    dotfiles = world.home / "dotfiles"
    write(dotfiles / "bashrc", b"export FROM_DOTFILES=1\n")
    rc = rc_of(world, "bash")
    rc.symlink_to(Path("dotfiles") / "bashrc")  # relative, as stow makes them
    world.pyrun("init", "bash", check=True)
    assert rc.is_symlink() and os.readlink(rc) == os.path.join("dotfiles", "bashrc")
    assert BEGIN in (dotfiles / "bashrc").read_text()
    assert sorted(p.name for p in dotfiles.iterdir()) == ["bashrc"], "no temp file left"
    world.pyrun("init", "bash", "--undo", check=True)
    assert rc.is_symlink() and os.readlink(rc) == os.path.join("dotfiles", "bashrc")
    assert (dotfiles / "bashrc").read_bytes() == b"export FROM_DOTFILES=1\n"


def test_a_chain_of_symlinks_is_followed_to_the_real_file(world: World) -> None:
    real = world.root / "store" / "bashrc"
    write(real, b"x=1\n")
    middle = world.home / "middle"
    middle.symlink_to(real)
    rc_of(world, "bash").symlink_to(middle)
    world.pyrun("init", "bash", check=True)
    assert middle.is_symlink() and rc_of(world, "bash").is_symlink()
    assert BEGIN in real.read_text()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_the_file_mode_is_kept(world: World, mode: int) -> None:
    rc = rc_of(world, "bash")
    write(rc, b"x=1\n")
    rc.chmod(mode)
    world.pyrun("init", "bash", check=True)
    assert stat.S_IMODE(rc.stat().st_mode) == mode
    world.pyrun("init", "bash", "--undo", check=True)
    assert stat.S_IMODE(rc.stat().st_mode) == mode
    assert [p.name for p in world.home.iterdir() if p.name.endswith(".tmp")] == []


# --- files init must not touch ---------------------------------------------------------


@pytest.mark.parametrize("args", [(), ("--undo",), ("--dry-run",)])
def test_a_block_without_its_end_marker_is_an_error_and_untouched(
    world: World, args: tuple[str, ...]
) -> None:
    rc = rc_of(world, "bash")
    content = f"a=1\n\n{BEGIN}\n{expected_line('bash')}\nb=2\n".encode()
    write(rc, content)
    mtime = rc.stat().st_mtime_ns
    stderr = one_line_error(world.pyrun("init", "bash", *args))
    assert "end marker" in stderr
    assert rc.read_bytes() == content and rc.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("args", [(), ("--undo",)])
def test_a_non_utf8_rc_file_is_an_error_and_untouched(world: World, args: tuple[str, ...]) -> None:
    rc = rc_of(world, "bash")
    content = b"# caf\xe9 in latin-1\nexport A=1\n"
    write(rc, content)
    mtime = rc.stat().st_mtime_ns
    stderr = one_line_error(world.pyrun("init", "bash", *args))
    assert "UTF-8" in stderr and str(rc) in stderr
    assert rc.read_bytes() == content and rc.stat().st_mtime_ns == mtime


def test_an_rc_path_that_is_a_directory_is_a_one_line_error(world: World) -> None:
    rc_of(world, "bash").mkdir()
    one_line_error(world.pyrun("init", "bash"))


def test_unknown_shell_for_init_is_a_one_line_error(world: World) -> None:
    done = world.pyrun("init", "tcsh")
    assert done.returncode == 2
    stderr = one_line_error(done)
    assert "tcsh" in stderr and "bash" in stderr and "powershell" in stderr


# --- which shell, when none is named ---------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "argv"),
    [
        ("bash", ["bash", "--norc", "--noprofile", "-c"]),
        ("zsh", ["zsh", "-f", "-c"]),
        ("fish", ["fish", "--no-config", "-c"]),
    ],
)
def test_no_shell_argument_detects_the_parent_shell(
    world: World, shell: str, argv: list[str]
) -> None:
    need(shutil.which(argv[0]), argv[0])
    # "; true" keeps the shell alive as pyrun's parent (bash would exec a lone command).
    done = world.run([*argv, f"{PYRUN} init --dry-run; true"], env={"SHELL": "/bin/sh"})
    assert done.returncode == 0, done.stderr
    assert str(rc_of(world, shell)) in done.stdout
    assert expected_line(shell) in done.stdout
    assert not rc_of(world, shell).exists()


def test_a_login_shell_parent_means_shell_from_the_environment(world: World) -> None:
    # shellingham reads a login shell ("-bash" in ps) as the user's $SHELL.
    script = f'exec -a -bash bash --norc --noprofile -c "{PYRUN} init --dry-run; true"'
    done = world.run(script, env={"SHELL": "/usr/bin/zsh"}, check=True)
    assert str(rc_of(world, "zsh")) in done.stdout


def test_detection_falls_back_to_shell_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    def fail(*args: object, **kw: object) -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure

    monkeypatch.setattr(shellingham, "detect_shell", fail)
    monkeypatch.setenv("SHELL", "/usr/local/bin/fish")
    assert hook_command.choose(None) is SHELLS["fish"]
    monkeypatch.setenv("SHELL", "")
    with pytest.raises(PyrunError, match="detected; name one explicitly"):
        hook_command.choose(None)


def test_a_detected_shell_without_a_hook_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    monkeypatch.setattr(shellingham, "detect_shell", lambda *a, **k: ("tcsh", "/bin/tcsh"))
    with pytest.raises(PyrunError, match=r"'tcsh' \(detected; name one explicitly\)") as info:
        hook_command.choose(None)
    assert info.value.exit_code == 2
    monkeypatch.setattr(shellingham, "detect_shell", lambda *a, **k: ("pwsh", "/usr/bin/pwsh"))
    assert hook_command.choose(None) is SHELLS["powershell"]


# --- a hook line written by hand ------------------------------------------------------

# Lines that evaluate `pyrun hook SHELL`, as people write them: by name, by a path with
# or without quotes, with `source`, with PowerShell's Invoke-Expression, with nothing
# but spaces around, behind a test.
BY_HAND = {
    "bash": [
        'eval "$(pyrun hook bash)"',
        'eval "$(~/.local/bin/pyrun hook bash)"',
        "eval \"$('/home/me/.local/bin/pyrun' hook bash)\"",
        'eval "$("$HOME/.local/bin/pyrun" hook bash)"  # pyrun',
        "source <(pyrun hook bash)",
        ". <(pyrun hook bash)",
        '  [ -x ~/.local/bin/pyrun ] && eval "$(~/.local/bin/pyrun hook bash)"',
        'eval "$(pyrun hook)"',
    ],
    "zsh": ['eval "$(~/.local/bin/pyrun hook zsh)"', "eval \"$('/opt/pyrun/bin/pyrun' hook zsh)\""],
    "fish": [
        "pyrun hook fish | source",
        "'/home/me/.local/bin/pyrun' hook fish | source",
        "~/.local/bin/pyrun hook fish | source",
        "source (pyrun hook fish | psub)",
    ],
    "powershell": [
        "Invoke-Expression (& pyrun hook powershell | Out-String)",
        "(& 'C:\\Users\\me\\pyrun.exe' hook powershell) | Out-String | Invoke-Expression",
        "iex (pyrun hook pwsh | Out-String)",
    ],
}
# Lines that do not load the hook: commented out, another shell's, not evaluated.
NOT_A_HOOK_LINE = {
    "bash": [
        '# eval "$(pyrun hook bash)"',
        '    #eval "$(pyrun hook bash)"',
        'true  # eval "$(pyrun hook bash)"',
        'eval "$(pyrun hook zsh)"',
        "pyrun hook bash > ~/.cache/pyrun-hook.bash",
        'echo "run pyrun hook bash"',
        'eval "$(notpyrun hook bash)"',
    ],
    "fish": ["# pyrun hook fish | source", "pyrun hook fish"],
    "powershell": ["# Invoke-Expression (& pyrun hook powershell | Out-String)"],
}


@pytest.mark.parametrize(
    ("shell", "line"), [(shell, line) for shell, lines in BY_HAND.items() for line in lines]
)
def test_a_hook_line_written_by_hand_is_found_and_nothing_is_added(
    world: World, shell: str, line: str
) -> None:
    rc = rc_of(world, shell)
    content = f"# my settings\nexport A=1\n{line}\nexport B=2\n".encode()
    write(rc, content)
    inode = rc.stat().st_ino
    for args in ((), ("--dry-run",)):
        done = world.pyrun("init", shell, *args, check=True)
        assert done.stdout == (
            f"pyrun: {rc} already runs the pyrun hook on line 3, written by hand "
            f"({line.strip()}); adding nothing\n"
        ), done.stdout
        assert rc.read_bytes() == content and rc.stat().st_ino == inode
    undo = world.pyrun("init", shell, "--undo", check=True)
    assert f"kept line 3 of {rc} ({line.strip()}): it was written by hand" in undo.stdout
    assert rc.read_bytes() == content


@pytest.mark.parametrize(
    ("shell", "line"),
    [(shell, line) for shell, lines in NOT_A_HOOK_LINE.items() for line in lines],
)
def test_a_line_that_does_not_load_the_hook_is_not_taken_for_one(
    world: World, shell: str, line: str
) -> None:
    rc = rc_of(world, shell)
    write(rc, f"{line}\n".encode())
    done = world.pyrun("init", shell, check=True)
    assert "add the pyrun block" in done.stdout and "line 1" not in done.stdout
    assert rc.read_text() == f"{line}\n\n{BEGIN}\n{expected_line(shell)}\n{END}\n"


@pytest.mark.parametrize("shell", SHELL_NAMES)
def test_inits_own_line_without_its_markers_counts_as_written_by_hand(
    world: World, shell: str
) -> None:
    # Someone moved the line into their dotfiles and dropped the comments around it.
    rc = rc_of(world, shell)
    write(rc, f"{expected_line(shell)}\n".encode())
    done = world.pyrun("init", shell, check=True)
    assert "hook on line 1, written by hand" in done.stdout and "adding nothing" in done.stdout
    assert rc.read_text() == f"{expected_line(shell)}\n"


def test_two_hand_written_lines_are_both_named(world: World) -> None:
    rc = rc_of(world, "zsh")
    first, second = 'eval "$(pyrun hook zsh)"', "eval \"$('/opt/pyrun' hook zsh)\""
    write(rc, f"{first}\n# {second}\n{second}\n".encode())
    done = world.pyrun("init", "zsh", check=True)
    assert done.stdout == (
        f"pyrun: {rc} already runs the pyrun hook on lines 1, 3, written by hand ({first}); "
        "adding nothing\n"
    )


def test_a_block_and_a_hand_written_line_is_one_line_too_many_and_init_says_which(
    world: World,
) -> None:
    # What the README's two steps did before: the line pasted by hand, then `pyrun init`.
    rc = rc_of(world, "bash")
    hand = 'eval "$(pyrun hook bash)"'
    write(rc, f"{BEGIN}\n{expected_line('bash')}\n{END}\nexport A=1\n{hand}\n".encode())
    done = world.pyrun("init", "bash", check=True)
    assert "already up to date" in done.stdout
    assert f"line 5 of {rc} ({hand}) runs the hook too, so it loads twice" in done.stdout
    undo = world.pyrun("init", "bash", "--undo", check=True)
    # Numbered as the file is after the block went: the user's line is line 2 now.
    assert rc.read_text() == f"export A=1\n{hand}\n"
    assert f"kept line 2 of {rc} ({hand}): it was written by hand" in undo.stdout


# --- `pyrun` by name where the hook runs: the link in the shims directory --------------


def test_rehash_links_pyrun_into_the_shims_directory_and_owns_the_name(world: World) -> None:
    link = world.shims / "pyrun"
    assert link.is_symlink() and os.readlink(link) == PYRUN
    # Not a shim: no console script of that name, nothing to explain.
    which = world.pyrun("which", "pyrun")
    assert which.returncode != 0 and "pyrun" in which.stderr, which.stdout
    world.pyrun("rehash", "--scripts", check=True)
    assert os.readlink(link) == PYRUN

    # Gone or wrong: doctor says so, and the next shell's hook puts it back.
    link.unlink()
    doctor = world.pyrun("doctor", "bash")
    assert "the `pyrun` command link is missing" in doctor.stdout, doctor.stdout
    world.pyrun("hook", "bash", check=True)
    assert os.readlink(link) == PYRUN
    link.unlink()
    link.symlink_to("/bin/false")
    world.pyrun("rehash", check=True)
    assert os.readlink(link) == PYRUN


@pytest.mark.parametrize("shim_flavour", ["c"])
def test_the_compiled_shim_never_runs_as_pyrun(world: World, shim_flavour: str) -> None:
    binary = world.shims / compiled.BINARY
    need(binary.exists(), "the compiled shims (a C compiler)")
    link = world.shims / "pyrun"
    link.unlink()
    link.symlink_to(compiled.BINARY)  # what rehash never does
    done = world.run([str(link), "--version"])
    assert done.returncode == 127, done.stdout
    assert "cannot tell which shim" in done.stderr and done.stdout == ""
    world.pyrun("rehash", check=True)
    assert os.readlink(link) == PYRUN


@pytest.mark.parametrize(
    ("shell", "argv", "bare"),
    [
        ("bash", ["bash", "-i", "-c"], ["bash", "--norc", "-i", "-c"]),
        ("zsh", ["zsh", "-i", "-c"], ["zsh", "-f", "-i", "-c"]),
        ("fish", ["fish", "-i", "-c"], ["fish", "--no-config", "-i", "-c"]),
    ],
)
def test_pyrun_is_a_command_in_a_new_shell_once_init_ran(
    world: World, shell: str, argv: list[str], bare: list[str]
) -> None:
    need(shutil.which(argv[0]), argv[0])
    world.pyrun("init", shell, check=True)
    # A new login's PATH: the base Python and the system, not pyrun's own directory.
    env = {"PATH": world.path_with(world.base.bin), "TERM": "dumb"}
    before = world.run([*bare, "command -v pyrun"], env=env)
    assert before.stdout == "", "no pyrun on that PATH without the hook"
    done = world.run(
        [*argv, "command -v pyrun; pyrun --version; python -c 'import sys; print(sys.prefix)'"],
        env=env,
        cwd=world.home,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == str(world.shims / "pyrun"), done.stdout
    assert lines[1].startswith("pyrun "), done.stdout
    assert lines[2].startswith(str(world.envs)), done.stdout


# --- the line works --------------------------------------------------------------------


def test_the_bash_line_puts_the_shims_first_in_a_real_interactive_bash(world: World) -> None:
    path = world.path_with(world.base.bin)  # no shims yet, as on a fresh login
    write(rc_of(world, "bash"), b"export FROM_RC=yes\n")
    world.pyrun("init", "bash", check=True)
    env = {"PATH": path, "HOME": str(world.home), "PS1": "$ ", "TERM": "dumb"}
    # Typed at an interactive bash that read ~/.bashrc itself; the second line runs
    # after a prompt, so the hook's prompt command has put the shims back in front.
    typed = (
        'printf "first=%s rc=%s python=%s\\n" "${PATH%%:*}" "$FROM_RC" "$(type -P python)"\n'
        "PATH=/usr/local/bin:$PATH\n"
        'printf "after-prompt=%s count=%s\\n" "${PATH%%:*}" '
        '"$(tr : "\\n" <<<"$PATH" | grep -cxF ' + f"'{world.shims}')\"\n"
        "exit\n"
    )
    done = world.run(["bash", "-i"], env=env, input=typed.encode(), cwd=world.home)
    assert done.returncode == 0, done.stderr
    assert f"first={world.shims} rc=yes python={world.shims / 'python'}" in done.stdout
    assert f"after-prompt={world.shims} count=1" in done.stdout

    world.pyrun("init", "bash", "--undo", check=True)
    done = world.run(["bash", "-i"], env=env, input=typed.encode(), cwd=world.home)
    assert f"first={world.base.bin} rc=yes" in done.stdout, "undone: no hook any more"


def test_the_bash_line_works_with_bash_rcfile_i_c(world: World) -> None:
    world.pyrun("init", "bash", check=True)
    rc = rc_of(world, "bash")
    done = world.run(
        ["bash", "--rcfile", str(rc), "-i", "-c", 'printf "%s\\n" "$PATH"'],
        env={"PATH": world.path_with(world.base.bin)},
        check=True,
    )
    entries = done.stdout.strip().split(":")
    assert entries[0] == str(world.shims) and entries.count(str(world.shims)) == 1


def test_the_zsh_and_fish_lines_parse(world: World) -> None:
    # Their hooks may not exist yet; the line init writes must at least be valid syntax.
    for shell, check in (("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])):
        if shutil.which(check[0]) is None:
            continue
        world.pyrun("init", shell, check=True)
        done = world.run([*check, str(rc_of(world, shell))])
        assert done.returncode == 0, (shell, done.stderr)


# --- pyrun hook: names -----------------------------------------------------------------


def test_hook_for_an_unknown_shell_is_a_one_line_error_naming_the_choices(world: World) -> None:
    done = world.pyrun("hook", "nushell")
    assert done.returncode == 2
    stderr = one_line_error(done)
    assert "'nushell'" in stderr
    for shell in SHELL_NAMES:
        assert shell in stderr
    assert done.stdout == ""


def test_hook_pwsh_is_the_powershell_hook(world: World) -> None:
    assert named("pwsh") is SHELLS["powershell"]
    pwsh = world.pyrun("hook", "pwsh")
    powershell = world.pyrun("hook", "powershell")
    assert (pwsh.returncode, pwsh.stdout) == (powershell.returncode, powershell.stdout)
    hook_file = Path(__file__).resolve().parents[1] / "shell" / "powershell" / "pyrun.ps1"
    if hook_file.is_file():
        assert pwsh.returncode == 0, pwsh.stderr
        assert SHELLS["powershell"].quote(str(world.shims)) in pwsh.stdout
        assert "__PYRUN_" not in pwsh.stdout
