"""Where pyrun keeps its state, computed once and passed down.

Everything else asks a `Paths` object instead of calling platformdirs or reading
environment variables itself, so a test moves the whole world by setting ``HOME``,
``XDG_*`` or ``PYRUN_DATA_DIR`` and nothing has to be patched.

Layout under the data directory (0o700, the shims directory 0o755, whatever the umask)::

    shims/               generated shims, first on PATH
    envs/<key>/          one cached isolated environment per base interpreter
    by-path/<abs path>   symlink from a base interpreter's path to its env (fast-path index)
    by-path-site/...     the same, while system_site_packages is on (config.py)
    pip/<version>/       one shared copy of pip that pip-less environments run
    locks/               creation locks
    saved/<key>.json     package lists of environments `pyrun gc` removed (for repair)
    cache/versions/...   the environment a base interpreter without a record will get
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from pyrun import ownership
from pyrun.errors import PyrunError, disk_error

APP = "pyrun"
DATA_MODE = 0o700  # nobody else needs pyrun's environments and records
SHIMS_MODE = 0o755  # read and run through PATH; written by nobody but you


@dataclass(frozen=True)
class Paths:
    data: Path
    config: Path
    # The system_site_packages setting (config.py): isolated environments that see the
    # base's site-packages are other environments, with records of their own, so one
    # made without it is never reused with it (or the other way round).
    site: bool = False

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
        return self.data / ("by-path-site" if self.site else "by-path")

    @property
    def indexes(self) -> tuple[Path, Path]:
        """Both record directories, whatever `site` is: what gc and list must see."""
        return self.data / "by-path", self.data / "by-path-site"

    @property
    def pip(self) -> Path:
        return self.data / "pip"

    @property
    def locks(self) -> Path:
        return self.data / "locks"

    @property
    def saved(self) -> Path:
        return self.data / "saved"

    def make(self, directory: Path) -> Path:
        """Create `directory` (the data directory or one inside it) and return it.

        The data directory gets 0o700 and the shims directory 0o755 whatever the umask:
        a umask 002 user would otherwise get a group-writable directory that `unsafe`
        then refuses. Only directories made here are changed; a parent that was there
        already (``~/.local/share``) is left as it is. A failure is one line naming the
        directory and the fix.
        """
        if directory.is_dir():
            return directory
        try:
            _make_exactly(self.data, DATA_MODE)
            if directory == self.shims:
                _make_exactly(directory, SHIMS_MODE)
            else:
                directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise disk_error(f"create the directory {directory}", exc) from None
        return directory

    def unsafe(self, *, close: bool = True) -> str | None:
        """Why pyrun must not use its data or shims directory, as one line, or None.

        Whoever can write there chooses what every shim runs (a record, an environment,
        the shims themselves), so the rule for a found `.venv` applies (ownership.py),
        without the sticky-bit exception: these are pyrun's own directories; and so
        does the rule for the directories above a `.venv` (whoever can rename one of
        them can put a data directory of their own under the path). The data directory
        is also closed to others (`closed`): what is inside it is then nobody else's to
        change, however its own modes end up. `close=False` (doctor) only looks.
        """
        problem = self._writable() or self._above()
        if problem is None and close:
            problem = self._closed()
        return problem

    def _writable(self) -> str | None:
        for directory in (self.data, self.shims):
            reason = ownership.unsafe_reason(str(directory))
            if reason is None:
                continue
            said = f"{directory} "
            detail = "it " + reason[len(said) :] if reason.startswith(said) else reason
            try:
                yours = os.stat(directory).st_uid in (os.geteuid(), 0)
            except OSError:
                yours = True
            fix = (
                f"fix it with `chmod go-w {shlex.quote(str(directory))}`"
                if yours
                else "set PYRUN_DATA_DIR to a directory of your own"
            )
            return (
                f"refusing to use {directory}: {detail}, so someone else could choose what "
                f"`python` and `pip` run; {fix}"
            )
        return None

    def _above(self) -> str | None:
        found = ownership.unsafe_above(os.path.realpath(self.data))
        if found is None:
            return None
        directory, reason = found
        try:
            yours = os.stat(directory).st_uid == os.geteuid()
        except OSError:
            yours = False
        fix = (
            f"fix it with `chmod go-w {shlex.quote(directory)}`"
            if yours
            else "set PYRUN_DATA_DIR to a directory below folders only you can write to"
        )
        return f"refusing to use {self.data}: {reason}; {fix}"

    def _closed(self) -> str | None:
        """Close a data directory others may go into (a 0755 one an older pyrun or the
        user made), once nothing inside is someone else's or writable by them; else
        refuse, since someone else may have put a program of theirs in. pyrun makes it
        0700, so this runs once at most."""
        quoted = shlex.quote(str(self.data))
        try:
            reason = ownership.close(str(self.data))
        except OSError as exc:
            return (
                f"refusing to use {self.data}: others can go into it and pyrun could not "
                f"close it ({exc.strerror}); fix it with `chmod 700 {quoted}`"
            )
        if reason is None:
            return None
        return (
            f"refusing to use {self.data}: {reason}, so someone else may have changed "
            f"what `python` and `pip` run; remove it (`rm -rf {quoted}`) and run `pyrun rehash`"
        )

    def ensure_safe(self) -> None:
        """Raise the one-line refusal when `unsafe` has a reason."""
        problem = self.unsafe()
        if problem is not None:
            raise PyrunError(problem)

    def version_note_for(self, candidate: str) -> Path:
        """Where the hooks' question remembers which isolated environment a base
        interpreter without a record will get (answer.py), built like `record_for`."""
        return Path(str(self.data / "cache" / "versions") + candidate)

    def record_for(self, candidate: str) -> Path:
        """The fast-path index entry for a base interpreter found at `candidate`.

        The shim builds the same path by plain string concatenation, so this must not
        normalise anything: ``$data/by-path`` + the candidate's absolute path.
        """
        return Path(str(self.by_path) + candidate)


def _make_exactly(directory: Path, mode: int) -> None:
    """mkdir -p, with `directory` itself getting exactly `mode` when it is made here
    (mkdir's mode is filtered by the umask, so it is set again after). The parents it
    makes (``~/.local/share``) are writable by nobody else, whatever the umask: under
    umask 002 and a group shared with others, they could rename the data directory out
    of one (`unsafe`)."""
    umask = os.umask(0o077)
    os.umask(umask | 0o022)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(umask)
    try:
        directory.mkdir(mode=mode)
    except FileExistsError:
        return
    os.chmod(directory, mode)
