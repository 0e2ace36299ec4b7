"""The project tools users install into pyrun's shared environment, run for real.

A pyrun user installs the tools they use everywhere through the ``pip`` shim, into the
isolated environment (``pip install pdm poetry hatch ...``), then runs them by name in
new project directories. Each test here is one such scenario with the real tool, offline
(the tools from ``.venv-wheelhouse-tools/``, pinned in tests/tool-pins.txt and built by
scripts/test.sh; what the projects install from a find-links directory this module
builds), and asserts what a user checks: which environment the project got (its path,
and the base interpreter it was made from), and that the shared environment's package
list (its ``pip list``) is what it was. The tools are installed once per module; a test
that changed the shared environment gets it put back (`Tooled.restore`) so the next
test starts from the same one.

What decides each tool's choice (found in their sources, see the report of issue #16):
every tool that builds an environment through virtualenv (poetry, hatch, pipenv, tox,
nox, pre-commit, pdm's default backend) resolves the interpreter it was handed to the
base behind it (``sys._base_executable``), so being handed pyrun's isolated
environment is harmless; uv skips virtual environments when it looks for an interpreter
to build from. pdm alone adopts the interpreter it finds as the project's environment
when that interpreter is in a virtual environment (``python.use_venv``), and it looks at
``$PYENV_ROOT/shims/python3`` before ``python`` on PATH: with pyenv installed it finds a
base and makes ``.venv``, without pyenv it finds pyrun's ``python`` shim, whose
``sys.executable`` is the isolated environment. pip-sync has no discovery at all: it
syncs the environment it runs in (the guard refuses its uninstalls in the shared one).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import (
    SHIM_FLAVOURS,
    World,
    assert_bases_untouched,
    flavour_needs,
    need,
    new_world,
)
from tests.test_base_untouched import assert_no_tool_empties
from tests.wheels import build_wheel

# Minutes of real tools (the install alone is half a minute): in the stress set, which CI
# runs beside the default suite (.ci/run), so that suite stays under ten minutes.
pytestmark = pytest.mark.stress

TOOLS_HOUSE = Path(__file__).resolve().parents[1] / ".venv-wheelhouse-tools"
# What a user types after `pip install`; uv is the version pyproject's test extra pins.
TOOLS = ["pdm", "poetry", "hatch", "pipenv", "pipx", "tox", "nox", "pre-commit", "pip-tools", "uv"]
# Where any HTTP(S) request of a tool goes: nothing listens on the discard port.
NO_NETWORK = "http://127.0.0.1:9"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass
class Tooled:
    """A world whose shared environment holds the tools, and what to compare it with."""

    world: World
    shared: Path  # the isolated environment the tools were installed into
    pristine: Path  # a hard-linked copy of it, to put back after a test changed it
    listed: str  # its `pip list` right after the tools were installed
    house: Path  # find-links for the projects: six and pyrun_probe

    def packages(self) -> str:
        """The shared environment's `pip list`, as a user would read it."""
        return self.world.run(
            [str(self.shared / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
            check=True,
        ).stdout

    def restore(self) -> None:
        """Put the shared environment back as it was installed, with its shims."""
        shutil.rmtree(self.shared)
        shutil.copytree(self.pristine, self.shared, symlinks=True, copy_function=os.link)
        self.world.pyrun("rehash", "-q", check=True)

    def project(self, name: str) -> Path:
        """A new, empty project directory."""
        where = self.world.root / "projects" / name
        where.mkdir(parents=True)
        return where

    def tool(self, argv: list[str], cwd: Path, **kw: object) -> str:
        """Run a tool by name in `cwd` as the user would; its output, or the failure."""
        done = self.world.run(argv, cwd=cwd, **kw)  # type: ignore[arg-type]
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-12:])
        assert done.returncode == 0, f"{' '.join(argv)} in {cwd} exited {done.returncode}\n{tail}"
        return done.stdout + done.stderr

    def home_of(self, env: Path) -> str:
        """The ``home`` an environment's pyvenv.cfg names: the base it was made from."""
        for line in (env / "pyvenv.cfg").read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                return value.strip()
        raise AssertionError(f"{env}/pyvenv.cfg names no home")


