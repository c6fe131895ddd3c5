"""Root file ``renovate.json``: Renovate bumps every version written in ``cluster.py``.

Renovate finds the versions with custom regex managers (JavaScript regular
expressions, run by RE2 with only the ``g`` flag: no lookaround, no
backreferences, ``^``/``$`` anchor the whole file, ``.`` stops at a newline).
Generated files are never bumped: ``out/`` and the workflow are ignored, and a
bump of ``cluster.py`` reaches them when homeops-gen regenerates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import permutations
from typing import Any

from homeops_gen.apps import (
    CERT_MANAGER_CHART,
    CILIUM_CHART,
    COREDNS_CHART,
    EXTERNAL_DNS_REPOSITORY,
    FLUX_INSTANCE_CHART,
    FLUX_OPERATOR_CHART,
    METRICS_SERVER_REPOSITORY,
    RELOADER_CHART,
    SPEGEL_CHART,
)
from homeops_gen.formats import HEADER
from homeops_gen.layout import MODEL_FILE, OUT, REGENERATION_AUTHOR, RENOVATE_CONFIG, WORKFLOW
from homeops_gen.project import Project

SCHEMA = "https://docs.renovatebot.com/renovate-schema.json"

TALOS_IMAGE = "ghcr.io/siderolabs/installer"
"""Talos' installer image: a tag exists for every Talos release."""
KUBELET_IMAGE = "ghcr.io/siderolabs/kubelet"
"""The kubelet image Talos runs: a tag exists for every Kubernetes release Talos can run."""

VERSIONS = {"talos": ("Talos", TALOS_IMAGE), "kubernetes": ("Kubernetes", KUBELET_IMAGE)}
"""Each field of ``Versions``: what it is and the image whose tags are its releases."""

ARGUMENTS = {
    "gateway_api_version": ("github-releases", "kubernetes-sigs/gateway-api"),
    "approver_version": ("github-releases", "alex1989hu/kubelet-serving-cert-approver"),
}
"""Version arguments of the app helpers besides the chart's: datasource and depName."""

MODEL_FILE_PATTERN = "/^" + re.escape(MODEL_FILE) + "$/"
"""Renovate's file pattern (a regular expression between slashes): ``cluster.py`` at the root."""

# Pieces of the patterns: a quoted Python string and keyword arguments.
_Q = "[\"']"
_VALUE = "[^\"'\\s]+"
_SEP = "\\s*,\\s*"
_START = "(?:^|[^A-Za-z0-9_])"
"""Before a function's name: the file's start or a character that cannot be part of a name."""


def _string(group: str | None = None, prefix: str = "") -> str:
    """A quoted string literal, its content captured as ``group``."""
    body = f"{prefix}(?<{group}>{_VALUE})" if group else f"{prefix}{_VALUE}"
    return f"{_Q}{body}{_Q}"


def _keyword(name: str, value: str) -> str:
    return f"{name}\\s*=\\s*{value}"


def _calls(function: str, arguments: dict[str, str], optional: tuple[str, ...] = ()) -> list[str]:
    """``function(...)`` with exactly these keyword arguments (plus any of ``optional``), in
    every order: one pattern per order, so each call matches exactly one of them."""
    patterns = []
    names = list(arguments)
    for extra in ((), *((name,) for name in optional)):
        for order in permutations(names + list(extra)):
            args = _SEP.join(_keyword(n, arguments.get(n, _string())) for n in order)
            patterns.append(f"{_START}{function}\\(\\s*{args}\\s*,?\\s*\\)")
    return patterns


@dataclass(frozen=True)
class Helper:
    """An app helper of ``homeops_gen.apps``: its name and the chart it installs."""

    function: str
    chart: str
    chart_url_argument: bool
    chart_name: str | None = None
    """The chart's name in a ``https://`` repository (``chart`` is then the repository)."""

    @property
    def pattern(self) -> str:
        # The version is the first argument (positional or version=); a chart_url= after it
        # replaces the chart (an OCI reference) or the repository (https).
        call = f"{_START}{self.function}\\(\\s*(?:version\\s*=\\s*)?"
        pattern = call + _string("currentValue")
        if self.chart_url_argument:
            url = (
                _string("registryUrl", "https://")
                if self.chart_name
                else _string("depName", "oci://")
            )
            pattern += f"(?:[^)]*?[\\s,]chart_url\\s*=\\s*{url})?"
        return pattern

    @property
    def templates(self) -> dict[str, str]:
        """The manager's templates: an OCI chart is a docker dependency, a chart of a
        ``https://`` repository a helm one; a ``chart_url=`` found replaces the default."""
        if self.chart_name:
            return {
                "datasource": "helm",
                "depName": self.chart_name,
                "registryUrl": _default_or("registryUrl", self.chart, self.chart_url_argument),
            }
        default = self.chart.removeprefix("oci://")
        return {
            "datasource": "docker",
            "depName": _default_or("depName", default, self.chart_url_argument),
        }


