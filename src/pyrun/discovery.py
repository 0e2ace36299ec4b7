"""uv's interpreter discovery order, applied from a working directory: the slow path.

The shims apply the same order (shims/shim.c with system calls, shims/shim.sh with
shell builtins); this module is what they hand over to when they are unsure, and what
``pyrun which`` and ``pyrun why`` explain with.
Every step leaves a line in the trail saying what it found or why it did not count
(a `Step`, whose outcome is a sources.Outcome); steps after the one that answered are
marked as not looked at, and are not. A step returns its answer, a `Resolution`, or
None to let the walk go on; only an error that ends the whole resolution (a broken
``.venv``, say) is raised, as a `DiscoveryError` carrying the trail so far.

A console script request (request.py, kind "script") walks the same order as
``python`` and then runs the chosen environment's ``bin/<name>``, or, when that
environment has none, the next ``<name>`` on PATH outside the shims directory
(`next_on_path`, which is also PYRUN_DISABLE's pass-through); with neither, an error
naming the environment.

A pip request in an environment found by steps 1 to 3 that has a pip of its own runs
that pip under pyrun's install guard, through the runner beside the shared pip
(``<env>/bin/python3 $data/pip/current/ownpip``, pipshare.RUNNER): the guard refuses an
install into the base there too, and the environment's new console scripts get shims.
One without pip runs the shared pip with its interpreter; pyrun's isolated environments
run their own ``bin/pip``, which is the guarded shared copy.

An interpreter found on PATH (step 4, or the one pyenv's files select for its shim)
that belongs to a venv or a named conda environment (``path_environment``) is that
environment, used as steps 1 to 3 use theirs: only a base interpreter is redirected.
It is held to the ``.venv`` ownership rule: someone else's is skipped with a warning,
and the search goes on to the next interpreter on PATH.
A ``.venv`` that is a file is a redirect (redirect.py, as uv 0.13.9 reads it): the
environment it names is the step's answer, and the walk stops there. It is judged as a
``.venv`` symlink to that path would be (ownership.redirect_reason).

Where pyrun differs from uv on purpose (see the README's table): a base interpreter
runs as its isolated environment, pip without a virtual environment installs there,
a named conda environment on PATH is pip's too (uv's pip sees a system interpreter),
a broken nearest ``.venv`` (or a redirect file naming no virtual environment) is an
error rather than a silent fall-through, a ``.venv`` or redirect file that someone else
controls is skipped with a warning (ownership.py), PATH entries that are not absolute
are ignored, and a deleted working directory only skips ``.venv``.
A version file gives an unversioned name its version (version_file.py), but an
environment the user activated wins over it, with a warning when they disagree; pip
follows the file as python does, where ``uv pip install`` ignores it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyrun import (
    ancestors,
    config,
    environment,
    installed,
    isolated,
    ownership,
    pipshare,
    pyenv,
    records,
    redirect,
    shared_tools,
    stale,
    suggest,
    version_file,
)
from pyrun.errors import PyrunError
from pyrun.interpreter import Interpreter, QueryFailed, query
from pyrun.label import inert
from pyrun.paths import Paths
from pyrun.request import Request
from pyrun.sources import ORDER, Outcome, Source, describe_order

NOT_FOUND_EXIT = 127


@dataclass
class Step:
    source: Source
    outcome: Outcome
    detail: str


@dataclass
class Resolution:
    request: Request
    source: Source
    environment: Path
    argv: list[str]  # what to exec, before the user's arguments
    base: str | None = None  # the base interpreter, for an isolated environment
    found_at: str | None = None  # where that base interpreter was found
    ready: bool = True  # False when the isolated environment is not created yet
    passthrough: bool = False  # a script the environment lacks: the next one on PATH runs
    # a script the environment lacks: the isolated environment whose copy runs
    # (installed once, run everywhere: shared_tools.py)
    shared_env: str | None = None
    trail: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pin: version_file.Pin | None = None  # the .python-version read, when one applies

    @property
    def isolated(self) -> bool:
        """A base interpreter's answer: its isolated environment (only those have a base)."""
        return self.base is not None

    @property
    def kind(self) -> str:
        """What ``which --json`` calls the source: an environment found on PATH is "PATH"."""
        return "isolated" if self.isolated else self.source.value


