"""Disk and permission faults, pyrun's own directories left writable to others, and
working directories whose ancestors cannot be read.

The tests run as root, for whom permission bits stop nothing, so the faults are made
real with namespaces (util-linux ``unshare``):

* ``unshare -U`` (a user namespace without a mapping): the process keeps uid 0 for the
  kernel's file checks but loses CAP_DAC_OVERRIDE over the (unmapped) files, so the
  ordinary permission bits apply: ``mkdir`` in a 0555 directory fails with EACCES.
  Inside, ``getuid()`` says 65534 and so does every file root owns: still "yours".
* ``unshare -rm`` and a tmpfs of a few KiB mounted over a directory: a real ENOSPC,
  in a mount namespace that dies with the command (so what it left is listed from
  inside, before it goes).

Each fault runs the real shims on PATH (``python -c``, ``pip install``) and asserts what
a user sees: a non-zero exit and one line naming the problem and the fix, no completion
marker, no record and no half-made environment or temporary file left, and a working
next call once the fault is gone.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pyrun import isolated
from pyrun.interpreter import query
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER
from tests.conftest import PYRUN, SHIM_FLAVOURS, World, need, need_minor
from tests.test_agreement import Lab, Setup, Situation, ask_resolver, check, handmade_venv

PREFIX = "import sys; print(sys.prefix)"


# -- the two namespaces -------------------------------------------------------------------


@functools.cache
def _works(*argv: str) -> bool:
    if shutil.which(argv[0]) is None:
        return False
    return subprocess.run(argv, capture_output=True, check=False).returncode == 0


def need_permissions() -> None:
    """`unshare -U`, so that root is held to permission bits."""
    need(_works("unshare", "-U", "true"), "`unshare -U` (user namespaces)")


def need_tmpfs(scratch: Path) -> None:
    """`unshare -rm` and a tmpfs mount, for a real full disk."""
    scratch.mkdir(exist_ok=True)
    mount = ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(scratch)]
    need(_works(*mount), "`unshare -rm` and a tmpfs mount (mount namespaces)")


def unprivileged(argv: list[str]) -> list[str]:
    """argv run where permission bits apply to it, root or not."""
    return [shutil.which("unshare") or "unshare", "-U", *argv]


def on_full_tmpfs(
    directory: Path, size: str, argv: list[str], listing: Path, prepare: str = ":"
) -> list[str]:
    """argv run with a fresh tmpfs of `size` over `directory` (its contents hidden) and
    the shell code `prepare` run in it first (``$dir`` is the directory); what is in it
    afterwards goes to `listing` (``d path`` or ``f path``, one a line), since it
    vanishes with the mount."""
    script = (
        'dir=$1 size=$2 listing=$3 prepare=$4; shift 4; rm -f "$listing"; '
        'mount -t tmpfs -o "size=$size,mode=0700" tmpfs "$dir" || exit 90; '
        'eval "$prepare" || exit 91; '
        '"$@"; status=$?; '
        '(cd "$dir" && find . -mindepth 1 -printf "%y %P\\n") >"$listing"; exit $status'
    )
    where = [str(directory), size, str(listing), prepare]
    return [
        shutil.which("unshare") or "unshare",
        "-rm",
        "/bin/sh",
        "-c",
        script,
        "sh",
        *where,
        *argv,
    ]


def left_in(listing: Path) -> list[str]:
    return listing.read_text().splitlines()


# -- what a user must see -----------------------------------------------------------------


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The failure's single stderr line, with no traceback."""
    assert done.returncode != 0, f"it did not fail:\n{done.stdout}\n{done.stderr}"
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyrun: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def records_in(data: Path) -> list[str]:
    root = data / "by-path"
    return [str(p) for p in root.rglob("*") if not p.is_dir()] if root.exists() else []


def env_of(world: World) -> Path:
    interp = query(str(world.base.python), Paths(world.data, world.home / ".config"))
    return isolated.env_dir(Paths(world.data, world.home / ".config"), interp)


# -- A: a read-only data directory --------------------------------------------------------


