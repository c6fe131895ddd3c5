"""The helpers of the apps every homelab adds: what each derives, what each writes into the
Talos layer from the same call, and what each refuses (a model with that fault only)."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from homeops_gen import apps, model, talos_patches
from homeops_gen.deployment import (
    API_TOKEN_KEY,
    CERT_MANAGER_SECRET,
    EXTERNAL_DNS_SECRET,
    SPEGEL_REGISTRY_CONFIG_PATH,
    WEBHOOK_APP,
    WEBHOOK_SECRET,
    WEBHOOK_SERVICE,
    WEBHOOK_TOKEN_KEY,
)
from homeops_gen.layout import APPS, RESOURCES_FOLDER, TALOS
from homeops_gen.model import App, Cluster
from homeops_gen.rules import check_cluster
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, ROOT, loaded, rendered, run, tree
from tests.consumers.charts import CHARTS
from tests.consumers.checks import tool
from tests.talos_settings import documents

FIXTURE = "batteries"


def variant(**changes: Any) -> Cluster:
    """The fixture's model with top-level fields replaced (``talos``/``gitops`` fields merged),
    built afresh so everything derived is derived again."""
    data = loaded(FIXTURE).cluster.model_dump(mode="json", serialize_as_any=True)
    for key, value in changes.items():
        data[key] = {**data[key], **value} if key in ("talos", "gitops") else value
    return Cluster.model_validate(data)


def with_app(name: str, app: App) -> Cluster:
    """The fixture's model with the app ``name`` replaced by ``app``."""
    cluster = loaded(FIXTURE).cluster
    dumped = [
        (app if a.name == name else a).model_dump(mode="json", serialize_as_any=True)
        for a in cluster.apps
    ]
    return variant(apps=dumped)


def errors(cluster: Cluster) -> list[str]:
    return [str(p) for p in check_cluster(cluster) if p.error]


def index(cluster: Cluster, name: str) -> int:
    return next(i for i, a in enumerate(cluster.apps) if a.name == name)


def talos_file(name: str) -> list[dict[str, Any]]:
    return documents(rendered(FIXTURE)[f"{TALOS}/patches/{name}.yaml"])


def files_patches(cluster: Cluster) -> list[dict[str, Any]]:
    """The cluster's v1alpha1 patches writing machine files."""
    return [p for p in talos_patches.cluster_settings(cluster) if "files" in p.get("machine", {})]


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d.get("kind") == kind]


def test_the_fixture_has_no_problem() -> None:
    assert errors(loaded(FIXTURE).cluster) == []


# cert-manager


def test_cert_manager_installs_its_crds_and_issues_over_dns01() -> None:
    cluster = loaded(FIXTURE).cluster
    app = Deployment(cluster).app("cert-manager")
    assert app.values["crds"] == {"enabled": True, "keep": True}
    [issuer] = app.resources
    assert issuer["kind"] == "ClusterIssuer"
    acme = issuer["spec"]["acme"]
    assert acme["email"] == "admin@example.org"
    assert issuer["metadata"]["name"] == "letsencrypt-staging"  # the fixture's staging=True
    assert acme["server"] == "https://acme-staging-v02.api.letsencrypt.org/directory"
    [solver] = acme["solvers"]
    assert solver["selector"] == {"dnsZones": ["lab.example.org"]}
    ref = solver["dns01"]["cloudflare"]["apiTokenSecretRef"]
    assert ref == {"name": CERT_MANAGER_SECRET, "key": API_TOKEN_KEY}
    assert app.secrets == ("secrets/cloudflare-dns01.sops.yaml",)


def test_the_cluster_issuer_waits_for_the_crds_of_the_release() -> None:
    files = rendered(FIXTURE)
    base = f"{APPS}/cert-manager/cert-manager"
    assert f"{base}/{RESOURCES_FOLDER}/clusterissuer-letsencrypt-staging.yaml" in files
    second = documents(files[f"{base}/ks.yaml"])[1]
    assert second["spec"]["dependsOn"] == [{"name": "cert-manager"}]
    assert second["spec"]["path"].endswith(f"/{RESOURCES_FOLDER}")


def test_production_is_the_default() -> None:
    app = apps.cert_manager(
        "v1.21.1", email="a@example.org", dns_zones=["example.org"], api_token="secrets/t.sops.yaml"
    )
    [issuer] = Deployment(with_app("cert-manager", app)).app("cert-manager").resources
    assert issuer["metadata"]["name"] == "letsencrypt-production"
    assert issuer["spec"]["acme"]["server"] == "https://acme-v02.api.letsencrypt.org/directory"