class DiscoveryError(PyrunError):
    def __init__(
        self,
        message: str,
        trail: list[Step],
        exit_code: int = 1,
        pin: version_file.Pin | None = None,
    ) -> None:
        super().__init__(message, exit_code=exit_code)
        self.trail = trail
        self.pin = pin


class Resolver:
    def __init__(
        self,
        request: Request,
        paths: Paths,
        environ: Mapping[str, str] | None = None,
        *,
        create: bool,
    ) -> None:
        self.request = request
        self.environ = dict(os.environ if environ is None else environ)
        # The settings, read (and checked) on every resolve: a bad config file stops
        # here with its one line. trust and system_site_packages shape the walk.
        self.config = config.load(paths, self.environ)
        self.paths = dataclasses.replace(paths, site=bool(self.config["system_site_packages"]))
        # An unversioned name asks for the version a .python-version file names, as
        # if the shim were python3.X (version_file.py); a versioned name keeps its own.
        self.pin: version_file.Pin | None = None
        self.warnings: list[str] = []
        if request.minor is None and self.config["python_version_files"]:
            # A file someone else controls, or one that is no file or too large, is
            # skipped with a warning, as a .venv someone else controls is.
            self.pin, self.warnings = version_file.pin(self.environ, self.config.file_trust)
            if self.pin is not None and self.pin.minor is not None:
                self.request = request.pinned(self.pin.minor, self.pin.path)
        self.create = create
        self.trail: list[Step] = []
        self.conda_base: str | None = None
        # env -> a PATH entry, now without a Python, whose record named it (stale.py)
        self.left_behind: dict[Path, str] = {}
        self._passed_through = False  # a script request ran the next one on PATH
        self.path_minors: set[str] = set()  # base versions on PATH not asked for (the error)
        # Bases of another version the walk passed: made and recorded once it answers,
        # so that the shims' fast path decides there next time (shim.c pyrun_try).
        self.passed_over: list[tuple[str, Interpreter]] = []
        self._passthrough_note = ""
        self._shared_env: str | None = None  # a script request ran a shared tool

    # -- the walk -------------------------------------------------------------------

    def resolve(self) -> Resolution:
        """The first step's answer, in ORDER; a step with none returns None and the walk
        goes on. A step's error (DiscoveryError) ends the walk; so does finding nothing."""
        steps: dict[Source, Callable[[], Resolution | None]] = {
            Source.VIRTUAL_ENV: self._virtual_env,
            Source.CONDA_PREFIX: self._conda_prefix,
            Source.DOT_VENV: self._dot_venv,
            Source.CONDA_BASE: self._conda_base,
            Source.PATH: self._search_path,
            Source.INSTALLED: self._installed,
        }
        for position, source in enumerate(ORDER):
            resolution = steps[source]()
            if resolution is None:
                continue
            for later in ORDER[position + 1 :]:
                self._note(later, Outcome.NOT_LOOKED_AT, "an earlier step answered")
            if self._passed_through:
                self._note(Source.PATH, Outcome.PASSED_THROUGH, self._passthrough_note)
            for candidate, interp in self.passed_over:
                self._settle(candidate, interp)
            resolution.trail = self.trail
            resolution.warnings = self.warnings
            resolution.pin = self.pin
            resolution.shared_env = self._shared_env
            return resolution
        wanted = self._wanted()
        fix = f"install {wanted} or put it on PATH"
        if self.request.pinned_by:
            wanted += f" (which {self.request.pinned_by} asks for)"
            fix += ", or change that file (or set python_version_files = false)"
        raise self._error(
            f"no {wanted} found for `{self.request.name}` {self._found_instead()}; "
            + fix
            # isolated environments whose base is gone: their package lists are saved
            + _joined(stale.orphans_note(self.paths, self.request.matches_minor, save=self.create)),
            exit_code=NOT_FOUND_EXIT,
        )

    def _wanted(self) -> str:
        """What the request asks for, in words: "Python 3.12", or "Python 3"."""
        return f"Python {self.request.minor}" if self.request.minor else "Python 3"

    def _found_instead(self) -> str:
        """The versions there are, for the error when the one asked for is not among
        them (the user's choice is then another version or installing this one), else
        the steps looked at."""
        others = [
            f"{', '.join(minors)} {where}"
            for minors, where in (
                (sorted(self.path_minors, key=lambda minor: int(minor[2:])), "on PATH"),
                (installed.minors(self.environ), "installed by uv or pyenv"),
            )
            if minors and self.request.minor
        ]
        if others:
            return f"(found Python {' and '.join(others)})"
        return f"(looked at: {describe_order()})"

    def _note(self, source: Source, outcome: Outcome, detail: str) -> None:
        self.trail.append(Step(source, outcome, detail))

    def _error(self, message: str, exit_code: int = 1) -> DiscoveryError:
        """The error that ends the resolution, with the trail so far and the pin read."""
        return DiscoveryError(message, self.trail, exit_code=exit_code, pin=self.pin)

    def _fail(self, source: Source, message: str) -> DiscoveryError:
        """A step's own error: its line in the trail, then the error to raise."""
        self._note(source, Outcome.ERROR, message)
        return self._error(message)

    # -- steps 1 to 3: environments used as they are --------------------------------

    def _virtual_env(self) -> Resolution | None:
        value = self.environ.get("VIRTUAL_ENV", "")
        if not value:
            self._note(Source.VIRTUAL_ENV, Outcome.SKIPPED, "not set")
            return None
        return self._use_env(Source.VIRTUAL_ENV, Path(os.path.abspath(value)), activated=value)

    def _conda_prefix(self) -> Resolution | None:
        value = self.environ.get("CONDA_PREFIX", "")
        if not value:
            self._note(Source.CONDA_PREFIX, Outcome.SKIPPED, "not set")
            return None
        prefix = os.path.abspath(value)
        if os.path.isdir(prefix) and not os.path.isdir(os.path.join(prefix, "conda-meta")):
            # CONDA_PREFIX=/usr (or any Python's prefix) would otherwise make pip install
            # into that Python: like VIRTUAL_ENV without pyvenv.cfg, skipped or refused.
            where = f"{Source.CONDA_PREFIX.value}={value}"
            missing = "is not a conda environment (it has no conda-meta)"
            if self.request.kind == "pip":
                raise self._fail(
                    Source.CONDA_PREFIX,
                    f"{where} {missing}, so pip has nowhere safe to install; "
                    "run `conda deactivate` (or unset CONDA_PREFIX) and retry",
                )
            message = f"ignoring {where}: it {missing}; run `conda deactivate` to clear it"
            self.warnings.append(message)
            self._note(Source.CONDA_PREFIX, Outcome.SKIPPED, message)
            return None
        if conda_is_base(value, self.environ):
            self.conda_base = os.path.abspath(value)
            self._note(
                Source.CONDA_PREFIX,
                Outcome.SKIPPED,
                f"{value} is conda's base environment: a base interpreter, looked at after .venv",
            )
            return None
        return self._use_env(Source.CONDA_PREFIX, Path(os.path.abspath(value)), activated=value)

    def _dot_venv(self) -> Resolution | None:
        try:
            cwd = ancestors.physical_cwd()
        except FileNotFoundError:
            self._note(Source.DOT_VENV, Outcome.SKIPPED, "the working directory was deleted")
            return None
        # By directory descriptor (ancestors.py): a working directory 20,000 levels
        # deep, longer than PATH_MAX, costs no more than a shallow one per level.
        for level in ancestors.walk_up(cwd):
            inside = level.is_file("pyvenv.cfg")
            found = level.is_dir_or_link(".venv") or level.is_file(".venv")
            if not (inside or found):
                continue
            directory = level.resolved_path()
            if directory is None:
                raise self._fail(
                    Source.DOT_VENV,
                    "the nearest .venv (or environment holding the working directory) is "
                    "at a path longer than PATH_MAX (4096 bytes), which nothing can run; "
                    "move the project to a shorter path",
                )
            if inside and self._trusted(directory):
                return self._use_env(Source.DOT_VENV, Path(directory), inside=True)
            dot_venv = os.path.join(directory, ".venv")
            if level.is_file(".venv"):  # a redirect file, or a link to one
                if self._trusted(dot_venv):
                    return self._redirect(dot_venv)
                continue
            # A link to nothing is judged too: another account's is skipped, not an error.
            if found and self._trusted(dot_venv):
                if not level.is_file(".venv/pyvenv.cfg"):
                    what = (
                        "is a symlink to nothing"
                        if not level.exists(".venv")
                        else "is not a virtual environment (it has no pyvenv.cfg)"
                    )
                    raise self._fail(
                        Source.DOT_VENV, f"{dot_venv} {what}; {suggest.remake_venv(dot_venv)}"
                    )
                return self._use_env(Source.DOT_VENV, Path(dot_venv))
        where = cwd if cwd is not None else "the working directory (longer than PATH_MAX)"
        self._note(Source.DOT_VENV, Outcome.SKIPPED, f"no .venv in {where} or any parent")
        return None

    def _redirect(self, dot_venv: str) -> Resolution | None:
        """The environment the redirect file `dot_venv` (redirect.py) names, the walk's
        end: an error when it names none; None when where it points is someone else's
        (skipped with a warning, as an untrusted `.venv`) or not the version asked for."""
        try:
            text = redirect.read(dot_venv)
        except redirect.Unreadable as exc:
            raise self._fail(
                Source.DOT_VENV,
                f"{dot_venv} is a .venv redirect file that {exc}; "
                + suggest.fix_redirect(dot_venv),
            ) from None
        target = redirect.target(dot_venv, text)
        problem = ownership.redirect_problem(dot_venv, target, self.environ, self.config.file_trust)
        if not self._accepted(problem):
            return None
        if not os.path.isfile(os.path.join(target, "pyvenv.cfg")):
            what = (
                "is not a virtual environment (it has no pyvenv.cfg)"
                if os.path.exists(target)
                else "does not exist"
            )
            # A second line or a control character stays in the path: shown escaped.
            shown = target if inert(target) == target else repr(target)
            raise self._fail(
                Source.DOT_VENV,
                f"{dot_venv} is a .venv redirect file naming {shown}, which {what}; "
                + suggest.fix_redirect(dot_venv, target),
            )
        return self._use_env(Source.DOT_VENV, Path(target), redirected_by=dot_venv)

    def _trusted(self, env: str, source: Source = Source.DOT_VENV) -> bool:
        """Whether an environment `source` found may be used (ownership.py); if not,
        say why."""
        problem = ownership.dot_venv_problem(env, self.environ, self.config.file_trust)
        return self._accepted(problem, source)

    def _accepted(self, problem: str | None, source: Source = Source.DOT_VENV) -> bool:
        """True without a `problem`; else warn once, note it, and False."""
        if problem is None:
            return True
        if problem in self.warnings:  # the cwd's env is also its parent's .venv
            return False
        self.warnings.append(problem)
        self._note(source, Outcome.SKIPPED, problem)
        return False

    def _use_env(
        self,
        source: Source,
        prefix: Path,
        *,
        activated: str | None = None,
        inside: bool = False,
        on_path: str | None = None,
        redirected_by: str | None = None,
    ) -> Resolution | None:
        """The environment at `prefix` as the answer; None when it does not count (not
        the version asked for, or an activated one that is gone: skipped with a warning).
        `on_path`: the PATH interpreter that belongs to it (path_environment)."""
        where = f"{source.value}={activated}" if activated is not None else str(prefix)
        state = environment.health(prefix)
        if on_path is not None and state.state != "ok":
            # The interpreter found runs, but the environment has no bin/python: the
            # shims cannot tell what it is, so it does not count (uv would query it).
            self._note(source, Outcome.SKIPPED, f"{on_path}: {prefix} has no working bin/python")
            return None
        # VIRTUAL_ENV=/usr (or any Python's prefix) would otherwise run a base interpreter
        # as if it were an environment, and pip would install into it.
        not_venv = (
            source is Source.VIRTUAL_ENV
            and state.state == "ok"
            and not (prefix / "pyvenv.cfg").is_file()
        )
        if state.state != "ok" or not_venv:
            if source is Source.DOT_VENV:
                raise self._fail(
                    source,
                    f"{prefix} is broken: its bin/python is missing or points nowhere (was its "
                    f"base interpreter removed?); {suggest.remake_venv(str(prefix))}",
                )
            conda = source is Source.CONDA_PREFIX
            unset = "conda deactivate" if conda else "deactivate"
            if state.state == "broken":
                create = suggest.command("conda", "create", "--prefix", str(prefix))
                if not conda:
                    remake = suggest.remake_venv(str(prefix))
                elif create:
                    remake = f"recreate it with `{create}`"
                else:
                    remake = "recreate it"
                raise self._fail(
                    source,
                    f"{where} is broken: its bin/python is missing or points nowhere; "
                    f"{remake}, or run `{unset}`",
                )
            if not_venv:
                missing = "is not a virtual environment (it has no pyvenv.cfg)"
            else:
                missing = "is not an environment" if prefix.is_dir() else "does not exist"
            if self.request.kind == "pip":
                raise self._fail(
                    source,
                    f"{where} {missing}, so pip has nowhere safe to install; "
                    f"run `{unset}` (or unset {source.value}) and retry",
                )
            message = f"ignoring {where}: it {missing}; run `{unset}` to clear it"
            self.warnings.append(message)
            self._note(source, Outcome.SKIPPED, message)
            return None
        how = "the working directory is inside it" if inside else "found"
        if not environment.has_minor(prefix, self.request.minor):
            if activated is None or not self.request.pinned_by:
                self._note(
                    source,
                    Outcome.SKIPPED,
                    f"{prefix} is not Python {self.request.minor} "
                    f"(it has no bin/python{self.request.minor})",
                )
                return None
            # An environment the user activated wins over a version file, as activation
            # does without pyrun (and as `uv pip install` does): said once per run.
            unset = "conda deactivate" if source is Source.CONDA_PREFIX else "deactivate"
            message = (
                f"{where} is not Python {self.request.minor}, which {self.request.pinned_by} "
                f"asks for: the activated environment runs; `{unset}` to follow the file"
            )
            self.warnings.append(message)
            how = f"activated: it wins over {self.request.pinned_by}"
        argv = self._program(prefix, own_env=True)
        if on_path is not None:
            how = f"{on_path} is its interpreter: used as it is, not as a base interpreter"
        if redirected_by is not None:
            how = f"named by the .venv redirect file {redirected_by}"
        self._note(source, Outcome.FOUND, f"{prefix} ({how})")
        return Resolution(self.request, source, prefix, argv, passthrough=self._passed_through)

    def _script(self, prefix: Path) -> list[str]:
        """A console script: the environment's own, else the copy installed once in
        pyrun's isolated environments (shared_tools.py), else the next one on PATH."""
        name = self.request.name
        own = prefix / "bin" / name
        if environment.executable_file(own):
            return [str(own)]
        shared = shared_tools.program(self.paths.envs, name)
        if shared is not None:
            self._shared_env = str(shared.parent.parent)
            return [str(shared)]
        other = next_on_path(name, self.paths, self.environ)
        if other is None:
            raise self._error(
                f"{name} is not in {prefix}, the environment `python` uses here, nor in "
                f"pyrun's isolated environments, and no other {name} is on PATH; "
                f"`pip install` it, or see `pyrun why {name}`",
                exit_code=NOT_FOUND_EXIT,
            )
        self._passed_through = True
        self._passthrough_note = f"{prefix} has no {name}: the next {name} on PATH runs, {other}"
        return [other]

    def _program(self, prefix: Path, own_env: bool = False) -> list[str]:
        """What runs the request in `prefix`; `own_env` for an environment found by
        steps 1 to 3 (not one of pyrun's isolated environments)."""
        if self.request.kind == "script":
            return self._script(prefix)
        found = environment.program_in(prefix, self.request)
        if found is None:
            raise self._error(
                f"{prefix} has none of {', '.join(self.request.env_names)}; "
                "recreate the environment"
            )
        argv, needs_shared_pip = found
        if own_env and self.request.kind == "pip" and not needs_shared_pip:
            return self._own_pip(prefix, argv)
        if needs_shared_pip:
            # The runner picks the copy for the interpreter's minor version when it runs
            # (and has pyrun make it first when there is none: pipshare.PIP_RUNNER).
            if self.create:
                pipshare.ensure_runner(self.paths)
            argv.append(str(self.paths.pip / "current" / "pip"))
        return argv

    def _own_pip(self, prefix: Path, argv: list[str]) -> list[str]:
        """An environment's own pip, run under pyrun's install guard by the runner beside
        the shared pip (pipshare.RUNNER), so that its installs are checked and its new
        console scripts get shims. Without the runner (which creates nothing), the
        environment's pip script itself; the slow path makes the runner first."""
        runner = self.paths.pip / "current" / pipshare.OWNPIP
        if not (runner / "__main__.py").is_file() and self.create:
            pipshare.ensure_runner(self.paths)
        if not (runner / "__main__.py").is_file():
            return argv
        python = prefix / "bin" / "python3"
        if not environment.executable(python):
            python = prefix / "bin" / "python"
        return [str(python), str(runner)]

    # -- steps 3b and 4: base interpreters, run as their isolated environment ----------

    def _conda_base(self) -> Resolution | None:
        if self.conda_base is None:
            self._note(Source.CONDA_BASE, Outcome.SKIPPED, "conda's base environment is not active")
            return None
        for name in ("python3", "python"):
            candidate = os.path.join(self.conda_base, "bin", name)
            if environment.executable(candidate):
                found = self._use_base(Source.CONDA_BASE, candidate)
                if found is None:
                    self._note(Source.CONDA_BASE, Outcome.SKIPPED, f"{candidate} did not count")
                return found
        raise self._fail(
            Source.CONDA_BASE,
            f"conda's base environment {self.conda_base} has no bin/python3; "
            "repair conda or run `conda deactivate`",
        )

    def _search_path(self) -> Resolution | None:
        looked = 0
        for entry in self.environ.get("PATH", "").split(os.pathsep):
            if not entry.startswith("/"):
                if entry:
                    self._note(
                        Source.PATH, Outcome.SKIPPED, f"PATH entry {entry!r} is not absolute"
                    )
                continue
            if environment.samefile(entry, self.paths.shims):
                continue
            names = list(self.request.path_names)
            if self.request.minor is None:
                names += versioned_pythons(entry)
            in_pyenv = pyenv.is_shims_dir(entry, self.environ)
            for name in names:
                candidate = (entry[:-1] if entry.endswith("/") else entry) + "/" + name
                if not environment.executable_file(candidate):
                    stale.remember(self.paths, candidate, self.left_behind)
                    continue
                looked += 1
                if in_pyenv:
                    chosen = pyenv.choice(name, self.environ)
                    if chosen.outcome is pyenv.Pick.SKIP:
                        self._note(Source.PATH, Outcome.SKIPPED, f"{candidate}: {chosen.why}")
                        continue
                    if chosen.outcome is pyenv.Pick.USE and chosen.path is not None:
                        self._note(Source.PATH, Outcome.FOLLOWED, f"{candidate}: {chosen.why}")
                        candidate = chosen.path
                prefix = path_environment(candidate)
                if prefix is not None:
                    # Held to the .venv rule (SAFETY.md, "Environments reached
                    # through PATH"): someone else's is skipped with a warning.
                    if not self._trusted(str(prefix), Source.PATH):
                        continue
                    found = self._use_env(Source.PATH, prefix, on_path=candidate)
                else:
                    found = self._use_base(Source.PATH, candidate)
                if found is not None:
                    return found
        if not looked:
            asked = " or ".join(self.request.path_names)
            self._note(Source.PATH, Outcome.SKIPPED, f"no {asked} on PATH")
        return None

    def _installed(self) -> Resolution | None:
        """uv's and pyenv's own directories, when PATH had nothing (installed.py)."""
        for candidate in installed.candidates(self.environ, self.request.minor):
            if not environment.executable_file(candidate):
                self._note(Source.INSTALLED, Outcome.SKIPPED, f"{candidate} does not run")
                continue
            found = self._use_base(Source.INSTALLED, candidate)
            if found is not None:
                return found
        wanted = self._wanted()
        where = " or ".join(
            f"{directory}/"
            for directory in (installed.uv_dir(self.environ), installed.pyenv_dir(self.environ))
            if directory
        )
        self._note(Source.INSTALLED, Outcome.SKIPPED, f"no {wanted} in {where}")
        return None

    def _use_base(self, source: Source, candidate: str) -> Resolution | None:
        """Settle one base interpreter: its isolated environment as the answer, or None
        when it does not count (the trail says why)."""
        record = records.read_valid(self.paths, candidate)
        if record is not None and record.kind == "skip":
            self._note(source, Outcome.SKIPPED, f"{candidate} is not a usable Python 3 (recorded)")
            return None
        if record is not None:
            env = record.target
            base = _marker_base(env) or candidate
            ready = True
        else:
            interp = self._inspect(source, candidate)
            if interp is None:
                return None
            if not self.request.matches_minor(interp.version):
                if self.create:  # made once the walk has an answer: a failed one makes nothing
                    self.passed_over.append((candidate, interp))
                return self._other_minor(source, candidate, interp.version)
            env = self._settle(candidate, interp)
            base = interp.base_executable
            ready = isolated.is_complete(env)
        if ready and not environment.has_minor(env, self.request.minor):
            named = versioned_pythons(str(env / "bin"))
            return self._other_minor(source, candidate, named[0][6:] if named else None)
        # Not created yet (which/why): name the file the first use will make. (A script
        # is in no environment yet to be made: another one's, or the next one on PATH.)
        if ready or self.request.kind == "script":
            argv = self._program(env)
        else:
            argv = [str(env / "bin" / self.request.env_names[0])]
        self._note(
            source,
            Outcome.FOUND,
            f"{candidate}, a base interpreter: runs as the isolated environment {env}"
            + ("" if ready else " (created on first use)"),
        )
        return Resolution(
            self.request,
            source,
            env,
            argv,
            base=base,
            found_at=candidate,
            ready=ready,
            passthrough=self._passed_through,
        )

    def _settle(self, candidate: str, interp: Interpreter) -> Path:
        """`interp`'s isolated environment, made and recorded when creating."""
        env = isolated.env_dir(self.paths, interp)
        # Does it take the place of an environment whose base was upgraded, moved
        # or deleted? Save that one's package list first (when creating), say so.
        takeover = stale.prepare(
            self.paths,
            candidate,
            env,
            self.left_behind,
            self.request.matches_minor,
            save=self.create,
        )
        if self.create:
            isolated.ensure(self.paths, interp)
            self._record(candidate, "env", env)
        if takeover is not None:
            self.warnings.append(takeover.message(interp.base_executable, interp.version))
        return env

    def _other_minor(self, source: Source, candidate: str, version: str | None) -> None:
        """A base interpreter of another version than the one asked for: skipped, and
        its minor version kept for the error if nothing is found."""
        if version is not None and source is Source.PATH:
            self.path_minors.add(".".join(version.split(".")[:2]))
        said = f"is Python {version}" if version else f"is not Python {self.request.minor}"
        self._note(source, Outcome.SKIPPED, f"{candidate} {said}")

    def _record(self, candidate: str, kind: str, target: str | os.PathLike[str]) -> None:
        """Write the fast path's record. On a full or read-only disk the answer still
        stands (the environment is complete), so it is a warning, not an error: the
        program runs, and the shim takes the slow path again next time."""
        try:
            records.write(self.paths, candidate, kind, target)
        except PyrunError as exc:
            self.warnings.append(f"{exc.message} (it runs meanwhile, without the fast path)")

    def _inspect(self, source: Source, candidate: str) -> Interpreter | None:
        if environment.is_pyrun_shim(candidate):
            self._note(
                source, Outcome.SKIPPED, f"{candidate} is a pyrun shim (another installation?)"
            )
            if self.create:
                self._record(candidate, "skip", os.path.realpath(candidate))
            return None
        try:
            return query(candidate, self.paths, self.environ)
        except QueryFailed as exc:
            self._note(source, Outcome.SKIPPED, f"{candidate} {exc}")
            # A pyenv shim runs whatever the directory's .python-version says: its
            # failure here says nothing about tomorrow, so it is not remembered.
            # Anything else that fails is skipped while it is the same file.
            if self.create and not pyenv.is_shims_dir(os.path.dirname(candidate), self.environ):
                self._record(candidate, "skip", os.path.realpath(candidate))
            return None


