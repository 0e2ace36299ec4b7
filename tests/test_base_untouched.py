"""Nothing typed through a shim modifies the base interpreter or the user site.

The `world` fixture asserts after each test that every base is byte-for-byte what it
was and that no ``~/.local/lib`` appeared; each case here also checks where the
package did land, so a refused install cannot pass as a protected one by accident.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import (
    MINORS,
    PYRUN,
    SHIM_FLAVOURS,
    Base,
    World,
    make_base,
    need,
    need_minor,
    new_world,
    pip_wheel,
    primary,
    real_python,
    snapshot,
)
from tests.wheels import build_wheel

# Typed into a real bash with the hook evaluated, as a user would.
HOOK = f'eval "$({PYRUN} hook bash)"; '

INSTALLED = "import pyrun_probe, sys; print(pyrun_probe.__file__)"

# The battery. SAFETY.md lists it, rendered from these (test_safety_md_is_current).
INSTALLS = [
    ["pip", "install", "pyrun_probe"],
    ["pip3", "install", "pyrun_probe"],
    ["pip3.11", "install", "pyrun_probe"],
    ["python", "-m", "pip", "install", "pyrun_probe"],
    ["python3", "-m", "pip", "install", "pyrun_probe"],
    ["python3.11", "-m", "pip", "install", "pyrun_probe"],
    ["pip", "install", "--break-system-packages", "pyrun_probe"],
]
POINTED = [
    "pip --prefix <base-prefix>",
    "pip --target <base-site>",
    "pip3.11 --target=<base-stdlib>",
    "python -m pip --prefix <base-prefix>",
    "pip --prefix ~/.local",
    "PIP_TARGET=<base-site> pip",
    "PIP_PREFIX=<base-prefix> python3 -m pip",
    "pip --root <base-parent> --prefix /<base-name>",
    "PIP_ROOT=<base-parent> PIP_PREFIX=/<base-name> pip",
    "pip --root ~ --prefix /.local",
    "pip --target <other-base-site>",
]
# pip told to write a file or directory of its own (a log, a download, a checkout, its
# temporary files) into a base or the user site; each refused as soon as pip has parsed
# its options (pip opens --log before the command runs).
WRITES = [
    "pip --log <base-site>/zz.pth list",
    "PIP_LOG_FILE=<base-site>/zz.pth pip list",
    "pip download -d <base-site> pyrun_probe",
    "pip download -d ~/.local/lib/python3.X/site-packages pyrun_probe",
    "pip wheel -w <base-stdlib> pyrun_probe",
    "pip install --report <base-site>/report.json pyrun_probe",
    "pip install --cache-dir <base-site> pyrun_probe",
    "TMPDIR=<base-site> pip install pyrun_probe",
    "pip install --src <base-site> -e git+file://<repo>#egg=pyrun_git",
    "pip --python <base-python> install pyrun_probe",
    "pip --python <base-python> uninstall -y pip",
]
OTHERS = {  # test: (attempt, outcome)
    "test_user_install_is_refused_with_a_clear_message": (
        "`pip install --user pyrun_probe`",
        "refused in one line by pip's install guard",
    ),
    "test_user_install_says_where_pip_installs_instead": (
        "`pip install --user pyrun_probe` (and `python -m pip`, and `PIP_USER=1`) in the "
        "isolated environment, a project `.venv` with its own pip, an activated venv without",
        "refused in one line naming the environment pip installs into there and the command "
        "that does (`pip install pyrun_probe`, or `--no-user` for `PIP_USER`), which then works",
    ),
    "test_user_install_with_system_site_packages_is_refused": (
        "`pip install --user pyrun_probe` with `system_site_packages` on",
        "refused in one line by pip's install guard (the base imports the user site)",
    ),
    "test_a_homebrew_style_base_is_protected_through_its_link": (
        "`pip install --target <site>` and `--prefix <brew-prefix>` with a Homebrew-style "
        "base (its site-packages a link out of its prefix)",
        "each refused in one line by pip's install guard",
    ),
    "test_uninstall_and_upgrade_pip_stay_inside": (
        "`pip uninstall -y pyrun_probe`, then `pip uninstall -y pip`",
        "the package leaves the environment; pip, the shared copy, is not uninstalled",
    ),
    "test_a_pip_reinstalled_into_the_environment_is_guarded_too": (
        "`pip install -U --force-reinstall pip` (pip's own upgrade advice), then "
        "`pip install --target <base-site> pyrun_probe` and "
        "`python -m pip install --prefix <base-prefix> pyrun_probe`",
        "the new pip lands in the isolated environment; both installs refused in one line "
        "by the guard its `.pth` hook loads",
    ),
    "test_ensurepip_through_the_shim_stays_inside": (
        "`python -m ensurepip`",
        "runs in the isolated environment",
    ),
    "test_shebang_script_calling_sys_executable_pip": (
        "a `#!/usr/bin/env python3` script running `sys.executable -m pip install`",
        "lands in the isolated environment",
    ),
    "test_install_with_a_target_of_ones_own_works": (
        "`pip install --target <a directory of one's own> pyrun_probe`",
        "allowed: lands there",
    ),
    "test_pip_user_and_require_virtualenv_in_the_environment": (
        "`PIP_USER=1 pip install`, `PIP_REQUIRE_VIRTUALENV=1 pip install`",
        "the first refused in one line by pip's install guard; the second lands in the "
        "isolated environment",
    ),
    "test_only_the_shims_on_path_is_a_clear_error": (
        "`env -i PATH=<shims> pip install <wheel>`",
        "one-line error (no python to run), nothing run",
    ),
    "test_setup_py_install_stays_inside": (
        "`python setup.py install` of a tiny local project",
        "lands in the isolated environment",
    ),
    "test_writes_of_ones_own_work": (
        "`pip --log <a file of one's own> list`, `pip download -d <a directory of one's "
        "own> pyrun_probe`",
        "allowed: the log and the download land there",
    ),
    "test_setup_py_install_into_the_base_is_refused": (
        "`python setup.py install` with `--prefix=<base-prefix>`, "
        "`--install-lib=<base-site>`, `--root=<base-parent> --prefix=/<base-name>` "
        "(setuptools from a local wheel)",
        "each refused in one line by the environment's distutils hook",
    ),
    "test_stdlib_distutils_install_into_the_base_is_refused": (
        "`python setup.py install --prefix=<base-prefix>` with the standard library's "
        "distutils (3.11), no setuptools",
        "refused in one line by the environment's distutils hook",
    ),
    "test_python_S_with_a_pip_on_pythonpath_is_guarded": (
        "`PYTHONPATH=<pip wheel> python -S -m pip install --target <base-site> pyrun_probe` "
        "(no `site`, so no `.pth`), through the compiled shim and the sh one",
        "refused in one line by pip's install guard",
    ),
    "test_python_S_running_a_pip_wheel_stays_inside": (
        "`python -S <pip wheel>/pip install pyrun_probe`, through the compiled shim and the sh one",
        "lands in the isolated environment",
    ),
    "test_a_tools_python_is_the_base_and_still_guarded": (
        "a console script installed through pyrun (a tool) running `python -m pip install "
        "--user pyrun_probe` and `python -m pip install --target <base-site> pyrun_probe`, "
        "its `python` being the base behind the isolated environment (tool.py), through "
        "the compiled shim and the sh one",
        "each refused in one line by the guard the environment's hook loads into the base",
    ),
    "test_an_externally_managed_base_just_works": (
        "`pip install pyrun_probe` with a PEP 668 (`EXTERNALLY-MANAGED`) base",
        "the base's own pip refuses; through pyrun it lands in the isolated environment",
    ),
}


def landed_in_isolated_env(world: World) -> bool:
    done = world.run(["python", "-c", INSTALLED])
    return done.returncode == 0 and done.stdout.startswith(str(world.envs))


@pytest.mark.parametrize("command", INSTALLS, ids=" ".join)
def test_install_goes_to_the_isolated_env(world: World, command: list[str]) -> None:
    done = world.run(HOOK + " ".join(command), env={"PATH": world.path_with(world.base.bin)})
    assert done.returncode == 0, done.stderr
    assert landed_in_isolated_env(world)


def test_user_install_is_refused_with_a_clear_message(world: World) -> None:
    said = refusal(world.run(HOOK + "pip install --user pyrun_probe"))
    assert "--user is refused" in said and "user site" in said, said
    assert not landed_in_isolated_env(world)


def test_user_install_says_where_pip_installs_instead(world: World) -> None:
    """``pip install --user`` wherever the shims lead: pyrun's one line names the
    environment pip installs into here and the plain command, which then does that
    (never pip's "User site-packages are not visible in this virtualenv")."""
    project = world.venv(world.root / "project" / ".venv", pip=True)  # its own pip: ownpip
    activated = world.venv(world.root / "activated")  # no pip: the shared one runs
    isolated = f"pyrun's isolated environment {world.envs}/cpython-{world.base.minor}-"
    user = ["install", "--user", "pyrun_probe"]
    cases = [  # argv, cwd, env, where it installs, the command suggested
        (["pip", *user], world.root, {}, isolated, "pip install pyrun_probe"),
        (
            ["python", "-m", "pip", *user],
            world.root,
            {},
            isolated,
            "python -m pip install pyrun_probe",
        ),
        (
            ["pip", "install", "pyrun_probe"],
            world.root,
            {"PIP_USER": "1"},
            isolated,
            "pip install --no-user pyrun_probe",
        ),
        (
            ["pip", *user],
            project.parent,
            {},
            f"the virtual environment {project}",
            "pip install pyrun_probe",
        ),
        (
            ["pip", *user],
            world.root,
            {"VIRTUAL_ENV": str(activated)},
            f"the virtual environment {activated}",
            "pip install pyrun_probe",
        ),
    ]
    for argv, cwd, env, where, plain in cases:
        said = refusal(world.run(argv, cwd=cwd, env=env))
        assert f"pip here installs into {where}" in said and f"run `{plain}`" in said, said
        assert "is refused: it would write into the user site" in said, said
        world.run(plain, cwd=cwd, env=env, check=True)
        done = world.run(["python", "-c", INSTALLED], cwd=cwd, env=env, check=True)
        assert done.stdout.startswith(where.split(" ")[-1]), (argv, done.stdout)


def test_user_install_with_system_site_packages_is_refused(world: World) -> None:
    # The environment sees the base's site-packages, so pip itself allows --user; the
    # user site it writes is imported by the base (the world fixture checks ~/.local/lib).
    site_on = {"PYRUN_SYSTEM_SITE_PACKAGES": "1"}
    said = refusal(world.run(["pip", "install", "--user", "pyrun_probe"], env=site_on))
    assert "--user is refused" in said, said
    said = refusal(world.run(["pip", "install", "pyrun_probe"], env={**site_on, "PIP_USER": "1"}))


def test_uninstall_and_upgrade_pip_stay_inside(world: World) -> None:
    world.run(["pip", "install", "pyrun_probe"], check=True)
    world.run(["pip", "uninstall", "-y", "pyrun_probe"], check=True)
    assert not landed_in_isolated_env(world)
    # pip lives in the shared copy; uninstalling it from the environment is refused
    # by pip itself (outside the environment) and must not reach the base's pip.
    done = world.run(["pip", "uninstall", "-y", "pip"])
    assert "Not uninstalling pip" in done.stdout and "outside environment" in done.stdout
    assert world.run(["pip", "--version"]).returncode == 0


def test_a_pip_reinstalled_into_the_environment_is_guarded_too(world: World) -> None:
    # pip's upgrade notice says `pip install -U pip`: that pip lands in the environment's
    # site-packages, ahead of the shared copy, and replaces pyrun's bin/pip scripts. The
    # guard still holds, because the environment loads it at start (a .pth hook), not pip.
    wheel = pip_wheel(world.base.stdlib)
    need(wheel, f"a pip wheel for Python {world.base.minor} (ensurepip's or the distribution's)")
    assert wheel is not None
    links = ["--find-links", str(wheel.parent)]
    world.run(["pip", "install", "-U", "--force-reinstall", *links, "pip"], check=True)
    where = world.run(["python", "-c", "import pip; print(pip.__file__)"], check=True)
    assert where.stdout.startswith(str(world.envs)), where.stdout
    refusal(world.run(["pip", "install", "--target", str(world.base.site_packages), "pyrun_probe"]))
    prefix = ["python", "-m", "pip", "install", "--prefix", str(world.base.prefix)]
    refusal(world.run([*prefix, "pyrun_probe"]))
    assert not landed_in_isolated_env(world)


def test_ensurepip_through_the_shim_stays_inside(world: World) -> None:
    done = world.run(["python", "-m", "ensurepip"])
    assert done.returncode == 0, done.stderr


def test_shebang_script_calling_sys_executable_pip(world: World) -> None:
    script = world.root / "installer.py"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'pip', 'install', 'pyrun_probe'], check=True)\n"
    )
    script.chmod(0o755)
    done = world.run([str(script)])
    assert done.returncode == 0, done.stderr
    assert landed_in_isolated_env(world)


