"""The working directory and each of its parents up to ``/``, walked by directory
descriptor: the `.venv` step (discovery.py) and the version file (version_file.py).

Why descriptors: a path-based walk resolves every ancestor's full path again at each
level, so it costs the square of the depth, and a path longer than PATH_MAX (4096)
cannot be looked up at all, so a `.venv` above such a working directory was missed.
And ``os.getcwd()`` of such a directory is glibc's fallback, which walks ``..`` by
ever longer relative paths: 3 s at 20,000 levels, paid twice per ``python``. Here
each level is the ``..`` of the one below (the physical working directory has no
symlinks, so that is the parent its path names), and the checks are relative to it,
as shims/shim.c does. Its path is worked out only for the level where something is
found, and only when the working directory's own is too long to know.

Where ``..`` cannot be opened (an ancestor nobody may search), the walk goes on by
path, as the path-based walk did, when the path is known; above a too-long working
directory it ends there (SAFETY.md, known limits).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

# O_PATH: the walk needs no read permission on a directory to look inside it by name.
_DIR_FLAGS = getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY | os.O_CLOEXEC


def physical_cwd() -> str | None:
    """``os.getcwd()``, or None when it is longer than the kernel reports (PATH_MAX),
    told without glibc's slow fallback: the kernel refuses /proc/self/cwd at once.
    Raises FileNotFoundError when the working directory was deleted."""
    try:
        os.readlink("/proc/self/cwd")
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return None
    return os.getcwd()


class Level:
    """One directory of the walk: its descriptor (None once the walk goes by path) and
    its path (None while it is too long to know)."""

    def __init__(self, fd: int | None, path: str | None) -> None:
        self.fd = fd
        self.path = path

    def _stat(self, name: str, follow: bool = True) -> os.stat_result | None:
        try:
            if self.fd is not None:
                return os.stat(name, dir_fd=self.fd, follow_symlinks=follow)
            if self.path is None:
                return None
            return os.stat(os.path.join(self.path, name), follow_symlinks=follow)
        except (OSError, ValueError):
            return None

    def is_file(self, name: str) -> bool:
        """``[ -f DIR/name ]``."""
        st = self._stat(name)
        return st is not None and stat.S_ISREG(st.st_mode)

    def exists(self, name: str) -> bool:
        """``[ -e DIR/name ]``."""
        return self._stat(name) is not None

    def is_dir_or_link(self, name: str) -> bool:
        """``[ -d DIR/name ] || [ -L DIR/name ]``: a link counts either way."""
        st = self._stat(name, follow=False)
        if st is None:
            return False
        if stat.S_ISLNK(st.st_mode):
            return True
        return stat.S_ISDIR(st.st_mode)

    def resolved_path(self) -> str | None:
        """This directory's path; None when it is longer than PATH_MAX (nothing there
        could be run by its path either)."""
        if self.path is not None:
            return self.path
        if self.fd is None:
            return None
        try:
            found = os.readlink(f"/proc/self/fd/{self.fd}")
        except OSError:
            return None
        return found if found.startswith("/") else None


def walk_up(cwd: str | None) -> Iterator[Level]:
    """Each directory from the working directory (whose path is `cwd`, None when too
    long to know) up to ``/``. A Level's descriptor is closed when the next is made.

    With a known path the walk goes by path, as the shims do: a lookup relative to a
    descriptor needs no search permission on the directories above it, so it would
    see a `.venv` under an ancestor nobody may search, which the shims cannot
    (tests/test_disk_faults.py). Descriptors serve only past PATH_MAX."""
    if cwd is not None:
        path = cwd
        while True:
            yield Level(None, path)
            if path == "/":
                return
            path = os.path.dirname(path)
    try:
        fd: int | None = os.open(".", _DIR_FLAGS)
    except OSError:
        fd = None
    path = cwd
    try:
        while True:
            yield Level(fd, path)
            if path == "/":
                return
            up: int | None = None
            if fd is not None:
                try:
                    up = os.open("..", _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    up = None
                if up is not None and os.path.samestat(os.fstat(up), os.fstat(fd)):
                    os.close(up)  # `..` of the root is the root
                    return
                os.close(fd)
            fd = up
            path = os.path.dirname(path) if path is not None else None
            if fd is None and path is None:
                return  # an unsearchable ancestor above a too-long working directory
    finally:
        if fd is not None:
            os.close(fd)
