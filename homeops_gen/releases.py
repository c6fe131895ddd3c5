"""How an app becomes a Helm release: shared by the bootstrap helmfile and the Flux tree,
so both install exactly the same chart, version and values."""

from __future__ import annotations

import posixpath
from typing import Any

from collections.abc import Mapping

import yaml

from homeops_gen.apis.kubernetes import is_builtin
from homeops_gen.formats import sorted_data
from homeops_gen.layout import APP_FOLDER, RESOURCES_FOLDER
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


def is_custom_resource(obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` is of a kind some CRD defines, not Kubernetes itself."""
    return not is_builtin(str(obj.get("apiVersion", "")))


def _holds_custom_resources(text: str) -> bool:
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return False  # refused when the project is loaded
    return any(isinstance(d, dict) and is_custom_resource(d) for d in documents)


def folders(app: App, user_files: Mapping[str, str]) -> dict[str, str]:
    """Each extra file of ``app`` (by file name) and the folder it goes to.

    Custom resources of an app with a chart go to :data:`RESOURCES_FOLDER`, applied by
    a second Flux Kustomization after the release: kustomize-controller dry-runs every
    object before applying any, so a custom resource beside the chart installing its
    CRD would fail ("no matches for kind") and the chart would never install.
    """
    placed: dict[str, str] = {}
    split = app.chart is not None
    for resource in app.resources:
        custom = split and is_custom_resource(resource)
        placed[resource_file(resource)] = RESOURCES_FOLDER if custom else APP_FOLDER
    for path in app.manifests:
        custom = split and _holds_custom_resources(user_files.get(path, ""))
        placed[user_file_name(path)] = RESOURCES_FOLDER if custom else APP_FOLDER
    for path in app.secrets:
        placed[user_file_name(path)] = APP_FOLDER
    return placed


def release_name(app: App) -> str:
    """The Helm release's name: ``releaseName`` of ``App.release``, or the app's name."""
    name = app.release.get("releaseName")
    return name if isinstance(name, str) else app.name


def helm_chart(app: App) -> tuple[str, str | None]:
    """The chart reference helm takes, and the repository URL to add first (or None for OCI)."""
    assert app.chart is not None, "only apps with a chart are Helm releases"
    if app.chart.is_oci:
        return app.chart.url, None
    return f"{app.name}/{app.chart.chart_name}", app.chart.url
