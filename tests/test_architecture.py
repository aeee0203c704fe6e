"""The shape of the code: no import cycles, SQL only in the index, small modules, thin layers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "watchbook"
MAX_LINES = 600


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules this one imports when it runs (anywhere but TYPE_CHECKING blocks)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            # `from watchbook.index import store` imports a module, not a name.
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    every = modules()
    return {name: imports_of(name, path, set(every)) for name, path in every.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = walk(start)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back() -> None:
    # Package __init__ modules hold no imports of their own modules, so a package imported
    # through one of its modules is not a cycle.
    graph = {
        name: {m for m in found if not name.startswith(f"{m}.")}
        for name, found in import_graph().items()
    }
    assert find_cycle(graph) is None


def test_sql_lives_only_in_the_index_package() -> None:
    statement = re.compile(
        r"""["'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|PRAGMA|BEGIN|COMMIT|ROLLBACK)\b"""
    )
    outside = [
        f"{path.relative_to(SOURCE)}:{number}"
        for name, path in modules().items()
        if not name.startswith("watchbook.index")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if statement.search(line) or ".execute(" in line
    ]
    assert outside == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_too_long_to_read(name: str) -> None:
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concern"


def test_the_library_never_touches_the_terminal_framework() -> None:
    # Only the command line imports Typer or Click; only the render package imports rich.
    graph_imports = {
        name: {
            node_name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for node_name in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            if node_name
        }
        for name, path in modules().items()
    }
    wrong = []
    for name, found in graph_imports.items():
        roots = {m.split(".")[0] for m in found}
        if not name.startswith("watchbook.cli") and roots & {"typer", "click"}:
            wrong.append(f"{name} imports {sorted(roots & {'typer', 'click'})}")
        if not name.startswith("watchbook.render") and "rich" in roots:
            wrong.append(f"{name} imports rich")
    assert wrong == []


def test_the_library_never_prints_or_exits() -> None:
    # The CLI decides what reaches the terminal and how the process ends.
    wrong = []
    for name, path in modules().items():
        if name.startswith(("watchbook.cli", "watchbook.render")) or name == "watchbook.__main__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if called in ("print", "exit") or (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "sys"
                    and func.attr == "exit"
                ):
                    wrong.append(f"{name}:{node.lineno} calls {called}")
    assert wrong == []
