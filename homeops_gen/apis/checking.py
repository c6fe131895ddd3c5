"""Checking user-written data against a typed API model, with errors in the user's words."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from homeops_gen.messages import model_class
from homeops_gen.suggest import closest


def field_names(model: type[BaseModel]) -> list[str]:
    """The wire names of ``model``'s fields."""
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model whose field the error location's last part names."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        by_wire = {f.alias or name: f for name, f in current.model_fields.items()}
        field = by_wire.get(part)
        current = model_class(field.annotation) if field else None
    return current


_KINDS = {
    "bool": "true or false",
    "int": "a whole number",
    "string": "text",
    "list": "a list",
    "dict": "a mapping",
    "model": "a mapping",
    "float": "a number",
}

_FIXED = {
    "missing": "required field missing",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def _message(model: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        loc = tuple(error["loc"])
        match = closest(str(loc[-1]), field_names(_model_at(model, loc) or model))
        return f"unknown field; did you mean {match}?" if match else "unknown field"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed (expected {expected})"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("too_long", "string_too_long"):
        return f"is too long (at most {error.get('ctx', {}).get('max_length')} characters)"
    words = next((w for prefix, w in _KINDS.items() if kind.startswith(prefix)), None)
    if words is not None:
        return f"{error['input']!r} must be {words}"
    return _FIXED.get(kind, str(error["msg"]))


def problems(model: type[BaseModel], data: Any, path: str) -> list[tuple[str, str]]:
    """Every ``(path, reason)`` that stops ``data`` from being a ``model``; empty if it is one."""
    try:
        model.model_validate(data, strict=True)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            where = path + "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
            )
            found.append((where, _message(model, error)))
        return found
    return []
