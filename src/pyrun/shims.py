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
(request.py), unless a system command or a shell builtin has that name: a shim first
on PATH would replace it everywhere (shadowing.py; `withheld_scripts`, checked at every
rehash and staleness check, so the next one prunes such a shim). So do the console
scripts of the other environments pip ran in through a shim (a project's ``.venv``, an
activated venv, a named conda environment), listed in
``$data/script-envs`` (`script_envs`): there only the console and GUI scripts their
installed packages declare (``*.dist-info/entry_points.txt``), not every program a
conda environment's bin/ holds. A script shim runs the copy of the environment
``python`` resolves to, wherever that is, else the one installed once in pyrun's
isolated environments (shared_tools.py), else the next one on PATH. The list is
recomputed by every rehash (and `stale_reason` notices a change, so the hook's start-up
check does too), and right after ``pip install``/``uninstall`` through a shim: the pip
guard (pipguard.py) compares bin/ before and after and then runs ``pyrun rehash
--scripts`` (`rehash_scripts`; with ``--env PREFIX``, which registers an environment
that is not pyrun's own), which keeps the python and pip shims and the compiled binary
as they are. The compiled binary needs no rebuild for a new script: a name not in its
table that is a link in the shims directory is a script (shims/shim.c,
`script_request`). Another installer (``uv pip``, ``python -m pip``, a pip that
upgraded itself) runs no guard: there the shells' command-not-found handlers ask
``pyrun rehash --found NAME`` (`first_use`), which makes the shim on first use.

The shims directory also holds ``pyrun`` itself (`COMMAND`): a symlink to the console
script next to the interpreter running the rehash (install.sh's ``tool`` venv). The
hook puts the shims directory first on PATH, so `pyrun` is a command by name in every
hooked shell, whether or not install.sh's bin directory (``~/.local/bin``) is on PATH,
which on a fresh account it is only from the next login, or never (zsh, fish). It is
no shim: it points at the console script, never at the compiled binary, "pyrun" is
no console script name (request.is_script_name), and rehash alone makes, replaces and
prunes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from shlex import quote

from pyrun import __version__, compiled, config, pipshare, resources
from pyrun.environment import executable_file, health, is_pyrun_shim, samefile
from pyrun.errors import PyrunError, disk_error
from pyrun.isolated import is_complete
from pyrun.lock import exclusive
from pyrun.paths import Paths
from pyrun.request import BadShimName, Request, is_script_name
from pyrun.shadowing import shadow_reason

BASE_NAMES = ("python", "python3", "pip", "pip3")
STAMP = ".pyrun-shims.json"
COMMAND = "pyrun"  # the link to pyrun's own command (`command_target`)
# The shim under the name that prints what `python` resolves to here instead of running
# it: the hooks' one way to learn it (shell/README.md). A link to the compiled binary,
# or shim.sh rendered for it; not a command anyone types, so not a shim name.
RESOLVER = "pyrun-resolve"
# Replaced by every rehash: its content names the empty marker file beside it, which
# the hooks test for at each prompt (one stat) to learn that the shims changed.
GENERATION = ".pyrun-generation"
SCRIPT_ENVS = "script-envs"  # environments not pyrun's own whose scripts get shims
_MINOR_NAME = re.compile(r"^python(3\.[0-9]{1,2})$")


def sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def pythons_on_path(paths: Paths, path_value: str | None = None) -> dict[str, str]:
    """Every ``python3.X`` found on PATH (the shims directory itself skipped), in PATH
    order: its path -> its minor version, read from the name (nothing is run)."""
    found: dict[str, str] = {}
    value = os.environ.get("PATH", "") if path_value is None else path_value
    for entry in value.split(os.pathsep):
        if not entry.startswith("/") or samefile(entry, paths.shims):
            continue
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for name in names:
            match = _MINOR_NAME.match(name)
            path = os.path.join(entry, name)
            if match and os.access(path, os.X_OK):
                found.setdefault(path, match.group(1))
    return found


def minor_versions_on_path(paths: Paths, path_value: str | None = None) -> list[str]:
    """Every ``python3.X`` name found on PATH (the shims directory itself skipped)."""
    found = set(pythons_on_path(paths, path_value).values())
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")))


def wanted_names(paths: Paths, path_value: str | None = None) -> list[str]:
    names = list(BASE_NAMES)
    for minor in minor_versions_on_path(paths, path_value):
        names += [f"python{minor}", f"pip{minor}"]
    return names


def script_programs(paths: Paths) -> dict[str, list[str]]:
    """Every console script that may get a shim (request.is_script_name), with the
    programs of that name: the executables in the bin/ of every complete isolated
    environment, and those the packages of each environment in `script_envs` declare.
    Names that would shadow a system command or a shell builtin are in it too
    (`script_names` leaves them out, `withheld_scripts` keeps only them)."""
    found: dict[str, list[str]] = {}
    try:
        envs = sorted(paths.envs.iterdir())
    except OSError:
        envs = []
    for env in envs:
        if not is_complete(env):
            continue
        try:
            names = os.listdir(env / "bin")
        except OSError:
            continue
        for name in sorted(names):
            if is_script_name(name) and executable_file(env / "bin" / name):
                found.setdefault(name, []).append(str(env / "bin" / name))
    for env in script_envs(paths):
        for name in sorted(declared_scripts(env)):
            if is_script_name(name) and executable_file(env / "bin" / name):
                found.setdefault(name, []).append(str(env / "bin" / name))
    return found


def script_names(paths: Paths) -> list[str]:
    """The console scripts that get a shim: `script_programs` but for the names of a
    system command or a shell builtin (shadowing.py), whose shims would replace those
    everywhere (a stale one is pruned by the next rehash, which makes only these)."""
    return sorted(name for name in script_programs(paths) if shadow_reason(name) is None)


def withheld_scripts(paths: Paths) -> dict[str, tuple[str, list[str]]]:
    """The console scripts that get no shim because of their name: name -> (why, the
    programs that stay runnable by their path)."""
    withheld = {}
    for name, programs in script_programs(paths).items():
        reason = shadow_reason(name)
        if reason is not None:
            withheld[name] = (reason, programs)
    return withheld


# -- environments that are not pyrun's own, registered by the pip guard -----------------


def _registered_lines(paths: Paths) -> list[str]:
    """The lines of ``$data/script-envs`` that name an environment: absolute, normalised
    paths, once each. Anything else (a damaged file, a stray line) is left out."""
    try:
        text = (paths.data / SCRIPT_ENVS).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    lines: list[str] = []
    for line in text.splitlines():
        if (
            line.startswith("/")
            and os.path.normpath(line) == line
            and "\x00" not in line
            and "\ufffd" not in line
            and line not in lines
        ):
            lines.append(line)
    return lines


def env_usable(prefix: Path) -> bool:
    """An environment whose scripts may be listed: a venv (pyvenv.cfg) or a conda
    environment (conda-meta/) with a working interpreter (read, never run)."""
    try:
        if not ((prefix / "pyvenv.cfg").is_file() or (prefix / "conda-meta").is_dir()):
            return False
        return health(prefix).state == "ok"
    except (OSError, ValueError):
        return False


def script_envs(paths: Paths) -> list[Path]:
    """The registered environments that are still there and usable (`env_usable`)."""
    return [Path(line) for line in _registered_lines(paths) if env_usable(Path(line))]


def declared_scripts(prefix: Path) -> set[str]:
    """The console and GUI scripts the installed packages of an environment declare
    (``[console_scripts]``/``[gui_scripts]`` of each ``*.dist-info/entry_points.txt``),
    as pip writes them into its bin/."""
    names: set[str] = set()
    for lib in ("lib", "lib64"):
        try:
            found = list((prefix / lib).glob("*/site-packages/*.dist-info/entry_points.txt"))
        except OSError:
            continue
        for entry_points in found:
            try:
                text = entry_points.read_text(encoding="utf-8", errors="replace")
            except (OSError, ValueError):
                continue
            section = ""
            for raw in text.splitlines():
                line = raw.strip()
                if line.startswith("[") and line.endswith("]"):
                    section = line[1:-1].strip()
                elif section in ("console_scripts", "gui_scripts") and "=" in line:
                    names.add(line.split("=", 1)[0].strip())
    return names


def may_shim(name: str) -> bool:
    """Whether a console script called `name` may have a shim at all: a name
    request.is_script_name allows, and no system command's or shell builtin's."""
    return is_script_name(name) and shadow_reason(name) is None


def first_use(paths: Paths, name: str, here: Path | None) -> str | None:
    """For a command the shell did not find (``pyrun rehash --found NAME``, which the
    hooks' command-not-found handlers run): whether a rehash would give `name` a shim
    once `here`, the environment `python` resolves to in that directory, is registered.
    So a script another installer put there (``uv pip``, ``python -m pip``, a pip that
    upgraded itself) runs on first use. Returns the environment to register ("" when
    none needs it: an isolated or already listed one has the script), or None. Held to
    rehash's rules: a name request.is_script_name allows, never a system command's or
    a builtin's, and in an environment not pyrun's own only a script its packages
    declare."""
    if not may_shim(name):
        return None
    if (
        here is not None
        and not _own(paths, str(here))
        and env_usable(here)
        and name in declared_scripts(here)
        and executable_file(here / "bin" / name)
    ):
        return str(here)
    return "" if name in script_programs(paths) else None


def _own(paths: Paths, prefix: str) -> bool:
    """Whether `prefix` is one of pyrun's isolated environments (never registered)."""
    return (os.path.realpath(prefix) + os.sep).startswith(os.path.realpath(paths.envs) + os.sep)


def _register(paths: Paths, env: str | None) -> None:
    """Rewrite ``$data/script-envs`` (under the rehash lock): `env` added when it is an
    environment that is not pyrun's own, and lines naming nothing that exists dropped,
    as are lines that name no environment at all. Unchanged, it is not written."""
    lines = _registered_lines(paths)
    kept = [line for line in lines if os.path.lexists(line)]
    if env is not None:
        prefix = os.path.normpath(os.path.abspath(env))
        if prefix not in kept and not _own(paths, prefix) and env_usable(Path(prefix)):
            kept.append(prefix)
    registry = paths.data / SCRIPT_ENVS
    try:
        if registry.read_text(encoding="utf-8", errors="replace") == "".join(
            f"{line}\n" for line in kept
        ):
            return
    except OSError:
        if not kept:
            return
    tmp = paths.data / f".{SCRIPT_ENVS}.{os.getpid()}.tmp"
    try:
        tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        os.replace(tmp, registry)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise disk_error(f"write {registry}", exc) from None


def command_target() -> str | None:
    """What the ``pyrun`` link in the shims directory points at: the console script next
    to the interpreter running this pyrun (as hook.pyrun_executable), or None when
    there is none there (``python -m pyrun`` from elsewhere): then no link is made."""
    script = os.path.join(os.path.dirname(sys.executable), COMMAND)
    return script if executable_file(script) else None


def command_problem(paths: Paths) -> str | None:
    """Why the ``pyrun`` link is not what a rehash would make now, or None."""
    target = command_target()
    if target is None:
        return None
    link = paths.shims / COMMAND
    try:
        found = os.readlink(link)
    except OSError:
        return f"the `{COMMAND}` command link is missing"
    if found != target:
        return f"the `{COMMAND}` command link points at {found}, not at {target}"
    return None


def request_for(paths: Paths, name: str) -> Request:
    """What `pyrun which NAME` and `pyrun why NAME` explain: a python or pip name, or a
    console script that has (or, after a rehash, would have) a shim."""
    try:
        return Request.parse(name)
    except BadShimName as exc:
        reason = shadow_reason(name) if is_script_name(name) else None
        if reason is not None:  # never a shim, not even a stale one (rehash prunes it)
            programs = script_programs(paths).get(name)
            if not programs:
                raise BadShimName(
                    f"{exc}; a console script called {name!r} would get none either: {reason}"
                ) from None
            raise BadShimName(
                f"{name} has no shim: {reason}; the console script runs by its path: "
                + " or ".join(quote(program) for program in programs)
            ) from None
        if is_script_name(name) and (
            is_pyrun_shim(paths.shims / name) or name in script_names(paths)
        ):
            return Request.script(name)
        raise BadShimName(
            f"{exc}; no environment pip ran in through pyrun has a console script called {name!r}"
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
    # The resolver walks as `python` does; its name alone tells it to print, not run.
    request = Request.for_shim("python" if name == RESOLVER else name)
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
    """What the current shims are: "compiled" ("compiled (libc)" for PYRUN_SHIM=c-libc),
    or "shell" with the reason when not."""
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
    for name in [*wanted["names"], *wanted["scripts"], RESOLVER]:  # type: ignore[misc]
        if not os.access(paths.shims / name, os.X_OK):
            return f"shim {name} is missing"
    if toolchain_changed(recorded):
        return "the C compiler or its headers changed since the shell shims were made"
    return command_problem(paths)


def toolchain_changed(recorded: Mapping[str, object]) -> bool:
    """Shell shims made because the compiled one could not be built, and the compiler
    (or /usr/include) is not what it was then: worth one more build. Each new shell's
    `pyrun hook` asks, so `apt install gcc` needs no manual `pyrun rehash`."""
    built = recorded.get("built")
    if not (isinstance(built, str) and built.startswith("shell: ")):
        return False
    if recorded.get("shim") != "auto":
        return False
    now = compiled.toolchain()
    return bool(now) and now != recorded.get("toolchain")


def _build_binary(
    paths: Paths, names: list[str], pyrun_python: str, settings: config.Config
) -> str:
    """Put the compiled shim in place; return its kind (compiled.KIND, or LIBC_KIND for
    PYRUN_SHIM=c-libc), or "shell: <why not>"."""
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
            libc=choice == "c-libc",
        )
    except compiled.BuildFailed as why:
        if choice != "auto":
            raise PyrunError(
                f"PYRUN_SHIM={choice}, but the compiled shim cannot be built: {why}; "
                "unset PYRUN_SHIM to use the shell shims"
            ) from None
        return f"shell: {why}"
    os.replace(tmp, paths.shims / compiled.BINARY)
    return compiled.LIBC_KIND if choice == "c-libc" else compiled.KIND


def _reusable(paths: Paths, names: list[str], pyrun_python: str, digest: str) -> str | None:
    """The recorded build (compiled or "shell: ...") when the shims were made from what
    they would be made from now, with these python/pip names and the binary in place."""
    recorded = recorded_stamp(paths)
    if recorded is None or recorded.get("names") != names:
        return None
    wanted = _stamp(paths, names, [], pyrun_python, digest)
    if any(recorded.get(key) != wanted[key] for key in _BINARY_KEYS):
        return None
    built = recorded.get("built")
    if compiled.is_compiled(built) and os.access(paths.shims / compiled.BINARY, os.X_OK):
        return str(built)
    if isinstance(built, str) and built.startswith("shell: ") and not toolchain_changed(recorded):
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
    for name in [*names, *scripts, RESOLVER]:
        target = paths.shims / name
        tmp = paths.shims / f".{name}.{os.getpid()}.tmp"
        if compiled.is_compiled(kind):
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
    command = command_target()
    if command is not None:
        tmp = paths.shims / f".{COMMAND}.{os.getpid()}.tmp"
        tmp.symlink_to(command)
        os.replace(tmp, paths.shims / COMMAND)
    marker = _new_generation(paths)
    keep = {*names, *scripts, RESOLVER, STAMP, GENERATION, marker}
    if compiled.is_compiled(kind):
        keep.add(compiled.BINARY)
    if command is not None:
        keep.add(COMMAND)
    for leftover in paths.shims.iterdir():
        if leftover.name not in keep and (
            is_pyrun_shim(leftover)
            or leftover.name.endswith(".tmp")
            or (leftover.name == COMMAND and leftover.is_symlink())
            or leftover.name.startswith(GENERATION + ".")  # the markers before this one
        ):
            leftover.unlink()
    stamp = paths.shims / STAMP
    tmp = paths.shims / f".{STAMP}.{os.getpid()}.tmp"
    digest = settings.baked_digest()
    recorded = {**_stamp(paths, names, scripts, pyrun_python, digest), "built": kind}
    if not compiled.is_compiled(kind):
        recorded["toolchain"] = compiled.toolchain()  # toolchain_changed
    tmp.write_text(json.dumps(recorded, indent=1) + "\n")
    os.replace(tmp, stamp)


def _new_generation(paths: Paths) -> str:
    """Make a new generation marker and name it in GENERATION; return its file name.
    The old marker is pruned after (by `_write`), so a hook that sees its marker gone
    and asks again is told the new one."""
    token = f"{time.time_ns():x}{os.getpid():x}"
    marker = f"{GENERATION}.{token}"
    (paths.shims / marker).touch()
    tmp = paths.shims / f".{GENERATION}.{os.getpid()}.tmp"
    tmp.write_text(token + "\n")
    os.replace(tmp, paths.shims / GENERATION)
    return marker


def rehash(
    paths: Paths,
    path_value: str | None = None,
    names: list[str] | None = None,
    reuse: bool = False,
    env: str | None = None,
) -> list[str]:
    """Regenerate every shim (the python and pip names PATH calls for, unless given, and
    the console scripts); return the names. With reuse, a current compiled binary is
    kept instead of built again. `env`, an environment pip ran in, is registered first
    (`_register`), so its console scripts get shims too."""
    paths.ensure_safe()  # shims written where others can write would not stay ours
    settings = config.load(paths)  # a bad config file stops here, before anything changes
    names = names or wanted_names(paths, path_value)
    pyrun_python = sys.executable
    paths.make(paths.shims)
    paths.make(paths.locks)
    with exclusive(paths.locks / "rehash.lock", "regenerating shims"):
        _register(paths, env)
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
    # A copy of pip for each Python the shims are for (so the first environment does not
    # pay for it), every isolated environment on one that runs its Python, the runner.
    minors = {name[len("python") :] for name in names if _MINOR_NAME.match(name)}
    pythons = {
        python: minor
        for python, minor in pythons_on_path(paths, path_value).items()
        if minor in minors
    }
    for problem in pipshare.ensure(paths, pythons):
        print(f"pyrun: {problem}", file=sys.stderr)
    return [*names, *scripts]


def rehash_scripts(paths: Paths, env: str | None = None) -> list[str]:
    """``pyrun rehash --scripts [--env PREFIX]``, run by the pip guard after an install
    or uninstall through a shim: the console script shims made to match the
    environments' bin/ (`env`, when given, registered first), the python and pip shims
    kept with the names they have (not recomputed from the PATH pip happened to run
    with), and the compiled binary kept when current."""
    recorded = recorded_stamp(paths)
    names = recorded.get("names") if recorded else None
    if not isinstance(names, list) or not names:
        return rehash(paths, env=env)
    return rehash(paths, names=[str(name) for name in names], reuse=True, env=env)


def ensure_current(paths: Paths, path_value: str | None = None) -> str | None:
    """Rehash when stale; return why it was needed, or None."""
    reason = stale_reason(paths, path_value)
    if reason is None and not pipshare.runner_current(paths):
        reason = "the shared pip's runner changed"  # an upgraded pyrun: migrate its copies
    if reason is not None:
        rehash(paths, path_value)
    return reason
