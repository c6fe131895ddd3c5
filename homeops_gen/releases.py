"""How an app becomes a Helm release: shared by the bootstrap helmfile and the Flux tree,
so both install exactly the same chart, version and values."""

from __future__ import annotations

import posixpath
from typing import Any

from homeops_gen.formats import sorted_data
from homeops_gen.model import App


def release_values(app: App) -> dict[str, Any] | None:
    """The chart values of ``app``, keys sorted (dict order in cluster.py never shows)."""
    values: dict[str, Any] = sorted_data(app.values)
    return values or None


def resource_file(resource: dict[str, Any]) -> str:
    """The file name of an extra manifest: ``<kind>-<name>.yaml``, lower case."""
    return f"{str(resource['kind']).lower()}-{resource['metadata']['name']}.yaml"


def user_file_name(path: str) -> str:
    """The file name a manifest or secret of the project gets beside the release."""
    return posixpath.basename(path)


def helm_chart(app: App) -> tuple[str, str | None]:
    """The chart reference helm takes, and the repository URL to add first (or None for OCI)."""
    if app.chart.is_oci:
        return app.chart.url, None
    return f"{app.name}/{app.chart.chart_name}", app.chart.url
