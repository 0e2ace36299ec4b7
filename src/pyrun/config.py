"""The user's settings: ``config.toml`` in the platformdirs config directory, then
``PYRUN_*`` variables, each value carrying where it came from.

Why both: the file is what a user sets once; a variable is what a script, a CI job or
one command sets for itself, so a variable wins over the file. ``trust`` is the one
list: the file's entries and ``PYRUN_TRUST``'s are both used (like git's multi-valued
``safe.directory``), since a variable that silently dropped the file's entries would
make a trusted directory untrusted for one command.

Why validation is strict: a misspelt key that is ignored is a setting the user
believes in and does not have. An unknown key, a wrong type or a bad value is one
line naming the file (or the variable), the key and the fix, and every command that
loads the settings stops on it (``python`` through a shim's slow path included).

The shims and the hooks cannot read TOML: ``pyrun rehash`` bakes the file's ``trust``
and ``system_site_packages`` into the shims, and ``pyrun hook`` bakes ``trust``,
``prompt`` and ``prompt_format`` into the hook; both read the ``PYRUN_*`` variables
live. The shims' stamp holds a digest of what was baked (`baked_digest`), so the next
``pyrun hook`` (a new shell) or ``pyrun rehash`` regenerates them after an edit.

TOML: ``tomllib`` from Python 3.11; before that ``tomli``, the same parser published
on PyPI (tomllib is tomli taken into the standard library), a dependency only there.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyrun.errors import PyrunError
from pyrun.paths import Paths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

FILE_NAME = "config.toml"
# The most config.toml may hold: a few settings need a few hundred bytes.
MAX_FILE_BYTES = 64 * 1024
NAME_FIELD = "{name}"
DEFAULT_PROMPT_FORMAT = "({name}) "

# name: (variable, kind, default, what it does)
SETTINGS: dict[str, tuple[str, str, object, str]] = {
    "prompt": ("PYRUN_PROMPT", "bool", True, "show the environment in the shell prompt"),
    "prompt_format": (
        "PYRUN_PROMPT_FORMAT",
        "format",
        DEFAULT_PROMPT_FORMAT,
        "the prompt indicator; {name} is replaced by the environment's name",
    ),
    "system_site_packages": (
        "PYRUN_SYSTEM_SITE_PACKAGES",
        "bool",
        False,
        "isolated environments see the base interpreter's site-packages",
    ),
    "trust": (
        "PYRUN_TRUST",
        "trust",
        (),
        "use these .venvs even when someone else could write to them (PATH, DIR/*, *)",
    ),
    "python_version_files": (
        "PYRUN_PYTHON_VERSION_FILES",
        "bool",
        True,
        "a .python-version file (uv's reading) picks the version python and pip ask for",
    ),
}


@dataclass(frozen=True)
class Setting:
    """One effective value and where it came from ("default", "config file <path>",
    "environment PYRUN_X", or for trust both joined with " + ")."""

    name: str
    value: Any
    source: str
    variable: str
    description: str


@dataclass(frozen=True)
class Config:
    file: Path
    settings: dict[str, Setting]
    file_values: dict[str, Any]  # only what the file sets, validated

    def __getitem__(self, name: str) -> Any:
        return self.settings[name].value

    @property
    def file_trust(self) -> tuple[str, ...]:
        """The file's trust entries only: what is baked into shims and hooks, which
        read PYRUN_TRUST themselves."""
        return tuple(self.file_values.get("trust", ()))

    @property
    def file_prompt(self) -> bool:
        return bool(self.file_values.get("prompt", True))

    @property
    def file_system_site_packages(self) -> bool:
        return bool(self.file_values.get("system_site_packages", False))

    @property
    def file_python_version_files(self) -> bool:
        return bool(self.file_values.get("python_version_files", True))

    def prompt_parts(self) -> tuple[str, str]:
        """The effective prompt_format split around ``{name}``: text before, after."""
        before, _, after = str(self["prompt_format"]).partition(NAME_FIELD)
        return before, after

    def baked_digest(self) -> str:
        """A digest of what `pyrun rehash` bakes into the shims: a change means the
        shims are stale (shims.py puts it in their stamp)."""
        baked = {
            "trust": list(self.file_trust),
            "site": self.file_system_site_packages,
            "pin": self.file_python_version_files,
        }
        return hashlib.sha256(json.dumps(baked, sort_keys=True).encode()).hexdigest()[:16]


def path(paths: Paths) -> Path:
    return paths.config / FILE_NAME


def load(paths: Paths | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The settings for `paths` (default: from the environment), or a one-line
    PyrunError for a bad file or variable."""
    env = os.environ if environ is None else environ
    paths = paths or Paths.from_env(env)
    file = path(paths)
    file_values = _read_file(file)
    settings: dict[str, Setting] = {}
    for name, (variable, kind, default, description) in SETTINGS.items():
        value: Any = default
        source = "default"
        if name in file_values:
            value, source = file_values[name], f"config file {file}"
        raw = env.get(variable)
        if kind == "trust":
            from_env = tuple(raw.split(":")) if raw else ()
            if from_env:
                value = (*from_env, *value)
                label = f"environment {variable}"
                source = label if source == "default" else f"{source} + {label}"
        elif raw is not None and raw != "":
            value, source = _from_variable(variable, kind, raw), f"environment {variable}"
        settings[name] = Setting(name, value, source, variable, description)
    return Config(file, settings, file_values)


