"""The layout stays livable: no import circles (function-level and TYPE_CHECKING imports
count), no module over 500 lines, a docstring on every module saying its job."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("perftui",)
MAX_LINES = 500


def modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        # Through links too: a folder linked into a package is installed as part of it.
        for dirpath, _, files in os.walk(REPO / pkg, followlinks=True):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = Path(dirpath, name)
                parts = list(path.relative_to(REPO).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module of ours that ``name`` imports, wherever the import statement is."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[:len(package) - (node.level - 1)]
                base = ".".join([*up, *([node.module] if node.module else [])])
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_circles() -> None:
    known = modules()
    graph = {name: set(imported(name, path, known)) for name, path in known.items()}
    assert sum(map(len, graph.values())) > 100, "the import graph looks empty"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_500_lines_and_each_says_its_job() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
    # Every module says its job; an empty package __init__ has nothing to say.
    silent = [name for name, path in modules().items()
              if path.read_text().strip() and not ast.get_docstring(ast.parse(path.read_text()))]
    assert silent == []


# Folders at the top of the checkout that install under another name (perftui.probes, ...).
LINKED = ("probes", "themes")


def old_names(path: Path) -> Iterator[tuple[int, str]]:
    """Imports, and module names in strings (``-m probes.procfs``), of a top-level ``probes``
    or ``themes``: they work in a checkout, whose root is on sys.path, and nowhere else."""
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if re.fullmatch(r"[a-z]+(\.[a-z_]+)+", node.value) else []
        for name in names:
            if name.partition(".")[0] in LINKED:
                yield getattr(node, "lineno", 0), name


def test_code_names_probes_and_themes_by_their_installed_names() -> None:
    found = [f"{os.path.relpath(d, REPO)}/{f}:{line}: {name}"
             for top in ("perftui", "tests", "bench", "scripts")
             for d, _, files in os.walk(REPO / top, followlinks=True) for f in files
             if f.endswith(".py") and f != "test_layout.py"
             for line, name in old_names(Path(d, f))]
    assert found == []


def test_old_names_are_found(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("from probes import a\nimport themes\nm = 'probes.procfs'\n"
                                   "from perftui.probes import b\nn = 'perftui.probes.procfs'\n")
    assert list(old_names(tmp_path / "x.py")) == [
        (1, "probes"), (2, "themes"), (3, "probes.procfs")]
