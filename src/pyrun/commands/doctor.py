"""``pyrun doctor [SHELL] [--json]``: check the setup, one line per finding, and say
what to fix.

Why: pyrun protects the system only while all of its pieces are in place (the shims
first on PATH, the hook in the rc file, shims made for the Pythons now on PATH, safe
directories, bases still behind their environments, no pip setting that sends an
install elsewhere, a shared pip that runs on each Python). When one is missing nothing
fails loudly: ``python`` quietly runs something else (or ``pip`` crashes). Each check
below is a small function that looks, changes nothing, and returns findings; each
finding is one line naming the problem and the fix, using the same words the rest of
pyrun uses for it (the resolver's warnings, ``paths.unsafe``, ``stale.what_happened``),
so that a user sees one description of each problem.

Statuses: ``ok`` and ``info`` (what is there), ``warn`` (works, but worth knowing),
``fix`` (something is wrong; the line says how to fix it). The exit status is 1 when
any line says ``fix``, else 0: warnings alone do not fail a script that runs
``pyrun doctor && ...``.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pyrun import compiled, inventory, ownership, pipshare, shims, stale
from pyrun.commands import hook, init
from pyrun.discovery import DiscoveryError, Resolution, Step, passthrough, resolve
from pyrun.environment import executable_file, is_pyrun_shim, samefile
from pyrun.errors import PyrunError
from pyrun.label import inert
from pyrun.paths import Paths
from pyrun.request import Request
from pyrun.shells import SHELLS, Shell, named
from pyrun.sources import Outcome, Source

OK, INFO, WARN, FIX = "ok", "info", "warn", "fix"


@dataclass(frozen=True)
class Finding:
    """One line of the report: the problem (or what is fine) and, apart, its fix."""

    check: str
    status: str
    message: str
    fix: str | None = None

    def line(self) -> str:
        text = self.message + (f"; {self.fix}" if self.fix else "")
        return inert(f"{self.status:<4} {self.check}: {text}")

    def as_json(self) -> dict[str, str | None]:
        return {
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class Context:
    """What every check may look at; filled once, so the checks stay small."""

    paths: Paths
    environ: Mapping[str, str]
    shell: Shell | None
    shell_problem: str  # why `shell` is None
    reported_envs: set[Path] = field(default_factory=set)  # already said by `envs`

    @property
    def hook_line(self) -> str:
        """What to run for the shims to come first in this shell (init writes it too)."""
        return init.hook_line(self.shell or SHELLS["bash"])


def _choose_shell(name: str | None) -> tuple[Shell | None, str]:
    if name:
        return hook.choose(name), ""  # a shell named but unknown: exit 2, as init
    detected = hook.detect_shell()
    shell = named(detected)
    if shell is not None:
        return shell, ""
    if detected:
        return None, f"pyrun has no hook for this shell ({detected})"
    return None, "cannot tell which shell this is"


# -- the checks ---------------------------------------------------------------------------


def check_safety(ctx: Context) -> list[Finding]:
    """pyrun's data and shims directories must be writable by you alone (paths.unsafe)."""
    problem = ctx.paths.unsafe(close=False)
    if problem is None:
        return [
            Finding(
                "safety",
                OK,
                f"{ctx.paths.data} and its shims directory are writable by you alone",
            )
        ]
    # paths.unsafe ends with its fix; keep the same words, the fix apart.
    head, sep, tail = problem.partition("`pip` run; ")
    if not sep:
        return [Finding("safety", FIX, problem)]
    return [Finding("safety", FIX, head + "`pip` run", tail)]


SHADOWED = ("python", "python3", "pip", "pip3")


