"""``pyrun uninstall [--all] [--dry-run]``: take pyrun out of the way, and with
``--all`` leave nothing of it behind.

Why two levels: the shims and the hook lines are what change what ``python`` means, so
plain ``uninstall`` removes exactly those (the shims directory, and the block
``pyrun init`` wrote in every shell's rc file, taken out by init's own undo). The
isolated environments hold what the user ``pip install``-ed, so they, the records,
the pip copy, the saved package lists, the caches and pyrun itself (install.sh's
``tool`` venv in the data directory, and its ``pyrun`` launcher link) go only with
``--all``; without it a line says what was kept and how to remove it. The config
file is the user's own writing and is never removed: a line names it. So is a hook
line written by hand (init.hand_written): it is named with its file and line number
and what it does if it stays (makes the shims again; after ``--all``, fails in every
new shell), never edited.

Why the refusal: ``--all`` ends in removing directories under ``PYRUN_DATA_DIR``, and
a typo there (``PYRUN_DATA_DIR=$HOME``) must not cost a home directory. Before
anything is touched the data directory must look like pyrun's: not the home directory
or above it, nothing in it but the names pyrun makes (`LAYOUT`), its shims directory
holding nothing but pyrun's shims (and rehash's ``pyrun`` link, shims.COMMAND).
Otherwise one line refuses and nothing changes.
Only entries pyrun itself names are removed, never the data directory with ``rm -rf``:
it goes last with ``rmdir``, once empty.

One line per action; ``--dry-run`` prints the same lines with "would" and changes
nothing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from pyrun import compiled
from pyrun.commands import init
from pyrun.environment import is_pyrun_shim, samefile
from pyrun.errors import PyrunError
from pyrun.paths import Paths
from pyrun.shells import SHELLS
from pyrun.shims import COMMAND, GENERATION, STAMP

# Everything pyrun makes in its data directory (paths.py, compiled.py's cache,
# install.sh's tool venv), in the order --all removes them: the shims first, so
# `python` stops going through pyrun at once, and pyrun itself last.
LAYOUT: dict[str, str] = {
    "shims": "the shims",
    "envs": "the isolated environments",
    "by-path": "the records of base interpreters",
    "pip": "the shared copy of pip",
    "saved": "the saved package lists",
    "locks": "the lock files",
    "cache": "the caches",
    "script-envs": "the list of environments whose console scripts have shims",
    "tool.old": "a previous install.sh install, set aside",
    "tool": "pyrun itself (install.sh's virtual environment)",
}
KEPT_WITHOUT_ALL = ("envs", "by-path", "pip", "saved", "locks", "cache", "script-envs")
FILES = ("script-envs",)  # the names in LAYOUT that are files, not directories


@dataclass
class Report:
    dry_run: bool
    failed: bool = False

    def did(self, action: str, what: str) -> None:
        """One line per action: "removed ..." or, in a dry run, "would remove ..."."""
        verb = f"would {action}" if self.dry_run else _past(action)
        print(f"pyrun: {verb} {what}")

    def say(self, text: str) -> None:
        print(f"pyrun: {text}")


def _past(action: str) -> str:
    return {"remove": "removed", "keep": "kept"}.get(action, action)


def _shown(path: Path | str) -> str:
    return shlex.quote(str(path))


def not_pyrun(paths: Paths, environ: dict[str, str]) -> str | None:
    """Why `paths.data` does not look like pyrun's data directory, or None when it does
    (or is not there). Read only; nothing is touched before this says None."""
    data = paths.data
    if not os.path.lexists(data):
        return None
    why = " (PYRUN_DATA_DIR)" if environ.get("PYRUN_DATA_DIR") else ""
    fix = "unset PYRUN_DATA_DIR or point it at pyrun's own directory" if why else "look at it"
    home = environ.get("HOME") or os.path.expanduser("~")
    real = os.path.realpath(data)
    if real == "/" or (home and os.path.realpath(home).startswith(real.rstrip("/") + "/")):
        return f"{data}{why} is your home directory or above it, not pyrun's; {fix}"
    if samefile(real, home):
        return f"{data}{why} is your home directory, not pyrun's; {fix}"
    if not os.path.isdir(data):
        return f"{data}{why} is not a directory, so not pyrun's; {fix}"
    try:
        entries = sorted(os.listdir(data))
    except OSError as exc:
        return f"cannot read {data}: {exc.strerror or exc}"
    foreign = [name for name in entries if name not in LAYOUT]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        return (
            f"{data}{why} holds {shown}, which pyrun does not make, so it may not be "
            f"pyrun's data directory; {fix}, or move those out"
        )
    for name in entries:
        if name in FILES:
            if not os.path.isfile(data / name) or os.path.islink(data / name):
                return f"{data / name} is not a file, so {data}{why} is not pyrun's; {fix}"
        elif not os.path.isdir(data / name):
            return f"{data / name} is not a directory, so {data}{why} is not pyrun's; {fix}"
    return _foreign_shim(paths)


def _foreign_shim(paths: Paths) -> str | None:
    """The shims directory must hold pyrun's shims only: its files are removed."""
    if not paths.shims.is_dir():
        return None
    for entry in sorted(paths.shims.iterdir()):
        name = entry.name
        if name in (STAMP, GENERATION, compiled.BINARY) or name.startswith(GENERATION + "."):
            continue
        if name.startswith(".") and name.endswith(".tmp"):
            continue
        if name == COMMAND and entry.is_symlink():
            continue  # rehash's link to pyrun itself: unlinking it removes no program
        if not is_pyrun_shim(entry):
            return (
                f"{entry} is not a pyrun shim, so {paths.shims} may not be pyrun's shims "
                "directory; move it out and run `pyrun uninstall` again"
            )
    return None