def wheel_of_pip(world: World) -> str:
    wheel = pip_wheel(world.base.stdlib)
    need(wheel, f"a pip wheel for Python {world.base.minor} (ensurepip's or the distribution's)")
    return str(wheel)


# Without site no .pth runs and CPython reports the base as sys.prefix; through the shim,
# -S still gets the environment's prefix and its install guard (nosite.py).
@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_python_S_with_a_pip_on_pythonpath_is_guarded(world: World) -> None:
    argv = ["python", "-S", "-m", "pip", "install", "--target", str(world.base.site_packages)]
    refusal(world.run([*argv, "pyrun_probe"], env={"PYTHONPATH": wheel_of_pip(world)}))
    assert not landed_in_isolated_env(world)


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_python_S_running_a_pip_wheel_stays_inside(world: World) -> None:
    done = world.run(["python", "-S", f"{wheel_of_pip(world)}/pip", "install", "pyrun_probe"])
    assert done.returncode == 0, done.stderr
    assert landed_in_isolated_env(world)


# A tool installed through pyrun whose own `python` is the base behind the isolated
# environment (tool.py): the environment's guard still loads there.
TOOL = (
    "import subprocess, sys\n"
    "def main():\n"
    "    sys.exit(subprocess.call(['python', *sys.argv[1:]]))\n"
)


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_a_tools_python_is_the_base_and_still_guarded(world: World) -> None:
    tool = {"scripts": {"pyrun-tool": "pyrun_tool:main"}, "module": TOOL}
    world.run(["pip", "install", str(build_wheel(world.root, "pyrun_tool", "1.0", **tool))])
    probe = "import sys; print(sys.prefix == sys.base_prefix, sys.executable)"
    done = world.run(["pyrun-tool", "-c", probe], check=True)
    said, _, executable = done.stdout.strip().partition(" ")
    assert said == "True" and os.path.samefile(executable, world.base.python), done.stdout
    for how in (["--user"], ["--target", str(world.base.site_packages)]):
        refusal(world.run(["pyrun-tool", "-m", "pip", "install", *how, "pyrun_probe"]))
    assert not landed_in_isolated_env(world)