def check_path(ctx: Context) -> list[Finding]:
    """The shims directory exists and is first on PATH, once: else `python` is not ours."""
    directory = ctx.paths.shims
    run_hook = f"run `{ctx.hook_line}`"
    if not directory.is_dir():
        return [
            Finding(
                "path", FIX, f"the shims directory {directory} does not exist", "run `pyrun rehash`"
            )
        ]
    entries = ctx.environ.get("PATH", "").split(os.pathsep)
    at = [i for i, entry in enumerate(entries) if entry and samefile(entry, directory)]
    if not at:
        return [
            Finding(
                "path",
                FIX,
                f"pyrun's shims ({directory}) are not on PATH, so `python` and `pip` are "
                "not pyrun's",
                run_hook,
            )
        ]
    names = list(SHADOWED) + [n for n in _shim_names(ctx) if n not in SHADOWED]
    for entry in entries[: at[0]]:
        for name in names:
            candidate = os.path.join(entry or ".", name)
            if executable_file(candidate):
                whose = " (another pyrun installation's shim)" if is_pyrun_shim(candidate) else ""
                return [
                    Finding(
                        "path",
                        FIX,
                        f"{candidate}{whose} comes before pyrun's shims ({directory}) on PATH, "
                        f"so `{name}` runs it, not pyrun",
                        f"{run_hook} (the hook keeps the shims first)",
                    )
                ]
    findings = []
    if at[0] > 0:
        findings.append(
            Finding(
                "path",
                WARN,
                f"pyrun's shims ({directory}) are not first on PATH ({entries[0] or '.'} is); "
                "nothing before them has python or pip now, but anything that gets one wins",
                run_hook,
            )
        )
    if len(at) > 1:
        findings.append(
            Finding(
                "path",
                WARN,
                f"pyrun's shims ({directory}) are on PATH {len(at)} times (harmless: a shim "
                "skips itself)",
                f"{run_hook}, which keeps one",
            )
        )
    return findings or [Finding("path", OK, f"pyrun's shims ({directory}) are first on PATH")]


def _shim_names(ctx: Context) -> list[str]:
    recorded = shims.recorded_stamp(ctx.paths) or {}
    names = recorded.get("names")
    return [str(name) for name in names] if isinstance(names, list) else []


def check_hook(ctx: Context) -> list[Finding]:
    """The hook line is in the current shell's rc file (where ``pyrun init`` puts it)."""
    shell = ctx.shell
    if shell is None:
        return [
            Finding(
                "hook",
                WARN,
                f"{ctx.shell_problem}, so no rc file was checked",
                "name the shell: `pyrun doctor bash` (or zsh, fish, powershell)",
            )
        ]
    init_it = f"run `pyrun init {shell.name}`"
    rc = init.rc_path(shell)
    try:
        text = init.read_rc(rc)
        block = init.block_lines(text)
    except PyrunError as exc:
        return [Finding("hook", FIX, exc.message)]
    line = init.hook_line(shell)
    if block is not None:
        if line in block:
            return [Finding("hook", OK, f"{rc} has the pyrun hook line for {shell.name}")]
        return [
            Finding(
                "hook",
                FIX,
                f"the pyrun block in {rc} does not run this pyrun ({hook.pyrun_executable()})",
                f"{init_it} to update it",
            )
        ]
    by_hand = init.hand_written(text, shell)
    if by_hand:
        number = by_hand[0][0]
        return [Finding("hook", OK, f"{rc} runs the pyrun hook (line {number}, added by hand)")]
    if ctx.environ.get("PYRUN_ENV_KIND"):
        return [
            Finding(
                "hook",
                OK,
                f"the hook is loaded in this shell (PYRUN_ENV_KIND is set), though {rc} has "
                "no pyrun hook line",
            )
        ]
    return [
        Finding(
            "hook",
            FIX,
            f"{rc} has no pyrun hook line, so new {shell.name} shells will not keep pyrun's "
            "shims first",
            init_it,
        )
    ]


