"""Typed models of the APIs the generated files are read by: unknown fields are impossible.

Each object of a format is a ``TypedDict`` keyed by the format's own field names, so
mypy (strict) checks every object the generators build: no field the format lacks,
every required one, each value of its type. :func:`dump` turns one into plain data
in the declaration order, so generated documents read like hand-written ones,
leaves out fields set to ``None``, and refuses an unknown or missing field at run
time too. What users write into these formats (``App.kustomization``,
``App.release``) is validated against the same types by pydantic
(:mod:`homeops_gen.apis.checking`).

They are TypedDicts rather than pydantic models because building about eighty
model classes and their validators costs more than the rest of a
``generate --check``; the types are checked where they are written (mypy), and
validated only where the data comes from users.
"""

import types
from collections.abc import Callable
from functools import cache
from typing import (
    Annotated,
    Any,
    Protocol,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic_core import to_jsonable_python
from typing_extensions import is_typeddict

from homeops_gen.formats import yaml_file

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

SCHEMA_URLS: dict[object, str] = {}
"""The JSON schema of each type that is a whole file (see :func:`document`)."""


def document(schema_url: str) -> Callable[[T], T]:
    """Mark a type as a whole file whose editors check it against ``schema_url``."""

    def mark(kind: T) -> T:
        SCHEMA_URLS[kind] = schema_url
        return kind

    return mark


def fields(kind: object) -> dict[str, Any]:
    """The fields of the TypedDict ``kind``, in declaration order, with their types."""
    return get_type_hints(kind)


def dump(kind: type[T]) -> Callable[[T], dict[str, Any]]:
    """How an object of ``kind`` becomes plain data for YAML: fields in declaration order,
    fields set to None left out, every value JSON-compatible (as pydantic's JSON mode makes
    it). Curried so that mypy checks the object against ``kind``: ``dump(Kind)(obj)``."""
    convert = _converter(cast(Any, kind))

    def plain(value: T) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable_python(convert(value))
        return data

    return plain


class _File(Protocol[T_contra]):
    def __call__(self, document: T_contra, /, *more: T_contra) -> str: ...


def document_file(kind: type[T]) -> _File[T]:
    """How objects of ``kind`` become the text of a generated YAML file (several: one
    document each), with the schema hint of ``kind``: ``document_file(Kind)(obj, ...)``."""
    data = dump(kind)

    def text(document: T, /, *more: T) -> str:
        return yaml_file(data(document), *map(data, more), schema=SCHEMA_URLS[kind])

    return text


def _unwrapped(hint: Any) -> Any:
    """``hint`` without ``Annotated`` metadata and without ``| None``."""
    origin = get_origin(hint)
    if origin is Annotated:
        return _unwrapped(get_args(hint)[0])
    if origin in (Union, types.UnionType):
        arms = [_unwrapped(a) for a in get_args(hint) if a is not type(None)]
        if len(arms) == 1:
            return arms[0]
        if any(is_typeddict(a) for a in arms):  # a value would not say which type it is
            raise TypeError(f"{hint}: a field cannot be one of several object types")
        return Any
    return hint


@cache
def _converter(hint: Any) -> Callable[[Any], Any]:
    """How a value of ``hint`` becomes plain data (built once per type)."""
    hint = _unwrapped(hint)
    if is_typeddict(hint):
        return _typed_dict_converter(hint)
    origin, args = get_origin(hint), get_args(hint)
    if origin is list and args and (item := _converter(args[0])) is not _as_it_is:
        return lambda value: [item(v) for v in value]
    if origin is dict and len(args) == 2 and (entry := _converter(args[1])) is not _as_it_is:
        return lambda value: {k: entry(v) for k, v in value.items()}
    return _as_it_is


def _as_it_is(value: Any) -> Any:
    """Data with nothing typed inside: taken as it is (``to_jsonable_python`` makes it plain)."""
    return value


def _typed_dict_converter(kind: Any) -> Callable[[Any], Any]:
    declared = fields(kind)
    converters = [(name, _converter(hint)) for name, hint in declared.items()]
    required: frozenset[str] = kind.__required_keys__

    def convert(value: Any) -> dict[str, Any]:
        unknown = value.keys() - declared.keys()
        missing = required - value.keys()
        if unknown or missing:
            raise TypeError(
                f"{kind.__name__}: unknown fields {sorted(unknown)}, missing {sorted(missing)}"
            )
        plain = {}
        for name, converter in converters:
            item = value.get(name)
            if item is not None:
                plain[name] = converter(item)
        return plain

    return convert