SYNC = (
    "import subprocess, sys\n"
    "def main():\n"
    "    sys.exit(subprocess.call([sys.executable, '-m', 'pip', *sys.argv[1:]]))\n"
)


def assert_no_tool_empties(
    done: subprocess.CompletedProcess[str], tool: str, shared: object
) -> None:
    """`tool` was refused its uninstall from the shared environment, in pyrun's one line."""
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert done.returncode != 0 and said == [
        f"pyrun: {tool} would uninstall from pyrun's shared environment {shared} (your "
        f"tools in every directory), which no tool empties; give {tool} a virtual "
        "environment of its own to change (python -m venv .venv), or run pip uninstall "
        "yourself"
    ], done.stderr


def test_no_tool_empties_the_shared_environment(world: World) -> None:
    """A tool that runs its own interpreter's pip (pip-sync: ``sys.executable -m pip``)
    may add to the shared environment where ``python`` means it, as the user may, but
    not uninstall from it; from a project whose environment lacks the tool, neither."""
    tool = {"scripts": {"pyrun-sync": "pyrun_sync:main"}, "module": SYNC}
    world.run(["pip", "install", str(build_wheel(world.root, "pyrun_sync", "1.0", **tool))])
    shared = world.prefix_of()
    world.run(["pyrun-sync", "install", "-q", "pyrun_probe"], cwd=world.home, check=True)
    world.run(["python", "-c", INSTALLED], cwd=world.home, check=True)

    done = world.run(["pyrun-sync", "uninstall", "-y", "pyrun_probe"], cwd=world.home)
    assert_no_tool_empties(done, "pyrun-sync", shared)
    world.run(["python", "-c", INSTALLED], cwd=world.home, check=True)

    project = world.root / "project"
    world.venv(project / ".venv")
    done = world.run(["pyrun-sync", "install", "pyrun_probe"], cwd=project)
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert done.returncode != 0 and len(said) == 1, done.stderr
    assert said[0].startswith(
        f"pyrun: pyrun-sync would install into pyrun's shared environment "
        f"{shared} (your tools in every directory) from {project / '.venv'}"
    )
    # The user's own pip, typed, still uninstalls there.
    world.run(["pip", "uninstall", "-y", "-q", "pyrun_probe"], cwd=world.home, check=True)
    assert world.run(["python", "-c", INSTALLED], cwd=world.home).returncode != 0