def check_shims(ctx: Context) -> list[Finding]:
    """The shims are what ``pyrun rehash`` would write now (shims.py's stamp)."""
    paths = ctx.paths
    recorded = shims.recorded_stamp(paths)
    if recorded is None:
        return [
            Finding("shims", FIX, f"there are no shims in {paths.shims} yet", "run `pyrun rehash`")
        ]
    try:
        wanted = shims.wanted_stamp(paths, ctx.environ.get("PATH", ""))
    except PyrunError as exc:  # PYRUN_SHIM is not a choice: the `pyrun` check says so
        return [Finding("shims", WARN, f"cannot tell whether the shims are current: {exc.message}")]
    reasons = _stale(ctx, recorded, wanted)
    if reasons:
        return [
            Finding(
                "shims",
                FIX,
                f"the shims in {paths.shims} are stale: {', and '.join(reasons)}",
                "run `pyrun rehash`",
            )
        ]
    built = str(recorded.get("built", ""))
    names = [str(name) for name in wanted["names"]]  # type: ignore[attr-defined]
    current = f"{len(names)} shims in {paths.shims}, current"
    if compiled.is_compiled(built):
        return [Finding("shims", OK, f"{current}, {built}")]
    why = built.removeprefix("shell: ") or "unknown"
    cc = compiled.compiler()
    found = shutil.which(cc) if cc else None
    changed = found and shims.toolchain_changed(recorded)
    if changed and why.startswith("no C compiler"):
        return [
            Finding(
                "shims",
                WARN,
                f"{current}, shell scripts: there was no C compiler when they were made, and "
                f"{found} is there now",
                f"run `pyrun rehash` for the compiled ones ({compiled.SPEED})",
            )
        ]
    if changed:
        return [
            Finding(
                "shims",
                WARN,
                f"{current}, shell scripts ({why}); the C compiler or its headers changed since",
                f"run `pyrun rehash` to build the compiled ones again ({compiled.SPEED})",
            )
        ]
    return [Finding("shims", OK, f"{current}, shell scripts ({why})")]


def _stale(ctx: Context, recorded: Mapping[str, object], wanted: Mapping[str, object]) -> list[str]:
    """Why the recorded shims differ from what rehash would write now, in words."""
    reasons = []
    if recorded.get("pyrun") != wanted["pyrun"]:
        reasons.append(
            f"pyrun {recorded.get('pyrun')} made them and this is pyrun {wanted['pyrun']}"
        )
    elif recorded.get("template") != wanted["template"]:
        reasons.append("the shim templates changed since they were made")
    if recorded.get("python") != wanted["python"]:
        reasons.append(
            f"they call pyrun through {recorded.get('python')}, and this pyrun runs on "
            f"{wanted['python']}"
        )
    if recorded.get("data") != wanted["data"]:
        reasons.append(f"they were made for the data directory {recorded.get('data')}")
    if recorded.get("shim") != wanted["shim"]:
        reasons.append(
            f"they were made with PYRUN_SHIM={recorded.get('shim')} and it is {wanted['shim']} now"
        )
    if recorded.get("config") != wanted.get("config"):
        reasons.append(
            "the config file's trust or system_site_packages changed since they were made"
        )
    had = recorded.get("names")
    had_names = [str(n) for n in had] if isinstance(had, list) else []
    now = [str(n) for n in wanted["names"]]  # type: ignore[attr-defined]
    path = ctx.environ.get("PATH", "")
    for name in now:
        if name not in had_names and name.startswith("python"):
            found = _on_path(name, path, ctx.paths) or name
            reasons.append(f"{found} is on PATH without a `{name}` shim, so `{name}` runs it as is")
    left = [name for name in had_names if name not in now]
    if left:
        reasons.append(
            f"the {', '.join(f'`{n}`' for n in left)} shim{'s are' if len(left) > 1 else ' is'} "
            "left for a Python no longer on PATH"
        )
    for name in had_names:
        if name in now and not os.access(ctx.paths.shims / name, os.X_OK):
            reasons.append(f"the `{name}` shim is missing")
    command = shims.command_problem(ctx.paths)
    if command is not None:
        reasons.append(command)
    return reasons


