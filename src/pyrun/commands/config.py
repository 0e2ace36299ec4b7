"""``pyrun config [path] [--json]``: each setting's effective value and where it came
from, so a user can tell a default from their file from a variable in their shell
(pyrun/config.py has the settings and why they are read the way they are)."""

from __future__ import annotations

import json

from pyrun import config, shims
from pyrun.paths import Paths


def _toml(value: object) -> str:
    """A value spelled as it would be written in config.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(json.dumps(entry) for entry in value) + "]"
    return json.dumps(value)


def run(what: str | None, as_json: bool) -> int:
    paths = Paths.from_env()
    if what == "path":
        print(config.path(paths))
        return 0
    settings = config.load(paths)
    recorded = shims.recorded_stamp(paths)
    stale = recorded is not None and recorded.get("config") != settings.baked_digest()
    if as_json:
        print(
            json.dumps(
                {
                    "file": str(settings.file),
                    "file_exists": settings.file.is_file(),
                    "shims_current": not stale,
                    "settings": {
                        s.name: {
                            "value": list(s.value) if isinstance(s.value, tuple) else s.value,
                            "source": s.source,
                            "variable": s.variable,
                        }
                        for s in settings.settings.values()
                    },
                },
                indent=2,
            )
        )
        return 0
    exists = (
        "" if settings.file.is_file() else " (not there: every value is a default or a variable)"
    )
    print(f"# {settings.file}{exists}")
    width = max(len(f"{s.name} = {_toml(s.value)}") for s in settings.settings.values())
    for s in settings.settings.values():
        line = f"{s.name} = {_toml(s.value)}"
        print(f"{line.ljust(width)}  # {s.source}")
    if stale:
        print("# the shims were made with other settings: run `pyrun rehash` (a new shell does)")
    return 0