def test_installed_package_is_visible_from_any_directory_and_version_shim(world: World) -> None:
    world.run(["pip", "install", "pyrun_probe"], cwd=world.home, check=True)
    elsewhere = world.root / "x" / "y"
    elsewhere.mkdir(parents=True)
    for name in ("python", "python3", "python3.11"):
        done = world.run([name, "-c", INSTALLED], cwd=elsewhere)
        assert done.returncode == 0, (name, done.stderr)


# -- pip pointed at the base or the user site ------------------------------------------


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """pyrun's one-line refusal from pip's install guard (pipguard.py)."""
    assert done.returncode != 0, f"the install ran:\n{done.stdout}\n{done.stderr}"
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert len(said) == 1, done.stderr
    assert "which pyrun keeps unchanged" in said[0], said[0]
    return said[0]


def fill(word: str, places: dict[str, str]) -> str:
    """`word` with its placeholders replaced, in order (``~/.local`` before ``~``)."""
    for placeholder, path in places.items():
        word = word.replace(placeholder, path)
    return word


def placeholders(world: World) -> dict[str, str]:
    """What each placeholder of POINTED and WRITES stands for in `world`, in the order
    `fill` replaces them."""
    base = world.base
    return {
        "<base-prefix>": str(base.prefix),
        "<base-site>": str(base.site_packages),
        "<base-stdlib>": str(base.stdlib),
        "<base-parent>": str(base.prefix.parent),
        "<base-name>": base.prefix.name,
        "<base-python>": str(base.python),
        "~/.local/lib/python3.X": str(world.home / ".local" / "lib" / f"python{base.minor}"),
        "~/.local": str(world.home / ".local"),
        "~": str(world.home),
    }


