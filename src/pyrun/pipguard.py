"""Kept beside pyrun's shared copy of pip: an install may not write into the base.

pyrun's isolated environments run pip from one shared copy (pipshare.py). That pip
installs into the environment, which keeps the base interpreter clean, unless the
user points it elsewhere: ``--prefix``, ``--target`` or ``--root`` (alone or joined,
as pip joins them) reaching into any base interpreter pyrun knows (`_known_prefixes`)
or a user site (``~/.local/lib/pythonX.Y``), or ``--user``, on the command line or
through ``PIP_*`` variables or a pip config file. pip merges all of those into the
command's options, so the check is made there, as soon as pip has parsed them: each
command's ``parse_args`` is wrapped when pip creates it, and refuses in one line
(exit status 1) before anything is written. The same moment checks, for every command,
the other paths pip writes to (`_WRITES`: ``--log``, which pip opens before the
command runs, ``--src``, ``download -d``, ``wheel -w``, ``--report``, ``--cache-dir``,
and a ``TMPDIR``). Paths are compared resolved on both sides (a Homebrew
site-packages is a link out of its prefix).

``python setup.py install`` (setuptools, or the standard library's distutils up to
3.11) is checked by the same list: an isolated environment's hook (envguard.py) calls
`guard_distutils` when distutils' ``dist`` module loads, which refuses an installing
command whose finalized directories lie in a protected place. What a program writes
by itself (a script's ``open()``, a build backend's own code) is not watched.

pipshare copies this file into the shared pip's directory as ``_pyrun_pip_guard.py``
and calls ``install()`` from pip's ``__main__`` and from the environments' ``pip``
scripts, before pip's own code is imported. An isolated environment also loads it
itself (envguard.py: a ``.pth`` hook that calls ``install()`` as soon as any pip's
commands module is imported), so a pip the user upgraded or reinstalled into the
environment, or one ``ensurepip`` put there, is guarded too. It runs under the environment's Python
(any version pip supports), so it imports nothing of pyrun's and only the standard
library, and reads its list of bases only when a command names a path.

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
import re
import site
import sys
import sysconfig
from collections.abc import Iterable
from typing import Any, Callable


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _change_root(root: str, path: str) -> str:
    """`path` moved under `root` as pip's ``--root`` moves it (pip's locations
    ``change_root``, from distutils): an absolute path loses its leading slash."""
    return os.path.join(root, path[1:] if os.path.isabs(path) else path)


def _is_prefix(prefix: str) -> bool:
    """Whether `prefix` is a Python installation's prefix: it has a standard library
    (``lib/python3.X/os.py``, the landmark CPython's own startup looks for); a venv has
    none, nor does a directory that merely holds a ``bin/python3``."""
    return any(
        os.path.isfile(os.path.join(prefix, lib, name, "os.py"))
        for lib in _listdir(prefix, "lib")
        for name in _listdir(os.path.join(prefix, lib), "python")
    )


def _listdir(directory: str, start: str) -> list[str]:
    try:
        return [name for name in os.listdir(directory) if name.startswith(start)]
    except OSError:
        return []


def _prefix_of(python: str) -> str | None:
    """The prefix of the base interpreter that `python` runs, from the file it resolves
    to (``<prefix>/bin/python3.X``), without running it: the guard stays fast."""
    real = os.path.realpath(python)
    directory = os.path.dirname(real)
    if os.path.basename(directory) != "bin":
        return None
    prefix = os.path.dirname(directory)
    return prefix if _is_prefix(prefix) else None


def _known_prefixes() -> dict[str, str]:
    """Every base interpreter pyrun knows, real prefix -> how it is known.

    Read, not run, at the moment an install names a destination: this environment's
    own base; each base behind one of pyrun's isolated environments (the ``base`` of
    each ``$data/envs/*/.pyrun-complete``); each ``python``, ``python3`` and
    ``python3.X`` on PATH; each of pyenv's versions (``$PYENV_ROOT/versions/*``, a
    pyenv-virtualenv venv among them excluded). Computing it here rather than keeping a
    list at rehash time means a base installed since is protected too."""
    import json

    found: dict[str, str] = {}

    def add(prefix: str | None, how: str) -> None:
        if prefix:
            found.setdefault(os.path.realpath(prefix), how)

    for prefix in (sys.base_prefix, sys.base_exec_prefix):
        add(prefix, "the base interpreter")
    data = _data_dir()
    if data is not None:
        envs = os.path.join(data, "envs")
        for name in _listdir(envs, ""):
            try:
                with open(os.path.join(envs, name, ".pyrun-complete"), encoding="utf-8") as f:
                    base = json.load(f)["base"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if isinstance(base, str):
                add(_prefix_of(base), "a base interpreter with an isolated environment")
    name = re.compile(r"python(3(\.[0-9]+)?)?\Z")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or (data is not None and _inside(_real(directory), _real(data))):
            continue
        for entry in _listdir(directory, "python"):
            if name.match(entry):
                add(_prefix_of(os.path.join(directory, entry)), "a base interpreter on PATH")
    pyenv = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    versions = os.path.join(pyenv, "versions")
    for version in _listdir(versions, ""):
        prefix = os.path.join(versions, version)
        if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")) and _is_prefix(prefix):
            add(prefix, "a pyenv version")
    return found


def _site_dirs(prefix: str) -> list[str]:
    """`prefix`'s standard library and site directories (``lib*/python3.X``, their
    ``site-packages``/``dist-packages``, Debian's ``local/lib/python3.X/dist-packages``),
    resolved: a Homebrew-style site-packages is a link out of the prefix."""
    dirs = []
    for top in (prefix, os.path.join(prefix, "local")):
        for lib in _listdir(top, "lib"):
            for name in _listdir(os.path.join(top, lib), "python"):
                stdlib = os.path.join(top, lib, name)
                dirs.append(stdlib)
                dirs += [os.path.join(stdlib, site) for site in ("site-packages", "dist-packages")]
    return [os.path.realpath(d) for d in dirs if os.path.isdir(d)]


def _user_base() -> str | None:
    base = site.getuserbase()
    return os.path.realpath(base) if isinstance(base, str) else None


def _protected() -> list[tuple[str, str]]:
    """(real directory, what it is) for every place an install must not write into:
    each known base's prefix, its standard library and site directories (resolved
    separately, for a site-packages linked out of the prefix), and the user site
    (``site.getusersitepackages()``, and ``<user base>/lib/python*`` for every
    version; `_inside_user_site`)."""
    here = os.path.realpath(sys.prefix)
    places = []
    for prefix, how in _known_prefixes().items():
        if not _inside(here, prefix) and prefix != os.sep:
            places.append((prefix, f"the prefix {prefix} of {how}"))
        for directory in _site_dirs(prefix):  # whole prefix held this environment
            if not _inside(here, directory):
                places.append((directory, f"{directory}, the library of {how} ({prefix})"))
    user_site = site.getusersitepackages()
    if isinstance(user_site, str):
        places.append((os.path.realpath(user_site), f"the user site {user_site}"))
    return places


def _inside_user_site(path: str) -> str | None:
    """The user site `path` lies in (``<user base>/lib/python*``, any version's), or None."""
    base = _user_base()
    if base is None:
        return None
    lib = os.path.join(base, "lib")
    if not _inside(path, lib) or path == lib:
        return None
    first = path[len(lib) + 1 :].split(os.sep, 1)[0]
    return os.path.join(lib, first) if first.startswith("python") else None


def _scheme(prefix: str) -> list[str]:
    """The directories an install into `prefix` writes: the prefix itself (pip's
    ``data``) and its scheme's paths, in the default scheme and in ``posix_prefix``
    (a Debian Python's default scheme adds ``local/``)."""
    dirs = [prefix]
    for scheme in (None, "posix_prefix" if os.name == "posix" else None):
        try:
            paths = sysconfig.get_paths(
                *([scheme] if scheme else []), vars={"base": prefix, "platbase": prefix}
            )
        except KeyError:
            continue
        # not "include": it is the running interpreter's, whatever the prefix
        dirs += [paths[key] for key in ("purelib", "platlib", "scripts") if key in paths]
    return list(dict.fromkeys(dirs))


def _written(options: Any) -> list[tuple[list[str], str, list[str]]]:
    """(the options, as typed, the directories they make pip write into) for an install
    that names its destination, worked out as pip does: ``--root`` moves every
    directory under it (pip's ``change_root``), the ``--prefix`` scheme's paths and,
    with ``--target``, the temporary directory pip installs into before moving the
    files (a rooted install leaves them there, under the root)."""
    target = getattr(options, "target_dir", None)
    prefix = getattr(options, "prefix_path", None)
    root = getattr(options, "root_path", None)
    names: list[str] = []
    said: list[str] = []
    dirs: list[str] = []
    if root:
        names.append("--root")
        said += ["--root", root]
    if target:
        import tempfile

        names.append("--target")
        said += ["--target", target]
        dirs.append(target)
        if root:
            dirs.append(_change_root(root, os.path.realpath(tempfile.gettempdir())))
    if prefix:
        names.append("--prefix")
        said += ["--prefix", prefix]
        scheme = _scheme(prefix)
        dirs += [_change_root(root, d) for d in scheme] if root else scheme
    if root and not (target or prefix):  # this environment's own scheme, moved
        dirs += [_change_root(root, d) for d in _scheme(sys.prefix)]
    return [(names, " ".join(said), dirs)] if dirs else []


def _user_install(options: Any) -> bool:
    """Whether pip would install into the user site: ``--user``/``PIP_USER``, or pip's
    own fallback when this environment's site-packages is not writable."""
    chosen = getattr(options, "use_user_site", None)
    if chosen is not None:
        return bool(chosen)
    if not site.ENABLE_USER_SITE or getattr(options, "prefix_path", None):
        return False
    if getattr(options, "target_dir", None):
        return False
    try:
        from pip._internal.commands.install import site_packages_writable

        return not site_packages_writable(
            root=getattr(options, "root_path", None),
            isolated=getattr(options, "isolated_mode", False),
        )
    except Exception:  # another pip's spelling: pip's own choice stands
        return False


def _where(real: str, protected: list[list[tuple[str, str]]]) -> str | None:
    """What protected place the resolved path `real` lies in (a user site, or one of
    `_protected`, read once into `protected` and only when a path is named), or None."""
    user = _inside_user_site(real)
    if user is not None:
        return f"the user site {user}"
    if not protected:
        protected.append(_protected())
    return next((what for root, what in protected[0] if _inside(real, root)), None)


# Characters that need no quoting in sh, bash, zsh and fish alike (suggest.py's).
_PLAIN = re.compile(r"^[A-Za-z0-9_./,:=@%+-]+$")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def _command(words: list[str]) -> str | None:
    """The words as one shell-quoted command line, or None when one cannot be shown
    safely on a line: suggest.command's rule, here because this file runs under the
    environment's Python and imports nothing of pyrun's (tests hold the two alike)."""
    if any(_UNSHOWABLE.search(word) for word in words):
        return None
    return " ".join(
        word if _PLAIN.match(word) else "'" + word.replace("'", "'\\''") + "'" for word in words
    )


def _this_environment() -> str:
    """What this environment is, in words, for a refusal that says where pip installs."""
    data = _data_dir()
    if data is not None and _isolated(data):
        return f"pyrun's isolated environment {sys.prefix}"
    if os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
        return f"the conda environment {sys.prefix}"
    return f"the virtual environment {sys.prefix}"


def _user_refusal(options: Any, argv: list[str] | None) -> str:
    """The one line for an install into the user site: what asked for it (``--user``,
    ``PIP_USER``, a pip config file, or pip's own fallback when this environment's
    site-packages is not writable), where a plain install goes, and the command that
    does it (`argv`, the install's own arguments, without ``--user`` or with
    ``--no-user``, which outranks the variable and the config file)."""
    user_site = (
        f"the user site {site.getusersitepackages()} (every Python "
        f"{sys.version_info[0]}.{sys.version_info[1]} imports it), which pyrun keeps unchanged"
    )
    if getattr(options, "use_user_site", None) is None:  # pip's fallback
        return (
            f"pip install would write into {user_site}, as {sys.prefix} is not writable; "
            f"make it writable, or name a --target of your own"
        )
    typed = argv is not None and "--user" in argv
    if typed:
        asked, unset = "--user", "leave out --user"
    elif os.environ.get("PIP_USER"):
        asked, unset = "with PIP_USER set", "unset PIP_USER"
    else:
        asked, unset = "with user = true in a pip config file", "remove that line"
    fix = unset
    if argv is not None:
        rest = [word for word in argv if word != "--user"] if typed else ["--no-user", *argv]
        prog = os.path.basename(sys.argv[0]) if sys.argv else ""
        pip = [prog] if prog.startswith("pip") else ["python", "-m", "pip"]
        plain = _command([*pip, "install", *rest])
        if plain is not None:
            fix = f"run `{plain}`" + ("" if typed else f" (or {unset})")
    return (
        f"pip install {asked} is refused: it would write into {user_site}; "
        f"pip here installs into {_this_environment()}: {fix}"
    )


def problem(options: Any, argv: list[str] | None = None) -> str | None:
    """Why this install must not run, or None. `argv`: its arguments as given, for the
    command a refusal suggests."""
    if _user_install(options):
        return _user_refusal(options, argv)
    protected: list[list[tuple[str, str]]] = []
    for names, said, dirs in _written(options):
        for directory in dirs:
            what = _where(_real(directory), protected)
            if what is not None:
                variables = ", ".join(f"PIP_{name[2:].upper()}" for name in names)
                # Under a base (a tool's python: tool.py), a plain install is refused
                # too (`_in_a_base`): no advice to leave the option out.
                fix = (
                    "make a virtual environment to install into"
                    if _under_a_base()
                    else f"leave out {' and '.join(names)} (and {variables}) to install "
                    f"into this environment ({sys.prefix})"
                )
                return (
                    f"pip install {said} would write into {what}, which pyrun keeps "
                    f"unchanged; {fix}, or name a directory of your own"
                )
    return None


def _under_a_base() -> bool:
    """Whether this Python is a base interpreter: no virtual environment, no conda
    environment, so its own site-packages is the base's."""
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix) or hasattr(sys, "real_prefix"):
        return False
    return not os.path.isdir(os.path.join(sys.prefix, "conda-meta"))