_VERSIONED = re.compile(r"python3\.([0-9]{1,2})")


def versioned_pythons(directory: str) -> list[str]:
    """The ``python3.X`` in a PATH directory, newest first.

    uv takes them, after ``python`` and ``python3``, for an unversioned request
    (``find_all_minor`` in crates/uv-python/src/discovery.rs): a directory holding only
    ``python3.12`` (``uv python install`` makes those) still provides a Python.
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    found = []
    for name in names:
        match = _VERSIONED.fullmatch(name)
        if match:
            found.append((int(match.group(1)), name))
    return [name for _minor, name in sorted(found, reverse=True)]


def path_environment(python: str) -> Path | None:
    """The environment a PATH interpreter belongs to, or None for a base interpreter.

    A venv's (the directory above its own has pyvenv.cfg: ``~/venvs/tools/bin`` first on
    PATH, or a pyenv-virtualenv name) or a named conda environment's (conda-meta/
    without conda's own condabin/, which only conda's base install has): these are
    used as they are, as an activated one is. The directory above is the spelled one,
    as CPython finds its pyvenv.cfg: a symlink ``~/tools -> venvs/tools/bin`` on PATH
    runs that venv's base interpreter, and so does this (uv queries CPython, which says
    so). Two stats for a base interpreter.
    """
    prefix = os.path.abspath(os.path.dirname(os.path.dirname(python)) or "/")
    venv = os.path.isfile(prefix + "/pyvenv.cfg")
    conda = os.path.isdir(prefix + "/conda-meta") and not os.path.isdir(prefix + "/condabin")
    return Path(prefix) if venv or conda else None


def _marker_base(env: Path) -> str | None:
    import json

    try:
        return json.loads((env / records.COMPLETE_MARKER).read_text())["base"]
    except (OSError, ValueError, KeyError):
        return None


def _joined(note: str) -> str:
    return f"; {note}" if note else ""


def conda_is_base(prefix: str, environ: Mapping[str, str]) -> bool:
    """uv's CondaEnvironmentKind::from_prefix_path, as the shim spells it too."""
    path = _strip_slashes(prefix)
    if os.path.isfile(os.path.join(path, "conda-meta", "pixi")):
        return False
    root = environ.get("_CONDA_ROOT")
    if root is not None and _strip_slashes(root) == path:
        return True
    current = environ.get("CONDA_DEFAULT_ENV")
    if current is None or path in (current, "/"):
        return False
    return path.rsplit("/", 1)[-1] != current


