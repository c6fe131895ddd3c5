"""Generated objects checked against the upstream schemas of the tools that consume them.

The schemas live in ../shared/schemas (not copied into the project); without that
folder these tests are skipped with the reason.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml

from homeops_gen.compat import minor
from tests.conftest import MODELS, SCHEMAS, loaded, needs_schemas, rendered

pytestmark = needs_schemas

FLUX = {
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "flux-kustomization-kustomize-v1.json",
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): "flux-helmrelease-helm-v2.json",
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): "flux-ocirepository-source-v1.json",
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): "flux-helmrepository-source-v1.json",
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): "flux-gitrepository-source-v1.json",
}
TALOS_SCHEMAS = {
    (1, 11): "talos-v1.11.5-config.schema.json",
    (1, 13): "talos-v1.13.7-config.schema.json",
}


@cache
def schema(name: str) -> dict[str, Any]:
    loaded_schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded_schema


def errors(instance: Any, name: str, ref: str | None = None) -> list[str]:
    body = schema(name)
    if ref is not None:
        body = {**body, "$ref": ref}
        body.pop("oneOf", None)
    cls = jsonschema.validators.validator_for(body, default=jsonschema.Draft7Validator)
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in cls(body).iter_errors(instance)
    ]


def documents(model: str, suffix: str) -> list[tuple[str, Any]]:
    return [
        (path, doc)
        for path, text in rendered(model).items()
        if path.endswith(suffix)
        for doc in yaml.safe_load_all(text)
        if doc is not None
    ]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_flux_objects_match_the_flux_crds(model: str) -> None:
    checked = 0
    for path, doc in documents(model, ".yaml"):
        if not isinstance(doc, dict) or "sops" in doc:
            continue
        name = FLUX.get((doc.get("apiVersion"), doc.get("kind")))
        if name is None:
            assert "fluxcd.io" not in str(doc.get("apiVersion")), f"{path}: unchecked Flux object"
            continue
        assert errors(doc, name) == [], path
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("model", sorted(MODELS))
def test_flux_instance_matches_the_fluxinstance_crd(model: str) -> None:
    release = documents(model, "flux-instance/app/helmrelease.yaml")[0][1]
    instance = {
        "apiVersion": "fluxcd.controlplane.io/v1",
        "kind": "FluxInstance",
        "metadata": {"name": "flux", "namespace": "flux-system"},
        "spec": release["spec"]["values"]["instance"],
    }
    assert errors(instance, "flux-fluxinstance-fluxcd-v1.json") == []


@pytest.mark.parametrize("model", sorted(MODELS))
def test_talconfig_matches_talhelpers_schema(model: str) -> None:
    [(path, talconfig)] = documents(model, "talos/talconfig.yaml")
    assert errors(talconfig, "talhelper-talconfig.json") == [], path


@pytest.mark.parametrize("model", sorted(MODELS))
def test_talos_patches_match_the_machine_config_schema(model: str) -> None:
    version = minor(loaded(model).cluster.versions.talos)
    name = TALOS_SCHEMAS.get(
        version, TALOS_SCHEMAS[(1, 11)] if version < (1, 13) else TALOS_SCHEMAS[(1, 13)]
    )
    [(_, talconfig)] = documents(model, "talos/talconfig.yaml")
    patches = [
        *talconfig["patches"],
        *talconfig.get("controlPlane", {}).get("patches", []),
        *talconfig.get("worker", {}).get("patches", []),
        *(p for node in talconfig["nodes"] for p in node.get("patches", [])),
    ]
    for text in patches:
        patch = yaml.safe_load(text)
        # A config document (apiVersion and kind) is one of the schema's documents.
        where = None if "kind" in patch else "#/$defs/v1alpha1.Config"
        assert errors(patch, name, where) == [], text


@pytest.mark.parametrize("model", sorted(MODELS))
def test_cilium_values_match_the_chart_schema(model: str) -> None:
    [(path, release)] = documents(model, "kube-system/cilium/app/helmrelease.yaml")
    assert errors(release["spec"]["values"], "cilium-1.18.4-values.schema.json") == [], path


@pytest.mark.parametrize("model", sorted(MODELS))
def test_helmfile_matches_schemastore(model: str) -> None:
    [(path, helmfile)] = documents(model, "bootstrap/helmfile.yaml")
    assert errors(helmfile, "schemastore-helmfile.json") == [], path


@pytest.mark.parametrize("model", sorted(MODELS))
def test_kustomizations_match_schemastore(model: str) -> None:
    found = documents(model, "/kustomization.yaml")
    assert found
    for path, doc in found:
        assert errors(doc, "schemastore-kustomization.json") == [], path


def test_a_wrong_field_is_caught() -> None:
    """The schemas really constrain: a misspelled field fails."""
    [(_, release)] = documents("nova", "kube-system/cilium/app/helmrelease.yaml")
    broken = {**release, "spec": {**release["spec"], "intervall": "1h"}}
    assert errors(broken, FLUX[("helm.toolkit.fluxcd.io/v2", "HelmRelease")])
    assert errors({"gatewayAPI": {"enabled": "yes"}}, "cilium-1.18.4-values.schema.json")