def variables(words: list[str], places: dict[str, str]) -> dict[str, str]:
    """The leading ``NAME=value`` words of an attempt, taken off `words`, filled in."""
    env = {}
    while re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = fill(value, places)
    return env


@pytest.mark.parametrize("how", POINTED)
def test_install_pointed_into_the_base_or_user_site_is_refused(world: World, how: str) -> None:
    base = world.base
    places = placeholders(world)
    words = how.split()
    env = variables(words, places)
    if "<other-" in how:  # a base on PATH that is not this environment's
        other = need_minor(world.bases, next(m for m in MINORS if m != base.minor))
        places["<other-base-site>"] = str(other.site_packages)
        env["PATH"] = world.path_with(world.shims, base.bin, other.bin)
    argv = [fill(word, places) for word in words]
    at = argv.index("pip") + 1 if "-m" in argv else 1
    argv[at:at] = ["install"]
    argv.append("pyrun_probe")
    said = refusal(world.run(argv, env=env))
    assert ("--target" in said) == ("TARGET" in how or "--target" in how), said
    assert not landed_in_isolated_env(world)
    # The world fixture then checks every base byte for byte, and that no
    # ~/.local/lib appeared.


def git_project(root: Path) -> Path:
    """A git repository holding a tiny project, for ``pip install -e git+file://``."""
    need(shutil.which("git"), "git, for an editable install from a repository")
    repo = root / "repo"
    (repo / "pyrun_git").mkdir(parents=True)
    (repo / "pyrun_git" / "__init__.py").write_text("")
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(name='pyrun_git')\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return repo


@pytest.mark.parametrize("how", WRITES)
def test_pip_writing_into_the_base_or_user_site_is_refused(world: World, how: str) -> None:
    places = placeholders(world)
    if "<repo>" in how:
        places["<repo>"] = str(git_project(world.root))
    words = how.split()
    env = variables(words, places)
    said = refusal(world.run([fill(word, places) for word in words], env=env))
    named = [word for word in words[1:] if word.startswith("-") and word != "-e"] + list(env)
    assert named[0] in said, said  # the option, or the variable, that named the path
    assert not landed_in_isolated_env(world)
    # The world fixture then checks every base byte for byte, and that no
    # ~/.local/lib appeared.


