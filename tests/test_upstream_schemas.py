"""Generated objects checked against the upstream schemas of the tools that consume them.

The schemas live in ../shared/schemas (not copied into the project); without that
folder these tests are skipped with the reason.
"""

from __future__ import annotations

import json
from collections import deque
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml

from homeops_gen import talos_patches, talos_types
from homeops_gen.compat import minor
from tests.conftest import MODELS, SCHEMAS, loaded, needs_schemas, rendered
from tests.talos_settings import with_backend

pytestmark = needs_schemas

FLUX = {
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "flux-kustomization-kustomize-v1.json",
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): "flux-helmrelease-helm-v2.json",
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): "flux-ocirepository-source-v1.json",
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): "flux-helmrepository-source-v1.json",
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): "flux-gitrepository-source-v1.json",
    ("notification.toolkit.fluxcd.io/v1", "Receiver"): "flux-receiver-notification-v1.json",
}
TALOS_SCHEMAS = {
    (1, 11): "talos-v1.11.5-config.schema.json",
    (1, 12): "talos-v1.12.11-config.schema.json",
    (1, 13): "talos-v1.13.7-config.schema.json",
    (1, 14): "talos-v1.14.0-rc.1-config.schema.json",
}
"""The upstream machine-config schema of each Talos minor in ../shared/schemas."""


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
        name = FLUX.get((str(doc.get("apiVersion")), str(doc.get("kind"))))
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
    talconfig = yaml.safe_load(with_backend(model, "talhelper")["out/talos/talconfig.yaml"])
    assert errors(talconfig, "talhelper-talconfig.json") == []


def talos_documents(files: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """Every machine-config document of every Talos patch either backend generated."""
    found = []
    for path, text in files.items():
        if path == "out/talos/talconfig.yaml":
            talconfig = yaml.safe_load(text)
            patches = [
                *talconfig["patches"],
                *talconfig.get("controlPlane", {}).get("patches", []),
                *talconfig.get("worker", {}).get("patches", []),
                *(p for node in talconfig["nodes"] for p in node.get("patches", [])),
            ]
            found += [(path, d) for p in patches for d in yaml.safe_load_all(p) if d]
        elif path.startswith(("out/talos/patches/", "out/talos/nodes/")):
            found += [(path, d) for d in yaml.safe_load_all(text) if d]
    return found


SCHEMA_KIND_ERRATA = {
    "talos-v1.14.0-rc.1-config.schema.json": {"UnattendedInstall": "UnattendedInstallConfig"}
}
"""Kinds a schema file names wrongly -> the kind Talos registers: the rc.1 schema's
``runtime.UnattendedInstallConfigV1Alpha1`` says ``UnattendedInstall``, while machinery v1.14.0-rc.1
registers ``UnattendedInstallConfigKind = "UnattendedInstallConfig"``
(``config/types/runtime/unattended_install.go``), the kind gen config writes and v1.14.1's
schema names (``talos_types_data``)."""


def talos_errors(document: dict[str, Any], name: str) -> list[str]:
    """Schema errors of one machine-config document: a typed one by its kind, else v1alpha1."""
    if "kind" not in document:
        return errors(document, name, "#/$defs/v1alpha1.Config")
    errata = SCHEMA_KIND_ERRATA.get(name, {})
    kinds = {
        errata.get(kind, kind): ref
        for ref, d in schema(name)["$defs"].items()
        if "kind" in d.get("properties", {}) and "enum" in d["properties"]["kind"]
        for kind in [d["properties"]["kind"]["enum"][0]]
    }
    if document["kind"] not in kinds:
        return [f"{document['kind']}: no such document kind in {name}"]
    if document.get("$patch") == "delete":
        return []  # removes the document gen config made: only its kind matters
    body = {**schema(name), "$ref": f"#/$defs/{kinds[document['kind']]}"}
    body.pop("oneOf", None)
    cls = jsonschema.validators.validator_for(body)
    named = {
        **document,
        "kind": {v: k for k, v in errata.items()}.get(document["kind"], document["kind"]),
    }
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in cls(body).iter_errors(_without_deletes(named))
        # A patch document merges into the one gen config made: it names only what it sets.
        if not (e.validator == "required" and e.absolute_path == deque() and _only_fields(e))
    ]


def _only_fields(error: Any) -> bool:
    """Whether a 'required' error is about a field other than apiVersion and kind."""
    return not any(f"'{key}'" in error.message for key in ("apiVersion", "kind"))


def _without_deletes(data: Any) -> Any:
    """``data`` without the ``$patch: delete`` entries of a patch (they remove, not set)."""
    if isinstance(data, dict):
        return {
            k: _without_deletes(v)
            for k, v in data.items()
            if not (isinstance(v, dict) and v.get("$patch") == "delete")
        }
    return data


