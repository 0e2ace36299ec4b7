"""Generating the shims, kept in step with PATH.

Like pyenv's rehash: regenerated under a lock, each file replaced atomically, extras
pruned. Like mise: a stamp in the shims directory records what they were made from
(pyrun version, sources, interpreter running pyrun, names, a digest of the config
file's values baked into them), so the hook can tell in one comparison whether they
are stale.

Each name is either a link to one compiled binary (shims/shim.c, built by compiled.py
when a C compiler works) or the shell template shims/shim.sh stamped with its values;
both walk the same order.

Console scripts, as pyenv's rehash shims every version's bin/: every executable in the
bin/ of pyrun's complete isolated environments whose name request.is_script_name allows
(so never python*, pip, pip3, pip3.X, activate*) gets a shim of kind "script"
(request.py). Project environments' scripts get none: run them through their
environment (``.venv/bin/black``, an activated venv) as uv would, and a name that does
have a shim runs the project environment's own copy where that is what ``python``
resolves to. The list is recomputed by every rehash (and `stale_reason` notices a change,
so the hook's start-up check does too), and right after ``pip install``/``uninstall``
in an isolated environment: the pip guard (pipguard.py) compares bin/ before and after
and then runs ``pyrun rehash --scripts`` (`rehash_scripts`), which keeps the python and
pip shims and the compiled binary as they are. The compiled binary needs no rebuild for
a new script: a name not in its table that is a link in the shims directory is a
script (shims/shim.c, `script_request`).
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
from pyrun.isolated import is_complete
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.request import BadShimName, Request, is_script_name

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


def script_names(paths: Paths) -> list[str]:
    """The console scripts in the bin/ of every complete isolated environment."""
    found: set[str] = set()
    try:
        envs = list(paths.envs.iterdir())
    except OSError:
        return []
    for env in envs:
        if not is_complete(env):
            continue
        try:
            names = os.listdir(env / "bin")
        except OSError:
            continue
        for name in names:
            path = env / "bin" / name
            if is_script_name(name) and os.path.isfile(path) and os.access(path, os.X_OK):
                found.add(name)
    return sorted(found)


def request_for(paths: Paths, name: str) -> Request:
    """What `pyrun which NAME` and `pyrun why NAME` explain: a python or pip name, or a
    console script that has (or, after a rehash, would have) a shim."""
    try:
        return Request.parse(name)
    except BadShimName as exc:
        shim = paths.shims / name
        if is_script_name(name) and (is_pyrun_shim(shim) or name in script_names(paths)):
            return Request.script(name)
        raise BadShimName(
            f"{exc}; no isolated environment has a console script called {name!r}"
        ) from None


def render(
    name: str,
    paths: Paths,
    pyrun_python: str,
    trust: Sequence[str] = (),
    site: bool = False,
    pin: bool = True,
) -> str:
    """shim.sh for `name`, with the config file's trust list, system_site_packages and
    python_version_files baked in (the shim reads the PYRUN_ variables itself)."""
    request = Request.for_shim(name)
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
        "__PYRUN_PIN__": "1" if pin else "0",
    }
    text = resources.read_text("shims", "shim.sh")
    for placeholder, value in values.items():
        text = text.replace(placeholder, sh_quote(value))
    return text


def _stamp(
    paths: Paths, names: list[str], scripts: list[str], pyrun_python: str, digest: str
) -> dict[str, object]:
    sources = resources.read_text("shims", "shim.sh") + resources.read_text("shims", "shim.c")
    return {
        "pyrun": __version__,
        "template": hashlib.sha256(sources.encode()).hexdigest()[:16],
        "python": pyrun_python,
        "data": str(paths.data),
        "names": names,
        "scripts": scripts,  # console script shims (script_names)
        "shim": compiled.choice(),
        "config": digest,  # what was baked from config.toml (config.baked_digest)
    }


# What the compiled binary and the python/pip shims are made from: while these match,
# `rehash_scripts` only adds and removes console script shims.
_BINARY_KEYS = ("pyrun", "template", "python", "data", "shim", "config")


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
    names = wanted_names(paths, path_value)
    return _stamp(paths, names, script_names(paths), sys.executable, digest)


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
    for name in [*wanted["names"], *wanted["scripts"]]:  # type: ignore[misc]
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
            pin=settings.file_python_version_files,
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


def _reusable(paths: Paths, names: list[str], pyrun_python: str, digest: str) -> str | None:
    """The recorded build ("compiled" or "shell: ...") when the shims were made from what
    they would be made from now, with these python/pip names and the binary in place."""
    recorded = recorded_stamp(paths)
    if recorded is None or recorded.get("names") != names:
        return None
    wanted = _stamp(paths, names, [], pyrun_python, digest)
    if any(recorded.get(key) != wanted[key] for key in _BINARY_KEYS):
        return None
    built = recorded.get("built")
    if built == "compiled" and os.access(paths.shims / compiled.BINARY, os.X_OK):
        return built
    if isinstance(built, str) and built.startswith("shell: "):
        return built
    return None


def _write(
    paths: Paths,
    names: list[str],
    scripts: list[str],
    pyrun_python: str,
    settings: config.Config,
    reuse: bool = False,
) -> None:
    """Write each shim and the stamp, each replaced atomically; prune the extras. With
    reuse, the compiled binary is kept when it is current (`_reusable`)."""
    kind = reuse and _reusable(paths, names, pyrun_python, settings.baked_digest())
    if not kind:
        kind = _build_binary(paths, names, pyrun_python, settings)
    for name in [*names, *scripts]:
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
                pin=settings.file_python_version_files,
            )
            tmp.write_text(text)
            tmp.chmod(0o755)
        os.replace(tmp, target)
    keep = {*names, *scripts, STAMP, *([compiled.BINARY] if kind == "compiled" else [])}
    for leftover in paths.shims.iterdir():
        if leftover.name not in keep and (
            is_pyrun_shim(leftover) or leftover.name.endswith(".tmp")
        ):
            leftover.unlink()
    stamp = paths.shims / STAMP
    tmp = paths.shims / f".{STAMP}.{os.getpid()}.tmp"
    digest = settings.baked_digest()
    recorded = {**_stamp(paths, names, scripts, pyrun_python, digest), "built": kind}
    tmp.write_text(json.dumps(recorded, indent=1) + "\n")
    os.replace(tmp, stamp)


def rehash(
    paths: Paths,
    path_value: str | None = None,
    names: list[str] | None = None,
    reuse: bool = False,
) -> list[str]:
    """Regenerate every shim (the python and pip names PATH calls for, unless given, and
    the console scripts); return the names. With reuse, a current compiled binary is
    kept instead of built again."""
    paths.ensure_safe()  # shims written where others can write would not stay ours
    settings = config.load(paths)  # a bad config file stops here, before anything changes
    names = names or wanted_names(paths, path_value)
    pyrun_python = sys.executable
    paths.make(paths.shims)
    paths.make(paths.locks)
    with exclusive(paths.locks / "rehash.lock", "regenerating shims"):
        scripts = [name for name in script_names(paths) if name not in names]
        try:
            _write(paths, names, scripts, pyrun_python, settings, reuse=reuse)
        except OSError as exc:
            # A full or read-only disk: the shims already in place stay (each is replaced
            # atomically), and no temporary file is left to look like one.
            for leftover in paths.shims.glob(f".*.{os.getpid()}.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            raise disk_error(f"write the shims in {paths.shims}", exc) from None
    pipshare.ensure(paths)  # so the first pip-less environment does not pay for the copy
    return [*names, *scripts]


def rehash_scripts(paths: Paths) -> list[str]:
    """``pyrun rehash --scripts``, run by the pip guard after an install or uninstall in
    an isolated environment: the console script shims made to match the environments'
    bin/, the python and pip shims kept with the names they have (not recomputed from
    the PATH pip happened to run with), and the compiled binary kept when current."""
    recorded = recorded_stamp(paths)
    names = recorded.get("names") if recorded else None
    if not isinstance(names, list) or not names:
        return rehash(paths)
    return rehash(paths, names=[str(name) for name in names], reuse=True)


def ensure_current(paths: Paths, path_value: str | None = None) -> str | None:
    """Rehash when stale; return why it was needed, or None."""
    reason = stale_reason(paths, path_value)
    if reason is not None:
        rehash(paths, path_value)
    return reason