def test_writes_of_ones_own_work(world: World) -> None:
    log, dest = world.root / "logs" / "pip.log", world.root / "downloads"
    log.parent.mkdir()
    world.run(["pip", "--log", str(log), "list"], check=True)
    assert "pyrun_probe" not in log.read_text() and log.stat().st_size > 0
    world.run(["pip", "download", "-d", str(dest), "pyrun_probe"], check=True)
    assert [p.name for p in dest.iterdir()] == [next(world.wheelhouse.glob("pyrun_probe*")).name]


def brew_style(root: Path, base: Base) -> tuple[Path, Path]:
    """A Homebrew-style copy of `base` under root: the prefix in a Cellar, its
    site-packages a link to ``root/brew/lib/python3.X/site-packages``, out of the
    prefix; no pip of its own (the isolated environment runs the shared copy)."""
    prefix = root / "Cellar" / f"python@{base.minor}" / "Versions" / base.minor
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(base.python, prefix / "bin" / base.python.name)
    (prefix / "bin" / "python3").symlink_to(base.python.name)
    stdlib = prefix / "lib" / f"python{base.minor}"
    stdlib.mkdir(parents=True)
    for entry in base.stdlib.iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry.resolve())
    site = root / "brew" / "lib" / f"python{base.minor}" / "site-packages"
    site.mkdir(parents=True)
    (stdlib / "site-packages").symlink_to(site)
    return prefix, site


def test_a_homebrew_style_base_is_protected_through_its_link(world: World) -> None:
    prefix, site = brew_style(world.root / "opt", world.base)
    before = snapshot(world.root / "opt")
    on_path = {"PATH": world.path_with(world.shims, prefix / "bin")}
    base_prefix = world.run(["python", "-c", "import sys; print(sys.base_prefix)"], env=on_path)
    assert base_prefix.stdout.strip() == str(prefix), base_prefix.stderr
    for option, value in (("--target", site), ("--prefix", site.parents[2])):
        said = refusal(
            world.run(["pip", "install", option, str(value), "pyrun_probe"], env=on_path)
        )
        assert option in said, said
    assert snapshot(world.root / "opt") == before


def test_install_with_a_target_of_ones_own_works(world: World) -> None:
    mine = world.root / "vendor"
    world.run(["pip", "install", "--target", str(mine), "pyrun_probe"], check=True)
    assert (mine / "pyrun_probe").is_dir() or list(mine.glob("pyrun_probe*"))
    assert not landed_in_isolated_env(world)


def test_pip_user_and_require_virtualenv_in_the_environment(world: World) -> None:
    assert "PIP_USER" in refusal(
        world.run(["pip", "install", "pyrun_probe"], env={"PIP_USER": "1"})
    )
    assert not landed_in_isolated_env(world)
    # The isolated environment is a virtual environment: pip's own guard is satisfied.
    world.run(["pip", "install", "pyrun_probe"], env={"PIP_REQUIRE_VIRTUALENV": "1"}, check=True)
    assert landed_in_isolated_env(world)


def test_only_the_shims_on_path_is_a_clear_error(world: World) -> None:
    wheel = next(world.wheelhouse.glob("pyrun_probe-*.whl"))
    done = world.run(
        ["env", "-i", f"PATH={world.shims}", f"HOME={world.home}", "pip", "install", str(wheel)]
    )
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert len(said) == 1 and "no python" in said[0].lower(), done.stderr


def legacy_project(world: World, setuptools: bool = True) -> Path:
    """A tiny project with a ``setup.py`` (setuptools installed from the local wheel
    that scripts/test.sh keeps in .venv-wheelhouse, or the standard library's
    distutils)."""
    if setuptools:
        house = Path(__file__).resolve().parents[1] / ".venv-wheelhouse"
        tools = sorted(house.glob("setuptools-*.whl"))
        need(tools, "setuptools in .venv-wheelhouse (scripts/test.sh builds it)")
        world.run(["pip", "install", str(tools[-1])], check=True)
    project = world.root / "legacy"
    (project / "legacy_probe").mkdir(parents=True)
    (project / "legacy_probe" / "__init__.py").write_text("")
    (project / "setup.py").write_text(
        f"from {'setuptools' if setuptools else 'distutils.core'} import setup\n"
        "setup(name='legacy_probe', version='1.0', packages=['legacy_probe'])\n"
    )
    return project


LEGACY = "import legacy_probe; print(legacy_probe.__file__)"