def test_an_unknown_dns_provider_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="provider"):
        apps.cert_manager(
            "v1.21.1",
            email="a@example.org",
            dns_zones=["example.org"],
            api_token="secrets/t.sops.yaml",
            provider="route53",  # type: ignore[arg-type]
        )


def test_an_email_without_a_domain_is_refused() -> None:
    with pytest.raises(ValidationError, match="e-mail address"):
        apps.cert_manager(
            "v1.21.1", email="admin", dns_zones=["example.org"], api_token="secrets/t.sops.yaml"
        )


def test_a_token_file_the_app_does_not_ship_is_refused() -> None:
    made = apps.cert_manager(
        "v1.21.1", email="a@example.org", dns_zones=["example.org"], api_token="secrets/t.sops.yaml"
    )
    cluster = with_app("cert-manager", made.model_copy(update={"secrets": ()}))
    i = index(cluster, "cert-manager")
    [error] = errors(cluster)
    assert error.startswith(f"apps[{i}].secrets: secrets/t.sops.yaml (made_by.api_token)")


# external-dns


def test_external_dns_serves_the_routes_of_the_gateway_api_cilium_serves() -> None:
    values = Deployment(loaded(FIXTURE).cluster).app("external-dns").values
    assert values["sources"] == ["service", "gateway-httproute"]
    assert values["provider"] == {"name": "cloudflare"}
    assert values["domainFilters"] == ["lab.example.org"]
    assert values["txtOwnerId"] == "ember"
    [env] = values["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": EXTERNAL_DNS_SECRET, "key": API_TOKEN_KEY}


def test_without_the_gateway_api_external_dns_serves_services_only() -> None:
    cluster = with_app("cilium", apps.cilium("1.19.4", gateway_api=False))
    assert Deployment(cluster).app("external-dns").values["sources"] == ["service"]


def test_a_user_value_contradicting_a_derived_one_is_refused() -> None:
    made = apps.external_dns(
        "1.21.1",
        domain_filters=["lab.example.org"],
        api_token="secrets/external-dns-cloudflare.sops.yaml",
        values={"txtOwnerId": "another"},
    )
    cluster = with_app("external-dns", made)
    [error] = errors(cluster)
    assert error.startswith(f"apps[{index(cluster, 'external-dns')}].values")
    assert "txtOwnerId" in error and "'ember'" in error


# Spegel: one call, two layers


def test_spegel_writes_where_talos_containerd_reads_mirrors() -> None:
    values = Deployment(loaded(FIXTURE).cluster).app("spegel").values
    assert values["spegel"]["containerdRegistryConfigPath"] == SPEGEL_REGISTRY_CONFIG_PATH


def test_spegel_keeps_unpacked_layers_through_the_contracts_cri_document() -> None:
    [cri] = by_kind(talos_file("cluster"), "CRICustomizationConfig")
    assert cri["name"] == "spegel"
    assert cri["content"] == (
        '[plugins."io.containerd.cri.v1.images"]\n  discard_unpacked_layers = false\n'
    )


def test_before_the_cri_document_spegel_writes_the_customization_file() -> None:
    cluster = variant(
        versions={"talos": "v1.13.7", "kubernetes": "v1.35.0"},
        talos={"config_contract": "v1.13"},
    )
    [patch] = files_patches(cluster)
    [file] = patch["machine"]["files"]
    assert file["path"] == "/etc/cri/conf.d/20-customization.part" and file["op"] == "create"
    assert 'cri.v1.images"]\n  discard_unpacked_layers = false' in file["content"]
    assert talos_patches.in_contract(cluster, [patch]) == [patch]  # v1alpha1 for 1.13


def test_talos_1_7_runs_containerd_1_and_gets_its_cri_section() -> None:
    cluster = variant(
        versions={"talos": "v1.7.7", "kubernetes": "v1.30.0"}, talos={"config_contract": None}
    )
    [patch] = files_patches(cluster)
    assert patch["machine"]["files"][0]["content"] == (
        '[plugins."io.containerd.grpc.v1.cri".containerd]\n  discard_unpacked_layers = false\n'
    )


def test_no_spegel_no_containerd_setting() -> None:
    cluster = variant(apps=[a for a in _dumped_apps() if a["name"] != "spegel"])
    assert not any(
        p.get("kind") == "CRICustomizationConfig" for p in talos_patches.cluster_settings(cluster)
    )
    assert files_patches(cluster) == []


