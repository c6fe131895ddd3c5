"""Checking user-written data against a typed API model, with errors in the user's words."""

from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, ValidationError, with_config
from typing_extensions import is_typeddict

from homeops_gen.apis import fields
from homeops_gen.messages import inner_type
from homeops_gen.suggest import closest

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def field_names(model: object) -> list[str]:
    """The field names of the TypedDict ``model``."""
    return list(fields(model))


def _model_at(model: object, loc: tuple[int | str, ...]) -> object | None:
    """The TypedDict whose field the error location's last part names."""
    current: object | None = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        current = inner_type(fields(current).get(part), is_typeddict)
    return current


@cache
def _validator(model: Any) -> "TypeAdapter[Any]":
    """A validator of ``model`` that refuses unknown fields (its nested objects too)."""
    from pydantic import TypeAdapter  # only user-written Flux fields need one

    return TypeAdapter(with_config(ConfigDict(extra="forbid"))(model))


_KINDS = {
    "bool": "true or false",
    "int": "a whole number",
    "string": "text",
    "list": "a list",
    "dict": "a mapping",
    "float": "a number",
}

_FIXED = {
    "missing": "required field missing",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def _message(model: object, error: Any) -> str:
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


def problems(model: object, data: Any, path: str) -> list[tuple[str, str]]:
    """Every ``(path, reason)`` that stops ``data`` from being a ``model`` (a TypedDict of an
    API); empty if it is one."""
    try:
        _validator(model).validate_python(data, strict=True)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            where = path + "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
            )
            found.append((where, _message(model, error)))
        return found
    return []