def test_setup_py_install_stays_inside(world: World) -> None:
    project = legacy_project(world)
    world.run(["python", "setup.py", "install"], cwd=project, check=True)
    done = world.run(["python", "-c", LEGACY])
    assert done.returncode == 0 and done.stdout.startswith(str(world.envs)), done.stderr


def test_setup_py_install_into_the_base_is_refused(world: World) -> None:
    project, base = legacy_project(world), world.base
    for options in (
        [f"--prefix={base.prefix}"],
        [f"--install-lib={base.site_packages}"],
        [f"--root={base.prefix.parent}", f"--prefix=/{base.prefix.name}"],
    ):
        said = refusal(world.run(["python", "setup.py", "install", *options], cwd=project))
        assert said.startswith("pyrun: setup.py install"), said
    assert world.run(["python", "-c", LEGACY]).returncode != 0


def test_stdlib_distutils_install_into_the_base_is_refused(world: World) -> None:
    if tuple(map(int, world.base.minor.split("."))) >= (3, 12):
        pytest.skip("the standard library has no distutils after Python 3.11")
    project = legacy_project(world, setuptools=False)
    prefix = f"--prefix={world.base.prefix}"
    said = refusal(world.run(["python", "setup.py", "install", prefix], cwd=project))
    assert said.startswith("pyrun: setup.py install"), said
    assert world.run(["python", "-c", LEGACY]).returncode != 0


def test_an_externally_managed_base_just_works(
    tmp_path: Path, bases: dict[str, Base], wheelhouse: Path
) -> None:
    # A PEP 668 base: pip run by the base itself refuses; pip through pyrun installs into
    # the isolated environment and leaves the base as it was.
    minor = primary(bases).minor
    real = real_python(minor)
    need(real, f"a CPython {minor} to build a throwaway base interpreter from")
    base = make_base(tmp_path / "bases", real, minor)
    marker = base.stdlib / "EXTERNALLY-MANAGED"
    marker.unlink(missing_ok=True)  # a Debian stdlib links the real one: never write through it
    marker.write_text("[externally-managed]\nError=This base is managed elsewhere.\n")
    before = snapshot(base.prefix)
    (tmp_path / "w").mkdir()
    world = new_world(tmp_path / "w", {**bases, minor: base}, wheelhouse)
    direct = world.run([str(base.python), "-m", "pip", "install", "pyrun_probe"])
    assert direct.returncode != 0 and "externally-managed-environment" in direct.stderr
    world.run(["pip", "install", "pyrun_probe"], check=True)
    assert landed_in_isolated_env(world)
    assert snapshot(base.prefix) == before
    assert not (world.home / ".local" / "lib").exists()


# -- SAFETY.md ---------------------------------------------------------------------------

SAFETY = Path(__file__).resolve().parents[1] / "SAFETY.md"
BEGIN = "<!-- battery: generated by tests/test_base_untouched.py; PYRUN_UPDATE_SAFETY=1 -->"
END = "<!-- end of battery -->"


def render_battery() -> str:
    rows = [f"| `{' '.join(argv)}` | lands in the isolated environment |" for argv in INSTALLS]
    for how in POINTED:
        words = how.split()
        variables = sum(word.startswith("PIP_") for word in words)
        words.insert(words.index("pip") + 1 if "-m" in words else 1 + variables, "install")
        rows.append(
            f"| `{' '.join(words)} pyrun_probe` | refused in one line by pip's install guard |"
        )
    rows += [f"| `{how}` | refused in one line by pip's install guard |" for how in WRITES]
    rows += [f"| {attempt} | {outcome} |" for attempt, outcome in OTHERS.values()]
    total = len(INSTALLS) + len(POINTED) + len(WRITES) + len(OTHERS)
    return "\n".join(
        [
            BEGIN,
            f"{total} attempts, each its own test with its own HOME against the throwaway "
            "bases (3.11 and 3.12, and a PEP 668 one); after every one the `world` fixture "
            "compares each base byte for byte with its snapshot and checks that no "
            "`~/.local/lib` appeared.",
            "",
            "| attempt | outcome |",
            "| --- | --- |",
            *rows,
            END,
        ]
    )


def test_safety_md_is_current() -> None:
    for name in OTHERS:
        assert callable(globals().get(name)), f"OTHERS names {name}, which is not a test here"
    text = SAFETY.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    if os.environ.get("PYRUN_UPDATE_SAFETY") == "1":
        SAFETY.write_text(text[:start] + render_battery() + text[end:])
        text = SAFETY.read_text()
    assert text[start : text.index(END) + len(END)] == render_battery(), (
        "SAFETY.md's battery is stale; regenerate it with PYRUN_UPDATE_SAFETY=1"
    )