# pip's options that name a file or directory pip writes to, by their `dest` (the same
# in pips 23.2 to 25.0; ``build_dir`` is an older pip's ``--build``): what pip writes
# there. pip opens ``--log`` before the command runs, so they are checked as soon as
# pip has parsed them (`_guard`).
_WRITES = {
    "log": "its log",
    "json_report_file": "its report",
    "src_dir": "editable checkouts",
    "download_dir": "the files it downloads",
    "wheel_dir": "the wheels it builds",
    "cache_dir": "its cache",
    "build_dir": "its builds",
    "output_file": "its lock file",  # pip lock (25.1)
}
# The commands that unpack and build in temporary directories (``TMPDIR``).
_UNPACKING = ("install", "download", "wheel")


def _option(parser: Any, dest: str) -> Any:
    """pip's option that sets `dest` to a path (not ``--no-cache-dir``), or None."""
    for option in getattr(parser, "_long_opt", {}).values():
        if option.dest == dest and option.takes_value():
            return option
    return None


def _spelled(option: Any, dest: str) -> tuple[str, list[str]]:
    """How `dest` is given: its first long option, and the ``PIP_*`` variable of each of
    its long spellings (pip reads ``PIP_<OPTION>`` for every alias, and config files the
    same names)."""
    longs = list(getattr(option, "_long_opts", None) or ["--" + dest.replace("_", "-")])
    return longs[0], [f"PIP_{name[2:].upper().replace('-', '_')}" for name in longs]


