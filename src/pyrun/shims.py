"""Generating the shims, kept in step with PATH.

Like pyenv's rehash: regenerated under a lock, each file replaced atomically, extras
pruned. Like mise: a stamp in the shims directory records what they were made from
(pyrun version, sources, interpreter running pyrun, names, a digest of the config
file's values baked into them), so the hook can tell in one comparison whether they
are stale.

Each name is either a link to one compiled binary (shims/shim.c, built by compiled.py
when a C compiler works) or the shell template shims/shim.sh stamped with its values;
both walk the same order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence

from pyrun import __version__, compiled, config, pipshare, resources
from pyrun.environment import is_pyrun_shim, samefile
from pyrun.errors import PyrunError, disk_error
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.request import Request

BASE_NAMES = ("python", "python3", "pip", "pip3")
STAMP = ".pyrun-shims.json"
_MINOR_NAME = re.compile(r"^python(3\.[0-9]{1,2})$")


def sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def minor_versions_on_path(paths: Paths, path_value: str | None = None) -> list[str]:
    """Every ``python3.X`` name found on PATH (the shims directory itself skipped)."""
    found: set[str] = set()
    value = os.environ.get("PATH", "") if path_value is None else path_value
    for entry in value.split(os.pathsep):
        if not entry.startswith("/") or samefile(entry, paths.shims):
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            match = _MINOR_NAME.match(name)
            if match and os.access(os.path.join(entry, name), os.X_OK):
                found.add(match.group(1))
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")))


def wanted_names(paths: Paths, path_value: str | None = None) -> list[str]:
    names = list(BASE_NAMES)
    for minor in minor_versions_on_path(paths, path_value):
        names += [f"python{minor}", f"pip{minor}"]
    return names


def render(
    name: str,
    paths: Paths,
    pyrun_python: str,
    trust: Sequence[str] = (),
    site: bool = False,
) -> str:
    """shim.sh for `name`, with the config file's trust list and system_site_packages
    baked in (the shim reads PYRUN_TRUST and PYRUN_SYSTEM_SITE_PACKAGES itself)."""
    request = Request.parse(name)
    values = {
        "__PYRUN_NAME__": name,
        "__PYRUN_KIND__": request.kind,
        "__PYRUN_MINOR__": request.minor or "",
        "__PYRUN_ENV_NAMES__": " ".join(request.env_names),
        "__PYRUN_PATH_NAMES__": " ".join(request.path_names),
        "__PYRUN_SHIMS__": str(paths.shims),
        "__PYRUN_DATA__": str(paths.data),
        "__PYRUN_PYTHON__": pyrun_python,
        "__PYRUN_TRUST__": ":".join(trust),
        "__PYRUN_SITE__": "1" if site else "0",
    }
    text = resources.read_text("shims", "shim.sh")
    for placeholder, value in values.items():
        text = text.replace(placeholder, sh_quote(value))
    return text


def _stamp(paths: Paths, names: list[str], pyrun_python: str, digest: str) -> dict[str, object]:
    sources = resources.read_text("shims", "shim.sh") + resources.read_text("shims", "shim.c")
    return {
        "pyrun": __version__,
        "template": hashlib.sha256(sources.encode()).hexdigest()[:16],
        "python": pyrun_python,
        "data": str(paths.data),
        "names": names,
        "shim": compiled.choice(),
        "config": digest,  # what was baked from config.toml (config.baked_digest)
    }


def recorded_stamp(paths: Paths) -> dict[str, object] | None:
    """The stamp the last rehash wrote (with "built"), or None when there is none."""
    try:
        recorded = json.loads((paths.shims / STAMP).read_text())
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def wanted_stamp(paths: Paths, path_value: str | None = None) -> dict[str, object]:
    """The stamp a rehash would write now (without "built"): `stale_reason` and
    ``pyrun doctor`` compare it with `recorded_stamp` key by key."""
    digest = config.load(paths).baked_digest()
    return _stamp(paths, wanted_names(paths, path_value), sys.executable, digest)


def built(paths: Paths) -> str:
    """What the current shims are: "compiled", or "shell" with the reason when not."""
    recorded = recorded_stamp(paths)
    if recorded is None:
        return "none"
    return str(recorded.get("built", "unknown"))


def stale_reason(paths: Paths, path_value: str | None = None) -> str | None:
    """Why the shims need regenerating, or None when they are current."""
    recorded = recorded_stamp(paths)
    if recorded is None:
        return "no shims yet"
    wanted = wanted_stamp(paths, path_value)
    for key, value in wanted.items():
        if recorded.get(key) != value:
            return f"{key} changed"
    for name in wanted["names"]:  # type: ignore[attr-defined]
        if not os.access(paths.shims / name, os.X_OK):
            return f"shim {name} is missing"
    return None


def _build_binary(
    paths: Paths, names: list[str], pyrun_python: str, settings: config.Config
) -> str:
    """Put the compiled shim in place; return "compiled", or "shell: <why not>"."""
    choice = compiled.choice()
    if choice == "sh":
        return "shell: PYRUN_SHIM=sh"
    tmp = paths.shims / f".{compiled.BINARY}.{os.getpid()}.tmp"
    try:
        compiled.build(
            tmp,
            names,
            paths.shims,
            paths.data,
            pyrun_python,
            trust=settings.file_trust,
            site=settings.file_system_site_packages,
        )
    except compiled.BuildFailed as why:
        if choice == "c":
            raise PyrunError(
                f"PYRUN_SHIM=c, but the compiled shim cannot be built: {why}; "
                "unset PYRUN_SHIM to use the shell shims"
            ) from None
        return f"shell: {why}"
    os.replace(tmp, paths.shims / compiled.BINARY)
    return "compiled"


def _write(paths: Paths, names: list[str], pyrun_python: str, settings: config.Config) -> None:
    """Write each shim and the stamp, each replaced atomically; prune the extras."""
    kind = _build_binary(paths, names, pyrun_python, settings)
    for name in names:
        target = paths.shims / name
        tmp = paths.shims / f".{name}.{os.getpid()}.tmp"
        if kind == "compiled":
            tmp.symlink_to(compiled.BINARY)
        else:
            text = render(
                name,
                paths,
                pyrun_python,
                trust=settings.file_trust,
                site=settings.file_system_site_packages,
            )
            tmp.write_text(text)
            tmp.chmod(0o755)
        os.replace(tmp, target)
    keep = {*names, STAMP, *([compiled.BINARY] if kind == "compiled" else [])}
    for leftover in paths.shims.iterdir():
        if leftover.name not in keep and (
            is_pyrun_shim(leftover) or leftover.name.endswith(".tmp")
        ):
            leftover.unlink()
    stamp = paths.shims / STAMP
    tmp = paths.shims / f".{STAMP}.{os.getpid()}.tmp"
    digest = settings.baked_digest()
    recorded = {**_stamp(paths, names, pyrun_python, digest), "built": kind}
    tmp.write_text(json.dumps(recorded, indent=1) + "\n")
    os.replace(tmp, stamp)


def rehash(
    paths: Paths, path_value: str | None = None, names: list[str] | None = None
) -> list[str]:
    """Regenerate every shim (the names PATH calls for, unless given); return the names."""
    paths.ensure_safe()  # shims written where others can write would not stay ours
    settings = config.load(paths)  # a bad config file stops here, before anything changes
    names = names or wanted_names(paths, path_value)
    pyrun_python = sys.executable
    paths.make(paths.shims)
    paths.make(paths.locks)
    with exclusive(paths.locks / "rehash.lock", "regenerating shims"):
        try:
            _write(paths, names, pyrun_python, settings)
        except OSError as exc:
            # A full or read-only disk: the shims already in place stay (each is replaced
            # atomically), and no temporary file is left to look like one.
            for leftover in paths.shims.glob(f".*.{os.getpid()}.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            raise disk_error(f"write the shims in {paths.shims}", exc) from None
    pipshare.ensure(paths)  # so the first pip-less environment does not pay for the copy
    return names


def ensure_current(paths: Paths, path_value: str | None = None) -> str | None:
    """Rehash when stale; return why it was needed, or None."""
    reason = stale_reason(paths, path_value)
    if reason is not None:
        rehash(paths, path_value)
    return reason