def _remove(path: Path) -> None:
    """A symlink is unlinked (what it points at stays), a directory removed with all in it."""
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path)


def _hook_lines(report: Report, everything: bool) -> None:
    """Take the pyrun block out of every shell's rc file, as ``pyrun init --undo``, and
    name each hook line written by hand (init.hand_written) with its file and line
    number: the user's writing, so not edited, but without pyrun it fails in every
    new shell (after ``--all``, `pyrun` is gone)."""
    seen: set[Path] = set()
    for shell in SHELLS.values():
        try:
            rc = init.rc_path(shell)
            if rc in seen:
                continue
            seen.add(rc)
            text = init.read_rc(rc)
            updated, had_block = init.without_blocks(text)
        except PyrunError as exc:
            report.say(f"left the {shell.name} rc file alone: {exc.message}")
            report.failed = True
            continue
        if had_block:
            if not report.dry_run:
                init.write_rc(rc, updated)
            report.did("remove", f"the pyrun block from {rc}")
        # Line numbers as the file is now: after the edit, or untouched in a dry run.
        for number, line in init.hand_written(text if report.dry_run else updated, shell):
            why = (
                ": with pyrun gone, it fails in every new shell"
                if everything
                else ", or every new shell makes the shims again"
            )
            report.did(
                "keep",
                f"line {number} of {rc} ({line}): it runs `pyrun hook {shell.name}` and was "
                f"written by hand, not by pyrun init; remove it yourself{why}",
            )


def _launchers(paths: Paths, environ: dict[str, str]) -> list[Path]:
    """install.sh's `pyrun` links: symlinks named pyrun, in PYRUN_BIN_DIR, ~/.local/bin
    or on PATH, that point at the tool venv's pyrun. Nothing else is pyrun's to remove."""
    target = paths.data / "tool" / "bin" / "pyrun"
    dirs = [environ.get("PYRUN_BIN_DIR", "")]
    home = environ.get("HOME")
    if home:
        dirs.append(os.path.join(home, ".local", "bin"))
    dirs += environ.get("PATH", "").split(os.pathsep)
    found: list[Path] = []
    for directory in dirs:
        if not os.path.isabs(directory) or samefile(directory, paths.shims):
            continue  # the shims directory's pyrun link goes with the shims
        link = Path(directory) / "pyrun"
        if not link.is_symlink() or link in found:
            continue
        try:
            pointed = os.path.join(directory, os.readlink(link))
        except OSError:
            continue
        if os.path.normpath(pointed) == str(target) or (
            os.path.realpath(pointed) == os.path.realpath(target)
        ):
            found.append(link)
    return found


