"""The modules of homeops_gen import each other one way: no circle.

The graph is read from the source with ``ast``: every import a module runs, at module level
or inside a function (a lazy import closes a circle as surely as an eager one). Imports under
``if TYPE_CHECKING:`` are left out: they never run, and type hints may name a type of any
module.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import homeops_gen
import homeops_gen.generators

PACKAGE = homeops_gen.__name__


def modules() -> dict[str, Path]:
    """Every module of the package, the generators included (setup.py installs them from
    the top-level generators/, which an editable install leaves where it is)."""
    found: dict[str, Path] = {}
    for package in (homeops_gen, homeops_gen.generators):
        found[package.__name__] = Path(str(package.__file__))
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            spec = importlib.util.find_spec(info.name)
            if spec is not None and spec.origin is not None:
                found[info.name] = Path(spec.origin)
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements under ``node`` that run, at any depth."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        elif isinstance(child, ast.If) and _type_checking(child.test):
            for other in child.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _imports(child)


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the package that module ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            base = f"{parent}.{base}" if base else parent
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in known else base)
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports."""
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports in ``graph`` (its first module again at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            circle = visit(target)
            if circle:
                return circle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        circle = visit(module)
        if circle:
            return circle
    return None


def test_the_package_imports_without_a_circle() -> None:
    circle = find_circle(import_graph())
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_the_model_imports_none_of_what_computes_from_it() -> None:
    """The model is plain data: it imports no module of the package (every other module
    may import it)."""
    graph = import_graph()
    assert graph[f"{PACKAGE}.model"] == set(), graph[f"{PACKAGE}.model"]


def test_a_circle_is_found_through_a_function_level_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from pkg import b\n")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg.c import C\n"
        "def f():\n    from pkg.a import x\n"
    )
    (tmp_path / "c.py").write_text("from . import b\n")
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    graph = {m: imported(m, tmp_path / f"{m[4:]}.py", known) for m in sorted(known - {"pkg"})}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.b"}}
    assert find_circle({"pkg": set(), **graph}) == ["pkg.a", "pkg.b", "pkg.a"]