def _on_path(name: str, path: str, paths: Paths) -> str | None:
    for entry in path.split(os.pathsep):
        if entry.startswith("/") and not samefile(entry, paths.shims):
            candidate = os.path.join(entry, name)
            if executable_file(candidate):
                return candidate
    return None


def check_envs(ctx: Context) -> list[Finding]:
    """Isolated environments whose base is gone or changed (inventory.py), and the
    half-made ones a killed creation left."""
    paths = ctx.paths
    envs = inventory.scan(paths)
    findings = []
    for env in envs:
        if not env.stale:
            continue
        ctx.reported_envs.add(env.path)
        what = stale.what_happened(env)
        saved = env.saved
        if saved is not None and saved.restored:
            findings.append(
                Finding(
                    "envs",
                    FIX,
                    f"{what}; its packages were reinstalled into {saved.restored_into}",
                    "remove it with `pyrun gc`",
                )
            )
            continue
        packages = list(saved.packages) if saved is not None else env.packages()
        if packages:
            count = f"{len(packages)} package{'s' if len(packages) != 1 else ''}"
            findings.append(
                Finding(
                    "envs",
                    FIX,
                    f"{what}; its {count} {'are' if len(packages) != 1 else 'is'} not "
                    "reinstalled anywhere yet",
                    f"run `pyrun repair --from {env.path.name}`",
                )
            )
        else:
            findings.append(
                Finding(
                    "envs",
                    FIX,
                    f"{what}; nothing was installed in it",
                    "remove it with `pyrun gc`",
                )
            )
    for leftover in inventory.leftovers(paths):
        findings.append(
            Finding(
                "envs",
                WARN,
                f"{leftover} is a half-made isolated environment (a creation was killed, or "
                "one is under way)",
                "remove it with `pyrun gc`",
            )
        )
    if findings:
        return findings
    if not envs:
        return [Finding("envs", OK, f"no isolated environments in {paths.envs} yet")]
    many = len(envs) != 1
    return [
        Finding(
            "envs",
            OK,
            f"{len(envs)} isolated environment{'s' if many else ''} in {paths.envs}, "
            f"{'each' if many else 'its'} base Python still there",
        )
    ]


# pip's settings that change where pip installs, or whether: (status, what it does).
PIP_SETTINGS: dict[str, tuple[str, str]] = {
    "user": (FIX, "so pip refuses to install into any virtual environment, pyrun's included"),
    "target": (
        FIX,
        "so pip installs into that directory, not into the environment `python` runs, "
        "which then cannot import it",
    ),
    "prefix": (
        FIX,
        "so pip installs under that prefix, not into the environment `python` runs, "
        "which then cannot import it",
    ),
    "break-system-packages": (
        WARN,
        "which changes nothing through pyrun's shims, but lets pip run outside them "
        "(`pyrun exec --system`, PYRUN_DISABLE=1) write into the system's Python",
    ),
    "require-virtualenv": (
        INFO,
        "which is harmless: pyrun's environments are virtual environments",
    ),
}
PIP_FLAGS = frozenset({"user", "break-system-packages", "require-virtualenv"})
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})
INDEX_VARIABLES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")


