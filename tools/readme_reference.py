"""The README's model reference: one table per model type, one row per field, from the
models' field docstrings. ``make regen`` rewrites it; ``tests/test_readme.py`` fails when stale."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import homeops_gen

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BEGIN = "<!-- BEGIN model reference: generated from the field docstrings (make regen) -->\n"
END = "<!-- END model reference -->\n"


def exported() -> list[type[BaseModel]]:
    found = [getattr(homeops_gen, name) for name in homeops_gen.__all__]
    return [t for t in found if isinstance(t, type) and issubclass(t, BaseModel)]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _in_reading_order() -> list[type[BaseModel]]:
    """``Cluster`` first, then every model in the order the fields above it mention them."""
    models = exported()
    order: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in order or model not in models:
            return
        order.append(model)
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)

    visit(homeops_gen.Cluster)
    return order + [m for m in models if m not in order]


def docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring: the string literal right below it in its class body."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):  # inherited fields first, as pydantic orders them
        if not issubclass(cls, BaseModel) or cls is BaseModel:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in zip(body, body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def description(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].description or docstrings(model).get(name, "")


def _default(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        return f"`{type(value).__name__}()`"
    if isinstance(value, (IPv4Address, IPv4Network)):
        return f"`{value}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def _markdown(text: str) -> str:
    return " ".join(text.split()).replace("``", "`").replace("|", "\\|")


def model_reference() -> str:
    """The README section: one table per model type, one row per field."""
    parts = []
    for model in _in_reading_order():
        rows = [
            f"| `{name}` | {_default(field.default)} | {_markdown(description(model, name))} |"
            for name, field in model.model_fields.items()
        ]
        parts.append(
            f"### `{model.__name__}`\n\n{_markdown(model.__doc__ or '')}\n\n"
            "| field | default | meaning |\n|---|---|---|\n" + "\n".join(rows) + "\n"
        )
    return BEGIN + "\n" + "\n".join(parts) + "\n" + END


def rewrite() -> bool:
    """Write the current model reference into the README; whether it changed."""
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + model_reference() + text[end:]
    if new == text:
        return False
    README.write_text(new)
    return True
