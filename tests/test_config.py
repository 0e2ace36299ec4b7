"""The settings (config.toml + PYRUN_* variables) end to end: `pyrun config` shows each
value and its source, a bad file or variable stops every command with one line, and
trust, system_site_packages and the prompt settings reach the real shims (shell and
compiled), the resolver and the bash hook.

One world for the module: each test writes the config file it needs and removes it
(`settings` below), so the shims and environments are made once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    World,
    flavour_needs,
)


@pytest.fixture(scope="module")
def cworld(module_world: World) -> World:
    return module_world


@pytest.fixture
def settings(cworld: World) -> Iterator[Path]:
    """The config file's path; whatever a test writes there is gone after it."""
    file = cworld.home / ".config" / "pyrun" / "config.toml"
    file.parent.mkdir(parents=True, exist_ok=True)
    yield file
    file.unlink(missing_ok=True)
    cworld.pyrun("rehash", "-q", check=True)


def test_config_shows_each_value_and_where_it_came_from(cworld: World, settings: Path) -> None:
    done = cworld.pyrun("config", "path", check=True)
    assert done.stdout.strip() == str(settings)
    done = cworld.pyrun("config", check=True)
    lines = done.stdout.splitlines()
    assert 'prompt_format = "({name}) "' in done.stdout
    assert all(line.endswith("# default") for line in lines if " = " in line), done.stdout

    settings.write_text(
        'prompt = false\ntrust = ["/srv/shared/*"]\nprompt_format = "[{name}] "\n'
        "python_version_files = false\n"
    )
    done = cworld.pyrun(
        "config", "--json", env={"PYRUN_PROMPT": "1", "PYRUN_TRUST": "/a"}, check=True
    )
    shown = json.loads(done.stdout)["settings"]
    assert shown["prompt"] == {
        "value": True,
        "source": "environment PYRUN_PROMPT",
        "variable": "PYRUN_PROMPT",
    }
    assert shown["prompt_format"]["value"] == "[{name}] "
    assert shown["prompt_format"]["source"] == f"config file {settings}"
    assert shown["trust"]["value"] == ["/a", "/srv/shared/*"]
    assert shown["trust"]["source"] == f"config file {settings} + environment PYRUN_TRUST"
    assert shown["system_site_packages"]["source"] == "default"
    assert shown["python_version_files"] == {
        "value": False,
        "source": f"config file {settings}",
        "variable": "PYRUN_PYTHON_VERSION_FILES",
    }
    # The file changed what the shims bake in: they say so until rehashed.
    assert json.loads(done.stdout)["shims_current"] is False
    cworld.pyrun("rehash", "-q", check=True)
    done = cworld.pyrun("config", check=True)
    assert "pyrun rehash" not in done.stdout
    line = next(line for line in done.stdout.splitlines() if line.startswith("prompt ="))
    assert line.startswith("prompt = false ") and line.endswith(f"  # config file {settings}")


@pytest.mark.parametrize(
    ("text", "env", "said"),
    [
        ("promt = false\n", {}, "unknown setting 'promt'; remove it"),
        ('prompt = "no"\n', {}, "prompt must be true or false"),
        ('prompt_format = "{name} {cwd}"\n', {}, "must contain {name} exactly once"),
        ('trust = ["relative/dir"]\n', {}, "is not an absolute path"),
        ("trust = [\n", {}, "is not valid TOML"),
        ("", {"PYRUN_SYSTEM_SITE_PACKAGES": "yes"}, "PYRUN_SYSTEM_SITE_PACKAGES='yes' must be"),
    ],
)
def test_a_bad_setting_stops_every_command_with_one_line(
    cworld: World, settings: Path, text: str, env: dict[str, str], said: str
) -> None:
    settings.write_text(text)
    # `_shim` is the slow path behind `python` when the shim is unsure.
    commands = (["config"], ["which", "python"], ["rehash"], ["hook", "bash"])
    for argv in (*commands, ["_shim", "python", "test", "-c", "pass"]):
        done = cworld.pyrun(*argv, env=env)
        assert done.returncode == 1, (argv, done.stdout, done.stderr)
        assert said in done.stderr
        assert len(done.stderr.splitlines()) == 1, done.stderr
        if not env:
            assert str(settings) in done.stderr


@pytest.mark.parametrize("kind", ["fifo", "sparse 100 GB", "directory"])
def test_a_config_file_that_is_no_small_regular_file_is_one_line(
    cworld: World, settings: Path, kind: str
) -> None:
    # Nothing may block on it or read it whole: a FIFO nobody writes to hung every
    # command that loads the settings (the slow path behind `python` included), and a
    # 100 GB sparse file would be read into memory. Each is refused in one line.
    if kind == "fifo":
        os.mkfifo(settings)
    elif kind == "directory":
        settings.mkdir()
    else:
        with open(settings, "wb") as handle:
            handle.truncate(100 << 30)
    try:
        commands = (["config"], ["which", "python"], ["rehash"], ["hook", "bash"])
        for argv in (*commands, ["_shim", "python", "test", "-c", "pass"]):
            done = cworld.pyrun(*argv, timeout=10)
            assert done.returncode == 1, (argv, done.stdout, done.stderr)
            assert len(done.stderr.splitlines()) == 1, (argv, done.stderr)
            assert str(settings) in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
            fix = "remove it or make it a regular file" if kind != "sparse 100 GB" else "64 KiB"
            assert fix in done.stderr, done.stderr
    finally:
        if settings.is_dir():
            settings.rmdir()


