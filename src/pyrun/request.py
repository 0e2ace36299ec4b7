"""What a shim name asks for: a kind of program and maybe a Python minor version.

The generated shim bakes the two name lists below into itself, so this module is the
single place that says which file inside an environment each shim runs and which
interpreter names it looks for on PATH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^(?P<kind>python|pip)(?P<major>3(?:\.(?P<minor>[0-9]{1,2}))?)?$")


class BadShimName(ValueError):
    pass


@dataclass(frozen=True)
class Request:
    name: str
    kind: str  # "python" or "pip"
    minor: str | None  # "3.12" for a version-specific request

    @classmethod
    def parse(cls, name: str) -> Request:
        match = _NAME.match(name)
        if match is None:
            raise BadShimName(
                f"{name!r} is not a name pyrun shims: use python, python3, python3.X, "
                "pip, pip3 or pip3.X"
            )
        minor = f"3.{match['minor']}" if match["minor"] else None
        return cls(name=name, kind=match["kind"], minor=minor)

    @property
    def env_names(self) -> tuple[str, ...]:
        """Files to run inside a chosen environment, first existing wins."""
        if self.kind == "python":
            if self.minor:
                return (f"python{self.minor}",)
            return ("python3", "python") if self.name == "python3" else ("python", "python3")
        if self.minor:
            return (f"pip{self.minor}", "pip3", "pip")
        return ("pip3", "pip") if self.name == "pip3" else ("pip", "pip3")

    @property
    def path_names(self) -> tuple[str, ...]:
        """Interpreter names looked for in each PATH directory, as uv does.

        uv searches ``python, python3`` for a default request and
        ``python3.X, python3, python`` for a version request, per directory; for a
        default request it then takes the directory's ``python3.X``, newest first
        (discovery.versioned_pythons, and the same glob in the shim).
        """
        if self.minor:
            return (f"python{self.minor}", "python3", "python")
        return ("python", "python3")

    def matches_minor(self, version: str) -> bool:
        return self.minor is None or ".".join(version.split(".")[:2]) == self.minor