def check_pip(ctx: Context) -> list[Finding]:
    """PIP_* variables (and pip config files) that change where pip installs, or whether."""
    findings = []
    for key, (status, why) in PIP_SETTINGS.items():
        variable = "PIP_" + key.upper().replace("-", "_")
        value = ctx.environ.get(variable)
        if not value or (key in PIP_FLAGS and value.strip().lower() in _FALSE):
            continue
        fix = None if status == INFO else f"unset {variable}"
        findings.append(Finding("pip", status, f"{variable}={value} is set, {why}", fix))
    for file, section, key, value in _pip_config(ctx.environ):
        status, why = PIP_SETTINGS[key]
        fix = None if status == INFO else f"remove it from {file}"
        findings.append(
            Finding("pip", status, f"{file} sets {key} = {value} in [{section}], {why}", fix)
        )
    shared_pip, runs = _shared_pip(ctx)
    if not any(finding.status in (WARN, FIX) for finding in findings + shared_pip):
        findings.insert(
            0,
            Finding(
                "pip",
                OK,
                "no pip setting changes where pip installs, or whether"
                + (f"; the shared pip runs on each Python here ({runs})" if runs else ""),
            ),
        )
    findings += shared_pip
    for variable in INDEX_VARIABLES:
        value = ctx.environ.get(variable)
        if value:
            shown = " ".join(_redacted(url) for url in value.split())
            findings.append(Finding("pip", INFO, f"{variable}={shown}: pip installs from there"))
    return findings


def _shared_pip(ctx: Context) -> tuple[list[Finding], str]:
    """pip that cannot run on a Python pyrun serves (pipshare.problems), each with its fix;
    and, when there is none, which pip each Python the shims are for runs."""
    recorded = shims.recorded_stamp(ctx.paths) or {}
    names = recorded.get("names")
    minors = sorted(
        {str(name)[len("python") :] for name in names or () if _MINOR_SHIM.match(str(name))},
        key=lambda minor: tuple(int(part) for part in minor.split(".")),
    )
    first: dict[str, str] = {}
    for python, minor in shims.pythons_on_path(ctx.paths, ctx.environ.get("PATH", "")).items():
        first.setdefault(minor, python)
    said = pipshare.problems(ctx.paths, {minor: first.get(minor) for minor in minors})
    if said:
        return [Finding("pip", FIX, problem, fix) for problem, fix in said], ""
    runs = []
    for minor in minors:
        shared = pipshare.for_minor(ctx.paths, minor)
        if shared is not None:
            runs.append(f"{minor}: pip {shared.version}")
    return [], ", ".join(runs)


_MINOR_SHIM = re.compile(r"^python3\.[0-9]+$")


def _pip_config(environ: Mapping[str, str]) -> list[tuple[Path, str, str, str]]:
    """(file, section, key, value) for each PIP_SETTINGS key set in a file pip reads.

    pip's own order (pip/_internal/configuration.py): PIP_CONFIG_FILE set to os.devnull
    loads no file at all; the global files; the user files unless PIP_CONFIG_FILE names
    a file that exists; then that file.
    """
    chosen = environ.get("PIP_CONFIG_FILE")
    if chosen == os.devnull:
        return []
    dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files = [Path(d) / "pip" / "pip.conf" for d in dirs.split(":") if d] + [Path("/etc/pip.conf")]
    if not (chosen and os.path.exists(chosen)):
        home = Path(environ.get("HOME") or os.path.expanduser("~"))
        config = environ.get("XDG_CONFIG_HOME", "")
        config_home = Path(config) if os.path.isabs(config) else home / ".config"
        files += [home / ".pip" / "pip.conf", config_home / "pip" / "pip.conf"]
    if chosen:
        files.append(Path(chosen))
    found = []
    for file in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(file, encoding="utf-8")
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue
        for section in ("global", "install"):
            if not parser.has_section(section):
                continue
            for key in PIP_SETTINGS:
                for spelled in dict.fromkeys((key, key.replace("-", "_"))):
                    value = parser.get(section, spelled, fallback=None)
                    if value is None:
                        continue
                    if key in PIP_FLAGS and value.strip().lower() in _FALSE:
                        continue
                    found.append((file, section, key, value))
    return found