def test_the_guard_quotes_a_command_as_suggest_does() -> None:
    """The guard runs under the environment's Python without pyrun, so it keeps its own
    copy of suggest.command's rule: held to the same answer here."""
    from pyrun import pipguard, suggest

    words = ["six", "a b", "it's", "", "$(touch x)", "~/x", "a\\b", "new\nline", "\x1b[1m", "é"]
    for word in [*words, "\x85", "git+file:///x#egg=y", "-e", "x==1.0"]:
        assert pipguard._command(["pip", word]) == suggest.command("pip", word), repr(word)


# -- which bases the guard knows, in process (pipguard.py) -------------------------------


def fake_base(prefix: Path, venv: bool = False) -> Path:
    """A directory that looks like a Python prefix to the guard (its standard library's
    landmark, ``lib/python3.X/os.py``), or like a venv with one."""
    stdlib = prefix / "lib" / "python3.99"
    (stdlib / "site-packages").mkdir(parents=True)
    (stdlib / "os.py").write_text("")
    (prefix / "bin").mkdir()
    (prefix / "bin" / "python3.99").write_text("")
    if venv:
        (prefix / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return prefix


def test_the_guard_knows_every_base_on_path_in_pyenv_and_behind_an_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from pyrun import pipguard

    on_path = fake_base(tmp_path / "usr")  # the system Python, say
    pyenv = tmp_path / "pyenv"
    version = fake_base(pyenv / "versions" / "3.99.1")
    pyenv_venv = fake_base(pyenv / "versions" / "tools", venv=True)
    behind = fake_base(tmp_path / "elsewhere")
    data = tmp_path / "data"
    (data / "envs" / "e").mkdir(parents=True)
    marker = {"base": str(behind / "bin" / "python3.99")}
    (data / "envs" / "e" / ".pyrun-complete").write_text(json.dumps(marker))
    not_a_base = tmp_path / "home"  # a bin/python3 without a standard library
    (not_a_base / "bin").mkdir(parents=True)
    (not_a_base / "bin" / "python3").write_text("")
    monkeypatch.setenv("PATH", f"{not_a_base / 'bin'}:{on_path / 'bin'}")
    monkeypatch.setenv("PYENV_ROOT", str(pyenv))
    monkeypatch.setattr(pipguard, "_data_dir", lambda: str(data))

    def why(**options: str) -> str | None:
        given = {"target_dir": None, "prefix_path": None, "root_path": None}
        return pipguard.problem(SimpleNamespace(use_user_site=False, **{**given, **options}))

    for prefix in (on_path, version, behind):
        assert why(target_dir=str(prefix / "lib" / "python3.99" / "site-packages"))
        assert why(prefix_path=str(prefix))
    # --root joined with the temporary directory pip installs a --target into first
    assert why(root_path=str(on_path), target_dir=str(tmp_path / "mine"))
    assert why(target_dir=str(tmp_path / "mine")) is None
    assert why(target_dir=str(pyenv_venv / "lib" / "python3.99" / "site-packages")) is None
    assert why(prefix_path=str(not_a_base)) is None


def test_pips_own_defaults_and_stdout_are_not_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Outside a venv pip's --src defaults to ./src: run from under a base's prefix (a
    # conda environment's pip in /usr/local/src/x), that is pip's choice, not the user's.
    from optparse import OptionParser
    from types import SimpleNamespace

    from pyrun import pipguard

    base = tmp_path / "base"
    monkeypatch.setattr(pipguard, "_protected", lambda: [(str(base), "the base")])
    parser = OptionParser()
    parser.add_option("--src", "--source", dest="src_dir", default=str(base / "src"))
    parser.add_option("--report", dest="json_report_file")

    def why(**options: str) -> str | None:
        given = {"use_user_site": False, "src_dir": str(base / "src"), **options}
        return pipguard.written_problem("install", SimpleNamespace(**given), parser)

    assert why() is None and why(json_report_file="-") is None
    said = why(src_dir=str(base / "mine"))
    assert said is not None and "leave out --src (and PIP_SRC, PIP_SOURCE)" in said, said
    assert "--report" in (why(json_report_file=str(base / "r.json")) or "")