def _default_or(group: str, default: str, captured: bool) -> str:
    """A template: the captured ``group`` if the pattern can capture one, else ``default``."""
    if not captured:
        return default
    return f"{{{{#if {group}}}}}{{{{{{{group}}}}}}}{{{{else}}}}{default}{{{{/if}}}}"


HELPERS = (
    Helper("cilium", CILIUM_CHART, chart_url_argument=True),
    Helper("coredns", COREDNS_CHART, chart_url_argument=True),
    Helper("flux_operator", FLUX_OPERATOR_CHART, chart_url_argument=False),
    Helper("flux_instance", FLUX_INSTANCE_CHART, chart_url_argument=False),
    Helper("cert_manager", CERT_MANAGER_CHART, chart_url_argument=True),
    Helper(
        "external_dns", EXTERNAL_DNS_REPOSITORY, chart_url_argument=True, chart_name="external-dns"
    ),
    Helper("spegel", SPEGEL_CHART, chart_url_argument=True),
    Helper(
        "metrics_server",
        METRICS_SERVER_REPOSITORY,
        chart_url_argument=True,
        chart_name="metrics-server",
    ),
    Helper("reloader", RELOADER_CHART, chart_url_argument=True),
)

COMMENT_PATTERN = (
    "#[ \\t]*renovate:[ \\t]*datasource=(?<datasource>\\S+)[ \\t]+depName=(?<depName>\\S+)"
    "(?:[ \\t]+registryUrl=(?<registryUrl>\\S+))?(?:[ \\t]+versioning=(?<versioning>\\S+))?"
    "[ \\t]*\\r?\\n(?:[^\\n]*[\\s(,]version\\s*=\\s*|[^\\n\"']*)" + _string("currentValue")
)
"""``# renovate: datasource=... depName=... [registryUrl=...] [versioning=...]`` above a line:
that line's ``version=`` string, or else its first string, is the version."""


def _versions_field(field: str) -> str:
    return f"{_START}Versions\\((?:[^)]*[\\s,])?\\s*{field}\\s*=\\s*" + _string("currentValue")


def _manager(description: str, patterns: list[str], **templates: str) -> dict[str, Any]:
    return {
        "customType": "regex",
        "description": description,
        "managerFilePatterns": [MODEL_FILE_PATTERN],
        "matchStrings": patterns,
        **{f"{name}Template": value for name, value in templates.items()},
    }


def custom_managers() -> list[dict[str, Any]]:
    """The regex managers that find every version written in ``cluster.py``."""
    oci_url = _string("depName", "oci://")
    https_url = f"{_Q}(?<registryUrl>https://{_VALUE}){_Q}"
    version = _string("currentValue")
    managers = [
        _manager(
            f"{what}: Versions({field}=...)",
            [_versions_field(field)],
            datasource="docker",
            depName=image,
        )
        for field, (what, image) in VERSIONS.items()
    ]
    managers += [
        _manager(
            'OCI charts: Chart(url="oci://...", version=...)',
            _calls("Chart", {"url": oci_url, "version": version}, optional=("name",)),
            datasource="docker",
        ),
        _manager(
            'Charts of https repositories: Chart(url="https://...", name=..., version=...)',
            _calls("Chart", {"url": https_url, "name": _string("depName"), "version": version}),
            datasource="helm",
        ),
    ]
    for helper in HELPERS:
        managers.append(
            _manager(f"{helper.function}(version)", [helper.pattern], **helper.templates)
        )
    for argument, (datasource, dep_name) in ARGUMENTS.items():
        managers.append(
            _manager(
                f"{argument}=...",
                [f"{_START}{argument}\\s*=\\s*" + _string("currentValue")],
                datasource=datasource,
                depName=dep_name,
            )
        )
    managers.append(
        _manager(
            "Any other version: a '# renovate: datasource=... depName=...' comment above it",
            [COMMENT_PATTERN],
        )
    )
    return managers


def config(project: Project) -> dict[str, Any]:
    """The Renovate config of ``project``."""
    automation = project.cluster.automation
    return {
        "$schema": SCHEMA,
        "description": HEADER,
        "extends": list(automation.renovate_presets),
        "ignorePaths": [f"{OUT}/**", WORKFLOW],
        "gitIgnoredAuthors": [REGENERATION_AUTHOR],
        "customManagers": custom_managers(),
        "packageRules": [
            {
                "description": "Talos and Kubernetes together; one pull request per minor",
                "matchDatasources": ["docker"],
                "matchDepNames": [TALOS_IMAGE, KUBELET_IMAGE],
                "groupName": "talos and kubernetes",
                "separateMultipleMinor": True,
            },
            {
                "description": "flux-operator and flux-instance together",
                "matchDatasources": ["docker"],
                "matchDepNames": [
                    FLUX_OPERATOR_CHART.removeprefix("oci://"),
                    FLUX_INSTANCE_CHART.removeprefix("oci://"),
                ],
                "groupName": "flux-operator",
            },
        ],
    }


def render(project: Project) -> dict[str, str]:
    """``renovate.json``, unless ``automation.renovate`` is off."""
    if not project.cluster.automation.renovate:
        return {}
    return {RENOVATE_CONFIG: json.dumps(config(project), indent=2) + "\n"}