def _redacted(url: str) -> str:
    """An index URL without its password or token: doctor output gets pasted in issues."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"****@{host}"))


def check_settings(ctx: Context) -> list[Finding]:
    """PYRUN_* variables that change what the shims do."""
    env = ctx.environ
    findings = []
    disable = env.get("PYRUN_DISABLE")
    if disable == "1":
        findings.append(
            Finding(
                "pyrun",
                FIX,
                "PYRUN_DISABLE=1 is set, so the shims pass straight through to the system's "
                "python and pip",
                "unset PYRUN_DISABLE",
            )
        )
    elif disable:
        findings.append(
            Finding("pyrun", INFO, f"PYRUN_DISABLE={disable} changes nothing (only 1 disables)")
        )
    shim = env.get("PYRUN_SHIM")
    if shim and shim not in compiled.CHOICES:
        findings.append(
            Finding(
                "pyrun",
                FIX,
                f"PYRUN_SHIM={shim} is not one of {', '.join(compiled.CHOICES)}, so "
                "`pyrun rehash` and the hook stop",
                "unset PYRUN_SHIM",
            )
        )
    elif shim and shim != "auto":
        findings.append(Finding("pyrun", INFO, f"PYRUN_SHIM={shim}: the shims are chosen by hand"))
    trust = env.get(ownership.TRUST_VARIABLE)
    if trust is not None and "*" in trust.split(":"):
        findings.append(
            Finding(
                "pyrun",
                WARN,
                f"{ownership.TRUST_VARIABLE}={trust} makes pyrun use every .venv, also one "
                "someone else controls",
                f"list the directories you trust in {ownership.TRUST_VARIABLE} instead",
            )
        )
    elif trust:
        findings.append(
            Finding(
                "pyrun",
                INFO,
                f"{ownership.TRUST_VARIABLE}={trust}: used whoever controls them",
            )
        )
    for variable in ("PYRUN_DATA_DIR", "PYRUN_CONFIG_DIR", "PYRUN_DEBUG"):
        if env.get(variable):
            findings.append(Finding("pyrun", INFO, f"{variable}={env[variable]} is set"))
    if not any(finding.status in (WARN, FIX) for finding in findings):
        findings.insert(0, Finding("pyrun", OK, "no PYRUN_* setting turns pyrun off"))
    return findings


def check_here(ctx: Context) -> list[Finding]:
    """What `python` resolves to in the working directory, with the resolver's own
    warnings: a `.venv` skipped as someone else's (ownership.py) above all."""
    if ctx.paths.unsafe(close=False) is not None:
        return [Finding("python", INFO, "not resolved: pyrun refuses its directories (see above)")]
    try:
        where = os.getcwd()
    except OSError:
        where = "this deleted directory"
    request = Request.parse("python")
    try:
        resolution = resolve(request, ctx.paths, ctx.environ, create=False)
    except DiscoveryError as exc:
        return [
            *_skipped_venvs(exc.trail, None),
            Finding("python", FIX, f"`python` in {where} fails: {exc.message}", "see `pyrun why`"),
        ]
    findings = _skipped_venvs(resolution.trail, resolution)
    for warning in resolution.warnings:
        if ownership.TRUST_HINT in warning:
            continue  # said by the venv check
        if any(str(env) in warning for env in ctx.reported_envs):
            continue  # said by the envs check
        findings.append(Finding("python", WARN, warning))
    if ctx.environ.get("PYRUN_DISABLE") == "1":
        try:
            program = passthrough("python", ctx.paths, ctx.environ)
        except PyrunError as exc:
            return [*findings, Finding("python", INFO, exc.message)]
        return [*findings, Finding("python", INFO, f"`python` in {where} runs {program} as is")]
    program = resolution.argv[0]
    if resolution.kind == "isolated":
        what = f"the isolated environment of {resolution.base or resolution.found_at}"
        if not resolution.ready:
            what += ", made on first use"
    elif resolution.source is Source.DOT_VENV:
        what = f"the .venv {resolution.environment}"
    else:
        what = f"{resolution.source.value}={resolution.environment}"
    if resolution.pin is not None and resolution.pin.minor is not None:
        what += f" ({inert(resolution.pin.describe())})"
    return [*findings, Finding("python", INFO, f"`python` in {where} runs {program}: {what}")]


