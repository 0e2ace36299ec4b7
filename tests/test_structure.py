"""How src/pyrun's modules depend on each other, read from the source with ast.

Two rules that keep the code reading one way (issue "[2/5] One walk", item 7):

- no import cycle between pyrun's modules, counting every import, the ones inside
  functions included (a lazy import kept for start-up speed must still point one way);
- a command (``pyrun/commands/*.py``) imports no other command's private name (one
  starting with ``_``): a helper two commands share lives in a module of its own,
  under a public name.

Nothing is imported or run: the graph is built from the files alone, so a cycle that
Python would tolerate at run time (a lazy import, an import only for type checking) is
caught all the same.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "pyrun"


@dataclass(frozen=True)
class Use:
    """One name a module takes from another: ``from target import name`` (name set)
    or ``target.name`` after ``import target`` / ``from parent import target``."""

    module: str
    target: str
    name: str | None
    line: int


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = SRC) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / PACKAGE).rglob("*.py"))}


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module an ``import from`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = parts[:keep]
    return ".".join(base + ([node.module] if node.module else []))


def uses(module: str, path: Path, known: set[str]) -> list[Use]:
    """Every pyrun module (and name in it) that `module` imports, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Use] = []
    aliases: dict[str, str] = {}  # a local name bound to a pyrun module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.append(Use(module, alias.name, None, node.lineno))
                    if alias.asname:  # import pyrun.commands.init as init
                        aliases[alias.asname] = alias.name
                    else:  # import pyrun.commands.init binds pyrun
                        aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, path.name == "__init__.py", node)
            if source not in known:
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in known:  # from pyrun import discovery
                    found.append(Use(module, submodule, None, node.lineno))
                    aliases[alias.asname or alias.name] = submodule
                else:  # from pyrun.discovery import resolve
                    found.append(Use(module, source, alias.name, node.lineno))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        head, _, rest = (_dotted(node.value) or "").partition(".")
        if head in aliases:  # init._x, or pyrun.commands.init._x
            target = aliases[head] + (f".{rest}" if rest else "")
            if target in known:
                found.append(Use(module, target, node.attr, node.lineno))
    return found


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    return {
        module: {use.target for use in uses(module, path, known) if use.target != module}
        for module, path in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each
    sorted; a module importing itself does not count."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    edges = sorted(f"{a} -> {b}" for a in component for b in graph[a] & members)
    return ", ".join(edges)


def test_the_modules_of_pyrun_import_each_other_without_a_cycle() -> None:
    graph = import_graph()
    assert "pyrun.discovery" in graph and "pyrun.commands.why" in graph, "nothing parsed"
    found = cycles(graph)
    assert not found, "import cycles in src/pyrun: " + "; ".join(
        _describe(component, graph) for component in found
    )


def private_command_uses(root: Path = SRC) -> list[str]:
    """``file:line: command.name`` for each private name a command takes from another."""
    found = modules(root)
    known = set(found)
    commands = {name for name in known if name.startswith(f"{PACKAGE}.commands.")}
    return [
        f"{found[use.module].relative_to(root)}:{use.line}: {use.target}.{use.name}"
        for module in sorted(commands)
        for use in uses(module, found[module], known)
        if use.target in commands
        and use.target != module
        and use.name is not None
        and use.name.startswith("_")
    ]


def test_no_command_imports_another_commands_private_names() -> None:
    assert len([name for name in modules() if name.startswith("pyrun.commands.")]) > 5
    wrong = private_command_uses()
    assert not wrong, "a command uses another command's private name: " + ", ".join(wrong)


# -- the checks themselves catch what they are for --------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "files",
    [
        {  # at module level
            "__init__.py": "",
            "a.py": "from pyrun import b\n",
            "b.py": "from pyrun.a import thing\n",
        },
        {  # one side lazy, inside a function, through a third module
            "__init__.py": "",
            "a.py": "import pyrun.b\n",
            "b.py": "from . import c\n",
            "c.py": "def f():\n    from pyrun.a import thing\n",
        },
        {  # only for type checking
            "__init__.py": "",
            "a.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from pyrun.b import B\n",
            "b.py": "from pyrun import a\n",
        },
    ],
    ids=["top-level", "lazy-through-a-third", "type-checking"],
)
def test_a_cycle_is_found_however_it_is_spelled(tmp_path: Path, files: dict[str, str]) -> None:
    root = _tree(tmp_path, files)
    assert cycles(import_graph(root)) != []


def test_a_one_way_graph_has_no_cycle(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pyrun import b, c\n",
            "b.py": "from pyrun.c import thing\n",
            "c.py": "import os\n",
        },
    )
    assert cycles(import_graph(root)) == []


def test_a_private_name_taken_from_another_command_is_seen(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "commands/__init__.py": "",
            "commands/one.py": "def _helper():\n    pass\n",
            "commands/two.py": "from pyrun.commands.one import _helper\n",
            "commands/three.py": "from pyrun.commands import one\none._helper()\n",
            "commands/four.py": "import pyrun.commands.one\npyrun.commands.one._helper()\n",
            "commands/five.py": "from pyrun.commands import one\none.helper()\n",
        },
    )
    assert private_command_uses(root) == [
        "pyrun/commands/four.py:2: pyrun.commands.one._helper",
        "pyrun/commands/three.py:2: pyrun.commands.one._helper",
        "pyrun/commands/two.py:1: pyrun.commands.one._helper",
    ]