def _dumped_apps() -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", serialize_as_any=True) for a in loaded(FIXTURE).cluster.apps]


def test_spegel_outside_kube_system_needs_a_privileged_namespace() -> None:
    cluster = with_app("spegel", apps.spegel("0.7.4", namespace="spegel"))
    [error] = errors(cluster)
    assert error.startswith(f"apps[{index(cluster, 'spegel')}].namespace: Spegel mounts")
    assert "pod-security.kubernetes.io/enforce" in error
    privileged = [
        {"name": "spegel", "labels": {"pod-security.kubernetes.io/enforce": "privileged"}}
    ]
    dumped = cluster.model_dump(mode="json", serialize_as_any=True)
    assert errors(Cluster.model_validate({**dumped, "namespaces": privileged})) == []


# metrics-server: one call, two layers


def test_metrics_server_has_kubelets_rotate_serving_certificates() -> None:
    [kubelet] = by_kind(talos_file("cluster"), "KubeletConfig")
    assert kubelet["extraArgs"] == {"rotate-server-certificates": "true"}


def test_the_approver_is_applied_by_the_control_planes_at_bootstrap() -> None:
    [manifest] = by_kind(talos_file("controlplane"), "KubeExternalManifestConfig")
    assert manifest == {
        "apiVersion": "v1alpha1",
        "kind": "KubeExternalManifestConfig",
        "name": "kubelet-serving-cert-approver",
        "url": "https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/"
        "v0.10.3/deploy/standalone-install.yaml",
    }
    assert not by_kind(talos_file("cluster"), "KubeExternalManifestConfig")


def test_before_1_14_metrics_server_settings_are_v1alpha1() -> None:
    cluster = variant(
        versions={"talos": "v1.13.7", "kubernetes": "v1.35.0"},
        talos={"config_contract": "v1.13", "kubelet_extra_args": {"max-pods": "150"}},
        apps=[
            (
                apps.metrics_server("3.13.1").model_dump(mode="json")
                if a["name"] == "metrics-server"
                else a
            )
            for a in _dumped_apps()
        ],
    )
    args: dict[str, str] = {}  # what Talos makes of the patches, merged in order
    for patch in talos_patches.cluster_settings(cluster):
        args.update(patch.get("machine", {}).get("kubelet", {}).get("extraArgs", {}))
    assert args == {
        "rotate-server-certificates": "true",
        "max-pods": "150",
    }
    role = talos_patches.role_settings(cluster, "controlplane")
    assert {"cluster": {"extraManifests": [talos_patches.APPROVER_MANIFEST.format("v0.11.0")]}} in (
        role
    )
    assert talos_patches.role_settings(cluster, "worker") == []


def test_turning_the_flag_off_is_refused_naming_it() -> None:
    cluster = variant(talos={"kubelet_extra_args": {"rotate-server-certificates": "false"}})
    [error] = errors(cluster)
    assert error.startswith("talos.kubelet_extra_args['rotate-server-certificates']: is 'false'")
    nodes = _dumped_nodes()
    nodes[1]["kubelet_extra_args"] = {"rotate-server-certificates": "0"}
    [error] = errors(variant(nodes=nodes))
    assert error.startswith("nodes[1].kubelet_extra_args['rotate-server-certificates']")


def _dumped_nodes() -> list[dict[str, Any]]:
    return [n.model_dump(mode="json") for n in loaded(FIXTURE).cluster.nodes]


def test_without_metrics_server_the_kubelet_flag_is_the_users() -> None:
    cluster = variant(
        apps=[a for a in _dumped_apps() if a["name"] != "metrics-server"],
        talos={"kubelet_extra_args": {"rotate-server-certificates": "false"}},
    )
    assert errors(cluster) == []
    assert talos_patches.approver_manifest(cluster) is None


# Reloader and metrics-server replicas


@pytest.mark.parametrize("nodes", [1, 3])
def test_replicated_where_a_second_node_can_take_over(nodes: int) -> None:
    cluster = variant(nodes=_dumped_nodes()[:nodes], endpoint=None)
    reloader = Deployment(cluster).app("reloader").values["reloader"]
    metrics = Deployment(cluster).app("metrics-server").values
    assert metrics["replicas"] == reloader.get("deployment", {}).get("replicas", 1) == min(nodes, 2)
    assert reloader.get("enableHA", False) == (nodes > 1)
    assert ("podDisruptionBudget" in metrics) == (nodes > 1)