def _read_file(file: Path) -> dict[str, Any]:
    try:
        text = _read_small(file).decode("utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise PyrunError(f"cannot read {file}: {exc}; fix or remove the file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PyrunError(f"cannot read {file}: {reason}; fix or remove the file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PyrunError(f"{file} is not valid TOML: {exc}; fix or remove the file") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SETTINGS:
            known = ", ".join(SETTINGS)
            raise PyrunError(
                f"{file}: unknown setting {key!r}; remove it (the settings are: {known})"
            )
        values[key] = _from_file(file, key, SETTINGS[key][1], value)
    return values


def _read_small(file: Path) -> bytes:
    """The file's bytes, when it is a regular file of at most MAX_FILE_BYTES; else a
    one-line PyrunError. Opened without blocking and checked on the opened descriptor,
    so a FIFO put there (nobody writing) or a huge sparse file costs nothing: every
    command, `python`'s slow path included, loads the settings."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise PyrunError(
                f"{file} is not a regular file; remove it or make it a regular file "
                "(the settings, in TOML)"
            )
        # One byte more than the limit: a file that grew since fstat is refused too.
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left) if st.st_size <= MAX_FILE_BYTES else b""
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if st.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise PyrunError(
                f"{file} is larger than {MAX_FILE_BYTES // 1024} KiB, which no settings "
                "file needs; remove it or write only the settings there"
            )
        return data
    finally:
        os.close(fd)


def _from_file(file: Path, key: str, kind: str, value: object) -> object:
    where = f"{file}: {key}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise PyrunError(f"{where} must be true or false, not {value!r}; write {key} = true")
        return value
    if kind == "format":
        if not isinstance(value, str):
            raise PyrunError(f'{where} must be a string; write {key} = "({{name}}) "')
        return _check_format(where, value)
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise PyrunError(f'{where} must be a list of strings; write {key} = ["/srv/shared/*"]')
    for entry in value:
        problem = _trust_entry_problem(entry)
        if problem:
            raise PyrunError(f"{where} entry {entry!r} {problem}")
    return tuple(value)


def _from_variable(variable: str, kind: str, raw: str) -> object:
    if kind == "bool":
        if raw not in ("0", "1"):
            raise PyrunError(
                f"{variable}={raw!r} must be 0 or 1; set it to one of them or unset it"
            )
        return raw == "1"
    return _check_format(variable, raw)


def _check_format(where: str, value: str) -> str:
    """A prompt format holds `{name}` once and no other braces or control characters:
    it is pasted into four shells' prompts as literal text, never evaluated."""
    rest = value.replace(NAME_FIELD, "", 1)
    if NAME_FIELD not in value or "{" in rest or "}" in rest:
        raise PyrunError(
            f"{where} {value!r} must contain {{name}} exactly once and no other braces; "
            f'write "({{name}}) "'
        )
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value):
        raise PyrunError(f"{where} {value!r} must not contain control characters; remove them")
    return value


def _trust_entry_problem(entry: str) -> str | None:
    """Why a trust entry from the file cannot be used (the shims, hooks and resolver
    all read it as PYRUN_TRUST's entries are read), or None."""
    if ":" in entry:
        return "contains ':', which separates PYRUN_TRUST entries; list it as two entries"
    if entry != "*" and not entry.startswith("/"):
        return "is not an absolute path, DIR/* or *; write its absolute path"
    return None
