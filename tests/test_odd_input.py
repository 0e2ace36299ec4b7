"""Odd and hostile input: both shims and the resolver still give one answer.

Issue [4/5]'s list of odd input, each run through tests/test_agreement.py's check (the
shim runs for real, for both the sh and the compiled shim, and must do what `pyrun
which` says, or hand over for a legitimate reason and then end where it says): paths
with spaces, a newline and non-ASCII; a working directory 4000 characters deep;
VIRTUAL_ENV empty, relative, naming a file, a venv whose interpreter dangles or a
Python's own prefix (which must not run as if it were an environment); a
10 MB and a binary pyvenv.cfg; PATH with empty, relative and more than 100 entries.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import World
from tests.test_agreement import (  # noqa: F401  (lab and setup are fixtures)
    Setup,
    Situation,
    ask_resolver,
    check,
    dangling_venv,
    handmade_venv,
    lab,
    run_shim,
    setup,
)


def situation(s: Setup, label: str, name: str, cwd: Path, **env: str | None) -> Situation:
    base = {
        "PATH": os.pathsep.join([str(s.world.shims), str(s.lab.bases["3.11"].bin)]),
        "PWD": str(cwd),
        "VIRTUAL_ENV": None,
        "CONDA_PREFIX": None,
        "CONDA_DEFAULT_ENV": None,
        "_CONDA_ROOT": None,
    }
    return Situation(f"{label} [{s.flavour}]", name, cwd, {**base, **env})


def agree(s: Setup, sits: list[Situation]) -> None:
    problems = [p for sit in sits for p in check(s, sit, ask_resolver(s, sit))]
    assert not problems, "\n".join(problems)


@pytest.mark.sh_in_stress
def test_odd_characters_in_the_project_path(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    # (A newline is tested below: PYRUN_DEBUG's lines cannot carry it unambiguously.)
    project = s.world.root / "odd" / "a b $(id) `id` 'q' \"dq\" ü 日本"
    handmade_venv(project / ".venv", s.lab.bases["3.12"])
    deep = project / "src" / "x y"
    deep.mkdir(parents=True)
    agree(
        s,
        [
            situation(s, "odd path, .venv above", name, deep)
            for name in ("python", "python3", "python3.12", "pip")
        ]
        + [
            situation(
                s,
                "odd path as VIRTUAL_ENV",
                "python",
                s.world.root,
                VIRTUAL_ENV=str(project / ".venv"),
            )
        ],
    )


def long_path(start: Path, letter: str) -> Path:
    """start/LLL.../LLL..., exactly 4000 characters: deeper than most tools expect, and
    within PATH_MAX (4096) however long the test's own directory is."""
    path = start
    while len(str(path)) < 4000:
        path = path / (letter * min(200, max(1, 4000 - len(str(path)) - 1)))
    assert len(str(path)) == 4000
    return path


