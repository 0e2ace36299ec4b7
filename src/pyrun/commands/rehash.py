"""``pyrun rehash``: regenerate the shims for the Python versions now on PATH and the
console scripts of the environments; ``--scripts`` only the latter (the pip guard runs
it after an install or uninstall, shims.rehash_scripts), ``--env PREFIX`` registering
an environment that is not pyrun's own first (shims.script_envs); ``--pip PYTHON`` only
the shared copy of pip for that interpreter's minor version (pipshare.PIP_RUNNER runs it
for a Python it has no copy for yet). ``--added PATH`` (the pip guard passes each
program an install added to an environment's bin/) says in one line, on stderr and
even with ``-q``, which of them get no shim because of their name (shadowing.py).
``--found NAME`` is the shells' command-not-found handlers asking about a command they
did not find (shims.first_use): exit 0 when NAME now has a shim, to run; 1, changing
nothing, when it is no console script pyrun would run here."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pyrun import compiled, pipshare, shadowing, shims
from pyrun.environment import is_pyrun_shim
from pyrun.errors import PyrunError
from pyrun.interpreter import QueryFailed, query
from pyrun.paths import Paths
from pyrun.request import Request


def run(
    quiet: bool,
    scripts: bool = False,
    env: str | None = None,
    pip: str | None = None,
    added: Sequence[str] = (),
    found: str | None = None,
) -> int:
    paths = Paths.from_env()
    if found is not None:
        return _first_use(paths, found)
    if pip is not None:
        return _pip_for(paths, pip, quiet)
    names = shims.rehash_scripts(paths, env) if scripts else shims.rehash(paths, env=env)
    if added:
        _say_withheld(paths, added)
    if not quiet:
        print(f"pyrun: {len(names)} shims in {paths.shims}: {' '.join(names)}")
        kind = shims.built(paths)
        if kind == compiled.KIND:
            print("pyrun: compiled shims (a C compiler built shims/shim.c)")
        elif kind == compiled.LIBC_KIND:
            print("pyrun: compiled shims over the C library (PYRUN_SHIM=c-libc)")
        else:
            why = kind.removeprefix("shell: ")
            hint = ""
            if why.startswith("no C compiler"):
                hint = (
                    f"; {compiled.SPEED}: install a C compiler (Debian: apt install gcc) "
                    "and run `pyrun rehash`"
                )
            elif not why.startswith("PYRUN_SHIM=sh"):
                hint = f"; {compiled.SPEED}"
            print(f"pyrun: shell shims ({why}){hint}")
    return 0


def _first_use(paths: Paths, name: str) -> int:
    """A command the shell did not find: its shim made when it is a console script of
    the environment `python` resolves to here (registered then) or of one pyrun already
    shims scripts from; exit 0 when the shim is there to run, else 1, quietly (the
    shell's handler then says "command not found" as it always does)."""
    if not shims.may_shim(name):  # a name never shimmed needs no walk
        return 1
    if os.environ.get("PYRUN_DISABLE") == "1":  # every shim passes through: none to run
        return 1
    env = shims.first_use(paths, name, _python_here(paths))
    if env is None:
        return 1
    shims.rehash_scripts(paths, env or None)
    return 0 if is_pyrun_shim(paths.shims / name) else 1


def _python_here(paths: Paths) -> Path | None:
    """The environment `python` resolves to in this directory, as `pyrun which python`
    finds it (nothing created), or None. The walk is imported here: a name `may_shim`
    refuses never needs it."""
    from pyrun.discovery import resolve

    try:
        resolution = resolve(Request.parse("python"), paths, create=False)
    except PyrunError:
        return None
    return resolution.environment


def _pip_for(paths: Paths, python: str, quiet: bool) -> int:
    """The shared pip for `python`'s minor version, made when missing (the newest found
    offline that runs on it); a Python none runs on is one line naming the fix."""
    paths.ensure_safe()
    try:
        interp = query(python, paths)
    except QueryFailed as exc:
        raise PyrunError(f"cannot copy pip for {python}: {exc}") from None
    shared = pipshare.ensure_for(paths, interp.minor, interp.version, interp.base_executable)
    if not quiet:
        print(f"pyrun: Python {interp.minor} runs pip {shared.version} ({shared.root})")
    return 0


def _say_withheld(paths: Paths, added: Sequence[str]) -> None:
    """One line for the programs pip just added that got no shim because of their name
    (``pyrun: no shim for ls (a system command has that name); run it as ...``)."""
    wanted = {_where(path) for path in added}
    withheld: dict[str, list[str]] = {}
    for name, (_reason, programs) in shims.withheld_scripts(paths).items():
        mine = [program for program in programs if _where(program) in wanted]
        if mine:
            withheld[name] = mine
    if withheld:
        print(f"pyrun: {shadowing.describe(withheld)}", file=sys.stderr)


def _where(program: str) -> str:
    """A program's path with its directory resolved (the program itself not followed),
    so a data directory reached through a symlink still compares equal."""
    absolute = os.path.abspath(program)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
