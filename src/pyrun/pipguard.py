"""Kept beside pyrun's shared copy of pip: an install may not write into the base.

pyrun's isolated environments run pip from one shared copy (pipshare.py). That pip
installs into the environment, which keeps the base interpreter clean, unless the
user points it elsewhere: ``--prefix`` or ``--target`` naming the base interpreter's
own tree or the user site (``~/.local/lib/pythonX.Y``), on the command line or through
``PIP_PREFIX``/``PIP_TARGET`` or a pip config file. pip merges all of those into the
install command's options, so the check is made there, after parsing: the install
command's ``run`` is wrapped when pip creates it, and refuses in one line.

pipshare copies this file into the shared pip's directory as ``_pyrun_pip_guard.py``
and calls ``install()`` from pip's ``__main__`` and from the environments' ``pip``
scripts, before pip's own code is imported. An isolated environment also loads it
itself (envguard.py: a ``.pth`` hook that calls ``install()`` as soon as any pip's
commands module is imported), so a pip the user upgraded or reinstalled into the
environment, or one ``ensurepip`` put there, is guarded too. It runs under the environment's Python
(any version pip supports), so it imports nothing of pyrun's and only the standard
library, and does nothing unless the command is ``install`` or ``uninstall``.

An environment with a pip of its own (a project's ``.venv``, an activated venv, a named
conda environment) runs that pip through the runner pipshare writes beside this file,
``ownpip/__main__.py``, which loads this file by its path and calls ``install()`` before
it runs the environment's pip; so the same check applies there.

It also keeps the console script shims current, as pyenv's rehash but automatic: when
an install or uninstall changed the names in the environment's bin/, it runs
``pyrun rehash --scripts`` before pip exits (with ``--env <sys.prefix>`` when the
environment is not one of pyrun's isolated ones, which registers it in
``$data/script-envs``), so ``black`` runs by name as soon as ``pip install black``
returns (and its shim goes with the last environment that has it). It finds pyrun
through where pipshare put this file, ``$data/pip/<version>/``: the interpreter that
runs pyrun is in the stamp that ``pyrun rehash`` wrote to
``$data/shims/.pyrun-shims.json``.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from typing import Any, Callable


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _protected() -> list[tuple[str, str]]:
    places = []
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        places.append((os.path.realpath(prefix), f"the base interpreter's prefix {prefix}"))
    user_site = site.getusersitepackages()
    if isinstance(user_site, str):
        places.append((os.path.realpath(user_site), f"the user site {user_site}"))
    return places


def _written(options: Any) -> list[tuple[str, str, list[str]]]:
    """(option, value, the directories it makes pip write into) for each option set."""
    found = []
    target = getattr(options, "target_dir", None)
    if target:
        found.append(("--target", target, [target]))
    prefix = getattr(options, "prefix_path", None)
    if prefix:
        scheme = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
        dirs = [prefix] + [scheme[k] for k in ("purelib", "platlib", "scripts") if k in scheme]
        found.append(("--prefix", prefix, dirs))
    return found


def problem(options: Any) -> str | None:
    """Why this install must not run, or None."""
    protected = _protected()
    for option, value, dirs in _written(options):
        for directory in dirs:
            real = os.path.realpath(os.path.abspath(directory))
            for root, what in protected:
                if _inside(real, root):
                    return (
                        f"pip install {option} {value} would write into {what}, which pyrun "
                        f"keeps unchanged; leave out {option} (and PIP_{option[2:].upper()}) to "
                        f"install into this environment ({sys.prefix}), or name a directory "
                        "of your own"
                    )
    return None


def _data_dir() -> str | None:
    """pyrun's data directory, when this file is the copy beside its shared pip."""
    data = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.isfile(os.path.join(data, "shims", ".pyrun-shims.json")):
        return data
    return None


def _isolated(data: str) -> bool:
    """Whether this environment is one of pyrun's isolated ones."""
    return _inside(os.path.realpath(sys.prefix), os.path.join(os.path.realpath(data), "envs"))


def _bin_names() -> set[str] | None:
    """The names in this environment's bin/, when this file is pyrun's copy."""
    if _data_dir() is None:
        return None
    try:
        return set(os.listdir(os.path.join(sys.prefix, "bin")))
    except OSError:
        return None


def rehash_scripts(added: Iterable[str] = ()) -> None:
    """``pyrun rehash --scripts`` with the interpreter that runs pyrun, told which names
    the install `added` to bin/ (``--added``), so that it says in one line which of them
    get no shim because a system command or a shell builtin has that name; what it says
    on stderr is passed on. A failure is one line, and pip's own exit status stands."""
    import json
    import subprocess

    data = _data_dir()
    if data is None:
        return
    try:
        with open(os.path.join(data, "shims", ".pyrun-shims.json"), encoding="utf-8") as f:
            python = json.load(f)["python"]
        done = subprocess.run(
            [python, "-I", "-m", "pyrun", "rehash", "--scripts", "-q"]
            # not one of pyrun's own: `rehash` registers it first (shims.script_envs)
            + ([] if _isolated(data) else ["--env", os.path.abspath(sys.prefix)])
            + [
                f"--added={os.path.join(os.path.abspath(sys.prefix), 'bin', name)}"
                for name in sorted(added)
            ],
            env={**os.environ, "PYRUN_DATA_DIR": data},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        said = done.stderr.decode(errors="replace").strip().splitlines()
        if done.returncode != 0:
            raise OSError(said[-1] if said else f"exit status {done.returncode}")
        for line in said:  # "pyrun: no shim for ls (...)"
            sys.stderr.write(line + "\n")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.stderr.write(
            f"pyrun: could not update the console script shims ({exc}); run `pyrun rehash`\n"
        )


def _guard(command: Any, name: str) -> None:
    run: Callable[[Any, Any], int] = command.run

    def guarded(options: Any, args: Any) -> int:
        if name == "install":
            why = problem(options)
            if why is not None:
                sys.stderr.write(f"pyrun: {why}\n")
                return 1
        before = _bin_names()
        try:
            return run(options, args)
        finally:
            after = _bin_names()
            if before is not None and after != before:
                rehash_scripts((after or set()) - before)

    command.run = guarded


def install() -> None:
    """Wrap the install and uninstall commands when pip creates them; no effect on any
    other command.

    Also called by an isolated environment's import hook (envguard.py) right after pip's
    commands module has run and before its import has finished: that module is taken
    from ``sys.modules`` then, as ``import`` would not yet find it on its package."""
    commands = sys.modules.get("pip._internal.commands")
    if commands is None:
        try:
            import pip._internal.commands as commands
        except ImportError:
            return
    create = getattr(commands, "create_command", None)  # an old pip has none: no guard
    if create is None or getattr(create, "_pyrun_guarded", False):
        return

    def create_command(name: str, **kwargs: Any) -> Any:
        command = create(name, **kwargs)
        if name in ("install", "uninstall"):
            _guard(command, name)
        return command

    create_command._pyrun_guarded = True  # type: ignore[attr-defined]
    commands.create_command = create_command
