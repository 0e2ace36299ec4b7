"""``pyrun rehash``: regenerate the shims for the Python versions now on PATH and the
console scripts of the environments; ``--scripts`` only the latter (the pip guard runs
it after an install or uninstall, shims.rehash_scripts), ``--env PREFIX`` registering
an environment that is not pyrun's own first (shims.script_envs); ``--pip PYTHON`` only
the shared copy of pip for that interpreter's minor version (pipshare.PIP_RUNNER runs it
for a Python it has no copy for yet)."""

from __future__ import annotations

from pyrun import compiled, pipshare, shims
from pyrun.errors import PyrunError
from pyrun.interpreter import QueryFailed, query
from pyrun.paths import Paths


def run(quiet: bool, scripts: bool = False, env: str | None = None, pip: str | None = None) -> int:
    paths = Paths.from_env()
    if pip is not None:
        return _pip_for(paths, pip, quiet)
    names = shims.rehash_scripts(paths, env) if scripts else shims.rehash(paths, env=env)
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