@pytest.mark.parametrize("backend", ["talhelper", "talosctl"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_talos_documents_match_the_machine_config_schema(model: str, backend: str) -> None:
    """Every document of every patch validates against the schema of the model's Talos minor."""
    version = minor(loaded(model).cluster.versions.talos)
    if version not in TALOS_SCHEMAS:
        pytest.skip(f"no upstream machine-config schema for Talos {version} in {SCHEMAS}")
    found = talos_documents(with_backend(model, backend))
    assert found
    cluster = loaded(model).cluster
    for path, document in found:
        kubelet = document.get("machine", {}).get("kubelet") if "kind" not in document else None
        if kubelet is not None and talos_patches.kubelet_in_v1alpha1(cluster):
            # kept in v1alpha1 on purpose (KubeletConfig has no mounts): the newest schema that
            # has .machine.kubelet, 1.13's, judges it; Talos 1.14 itself accepts it (make
            # consumers runs talosctl validate on these configs)
            assert set(kubelet) <= {p[-1] for p in talos_patches.KUBELET_V1ALPHA1}, path
            legacy = {"machine": {"kubelet": kubelet}}
            assert talos_errors(legacy, TALOS_SCHEMAS[(1, 13)]) == [], (path, legacy)
            document = {**document, "machine": dict(document["machine"])}
            del document["machine"]["kubelet"]
            if not document["machine"]:
                del document["machine"]
            if not document:
                continue
        assert talos_errors(document, TALOS_SCHEMAS[version]) == [], (path, document)


def test_the_schema_errata_are_the_kinds_a_later_schema_of_the_minor_names() -> None:
    """Each renamed kind is the one the generated table (machinery v1.14.1's schema) has."""
    for name, renamed in SCHEMA_KIND_ERRATA.items():
        contract = "v" + ".".join(name.split("-v", 1)[1].split(".")[:2])
        for wrong, kind in renamed.items():
            assert talos_types.has_kind(contract, kind), (name, kind)
            assert not talos_types.has_kind(contract, wrong), (name, wrong)


@pytest.mark.parametrize("backend", ["talhelper", "talosctl"])
def test_an_upgraded_cluster_keeps_its_contracts_fields(backend: str) -> None:
    """Talos 1.14 with a 1.13 contract (an upgraded cluster) keeps the v1alpha1 Kubernetes
    settings its configs have; only those are outside the 1.14 schema."""
    name = TALOS_SCHEMAS[(1, 14)]
    found = talos_documents(with_backend("talosctl-1-14", backend, config_contract="v1.13"))
    legacy = [d for _, d in found if "kind" not in d]
    assert legacy, "the 1.13 contract writes v1alpha1 settings"
    for path, document in found:
        if "kind" not in document:
            assert talos_errors(document, name) != [], path  # really gone from the 1.14 schema
            document = without_v1alpha1_kubernetes(document)
        assert talos_errors(document, name) == [], (path, document)


KUBERNETES_V1ALPHA1 = {
    "cluster": ("allowSchedulingOnControlPlanes", "apiServer", "coreDNS", "network", "proxy"),
    "machine": ("kubelet", "nodeLabels"),
}
"""v1alpha1 Kubernetes settings Talos 1.14 deprecated in favour of k8s.* documents (KubeNodeConfig,
KubeNetworkConfig, KubeProxyConfig, ...; hack/release.toml "Kubernetes Multi-document
Configuration"). A 1.14 contract gets the documents; configs of an older contract keep these
fields, which 1.14 still accepts for backwards compatibility, but its schema no longer lists."""


def without_v1alpha1_kubernetes(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without the v1alpha1 settings Talos 1.14 moved into k8s.* documents."""
    if "kind" in document:
        return document
    result = {}
    for section, body in document.items():
        kept = {k: v for k, v in body.items() if k not in KUBERNETES_V1ALPHA1.get(section, ())}
        features = kept.get("features", {})
        if section == "machine" and "kubePrism" in features:
            features = {k: v for k, v in features.items() if k != "kubePrism"}
            kept = (
                {**kept, "features": features}
                if features
                else {k: v for k, v in kept.items() if k != "features"}
            )
        if kept:
            result[section] = kept
    return result


def test_typed_talos_documents_are_checked_by_kind() -> None:
    """A misspelled field or a kind the version does not know fails."""
    name = TALOS_SCHEMAS[(1, 12)]
    assert talos_errors({"apiVersion": "v1alpha1", "kind": "HostnameConfig", "hostName": "a"}, name)
    assert talos_errors({"apiVersion": "v1alpha1", "kind": "SecurityProfileConfig"}, name)
    assert talos_errors({"machine": {"kubelet": {"nodeIp": {}}}}, name)
    ok = {"apiVersion": "v1alpha1", "kind": "HostnameConfig", "auto": "off", "hostname": "a"}
    assert talos_errors(ok, name) == []
    v114 = TALOS_SCHEMAS[(1, 14)]
    assert talos_errors(
        {"apiVersion": "v1alpha1", "kind": "KubeProxyConfig", "enabled": "no"}, v114
    )
    assert talos_errors(
        {"apiVersion": "v1alpha1", "kind": "KubeProxyConfig", "enabld": False}, v114
    )
    assert talos_errors({"apiVersion": "v1alpha1", "kind": "KubeProxyConfig"}, name)  # not in 1.12


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
