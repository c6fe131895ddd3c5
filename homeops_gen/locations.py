"""Where in ``cluster.py`` a problem is: the line each model object was built on (found by
walking up the call frames while the file runs), and for a model object that failed to build,
the call in the source and its place in the cluster (``nodes[2]``)."""

from __future__ import annotations

import ast
import re
import sys
import typing
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from homeops_gen import messages
from homeops_gen.errors import ModelError
from homeops_gen.layout import MODEL_FILE
from homeops_gen.model import Base, Cluster
from homeops_gen.problems import Problem


def line_recorder(
    filename: str, lines: dict[int, int], made: Counter[tuple[str, int]]
) -> Callable[[BaseModel], None]:
    """The hook (``model.ON_CREATE``) that records, for every model object built while the file
    ``filename`` runs, the line of that file it is built on: walking up the call frames to the
    file's own (``lines``: id of the object -> line; ``made``: (type, line) -> how many)."""

    def record(obj: BaseModel) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != filename:
            frame = frame.f_back  # type: ignore[assignment]
        if frame is not None:
            lines[id(obj)] = frame.f_lineno
            made[type(obj).__name__, frame.f_lineno] += 1

    return record


def located(problem: Problem, cluster: Cluster, where: dict[str, int]) -> str:
    """The problem, naming the object it is about and its line in cluster.py."""
    steps = re.finditer(r"[A-Za-z_]+(\[\d+\])?", problem.path)
    prefixes = [problem.path[: step.end()] for step in steps]
    path = next((p for p in reversed(prefixes) if p in where), None)
    if problem.line is not None:
        return f"{problem} ({MODEL_FILE}:{problem.line})"
    if path is None:
        return str(problem)
    obj = _object_at(cluster, path)
    name = getattr(obj, "name", None)
    kind = next(c for c in type(obj).__mro__ if Base in c.__bases__).__name__.lower()
    what = f"{kind} {name!r}, " if isinstance(name, str) else ""
    return f"{problem} ({what}{MODEL_FILE}:{where[path]})"


def _object_at(cluster: Cluster, path: str) -> object:
    obj: object = cluster
    for name, index in re.findall(r"([A-Za-z_]+)(?:\[(\d+)\])?", path):
        obj = getattr(obj, name)
        if index:
            obj = obj[int(index)]  # type: ignore[index]
    return obj


def object_lines(cluster: Cluster, lines: dict[int, int]) -> dict[str, int]:
    """``{path: line}`` of every model object of ``cluster`` built in cluster.py (``nodes[1]``)."""
    found: dict[str, int] = {}

    def visit(obj: object, path: str) -> None:
        if isinstance(obj, Base):
            if path and id(obj) in lines:
                found[path] = lines[id(obj)]
            for name in type(obj).model_fields:
                visit(getattr(obj, name), f"{path}.{name}" if path else name)
        elif isinstance(obj, tuple):
            for i, item in enumerate(obj):
                visit(item, f"{path}[{i}]")

    visit(cluster, "")
    return found


def validation_error(
    exc: ValidationError,
    path: Path,
    source: str,
    namespace: dict[str, object],
    made: Counter[tuple[str, int]],
) -> ModelError:
    """A model object of ``path`` (whose text is ``source``, run in ``namespace``) failed to
    build: each error at its field path in the cluster, naming the list entry and its line."""
    tree = ast.parse(source)
    position, call, prefix = _failed_item(tree, _user_positions(exc, path), exc.title, made)
    prefix += _helper_prefix(call, exc.title, namespace)
    root = _model_named(exc.title)
    errors = exc.errors()
    skip = messages.superseded(errors, root)
    item = _item_words(prefix, call, position)
    return ModelError(
        [
            f"{prefix}{_loc(err['loc'])}: {messages.describe(err, root)}"
            f"{item or _item_in_call(call, err['loc'])}"
            for i, err in enumerate(errors)
            if i not in skip
        ],
        where=f"{path}:{position[0]}" if position else None,
    )


