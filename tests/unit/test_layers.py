"""The code reads top-down: no import cycle inside a package, the layers import only downward, and no import of
the project's own code hides inside a function (a deferred import that guards no cycle only hides the shape)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("model", "mock_amazon", "simulator", "judge")
# Each layer may import the ones after it, never the ones before.
LAYERS = ("judge", "simulator", "mock_amazon", "model")


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING" or (
        isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")


def module_imports(tree: ast.Module, name: str, is_package: bool) -> set[str]:
    """Modules imported when the module is loaded (not those under `if TYPE_CHECKING:`)."""
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If) and _type_checking_only(node):
                visit(node.orelse)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, block, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, name, is_package)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)

    visit(tree.body)
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    anchor = name.split(".") if is_package else name.split(".")[:-1]
    anchor = anchor[:len(anchor) - node.level + 1]
    return ".".join(anchor + ([node.module] if node.module else []))


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """module -> the project's modules it imports at load time."""
    trees = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            trees[module_name(path, root)] = (ast.parse(path.read_text()), path.name == "__init__.py")
    return {name: {target for target in module_imports(tree, name, is_package) if target in trees and target != name}
            for name, (tree, is_package) in trees.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
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
            connect(node)
    return found


def test_no_import_cycle_in_the_project():
    assert cycles(import_graph(ROOT, PACKAGES)) == []


def test_the_cycle_check_finds_a_cycle_added_back(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("from shop.routes import api\n")
    (package / "routes.py").write_text("from shop.pipeline import Api\napi = Api()\n")
    (package / "pipeline.py").write_text("class Api: ...\n")
    assert cycles(import_graph(tmp_path, ("shop",))) == []
    (package / "pipeline.py").write_text("from shop.app import create\nclass Api: ...\n")
    assert cycles(import_graph(tmp_path, ("shop",))) == [["shop.app", "shop.pipeline", "shop.routes"]]
    # an import only for the type checker does not make a cycle at run time
    (package / "pipeline.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                         "    from shop.app import create\nclass Api: ...\n")
    assert cycles(import_graph(tmp_path, ("shop",))) == []


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_import_only_downward(layer):
    """A package's `__main__` is an entry point that composes the layers (`python -m mock_amazon --scenario` runs
    the simulator's world inside the mock), so it alone may reach up."""
    above = LAYERS[:LAYERS.index(layer)]
    upward = sorted(f"{module} -> {target}" for module, targets in import_graph(ROOT, PACKAGES).items()
                    if module.split(".")[0] == layer and not module.endswith(".__main__")
                    for target in targets if target.split(".")[0] in above)
    assert upward == []


def test_nothing_in_the_mock_imports_the_app_back():
    importers = sorted(module for module, targets in import_graph(ROOT, PACKAGES).items()
                       if "mock_amazon.app" in targets or "mock_amazon" in targets)
    # only the entry points: the package's own face, the server and the clients of the assembled app
    assert set(importers) <= {"mock_amazon", "mock_amazon.__main__", "mock_amazon.client", "mock_amazon.launcher",
                              "simulator.world"}, importers


def test_no_import_of_the_project_inside_a_function():
    hidden = []
    for package in (*PACKAGES, "tests", "benchmarks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.ImportFrom) and (inner.module or "").split(".")[0] in PACKAGES \
                                or isinstance(inner, ast.Import) and any(
                                    a.name.split(".")[0] in PACKAGES for a in inner.names):
                            hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []


def test_the_judge_reads_the_mock_over_http_only():
    """judge/ imports nothing of the mock, the model or the simulator: it judges any mock it can reach."""
    reaching_in = sorted(f"{module} -> {target}" for module, targets in import_graph(ROOT, PACKAGES).items()
                         if module.split(".")[0] == "judge" for target in targets
                         if target.split(".")[0] in ("mock_amazon", "model", "simulator"))
    assert reaching_in == []
