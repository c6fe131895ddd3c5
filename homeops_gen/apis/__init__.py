"""Typed models of the APIs the generated files are read by: unknown fields are impossible.

Each model mirrors the upstream format's field names (through aliases) and is
dumped with :func:`dump`, which drops unset optional fields and keeps the
declaration order, so generated documents read like hand-written ones.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """A strict object of an external format, camelCase on the wire."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


def dump(model: BaseModel) -> dict[str, Any]:
    """The model as plain data for YAML: wire names, unset fields left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