def _model_named(title: str) -> type[BaseModel]:
    """The model type a validation error is about (``Cluster``, ``Node``, ...)."""
    found: list[type[BaseModel]] = [Base]
    for model in found:
        if model.__name__ == title:
            return model
        found.extend(model.__subclasses__())
    return Cluster


def _helper_prefix(call: ast.Call | None, title: str, namespace: dict[str, object]) -> str:
    """The path inside what a helper returns, when a helper (``cilium(...)``) failed to build
    a nested model: ``chart.`` for the ``Chart`` inside the ``App`` it returns."""
    helper = namespace.get(_call_name(call)) if call is not None else None
    if helper is None or isinstance(helper, type) or not callable(helper):
        return ""
    try:
        returned = typing.get_type_hints(helper).get("return")
    except (NameError, TypeError):
        return ""
    outer = messages.model_class(returned)
    inner = messages.path_to(outer, title) if outer is not None else ""
    return f"{inner}." if inner else ""


def _call_at(tree: ast.AST, position: tuple[int, int | None] | None) -> ast.Call | None:
    """The call written at ``position`` of the parsed source."""
    if position is None:
        return None
    line, column = position
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno == line and node.col_offset == column:
            return node
    return None


def _loc(loc: tuple[int | str, ...]) -> str:
    """``nodes[1].labels['a b']`` for pydantic's ``('nodes', 1, 'labels', 'a b', '[key]')``."""
    text = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        elif i + 1 < len(loc) and loc[i + 1] == "[key]":
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


def user_position(exc: BaseException, path: Path) -> tuple[int, int | None] | None:
    """The line and column of the innermost call in the user's file on ``exc``'s traceback."""
    import traceback  # only a refused model needs it

    position = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path and frame.lineno is not None:
            position = (frame.lineno, frame.colno)
    return position


Position = tuple[int, int | None]


def _user_positions(exc: BaseException, path: Path) -> list[Position]:
    """The line and column of each call in the user's file on ``exc``'s traceback, outermost
    first."""
    import traceback  # only a refused model needs it

    return [
        (frame.lineno, frame.colno)
        for frame in traceback.extract_tb(exc.__traceback__)
        if Path(frame.filename) == path and frame.lineno is not None
    ]


def _failed_item(
    tree: ast.AST, positions: list[Position], title: str, made: Counter[tuple[str, int]]
) -> tuple[Position | None, ast.Call | None, str]:
    """Where the object that failed to build sits in the cluster: the outermost call of the
    traceback written inside ``Cluster(...)`` (a helper such as ``_node(...)`` in ``nodes=[...]``),
    that call, and its field path (``nodes[2].``). A ``Node(...)`` fails before the cluster
    exists, so pydantic only knows the field inside the node: the call's place in the source
    tells which list entry it is. Else the innermost call, and the type's name (``Node.``)."""
    for position in positions:
        call = _call_at(tree, position)
        found = _path_in_cluster(tree, call, made, title, position) if call else None
        if found is not None:
            return position, call, found or ("" if title == "Cluster" else f"{title}.")
    last = positions[-1] if positions else None
    return last, _call_at(tree, last), "" if last is None or title == "Cluster" else f"{title}."


def _path_in_cluster(
    tree: ast.AST, call: ast.Call, made: Counter[tuple[str, int]], title: str, at: Position
) -> str | None:
    """``nodes[2].`` for a call written in ``Cluster(nodes=[a, b, call])``; None when the call
    is not inside a ``Cluster(...)``. In a list comprehension the item's index is how many
    objects of its type the same line made before it failed."""
    parents = {child: outer for outer in ast.walk(tree) for child in ast.iter_child_nodes(outer)}
    node: ast.AST = call
    parts: list[str] = []
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Call) and _call_name(parent) in _ROOT_CALLS:
            if parent is call:
                return None
            text = "".join(parts).lstrip(".")
            return f"{text}." if text else ""
        if isinstance(parent, ast.ListComp) and node is parent.elt:
            parts.insert(0, f"[{made[title, at[0]]}]")
        else:
            _add_step(parent, node, parts)
        node = parent
    return None


