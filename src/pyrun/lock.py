"""An exclusive lock around creating one environment.

``flock`` is released by the kernel when its holder dies, so a ``kill -9`` never leaves
a lock behind: a lock file naming a dead process is simply taken. The holder's pid is
written inside only to name it while others wait. A live holder is waited for, with a
message after a second, for at most ``PYRUN_LOCK_TIMEOUT`` seconds (300 by default).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyrun.errors import PyrunError, disk_error

DEFAULT_TIMEOUT = 300.0


def _timeout() -> float:
    value = os.environ.get("PYRUN_LOCK_TIMEOUT", "")
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise PyrunError(
            f"PYRUN_LOCK_TIMEOUT={value!r} is not a number of seconds above 0; "
            "unset it or set it to, say, 300"
        )
    return seconds


@contextmanager
def exclusive(path: Path, what: str, timeout: float | None = None) -> Iterator[None]:
    timeout = _timeout() if timeout is None else timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise disk_error(f"create the lock file {path} (for {what})", exc) from None
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PyrunError(
                        f"timed out after {timeout:.0f}s waiting for {holder(path)} to finish "
                        f"{what}; if it is stuck, stop it and run the command again"
                    ) from None
                if not told and time.monotonic() > deadline - timeout + 1.0:
                    print(f"pyrun: waiting for {holder(path)} to finish {what}", file=sys.stderr)
                    told = True
                time.sleep(0.02)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError:
            pass  # a full disk: the pid only names the holder to those who wait
        yield
    finally:
        os.close(fd)


def holder(path: Path) -> str:
    import psutil  # only when someone else holds the lock: not on the common path

    try:
        pid = int(path.read_text().strip() or "0")
    except (OSError, ValueError):
        pid = 0
    if pid and psutil.pid_exists(pid):
        return f"another pyrun (pid {pid})"
    return "another pyrun"
