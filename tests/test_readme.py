"""The README stays true to the code: its model reference is generated from the models'
field docstrings, and its code layout names every module.

Run ``python -m tests.test_readme`` to rewrite the model reference after changing a field.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import homeops_gen
from tests.conftest import ROOT

README = ROOT / "README.md"
BEGIN = "<!-- BEGIN model reference: generated from the field docstrings (python -m tests.test_readme) -->\n"
END = "<!-- END model reference -->\n"


def _exported() -> list[type[BaseModel]]:
    found = [getattr(homeops_gen, name) for name in homeops_gen.__all__]
    return [t for t in found if isinstance(t, type) and issubclass(t, BaseModel)]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _in_reading_order() -> list[type[BaseModel]]:
    """``Cluster`` first, then every model in the order the fields above it mention them."""
    exported = _exported()
    order: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in order or model not in exported:
            return
        order.append(model)
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)

    visit(homeops_gen.Cluster)
    return order + [m for m in exported if m not in order]


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


def _description(model: type[BaseModel], name: str) -> str:
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
            f"| `{name}` | {_default(field.default)} | {_markdown(_description(model, name))} |"
            for name, field in model.model_fields.items()
        ]
        parts.append(
            f"### `{model.__name__}`\n\n{_markdown(model.__doc__ or '')}\n\n"
            "| field | default | meaning |\n|---|---|---|\n" + "\n".join(rows) + "\n"
        )
    return BEGIN + "\n" + "\n".join(parts) + "\n" + END


def test_every_model_field_is_documented() -> None:
    for model in _exported():
        for name in model.model_fields:
            assert _description(model, name), f"{model.__name__}.{name} needs a docstring"


def test_readme_model_reference_is_generated_from_the_models() -> None:
    text = README.read_text()
    assert BEGIN in text and END in text, "the README lost its model reference markers"
    current = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert current == model_reference(), "README is stale: run python -m tests.test_readme"


def test_code_layout_names_every_module() -> None:
    text = README.read_text()
    layout = text[text.index("## Code layout") :].split("\n## ", 1)[0]
    assert "compiled_templates/" in layout
    for folder in ("homeops_gen", "generators"):
        for module in sorted((ROOT / folder).rglob("*.py")):
            generated = module.parent.name == "compiled_templates"  # the folder is named
            if module.name != "__init__.py" and not generated:
                assert module.name in layout, f"README's code layout does not name {module}"


if __name__ == "__main__":
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    README.write_text(text[:start] + model_reference() + text[end:])