def _skipped_venvs(trail: list[Step], resolution: Resolution | None) -> list[Finding]:
    """The `.venv`s the walk skipped as someone else's, each with PYRUN_TRUST as the fix."""
    findings = []
    for step in trail:
        head, sep, tail = step.detail.partition("; " + ownership.TRUST_HINT)
        if step.source is Source.DOT_VENV and step.outcome is Outcome.SKIPPED and sep:
            findings.append(Finding("venv", FIX, head, ownership.TRUST_HINT + tail))
    if findings:
        return findings
    if resolution is not None and resolution.source is Source.DOT_VENV:
        env = resolution.environment
        if ownership.dot_venv_problem(str(env), {}) is not None:  # used only as trusted
            return [Finding("venv", OK, f"{env} is used: {ownership.TRUST_VARIABLE} trusts it")]
        return [Finding("venv", OK, f"{env} is used: it is yours and nobody else can write to it")]
    return [Finding("venv", OK, "no .venv here or above is skipped as someone else's")]


CHECKS: tuple[tuple[str, Callable[[Context], list[Finding]]], ...] = (
    ("safety", check_safety),
    ("path", check_path),
    ("hook", check_hook),
    ("shims", check_shims),
    ("envs", check_envs),
    ("pip", check_pip),
    ("pyrun", check_settings),
    ("python", check_here),
)


def diagnose(ctx: Context) -> list[Finding]:
    """Every check's findings, in order; a check that cannot look says so, and the rest
    still run (a doctor that stops at the first odd file tells the user nothing)."""
    findings: list[Finding] = []
    for name, check in CHECKS:
        try:
            findings += check(ctx)
        except (OSError, PyrunError) as exc:
            said = exc.message if isinstance(exc, PyrunError) else str(exc)
            findings.append(Finding(name, WARN, f"could not check: {said}"))
    return findings


def summary(findings: list[Finding]) -> str:
    problems = sum(finding.status == FIX for finding in findings)
    warnings = sum(finding.status == WARN for finding in findings)
    warned = f"{warnings} warning{'s' if warnings != 1 else ''}"
    if not problems:
        return "pyrun doctor: all is well" + (f" ({warned})" if warnings else "")
    head = f"pyrun doctor: {problems} thing{'s' if problems != 1 else ''} to fix"
    return head + (f", {warned}" if warnings else "")


# The status word's colour on a terminal: green, yellow, red; info stays plain.
COLOURS = {OK: "32", WARN: "33", FIX: "31"}


def wants_colour(stream: object, environ: Mapping[str, str]) -> bool:
    """Colour is for a person at a terminal: never into a pipe or a file (scripts read
    those), never with NO_COLOR set to anything but "" (https://no-color.org), nor
    for TERM=dumb."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def painted(finding: Finding, colour: bool) -> str:
    """The finding's line, its status word coloured when `colour` (after `inert`, which
    would take the escapes back out)."""
    line = finding.line()
    code = COLOURS.get(finding.status)
    if not colour or code is None:
        return line
    return f"\033[{code}m{finding.status}\033[0m{line[len(finding.status) :]}"


def run(shell_name: str | None, as_json: bool) -> int:
    shell, problem = _choose_shell(shell_name)
    ctx = Context(Paths.from_env(), dict(os.environ), shell, problem)
    findings = diagnose(ctx)
    healthy = not any(finding.status == FIX for finding in findings)
    if as_json:
        report = {"ok": healthy, "checks": [finding.as_json() for finding in findings]}
        print(json.dumps(report, indent=2))
    else:
        colour = wants_colour(sys.stdout, ctx.environ)
        for finding in findings:
            print(painted(finding, colour))
        print(summary(findings))
    sys.stdout.flush()
    return 0 if healthy else 1
