"""The package's layering: OR-Tools in the search modules only, and no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tripopt

PACKAGE = Path(tripopt.__file__).parent
SEARCH = {"routing", "recombine"}  # the only modules that import OR-Tools
USES_SEARCH = SEARCH | {"planner", "compare", "curve", "replan"}  # and those that run it


def _modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))


def _imports(module: str) -> tuple[set[str], set[str]]:
    """(package modules, top-level outside packages) that `module` imports anywhere in
    its source: at the top, inside functions, or under TYPE_CHECKING."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            inside |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            outside |= {a.name.split(".")[0] for a in node.names}
    return inside, outside


def test_only_the_search_modules_import_ortools():
    importers = {m for m in _modules() if "ortools" in _imports(m)[1]}
    assert importers == SEARCH


def test_everything_but_the_search_loads_without_ortools():
    """Reading, checking, decoding, explaining and reporting never load OR-Tools (0.2 s)."""
    light = [m for m in _modules() if m not in USES_SEARCH]
    code = (f"import sys\nimport {', '.join(f'tripopt.{m}' for m in light)}\n"
            "print(sorted(m for m in sys.modules if m.startswith('ortools')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_import_cycles():
    graph = {m: _imports(m)[0] - {m} for m in _modules()}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "import cycle: " + " -> ".join((*path[path.index(module):], module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_the_package_exports_what_it_lazily_imports():
    assert sorted(tripopt.__all__) == sorted(tripopt._WHERE)
    for name in tripopt.__all__:
        assert getattr(tripopt, name) is not None
