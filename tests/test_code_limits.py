"""The limits of issue 9.7, kept by a check: module and function size, import direction, no cycles.

Product code is every ``.py`` under departments/, workflow/, reports/ and evalsite/ except
migrations. Imports count wherever they appear (a function-level import is still a dependency);
only imports under ``if TYPE_CHECKING:`` are ignored, they never run.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("departments", "workflow", "reports", "evalsite")
LAYER = {"departments": 0, "workflow": 1, "reports": 2}  # a layer imports only from lower ones
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 40
# Being split on their branches (issue 9.7); this list must be empty before the issue is resolved.
KNOWN = {
}


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _imports(tree, name, path.name == "__init__.py"):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_module_over_the_limit():
    long = {
        name: n
        for name, path in product_modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES and name not in KNOWN
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_the_limit():
    long = []
    for name, path in product_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES and f"{name}.{node.name}" not in KNOWN:
                    long.append(f"{name}.{node.name} ({length})")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_imports_go_one_way():
    wrong = []
    for source, targets in import_graph().items():
        for target in targets:
            a, b = LAYER.get(source.split(".")[0]), LAYER.get(target.split(".")[0])
            if a is not None and b is not None and b > a:
                wrong.append(f"{source} → {target}")
    assert not wrong, f"imports against departments ← workflow ← reports: {sorted(wrong)}"


def test_no_import_cycles():
    cycles = [c for c in _cycles(import_graph()) if not set(c) <= KNOWN]
    assert not cycles, f"import cycles: {cycles}"


def test_the_checker_sees_function_level_imports_and_cycles():
    tree = ast.parse(
        "def f():\n    from reports.annual import checks\nif TYPE_CHECKING:\n    import workflow.x\n"
    )
    assert "reports.annual.checks" in _imports(tree, "reports.models.annual", False)
    assert "workflow.x" not in _imports(tree, "reports.models.annual", False)
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
