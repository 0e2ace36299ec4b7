"""What pyrun knows about each shell: its hook file, its quoting, its rc file, its line.

One table, so `hook`, `init` and the tests agree on every shell.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def quote_posix(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_powershell(value: str) -> str:
    # In a single-quoted PowerShell string only the quote is special, and the "smart"
    # quotes count as quotes too.
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        value = value.replace(quote, quote * 2)
    return "'" + value + "'"


@dataclass(frozen=True)
class Shell:
    name: str
    hook_file: tuple[str, str]
    quote: Callable[[str], str]
    rc_file: Callable[[dict[str, str]], Path]
    init_line: Callable[[str], str]


def _home(env: dict[str, str]) -> Path:
    return Path(env.get("HOME") or os.path.expanduser("~"))


def _config_home(env: dict[str, str]) -> Path:
    value = env.get("XDG_CONFIG_HOME", "")
    return Path(value) if os.path.isabs(value) else _home(env) / ".config"


SHELLS: dict[str, Shell] = {
    "bash": Shell(
        "bash",
        ("bash", "pyrun.bash"),
        quote_posix,
        lambda env: _home(env) / ".bashrc",
        lambda exe: f'eval "$({quote_posix(exe)} hook bash)"',
    ),
    "zsh": Shell(
        "zsh",
        ("zsh", "pyrun.zsh"),
        quote_posix,
        lambda env: Path(env.get("ZDOTDIR") or _home(env)) / ".zshrc",
        lambda exe: f'eval "$({quote_posix(exe)} hook zsh)"',
    ),
    "fish": Shell(
        "fish",
        ("fish", "pyrun.fish"),
        quote_fish,
        lambda env: _config_home(env) / "fish" / "config.fish",
        lambda exe: f"{quote_fish(exe)} hook fish | source",
    ),
    "powershell": Shell(
        "powershell",
        ("powershell", "pyrun.ps1"),
        quote_powershell,
        lambda env: _config_home(env) / "powershell" / "Microsoft.PowerShell_profile.ps1",
        lambda exe: f"(& {quote_powershell(exe)} hook powershell) | Out-String | Invoke-Expression",
    ),
}
ALIASES = {"pwsh": "powershell"}


def named(name: str) -> Shell | None:
    return SHELLS.get(ALIASES.get(name, name))
