"""Which pip can run on which Python, and which pips pyrun can find without the network.

A pip's ``Requires-Python`` is not enough to tell: pip 23.0.1 declares ``>=3.7`` and
crashes on Python 3.12 at its first start (``pkgutil.ImpImporter``, which 3.12 removed).
So a pip *fits* a Python when all of these hold:

* its version is at least `FIRST_PIP` for that CPython minor version: the first pip
  release known to run on it (the one CPython's own ensurepip shipped with the ``.0``
  release; for 3.12 the first that does not crash, pypa/pip#12358). For a minor version
  newer than the table, at least the table's last entry and at least the pip that
  interpreter bundles in ``ensurepip/_bundled`` when it has one (CPython ships a pip that
  runs on it); older minor versions are left to ``Requires-Python``;
* its ``Requires-Python`` admits the interpreter's version;
* it is at least `GUARD_PIP`: pyrun's install guard (pipguard.py) wraps pip's
  ``create_command``, which older pips lack, and a shared pip without the guard could
  write into the base interpreter.

The pips found offline (`candidates`): the copies already under ``$data/pip``, the pip
of pyrun's own environment, the ``ensurepip/_bundled/pip-*.whl`` of the base
interpreters pyrun knows, and the distribution's ``/usr/share/python-wheels/pip-*.whl``
(Debian's and Fedora's python3-pip-whl). `choose` takes the newest that fits.

Nothing here runs an interpreter: versions come from file names and metadata.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pyrun import ownership

# The first pip known to run on each CPython minor version, and why.
FIRST_PIP = {
    "3.9": "20.2.3",  # bundled with CPython 3.9.0
    "3.10": "21.2.3",  # bundled with 3.10.0; fixes the scheme check for 3.10 (pip #10252)
    "3.11": "22.3",  # bundled with 3.11.0
    "3.12": "23.2",  # older ones crash on pkgutil.ImpImporter (pip #12358); 3.12.0 had 23.2.1
    "3.13": "24.2",  # bundled with 3.13.0
}
GUARD_PIP = "19.3"  # pip._internal.commands.create_command, which the install guard wraps
SYSTEM_WHEELS = Path("/usr/share/python-wheels")  # Debian's and Fedora's python3-pip-whl
_WHEEL = re.compile(r"^pip-([0-9][0-9A-Za-z.+!_]*)-py[0-9.]+-none-any\.whl$")


def minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass
class Candidate:
    """One pip found offline: `kind` is "copy" (a directory under $data/pip already
    made), "dist" (pyrun's own environment's pip) or "wheel" (a ``pip-*.whl``)."""

    version: Version
    kind: str
    source: Path  # the copy's directory, the dist-info directory, or the wheel
    _requires: str | None = field(default=None, repr=False)

    @property
    def requires_python(self) -> str:
        """Read once, when it is first asked (a wheel's metadata is inside the zip)."""
        if self._requires is None:
            self._requires = _read_requires(self)
        return self._requires


def _read_requires(candidate: Candidate) -> str:
    try:
        if candidate.kind == "wheel":
            with zipfile.ZipFile(candidate.source) as wheel:
                # pip's own .dist-info, at the top (a vendored one would be deeper)
                (name,) = [
                    n
                    for n in wheel.namelist()
                    if n.startswith("pip-")
                    and n.endswith(".dist-info/METADATA")
                    and n.count("/") == 1
                ]
                text = wheel.read(name).decode("utf-8", "replace")
        else:
            info = candidate.source
            if candidate.kind == "copy":
                info = next(iter(sorted(candidate.source.glob("pip-*.dist-info"))), info)
            text = (info / "METADATA").read_text(encoding="utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile, ValueError, KeyError):
        return ""
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        key, _, value = line.partition(":")
        if key.strip().lower() == "requires-python":
            return value.strip()
    return ""


def floor(minor: str, bundled: Version | None = None) -> Version:
    """The oldest pip that can run on CPython `minor` (whose ensurepip bundles `bundled`)."""
    lowest = Version(GUARD_PIP)
    if minor in FIRST_PIP:
        return max(lowest, Version(FIRST_PIP[minor]))
    newest_known = max(FIRST_PIP, key=minor_key)
    if minor_key(minor) > minor_key(newest_known):
        lowest = max(lowest, Version(FIRST_PIP[newest_known]))
        if bundled is not None:
            lowest = max(lowest, bundled)
    return lowest


def fits(candidate: Candidate, minor: str, version: str | None, bundled: Version | None) -> bool:
    """Whether `candidate` runs on Python `version` (or `minor`, when only that is known)."""
    if candidate.version < floor(minor, bundled):
        return False
    try:
        return SpecifierSet(candidate.requires_python).contains(version or minor)
    except InvalidSpecifier:
        return True  # a damaged header says nothing against it; the table has spoken


def bundled_dir(python: str | os.PathLike[str], minor: str) -> Path:
    """Where an interpreter's ensurepip keeps its wheels, found from its real path
    (``<prefix>/bin/python3.X`` -> ``<prefix>/lib/python3.X/ensurepip/_bundled``), as
    CPython installs lay it out: pyenv, python.org, uv's, conda's, distributions'."""
    real = Path(os.path.realpath(python))
    return real.parent.parent / "lib" / f"python{minor}" / "ensurepip" / "_bundled"


def wheels_in(directory: Path) -> list[Candidate]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    found = []
    for name in names:
        match = _WHEEL.match(name)
        version = parse_version(match.group(1)) if match else None
        if version is not None and (directory / name).is_file():
            found.append(Candidate(version, "wheel", directory / name))
    return found


def _trusted(directory: Path) -> bool:
    """Whether wheels in `directory` may become the pip of *every* environment of that
    minor version: it and each directory above it are yours or root's and not writable
    by others (a sticky /tmp excepted, as for a found .venv). A base someone else
    controls still runs where PATH sends you to it, but its bundled pip never spreads."""
    for level, path in enumerate([directory, *directory.parents]):
        if ownership.unsafe_reason(str(path), holder=level > 0) is not None:
            return False
    return True


def bundled_version(python: str | os.PathLike[str], minor: str) -> Version | None:
    """The newest pip wheel that interpreter's ensurepip bundles, if any."""
    wheels = wheels_in(bundled_dir(python, minor))
    return max((wheel.version for wheel in wheels), default=None)


def own_pip() -> Candidate | None:
    """The pip of the environment pyrun runs in, when it has one."""
    from importlib import metadata

    try:
        dist = metadata.distribution("pip")
    except metadata.PackageNotFoundError:
        return None
    version = parse_version(dist.version)
    info = next(
        (
            Path(str(dist.locate_file(f))).parent
            for f in dist.files or ()
            if f.name == "METADATA" and f.parent.name.endswith(".dist-info")
        ),
        None,
    )
    if version is None or info is None:
        return None
    return Candidate(version, "dist", info, dist.metadata.get("Requires-Python") or "")


def candidates(copies: list[Candidate], pythons: dict[str, str]) -> list[Candidate]:
    """Every pip found offline, newest first; for one version the cheapest to use
    (a copy already made, then pyrun's own, then a wheel). `pythons` maps the
    interpreters pyrun knows (path -> minor) for their bundled wheels."""
    found = list(copies)
    own = own_pip()
    if own is not None:
        found.append(own)
    seen: set[Path] = set()
    for python, minor in pythons.items():
        directory = bundled_dir(python, minor)
        if directory not in seen:
            seen.add(directory)
            if _trusted(directory):
                found += wheels_in(directory)
    found += wheels_in(SYSTEM_WHEELS)
    order = {"copy": 0, "dist": 1, "wheel": 2}
    found.sort(key=lambda c: order[c.kind])
    found.sort(key=lambda c: c.version, reverse=True)  # stable: the kinds stay in order
    return found


def choose(
    found: list[Candidate], minor: str, version: str | None, bundled: Version | None
) -> Candidate | None:
    """The newest pip in `found` that fits."""
    return next((c for c in found if fits(c, minor, version, bundled)), None)


def no_fit(
    found: list[Candidate], minor: str, version: str | None, bundled: Version | None
) -> tuple[str, str]:
    """What to say about a Python that no pip found offline runs on: the problem and its
    fix (one line, joined by "; ", where it is an error)."""
    needed = floor(minor, bundled)
    admitted = []
    for candidate in found:
        try:
            if SpecifierSet(candidate.requires_python).contains(version or minor):
                admitted.append(candidate)
        except InvalidSpecifier:
            admitted.append(candidate)
    seen = f"the newest found is pip {admitted[0].version}" if admitted else "none was found"
    python = shlex.quote(sys.executable)
    ways = []
    if sys.prefix != sys.base_prefix:  # pyrun's own venv: its pip is pyrun's to upgrade
        if own_pip() is not None:
            ways.append(f"run `{python} -m pip install --upgrade pip` (pyrun's own pip)")
        else:
            ways.append(f"install pip {needed} or newer into pyrun's environment ({sys.prefix})")
    if bundled is None and Path("/etc/debian_version").is_file():
        # Debian's and Ubuntu's python3.X-venv bring that Python's ensurepip and its pip.
        ways.append(f"run `apt install python{minor}-venv` (that Python's own pip)")
    if not ways:
        ways.append(
            f"install pip {needed} or newer into the Python pyrun runs on ({python}), or "
            f"give Python {minor} its ensurepip"
        )
    fix = " or ".join(ways) + ", then `pyrun rehash`"
    return (
        f"no pip that runs on Python {minor} is available offline (it needs pip {needed} or "
        f"newer, and {seen})",
        fix,
    )
