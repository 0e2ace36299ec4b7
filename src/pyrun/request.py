"""What a shim name asks for: a kind of program and maybe a Python minor version.

The generated shim bakes the two name lists below into itself, so this module is the
single place that says which file inside an environment each shim runs and which
interpreter names it looks for on PATH.

Three kinds: ``python`` and ``pip`` (python, python3, python3.X, pip, pip3, pip3.X),
and ``script``, a console script such as ``black`` that a package installed into one of
pyrun's isolated environments, or into another environment through pyrun's pip shim
(shims.script_envs). A script shim finds the environment exactly as
``python`` does (same order, same interpreters on PATH, the same isolated environment
for a base interpreter), then runs ``<env>/bin/<name>`` when that is an executable file;
otherwise the next ``<name>`` on PATH outside the shims directory, as pyenv's shims fall
back to the system's. Which script names get a shim is shims.script_names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^(?P<kind>python|pip)(?P<major>3(?:\.(?P<minor>[0-9]{1,2}))?)?$")
# What a console script shim may be called: a plain file name that needs no quoting in
# a shell or a C string, and none that pyrun keeps for itself or that venv writes
# (python*, pip, pip3, pip3.X, activate*, Activate.ps1, pyrun, its pyrun-resolve).
_SCRIPT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$")
_RESERVED = re.compile(
    r"^(?:python.*|pip[0-9.]*|activate.*|Activate\.ps1|deactivate|pyrun|pyrun-resolve)$"
)


class BadShimName(ValueError):
    pass


def is_script_name(name: str) -> bool:
    """Whether a file in an environment's bin/ may get a console script shim."""
    return bool(_SCRIPT.match(name)) and not _RESERVED.match(name)


@dataclass(frozen=True)
class Request:
    name: str
    kind: str  # "python", "pip" or "script"
    minor: str | None  # "3.12" for a version-specific request
    # The .python-version file that gave an unversioned name its minor version
    # (version_file.py): the version counts as the shim's own would, but the programs
    # run inside the chosen environment are still the ones the name says.
    pinned_by: str | None = None

    @classmethod
    def parse(cls, name: str) -> Request:
        """A python or pip name; anything else is BadShimName (see `script`)."""
        match = _NAME.match(name)
        if match is None:
            raise BadShimName(
                f"{name!r} is not a name pyrun shims: use python, python3, python3.X, "
                "pip, pip3 or pip3.X, or a console script installed through pyrun's pip"
            )
        minor = f"3.{match['minor']}" if match["minor"] else None
        return cls(name=name, kind=match["kind"], minor=minor)

    @classmethod
    def script(cls, name: str) -> Request:
        """A console script request (shims.script_names says which names have shims)."""
        if _NAME.match(name) or not is_script_name(name):
            raise BadShimName(f"{name!r} is not a console script name pyrun shims")
        return cls(name=name, kind="script", minor=None)

    @classmethod
    def for_shim(cls, name: str) -> Request:
        """What a shim called `name` asks for: python/pip, else a console script."""
        try:
            return cls.parse(name)
        except BadShimName:
            return cls.script(name)

    @property
    def env_names(self) -> tuple[str, ...]:
        """Files to run inside a chosen environment, first existing wins."""
        if self.kind == "script":
            return (self.name,)
        if self.kind == "python":
            if self.minor and not self.pinned_by:
                return (f"python{self.minor}",)
            return ("python3", "python") if self.name == "python3" else ("python", "python3")
        if self.minor and not self.pinned_by:
            return (f"pip{self.minor}", "pip3", "pip")
        return ("pip3", "pip") if self.name == "pip3" else ("pip", "pip3")

    @property
    def path_names(self) -> tuple[str, ...]:
        """Interpreter names looked for in each PATH directory, as uv does.

        uv searches ``python, python3`` for a default request and
        ``python3.X, python3, python`` for a version request, per directory; for a
        default request it then takes the directory's ``python3.X``, newest first
        (discovery.versioned_pythons, and the same glob in the shim). A script looks
        for the interpreter ``python`` would use.
        """
        if self.minor:
            return (f"python{self.minor}", "python3", "python")
        return ("python", "python3")

    def pinned(self, minor: str, path: str) -> Request:
        """This request asking for `minor` because the version file `path` does."""
        return Request(self.name, self.kind, minor, pinned_by=path)

    def matches_minor(self, version: str) -> bool:
        return self.minor is None or ".".join(version.split(".")[:2]) == self.minor