def _names_destination(name: str, options: Any) -> bool:
    """Whether this is an install that names where it goes (``--target``, ``--prefix``,
    ``--root``): not into this environment, so judged by `problem` alone."""
    named = ("target_dir", "prefix_path", "root_path")
    return name == "install" and any(getattr(options, key, None) for key in named)


def _tool() -> str | None:
    """The name of the tool that ran this pip itself (``sys.executable -m pip``), or None.

    A console script from pyrun's isolated environments exports ``PYRUN_TOOL``, its pid
    (pyrun's tool.py); this pip's parent being that pid means the tool asked for it, not
    a shell or a script the tool started. Its name is its script's: the parent runs as
    ``python /path/bin/NAME`` (its ``#!`` line, or pip's ``/bin/sh`` trampoline when the
    interpreter's path is too long for one, which leaves the kernel's ``comm`` saying
    ``python``), else the kernel's ``comm``."""
    parent = os.getppid()
    if os.environ.get("PYRUN_TOOL", "") != str(parent):
        return None
    name = ""
    try:
        with open(f"/proc/{parent}/cmdline", "rb") as f:
            argv = f.read(65536).split(b"\0")
        if len(argv) > 1 and os.path.basename(argv[0]).startswith(b"python"):
            name = os.path.basename(argv[1]).decode("utf-8", "replace")
        if not name:
            with open(f"/proc/{parent}/comm", encoding="utf-8", errors="replace") as f:
                name = f.read().strip()
    except OSError:
        name = ""
    return name if name and not _UNSHOWABLE.search(name) else "the tool"


