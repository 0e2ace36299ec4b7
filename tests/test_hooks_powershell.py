"""`pyrun hook powershell`, checked without PowerShell: there is none on this machine.

The rendered hook is parsed with tree-sitter's PowerShell grammar: it must parse
without ERROR or MISSING nodes, and its syntax tree must hold what shell/README.md
asks for (a module that exports nothing, a chained prompt and LocationChangedAction,
$? and $LASTEXITCODE restored, PYRUN_ENV_* exported). Nothing here runs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrun.commands.hook import render
from pyrun.paths import Paths
from pyrun.shells import SHELLS, quote_powershell

ts = pytest.importorskip("tree_sitter")
tsp = pytest.importorskip("tree_sitter_powershell")

GOLDEN = Path(__file__).parent / "golden" / "hook.ps1"
HOSTILE = '/tmp/d\'a$ta `x` "q" \u2019smart\u2018 $(Get-Date) end'


def rendered(data: str = "/home/user/.local/share/pyrun") -> str:
    return render(SHELLS["powershell"], Paths(data=Path(data), config=Path("/")))


def parse(text: str) -> tuple[object, bytes]:
    source = text.encode("utf-8")
    parser = ts.Parser(ts.Language(tsp.language()))
    return parser.parse(source).root_node, source


def nodes(node: object) -> Iterator[object]:
    yield node
    for child in node.children:  # type: ignore[attr-defined]
        yield from nodes(child)


def text_of(node: object, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def tree() -> tuple[list[object], bytes]:
    root, source = parse(rendered())
    return list(nodes(root)), source


def test_parses_without_errors(tree: tuple[list[object], bytes]) -> None:
    all_nodes, source = tree
    bad = [
        (n.type, n.start_point, text_of(n, source)[:60])  # type: ignore[attr-defined]
        for n in all_nodes
        if n.type == "ERROR" or n.is_missing  # type: ignore[attr-defined]
    ]
    assert bad == []


def test_everything_is_inside_one_module_that_exports_nothing(
    tree: tuple[list[object], bytes],
) -> None:
    all_nodes, source = tree
    program = all_nodes[0]
    lists = [c for c in program.children if c.type == "statement_list"]  # type: ignore[attr-defined]
    assert len(lists) == 1
    root_statements = [c for c in lists[0].children if c.type != "comment"]
    assert len(root_statements) == 1, "one statement at the top: New-Module ... | Import-Module"
    commands = [
        text_of(n, source)
        for n in all_nodes
        if n.type == "command_name"  # type: ignore[attr-defined]
    ]
    assert commands[0] == "New-Module"
    assert commands[-1] == "Import-Module"
    assert "Export-ModuleMember" in commands
    functions = [text_of(n, source) for n in all_nodes if n.type == "function_statement"]  # type: ignore[attr-defined]
    global_ones = [f.split("{")[0].split()[1] for f in functions if "global:" in f.split("{")[0]]
    assert global_ones == ["global:prompt"], "only the prompt reaches the global scope"


def test_chains_the_prompt_and_the_location_handler(tree: tuple[list[object], bytes]) -> None:
    all_nodes, source = tree
    invocations = {
        text_of(n, source).split("(")[0]
        for n in all_nodes
        if n.type == "invokation_expression"  # type: ignore[attr-defined]
    }
    assert "[Delegate]::Combine" in invocations
    assert "[Delegate]::Remove" in invocations, "a second evaluation unhooks the first"
    members = [text_of(n, source) for n in all_nodes if n.type == "member_name"]  # type: ignore[attr-defined]
    assert "LocationChangedAction" in members
    prompt = next(
        text_of(n, source)
        for n in all_nodes
        if n.type == "function_statement"  # type: ignore[attr-defined]
        and text_of(n, source).startswith("function global:prompt")
    )
    assert "& $script:userPrompt" in prompt, "the user's prompt is called, not replaced"
    assert prompt.index("$status = $global:?") < prompt.index("Update-Pyrun")
    assert prompt.count("$global:LASTEXITCODE = $exitCode") == 2
    assert prompt.count("Write-Error '' -ErrorAction Ignore") == 2, "$? put back twice"


def test_exports_the_environment_variables(tree: tuple[list[object], bytes]) -> None:
    all_nodes, source = tree
    assigned = {
        text_of(n.children[0], source).strip()  # type: ignore[attr-defined]
        for n in all_nodes
        if n.type == "assignment_expression"  # type: ignore[attr-defined]
    }
    assert {"$env:PYRUN_ENV_KIND", "$env:PYRUN_ENV_NAME", "$env:PATH"} <= assigned


def function_text(tree: tuple[list[object], bytes], name: str) -> str:
    all_nodes, source = tree
    return next(
        text_of(n, source)
        for n in all_nodes
        if n.type == "function_statement"  # type: ignore[attr-defined]
        and text_of(n, source).split("{")[0].split("(")[0].split()[1] == name
    )


def test_a_venv_someone_else_controls_is_skipped(tree: tuple[list[object], bytes]) -> None:
    # src/pyrun/ownership.py's rule, as the bash, zsh and fish hooks apply it (their
    # tests run it against the resolver; this one can only read it).
    walk = function_text(tree, "Update-Environment")
    inside = walk.index('[IO.File]::Exists("$dir/pyvenv.cfg") -and (Test-Trusted $dir)')
    dot = walk.index("$dangling -or (Test-Trusted $dotVenv)")
    assert inside < dot < walk.index("Set-Env .venv (Get-EnvLabel $envDir)")
    assert "$item -is [IO.DirectoryInfo] -or ($item -and $item.LinkType)" in walk
    trusted = function_text(tree, "Test-Trusted")
    for piece in (
        # PYRUN_TRUST and config.toml's trust list, baked in (src/pyrun/config.py)
        '"$($env:PYRUN_TRUST):$configTrust"',
        "$trust.Split(':')",
        "if ($entry -ceq '*') { return $true }",
        "$entry.EndsWith('/*', [StringComparison]::Ordinal)",
        "$Path.StartsWith($prefix, [StringComparison]::Ordinal)",
        "$holder.StartsWith($prefix, [StringComparison]::Ordinal)",
        "$entry.TrimEnd([char]'/')",
        "$entry -ceq $Path -or $entry -ceq $holder",
        "Get-Unsafe $Path $false",
        "Get-Unsafe $holder $true",
        "$script:warnings.Add(",
        "pyrun: not using ${Path}: $reason; to use it anyway, ",
        "add it to PYRUN_TRUST (export PYRUN_TRUST=$Path)",
    ):
        assert piece in trusted, piece
    assert trusted.index("$trust.Split") < trusted.index("Get-Unsafe"), "trust first"
    unsafe = function_text(tree, "Get-Unsafe")
    for piece in (
        "Get-RealPath $Path",  # UnixStat is lstat: follow the link as os.stat does
        ".UnixStat",
        "$stat.UserId -ne 0 -and $stat.UserId -ne $me",
        "$stat.Mode -band 0x12",
        "$Holder -and $stat.IsSticky",
        "is owned by uid $($stat.UserId), not by you (uid $me) or root",
        "'its group and others'",
    ):
        assert piece in unsafe, piece
    update = function_text(tree, "Update-Pyrun")
    assert "$env:PYRUN_TRUST" in update.split("$now -join")[0], "a change of it recomputes"
    assert update.index("Update-Environment") < update.index("[Console]::Error.WriteLine")
    assert "$said -cne $script:warned" in update, "said once, not at every prompt"
    # Nothing is started but `id -u`, once, where /proc cannot tell the uid.
    all_nodes, source = tree
    calls = sorted(
        text_of(n.parent, source).split()[1]  # type: ignore[attr-defined]
        for n in all_nodes
        if n.type == "command_invokation_operator"  # type: ignore[attr-defined]
    )
    # The user's prompt, a previous evaluation's module (twice), and id.
    assert calls == ["$previous.Module", "$previous.Module", "$script:userPrompt", "'/usr/bin/id'"]
    assert "& '/usr/bin/id' -u" in function_text(tree, "Get-Euid")


def test_a_python_version_file_is_read_and_narrows_the_walk(
    tree: tuple[list[object], bytes],
) -> None:
    # version_file.py's reading and the resolver's use of it (discovery.py, self.pin),
    # as the fish hook applies them (its tests run them against `pyrun which`).
    reader = function_text(tree, "Get-PinnedMinor")
    for piece in (
        # python_version_files, baked in; PYRUN_PYTHON_VERSION_FILES wins; 0 is off
        "if ($env:PYRUN_PYTHON_VERSION_FILES) { $env:PYRUN_PYTHON_VERSION_FILES } "
        "else { $configPin }",
        "if ($on -ceq '0') { return $null }",
        # up to /, then uv's user config directory
        "$Dir = [IO.Path]::GetDirectoryName($Dir)",
        '$dirs.Add("$env:XDG_CONFIG_HOME/uv")',
        '$dirs.Add("$env:HOME/.config/uv")',
        "foreach ($name in '.python-version', '.python-versions')",
        "Test-RegularFile $path",
        # lines trimmed of ASCII white space, comments skipped, 3 / 3.Y / 3.Y.Z
        "[IO.File]::ReadAllBytes($file)",
        '$text.Split("`n")',
        '$line.Trim([char[]](" `t`r`v`f"))',
        "$line.StartsWith('#', [StringComparison]::Ordinal)",
        "-cmatch '^3(\\.([0-9]+)(\\.[0-9]+)?)?\\z'",
        "if (-not $Matches[2]) { return $null }",
        "$Matches[2].TrimStart([char]'0')",
    ):
        assert piece in reader, piece
    assert reader.index("$configPin") < reader.index("ReadAllBytes"), "off reads nothing"
    regular = function_text(tree, "Test-RegularFile")
    assert "Get-RealPath $Path" in regular and "$item.UnixMode[0] -ne '-'" in regular
    assert 'Test-Executable "$Env/bin/python$Minor"' in function_text(tree, "Test-HasMinor")
    base = function_text(tree, "Get-BaseLabel")
    assert base.index(".pyrun-complete") < base.index("Test-HasMinor $target $Pinned")
    walk = function_text(tree, "Update-Environment")
    pinned = walk.index("$minor = Get-PinnedMinor $cwd")
    for piece in (
        "Test-HasMinor $venv $minor",
        "Test-HasMinor $prefix $minor",
        "Test-HasMinor $envDir $minor",
        "Get-BaseLabel $candidate $minor",
        '@("${d}python$minor", "${d}python3", "${d}python")',
    ):
        assert pinned < walk.index(piece), piece
    assert pinned < walk.index("if ($env:VIRTUAL_ENV)")
    assert walk.count("Get-BaseLabel $candidate $minor") == 2, "conda base and PATH"
    # An unchanged prompt reads no file: the setting is part of what is compared.
    update = function_text(tree, "Update-Pyrun")
    assert "$env:PYRUN_PYTHON_VERSION_FILES" in update.split("$now -join")[0]
    all_nodes, source = tree
    pin = next(
        n
        for n in all_nodes
        if n.type == "assignment_expression"  # type: ignore[attr-defined]
        and text_of(n.children[0], source).strip() == "$configPin"  # type: ignore[attr-defined]
    )
    assert text_of(pin, source).split("=", 1)[1].strip() == "'1'"


def test_no_byte_order_mark() -> None:
    # Piped to Invoke-Expression as a string, never saved as a .ps1 file (see its header).
    assert not rendered().startswith("\ufeff")


def test_quote_powershell_keeps_a_hostile_path_one_literal() -> None:
    root, source = parse(rendered(HOSTILE))
    all_nodes = list(nodes(root))
    assert not root.has_error  # type: ignore[attr-defined]
    data = next(
        n
        for n in all_nodes
        if n.type == "assignment_expression"  # type: ignore[attr-defined]
        and text_of(n.children[0], source).strip() == "$data"  # type: ignore[attr-defined]
    )
    strings = [
        m
        for m in nodes(data)
        if m.type in ("string_literal", "expandable_string_literal", "verbatim_string_characters")  # type: ignore[attr-defined]
    ]
    assert [s.type for s in strings] == ["string_literal", "verbatim_string_characters"]  # type: ignore[attr-defined]
    literal = text_of(strings[1], source)
    assert literal == quote_powershell(HOSTILE)
    body = literal[1:-1]
    for quote in ("'", "\u2018", "\u2019"):
        body = body.replace(quote * 2, quote)
    assert body == HOSTILE


def test_golden_file() -> None:
    text = rendered()
    if os.environ.get("PYRUN_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text, "run with PYRUN_UPDATE_GOLDEN=1 and review"
