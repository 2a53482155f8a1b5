"""The house rules, read from the source with ``ast`` (docs/architecture.md explains them).

- Imports flow one way through the layers below: a module never imports one of a higher layer,
  and no import circle exists, whatever the layer.
- No kit import inside a function or after the first definition of a module (the one exception is
  ``cli/jobs.py``, which loads each job's modules when that job runs); ``if TYPE_CHECKING:`` blocks
  are for annotations only and do not count.
- No private name (``_x``) is imported from another module; tests and benchmarks import no
  private module except ``analystkit._testing``, their one window into internals.
- No module over 400 lines, no function over 80 (docstring included).
- pyproject's package list names every package under ``src/analystkit``.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from casefiles import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "analystkit"

#: Layers from the bottom up; a module may import its own layer and the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("analystkit._gc", "analystkit.arrays", "analystkit.text", "analystkit.times",
              "analystkit.files", "analystkit.resources", "analystkit._version")),
    ("schema", ("analystkit.schema",)),
    ("case", ("analystkit.case", "analystkit.merging", "analystkit.aliases", "analystkit.tables",
              "analystkit.newcase", "analystkit.rows", "analystkit.display")),
    ("io", ("analystkit.io", "analystkit.extract")),
    ("analysis", ("analystkit.timeline", "analystkit.graph", "analystkit.filters")),
    ("plot", ("analystkit.theme", "analystkit.plot")),
    ("export", ("analystkit.export.chart",)),
    ("brief", ("analystkit.export.pack", "analystkit.export")),
    ("ui", ("analystkit.ui", "analystkit.widgets")),
    ("cli", ("analystkit.cli", "analystkit.__main__")),
    ("surface", ("analystkit", "analystkit._testing")),
]
LATE_IMPORTS_ALLOWED = {"analystkit.cli.jobs"}
TESTING = "analystkit._testing"  # the tests' one window into internals
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    names: tuple[str, ...]
    line: int
    top_level: bool
    type_checking: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank is not None, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return rank


def resolve(source: str, is_package: bool, node: ast.ImportFrom, alias: str | None) -> str:
    base = source.split(".") if is_package else source.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
    if alias and f"{target}.{alias}" in MODULES:  # `from . import theme` imports a module
        return f"{target}.{alias}"
    return target


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, top: bool, checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, top, True)
            elif isinstance(child, ast.ImportFrom):
                for a in child.names:
                    target = resolve(module, path.name == "__init__.py", child, a.name)
                    if target.split(".")[0] == "analystkit":
                        found.append(Import(module, target, (a.name,), child.lineno, top, checking))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.split(".")[0] == "analystkit":
                        found.append(Import(module, a.name, (), child.lineno, top, checking))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                visit(child, False, checking)
            else:
                visit(child, top, checking)

    visit(tree, True, False)
    return found


ALL_IMPORTS = [imp for m in MODULES for imp in imports_of(m)]


def test_no_module_imports_a_higher_layer():
    upward = [f"{i.source} (layer {LAYERS[layer_of(i.source)][0]}) imports {i.target} "
              f"(layer {LAYERS[layer_of(i.target)][0]}) at line {i.line}"
              for i in ALL_IMPORTS if not i.type_checking and layer_of(i.target) > layer_of(i.source)]
    assert not upward, "\n".join(upward)


def test_no_import_circle():
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for i in ALL_IMPORTS:
        if not i.type_checking and i.target != i.source and i.target in MODULES:
            graph.add_edge(i.source, i.target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import circles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_no_late_kit_imports():
    late = [f"{i.source}:{i.line} imports {i.target} inside a function or class"
            for i in ALL_IMPORTS if not i.top_level and not i.type_checking
            and i.source not in LATE_IMPORTS_ALLOWED]
    assert not late, "\n".join(late)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_below_the_first_definition(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    first_def = next((n.lineno for n in tree.body
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))), None)
    late = [n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
            and first_def is not None and n.lineno > first_def]
    assert not late, f"{module}: imports at lines {late}, after the first definition (line {first_def})"


def test_no_private_name_crosses_a_module():
    crossing = [f"{i.source}:{i.line} imports {i.names[0]} from {i.target}" for i in ALL_IMPORTS
                if i.names and i.names[0].startswith("_") and not i.names[0].startswith("__")
                and f"{i.target}.{i.names[0]}" not in MODULES]
    assert not crossing, "\n".join(crossing)


def test_tests_import_no_private_module_or_name():
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analystkit"):
                mods = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                mods, names = [a.name for a in node.names if a.name.startswith("analystkit")], []
            else:
                continue
            private = [m for m in mods if m != TESTING and not m.startswith(TESTING + ".")
                       and any(p.startswith("_") and not p.startswith("__") for p in m.split("."))]
            private += [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(private)}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_small_pieces(module):
    text = MODULES[module].read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines (at most {MAX_MODULE_LINES})"
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if node.end_lineno - start + 1 > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({node.end_lineno - start + 1} lines, line {node.lineno})")
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


def test_pyproject_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"]) - {"analystkit._data"}
    present = {module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")}
    assert listed == present, f"pyproject packages: missing {sorted(present - listed)}, " \
                              f"stale {sorted(listed - present)}"
    assert config["package-dir"]["analystkit._data"] == "data"


def test_the_checker_sees_an_upward_import(tmp_path):
    """The layer rule itself works: a schema module importing plot is caught."""
    assert layer_of("analystkit.schema.validate") < layer_of("analystkit.plot.timeline_chart")
    assert layer_of("analystkit.export.pack.write") > layer_of("analystkit.export.chart")
    assert any(i.target == "analystkit.export.chart" for i in imports_of("analystkit.export.pack.write"))