def _shared_change(name: str, options: Any) -> str | None:
    """Why this pip, run by a tool itself (``sys.executable -m pip``), must not change
    pyrun's shared environment it runs in. A tool with no discovery of its own
    (pip-sync) syncs ``sys.executable``'s environment, and would uninstall every tool
    there (issue #16). Started where ``python`` means another environment
    (``PYRUN_TOOL_PROJECT``), the tool may neither install nor uninstall there: the user
    is working on that project. Started where ``python`` means the shared environment,
    it may add to it, as the user's own ``pip install`` there does (a notebook's
    extension manager), but not take from it: no tool empties the shared environment.
    An install that names its destination goes elsewhere and is judged by `problem`."""
    data = _data_dir()
    if data is None or not _isolated(data):
        return None
    if _names_destination(name, options):
        return None
    project = os.environ.get("PYRUN_TOOL_PROJECT", "")
    if not project and name != "uninstall":
        return None
    tool = _tool()
    if tool is None:
        return None
    if not project:
        return (
            f"{tool} would uninstall from pyrun's shared environment {sys.prefix} (your "
            f"tools in every directory), which no tool empties; give {tool} a virtual environment "
            f"of its own to change (python -m venv .venv), or run pip uninstall yourself"
        )
    python = _command([os.path.join(project, "bin", "python")])
    point = f"tell {tool} to use {python}, or " if python else ""
    # The variable is the environment's: a project directory named with a newline or an
    # escape sequence (or a program that sets it) must not write to the terminal raw.
    where = "a project" if _UNSHOWABLE.search(project) else project
    return (
        f"{tool} would {'install into' if name == 'install' else 'uninstall from'} pyrun's "
        f"shared environment {sys.prefix} (your tools in "
        f"every directory) from {where}, where python means that environment; "
        f"{point}install {tool} into that environment"
    )


