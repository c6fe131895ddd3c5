"""The typed API objects: dumped in declaration order without unset fields, refused when they
do not fit their type, and user-written parts checked against the same types."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest
import yaml
from typing_extensions import TypedDict

from homeops_gen.apis import SCHEMA_URLS, document_file, dump
from homeops_gen.apis.checking import problems
from homeops_gen.apis.flux import (
    DependsOn,
    HelmRelease,
    HelmReleaseSpec,
    Kustomization,
    KustomizationSpec,
    ObjectMeta,
)
from homeops_gen.apis.helmfile import Helmfile
from homeops_gen.apis.talos import DeleteDocument


def _release(spec: HelmReleaseSpec) -> HelmRelease:
    return {
        "spec": spec,
        "metadata": {"name": "web", "namespace": None},
        "kind": "HelmRelease",
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
    }


def test_dump_keeps_the_declaration_order_and_leaves_unset_fields_out() -> None:
    spec: HelmReleaseSpec = {
        "values": {"b": 1, "a": None},
        "upgrade": {"strategy": {"name": "RemediateOnFailure"}, "crds": "CreateReplace"},
        "timeout": None,
        "interval": "1h",
    }
    assert dump(HelmRelease)(_release(spec)) == {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "web"},
        "spec": {
            "interval": "1h",
            "upgrade": {"strategy": {"name": "RemediateOnFailure"}, "crds": "CreateReplace"},
            "values": {"b": 1, "a": None},  # free-form data keeps its order and its nulls
        },
    }
    assert list(dump(HelmRelease)(_release(spec))["spec"]["upgrade"]) == ["strategy", "crds"]


def test_dump_makes_free_form_values_plain_data() -> None:
    spec: HelmReleaseSpec = {"values": {"ip": IPv4Address("10.0.0.1"), "hosts": ("a", "b")}}
    assert dump(HelmReleaseSpec)(spec)["values"] == {"ip": "10.0.0.1", "hosts": ["a", "b"]}


def test_dump_refuses_an_object_that_does_not_fit_its_type() -> None:
    unknown = {"interval": "1h", "intervall": "2h"}
    with pytest.raises(TypeError, match=r"KustomizationSpec: unknown fields \['intervall'\]"):
        dump(KustomizationSpec)(unknown)  # type: ignore[arg-type]
    missing = {"apiVersion": "v1alpha1", "kind": "KubeFlannelCNIConfig"}
    with pytest.raises(TypeError, match=r"missing \['\$patch'\]"):
        dump(DeleteDocument)(missing)  # type: ignore[arg-type]
    nested = {"interval": "1h", "sourceRef": {"kind": "GitRepository"}}
    with pytest.raises(TypeError, match=r"CrossNamespaceRef: unknown fields \[\], missing"):
        dump(KustomizationSpec)(nested)  # type: ignore[arg-type]


class _Either(TypedDict):
    target: DependsOn | ObjectMeta


def test_a_field_of_several_object_types_is_refused() -> None:
    with pytest.raises(TypeError, match="one of several object types"):
        dump(_Either)({"target": {"name": "x"}})


def test_a_document_file_carries_its_types_schema_hint() -> None:
    kustomization: Kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps"},
        "spec": {"interval": "1h", "prune": True},
    }
    text = document_file(Kustomization)(kustomization, kustomization)
    assert SCHEMA_URLS[Kustomization] == (
        "https://kubernetes-schemas.pages.dev/kustomize.toolkit.fluxcd.io/kustomization_v1.json"
    )
    assert f"# yaml-language-server: $schema={SCHEMA_URLS[Kustomization]}" in text
    assert len(list(yaml.safe_load_all(text))) == 2
    assert SCHEMA_URLS[Helmfile] == "https://json.schemastore.org/helmfile"


def test_user_fields_are_checked_against_the_same_types() -> None:
    assert problems(HelmReleaseSpec, {}, "apps[0].release") == []  # every field optional
    assert problems(KustomizationSpec, {}, "apps[0].kustomization") == []
    assert problems(
        HelmReleaseSpec,
        {"install": {"remediaton": {"retries": 3}}, "timeout": "soon"},
        "apps[0].release",
    ) == [
        ("apps[0].release.timeout", "'soon' is not a duration (such as '30s', '5m' or '1h30m')"),
        ("apps[0].release.install.remediaton", "unknown field; did you mean remediation?"),
    ]
    assert problems(KustomizationSpec, {"prune": "yes"}, "k") == [
        ("k.prune", "'yes' must be true or false")
    ]