def test_a_read_only_data_directory_is_one_line_and_leaves_nothing(world: World) -> None:
    need_permissions()
    data, envs = world.data, world.envs
    env = env_of(world)

    data.chmod(0o555)  # envs/ cannot be made
    done = world.run(unprivileged(["python", "-c", PREFIX]))
    assert one_line(done) == (
        f"pyrun: cannot create the directory {envs}: permission denied; make {data} "
        "writable for you, or set PYRUN_DATA_DIR to a directory that is"
    )
    assert not envs.exists() and not records_in(data)

    data.chmod(0o700)
    envs.mkdir()
    envs.chmod(0o555)  # envs/ is there, the environment cannot be made in it
    done = world.run(unprivileged(["pip", "install", "pyrun_probe"]))
    assert one_line(done) == (
        f"pyrun: cannot create the isolated environment at {env}: permission denied; "
        f"make {envs} writable for you, or set PYRUN_DATA_DIR to a directory that is"
    )
    assert not list(envs.iterdir()) and not records_in(data)

    envs.chmod(0o755)  # the fault lifted: the next call works, still unprivileged
    world.run(unprivileged(["pip", "install", "pyrun_probe"]), check=True)
    done = world.run(unprivileged(["python", "-c", "import pyrun_probe, sys; print(sys.prefix)"]))
    assert done.returncode == 0 and done.stdout.strip() == str(env), done.stderr
    assert (env / COMPLETE_MARKER).is_file()

    # The environment is complete but its record cannot be written: it runs, and says
    # why every start now takes the slow path.
    shutil.rmtree(data / "by-path")
    data.chmod(0o555)
    try:
        done = world.run(unprivileged(["python", "-c", PREFIX]))
    finally:
        data.chmod(0o700)
    assert done.returncode == 0 and done.stdout.strip() == str(env), done.stderr
    assert done.stderr.splitlines() == [
        f"pyrun: cannot create the directory {data / 'by-path'}{world.base.python.parent}: "
        f"permission denied; make {data} writable for you, or set PYRUN_DATA_DIR to a "
        "directory that is (it runs meanwhile, without the fast path)"
    ]
    done = world.run(["python", "-c", PREFIX], check=True)
    assert done.stderr == "" and len(records_in(data)) == 1


# -- A: a full disk -----------------------------------------------------------------------


