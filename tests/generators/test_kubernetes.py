"""Layer 4: the Flux tree."""

from __future__ import annotations

from typing import Any

import subprocess
from pathlib import Path

import yaml

from homeops_gen.model import Cluster
from homeops_gen.deployment import Deployment
from tests.conftest import generated, loaded, rendered

APPS = "out/kubernetes/apps"


def _load(model: str, path: str) -> dict[str, Any]:
    data: dict[str, Any] = next(yaml.safe_load_all(rendered(model)[path]))
    return data


def _all(model: str, path: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(rendered(model)[path]))


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


def test_every_helmrelease_carries_the_install_defaults_and_the_root_patches_nothing() -> None:
    # A patch from the root would override what an app sets in App.release.
    root = _load("nova", "out/kubernetes/flux/cluster/ks.yaml")
    assert root["spec"]["path"] == f"./{APPS}"
    assert "patches" not in root["spec"]
    release = _load("nova", f"{APPS}/kube-system/cilium/app/helmrelease.yaml")["spec"]
    assert release["install"]["strategy"] == {"name": "RetryOnFailure"}
    assert release["upgrade"]["remediation"]["retries"] == 2
    assert release["rollback"] == {"cleanupOnFail": True, "recreate": True}


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
    assert chart["chart"] == "cert-manager" and chart["version"] == "v1.19.1"
    assert chart["sourceRef"] == {"kind": "HelmRepository", "name": "cert-manager"}
    repo = _load("many-apps", f"{APPS}/cert-manager/cert-manager/app/helmrepository.yaml")
    assert repo["spec"]["url"] == "https://charts.jetstack.io"


def test_custom_resources_get_their_own_kustomization_after_the_release() -> None:
    base = f"{APPS}/cert-manager/cert-manager"
    assert _load("many-apps", f"{base}/app/kustomization.yaml")["resources"] == [
        "./helmrepository.yaml",
        "./helmrelease.yaml",
    ]
    kustomization = _load("many-apps", f"{base}/resources/kustomization.yaml")
    assert kustomization["resources"] == ["./clusterissuer-selfsigned.yaml"]
    issuer = _load("many-apps", f"{base}/resources/clusterissuer-selfsigned.yaml")
    assert issuer["kind"] == "ClusterIssuer"
    app, resources = _all("many-apps", f"{base}/ks.yaml")
    assert app["spec"]["wait"] is True, "Ready only once the release (and its CRDs) is"
    assert resources["metadata"]["name"] == "cert-manager-resources"
    assert resources["spec"]["path"] == f"./{base}/resources"
    assert resources["spec"]["dependsOn"] == [{"name": "cert-manager"}]


def test_dependents_wait_for_the_custom_resources_too() -> None:
    # An app depending on cert-manager needs its issuers, not only the controller.
    waiting = {
        ks["metadata"]["name"]: ks["spec"]["dependsOn"]
        for path, text in rendered("many-apps").items()
        if path.endswith("/ks.yaml")
        for ks in yaml.safe_load_all(text)
        if ks["spec"].get("dependsOn")
    }
    assert waiting["cert-manager-resources"] == [{"name": "cert-manager"}]
    others = {name for name, deps in waiting.items() if {"name": "cert-manager"} in deps}
    assert others == {"cert-manager-resources"}
    issuers = {name for name, deps in waiting.items() if {"name": "cert-manager-resources"} in deps}
    assert issuers == {"envoy-gateway", "kube-prometheus-stack"}


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
    assert list(chart_objects(a)[1]["spec"].get("values") or {}) == ["a", "b"]


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


def test_flux_fetches_the_repository_every_minute_by_default() -> None:
    """Without a webhook Receiver a push waits for the next sync: it must be short."""
    sync = Deployment(loaded("nova").cluster).app("flux-instance").values["instance"]["sync"]
    assert sync["interval"] == "1m"
    cluster = loaded("nova").cluster
    faster = Cluster(
        **{
            **{f: getattr(cluster, f) for f in Cluster.model_fields},
            "gitops": cluster.gitops.model_copy(update={"sync_interval": "30s"}),
        }
    )
    assert Deployment(faster).app("flux-instance").values["instance"]["sync"]["interval"] == "30s"


