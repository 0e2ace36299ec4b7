"""The cached isolated environment that stands in for a base interpreter.

One per base interpreter, keyed by exactly what shapes it: the implementation, the
minor version and the real path of the interpreter binary (hashed, so two paths never
collide the way a joined string can). A venv is not relocatable, so it is built in
place, under a lock, and the ``.pyrun-complete`` marker is written last: a directory
without it is a leftover of a killed creation and is rebuilt, never used.

Speed: ``python -m venv`` spends seconds installing pip. Here the venv is made
``--without-pip`` and pip comes from the shared copy made for its Python's minor version
(pipshare), linked in by a ``.pth`` line and small pip scripts (envpip), so the first use
costs one short interpreter start.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pyrun import __version__, envguard, envpip, pipshare
from pyrun.errors import DISK_ERRNOS, PyrunError, disk_error
from pyrun.interpreter import Interpreter
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.records import COMPLETE_MARKER

SITE_SUFFIX = "-site"  # the environments made with --system-site-packages


def env_key(interp: Interpreter) -> str:
    digest = hashlib.sha256(interp.base_executable.encode("utf-8", "surrogateescape"))
    return f"{interp.implementation}-{interp.minor}-{digest.hexdigest()[:12]}"


def env_dir(paths: Paths, interp: Interpreter) -> Path:
    """Where `interp`'s isolated environment lives; with system_site_packages on
    (``paths.site``) a different one, made with ``--system-site-packages``."""
    return paths.envs / (env_key(interp) + (SITE_SUFFIX if paths.site else ""))


def is_complete(env: Path) -> bool:
    return (env / COMPLETE_MARKER).is_file()


def ensure(paths: Paths, interp: Interpreter) -> Path:
    """The complete isolated environment for `interp`, created on first use."""
    env = env_dir(paths, interp)
    if is_complete(env):
        return env
    paths.make(paths.locks)
    with exclusive(paths.locks / f"{env.name}.lock", f"creating {env}"):
        if is_complete(env):  # another shim made it while we waited
            return env
        _create(paths, interp, env)
    return env


def _create(paths: Paths, interp: Interpreter, env: Path) -> None:
    """Build `env` under the caller's lock; on any failure remove what was made.

    The marker is written last, so a failure never leaves it; removing the rest too
    means nothing half-made stays behind to be mistaken for an environment (the next
    call would rebuild it anyway). A full or read-only disk is one line naming the
    environment and the way out, not a traceback or venv's own "Error: [Errno 28]".
    """
    if sys.stderr.isatty():
        print(
            f"pyrun: creating the isolated environment for Python {interp.version} "
            f"({interp.base_executable}) at {env}",
            file=sys.stderr,
        )
    try:
        _build(paths, interp, env)
    except BaseException as exc:
        shutil.rmtree(env, ignore_errors=True)
        if isinstance(exc, OSError):
            raise disk_error(f"create the isolated environment at {env}", exc) from None
        raise


_VENV_ERRNO = re.compile(r"\[Errno (\d+)\] ([^:]+)(?:: '(.*)')?$")


def _build(paths: Paths, interp: Interpreter, env: Path) -> None:
    started = time.monotonic()
    if os.path.lexists(env):
        shutil.rmtree(env)  # a leftover without its marker: never trusted
    paths.make(paths.envs)
    # The pip this Python runs. When no pip found offline runs on it, the environment is
    # made without one: `python` works, and `pip` says in one line what to install (the
    # shared pip's runner asks pyrun again); `pyrun rehash` adds pip once one fits.
    try:
        shared: pipshare.SharedPip | None = pipshare.ensure_for(
            paths, interp.minor, interp.version, interp.base_executable
        )
    except pipshare.NoPip:
        shared = None
    command = [interp.base_executable, "-I", "-m", "venv", "--symlinks", "--without-pip"]
    if paths.site:
        command.append("--system-site-packages")
    command += ["--prompt", f"pyrun {interp.minor}", str(env)]
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        env={**os.environ, "PYRUN_DISABLE": "1"},
    )
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        last = detail[-1] if detail else "venv failed"
        said = _VENV_ERRNO.search(last)
        if said and int(said[1]) in DISK_ERRNOS:  # the disk, not the venv module
            raise OSError(int(said[1]), said[2], said[3])
        raise PyrunError(
            f"could not create the isolated environment at {env} from "
            f"{interp.base_executable}: {last}; "
            "check that the interpreter has a working venv module "
            "(on Debian: apt install python3-venv)"
        )
    if shared is not None:
        envpip.link(env, interp.minor, shared.root)
    else:
        pipshare.ensure_runner(paths)  # the guard's home, for a pip ensurepip may add
    # Whatever pip runs here later (the shared copy, `pip install -U pip`, ensurepip's)
    # loads pyrun's install guard: the environment imports it at start (envguard.py).
    envguard.add(env, pipshare.runner_guard(paths))
    marker = {
        "base": interp.base_executable,
        "found_at": interp.found_at,
        "version": interp.version,
        "implementation": interp.implementation,
        "created": time.time(),
        "seconds": round(time.monotonic() - started, 3),
        "pip": envpip.NO_PIP if shared is None else "shared",
        "system_site_packages": paths.site,
        "pyrun": __version__,
    }
    tmp = env / f".{COMPLETE_MARKER}.tmp"
    tmp.write_text(json.dumps(marker, indent=1) + "\n")
    os.replace(tmp, env / COMPLETE_MARKER)
