"""Typed models of the APIs the generated files are read by: unknown fields are impossible.

Each model mirrors the upstream format's field names (through aliases) and is
dumped with :func:`dump`, which drops unset optional fields and keeps the
declaration order, so generated documents read like hand-written ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from homeops_gen.formats import yaml_file


class ApiModel(BaseModel):
    """A strict object of an external format, camelCase on the wire."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        defer_build=True,
    )


class Document(ApiModel):
    """A model that is a whole file; every generated YAML file's schema hint comes from one."""

    SCHEMA_URL: ClassVar[str]
    """The JSON schema editors check the file against."""


def dump(model: BaseModel) -> dict[str, Any]:
    """The model as plain data for YAML: wire names, unset fields left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def document_file(document: Document, *more: Document) -> str:
    """The text of a generated YAML file holding ``document`` (and ``more`` of its kind),
    with its schema hint."""
    return yaml_file(dump(document), *(dump(d) for d in more), schema=document.SCHEMA_URL)
