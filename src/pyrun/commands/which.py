"""``pyrun which [NAME] [--json]``: the program a shim would run here, and why there."""

from __future__ import annotations

import json

from pyrun import label, shims
from pyrun.discovery import print_warnings, resolve
from pyrun.paths import Paths


def run(name: str, as_json: bool) -> int:
    paths = Paths.from_env()
    resolution = resolve(shims.request_for(paths, name), paths, create=False)
    print_warnings(resolution)
    if as_json:
        print(
            json.dumps(
                {
                    "name": name,
                    "program": resolution.argv[0],
                    "argv": resolution.argv,
                    "environment": str(resolution.environment),
                    "source": resolution.kind,
                    "base": resolution.base,
                    # where that base was found, and by which step (PATH, conda base,
                    # installed: uv's or pyenv's directory off PATH)
                    "found_at": resolution.found_at,
                    "found_by": resolution.source.value if resolution.isolated else None,
                    "ready": resolution.ready,
                    # a console script the environment lacks: the next on PATH runs
                    "passthrough": resolution.passthrough,
                    # a console script the environment lacks, installed once in this
                    # isolated environment: its copy runs
                    "shared_env": resolution.shared_env,
                    "label": label.for_environment(resolution.kind, resolution.environment),
                    # the .python-version that asked for a version, when one did
                    "version_file": resolution.pin.path if resolution.pin else None,
                    "requested": resolution.request.minor,
                },
                indent=2,
            )
        )
    else:
        print(resolution.argv[0])
    return 0