def test_bgp_peering_announces_the_pool_from_the_model() -> None:
    """A pool outside node_cidr needs BGP: Cilium's control plane (cilium.io/v2 in 1.18)
    peers every node with the model's routers and announces every Service's LB IP."""
    app_dir = "out/kubernetes/apps/kube-system/cilium/app"
    resources_dir = "out/kubernetes/apps/kube-system/cilium/resources"
    files = rendered("bgp")
    cilium = yaml.safe_load(files[f"{app_dir}/helmrelease.yaml"].split("---\n", 1)[1])
    assert cilium["spec"]["values"]["bgpControlPlane"] == {"enabled": True}
    assert "l2announcements" not in cilium["spec"]["values"], "the pool is not on the node LAN"
    docs = {
        name: yaml.safe_load(text.split("---\n", 1)[1])
        for name, text in files.items()
        if name.startswith(f"{resources_dir}/ciliumbgp")
    }
    by_kind = {d["kind"]: d for d in docs.values()}
    assert {d["apiVersion"] for d in docs.values()} == {"cilium.io/v2"}
    instance = by_kind["CiliumBGPClusterConfig"]["spec"]["bgpInstances"][0]
    assert instance["localASN"] == 64514
    peer = instance["peers"][0]
    assert (peer["peerAddress"], peer["peerASN"]) == ("192.168.42.1", 64513)
    assert peer["peerConfigRef"]["name"] == by_kind["CiliumBGPPeerConfig"]["metadata"]["name"]
    family = by_kind["CiliumBGPPeerConfig"]["spec"]["families"][0]
    advert = by_kind["CiliumBGPAdvertisement"]
    assert family["advertisements"]["matchLabels"].items() <= advert["metadata"]["labels"].items()
    assert advert["spec"]["advertisements"][0]["service"]["addresses"] == ["LoadBalancerIP"]
    kustomization = yaml.safe_load(
        files[f"{resources_dir}/kustomization.yaml"].split("---\n", 1)[1]
    )
    assert {f"./{n.rsplit('/', 1)[1]}" for n in docs} <= set(kustomization["resources"])
    # Without network.bgp nothing of it is generated.
    assert not any("ciliumbgp" in p for p in rendered("nova"))


def test_namespaces_carry_the_models_labels_and_annotations() -> None:
    privileged = {
        "pod-security.kubernetes.io/audit": "privileged",
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/warn": "privileged",
    }
    longhorn = _load("homelab", f"{APPS}/longhorn-system/namespace.yaml")
    assert longhorn["metadata"] == {"name": "longhorn-system", "labels": privileged}
    sandbox = _load("homelab", f"{APPS}/sandbox/namespace.yaml")["metadata"]
    assert sandbox["annotations"] == {"example.com/owner": "homelab"}
    # A namespace no app uses yet is created all the same.
    upgrade = _load("homelab", f"{APPS}/system-upgrade/kustomization.yaml")
    assert upgrade["resources"] == ["./namespace.yaml"]
    assert "./system-upgrade" in _load("homelab", f"{APPS}/kustomization.yaml")["resources"]


def test_an_app_without_a_chart_is_a_kustomization_of_its_files() -> None:
    files = rendered("homelab")
    base = f"{APPS}/sandbox/echo"
    assert sorted(p for p in files if p.startswith(base)) == [
        f"{base}/app/echo.yaml",
        f"{base}/app/kustomization.yaml",
        f"{base}/ks.yaml",
    ]
    assert _load("homelab", f"{base}/app/kustomization.yaml")["resources"] == ["./echo.yaml"]
    spec = _load("homelab", f"{base}/ks.yaml")["spec"]
    assert spec["wait"] is True and spec["timeout"] == "2m", "App.kustomization wins"


def test_chart_version_with_a_v_is_the_oci_tag() -> None:
    source = _load("homelab", f"{APPS}/cert-manager/cert-manager/app/ocirepository.yaml")
    assert source["spec"]["ref"] == {"tag": "v1.19.1"}


def test_app_options_are_merged_over_the_generated_objects() -> None:
    release = _load("homelab", f"{APPS}/observability/kube-prometheus-stack/app/helmrelease.yaml")
    spec = release["spec"]
    assert spec["timeout"] == "15m"
    assert spec["valuesFrom"] == [
        {"kind": "Secret", "name": "alertmanager-values", "valuesKey": "values.yaml"}
    ]
    # Merged, not replaced: the defaults the app does not set stay.
    assert spec["install"] == {
        "remediation": {"retries": 3},
        "strategy": {"name": "RetryOnFailure"},
        "crds": "CreateReplace",
    }
    assert spec["upgrade"]["remediation"] == {
        "retries": 3,
        "remediateLastFailure": True,
        "strategy": "rollback",
    }
    assert spec["chartRef"] == {"kind": "OCIRepository", "name": "kube-prometheus-stack"}
    # The Kustomization options reach both of an app's Kustomizations.
    app, resources = _all("homelab", f"{APPS}/network/cloudflared/ks.yaml")
    for ks in (app, resources):
        assert ks["spec"]["postBuild"] == {
            "substituteFrom": [{"kind": "Secret", "name": "cluster-secrets"}]
        }
        assert ks["spec"]["interval"] == "30m"
    assert resources["spec"]["path"].endswith("/cloudflared/resources")
    dns = _load("homelab", f"{APPS}/network/external-dns/app/helmrelease.yaml")["spec"]
    assert dns["releaseName"] == "cloudflare-dns" and dns["driftDetection"] == {"mode": "enabled"}