# The shims a user here gets (compiled where a C compiler works); both flavours, one
# after the other, with PYRUN_TEST_EVERY_FLAVOUR=1 (.ci/fresh-debian: a Debian user
# without a compiler has the sh shims).
TOOL_FLAVOURS = SHIM_FLAVOURS if os.environ.get("PYRUN_TEST_EVERY_FLAVOUR") == "1" else [None]


@pytest.fixture(scope="module", params=TOOL_FLAVOURS)
def tooled_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    bases: dict,
    base_snapshots: dict,
    wheelhouse: Path,
) -> Iterator[Tooled]:
    need(bases, "a CPython 3.9+ to build a throwaway base interpreter from")
    flavour_needs(request.param)
    need(
        (TOOLS_HOUSE / ".complete").is_file(),
        f"the project tools' wheels in {TOOLS_HOUSE} (sh scripts/tools-wheelhouse.sh builds them)",
    )
    root = tmp_path_factory.mktemp("tools")
    house = root / "house"
    house.mkdir()
    build_wheel(house, "six", "1.99")
    build_wheel(house, "pyrun_probe", "1.0", scripts={"pyrun-probe": "pyrun_probe:main"})
    for wheel in TOOLS_HOUSE.glob("setuptools-*.whl"):  # pre-commit builds a placeholder
        shutil.copy(wheel, house)
    world = new_world(root, bases, wheelhouse, flavour=request.param)
    world.env.update(
        {
            # offline: the projects find their packages here, and no tool asks the network
            # (pip has PIP_NO_INDEX from clean_env; uv 0.13 reads no UV_NO_INDEX, and
            # `uv add`, pipx's uv among them, went to PyPI until UV_OFFLINE said no).
            # A request that still tries goes to a closed port, and fails at once, on
            # every machine, not only on one without a route.
            "PIP_FIND_LINKS": str(house),
            "UV_OFFLINE": "1",
            "UV_FIND_LINKS": str(house),
            **{proxy: NO_NETWORK for proxy in PROXIES},
            "NO_PROXY": "",
            "no_proxy": "",
            "UV_PYTHON_DOWNLOADS": "never",
            "PDM_CHECK_UPDATE": "0",
            "PIPENV_YES": "1",
            "PIPENV_NOSPIN": "1",
        }
    )
    world.run(
        ["pip", "install", "--no-index", "--find-links", str(TOOLS_HOUSE), *TOOLS],
        check=True,
        timeout=600,
    )
    shared = Path(world.prefix_of())
    pristine = root / "pristine"
    shutil.copytree(shared, pristine, symlinks=True, copy_function=os.link)
    made = Tooled(world, shared, pristine, "", house)
    made.listed = made.packages()
    yield made
    assert_bases_untouched(bases, base_snapshots, world.home)


@pytest.fixture
def tooled(tooled_world: Tooled) -> Iterator[Tooled]:
    yield tooled_world
    if tooled_world.packages() != tooled_world.listed:
        tooled_world.restore()


def assert_shared_unchanged(tooled: Tooled) -> None:
    now, then = set(tooled.packages().split()), set(tooled.listed.split())
    assert now == then, (
        f"the shared environment's packages changed: added {sorted(now - then)}, "
        f"removed {len(then - now)}: {sorted(then - now)[:5]}"
    )


def test_the_tools_are_installed_into_the_shared_environment(tooled: Tooled) -> None:
    """The harness itself: every tool runs by name outside any project."""
    for name in ("pdm", "poetry", "hatch", "pipenv", "pipx", "tox", "nox", "pre-commit", "uv"):
        tooled.tool([name, "--version"], cwd=tooled.world.root)
    tooled.tool(["pip-sync", "--version"], cwd=tooled.world.root)
    assert "pdm==" in tooled.listed


