"""`pyrun hook powershell`, checked without PowerShell: there is none on this machine.

The rendered hook is parsed with tree-sitter's PowerShell grammar: it must parse
without ERROR or MISSING nodes, and its syntax tree must hold what shell/README.md
asks for (a module that exports nothing, a chained prompt and LocationChangedAction,
$? and $LASTEXITCODE restored, PYRUN_ENV_* exported, the resolver run as a process
with its output read as data, a change key covering what the resolver reads). Nothing
here runs it: how it behaves in a running pwsh is not verified.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrun.commands.hook import PLACEHOLDERS, render
from pyrun.paths import Paths
from pyrun.shells import SHELLS, quote_powershell
from pyrun.shims import RESOLVER
from tests.test_hooks_fish import NOT_IN_THE_KEY

ts = pytest.importorskip("tree_sitter")
tsp = pytest.importorskip("tree_sitter_powershell")

TEMPLATE = Path(__file__).parents[1] / "shell" / "powershell" / "pyrun.ps1"
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


def test_the_hook_does_not_walk(tree: tuple[list[object], bytes]) -> None:
    # The walk is the resolver's (shims/shim.c): none of its steps is in the hook.
    text = TEMPLATE.read_text()
    for piece in ("pyvenv.cfg", ".pyrun-complete", "by-path", "UnixStat", "/usr/bin/id"):
        assert piece not in text, piece
    # Nothing is started but the resolver and pyrun's first-use question, by .NET: the
    # only `&` calls are the user's prompt, a previous evaluation's module (three
    # times) and a console script's shim, by its path.
    all_nodes, source = tree
    calls = sorted(
        text_of(n.parent, source).split()[1]  # type: ignore[attr-defined]
        for n in all_nodes
        if n.type == "command_invokation_operator"  # type: ignore[attr-defined]
    )
    assert calls == ["$previous.Module"] * 3 + ["$script:userPrompt", "$shim"]
    commands = {
        text_of(n, source)
        for n in all_nodes
        if n.type == "command_name"  # type: ignore[attr-defined]
    }
    for never in ("Invoke-Expression", "iex", "Start-Process", "Invoke-Command", "."):
        assert never not in commands, never


def test_the_resolver_runs_as_a_process_and_its_lines_are_data(
    tree: tuple[list[object], bytes],
) -> None:
    run = function_text(tree, "Invoke-Resolver")
    for piece in (
        "[Diagnostics.ProcessStartInfo]::new($resolve)",  # no arguments, no shell
        "$info.UseShellExecute = $false",
        "$info.WorkingDirectory = $Here",
        "$info.RedirectStandardInput = $true",
        "$process.StandardInput.Close()",
        "$info.RedirectStandardError = $true",
        "$process.StandardError.ReadToEndAsync()",  # drained: a full pipe cannot block it
        "$process.StandardOutput.ReadToEnd()",
        "catch { @() }",  # it cannot be run: no lines
    ):
        assert piece in run, piece
    update = function_text(tree, "Update-Pyrun")
    for piece in (
        "'kind' { $kind = $value }",
        "'label' { $label = $value }",
        "'shims' { $marker = $value }",
        "'warning' { $warnings.Add($value) }",
        "if (-not $label) { $label = 'pyrun?' }",
        "$env:PYRUN_ENV_KIND = $kind",
        "$env:PYRUN_ENV_NAME = $label",
    ):
        assert piece in update, piece
    # Asked only when the key moved, and the key taken again once the marker is known.
    assert update.index("(Get-Key $here) -ceq $script:key") < update.index("Invoke-Resolver")
    assert update.index("$script:marker = if ($marker)") < update.index("$script:key = Get-Key")
    # A warning is said once, not again while the same ones repeat.
    assert "$said -and $said -cne $script:warned" in update
    assert update.index("[Console]::Error.WriteLine") < update.index("$script:warned = $said")


def test_a_command_not_found_asks_pyrun_once_and_runs_the_shim_it_made(
    tree: tuple[list[object], bytes],
) -> None:
    """shell/README.md: the CommandNotFoundAction asks `pyrun rehash --found=NAME` as a
    process (NAME one argument, no shell, stdin closed), and only when it made the shim
    does the command become that shim, by its path; chained first, taken out again by a
    second evaluation."""
    ask = function_text(tree, "Test-FirstUse")
    for piece in (
        "[Diagnostics.ProcessStartInfo]::new($python)",
        "foreach ($arg in '-I', '-m', 'pyrun', 'rehash', \"--found=$Name\") "
        "{ $info.ArgumentList.Add($arg) }",
        "$info.UseShellExecute = $false",
        "$process.StandardInput.Close()",
        "$process.StandardError.ReadToEndAsync()",
        "$made = $process.ExitCode -eq 0",
        "catch { $false }",
    ):
        assert piece in ask, piece
    text = TEMPLATE.read_text()
    handler = text[text.index("$script:onNotFound = [EventHandler") :]
    handler = handler[: handler.index("\n    }\n")]
    assert "if ($lookup.StopSearch -or -not (Test-FirstUse $lookup.CommandName)) { return }" in (
        handler
    )
    assert "$shim = [IO.Path]::Join($shims, $lookup.CommandName)" in handler
    assert "$lookup.CommandScriptBlock = { & $shim @args }.GetNewClosure()" in handler
    assert "[Delegate]::Combine($script:onNotFound, $notFound)" in text
    assert "[Delegate]::Remove($notFound, (& $previous.Module { $script:onNotFound }))" in text


# What the resolver reads but its answer does not depend on (as in test_hooks_fish.py).


def test_the_key_covers_what_the_resolver_reads(tree: tuple[list[object], bytes]) -> None:
    source = (Path(__file__).parents[1] / "shims" / "shim.c").read_text()
    reads = set(re.findall(r'\b(?:getenv_|env_or_empty)\("([A-Z_]+)"\)', source))
    text = TEMPLATE.read_text()
    listed = text[text.index("$names = @(") :]
    listed = listed[: listed.index(")")]
    assert set(re.findall(r"'([A-Z_]+)'", listed)) == reads - NOT_IN_THE_KEY
    key = function_text(tree, "Get-Key")
    for piece in (
        "foreach ($name in $names)",
        "[Environment]::GetEnvironmentVariable($name)",
        "$venv = [IO.Path]::Join($Here, '.venv')",
        "[IO.Directory]::Exists($venv)",
        "[IO.FileInfo]::new($venv).LinkTarget",  # a link to nothing: a broken .venv
        # .venv as a file: a redirect (src/pyrun/redirect.py)
        "foreach ($file in '.venv', '.python-version', '.python-versions')",
        "[IO.File]::Exists([IO.Path]::Join($Here, $file))",
        "[IO.File]::Exists($script:marker)",
        "$parts -join [char]0",
    ):
        assert piece in key, piece
    update = function_text(tree, "Update-Pyrun")
    assert "$script:marker = if ($marker) { $marker } else { $resolve }" in update


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
        and text_of(n.children[0], source).strip() == "$resolve"  # type: ignore[attr-defined]
    )
    strings = [
        m
        for m in nodes(data)
        if m.type in ("string_literal", "expandable_string_literal", "verbatim_string_characters")  # type: ignore[attr-defined]
    ]
    assert [s.type for s in strings] == ["string_literal", "verbatim_string_characters"]  # type: ignore[attr-defined]
    literal = text_of(strings[1], source)
    resolver = f"{HOSTILE}/shims/{RESOLVER}"
    assert literal == quote_powershell(resolver)
    body = literal[1:-1]
    for quote in ("'", "\u2018", "\u2019"):
        body = body.replace(quote * 2, quote)
    assert body == resolver


def test_placeholders_are_all_replaced() -> None:
    used = sorted(set(re.findall(r"__PYRUN_[A-Z_]+__", TEMPLATE.read_text())))
    assert used == sorted(PLACEHOLDERS)
    text = rendered()
    assert "__PYRUN_" not in text
    assert "$shims = '/home/user/.local/share/pyrun/shims'\n" in text
    assert f"$resolve = '/home/user/.local/share/pyrun/shims/{RESOLVER}'\n" in text
    assert f"$python = {quote_powershell(sys.executable)}\n" in text
    assert "$promptBefore = '('\n" in text and "$promptAfter = ') '\n" in text
