"""The one exception type users see: a single line naming the problem and the fix."""

from __future__ import annotations


class PyrunError(Exception):
    """An error shown as ``pyrun: <message>`` with a non-zero exit and no traceback."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