def _in_a_base(name: str, options: Any) -> str | None:
    """Why this pip, which pyrun guards, must not install or uninstall at all: it runs
    under a base interpreter (no virtual environment, no conda environment), so its own
    site-packages is the base's. pip's ``--python`` (``PIP_PYTHON``) does that: pip runs
    itself again under the interpreter named, with this guard loaded there too. An
    install that names its destination is judged by `problem` instead."""
    if not _under_a_base() or _names_destination(name, options):
        return None
    said = f"pip {name} would change the base interpreter {sys.prefix} ({sys.executable})"
    tool = _tool()
    if tool is not None:  # pyrun's tool.py: a tool's own python is the base
        return (
            f"{said}, which pyrun keeps unchanged; {tool} runs python as that base (as "
            f"without pyrun): make a virtual environment to {name} into"
        )
    return (
        f"{said}, which pyrun keeps unchanged; leave out pip's --python (and PIP_PYTHON) to "
        f"{name} in the environment pyrun chose, or name a virtual environment's python"
    )


def written_problem(
    name: str, options: Any, parser: Any = None, argv: list[str] | None = None
) -> str | None:
    """Why pip's command `name` must not run with these parsed `options` (from the
    command line, ``PIP_*`` variables and config files alike), or None: an install
    whose destination is protected (`problem`), or any option of `_WRITES` (or, for the
    commands that unpack, ``TMPDIR``) naming a path in a protected place. A path is
    compared resolved whole (a link at the name is followed, as pip's ``open`` does).

    A value that is pip's own default is not the user's choice and is not checked
    (``--src`` defaults to ``./src`` outside a venv, the cache to ``~/.cache/pip``), nor
    is the temporary directory unless ``TMPDIR``, ``TEMP`` or ``TMP`` names it: a plain
    command reads no list of bases. `argv`, the command's arguments as given, shapes the
    command a ``--user`` refusal suggests."""
    if name in ("install", "uninstall"):
        why = (
            _in_a_base(name, options)
            or _shared_change(name, options)
            or (problem(options, argv) if name == "install" else None)
        )
        if why is not None:
            return why
    protected: list[list[tuple[str, str]]] = []
    for dest, thing in _WRITES.items():
        value = getattr(options, dest, None)
        if not isinstance(value, str) or not value or (dest == "json_report_file" and value == "-"):
            continue
        option = _option(parser, dest)
        if option is not None and value == option.default:
            continue
        what = _where(_real(value), protected)
        if what is not None:
            spelled, variables = _spelled(option, dest)
            return (
                f"pip {name} {spelled} {value} would write {thing} into {what}, which pyrun "
                f"keeps unchanged; leave out {spelled} (and {', '.join(variables)}), or name "
                "a path of your own"
            )
    if name in _UNPACKING and any(os.environ.get(v) for v in ("TMPDIR", "TEMP", "TMP")):
        import tempfile

        temporary = tempfile.gettempdir()
        what = _where(_real(temporary), protected)
        if what is not None:
            return (
                f"pip {name} would write its temporary files into {what} (TMPDIR "
                f"{temporary}), which pyrun keeps unchanged; set TMPDIR to a directory of "
                "your own"
            )
    return None


