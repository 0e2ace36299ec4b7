"""``pyrun why [NAME]``: the discovery trail, one line per step, in order."""

from __future__ import annotations

import sys

from pyrun import label, shims
from pyrun.discovery import DiscoveryError, Step, resolve
from pyrun.paths import Paths
from pyrun.sources import ORDER
from pyrun.version_file import Pin


def _show(trail: list[Step], pin: Pin | None) -> None:
    if pin is not None:
        print(f"0. version file: {label.inert(pin.describe())}")
        for line in pin.skipped:
            print(f"   skipped the line {label.inert(line)!r}: not a version pyrun reads")
    numbers = {source: index for index, source in enumerate(ORDER, start=1)}
    for step in trail:
        print(f"{numbers[step.source]}. {step.source.label}: {step.outcome.value}: {step.detail}")


def run(name: str) -> int:
    paths = Paths.from_env()
    try:
        resolution = resolve(shims.request_for(paths, name), paths, create=False)
    except DiscoveryError as exc:
        _show(exc.trail, exc.pin)
        print(f"=> {name}: error: {exc.message}")
        return exc.exit_code
    _show(resolution.trail, resolution.pin)
    for warning in resolution.warnings:
        print(f"pyrun: {warning}", file=sys.stderr)
    if resolution.shared_env is not None:
        print(
            f"   {resolution.environment} has no {name}: the one installed in pyrun's "
            f"isolated environment {resolution.shared_env} runs (installed once, run "
            "everywhere; a copy in the environment would win)"
        )
    print(f"=> {name} runs {' '.join(resolution.argv)}")
    return 0
