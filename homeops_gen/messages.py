"""Validation errors in the user's words: the field, the bad value, and what would be right.

Pydantic's own messages name regular expressions and error types; these name the model's
fields and say what they take instead.
"""

from __future__ import annotations

import types
from ipaddress import IPv4Network
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from homeops_gen.suggest import closest, did_you_mean


def inner_type(annotation: Any, wanted: Callable[[Any], bool]) -> Any:
    """The first type inside an annotation that ``wanted`` accepts (``Node`` in ``Node``,
    ``tuple[Node, ...]`` or ``Node | None``), or None."""
    if wanted(annotation):
        return annotation
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return inner_type(args[0], wanted)
    if origin in (Union, types.UnionType, tuple, list, dict):
        for arg in args:
            found = inner_type(arg, wanted)
            if found is not None:
                return found
    return None


def model_class(annotation: Any) -> type[BaseModel] | None:
    """The model type inside an annotation (``Node``, ``tuple[Node, ...]``, ``Chart | None``)."""
    found: type[BaseModel] | None = inner_type(
        annotation, lambda t: isinstance(t, type) and issubclass(t, BaseModel)
    )
    return found


def owner(root: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel], str]:
    """The model type that holds the field ``loc`` ends with, and that field's name."""
    names = [part for part in loc if isinstance(part, str)]
    current = root
    for part in names[:-1]:
        field = current.model_fields.get(part)
        inner = model_class(field.annotation) if field is not None else None
        if inner is None:
            break
        current = inner
    return current, names[-1] if names else ""


def path_to(root: type[BaseModel], target: str) -> str:
    """The field path from ``root`` to a nested model type called ``target`` (``chart``)."""
    if root.__name__ == target:
        return ""
    for name, field in root.model_fields.items():
        inner = model_class(field.annotation)
        if inner is not None and inner is not root:
            below = path_to(inner, target)
            if below or inner.__name__ == target:
                return f"{name}.{below}" if below else name
    return ""


def describe(error: ErrorDetails, root: type[BaseModel]) -> str:
    """One error of ``root``'s validation, in plain words (without its path)."""
    kind = error["type"]
    model, name = owner(root, error["loc"])
    value = error.get("input")
    if kind == "extra_forbidden":
        return f"unknown field {name!r} of {model.__name__}{did_you_mean(name, model.model_fields)}"
    if kind == "missing":
        return f"{model.__name__} needs the field {name!r}"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid value for {model.__name__}.{name}"
    if kind == "literal_error":
        return f"{value!r} is not one of {error.get('ctx', {}).get('expected', 'the choices')}"
    return _generic(kind, value, error["msg"])


def _generic(kind: str, value: Any, message: str) -> str:
    """Pydantic's message after the bad value; a network written as an address says which
    network it lies in."""
    if kind == "ip_v4_network" and isinstance(value, str) and (fixed := _network_of(value)):
        return (
            f"{value!r} is an address, not a network: its bits after /{fixed.prefixlen} are "
            f"not zero; did you mean {str(fixed)!r}?"
        )
    return f"{value!r}: {message[:1].lower()}{message[1:]}"


def superseded(errors: Sequence[ErrorDetails], root: type[BaseModel]) -> set[int]:
    """Errors that only repeat another: a missing field the user misspelt (reported as unknown,
    with the right name suggested)."""
    suggested: set[tuple[tuple[int | str, ...], str]] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            model, name = owner(root, error["loc"])
            match = closest(name, model.model_fields)
            if match:
                suggested.add((tuple(error["loc"][:-1]), match))
    return {
        i
        for i, error in enumerate(errors)
        if error["type"] == "missing" and (tuple(error["loc"][:-1]), error["loc"][-1]) in suggested
    }


def _network_of(value: str) -> IPv4Network | None:
    """The network ``value`` (``10.0.50.7/24``) lies in, when it is an address with a prefix."""
    try:
        return IPv4Network(value, strict=False)
    except ValueError:
        return None