# setuptools' and distutils' commands that install, by class name (a project's own
# command subclasses one of them), and the finalized attributes naming where each
# writes: ``--root`` has already moved them, ``--user`` pointed them at the user site.
_INSTALLING = {
    "install": (
        "install_lib",
        "install_purelib",
        "install_platlib",
        "install_scripts",
        "install_data",
        "install_headers",
    ),
    "install_lib": ("install_dir",),
    "install_scripts": ("install_dir",),
    "install_data": ("install_dir",),
    "install_headers": ("install_dir",),
    "install_egg_info": ("install_dir", "target"),
    "develop": ("install_dir", "script_dir"),
    "easy_install": ("install_dir", "script_dir"),
}
_SETUP_PROTECTED: list[list[tuple[str, str]]] = []  # read once per setup.py run


def setup_problem(command: Any, dist: Any) -> str | None:
    """Why the finalized setuptools/distutils `command` must not run, or None: it
    installs into a protected place. Only what the command writes counts: ``install``'s
    headers directory when the project has headers."""
    kind = next((c.__name__ for c in type(command).__mro__ if c.__name__ in _INSTALLING), None)
    for attr in _INSTALLING.get(kind or "", ()):
        if attr == "install_headers" and not getattr(dist, "has_headers", lambda: True)():
            continue
        value = getattr(command, attr, None)
        if not isinstance(value, str) or not value:
            continue
        what = _where(_real(value), _SETUP_PROTECTED)
        if what is not None:
            name = getattr(command, "get_command_name", lambda: kind)()
            return (
                f"setup.py {name} would write into {what} ({attr.replace('_', '-')} "
                f"{value}), which pyrun keeps unchanged; leave out --prefix, --home, "
                "--root, --user and --install-* (and their setup.cfg settings) to install "
                f"into this environment ({sys.prefix}), or name a directory of your own"
            )
    return None


def guard_distutils(module: Any) -> None:
    """Wrap `module`'s (``distutils.dist``'s or ``setuptools._distutils.dist``'s)
    ``Distribution.run_command``: an installing command (`_INSTALLING`) is finalized,
    as running it would, and refused in one line if it would write into a protected
    place (`setup_problem`), before it runs. setuptools' own Distribution calls this
    one; ``install`` runs its sub-commands through it, so each is checked too.

    Called by an isolated environment's import hook (envguard.py) right after the
    module has run, whichever distutils it is (the standard library's, up to 3.11, or
    setuptools' copy behind its ``distutils`` alias)."""
    cls = getattr(module, "Distribution", None)
    run = getattr(cls, "run_command", None)
    if run is None or getattr(run, "_pyrun_guarded", False):
        return

    def run_command(self: Any, command: str) -> Any:
        if not getattr(self, "have_run", {}).get(command):
            obj = self.get_command_obj(command)
            if any(c.__name__ in _INSTALLING for c in type(obj).__mro__):
                obj.ensure_finalized()
                why = setup_problem(obj, self)
                if why is not None:
                    sys.stderr.write(f"pyrun: {why}\n")
                    raise SystemExit(1)
        return run(self, command)

    run_command._pyrun_guarded = True  # type: ignore[attr-defined]
    cls.run_command = run_command  # type: ignore[union-attr]


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
    """Check `command`'s options as soon as pip has parsed them (`written_problem`),
    before pip opens its ``--log`` or runs the command; refuse in one line, exit 1.
    Around an install or uninstall, keep the console script shims current."""
    parse: Callable[[Any], Any] | None = getattr(command, "parse_args", None)
    if parse is not None:

        def parse_args(args: Any) -> Any:
            parsed = parse(args)
            why = written_problem(name, parsed[0], getattr(command, "parser", None), list(args))
            if why is not None:
                sys.stderr.write(f"pyrun: {why}\n")
                raise SystemExit(1)
            return parsed

        command.parse_args = parse_args
    if name not in ("install", "uninstall"):
        return
    run: Callable[[Any, Any], int] = command.run

    def guarded(options: Any, args: Any) -> int:
        if parse is None:  # a pip without parse_args: the install check, at least
            why = problem(options) if name == "install" else None
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
    """Wrap every command when pip creates it (`_guard`).

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
        _guard(command, name)
        return command

    create_command._pyrun_guarded = True  # type: ignore[attr-defined]
    commands.create_command = create_command
