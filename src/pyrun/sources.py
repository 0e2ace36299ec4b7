"""The discovery order, as data: the one list both the resolver and its messages read.

The shim (shims/shim.sh) walks the same steps in the same order; a test runs both on
the same cases. Changing the order means changing ORDER here, the shim, and that test.
What a step came to is an `Outcome`, whose value is the word ``pyrun why`` shows.
"""

from __future__ import annotations

from enum import Enum


class Source(Enum):
    """Where an environment came from; the value is what ``which --json`` reports."""

    VIRTUAL_ENV = "VIRTUAL_ENV"
    CONDA_PREFIX = "CONDA_PREFIX"
    DOT_VENV = ".venv"
    CONDA_BASE = "conda base"
    PATH = "PATH"
    INSTALLED = "installed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Source.VIRTUAL_ENV: "active virtual environment (VIRTUAL_ENV)",
    Source.CONDA_PREFIX: "active conda environment (CONDA_PREFIX)",
    Source.DOT_VENV: "nearest .venv from the working directory",
    Source.CONDA_BASE: "conda base environment (CONDA_PREFIX, a base interpreter)",
    # An environment's interpreter (a venv's or a named conda env's bin on PATH) is used
    # as it is; a base interpreter runs as its isolated environment.
    Source.PATH: "first Python interpreter on PATH",
    Source.INSTALLED: "a Python uv or pyenv installed, not on PATH (a base interpreter)",
}

ORDER: tuple[Source, ...] = (
    Source.VIRTUAL_ENV,
    Source.CONDA_PREFIX,
    Source.DOT_VENV,
    Source.CONDA_BASE,
    Source.PATH,
    Source.INSTALLED,
)


def describe_order() -> str:
    """One line listing the order, for "nothing found" messages that cannot drift."""
    return ", ".join(source.label for source in ORDER)


class Outcome(Enum):
    """What one step of the walk came to, as the trail records it; the value is the
    word ``pyrun why`` and the slow path's PYRUN_DEBUG lines show (README quotes it)."""

    FOUND = "found"  # this step answered: the walk ends here
    SKIPPED = "skipped"  # looked, did not count (the detail says why): the walk goes on
    FOLLOWED = "followed"  # a pyenv shim on PATH, read as the interpreter pyenv would run
    ERROR = "error"  # the walk ends with this step's one-line error
    NOT_LOOKED_AT = "not looked at"  # a step after the one that answered
    PASSED_THROUGH = "passed through"  # a script the environment lacks: the next on PATH
