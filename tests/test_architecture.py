"""The dependency rules of docs/architecture.md, read from every module's imports (ast).

Imports inside functions count (a late import is still a dependency); imports under
``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("connectors", "storage", "reports", "listener")

# layer -> the layers it may import (besides itself)
ALLOWED = {
    "listener.cli": {"listener", "connectors", "storage", "reports"},
    "listener": {"connectors", "storage", "reports"},
    "reports": {"storage"},
    "connectors": set(),
    # a data migration computes what the application computes (story keys); alembic loads
    # migrations by path, so nothing imports them and no cycle can go through them
    "storage.migrations": {"storage", "listener"},
    "storage": set(),
}


# Known debt, each an exact edge; the test fails if an edge here disappears or a new one
# appears. (The figure records the digest shows now live in reports/figures.py.)
EXCEPTIONS: set[tuple[str, str]] = set()


def module_files() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = module_files()


def layer(module: str) -> str:
    for sublayer in ("listener.cli", "storage.migrations"):
        if module == sublayer or module.startswith(sublayer + "."):
            return sublayer
    return module.split(".")[0]


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, minus the bodies of ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _ours(name: str) -> str | None:
    """The most specific module of ours that ``name`` names, or None for a third-party one."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {target for name in names if (target := _ours(name)) and target != module}
    return found


GRAPH = {module: imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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


def _upward() -> set[tuple[str, str]]:
    return {(module, target) for module, targets in GRAPH.items() for target in targets
            if layer(target) != layer(module) and layer(target) not in ALLOWED[layer(module)]}


def test_every_import_points_down_the_layers():
    wrong = sorted(f"{module} imports {target} ({layer(module)} may not import {layer(target)})"
                   for module, target in _upward() - EXCEPTIONS)
    assert wrong == []


def test_the_known_exceptions_are_still_needed():
    assert EXCEPTIONS - _upward() == set(), "an exception is gone: remove it from EXCEPTIONS"


def test_no_module_outside_the_cli_imports_it():
    wrong = sorted(f"{module} imports {target}" for module, targets in GRAPH.items() for target in targets
                   if layer(target) == "listener.cli" and layer(module) != "listener.cli")
    assert wrong == []


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        packages.setdefault(layer(module), set()).update(
            layer(t) for t in targets if layer(t) != layer(module) and (module, t) not in EXCEPTIONS)
    assert _cycles(packages) == []


def test_no_import_cycle_between_files():
    assert _cycles(GRAPH) == []


def test_the_rules_see_real_imports():
    """The walk finds what is there, so the tests above cannot pass by reading nothing."""
    assert "listener.operations" in GRAPH["listener.service"]
    assert "storage.db" in GRAPH["listener.operations"]
    assert {"connectors.base", "connectors.errors"} <= GRAPH["connectors.twitter"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