def _strip_slashes(value: str) -> str:
    while value.endswith("/") and value != "/":
        value = value[:-1]
    return value


def resolve(
    request: Request,
    paths: Paths,
    environ: Mapping[str, str] | None = None,
    *,
    create: bool,
) -> Resolution:
    problem = paths.unsafe()  # its records and environments would be someone else's
    if problem is not None:
        raise DiscoveryError(problem, [])
    return Resolver(request, paths, environ, create=create).resolve()


def next_on_path(name: str, paths: Paths, environ: Mapping[str, str] | None = None) -> str | None:
    """The next `name` on PATH that is not a pyrun shim, as the shims' pyrun_passthrough
    looks for it (an empty entry is the working directory, as for the shell)."""
    env = os.environ if environ is None else environ
    for entry in env.get("PATH", "").split(os.pathsep):
        directory = entry or "."
        if environment.samefile(directory, paths.shims):
            continue
        candidate = os.path.join(directory, name)
        if environment.executable_file(candidate) and not environment.is_pyrun_shim(candidate):
            return candidate
    return None


def passthrough(name: str, paths: Paths, environ: Mapping[str, str] | None = None) -> str:
    """PYRUN_DISABLE=1: the next `name` on PATH that is not a pyrun shim."""
    found = next_on_path(name, paths, environ)
    if found is not None:
        return found
    raise PyrunError(
        f"PYRUN_DISABLE=1 and no {name} on PATH besides pyrun's shims; install Python "
        "or unset PYRUN_DISABLE",
        exit_code=NOT_FOUND_EXIT,
    )


def print_warnings(resolution: Resolution) -> None:
    """Each warning as one line: control characters from a path (a newline, an escape
    sequence that would drive the terminal) are dropped, as the hooks drop them."""
    for warning in resolution.warnings:
        print(f"pyrun: {inert(warning)}", file=sys.stderr)
