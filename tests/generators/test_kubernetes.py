"""Layer 4: the Flux tree."""

from __future__ import annotations

from typing import Any

import subprocess
from pathlib import Path

import yaml

from tests.conftest import generated, loaded, rendered

APPS = "out/kubernetes/apps"


def _load(model: str, path: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(rendered(model)[path])
    return data


def test_tree_layout() -> None:
    files = rendered("nova")
    for path in (
        "out/kubernetes/flux/cluster/ks.yaml",
        f"{APPS}/kustomization.yaml",
        f"{APPS}/kube-system/kustomization.yaml",
        f"{APPS}/kube-system/cilium/ks.yaml",
        f"{APPS}/kube-system/cilium/app/kustomization.yaml",
        f"{APPS}/kube-system/cilium/app/helmrelease.yaml",
        f"{APPS}/kube-system/cilium/app/ocirepository.yaml",
        "out/kubernetes/components/namespace/kustomization.yaml",
    ):
        assert path in files


def test_root_kustomization_patches_helmrelease_defaults_into_children() -> None:
    root = _load("nova", "out/kubernetes/flux/cluster/ks.yaml")
    assert root["spec"]["path"] == f"./{APPS}"
    [patch] = root["spec"]["patches"]
    assert patch["target"] == {"group": "kustomize.toolkit.fluxcd.io", "kind": "Kustomization"}
    inner = yaml.safe_load(patch["patch"])["spec"]["patches"][0]
    assert inner["target"]["kind"] == "HelmRelease"
    defaults = yaml.safe_load(inner["patch"])["spec"]
    assert set(defaults) == {"install", "upgrade", "rollback"}


def test_namespace_kustomization_uses_the_component() -> None:
    ns = _load("many-apps", f"{APPS}/network/kustomization.yaml")
    assert "namespace" not in ns, "the Flux Kustomizations stay in flux-system"
    assert ns["components"] == ["../../components/namespace"]
    assert ns["resources"] == [
        "./namespace.yaml",
        "./envoy-gateway/ks.yaml",
        "./external-dns/ks.yaml",
    ]
    assert _load("many-apps", f"{APPS}/network/namespace.yaml")["metadata"] == {"name": "network"}


def test_namespaces_are_never_pruned(tmp_path: Path) -> None:
    from homeops_gen.validate import kubectl

    for path, text in rendered("many-apps").items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    built = subprocess.run(
        [kubectl(), "kustomize", str(tmp_path / APPS)], capture_output=True, text=True, check=True
    )
    namespaces = [d for d in yaml.safe_load_all(built.stdout) if d["kind"] == "Namespace"]
    cluster = loaded("many-apps").cluster
    assert {n["metadata"]["name"] for n in namespaces} == {a.namespace for a in cluster.apps}
    assert len(namespaces) > 2
    for namespace in namespaces:
        assert namespace["metadata"]["annotations"] == {
            "kustomize.toolkit.fluxcd.io/prune": "disabled"
        }


def test_app_kustomization_depends_on_with_namespaces() -> None:
    grafana = _load("many-apps", f"{APPS}/observability/grafana/ks.yaml")
    spec = grafana["spec"]
    assert grafana["metadata"]["namespace"] == "flux-system"
    assert spec["dependsOn"] == [{"name": "external-dns"}, {"name": "kube-prometheus-stack"}]
    assert spec["path"] == f"./{APPS}/observability/grafana/app"
    assert spec["targetNamespace"] == "observability" and spec["prune"] is True
    assert spec["sourceRef"] == {
        "kind": "GitRepository",
        "name": "flux-system",
        "namespace": "flux-system",
    }
    assert spec["wait"] is False, "nothing depends on grafana"
    assert _load("many-apps", f"{APPS}/cert-manager/cert-manager/ks.yaml")["spec"]["wait"] is True


def test_oci_chart_becomes_ocirepository_and_chartref() -> None:
    release = _load("nova", f"{APPS}/kube-system/cilium/app/helmrelease.yaml")
    assert release["spec"]["chartRef"] == {"kind": "OCIRepository", "name": "cilium"}
    source = _load("nova", f"{APPS}/kube-system/cilium/app/ocirepository.yaml")
    assert source["spec"]["url"] == "oci://ghcr.io/home-operations/charts-mirror/cilium"
    assert source["spec"]["ref"] == {"tag": "1.18.4"}


def test_https_chart_becomes_helmrepository() -> None:
    release = _load("many-apps", f"{APPS}/cert-manager/cert-manager/app/helmrelease.yaml")
    chart = release["spec"]["chart"]["spec"]
    assert chart["chart"] == "cert-manager" and chart["version"] == "1.19.1"
    assert chart["sourceRef"] == {"kind": "HelmRepository", "name": "cert-manager"}
    repo = _load("many-apps", f"{APPS}/cert-manager/cert-manager/app/helmrepository.yaml")
    assert repo["spec"]["url"] == "https://charts.jetstack.io"


def test_extra_resources_ship_beside_the_release() -> None:
    app = f"{APPS}/cert-manager/cert-manager/app"
    kustomization = _load("many-apps", f"{app}/kustomization.yaml")
    assert "./clusterissuer-selfsigned.yaml" in kustomization["resources"]
    issuer = _load("many-apps", f"{app}/clusterissuer-selfsigned.yaml")
    assert issuer["kind"] == "ClusterIssuer"


def test_secrets_are_decrypted_by_flux() -> None:
    ks = _load("sops-secrets", f"{APPS}/observability/grafana/ks.yaml")
    assert ks["spec"]["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
    kustomization = _load("sops-secrets", f"{APPS}/observability/grafana/app/kustomization.yaml")
    assert "./grafana-admin.sops.yaml" in kustomization["resources"]
    assert "decryption" not in _load("sops-secrets", f"{APPS}/kube-system/cilium/ks.yaml")["spec"]


def test_every_yaml_file_has_a_header_and_document_start() -> None:
    for model in ("nova", "many-apps"):
        for path, text in generated(model).items():
            if path.endswith(".yaml"):
                assert text.startswith("# Generated from cluster.py by homeops-gen."), path
                assert "\n---\n" in text, path


def test_values_order_does_not_depend_on_dict_order() -> None:
    from homeops_gen.generators.kubernetes import chart_objects
    from homeops_gen.model import App, Chart

    chart = Chart(url="oci://r.io/x", version="1.0.0")
    a = App(name="x", namespace="x", chart=chart, values={"b": 1, "a": {"y": 1, "x": 2}})
    b = App(name="x", namespace="x", chart=chart, values={"a": {"x": 2, "y": 1}, "b": 1})
    assert chart_objects(a)[1] == chart_objects(b)[1]
    assert list(chart_objects(a)[1].spec.values or {}) == ["a", "b"]


def test_every_kubernetes_yaml_file_names_its_schema() -> None:
    for model in ("nova", "many-apps", "sops-secrets"):
        for path, text in generated(model).items():
            if path.startswith("out/kubernetes/"):
                assert "\n# yaml-language-server: $schema=https://" in text, path


def test_schema_urls_by_kind() -> None:
    from homeops_gen.apis.kubernetes import schema_url

    core = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.34.0-standalone-strict"
    assert schema_url("v1", "Namespace", "v1.34.0") == f"{core}/namespace-v1.json"
    assert (
        schema_url("networking.k8s.io/v1", "NetworkPolicy", "v1.34.0")
        == f"{core}/networkpolicy-networking-v1.json"
    )
    assert schema_url("apps/v1", "Deployment", "v1.34.0") == f"{core}/deployment-apps-v1.json"
    assert schema_url("cert-manager.io/v1", "ClusterIssuer", "v1.34.0") == (
        "https://kubernetes-schemas.pages.dev/cert-manager.io/clusterissuer_v1.json"
    )