def _item_words(prefix: str, call: ast.Call | None, position: Position | None) -> str:
    """`` (node 'k8s-0', cluster.py:88)`` for an item of a list of the cluster, as rule errors
    name it: its name as written in the call (``name=`` or a helper's first argument)."""
    match = re.fullmatch(r"([a-z_]+)\[\d+\]\.", prefix)
    if match is None or position is None:
        return ""
    kind = match.group(1).rstrip("s")
    name = None
    if call is not None:
        named = [k.value for k in call.keywords if k.arg == "name"]
        if named and isinstance(named[0], ast.Constant):
            name = named[0].value
        elif call.args and isinstance(call.args[0], ast.Constant):
            name = call.args[0].value
    what = f"{kind} {name!r}, " if isinstance(name, str) else ""
    return f" ({what}{MODEL_FILE}:{position[0]})"


def _item_in_call(call: ast.Call | None, loc: tuple[int | str, ...]) -> str:
    """`` (node 'cp-1', cluster.py:12)`` for an error at ``nodes[0]...`` of a ``Cluster(...)`` or
    ``Cluster.model_validate({...})`` call whose list is written out in the source."""
    if call is None or len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
        return ""
    fields: dict[str, ast.expr] = {k.arg: k.value for k in call.keywords if k.arg}
    if call.args and isinstance(call.args[0], ast.Dict):
        fields |= _dict_fields(call.args[0])
    items = fields.get(loc[0])
    if not isinstance(items, (ast.List, ast.Tuple)) or loc[1] >= len(items.elts):
        return ""
    item = items.elts[loc[1]]
    if isinstance(item, ast.Call):
        named = [k.value for k in item.keywords if k.arg == "name"]
    elif isinstance(item, ast.Dict):
        named = [v for k, v in zip(item.keys, item.values, strict=True) if _is(k, "name")]
    else:
        return ""
    name = named[0].value if named and isinstance(named[0], ast.Constant) else None
    what = f"{loc[0].rstrip('s')} {name!r}, " if isinstance(name, str) else ""
    return f" ({what}{MODEL_FILE}:{item.lineno})"


def _dict_fields(given: ast.Dict) -> dict[str, ast.expr]:
    """The constant keys of a dict literal and their values, ``**{...}`` unpacked."""
    fields: dict[str, ast.expr] = {}
    for key, value in zip(given.keys, given.values, strict=True):
        if key is None and isinstance(value, ast.Dict):
            fields |= _dict_fields(value)
        elif isinstance(key, ast.Constant):
            fields[str(key.value)] = value
    return fields


def _is(node: ast.expr | None, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _add_step(parent: ast.AST, node: ast.AST, parts: list[str]) -> None:
    """Prepend to ``parts`` where ``node`` sits in ``parent``: ``[1]``, ``.nodes``, ..."""
    if isinstance(parent, (ast.List, ast.Tuple)) and node in parent.elts:
        parts.insert(0, f"[{parent.elts.index(node)}]")
    elif (left := _list_before(parent, node)) and parts and parts[0].startswith("["):
        # [a, b] + [c]: the right-hand list's indexes continue the left one's.
        parts[0] = f"[{int(parts[0][1:-1]) + len(left.elts)}]"
    elif isinstance(parent, ast.keyword) and parent.arg:
        parts.insert(0, f".{parent.arg}")
    elif isinstance(parent, ast.Dict) and node in parent.values:
        key = parent.keys[parent.values.index(node)]
        if isinstance(key, ast.Constant):
            parts.insert(0, f".{key.value!s}")


_ROOT_CALLS = {"Cluster", "model_validate"}


def _list_before(parent: ast.AST, node: ast.AST) -> ast.List | None:
    """The list literal ``node`` is added to (``[a, b] + node``), or None."""
    if (
        isinstance(parent, ast.BinOp)
        and isinstance(parent.op, ast.Add)
        and parent.right is node
        and isinstance(parent.left, ast.List)
    ):
        return parent.left
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
