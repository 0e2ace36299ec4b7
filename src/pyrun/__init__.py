"""pyrun: `python` and `pip` resolve to the environment of the directory you are in.

The package is the slow path behind the generated shims (compiled, or POSIX sh): it
explains, creates and repairs. The steady state never imports it.
"""

__version__ = "0.1.0"