def test_a_full_disk_during_creation_is_one_line_and_leaves_nothing(world: World) -> None:
    need_tmpfs(world.root / "probe")
    envs, listing = world.envs, world.root / "listing"
    envs.mkdir()
    env = env_of(world)
    # How much a complete environment takes, in 4 KiB pages, so the faults land at the
    # first page, halfway and at the very last write (pyrun's own files, after venv).
    # (No bytecode: the environment's Python compiles pyrun's guard hook at its first
    # start, after creation, and that page would count as the environment's.)
    nopyc = {"PYTHONDONTWRITEBYTECODE": "1"}
    measure = ["sh", "-c", 'python -c "$1" && df -Pk "$2" >&2', "sh", PREFIX, str(envs)]
    done = world.run(on_full_tmpfs(envs, "1m", measure, listing), check=True, env=nopyc)
    used_kib = int(done.stderr.splitlines()[-1].split()[2])
    assert f"f {env.name}/{COMPLETE_MARKER}" in left_in(listing)
    shutil.rmtree(world.data / "by-path")  # it names the environment that went with the mount
    pages = used_kib // 4
    assert pages >= 3, done.stderr
    for size, argv in (
        (4, ["python", "-c", PREFIX]),
        (pages // 2, ["pip", "install", "pyrun_probe"]),
        (pages - 1, ["python3", "-c", PREFIX]),
    ):
        done = world.run(on_full_tmpfs(envs, f"{size * 4}k", argv, listing), env=nopyc)
        assert one_line(done) == (
            f"pyrun: cannot create the isolated environment at {env}: no space left on "
            "device; free some space there, or set PYRUN_DATA_DIR to a directory on "
            "another disk"
        ), f"{size} pages"
        assert left_in(listing) == [], f"{size} pages: left {left_in(listing)}"
        assert not records_in(world.data), f"{size} pages"
    # Lifted: the next call makes the environment on the real disk.
    done = world.run(["python", "-c", PREFIX], check=True)
    assert done.stdout.strip() == str(env) and (env / COMPLETE_MARKER).is_file()

    # Only the record cannot be written (by-path full): it runs, and says so.
    shutil.rmtree(world.data / "by-path")
    (world.data / "by-path").mkdir()
    fill = 'head -c 4096 /dev/zero >"$dir/filler"'
    done = world.run(
        on_full_tmpfs(world.data / "by-path", "4k", ["python", "-c", PREFIX], listing, fill)
    )
    assert done.returncode == 0 and done.stdout.strip() == str(env), done.stderr
    record = world.data / "by-path" / str(world.base.bin / "python3").lstrip("/")
    assert done.stderr.splitlines() == [
        f"pyrun: cannot write the record {record}: no space left on device; free some "
        "space there, or set PYRUN_DATA_DIR to a directory on another disk (it runs "
        "meanwhile, without the fast path)"
    ]
    assert [p for p in left_in(listing) if not p.startswith("d ")] == ["f filler"]


def test_a_full_disk_for_the_shared_pip_copy(world: World) -> None:
    need_tmpfs(world.root / "probe")
    data, listing = world.data, world.root / "listing"
    seed = world.root / "shims-seed"
    shutil.copytree(world.shims, seed, symlinks=True)
    prepare = f'cp -a {seed} "$dir/shims"'
    version = os.readlink(data / "pip" / "py3.11")  # the copy Python 3.11 runs
    for argv in (["python", "-c", PREFIX], ["pip", "install", "pyrun_probe"]):
        done = world.run(on_full_tmpfs(data, "2m", argv, listing, prepare))
        assert one_line(done) == (
            f"pyrun: cannot copy pip to {data / 'pip' / version}: no space left on device; "
            "free some space there, or set PYRUN_DATA_DIR to a directory on another disk"
        )
        left = [p for p in left_in(listing) if not p[2:].startswith("shims")]
        # Empty envs/, pip/ and locks/ with its lock files may stay; nothing else.
        assert sorted(p for p in left if not p.startswith("f locks/")) == [
            "d envs",
            "d locks",
            "d pip",
        ], left
    # Lifted, and with no copy yet: the next call copies pip and works.
    shutil.rmtree(data / "pip")
    world.run(["pip", "install", "pyrun_probe"], check=True)
    done = world.run(["python", "-c", "import pyrun_probe"], check=True)
    assert (data / "pip" / version / COMPLETE_MARKER).is_file()
    assert done.stderr == ""


# -- B: unreadable ancestors and a deleted working directory -----------------------------


@dataclasses.dataclass
class Through(World):
    """The same world with every command rewritten by `through` (a namespace, a deleted
    working directory), so tests/test_agreement.py's checks run unchanged."""

    through: Callable[[list[str], Path], tuple[list[str], Path]] | None = None

    def run(  # type: ignore[override]
        self,
        argv: list[str] | str,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        input: bytes | None = None,
        check: bool = False,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        if isinstance(argv, str):
            argv = ["bash", "--norc", "--noprofile", "-c", argv]
        where = Path(cwd or self.root)
        if self.through is not None:
            argv, where = self.through(argv, where)
        return super().run(argv, cwd=where, env=env, input=input, check=check, timeout=timeout)


def through(world: World, how: Callable[[list[str], Path], tuple[list[str], Path]]) -> World:
    fields = {f.name: getattr(world, f.name) for f in dataclasses.fields(World)}
    return Through(**fields, through=how)


def agree(s: Setup, label: str, cwd: Path, names: tuple[str, ...], **env: str | None) -> str:
    """Each shim runs what `pyrun which` says (no traceback on either side); returns the
    resolver's program for the first name."""
    base = {
        "PATH": os.pathsep.join([str(s.world.shims), str(s.world.base.bin)]),
        "PWD": str(cwd),
        "VIRTUAL_ENV": None,
        "CONDA_PREFIX": None,
        "CONDA_DEFAULT_ENV": None,
        "_CONDA_ROOT": None,
    }
    sits = [Situation(f"{label} [{s.flavour}]", n, cwd, {**base, **env}) for n in names]
    answers = [ask_resolver(s, sit) for sit in sits]
    problems = [p for sit, answer in zip(sits, answers) for p in check(s, sit, answer)]
    assert not problems, "\n".join(problems)
    assert answers[0].argv, answers[0]
    return answers[0].argv[0]


@pytest.mark.parametrize("shim_flavour", SHIM_FLAVOURS)
def test_unreadable_ancestors_and_a_deleted_cwd(world: World, shim_flavour: str) -> None:
    need_permissions()
    b312 = need_minor(world.bases, "3.12")
    assert b312 is not None
    root = world.root / "tree"
    # top/.venv (3.12) above a directory nobody may search, which holds a nearer .venv
    # (3.11) that a walk over absolute paths cannot see: both sides must see top's.
    handmade_venv(root / "top" / ".venv", b312)
    handmade_venv(root / "top" / "shut" / "proj" / ".venv", world.base)
    (root / "top" / "shut" / "proj" / "src").mkdir()
    # listable by nobody, searchable by its owner: the .venv inside is found
    handmade_venv(root / "nolist" / "proj" / ".venv", b312)
    (root / "nolist" / "proj" / "src").mkdir()
    modes = {root / "top" / "shut": 0o000, root / "nolist": 0o311}
    for directory, mode in modes.items():
        directory.chmod(mode)
    paths = Paths(data=world.data, config=world.home / ".config" / "pyrun")
    try:
        confined = through(world, lambda argv, cwd: (unprivileged(argv), cwd))
        s = Setup(confined, Lab(world.root / "lab", world.bases), paths, shim_flavour)
        cwd = root / "top" / "shut" / "proj" / "src"
        ran = agree(s, "unsearchable ancestor", cwd, ("python",))
        assert ran == str(root / "top" / ".venv" / "bin" / "python")
        cwd = root / "nolist" / "proj" / "src"
        ran = agree(s, "unlistable ancestor", cwd, ("python", "pip3"))
        assert ran == str(root / "nolist" / "proj" / ".venv" / "bin" / "python")
    finally:
        for directory in modes:
            directory.chmod(0o755)

    # A deleted working directory (tests/test_environments.py runs python from one for
    # steps 1, 2 and 4, with the default shim): the .venv above it is not seen, by
    # either side, for python, pip and a version; VIRTUAL_ENV still counts. (Not pip in
    # a pip-less VIRTUAL_ENV: the shared copy runs as a directory, and pip's own
    # __main__.py calls os.getcwd(), which fails there as `python -m pip` does.)
    gone = root / "top" / "gone"
    count = itertools.count()

    def from_deleted_cwd(argv: list[str], cwd: Path) -> tuple[list[str], Path]:
        fresh = gone / str(next(count))
        fresh.mkdir(parents=True)
        script = 'cd "$1" && "$2" "$1" && shift 2 && exec "$@"'  # PATH has no rmdir
        rmdir = shutil.which("rmdir") or "rmdir"
        return ["/bin/sh", "-c", script, "sh", str(fresh), rmdir, *argv], world.root

    s = Setup(
        through(world, from_deleted_cwd), Lab(world.root / "lab", world.bases), paths, shim_flavour
    )
    ran = agree(s, "deleted cwd", gone, ("python3.11", "pip"))
    assert ran.startswith(f"{world.envs}/"), ran
    active = root / "top" / ".venv"
    ran = agree(s, "deleted cwd, VIRTUAL_ENV", gone, ("python",), VIRTUAL_ENV=str(active))
    assert ran == str(active / "bin" / "python")


# -- C: pyrun's own directories writable by others ---------------------------------------


def test_unsafe_data_or_shims_directory_is_refused(world: World) -> None:
    for directory, bits, who in (
        (world.data, stat.S_IWGRP, "its group"),
        (world.data, stat.S_IWOTH, "others"),
        (world.shims, stat.S_IWGRP | stat.S_IWOTH, "its group and others"),
    ):
        mode = stat.S_IMODE(directory.stat().st_mode)
        gid = directory.stat().st_gid
        directory.chmod(mode | bits)
        os.chown(directory, -1, 4242)  # a group /etc/group does not have (not private)
        try:
            expected = (
                f"pyrun: refusing to use {directory}: it is writable by {who}, so someone "
                f"else could choose what `python` and `pip` run; fix it with "
                f"`chmod go-w {directory}`"
            )
            for argv in (
                [PYRUN, "rehash"],
                [PYRUN, "which", "python"],
                [str(world.shims / "python"), "-c", "print('ran')"],  # no record: slow path
                [str(world.shims / "pip"), "install", "pyrun_probe"],
            ):
                done = world.run(argv)
                assert one_line(done) == expected, argv
                assert done.stdout == "", argv
            done = world.run([PYRUN, "hook", "bash"])
            assert one_line(done) == expected
            assert done.stdout == "# pyrun: the hook was not loaded; the reason is on stderr\n"
            # In the rc file: the shell goes on, without the hook.
            rc = f'eval "$({PYRUN} hook bash)"; echo "status $?"; type -t _pyrun_hook || echo none'
            done = world.run(rc)
            assert done.stdout.split() == ["status", "0", "none"], done
            assert done.stderr.splitlines() == [expected]
        finally:
            directory.chmod(mode)
            os.chown(directory, -1, gid)
        assert not world.envs.exists() and not records_in(world.data)
    world.run(["python", "-c", PREFIX], check=True)  # safe again: it works


def test_pyrun_makes_its_directories_private_whatever_the_umask(world: World) -> None:
    home = world.root / "umask-home"
    share = home / ".local" / "share"
    share.mkdir(parents=True, mode=0o775)
    share.chmod(0o775)  # the user's own, already there: left alone
    env = {"HOME": str(home), "XDG_DATA_HOME": str(share), "PYRUN_SHIM": "sh"}
    world.run(f"umask 002 && {PYRUN} rehash -q", env=env, check=True)
    data = share / "pyrun"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "shims").stat().st_mode) == 0o755
    assert stat.S_IMODE(share.stat().st_mode) == 0o775
    done = world.run(f"umask 002 && {PYRUN} hook bash", env=env)
    assert done.returncode == 0 and "_pyrun_hook" in done.stdout, done.stderr
    done = world.run(f"umask 002 && {PYRUN} which python", env=env, check=True)
    assert done.stdout.startswith(str(data / "envs"))