# GitOps(webhook=...)


def test_the_webhook_reconciles_the_git_source_on_a_push() -> None:
    cluster = loaded(FIXTURE).cluster
    receiver, route = Deployment(cluster).app(WEBHOOK_APP).resources
    assert receiver["kind"] == "Receiver"
    assert receiver["spec"]["type"] == "github"
    assert receiver["spec"]["events"] == ["ping", "push"]
    assert receiver["spec"]["secretRef"] == {"name": WEBHOOK_SECRET}
    [source] = receiver["spec"]["resources"]
    assert (source["kind"], source["name"]) == ("GitRepository", "flux-system")
    assert route["spec"]["hostnames"] == ["flux-webhook.lab.example.org"]
    assert route["spec"]["parentRefs"] == [{"name": "external", "namespace": "network"}]
    [rule] = route["spec"]["rules"]
    service, port = WEBHOOK_SERVICE
    assert rule["backendRefs"] == [{"name": service, "port": port}]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/hook/"}}]


def test_the_webhook_is_its_own_kustomization_in_flux_system() -> None:
    files = rendered(FIXTURE)
    base = f"{APPS}/flux-system/{WEBHOOK_APP}"
    [ks] = documents(files[f"{base}/ks.yaml"])
    assert ks["spec"]["targetNamespace"] == "flux-system"
    assert ks["spec"]["decryption"]["provider"] == "sops"
    listed = yaml.safe_load(files[f"{base}/app/kustomization.yaml"])["resources"]
    assert "./flux-webhook-token.sops.yaml" in listed
    # the FluxInstance runs the notification-controller that serves it
    components = (
        Deployment(loaded(FIXTURE).cluster).app("flux-instance").values["instance"]["components"]
    )
    assert "notification-controller" in components


def derived_type() -> dict[str, Any]:
    """The fixture's webhook with its type left to be derived from the repository's host."""
    webhook = loaded(FIXTURE).cluster.gitops.webhook
    assert webhook is not None
    return {**webhook.model_dump(), "type": None}


def test_the_forge_of_a_github_repository_is_github() -> None:
    cluster = variant(gitops={"webhook": derived_type()})
    [receiver, _] = Deployment(cluster).app(WEBHOOK_APP).resources
    assert receiver["spec"]["type"] == "github"


def test_a_gitlab_repository_gets_gitlab_events() -> None:
    cluster = variant(
        gitops={"repository": "https://gitlab.com/example/ember", "webhook": derived_type()}
    )
    [receiver, _] = Deployment(cluster).app(WEBHOOK_APP).resources
    assert receiver["spec"]["type"] == "gitlab"
    assert receiver["spec"]["events"] == ["Push Hook", "Tag Push Hook"]


def test_a_forge_that_cannot_be_told_is_refused() -> None:
    cluster = variant(
        gitops={"repository": "https://git.example.org/example/ember", "webhook": derived_type()}
    )
    [error] = errors(cluster)
    assert error.startswith("gitops.webhook.type: cannot tell the forge")
    webhook = {**cluster.gitops.webhook.model_dump(), "type": "gitlab"}  # type: ignore[union-attr]
    fixed = variant(gitops={"repository": "https://git.example.org/e/e", "webhook": webhook})
    assert errors(fixed) == []


def test_a_gateway_the_model_does_not_have_is_refused() -> None:
    webhook = {**loaded(FIXTURE).cluster.gitops.webhook.model_dump(), "gateway": "network/internal"}  # type: ignore[union-attr]
    [error] = errors(variant(gitops={"webhook": webhook}))
    assert error.startswith("gitops.webhook.gateway: 'network/internal' is not a Gateway")
    assert "network/external" in error


def test_a_gateway_admitting_only_its_own_namespace_is_refused() -> None:
    dumped = _dumped_apps()
    gateways = next(a for a in dumped if a["name"] == "gateways")
    gateway = next(r for r in gateways["resources"] if r["kind"] == "Gateway")
    del gateway["spec"]["listeners"][0]["allowedRoutes"]
    [error] = errors(variant(apps=dumped))
    assert error.startswith("gitops.webhook.gateway: 'network/external' admits no routes")


def test_an_app_named_like_the_webhooks_is_refused() -> None:
    dumped = _dumped_apps()
    dumped.append({"name": WEBHOOK_APP, "namespace": "web"})
    cluster = variant(apps=dumped)
    assert f"apps[{len(dumped) - 1}].name: '{WEBHOOK_APP}' is the app gitops.webhook adds" in (
        "\n".join(errors(cluster))
    )


