"""Where pyrun keeps its state, computed once and passed down.

Everything else asks a `Paths` object instead of calling platformdirs or reading
environment variables itself, so a test moves the whole world by setting ``HOME``,
``XDG_*`` or ``PYRUN_DATA_DIR`` and nothing has to be patched.

Layout under the data directory::

    shims/               generated shims, first on PATH
    envs/<key>/          one cached isolated environment per base interpreter
    by-path/<abs path>   symlink from a base interpreter's path to its env (fast-path index)
    pip/<version>/       one shared copy of pip that pip-less environments run
    locks/               creation locks
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "pyrun"


@dataclass(frozen=True)
class Paths:
    data: Path
    config: Path

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        data = env.get("PYRUN_DATA_DIR") or platformdirs.user_data_dir(APP)
        config = env.get("PYRUN_CONFIG_DIR") or platformdirs.user_config_dir(APP)
        return cls(data=Path(os.path.abspath(data)), config=Path(os.path.abspath(config)))

    @property
    def shims(self) -> Path:
        return self.data / "shims"

    @property
    def envs(self) -> Path:
        return self.data / "envs"

    @property
    def by_path(self) -> Path:
        return self.data / "by-path"

    @property
    def pip(self) -> Path:
        return self.data / "pip"

    @property
    def locks(self) -> Path:
        return self.data / "locks"

    def record_for(self, candidate: str) -> Path:
        """The fast-path index entry for a base interpreter found at `candidate`.

        The shim builds the same path by plain string concatenation, so this must not
        normalise anything: ``$data/by-path`` + the candidate's absolute path.
        """
        return Path(str(self.by_path) + candidate)
