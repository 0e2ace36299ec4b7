"""``pyrun rehash``: regenerate the shims for the Python versions now on PATH and the
console scripts of the environments; ``--scripts`` only the latter (the pip guard runs
it after an install or uninstall, shims.rehash_scripts), ``--env PREFIX`` registering
an environment that is not pyrun's own first (shims.script_envs)."""

from __future__ import annotations

from pyrun import compiled, shims
from pyrun.paths import Paths


def run(quiet: bool, scripts: bool = False, env: str | None = None) -> int:
    paths = Paths.from_env()
    names = shims.rehash_scripts(paths, env) if scripts else shims.rehash(paths, env=env)
    if not quiet:
        print(f"pyrun: {len(names)} shims in {paths.shims}: {' '.join(names)}")
        kind = shims.built(paths)
        if kind == "compiled":
            print("pyrun: compiled shims (a C compiler built shims/shim.c)")
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