# Token files: the Secret and key generated objects refer to


def _project(tmp_path: Path) -> Path:
    root = tmp_path / FIXTURE
    shutil.copytree(MODELS[FIXTURE], root)
    return root


def _rewrite_secret(root: Path, file: str, old: str, new: str) -> None:
    path = root / "secrets" / file
    path.write_text(path.read_text().replace(old, new, 1))


def test_a_token_secret_with_another_name_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _rewrite_secret(root, "cloudflare-dns01.sops.yaml", f"name: {CERT_MANAGER_SECRET}", "name: cf")
    before = tree(root)
    result = run("-C", root)
    assert result.code == 2
    i = index(loaded(FIXTURE).cluster, "cert-manager")
    assert (
        f"apps[{i}].made_by.api_token: secrets/cloudflare-dns01.sops.yaml must hold one Secret "
        f"named '{CERT_MANAGER_SECRET}' with the key 'api-token' (it holds a Secret named 'cf'"
    ) in " ".join(result.err.split())
    assert tree(root) == before


def test_a_webhook_token_under_another_key_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _rewrite_secret(root, "flux-webhook-token.sops.yaml", "    token: ENC", "    secret: ENC")
    result = run("-C", root)
    assert result.code == 2
    err = " ".join(result.err.split())
    assert "gitops.webhook.token: secrets/flux-webhook-token.sops.yaml must hold one Secret" in err
    assert "with the keys: secret)" in err
    assert not (root / "out").exists()


# The charts themselves (packaged in ../shared/charts when the test data has them)

RENDERS = {
    "cert-manager": 'name: "clusterissuers.cert-manager.io"',
    "external-dns": "--source=gateway-httproute",
    "spegel": f"--containerd-registry-config-path={SPEGEL_REGISTRY_CONFIG_PATH}",
    "metrics-server": "kind: PodDisruptionBudget",
    "reloader": '"--enable-ha=true"',
}
"""Each battery's chart -> a line its manifests have only with the values derived here."""


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_the_chart_renders_what_the_derived_values_ask(name: str, tmp_path: Path) -> None:
    app = Deployment(loaded(FIXTURE).cluster).app(name)
    assert app.chart is not None
    chart = CHARTS / f"{app.chart.chart_name}-{app.chart.version}.tgz"
    if not chart.is_file():
        pytest.skip(f"no {chart.name} in {CHARTS} (the chart is not in the shared test data)")
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(app.values))
    proc = subprocess.run(
        [str(tool("helm")), "template", name, str(chart), "--namespace", app.namespace,
         "--kube-version", loaded(FIXTURE).cluster.versions.kubernetes, "--include-crds",
         "--values", str(values)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert RENDERS[name] in proc.stdout


def test_a_patch_creating_spegels_containerd_file_is_refused_before_1_14() -> None:
    file = {"path": "/etc/cri/conf.d/20-customization.part", "op": "create", "content": "x"}
    cluster = variant(
        versions={"talos": "v1.13.7", "kubernetes": "v1.35.0"},
        talos={"config_contract": "v1.13", "patches": [{"machine": {"files": [file]}}]},
    )
    [error] = errors(cluster)
    assert error.startswith(
        "talos.patches[0].machine.files: writes /etc/cri/conf.d/20-customization.part, the "
        "containerd fragment spegel(...) creates for a v1.13 contract"
    )


def test_the_documented_secret_names_and_defaults_are_the_generated_ones() -> None:
    """The README and the option docstrings name the Secrets and keys the generated objects
    refer to, and the helpers' defaults: each as the code has it."""
    pairs = {
        (CERT_MANAGER_SECRET, API_TOKEN_KEY),
        (EXTERNAL_DNS_SECRET, API_TOKEN_KEY),
        (WEBHOOK_SECRET, WEBHOOK_TOKEN_KEY),
    }
    named = r"named `+([a-z0-9-]+)`+ with the key `+([a-z0-9-]+)`+"
    readme = (ROOT / "README.md").read_text()
    docs = inspect.getsource(model)
    assert set(re.findall(named, " ".join(readme.split()))) == pairs
    assert set(re.findall(named, " ".join(docs.split()))) == pairs
    default = model.MetricsServerHelper.model_fields["approver_version"].default
    assert f'metrics_server(version, approver_version="{default}")' in readme
    assert f"(`{SPEGEL_REGISTRY_CONFIG_PATH}`)" in readme
