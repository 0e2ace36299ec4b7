"""Learning what a base interpreter is, by running it: slow path only.

Only interpreters the user asked pyrun to run (found on PATH or in CONDA_PREFIX) are
ever queried, and only when no current record already answers. The child gets
``PYRUN_DISABLE=1`` and a PATH without shims, so a wrapper script (a pyenv shim, say)
that itself looks up ``python`` cannot come back into pyrun.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

from pyrun.paths import Paths

_QUERY = r"""
import json, os, sys
base = sys.executable
if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
    base = getattr(sys, "_base_executable", "") or ""
    if not base or os.path.dirname(base) == os.path.dirname(sys.executable):
        base = os.path.join(sys.base_prefix, "bin", "python%d.%d" % sys.version_info[:2])
print(json.dumps({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "implementation": sys.implementation.name,
    "executable": sys.executable,
    "base_executable": os.path.realpath(base),
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
}))
"""


class QueryFailed(Exception):
    pass


@dataclass(frozen=True)
class Interpreter:
    found_at: str
    version: str
    implementation: str
    base_executable: str  # real path of the base interpreter binary

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


def query(path: str, paths: Paths, environ: dict[str, str] | None = None) -> Interpreter:
    env = dict(os.environ if environ is None else environ)
    env["PYRUN_DISABLE"] = "1"
    env["PATH"] = without_shims(env.get("PATH", ""), paths)
    try:
        out = subprocess.run(
            [path, "-I", "-c", _QUERY],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise QueryFailed(f"could not run it: {exc}") from None
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace").strip().splitlines()
        raise QueryFailed(f"exited {out.returncode}" + (f": {err[-1]}" if err else ""))
    try:
        data = json.loads(out.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise QueryFailed("did not answer like a Python 3 interpreter") from None
    if not data["version"].startswith("3."):
        raise QueryFailed(f"is Python {data['version']}, not Python 3")
    return Interpreter(
        found_at=path,
        version=data["version"],
        implementation=data["implementation"],
        base_executable=data["base_executable"],
    )


def without_shims(path_value: str, paths: Paths) -> str:
    from pyrun.environment import samefile

    return os.pathsep.join(
        entry
        for entry in path_value.split(os.pathsep)
        if not (entry and samefile(entry, paths.shims))
    )
