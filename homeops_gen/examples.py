"""The starter's example values still in a model: every field ``homeops-gen init`` marks
``# CHANGE``, compared with the model by its path in the model.

The starter is the one source of the examples: its ``cluster.py`` is rendered for the
model's cluster name and read twice, once as Python (the example values, as the model
types normalise them) and once as a syntax tree (which fields carry the marker). A field
whose line in the user's ``cluster.py`` no longer carries the marker was looked at: its
value is the user's, even when it equals the example (``iso_datastore="local"``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from collections.abc import Iterator
from typing import Any

from homeops_gen.model import Cluster
from homeops_gen.problems import Problem, warning

MARKER = re.compile(r"#\s*CHANGE\b")
"""The comment the starter puts on (or above) each value that is only an example."""

Path = tuple[str | int | None, ...]
"""A field's path in the model: names and indexes; None for every element of a list made by a
comprehension (the starter's nodes)."""


def mentions_marker(source: str) -> bool:
    """Whether ``source`` has a ``# CHANGE`` marker left (a model without one is not checked)."""
    return MARKER.search(source) is not None


def example_values(cluster: Cluster, source: str) -> list[Problem]:
    """A warning for every marked example of the starter that ``cluster`` (run from
    ``source``) still has, with the field and its line."""
    found = _starter(cluster.name)
    if found is None:
        return []
    starter, starter_source = found
    user_fields = _fields(source)
    problems = []
    for path in (p for p, (_, marked) in _fields(starter_source).items() if marked):
        for concrete in _expand(starter, path):
            example, value = _at(starter, concrete), _at(cluster, concrete)
            left = _left(example, value)
            if not left:
                continue
            line, marked = _find(user_fields, concrete)
            if line is not None and not marked:
                continue  # the marker was removed: the value was looked at
            problem = warning(
                "example-value",
                _show_path(concrete),
                f"{', '.join(left)} is the starter's example: put your own, or delete the "
                "# CHANGE marker if it is right for you",
            )
            problems.append(replace(problem, line=line))
    return problems


def _starter(name: str) -> tuple[Cluster, str] | None:
    """The starter model and its source, for the cluster ``name`` (its bucket is named after
    the cluster) or, when that name makes no valid starter (too long for the names derived
    from it), for the default name."""
    from pydantic import ValidationError

    from homeops_gen.starter import DEFAULT_NAME, starter_model

    for candidate in dict.fromkeys((name, DEFAULT_NAME)):
        source = starter_model(candidate)
        namespace: dict[str, Any] = {"__name__": "starter"}
        try:
            exec(compile(source, "starter cluster.py", "exec"), namespace)
        except ValidationError:
            continue
        return namespace["cluster"], source
    return None


def _left(example: object, value: object) -> list[str]:
    """The example values ``value`` still holds (for a list: each example item in it)."""
    if value is _MISSING or example is None:
        return []
    if isinstance(example, tuple) and isinstance(value, tuple):
        return [_show(item) for item in value if item in example]
    return [_show(value)] if value == example else []


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


_MISSING = object()


def _at(obj: object, path: Path) -> object:
    """The value at ``path`` (every index concrete), or ``_MISSING``."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, tuple) or step >= len(obj):
                return _MISSING
            obj = obj[step]
        else:
            obj = getattr(obj, str(step), _MISSING)
        if obj is _MISSING:
            return obj
    return obj


def _expand(obj: object, path: Path) -> Iterator[Path]:
    """``path`` with every ``None`` replaced by each index of the list it stands for."""
    if None not in path:
        yield path
        return
    at = path.index(None)
    items = _at(obj, path[:at])
    for i in range(len(items) if isinstance(items, tuple) else 0):
        yield from _expand(obj, (*path[:at], i, *path[at + 1 :]))


def _find(fields: dict[Path, tuple[int, bool]], path: Path) -> tuple[int | None, bool]:
    """The line of the field ``path`` in the source and whether it is marked (a field of an
    element a comprehension makes is found by its ``None`` path); ``(None, True)`` when the
    source does not write the field where the starter does."""
    for candidate in (path, tuple(None if isinstance(s, int) else s for s in path)):
        if candidate in fields:
            return fields[candidate]
    for candidate, found in fields.items():  # a literal list in one, a comprehension in the other
        if len(candidate) == len(path) and all(
            c == p or c is None and isinstance(p, int) for c, p in zip(candidate, path, strict=True)
        ):
            return found
    return None, True


def _fields(source: str) -> dict[Path, tuple[int, bool]]:
    """Every field written in ``cluster = Cluster(...)``: its line, and whether it is marked
    (on its line or the comment line above it, or inside a marked object)."""
    finder = _FieldFinder(source.splitlines())
    for statement in ast.parse(source).body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "cluster" for t in statement.targets)
            and isinstance(statement.value, ast.Call)
        ):
            finder.call(statement.value, (), False)
    return finder.found


class _FieldFinder:
    """Walks the calls that build the model, collecting each keyword argument's field."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: dict[Path, tuple[int, bool]] = {}

    def marked(self, keyword: ast.keyword) -> bool:
        end = keyword.value.end_lineno or keyword.lineno
        above = self.lines[keyword.lineno - 2].strip() if keyword.lineno >= 2 else ""
        return bool(MARKER.search(self.lines[end - 1])) or MARKER.match(above) is not None

    def call(self, node: ast.Call, path: Path, inherited: bool) -> None:
        for keyword in node.keywords:
            if keyword.arg is not None:
                marked = inherited or self.marked(keyword)
                self.value(keyword.value, (*path, keyword.arg), marked, keyword.lineno)

    def value(self, node: ast.expr, path: Path, marked: bool, line: int) -> None:
        if isinstance(node, ast.Call) and node.keywords:
            self.call(node, path, marked)
        elif isinstance(node, ast.List | ast.Tuple) and any(
            isinstance(e, ast.Call) for e in node.elts
        ):
            for i, element in enumerate(node.elts):
                self.value(element, (*path, i), marked, line)
        elif isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Call):
            self.value(node.elt, (*path, None), marked, line)
        else:
            self.found[path] = (line, marked)


def _show_path(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text
