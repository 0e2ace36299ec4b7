"""The one exception type users see: a single line naming the problem and the fix."""

from __future__ import annotations

import errno
import os


class PyrunError(Exception):
    """An error shown as ``pyrun: <message>`` with a non-zero exit and no traceback."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


# What a user can do about a failed write to pyrun's data directory. Moving the data
# directory is always a way out, so every hint offers it (README: PYRUN_DATA_DIR).
# "{where}" is the directory holding the file that failed.
_DISK_FIXES = {
    errno.ENOSPC: "free some space there, or set PYRUN_DATA_DIR to a directory on another disk",
    errno.EDQUOT: "free some of your disk quota, or set PYRUN_DATA_DIR to a directory elsewhere",
    errno.EACCES: "make {where} writable for you, or set PYRUN_DATA_DIR to a directory that is",
    errno.EPERM: "make {where} writable for you, or set PYRUN_DATA_DIR to a directory that is",
    errno.EROFS: "{where} is on a read-only file system: set PYRUN_DATA_DIR to a writable one",
}
DISK_ERRNOS = frozenset(_DISK_FIXES)


def disk_error(what: str, exc: OSError) -> PyrunError:
    """The one line for a write that failed (a full disk, a read-only directory): what
    pyrun could not do, the system's reason and the file it named, and the way out.

    A traceback would tell the user nothing they can act on, and the venv module's own
    message ("Error: [Errno 28] ...") hides that the fix is about the disk, not Python.
    """
    reason = exc.strerror.lower() if exc.strerror else str(exc)
    # A copy or rename names its source first; the file that could not be written is
    # the second name when there is one.
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)  # any file there: `what` says where
    if path is not None and str(path) not in what and not full:
        reason += f" ({path})"
    fix = _DISK_FIXES.get(exc.errno or 0, "check that disk, or set PYRUN_DATA_DIR elsewhere")
    holder = os.path.dirname(os.path.normpath(os.fspath(path))) if path else "that directory"
    return PyrunError(f"cannot {what}: {reason}; {fix.format(where=holder)}")
