"""Answer many ``pyrun which NAME --json`` questions in one process.

tests/test_uv_agreement.py asks pyrun hundreds of questions; a process for each spent
most of that test's time starting Python. This runs the very ``main()`` the ``pyrun``
console script runs, once per question, each in its own working directory and with
its own environment (os.environ replaced, so nothing carries over), and reports exit
status, stdout and stderr as the console script would have. pyrun keeps no state in
memory between calls (its caches are files, shared by separate processes anyway).

Usage: python which_many.py < questions.json > answers.json, where each question is
{"cwd": ..., "env": {...}, "name": ...}.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

from pyrun import cli


def answer(question: dict) -> dict:
    os.chdir(question["cwd"])
    os.environ.clear()
    os.environ.update(question["env"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["which", question["name"], "--json"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


if __name__ == "__main__":
    json.dump([answer(question) for question in json.load(sys.stdin)], sys.stdout)