@pytest.mark.sh_in_stress
def test_a_working_directory_4000_characters_deep(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    project = s.world.root / "long"
    handmade_venv(project / ".venv", s.lab.bases["3.11"])
    deep = long_path(project, "d")
    deep.mkdir(parents=True)
    walk = long_path(s.world.root / ("p" * 200), "e")
    walk.mkdir(parents=True)
    agree(
        s,
        [
            situation(s, "4000-character cwd, .venv at the top", "python", deep),
            situation(s, "4000-character cwd, .venv at the top", "pip3", deep),
            situation(s, "4000-character cwd, no .venv (isolated)", "python3", walk),
        ],
    )


@pytest.mark.sh_in_stress
def test_virtual_env_values_that_name_no_environment(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    a_file = s.world.root / "a-file"
    a_file.write_text("not a venv\n")
    dangling = dangling_venv(s.world.root / "dangling-venv")
    cwd = s.world.root
    sits = []
    for label, value in (
        ("empty", ""),
        ("relative", "some/venv"),
        ("a file", str(a_file)),
        ("dangling interpreter", str(dangling)),
        ("the root directory", "/"),
        ("a Python's prefix, not a virtual environment", str(s.lab.bases["3.12"].prefix)),
    ):
        for name in ("python", "pip"):
            sits.append(situation(s, f"VIRTUAL_ENV {label}", name, cwd, VIRTUAL_ENV=value))
    agree(s, sits)


def test_huge_and_binary_pyvenv_cfg(setup: Setup) -> None:  # noqa: F811 (the fixture)
    # pyrun decides without trouble and both agree; whether CPython itself starts with
    # such a file is CPython's business (a binary one stops its site module).
    s = setup
    for label, content in (
        ("10 MB", b"home = /nowhere\n" + b"x = " + b"y" * (10 << 20) + b"\n"),
        ("binary", bytes(range(256)) * 64),
    ):
        project = s.world.root / label.replace(" ", "")
        venv = handmade_venv(project / ".venv", s.lab.bases["3.11"])
        (venv / "pyvenv.cfg").write_bytes(content)
        (project / "src").mkdir()
        for name in ("python", "python3.11", "pip"):
            sit = situation(s, f"{label} pyvenv.cfg", name, project / "src")
            answer = ask_resolver(s, sit)
            assert answer.code == 0 and answer.argv, (sit.label, answer)
            assert answer.argv[0].startswith(str(venv / "bin")), (sit.label, answer)
            run = run_shim(s, sit)
            assert run.decided == answer.argv, (sit.label, run.decided, answer.argv)


@pytest.mark.sh_in_stress
def test_path_with_empty_relative_and_many_entries(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    many = []
    for i in range(120):
        d = s.world.root / "many" / f"p{i}"
        d.mkdir(parents=True)
        many.append(str(d))
    (s.world.root / "bin").mkdir()
    (s.world.root / "bin" / "python3").symlink_to(s.lab.bases["3.12"].python)
    path = os.pathsep.join(
        [str(s.world.shims), "", "bin", ".", *many, "", str(s.lab.bases["3.11"].bin), ""]
    )
    # "bin" and "." are relative: the python3 in ./bin must not run (it would be 3.12).
    agree(
        s,
        [
            situation(s, "PATH: empty, relative, 120 entries", name, s.world.root, PATH=path)
            for name in ("python", "python3", "pip", "python3.12")
        ],
    )


def test_a_newline_in_the_project_path(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    project = s.world.root / "new\nline"
    handmade_venv(project / ".venv", s.lab.bases["3.11"])
    (project / "src").mkdir()
    for name in ("python", "python3.11"):
        sit = situation(s, "newline in the path", name, project / "src")
        env = {**sit.env, "PYRUN_DEBUG": None}
        answer = ask_resolver(s, sit)
        assert answer.healthy and answer.argv == [str(project / ".venv" / "bin" / name)], answer
        code = "import sys; print(repr(sys.executable))"
        done = s.world.run([str(s.world.shims / name), "-c", code], cwd=sit.cwd, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == repr(answer.argv[0])


@pytest.mark.sh_in_stress
def test_conda_prefix_values_that_name_no_conda_environment(setup: Setup) -> None:  # noqa: F811 (the fixture)
    """CONDA_PREFIX counts only for a conda environment (conda-meta/): a Python's own
    prefix there would otherwise be where `pip install` writes."""
    s = setup
    base = s.lab.bases["3.12"].prefix
    plain = s.world.root / "plain-dir"
    plain.mkdir()
    cwd = s.world.root
    sits = []
    for label, value, name_env in (
        ("a Python's prefix, named", str(base), "x"),
        ("a Python's prefix as conda's base", str(base), "base"),
        ("a plain directory", str(plain), "plain-dir"),
    ):
        for name in ("python", "pip"):
            sits.append(
                situation(
                    s,
                    f"CONDA_PREFIX {label}",
                    name,
                    cwd,
                    CONDA_PREFIX=value,
                    CONDA_DEFAULT_ENV=name_env,
                )
            )
    agree(s, sits)
    # pip is refused in one line, whatever the shim; python warns and runs elsewhere.
    env = {**sits[0].env, "CONDA_PREFIX": str(base), "CONDA_DEFAULT_ENV": "x"}
    done = s.world.run(["pip", "install", "pyrun_probe"], cwd=cwd, env=env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert "is not a conda environment" in lines[0] and "pip has nowhere safe" in lines[0]
    done = s.world.run(["python", "-c", "import sys; print(sys.prefix)"], cwd=cwd, env=env)
    assert done.returncode == 0 and "/envs/" in done.stdout, (done.stdout, done.stderr)
    assert "ignoring CONDA_PREFIX=" in done.stderr


# Options a caller can hand to bash through the environment; each must leave the sh
# shim's decision, its messages and the program's environment exactly as without it.
SHELL_OPTIONS: list[dict[str, str]] = [
    {"SHELLOPTS": "errexit"},
    {"SHELLOPTS": "nounset"},
    {"SHELLOPTS": "noglob"},
    {"SHELLOPTS": "xtrace"},
    {"SHELLOPTS": "verbose"},
    {"SHELLOPTS": "allexport"},
    {"SHELLOPTS": "noclobber:pipefail"},
    {"SHELLOPTS": "errexit:nounset:noglob"},
    {"BASHOPTS": "nullglob:failglob:nocasematch:nocaseglob:dotglob:extglob"},
    {"POSIXLY_CORRECT": "1"},
    {"ENV": "{rc}"},
    {"BASH_ENV": "{rc}"},
    {"CDPATH": "/:{root}"},
    {"IFS": "/"},
    {"IFS": ""},
    {"IFS": "aeiouyp/."},
]


@pytest.mark.parametrize("shim_flavour", ["sh"])
def test_the_sh_shim_under_bash_ignores_the_callers_shell_options(world: World) -> None:
    # The shim starts as `#!/bin/sh`: where /bin/sh is bash, bash runs it in sh mode
    # with argv[0] /bin/sh, which `exec -a` reproduces without touching /bin/sh.
    base = world.bases["3.11"]
    project = world.root / "proj"
    handmade_venv(project / ".venv", base)
    (project / "src").mkdir()
    plain = world.root / "plain"
    plain.mkdir()
    rc = world.root / "rc.sh"
    rc.write_text("echo 'the rc file ran' >&2; exit 3\n")
    probe = (
        "import os, sys; print(sys.executable); "
        "print(sorted(k for k in os.environ if k.startswith('pyrun')))"
    )
    # xtrace and verbose print the shim's first lines, up to the one that turns them off.
    echoed = ("#!/bin/sh\n", "# shellcheck disable=SC3013", "set +aCefuvx #", "+ set +aCefuvx")
    for cwd in (project / "src", plain):
        shim = str(world.shims / "python")
        env = {**world.env, "PYRUN_DEBUG": "1", "PWD": str(cwd)}

        def as_sh(
            extra: dict[str, str], shim: str = shim, cwd: Path = cwd, env: dict[str, str] = env
        ) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["/bin/sh", shim, "-c", probe],
                executable="/bin/bash",
                cwd=cwd,
                env={**env, **extra},
                capture_output=True,
                text=True,
                timeout=10,
            )

        as_sh({})  # the first call in `plain` makes the isolated environment
        expected = as_sh({})
        assert expected.returncode == 0, expected.stderr
        assert "[]" in expected.stdout and "pyrun[sh] python:" in expected.stderr
        dash = world.run(["dash", shim, "-c", probe], cwd=cwd, env=env, timeout=10)
        assert (dash.returncode, dash.stdout) == (0, expected.stdout), dash.stderr
        for options in SHELL_OPTIONS:
            extra = {k: v.format(rc=rc, root=world.root) for k, v in options.items()}
            done = as_sh(extra)
            stderr = "".join(
                line
                for line in done.stderr.splitlines(keepends=True)
                if not line.startswith(echoed)
            )
            said = (done.returncode, done.stdout, stderr)
            assert said == (0, expected.stdout, expected.stderr), (cwd.name, extra, said)


def deep_tree(top: Path, levels: int) -> Path:
    """top/d/d/.../d, `levels` deep (past PATH_MAX), made relative to a descriptor one
    level at a time; returned as a short symlink that resolves to it through a chain
    of hops each within PATH_MAX, so that a process can be started there."""
    top.mkdir(parents=True, exist_ok=True)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        deeper = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    os.close(fd)
    hop, done, step = top, 0, 1000
    for i in range((levels + step - 1) // step):
        count = min(step, levels - done)
        link = top.parent / f"{top.name}-hop{i}"
        link.symlink_to(str(hop) + "/d" * count)
        hop, done = link, done + count
    return hop


def remove_deep_tree(top: Path, levels: int) -> None:
    """Undo deep_tree without recursion: shutil.rmtree, and with it pytest's clean-up of
    old temporary directories, recurses once per level and stops near 1,000."""
    for link in top.parent.glob(f"{top.name}-hop*"):
        link.unlink()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(levels):
        deeper = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    for _ in range(levels):
        up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = up
        os.rmdir("d", dir_fd=fd)
    os.close(fd)


@pytest.mark.sh_in_stress
def test_a_working_directory_past_path_max(setup: Setup) -> None:  # noqa: F811 (the fixture)
    # 3,000 levels is a 6,000-byte path: getcwd(2) refuses it, so both shims hand over,
    # and the resolver walks it by descriptor (it used to cost seconds a call, and to
    # miss a .venv that only a path past PATH_MAX could name).
    s = setup
    project = s.world.root / "deep"
    handmade_venv(project / ".venv", s.lab.bases["3.12"])
    under_venv = deep_tree(project / "t", 3000)
    pinned = s.world.root / "pinned"
    pinned.mkdir()
    (pinned / ".python-version").write_text("3.12\n")
    under_pin = deep_tree(pinned / "t", 3000)
    bare = deep_tree(s.world.root / "bare", 3000)
    sits = [
        situation(s, "past PATH_MAX, .venv at the top", "python", under_venv),
        situation(s, "past PATH_MAX, .venv at the top", "pip", under_venv),
        situation(s, "past PATH_MAX, .python-version 3.12 at the top", "python", under_pin),
        situation(s, "past PATH_MAX, nothing above", "python3", bare),
    ]
    try:
        agree(s, sits)
        for sit in sits:
            run = run_shim(s, sit)
            assert "Traceback" not in run.stderr
    finally:
        for top in (project / "t", pinned / "t", s.world.root / "bare"):
            remove_deep_tree(top, 3000)