def _data(paths: Paths, everything: bool, report: Report, environ: dict[str, str]) -> None:
    data = paths.data
    present = [
        name
        for name in LAYOUT
        if (data / name).is_dir()
        or (data / name).is_symlink()
        or (name in FILES and (data / name).is_file())
    ]
    launchers = _launchers(paths, environ)
    if "shims" in present:
        count = sum(
            1
            for entry in paths.shims.iterdir()
            if not (entry.name.startswith(".") or entry.name == COMMAND)
        )
        report.did("remove", f"the shims directory {paths.shims} ({count} shims)")
        if not report.dry_run:
            _remove(paths.shims)
    if everything:
        for name in present:
            if name == "shims":
                continue
            report.did("remove", f"{LAYOUT[name]}: {data / name}")
            if not report.dry_run:
                _remove(data / name)
        for link in launchers:
            report.did("remove", f"the pyrun command {link} (install.sh's link to {data}/tool)")
            if not report.dry_run:
                link.unlink()
        if os.path.isdir(data) and not data.is_symlink():
            report.did("remove", f"the data directory {data}")
            if not report.dry_run:
                data.rmdir()  # empty now: only what pyrun names was removed
        elif data.is_symlink():
            report.say(f"kept {data}: a symlink of yours (to {os.readlink(data)})")
        return
    kept = [LAYOUT[name].removeprefix("the ") for name in KEPT_WITHOUT_ALL if name in present]
    if kept:
        envs = paths.envs
        count = (
            len([e for e in envs.iterdir() if not e.name.startswith(".")]) if envs.is_dir() else 0
        )
        if count and kept[0] == "isolated environments":
            kept[0] = f"{count} isolated environment{'s' if count != 1 else ''}"
        report.say(
            f"kept {data}: {', '.join(kept)} (what pip installed stays); "
            "`pyrun uninstall --all` removes them"
        )
    if "tool" in present:
        links = "".join(f" and the pyrun command {link}" for link in launchers)
        report.say(
            f"kept pyrun itself: {data / 'tool'}{links} (install.sh's); "
            "`pyrun uninstall --all` removes them too"
        )


def _itself(paths: Paths, report: Report) -> None:
    """How to remove pyrun when install.sh did not install it (--all cannot know how)."""
    tool = paths.data / "tool"
    if samefile(sys.prefix, tool) or os.path.realpath(sys.prefix) == os.path.realpath(tool):
        return
    report.say(
        f"pyrun itself runs from {sys.prefix}, not from install.sh's {tool}: remove it the "
        f"way you installed it (with pip: `{_shown(sys.executable)} -m pip uninstall pyrun`)"
    )


def run(everything: bool, dry_run: bool) -> int:
    environ = dict(os.environ)
    paths = Paths.from_env()
    problem = not_pyrun(paths, environ)
    if problem is not None:
        raise PyrunError(f"refusing to uninstall: {problem}")
    shims_on_path = any(
        entry and samefile(entry, paths.shims) for entry in environ.get("PATH", "").split(":")
    )
    report = Report(dry_run)
    _hook_lines(report, everything)
    if os.path.isdir(paths.data):
        _data(paths, everything, report, environ)
    else:
        report.say(f"no data directory at {paths.data}: nothing of pyrun's there")
    if paths.config.is_dir():
        report.say(
            f"kept your settings in {paths.config}; remove them with `rm -r {_shown(paths.config)}`"
        )
    _itself(paths, report)
    if not dry_run and (environ.get("PYRUN_ENV_KIND") or shims_on_path):
        report.say("open a new shell: this one still has pyrun's hook or shims on PATH")
    return 1 if report.failed else 0
