"""A `.venv` that someone else controls is not used (src/pyrun/ownership.py).

The tests run as root, which owns everything it makes, so "another user" is made with
chown (uid 65534), and "writable by others" with chmod: the rule reads the bits, it
does not try to write. Each case runs through tests/test_agreement.py's check, for the
sh and the compiled shim: the shim runs for real and must end where `pyrun which` says,
warning what it warns. The last test runs the shims as an unprivileged user, where
"yours" and "root's" are different owners.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pyrun import compiled, shims
from pyrun.paths import Paths
from tests.conftest import PYRUN, SHIM_FLAVOURS, World, clean_env, need
from tests.test_agreement import (  # noqa: F401  (lab and setup are fixtures)
    Answer,
    Setup,
    Situation,
    ask_resolver,
    check,
    handmade_venv,
    lab,
    setup,
)

NOBODY = 65534
# A gid /etc/group does not have: a group nobody can tell the members of.
NO_GROUP = 4242


def rows(path: str) -> list[list[str]]:
    """The lines of an /etc file, split at `:` (blank and comment lines left out)."""
    text = Path(path).read_text(errors="surrogateescape")
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def private_to(uid: int, gid: int) -> bool:
    """Whether this machine's files plainly make `gid` the group of `uid` alone: a group
    line with no member list and the only users with it as their primary group have
    `uid` (a simpler condition than the rule's, read here independently of it)."""
    groups = [f for f in rows("/etc/group") if len(f) >= 4 and f[2] == str(gid)]
    users = [f for f in rows("/etc/passwd") if len(f) >= 4 and f[3] == str(gid)]
    return (
        bool(groups)
        and all(f[3] == "" for f in groups)
        and bool(users)
        and all(f[2] == str(uid) for f in users)
    )


def shared_gid(uid: int) -> int | None:
    """A group of /etc/group that another user than `uid` has as primary group."""
    known = {f[2] for f in rows("/etc/group") if len(f) >= 4}
    for f in rows("/etc/passwd"):
        if len(f) >= 4 and f[2] != str(uid) and f[3] in known and f[3].isdigit():
            return int(f[3])
    return None


def root_private() -> None:
    need(private_to(0, 0), "root's group 0 private to root in /etc/group and /etc/passwd")


def answer(
    s: Setup, label: str, cwd: Path, trust: str | None = None, first: Path | None = None
) -> Answer:
    """The resolver's answer for `python` in cwd, which both shims must give alike;
    `first`: a directory on PATH before the 3.11 base's."""
    path = [s.world.shims, *([first] if first else []), s.lab.bases["3.11"].bin]
    env: dict[str, str | None] = {
        "PATH": os.pathsep.join(str(d) for d in path),
        "PWD": str(cwd),
        "VIRTUAL_ENV": None,
        "CONDA_PREFIX": None,
        "PYRUN_TRUST": trust,
    }
    sit = Situation(f"{label} [{s.flavour}]", "python", cwd, env)
    found = ask_resolver(s, sit)
    problems = check(s, sit, found)
    assert not problems, "\n".join(problems)
    return found


def ask(
    s: Setup, label: str, cwd: Path, trust: str | None = None, first: Path | None = None
) -> tuple[list[str], list[str]]:
    """The program and warnings for `python` in cwd (see `answer`); it must run one."""
    found = answer(s, label, cwd, trust, first)
    assert found.argv, found
    return found.argv, found.warnings


@pytest.mark.sh_in_stress
def test_only_safe_venvs_are_used(setup: Setup) -> None:  # noqa: F811 (the fixture)
    s = setup
    own = s.world.root / "own"
    b312 = s.lab.bases["3.12"]

    def project(name: str) -> Path:
        venv = handmade_venv(own / name / ".venv", b312)
        (own / name / "src").mkdir()
        return venv

    foreign = project("foreign")
    os.chown(foreign, NOBODY, NOBODY)
    theirs = project("theirs")  # the .venv is root's, the directory holding it is not
    os.chown(own / "theirs", NOBODY, NOBODY)
    # Group-writable: by a group /etc/group does not know, by one another user is in.
    root_private()
    shared = shared_gid(0)
    need(shared is not None, "a group of /etc/group that another user than root is in")
    assert shared is not None
    project("groupw").chmod(0o775)
    os.chown(own / "groupw" / ".venv", 0, NO_GROUP)
    project("sharedgw").chmod(0o775)
    os.chown(own / "sharedgw" / ".venv", 0, shared)
    project("otherw").chmod(0o757)
    project("holdergw")
    (own / "holdergw").chmod(0o775)
    os.chown(own / "holdergw", 0, shared)
    # ... and by root's own group (the test runs as root), private to it: used. Others
    # still may not write, whatever the group.
    privategw = project("privategw")
    privategw.chmod(0o775)
    (own / "privategw").chmod(0o775)
    project("privateow").chmod(0o777)
    os.chown(own / "privateow" / ".venv", 0, 0)
    sticky = project("sticky")  # like a .venv in /tmp: others cannot replace it
    (own / "sticky").chmod(0o1777)
    outer = project("outer")
    inner = handmade_venv(own / "outer" / "inner" / ".venv", b312)
    os.chown(inner, NOBODY, NOBODY)
    (own / "outer" / "inner" / "src").mkdir()
    inside = handmade_venv(own / "insideenv", b312)  # the cwd is inside this venv
    os.chown(inside, NOBODY, NOBODY)
    # `.venv` symlinks: controlled by the link's owner and by every directory on the way
    # to the target (ownership.link_reason).
    other = project("other")  # one's own other project

    def link(name: str, target: str, owner: int = 0, holder_mode: int = 0o755) -> Path:
        (own / name / "src").mkdir(parents=True)
        (own / name).chmod(holder_mode)
        (own / name / ".venv").symlink_to(target)
        os.chown(own / name / ".venv", owner, owner, follow_symlinks=False)
        return own / name / ".venv"

    planted = link("pub", str(other), NOBODY, 0o1777)  # another account's, in a sticky dir
    mine = link("mine", str(other))
    relative = link("relative", "../other/.venv")
    loose = project("loose")  # a .venv whose holder another account can write, not sticky
    (own / "loose").chmod(0o777)
    rootlink = link("rootlink", str(loose))
    (own / "hop").symlink_to(own / "other")  # another account's link on the way
    os.chown(own / "hop", NOBODY, NOBODY, follow_symlinks=False)
    hopped = link("hopped", "../hop/.venv")
    # Above the holder: a folder others can write (not sticky), or another user's, lets
    # them rename the project and put their own under its path between check and exec
    # (issue 14, item 2); a sticky one does not.
    (own / "team").mkdir()
    teamed = project("team/proj")
    (own / "team").chmod(0o777)
    (own / "alice").mkdir()
    alices = project("alice/proj")
    os.chown(own / "alice", NOBODY, NOBODY)
    (own / "tmp").mkdir()
    in_tmp = project("tmp/proj")
    (own / "tmp").chmod(0o1777)
    team_link = link("team/linked", str(other))

    skipped = {
        "a .venv owned by another user": (foreign, "is owned by uid 65534"),
        "a .venv in a directory owned by another user": (theirs, "is owned by uid 65534"),
        "a .venv its group (unknown to /etc/group) can write to": (
            own / "groupw" / ".venv",
            "writable by its group",
        ),
        "a .venv its group (with another member) can write to": (
            own / "sharedgw" / ".venv",
            "writable by its group",
        ),
        "a .venv all can write to, its group private": (
            own / "privateow" / ".venv",
            "writable by its group and others",
        ),
        "a .venv others can write to": (own / "otherw" / ".venv", "writable by others"),
        "a .venv in a group-writable directory": (
            own / "holdergw" / ".venv",
            f"{own / 'holdergw'} is writable by its group",
        ),
        "inside a venv owned by another user": (inside, "is owned by uid 65534"),
        "another account's .venv link to one's own other project": (
            planted,
            f"{planted} is a symlink owned by uid 65534, not by you",
        ),
        "a root .venv link to a .venv whose holder others can write": (
            rootlink,
            f"{own / 'loose'} is writable by its group and others, on the way to where "
            f"{rootlink} points",
        ),
        "a .venv below a folder others can write, not sticky": (
            teamed,
            f"{own / 'team'} is writable by its group and others, so someone else could "
            f"rename {own / 'team' / 'proj'} and put their own in its place",
        ),
        "a .venv below another user's directory": (
            alices,
            f"{own / 'alice'} is owned by uid 65534, not by you (uid 0) or root, so someone "
            f"else could rename {own / 'alice' / 'proj'}",
        ),
        "one's own .venv link, held below a folder others can write": (
            team_link,
            f"{own / 'team'} is writable by its group and others, so someone else could "
            f"rename {own / 'team' / 'linked'}",
        ),
        "a .venv link through another account's link": (
            hopped,
            f"{own / 'hop'} is a symlink owned by uid 65534, not by you (uid 0) or root, on "
            f"the way to where {hopped} points",
        ),
    }
    for label, (venv, reason) in skipped.items():
        cwd = venv.parent / "src" if venv.name == ".venv" else venv / "lib"
        argv, warnings = ask(s, label, cwd)
        assert not argv[0].startswith(str(venv)), f"{label}: ran {argv}"
        assert "/envs/" in argv[0], f"{label}: expected the isolated environment, got {argv}"
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith(f"pyrun: not using {venv}: "), warnings
        assert reason in warnings[0] and f"export PYRUN_TRUST={venv})" in warnings[0], warnings

    for label, venv in (("own link", mine), ("own relative link", relative)):
        argv, warnings = ask(s, f"{label} to one's own .venv", venv.parent / "src")
        assert (argv[0], warnings) == (str(venv / "bin" / "python"), []), label
    argv, warnings = ask(s, "PYRUN_TRUST names the link", own / "pub" / "src", str(planted))
    assert (argv[0], warnings) == (str(planted / "bin" / "python"), [])
    argv, warnings = ask(s, "a .venv in a sticky world-writable directory", own / "sticky" / "src")
    assert argv[0] == str(sticky / "bin" / "python") and not warnings
    argv, warnings = ask(
        s, "a .venv below a sticky world-writable directory", in_tmp.parent / "src"
    )
    assert argv[0] == str(in_tmp / "bin" / "python") and not warnings
    argv, warnings = ask(s, "PYRUN_TRUST=team/*", own / "team" / "proj" / "src", f"{own}/team/*")
    assert (argv[0], warnings) == (str(teamed / "bin" / "python"), [])
    # A version file below the folder others can write: not read, said why.
    pin = own / "team" / "pinned" / ".python-version"
    pin.parent.mkdir()
    pin.write_text("3.12\n")
    argv, warnings = ask(s, "a version file below a folder others can write", pin.parent)
    assert "/envs/" in argv[0] and "3.12" not in argv[0], argv
    assert len(warnings) == 1 and warnings[0].startswith(f"pyrun: not using {pin}: "), warnings
    assert f"rename {pin.parent} and put their own" in warnings[0], warnings
    argv, warnings = ask(
        s,
        "a group-writable .venv in a group-writable directory, the group private",
        own / "privategw" / "src",
    )
    assert argv[0] == str(privategw / "bin" / "python") and not warnings
    # Skipped as if absent: the walk goes on to the .venv above.
    argv, warnings = ask(s, "a foreign .venv below one's own", own / "outer" / "inner" / "src")
    assert argv[0] == str(outer / "bin" / "python"), argv
    assert warnings == [warnings[0]] and f"not using {inner}:" in warnings[0]

    # PYRUN_TRUST: the .venv, the directory holding it (any trailing slash), DIR/*, *.
    for trust in (str(foreign), f"{own / 'foreign'}//", f"/elsewhere:{own}/*", "x:*"):
        argv, warnings = ask(s, f"PYRUN_TRUST={trust}", own / "foreign" / "src", trust)
        assert (argv[0], warnings) == (str(foreign / "bin" / "python"), []), trust
    for trust in (f"{own}", "relative/own/foreign/.venv", f"{own}/foreign/.venv/x"):
        argv, warnings = ask(s, f"PYRUN_TRUST={trust} names something else", own / "foreign", trust)
        assert "/envs/" in argv[0] and len(warnings) == 1, (trust, argv, warnings)


@pytest.mark.sh_in_stress
def test_environments_on_path_someone_else_controls_are_skipped(setup: Setup) -> None:  # noqa: F811
    """A venv whose bin/ is on PATH is held to the .venv rule (issue 15): someone
    else's, or one below a folder others can write, is skipped with the same warning,
    and the search goes on to the next interpreter on PATH (here the 3.11 base, run as
    its isolated environment)."""
    s = setup
    own = s.world.root / "own"
    b312 = s.lab.bases["3.12"]
    tools = handmade_venv(own / "venvs" / "tools", b312)
    foreign = handmade_venv(own / "venvs" / "foreign", b312)
    os.chown(foreign, NOBODY, NOBODY)
    loose = handmade_venv(own / "venvs" / "loose", b312)
    loose.chmod(0o777)
    teamed = handmade_venv(own / "team" / "sub" / "env", b312)
    (own / "team").chmod(0o777)
    in_tmp = handmade_venv(own / "tmp" / "env", b312)
    (own / "tmp").chmod(0o1777)
    linked = own / "linked"  # one's own link to the venv in the folder others can write
    linked.symlink_to(teamed)
    elsewhere = own / "elsewhere"
    elsewhere.mkdir()

    for label, env in (("one's own venv", tools), ("a venv in a sticky folder", in_tmp)):
        argv, warnings = ask(s, f"PATH: {label}", elsewhere, first=env / "bin")
        assert (argv[0], warnings) == (str(env / "bin" / "python"), []), label

    skipped = {
        "a venv owned by another user": (foreign, "is owned by uid 65534"),
        "a venv others can write to": (loose, "writable by its group and others"),
        "a venv below a folder others can write": (
            teamed,
            f"{own / 'team'} is writable by its group and others, so someone else could "
            f"rename {own / 'team' / 'sub'}",
        ),
        "one's own link to a venv below a folder others can write": (
            linked,
            f"{own / 'team'} is writable by its group and others, on the way to where "
            f"{linked} points",
        ),
    }
    for label, (env, reason) in skipped.items():
        argv, warnings = ask(s, f"PATH: {label}", elsewhere, first=env / "bin")
        assert "/envs/" in argv[0], f"{label}: ran {argv}"
        assert "3.11" in argv[0], f"{label}: expected the next python on PATH, got {argv}"
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith(f"pyrun: not using {env}: "), warnings
        assert reason in warnings[0] and f"export PYRUN_TRUST={env})" in warnings[0], warnings
    argv, warnings = ask(s, "PATH: trusted by name", elsewhere, str(foreign), foreign / "bin")
    assert (argv[0], warnings) == (str(foreign / "bin" / "python"), [])


# -- as an unprivileged user ---------------------------------------------------------------


def shims_for_everyone(public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """Shims of `flavour` in a data directory under `public_root` that every user can
    read, for running them as another user with setpriv."""
    need(shutil.which("setpriv"), "setpriv (util-linux), to run as another user")
    need(os.geteuid() == 0, "root, to run the shims as another user")
    if flavour == "c":
        need(compiled.compiler(), "a C compiler, to build the compiled shim")
    paths = Paths(data=public_root / "data", config=public_root / "config")
    monkeypatch.setenv("PYRUN_SHIM", flavour)
    shims.rehash(paths, "/usr/bin:/bin")
    for d in (paths.data, paths.shims):
        d.chmod(0o755)
    return paths


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_an_unprivileged_user_trusts_its_own_and_roots(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = shims_for_everyone(public_root, flavour, monkeypatch)

    def venv(owner: int, name: str) -> Path:
        """A .venv whose python3 is a script that says where it ran from."""
        project = public_root / name
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / ".venv" / "pyvenv.cfg").write_text("home = /nonexistent\n")
        script = project / ".venv" / "bin" / "python3"
        script.write_text(f"#!/bin/sh\necho ran {name}\n")
        script.chmod(0o755)
        for path in (project, project / ".venv", project / ".venv" / "bin", script):
            os.chown(path, owner, owner)
        return project

    cases = {"roots": 0, "mine": NOBODY, "someone-elses": NOBODY - 1}
    for name, owner in cases.items():
        venv(owner, name)
    env = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env["PYRUN_DEBUG"] = "1"
    as_nobody = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    for name in cases:
        python3_as(as_nobody, paths, public_root / name, env, flavour, name != "someone-elses")


def python3_as(
    setpriv: list[str], paths: Paths, project: Path, env: dict[str, str], flavour: str, used: bool
) -> None:
    """Run the python3 shim in `project` as the user `setpriv` names: it must run the
    project's .venv (a script that says `ran NAME`), or, when not `used`, skip it as
    not trusted."""
    done = subprocess.run(
        ["setpriv", *setpriv, str(paths.shims / "python3")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    said = [line for line in done.stderr.splitlines() if line.startswith(f"pyrun[{flavour}]")]
    if used:
        assert done.stdout == f"ran {project.name}\n", done.stderr
    else:
        assert said and said[-1].endswith(f"slow path: .venv {project / '.venv'} is not trusted"), (
            done.stderr
        )


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_an_unprivileged_user_skips_another_accounts_version_file(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's 3.12 .venv, beside a .python-version asking for 3.11: the user's own
    file is obeyed (the .venv runs), another account's in a sticky directory (/tmp/pub)
    is not, and the shim leaves it to the slow path, which warns (issue 14, item 3)."""
    paths = shims_for_everyone(public_root, flavour, monkeypatch)
    for name, pin_owner in (("mine", NOBODY), ("planted", NOBODY - 1)):
        project = public_root / name
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / ".venv" / "pyvenv.cfg").write_text("home = /nonexistent\n")
        for program in ("python3", "python3.12"):
            script = project / ".venv" / "bin" / program
            script.write_text(f"#!/bin/sh\necho ran {name}\n")
            script.chmod(0o755)
        for path in (project / ".venv", project / ".venv" / "bin", *project.glob(".venv/*/*")):
            os.chown(path, NOBODY, NOBODY)
        pin = project / ".python-version"
        pin.write_text("3.12\n" if name == "mine" else "3.11\n")
        os.chown(pin, pin_owner, pin_owner)
        project.chmod(0o1777)  # /tmp/pub: root's, sticky
    env = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env["PYRUN_DEBUG"] = "1"
    as_nobody = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    python3_as(as_nobody, paths, public_root / "mine", env, flavour, True)
    done = subprocess.run(
        ["setpriv", *as_nobody, str(paths.shims / "python3")],
        cwd=public_root / "planted",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    said = [line for line in done.stderr.splitlines() if line.startswith(f"pyrun[{flavour}]")]
    pin = public_root / "planted" / ".python-version"
    assert said and said[-1].endswith(f"slow path: version file {pin} is not trusted"), done.stderr


def says_where_it_ran(where: Path, owner: int, name: str) -> Path:
    """An environment at `where` owned by `owner`, whose python3 is a script that says
    `ran NAME` (nothing Python runs as the other user)."""
    (where / "bin").mkdir(parents=True)
    (where / "pyvenv.cfg").write_text("home = /nonexistent\n")
    script = where / "bin" / "python3"
    script.write_text(f"#!/bin/sh\necho ran {name}\n")
    script.chmod(0o755)
    for path in (where, where / "bin", where / "pyvenv.cfg", script):
        os.chown(path, owner, owner)
    return where


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_an_unprivileged_user_judges_redirect_files(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.venv` redirect file is judged as a `.venv` symlink to where it points: the
    user's own file naming the user's environment is followed; another account's file in
    a sticky directory, the user's file when its group can write it, and the user's file
    pointing into a directory another account can write are not (the shims leave them
    to the slow path, which warns and walks on)."""
    paths = shims_for_everyone(public_root, flavour, monkeypatch)

    for where in (public_root / "envs" / "mine", public_root / "open" / "env"):
        says_where_it_ran(where, NOBODY, f"{where.parent.name}/{where.name}")
    (public_root / "open").chmod(0o777)  # another account can rename env away

    def project(name: str, text: str, owner: int = NOBODY, mode: int = 0o644) -> Path:
        holder = public_root / name
        holder.mkdir()
        dot = holder / ".venv"
        dot.write_text(text)
        dot.chmod(mode)
        os.chown(dot, owner, NO_GROUP if mode & 0o020 else owner)
        if owner == NOBODY:
            os.chown(holder, NOBODY, NOBODY)
        else:
            holder.chmod(0o1777)  # /tmp/pub: root's, sticky
        return dot

    project("mine", "../envs/mine\n")
    skipped = {
        project("planted", f"{public_root}/envs/mine\n", owner=NOBODY - 1): "is not trusted",
        project("groupw", "../envs/mine\n", mode=0o664): "is not trusted",
        project("into-open", "../open/env\n"): "points where it is not trusted",
    }
    env_vars = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env_vars["PYRUN_DEBUG"] = "1"
    as_nobody = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]

    def run(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["setpriv", *as_nobody, str(paths.shims / "python3")],
            cwd=public_root / name,
            env=env_vars,
            capture_output=True,
            text=True,
            check=False,
        )

    done = run("mine")
    assert done.stdout == "ran envs/mine\n", done.stderr
    assert "slow path" not in done.stderr, done.stderr
    for dot, reason in skipped.items():
        done = run(dot.parent.name)
        said = [line for line in done.stderr.splitlines() if line.startswith(f"pyrun[{flavour}]")]
        assert said and said[-1].endswith(
            f"slow path: .venv {'redirect file ' * (reason != 'is not trusted')}{dot} {reason}"
        ), done.stderr
        assert "ran " not in done.stdout, done.stdout


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_an_unprivileged_user_judges_environments_on_path(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A venv's bin/ on PATH, as an unprivileged user: its own and root's are used,
    another account's and one below a folder others can write are left to the slow
    path, which warns and goes on along PATH."""
    paths = shims_for_everyone(public_root, flavour, monkeypatch)

    def env(where: Path, owner: int) -> Path:
        return says_where_it_ran(where, owner, where.name)

    used = [env(public_root / "venvs" / "mine", NOBODY), env(public_root / "venvs" / "roots", 0)]
    skipped = [
        env(public_root / "venvs" / "theirs", NOBODY - 1),
        env(public_root / "open" / "sub" / "env", NOBODY),
    ]
    (public_root / "open").chmod(0o777)  # another account can rename sub away
    as_nobody = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    for where in used + skipped:
        path = f"{paths.shims}:{where / 'bin'}:/usr/bin:/bin"
        done = subprocess.run(
            ["setpriv", *as_nobody, str(paths.shims / "python3")],
            cwd=public_root,
            env={**clean_env({"HOME": str(public_root), "PATH": path}), "PYRUN_DEBUG": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        said = [line for line in done.stderr.splitlines() if line.startswith(f"pyrun[{flavour}]")]
        if where in used:
            assert done.stdout == f"ran {where.name}\n", done.stderr
            assert "slow path" not in done.stderr, done.stderr
        else:
            assert "ran " not in done.stdout, done.stdout
            assert said and said[-1].endswith(
                f"slow path: PATH environment {where} is not trusted"
            ), done.stderr


@pytest.mark.sh_in_stress
def test_redirect_files_someone_else_controls_are_skipped(setup: Setup) -> None:  # noqa: F811
    """As root (the test's user): the same judgement in every copy, with the warning and
    the walk going on; PYRUN_TRUST naming the file trusts where it points as well."""
    s = setup
    own = s.world.root / "own"
    target = handmade_venv(own / "envs" / "proj", s.lab.bases["3.12"])
    open_env = handmade_venv(own / "open" / "proj", s.lab.bases["3.12"])
    (own / "open").chmod(0o777)
    (own / "hop").symlink_to(own / "envs")  # another account's link on the way
    os.chown(own / "hop", NOBODY, NOBODY, follow_symlinks=False)

    def project(name: str, text: str, owner: int = 0, mode: int = 0o644) -> Path:
        (own / name / "src").mkdir(parents=True)
        dot = own / name / ".venv"
        dot.write_text(text)
        dot.chmod(mode)
        os.chown(dot, owner, NO_GROUP if mode & 0o020 else owner)
        if owner:
            (own / name).chmod(0o1777)
        return dot

    mine = project("mine", "../envs/proj\n")
    argv, warnings = ask(s, "a redirect file of one's own", mine.parent / "src")
    assert (argv[0], warnings) == (str(target / "bin" / "python"), [])
    for dot in (
        project("planted", f"{target}\n", owner=NOBODY),
        project("groupw", "../envs/proj\n", mode=0o664),
        project("into-open", f"{open_env}\n"),
        project("hopped", "../hop/proj\n"),
    ):
        label = f"redirect file {dot.parent.name}"
        argv, warnings = ask(s, label, dot.parent / "src")
        assert not argv[0].startswith(str(own)), (label, argv)
        assert [w.split(": ")[1] for w in warnings] == [f"not using {dot}"], (label, warnings)
        argv, warnings = ask(s, label, dot.parent / "src", trust=str(dot))
        assert (argv[0].startswith(str(own)), warnings) == (True, []), (label, argv, warnings)


# Swaps two directories again and again (renameat2 RENAME_EXCHANGE), as the issue's
# attacker did from their own account.
SWAPPER = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc != 3) return 2;
    for (;;) syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], 2 /* EXCHANGE */);
}
"""


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_a_rename_race_in_a_shared_folder_never_runs_the_other_accounts_program(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's project in a `chmod 777` team folder (not sticky); another account
    swaps it with its own tree in a loop, so that the path names the user's `.venv`
    when the shim checks it and the other account's when it runs it (46 of 400 calls
    ran the other account's program before; issue 14, item 2). The folder lets others
    rename what is in it, so the `.venv` below is not trusted at all: none of the calls
    may run the other account's program (PYRUN_STRESS_RACE calls, 30 by default)."""
    paths = shims_for_everyone(public_root, flavour, monkeypatch)
    compiler = compiled.compiler()
    need(compiler, "a C compiler, to build the program that swaps the directories")
    assert compiler is not None
    swapper = public_root / "swap"
    subprocess.run(
        [compiler, "-O2", "-o", str(swapper), "-x", "c", "-"], input=SWAPPER, text=True, check=True
    )
    team = public_root / "team"
    team.mkdir()
    team.chmod(0o777)
    victim, attacker = NOBODY, NOBODY - 1
    for name, owner in (("proj", victim), ("evil", attacker)):
        project = team / name
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / "src").mkdir()
        (project / ".venv" / "pyvenv.cfg").write_text("home = /nonexistent\n")
        script = project / ".venv" / "bin" / "python3"
        script.write_text(f"#!/bin/sh\necho ran {name}\n")
        script.chmod(0o755)
        for path in (project, project / "src", *project.glob(".venv"), *project.glob(".venv/**/*")):
            os.chown(path, owner, owner)
    env = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env["PYRUN_DEBUG"] = "1"
    as_ = {
        uid: [f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] for uid in (victim, attacker)
    }
    # Before the race: the user's own .venv there is skipped, saying why.
    python3_as(as_[victim], paths, team / "proj", env, flavour, False)
    swapping = subprocess.Popen(
        ["setpriv", *as_[attacker], str(swapper), str(team / "proj"), str(team / "evil")]
    )
    ran: list[str] = []
    try:
        for _ in range(int(os.environ.get("PYRUN_STRESS_RACE", "30"))):
            done = subprocess.run(
                ["setpriv", *as_[victim], str(paths.shims / "python3")],
                cwd=team / "proj" / "src",
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            ran.append(done.stdout.strip())
    finally:
        swapping.kill()
        swapping.wait()
    assert "ran evil" not in ran, ran
    assert "ran proj" not in ran, ran  # not trusted, whichever way round the race went


def private_user() -> tuple[int, int]:
    """An unprivileged user whose primary group is plainly theirs alone (Debian's and
    this machine's `daemon`, uid 1 and gid 1, for one), as (uid, gid)."""
    for f in rows("/etc/passwd"):
        numbers = len(f) >= 4 and f[2].isdigit() and f[3].isdigit() and f[2] != "0"
        if numbers and private_to(int(f[2]), int(f[3])):
            return int(f[2]), int(f[3])
    need(False, "a user whose primary group is private to it in /etc/group and /etc/passwd")
    raise AssertionError  # not reached


@pytest.mark.parametrize("flavour", ["sh", "c"])
def test_an_unprivileged_user_with_a_private_group(
    public_root: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """umask 002 under user-private groups: the user's group-writable project and .venv
    are used; the same made writable by a group another user is in, not."""
    need(shutil.which("setpriv"), "setpriv (util-linux), to run as another user")
    need(os.geteuid() == 0, "root, to run the shims as another user")
    if flavour == "c":
        need(compiled.compiler(), "a C compiler, to build the compiled shim")
    uid, gid = private_user()
    shared = shared_gid(uid)
    need(shared is not None and shared != gid, "a group another user is in")
    paths = Paths(data=public_root / "data", config=public_root / "config")
    monkeypatch.setenv("PYRUN_SHIM", flavour)
    shims.rehash(paths, "/usr/bin:/bin")
    for d in (paths.data, paths.shims):
        d.chmod(0o755)
    for name, group in (("private", gid), ("shared", shared)):
        project = public_root / name
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / ".venv" / "pyvenv.cfg").write_text("home = /nonexistent\n")
        script = project / ".venv" / "bin" / "python3"
        script.write_text(f"#!/bin/sh\necho ran {name}\n")
        script.chmod(0o775)
        for path in (project, project / ".venv", project / ".venv" / "bin", script):
            path.chmod(0o775)
            os.chown(path, uid, group)
    env = clean_env({"HOME": str(public_root), "PATH": f"{paths.shims}:/usr/bin:/bin"})
    env["PYRUN_DEBUG"] = "1"
    as_user = [f"--reuid={uid}", f"--regid={gid}", "--init-groups"]
    for name in ("private", "shared"):
        python3_as(as_user, paths, public_root / name, env, flavour, name == "private")


def test_a_data_directory_others_can_write_is_refused(setup: Setup) -> None:  # noqa: F811
    # Whoever can write to the data directory chooses what every shim runs (its records
    # name the environments). Both shims hand a cold start to the slow path, which
    # refuses before any record is written; the compiled shim also checks the bits on
    # every warm start. (The sh shim has no builtin for mode bits: once records exist,
    # it leaves the check to the hook and rehash; SAFETY.md.)
    s = setup
    cwd = s.lab.cwd("none")

    def refused() -> None:
        s.world.data.chmod(0o777)
        try:
            done = s.world.shim("python3", "-c", "print('ran')", cwd=cwd)
        finally:
            s.world.data.chmod(0o700)
        said = [line for line in done.stderr.splitlines() if line.startswith("pyrun: ")]
        assert done.returncode != 0 and done.stdout == "", done
        assert said == [said[0]] and f"refusing to use {s.world.data}:" in said[0], done.stderr
        assert "chmod go-w" in said[0], said

    refused()
    assert s.world.shim("python3", "-c", "pass", cwd=cwd).returncode == 0
    if s.flavour == "c":
        refused()


# -- other /etc/group and /etc/passwd, each in a mount namespace of its own -----------------

# A private mount namespace (unshare -m) in which the files are bind-mounted over /etc's:
# the machine's own files are never written, and nothing outside sees the change.
IN_NAMESPACE = [
    shutil.which("unshare") or "unshare",
    "-m",
    "/bin/sh",
    "-c",
    'm=$(command -v mount || echo /bin/mount) && "$m" --bind "$1" /etc/group'
    ' && "$m" --bind "$2" /etc/passwd && shift 2 && exec "$@"',
    "sh",
]
USERS = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "mallory:x:1001:1001::/home/mallory:/bin/sh\n"
)
BIG = "#" + "x" * (1 << 20) + "\n"  # a comment line longer than the files may be
# name: (/etc/group, /etc/passwd, the .venv's gid, whether private to root). The
# directories are root's, as the tests run as root.
TABLES: dict[str, tuple[str, str, int, bool]] = {
    "root's group, no member list": ("root:x:0:\n", USERS, 0, True),
    "comments, blank lines, no final newline": ("# x\n\n \t\nroot:x:0:", USERS, 0, True),
    "root named as a member too": ("root:x:0:root\n", USERS, 0, True),
    "a member list naming only root, empty names": ("root:x:0:,root,\n", USERS, 0, True),
    "a member only (no primary group)": ("wheel:x:5000:root\n", USERS, 5000, True),
    "an alias of root's uid as the member": (
        "wheel:x:5000:toor\n",
        USERS + "toor:x:0:0::/root:/bin/sh\n",
        5000,
        True,
    ),
    "a long line within the limit": ("#" + "x" * 500_000 + "\nroot:x:0:\n", USERS, 0, True),
    # refused
    "another user a member through /etc/group": ("root:x:0:mallory\n", USERS, 0, False),
    "another user a member through a second line": (
        "root:x:0:\nwheel:x:0:mallory\n",
        USERS,
        0,
        False,
    ),
    "another user with it as primary group": (
        "root:x:0:\n",
        USERS + "eve:x:1002:0::/:/bin/sh\n",
        0,
        False,
    ),
    "a group named like the owner, with another member": (
        "root:x:5000:root,mallory\n",
        USERS,
        5000,
        False,
    ),
    "a member named like root but with another uid too": (
        "wheel:x:5000:root\n",
        USERS + "root:x:1003:1003::/:/bin/sh\n",
        5000,
        False,
    ),
    "a member /etc/passwd does not know": ("wheel:x:5000:ldapuser\n", USERS, 5000, False),
    "a group with no members": ("staff:x:5000:\n", USERS, 5000, False),
    "a gid /etc/group does not have": ("root:x:0:\n", USERS, 5000, False),
    "CRLF line ends": ("root:x:0:\r\n", USERS.replace("\n", "\r\n"), 0, False),
    "a line over the size limit": (BIG + "root:x:0:\n", USERS, 0, False),
    "a NIS + line": ("+:::\nroot:x:0:\n", USERS, 0, False),
    "a gid with a leading zero": ("wheel:x:00:mallory\nroot:x:0:\n", USERS, 0, False),
    "a gid beyond 32 bits": ("wheel:x:4294967296:mallory\nroot:x:0:\n", USERS, 0, False),
    "a passwd line without a gid": ("root:x:0:\n", USERS + "odd:x:1004\n", 0, False),
}


@pytest.mark.sh_in_stress
def test_a_private_group_by_the_files(setup: Setup, tmp_path: Path) -> None:  # noqa: F811
    """Each copy of the rule (ownership.private_group; the shim's, run as pyrun-resolve)
    reads /etc/group and /etc/passwd alike: a group-writable .venv of root's is used
    exactly when its group is private to root. Every pair of files in TABLES, in one
    world per shim flavour (a world each cost more than the cases)."""
    need(os.geteuid() == 0 and shutil.which("unshare"), "root and unshare, for a mount namespace")
    probe = subprocess.run([*IN_NAMESPACE, "/etc/group", "/etc/passwd", "true"], check=False)
    need(probe.returncode == 0, "a mount namespace (unshare -m, mount --bind)")
    s = setup
    env = {"PATH": os.pathsep.join([str(s.world.shims), str(s.lab.bases["3.11"].bin)])}
    for number, (case, (group_text, passwd_text, gid, private)) in enumerate(TABLES.items()):
        files = tmp_path / str(number)
        files.mkdir()
        (files / "group").write_text(group_text, newline="")
        (files / "passwd").write_text(passwd_text, newline="")
        project = s.world.root / f"gw{number}"
        venv = handmade_venv(project / ".venv", s.lab.bases["3.12"])
        venv.chmod(0o775)
        os.chown(venv, 0, gid)
        namespace = [*IN_NAMESPACE, str(files / "group"), str(files / "passwd")]
        binary = s.world.run(
            [*namespace, str(s.world.shims / shims.RESOLVER)],
            cwd=project,
            env={**env, "PYRUN_DEBUG": "1"},
        )
        python = s.world.run(
            [*namespace, PYRUN, "_shim", shims.RESOLVER, "asked by the test"], cwd=project, env=env
        )
        assert binary.returncode == python.returncode == 0, (case, binary, python)
        assert binary.stdout == python.stdout, (case, binary.stderr, python.stderr)
        said = python.stdout.splitlines()
        slow = [line for line in binary.stderr.splitlines() if ": slow path: " in line]
        if private:
            assert "kind=.venv" in said and not any(x.startswith("warning=") for x in said), (
                case,
                said,
            )
            assert not slow, f"{case}: the {s.flavour} shim left the fast path: {slow}"
        else:
            warning = f"warning=pyrun: not using {venv}: {venv} is writable by its group; "
            assert "kind=.venv" not in said and any(x.startswith(warning) for x in said), (
                case,
                said,
            )


def test_a_fifo_or_missing_group_file_is_not_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO in /etc/group's place must not hang the rule (opened non-blocking, then
    not a regular file): the answer is "not private", as for a file that is not there.
    (A FIFO cannot be bind-mounted over /etc/group for the shims; theirs is the same
    open and fstat, and shim.sh tests -f first.)"""
    from pyrun import ownership

    fifo = tmp_path / "group"
    os.mkfifo(fifo)
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (tmp_path / "plain").write_text("root:x:0:\n")
    monkeypatch.setattr(ownership, "USERS", str(tmp_path / "passwd"))
    monkeypatch.setattr(ownership, "GROUPS", str(tmp_path / "plain"))
    assert ownership.private_group(0, 0)
    for where in (fifo, tmp_path / "missing"):
        monkeypatch.setattr(ownership, "GROUPS", str(where))
        assert not ownership.private_group(0, 0)


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_the_group_files_are_read_once_per_python(world: World, shim_flavour: str) -> None:
    """umask 002 under a private group makes both the .venv and the project holding it
    group-writable: each `python` there reads /etc/group once, not once per directory
    it checks (dash's `read` takes a byte per system call)."""
    strace = shutil.which("strace")
    need(strace, "strace")
    root_private()
    project = world.root / "umask002"
    venv = world.venv(project / ".venv")
    for path in (project, venv):
        path.chmod(0o775)
        os.chown(path, 0, 0)
    code = "import sys; print(sys.prefix)"
    world.run(["python", "-c", code], cwd=project, check=True)  # records made
    log = world.root / "strace.log"
    trace = [str(strace), "-f", "-qq", "-e", "trace=open,openat", "-o", str(log)]
    done = world.run(
        [*trace, str(world.shims / "python"), "-c", code],
        cwd=project,
        check=True,
    )
    assert done.stdout.strip() == str(venv), done.stderr
    opens = [line for line in log.read_text().splitlines() if '"/etc/group"' in line]
    assert len(opens) == 1, opens


# -- the commands the messages suggest (suggest.py) ----------------------------------------

SUGGESTED = re.compile(r"`([^`]+)`")
TRUST_LINE = re.compile(r"\((export PYRUN_TRUST=.*)\)$")


def said(s: Setup, label: str, cwd: Path, trust: str | None = None) -> list[str]:
    """What `python` in cwd says (see `answer`): its error, else its warnings."""
    found = answer(s, label, cwd, trust)
    return [found.error] if found.error else found.warnings


def pasted(line: str, where: Path, *, interpreter: str = "sh", then: str = "") -> str:
    """Run a suggested line as a user pasting it would, in a scratch directory, with
    `python3` a function that prints its arguments (so nothing is remade for real)."""
    fake = "python3() { printf '%s\\n' \"$@\"; }; " if interpreter == "sh" else ""
    done = subprocess.run(
        [interpreter, "-c", f"{fake}{line}{then}"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": os.environ["PATH"], "HOME": str(where), "PYRUN_TRUST": "/elsewhere"},
    )
    assert done.returncode == 0 and not done.stderr, (line, done.stderr)
    return done.stdout


@pytest.mark.sh_in_stress
def test_suggested_commands_are_quoted_and_never_follow_a_link(setup: Setup) -> None:  # noqa: F811
    s = setup
    b312 = s.lab.bases["3.12"]
    # Names a careless message turns into commands: a substitution, a quote, a space.
    odd = s.world.root / "odd" / "$(touch${IFS}pwned) it's"
    scratch = s.world.root / "scratch"
    scratch.mkdir()

    # A .venv someone else owns: the PYRUN_TRUST line names exactly it, in sh and fish,
    # and keeps what PYRUN_TRUST held.
    foreign = handmade_venv(odd / "foreign" / ".venv", b312)
    (odd / "foreign" / "src").mkdir()
    os.chown(foreign, NOBODY, NOBODY)
    for trust, kept in ((None, ""), ("/elsewhere", "/elsewhere:")):
        (warning,) = said(s, f"foreign .venv, PYRUN_TRUST={trust}", odd / "foreign" / "src", trust)
        m = TRUST_LINE.search(warning)
        assert m, warning
        value = pasted(m[1], scratch, then='; printf %s "$PYRUN_TRUST"')
        assert value == f"{kept}{foreign}", (m[1], value)
        if shutil.which("fish"):
            value = pasted(m[1], scratch, interpreter="fish", then="; printf %s $PYRUN_TRUST")
            assert value == f"{kept}{foreign}", (m[1], value)
    # PYRUN_TRUST cannot hold a `:`: the config file's trust list is named instead.
    colon = handmade_venv(s.world.root / "a:b" / ".venv", b312)
    (colon.parent / "src").mkdir()
    os.chown(colon, NOBODY, NOBODY)
    (warning,) = said(s, "foreign .venv under a: in its path", colon.parent / "src")
    assert "export" not in warning and "`trust` in pyrun's config.toml" in warning, warning

    # A .venv symlink of one's own to a directory that is no environment: the link is
    # what to remove, and `rm` removes the link, never what it points at.
    keep = s.world.root / "keep"
    keep.mkdir()
    (keep / "precious.txt").write_text("mine\n")
    mine = odd / "mine"
    mine.mkdir(parents=True)
    (mine / ".venv").symlink_to(keep)
    (error,) = said(s, "own .venv link to a non-environment", mine)
    commands = SUGGESTED.findall(error)
    assert commands and all("--clear" not in c for c in commands), error
    (remove,) = [c for c in commands if c.startswith("rm ")]
    pasted(remove, scratch)
    assert not os.path.lexists(mine / ".venv") and (keep / "precious.txt").read_text() == "mine\n"
    # ... and one to nothing.
    (mine / ".venv").symlink_to(s.world.root / "gone")
    (error,) = said(s, "own .venv link to nothing", mine)
    (remove,) = [c for c in SUGGESTED.findall(error) if c.startswith("rm ")]
    pasted(remove, scratch)
    assert not os.path.lexists(mine / ".venv")

    # Someone else's link (a shared sticky directory), to a directory or to a base
    # interpreter's prefix (`ln -s /usr`): skipped, the one command the PYRUN_TRUST line.
    pub = s.world.root / "pub"
    pub.mkdir(mode=0o1777)
    pub.chmod(0o1777)
    for target in (keep, b312.prefix):
        (pub / ".venv").unlink(missing_ok=True)
        (pub / ".venv").symlink_to(target)
        os.chown(pub / ".venv", NOBODY, NOBODY, follow_symlinks=False)
        (warning,) = said(s, f"another user's .venv link to {target.name}", pub)
        assert warning.startswith(f"pyrun: not using {pub / '.venv'}: "), warning
        assert "symlink owned by uid 65534" in warning, warning
        assert not SUGGESTED.findall(warning) and TRUST_LINE.search(warning), warning
    # Trusted by name anyway: still no command that would remove or remake it.
    (error,) = said(s, "another user's .venv link, trusted", pub, str(pub / ".venv"))
    assert "symlink that is not yours" in error and not SUGGESTED.findall(error.split(";", 1)[1])

    # A real directory of one's own that is no environment: remade by its real name,
    # the name passed as one word.
    plain = odd / "plain" / ".venv"
    plain.mkdir(parents=True)
    (error,) = said(s, "own .venv directory that is no environment", plain.parent)
    (clear,) = [c for c in SUGGESTED.findall(error) if c.startswith("python3 ")]
    assert pasted(clear, scratch).splitlines() == ["-m", "venv", "--clear", str(plain)]
    assert not list(s.world.root.rglob("pwned")), "a suggested command ran a substitution"