def test_pdm_with_pyenv_installed_makes_its_own_venv(tooled: Tooled) -> None:
    """pdm asks ``$PYENV_ROOT/shims/python3`` first: a base, so pdm makes ``.venv``
    from it, as it does without pyrun (the set-up where issue #16 saw no harm)."""
    world = tooled.world
    pyenv = world.root / "pyenv"
    (pyenv / "shims").mkdir(parents=True)
    (pyenv / "shims" / "python3").symlink_to(world.base.bin / "python3")
    project = tooled.project("pdm-pyenv")
    tooled.tool(["pdm", "init", "-n"], cwd=project, env={"PYENV_ROOT": str(pyenv)})
    assert (project / ".pdm-python").read_text() == str(project / ".venv" / "bin" / "python")
    assert tooled.home_of(project / ".venv") == str(world.base.bin)
    assert_shared_unchanged(tooled)


def test_poetry_install_makes_its_own_environment(tooled: Tooled) -> None:
    """poetry asks ``python`` on PATH (``virtualenvs.use-poetry-python`` is off) and
    builds with virtualenv, which resolves pyrun's environment to its base."""
    world = tooled.world
    tooled.tool(["poetry", "new", "--no-interaction", "demo"], cwd=tooled.project("poetry"))
    project = world.root / "projects" / "poetry" / "demo"
    tooled.tool(["poetry", "install", "--no-root"], cwd=project)
    env = Path(tooled.tool(["poetry", "env", "info", "--path"], cwd=project).strip())
    assert env.parent == world.home / ".cache" / "pypoetry" / "virtualenvs"
    assert tooled.home_of(env) == str(world.base.bin)
    tooled.tool(["poetry", "add", str(tooled.house / "six-1.99-py3-none-any.whl")], cwd=project)
    world.run([str(env / "bin" / "python"), "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def test_hatch_env_create_makes_its_own_environment(tooled: Tooled) -> None:
    """hatch builds from the interpreters virtualenv's discovery finds (its own minor
    first), with virtualenv. The project is written by hand: `hatch new` fetches its
    license text from the network and retries for a minute and a half offline."""
    world = tooled.world
    project = tooled.project("hatch")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1"\n\n'
        "[tool.hatch.envs.default]\nskip-install = true\n"  # nothing to build offline
    )
    tooled.tool(["hatch", "env", "create"], cwd=project)
    env = Path(tooled.tool(["hatch", "env", "find"], cwd=project).strip())
    assert env.is_relative_to(world.home / ".local" / "share" / "hatch" / "env" / "virtual")
    assert tooled.home_of(env) == str(world.base.bin)
    assert_shared_unchanged(tooled)


def test_pipenv_install_makes_its_own_environment(tooled: Tooled) -> None:
    """pipenv builds from its own interpreter (``sys.executable``) with virtualenv."""
    world = tooled.world
    project = tooled.project("pipenv")
    tooled.tool(["pipenv", "install", "six"], cwd=project, timeout=300)
    env = Path(tooled.tool(["pipenv", "--venv"], cwd=project).strip().splitlines()[-1])
    assert env.parent == world.home / ".local" / "share" / "virtualenvs"
    assert tooled.home_of(env) == str(world.base.bin)
    world.run([str(env / "bin" / "python"), "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def test_uv_init_and_add_make_the_projects_venv(tooled: Tooled) -> None:
    """uv skips virtual environments when it looks for an interpreter to build from."""
    world = tooled.world
    project = tooled.project("uv")
    tooled.tool(["uv", "init"], cwd=project)
    tooled.tool(["uv", "add", "six"], cwd=project)
    assert tooled.home_of(project / ".venv") == str(world.base.bin)
    world.run([str(project / ".venv" / "bin" / "python"), "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def assert_ran_in_its_own(tooled: Tooled, said: str, env: Path) -> None:
    """The tool ran the project's command in `env` (it printed ``PREFIX <env>``), made
    from the base, and left the shared environment as it was."""
    assert f"PREFIX {env}\n" in said
    assert tooled.home_of(env) == str(tooled.world.base.bin)
    assert_shared_unchanged(tooled)


def test_tox_makes_its_own_environment(tooled: Tooled) -> None:
    project = tooled.project("tox")
    (project / "tox.ini").write_text(
        "[testenv]\nskip_install = true\ndeps = six\n"
        "commands = python -c \"import sys, six; print('PREFIX', sys.prefix)\"\n"
    )
    assert_ran_in_its_own(
        tooled, tooled.tool(["tox", "-e", "py"], cwd=project), project / ".tox" / "py"
    )


def test_nox_makes_its_own_environment(tooled: Tooled) -> None:
    project = tooled.project("nox")
    (project / "noxfile.py").write_text(
        "import nox\n\n@nox.session\ndef probe(session):\n"
        "    session.install('six')\n"
        "    session.run('python', '-c', 'import sys, six; print(\"PREFIX\", sys.prefix)')\n"
    )
    assert_ran_in_its_own(tooled, tooled.tool(["nox"], cwd=project), project / ".nox" / "probe")


def test_pre_commit_run_makes_its_own_environment(tooled: Tooled) -> None:
    need(shutil.which("git"), "git, for pre-commit")
    world = tooled.world
    project = tooled.project("pre-commit")
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: probe\n    name: probe\n"
        "    language: python\n    always_run: true\n    pass_filenames: false\n"
        "    verbose: true\n"
        "    entry: python -c \"import sys; print('PREFIX', sys.prefix)\"\n"
    )
    git = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    tooled.tool(["git", "init", "-q", "."], cwd=project, env=git)
    tooled.tool(["git", "add", "."], cwd=project, env=git)
    said = tooled.tool(["pre-commit", "run", "--all-files"], cwd=project, env=git)
    prefix = Path(next(line for line in said.splitlines() if line.startswith("PREFIX "))[7:])
    assert prefix.is_relative_to(world.home / ".cache" / "pre-commit")
    assert tooled.home_of(prefix) == str(world.base.bin)
    assert_shared_unchanged(tooled)


def test_pipx_install_and_list_outside_a_project(tooled: Tooled) -> None:
    """pipx builds from its own interpreter's real path, resolved to the base."""
    world = tooled.world
    project = tooled.project("pipx")
    tooled.tool(["pipx", "install", "pyrun_probe"], cwd=project)
    assert "pyrun-probe 1.0" in tooled.tool(["pipx", "list", "--short"], cwd=project)
    env = world.home / ".local" / "share" / "pipx" / "venvs" / "pyrun-probe"
    assert tooled.home_of(env) == str(world.base.bin)
    assert_shared_unchanged(tooled)


# -- what failed before the tool rule (issue #16): the user's next command in the project --


def add_find_links_to_pdm_project(tooled: Tooled, project: Path) -> None:
    """pdm reads no pip settings: offline, its index is the project's find-links."""
    with (project / "pyproject.toml").open("a") as toml:
        toml.write(
            f'\n[[tool.pdm.source]]\nname = "pypi"\nurl = "{tooled.house.as_uri()}"\n'
            'type = "find_links"\n'
        )


def test_pdm_init_makes_its_own_venv(tooled: Tooled) -> None:
    """Without pyenv, pdm's first candidate is ``python`` on PATH: pyrun's shim, whose
    ``sys.executable`` was the isolated environment, which ``python.use_venv`` adopted
    as the project's (issue #16, item 2); a tool's ``python`` is now the base behind it."""
    world = tooled.world
    project = tooled.project("pdm-init")
    tooled.tool(["pdm", "init", "-n"], cwd=project)
    assert (project / ".pdm-python").read_text() == str(project / ".venv" / "bin" / "python")
    assert tooled.home_of(project / ".venv") == str(world.base.bin)
    assert_shared_unchanged(tooled)


def test_pdm_add_lock_and_sync_clean_leave_the_shared_environment(tooled: Tooled) -> None:
    """Before the tool rule, `pdm add six` landed in the shared environment and
    `pdm sync --clean` uninstalled every tool there, pdm included (issue #16, item 2)."""
    world = tooled.world
    project = tooled.project("pdm-sync")
    tooled.tool(["pdm", "init", "-n"], cwd=project)
    add_find_links_to_pdm_project(tooled, project)
    tooled.tool(["pdm", "add", "six"], cwd=project)
    assert_shared_unchanged(tooled)
    tooled.tool(["pdm", "lock"], cwd=project)
    tooled.tool(["pdm", "sync", "--clean"], cwd=project)
    world.run([str(project / ".venv" / "bin" / "python"), "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def test_poetry_with_an_in_project_venv_keeps_working(tooled: Tooled) -> None:
    """`poetry install` makes ``.venv``; the next `poetry add` there was refused before
    shared tools ran everywhere, since poetry is not in that ``.venv`` (issue #16, item 1)."""
    world = tooled.world
    tooled.tool(["poetry", "new", "--no-interaction", "demo"], cwd=tooled.project("poetry-in"))
    project = world.root / "projects" / "poetry-in" / "demo"
    in_project = {"POETRY_VIRTUALENVS_IN_PROJECT": "true"}
    tooled.tool(["poetry", "install", "--no-root"], cwd=project, env=in_project)
    assert tooled.home_of(project / ".venv") == str(world.base.bin)
    wheel = str(tooled.house / "six-1.99-py3-none-any.whl")
    tooled.tool(["poetry", "add", wheel], cwd=project, env=in_project)
    world.run([str(project / ".venv" / "bin" / "python"), "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def test_uv_keeps_working_in_its_project(tooled: Tooled) -> None:
    """Once `uv add` made ``.venv``, the next uv command there was refused before shared
    tools ran everywhere (issue #16, item 1)."""
    world = tooled.world
    project = tooled.project("uv-again")
    tooled.tool(["uv", "init"], cwd=project)
    tooled.tool(["uv", "add", "six"], cwd=project)
    tooled.tool(["uv", "remove", "six"], cwd=project)
    gone = world.run([str(project / ".venv" / "bin" / "python"), "-c", "import six"])
    assert gone.returncode != 0, "uv remove left six in the project's .venv"
    assert_shared_unchanged(tooled)


def test_pip_sync_in_a_project_leaves_the_shared_environment(tooled: Tooled) -> None:
    """pip-sync has no discovery: it syncs the environment it runs in, the shared one,
    and there uninstalled every tool (seen: all 97 packages). Started in a project, it
    is refused in one line naming the fix (pipguard's tool rule, tool.py); pointed at
    the project's interpreter, it syncs the project."""
    world = tooled.world
    project = tooled.project("pip-sync")
    world.venv(project / ".venv", pip=True)
    (project / "requirements.txt").write_text("six==1.99\n")
    done = world.run(["pip-sync", "requirements.txt"], cwd=project)
    said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
    assert done.returncode != 0 and len(said) == 1, done.stderr
    assert said[0] == (
        f"pyrun: pip-sync would uninstall from pyrun's shared environment {tooled.shared} "
        f"(your tools in every directory) from {project / '.venv'}, where python means "
        f"that environment; tell pip-sync to use {project / '.venv' / 'bin' / 'python'}, "
        "or install pip-sync into that environment"
    ), done.stderr
    assert_shared_unchanged(tooled)
    python = str(project / ".venv" / "bin" / "python")
    # pip-sync asks for a recent pip in the environment it syncs
    pip = [python, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(TOOLS_HOUSE)]
    world.run([*pip, "-U", "pip"], check=True)
    tooled.tool(["pip-sync", "--python-executable", python, "requirements.txt"], cwd=project)
    world.run([python, "-c", "import six"], check=True)
    assert_shared_unchanged(tooled)


def test_pip_sync_outside_a_project_leaves_the_shared_environment(tooled: Tooled) -> None:
    """Where ``python`` means the shared environment, pip-sync would sync it: uninstall
    every tool not in requirements.txt. No tool empties it: pip-sync stops at its
    first uninstall, in one line, and the shared environment is as it was."""
    project = tooled.project("pip-sync-bare")
    (project / "requirements.txt").write_text("six==1.99\n")
    done = tooled.world.run(["pip-sync", "requirements.txt"], cwd=project)
    assert_no_tool_empties(done, "pip-sync", tooled.shared)
    assert_shared_unchanged(tooled)


def test_pipx_list_inside_a_project(tooled: Tooled) -> None:
    """pipx keeps its own environments; inside a project it was refused before shared
    tools ran everywhere (issue #16, item 1)."""
    world = tooled.world
    project = tooled.project("pipx-in")
    world.venv(project / ".venv")
    tooled.tool(["pipx", "list"], cwd=project)
    assert_shared_unchanged(tooled)
