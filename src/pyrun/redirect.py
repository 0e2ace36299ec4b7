"""`.venv` redirect files: a `.venv` that is a file holding the path of the environment
to use (the draft PEP 832), read as uv 0.13.9 reads it.

The path is relative to the directory holding the file, or absolute; exactly one
trailing ``\\n`` or ``\\r\\n`` is not part of it, and nothing else is taken off (a
space, a tab or a second line stays, and then usually names nothing). ``~`` is not
expanded. The walk stops at such a file, as at a `.venv` directory.

Where pyrun reads it more strictly than uv (README's table): it is opened without
blocking and read up to MAX_BYTES (a sparse terabyte or a FIFO swapped in must not
hang a ``python``), and a NUL byte or text that is not UTF-8 is an error rather than a
path. shims/shim.c (redirect_target) and shims/shim.sh (pyrun_redirect) read the
common cases themselves and hand the rest to this copy.
"""

from __future__ import annotations

import os
import stat

from pyrun import ownership

# As a version file (version_file.MAX_BYTES): a path is far shorter.
MAX_BYTES = 4096


class Unreadable(Exception):
    """What is wrong with a redirect file, said after its path."""


def read(path: str) -> str:
    """The path the redirect file `path` holds, as written; raises Unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("is no longer a regular file")
        data = ownership.read_at_most(fd, MAX_BYTES)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if data is None:
        raise Unreadable(f"is larger than a redirect file ({MAX_BYTES} bytes at most)")
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        raise Unreadable("is empty")
    if b"\0" in data:
        raise Unreadable("holds a NUL byte")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("is not UTF-8 text") from None


def target(path: str, text: str) -> str:
    """Where `text`, read from the redirect file `path`, points: joined to the
    directory holding the file and normalised lexically (``..`` takes off the name
    before it), as uv does; that is the path run, so it is also the path judged."""
    return os.path.abspath(os.path.join(os.path.dirname(path), text))