def _group_writable_project(world: World) -> Path:
    project = world.root / "shared-project"
    if not project.exists():
        (project / "sub").mkdir(parents=True)
        world.venv(project / ".venv")
        project.chmod(0o775)  # writable by the group: its .venv is not used untrusted
        os.chown(project, -1, 4242)  # a group /etc/group does not have (not private)
    return project


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_trust_in_the_config_file_reaches_shims_resolver_and_hook(
    cworld: World, settings: Path, flavour: str
) -> None:
    flavour_needs(flavour)
    project = _group_writable_project(cworld)
    venv = str(project / ".venv")
    env = {"PYRUN_SHIM": flavour}
    cworld.pyrun("rehash", "-q", env=env, check=True)
    hook = 'eval "$(pyrun hook bash)"; _pyrun_hook; echo "$PYRUN_ENV_KIND"'
    path = env  # `pyrun` is the link beside the shims (not .venv/bin: a venv on PATH)

    assert cworld.prefix_of("python", cwd=project / "sub", env=env) != venv
    done = cworld.pyrun("which", "python", cwd=project / "sub", env=env, check=True)
    assert not done.stdout.startswith(venv) and "not using" in done.stderr
    assert cworld.run(hook, cwd=project / "sub", env=path).stdout.strip() == "isolated"

    settings.write_text(f"trust = [{json.dumps(str(project))}]\n")
    # A new shell's `pyrun hook` notices the changed config and regenerates the shims.
    done = cworld.run(hook, cwd=project / "sub", env=path, check=True)
    assert done.stdout.strip() == ".venv"
    assert "not using" not in done.stderr
    stamp = json.loads((cworld.shims / ".pyrun-shims.json").read_text())
    assert stamp["built"].startswith("compiled" if flavour == "c" else "shell")
    assert cworld.prefix_of("python", cwd=project / "sub", env=env) == venv
    done = cworld.pyrun("which", "python", cwd=project / "sub", env=env, check=True)
    assert done.stdout.startswith(venv) and done.stderr == ""
    # PYRUN_TRUST adds to the file's list; it does not replace it.
    assert cworld.prefix_of("python", cwd=project / "sub", env={**env, "PYRUN_TRUST": "/x"}) == venv


def test_prompt_settings_are_baked_into_the_hook(cworld: World, settings: Path) -> None:
    path: dict[str, str] = {}  # `pyrun` is the link beside the shims
    script = 'eval "$(pyrun hook bash)"; PS1="$ "; _pyrun_hook; printf "%s|" "${PS1@P}"'

    def prompt(**env: str) -> str:
        return cworld.run(script, env={**path, **env}, check=True).stdout

    assert prompt() == "(pyrun 3.11) $ |" or prompt() == "(pyrun) $ |"
    name = prompt()[1:].split(")")[0]
    settings.write_text('prompt_format = "<py:{name}> $(touch no) "\n')
    assert prompt() == f"<py:{name}> $(touch no) $ |"
    assert not (cworld.root / "no").exists()
    assert prompt(PYRUN_PROMPT_FORMAT="{name}: ") == f"{name}: $ |"
    settings.write_text("prompt = false\n")
    assert prompt() == "$ |"
    assert prompt(PYRUN_PROMPT="1") == f"({name}) $ |"
    assert prompt(PYRUN_PROMPT="0") == "$ |"


def test_system_site_packages_is_another_environment(cworld: World, settings: Path) -> None:
    here = cworld.root
    code = "import sys, site; print(sys.prefix); print(site.getsitepackages()[-1])"

    def run(**env: str) -> tuple[str, str]:
        done = cworld.run(["python", "-c", code], cwd=here, env=env, check=True)
        # Side by side: neither takes the other's place (no "replaces", no saved list).
        assert done.stderr == ""
        prefix, last = done.stdout.split()
        return prefix, last

    isolated, _ = run()
    assert not isolated.endswith("-site")
    settings.write_text("system_site_packages = true\n")
    cworld.pyrun("rehash", "-q", check=True)
    site_env, last = run()
    assert site_env == isolated + "-site"
    cfg = (Path(site_env) / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in cfg
    # The base's own site directories, searched after the environment's own.
    base_sites = cworld.run(
        [str(cworld.base.python), "-c", "import site; print(site.getsitepackages()[-1])"],
        env={"PYRUN_DISABLE": "1"},
        check=True,
    ).stdout.strip()
    assert last == base_sites
    done = cworld.pyrun("which", "python", "--json", cwd=here, check=True)
    assert json.loads(done.stdout)["environment"] == site_env
    # The variable wins over the file, in the shim's fast path and in the resolver;
    # the environment made without the setting is the one used without it.
    assert run(PYRUN_SYSTEM_SITE_PACKAGES="0")[0] == isolated
    done = cworld.pyrun(
        "which", "python", "--json", cwd=here, env={"PYRUN_SYSTEM_SITE_PACKAGES": "0"}
    )
    assert json.loads(done.stdout)["environment"] == isolated
    listed = cworld.pyrun("list", "--json", check=True).stdout
    assert os.path.basename(site_env) in listed and os.path.basename(isolated) in listed
