"""Typed Talos settings and v1alpha1 patches in the version contract's form.

Each typed setting is written as the contract's document for a 1.14 contract and as v1alpha1
for an older one; the real talosctl accepts the 1.14 forms (`make consumers` runs it on the
talos-1-14-settings and talos-1-14-patches fixtures, see the README's table of checks).
"""

from __future__ import annotations

from typing import Any

import pytest

from homeops_gen import cross_layer, talos_moves, talos_patches
from homeops_gen.model import Cluster
from homeops_gen.rules import check_cluster
from tests.conftest import MODELS, loaded
from tests.talos_settings import documents, with_backend


def _cluster(model: str, **talos: Any) -> Cluster:
    cluster = loaded(model).cluster
    return cluster.model_copy(update={"talos": cluster.talos.model_copy(update=talos)})


def _kinds(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        str(d.get("kind", "v1alpha1")) + (f"/{d['name']}" if "name" in d else ""): d for d in docs
    }


SETTINGS: list[tuple[dict[str, Any], str, str, Any]] = [
    (
        {"kubelet_extra_args": {"max-pods": "150"}},
        "KubeletConfig",
        "extraArgs",
        {"max-pods": "150"},
    ),
    (
        {"sysctls": {"vm.max_map_count": "262144"}},
        "SysctlConfig",
        "params",
        {"vm.max_map_count": "262144"},
    ),
    ({"kernel_modules": ("nvme_tcp",)}, "KernelModuleConfig/nvme_tcp", "name", "nvme_tcp"),
    (
        {"ntp_servers": ("time.cloudflare.com",)},
        "TimeSyncConfig",
        "ntp",
        {"servers": ["time.cloudflare.com"]},
    ),
    (
        {"disk_encryption": "tpm"},
        "VolumeConfig/STATE",
        "encryption",
        {"provider": "luks2", "keys": [{"slot": 0, "tpm": {}}]},
    ),
    (
        {"disk_encryption": "nodeid"},
        "VolumeConfig/EPHEMERAL",
        "encryption",
        {"provider": "luks2", "keys": [{"slot": 0, "nodeID": {}}]},
    ),
]


@pytest.mark.parametrize(("fields", "kind", "key", "value"), SETTINGS)
def test_a_setting_is_the_contracts_document(
    fields: dict[str, Any], kind: str, key: str, value: Any
) -> None:
    cluster = _cluster("talosctl-1-14", **fields)
    written = _kinds(talos_patches.in_contract(cluster, talos_patches.cluster_settings(cluster)))
    assert written[kind][key] == value
    assert check_cluster(cluster) == check_cluster(loaded("talosctl-1-14").cluster)


V1ALPHA1 = [
    ({"kubelet_extra_args": {"max-pods": "150"}}, ("machine", "kubelet", "extraArgs")),
    ({"sysctls": {"vm.max_map_count": "262144"}}, ("machine", "sysctls")),
    ({"kernel_modules": ("nvme_tcp",)}, ("machine", "kernel", "modules")),
    ({"ntp_servers": ("time.cloudflare.com",)}, ("machine", "time", "servers")),
]


@pytest.mark.parametrize(("fields", "path"), V1ALPHA1)
def test_a_setting_is_v1alpha1_for_a_contract_that_has_the_field(
    fields: dict[str, Any], path: tuple[str, ...]
) -> None:
    cluster = _cluster("nova", **fields)  # a 1.11 contract
    written = talos_patches.in_contract(cluster, talos_patches.cluster_settings(cluster))
    assert len(written) == 1 and "kind" not in written[0]
    assert talos_moves._get(written[0], path) is not talos_moves._MISSING


def test_disk_encryption_before_the_volume_documents_is_v1alpha1() -> None:
    cluster = _cluster("nova", config_contract="v1.9")
    cluster = cluster.model_copy(
        update={
            "versions": cluster.versions.model_copy(update={"talos": "v1.9.5"}),
            "talos": cluster.talos.model_copy(update={"disk_encryption": "tpm"}),
        }
    )
    (written,) = talos_patches.in_contract(cluster, talos_patches.cluster_settings(cluster))
    encryption = written["machine"]["systemDiskEncryption"]
    assert encryption["state"] == encryption["ephemeral"]


def test_node_settings_merge_over_the_clusters() -> None:
    files = with_backend("talos-1-14-settings", "talosctl")
    node = documents(files["out/talos/nodes/gpu-1.yaml"])
    kubelet = [d for d in node if "machine" in d][0]["machine"]["kubelet"]
    assert kubelet == {"extraArgs": {"max-pods": "250"}}  # Talos merges it over the cluster's
    cp1 = _kinds(documents(files["out/talos/nodes/cp-1.yaml"]))
    assert cp1["SysctlConfig"]["params"] == {"net.core.somaxconn": "65535"}


def test_api_server_args_go_to_the_control_planes_only() -> None:
    files = with_backend("talos-1-14-settings", "talosctl")
    control_plane = _kinds(documents(files["out/talos/patches/controlplane.yaml"]))
    assert control_plane["KubeAPIServerConfig"]["extraArgs"] == {
        "enable-aggregator-routing": "true"
    }
    assert "KubeAPIServerConfig" not in _kinds(documents(files["out/talos/patches/cluster.yaml"]))


def test_kubelet_mounts_keep_the_kubelet_in_v1alpha1() -> None:
    cluster = loaded("talos-1-14-settings").cluster
    files = with_backend("talos-1-14-settings", "talosctl")
    patch = documents(files["out/talos/patches/cluster.yaml"])
    deleted = [d for d in patch if d.get("kind") == "KubeletConfig"]
    assert deleted == [{"apiVersion": "v1alpha1", "kind": "KubeletConfig", "$patch": "delete"}]
    (v1alpha1,) = [d for d in patch if "kind" not in d]  # one v1alpha1 document per file
    kubelet = v1alpha1["machine"]["kubelet"]
    assert kubelet["image"] == f"ghcr.io/siderolabs/kubelet:{cluster.versions.kubernetes}"
    assert kubelet["extraMounts"][0]["destination"] == "/var/lib/longhorn"
    assert kubelet["extraArgs"] == {"max-pods": "150", "serialize-image-pulls": "false"}


def test_kernel_args_are_in_the_schematic() -> None:
    files = with_backend("talos-1-14-settings", "talosctl")
    tfvars = "\n".join(v for k, v in files.items() if k.startswith("out/infrastructure/"))
    assert "extraKernelArgs:" in tfvars and "net.ifnames=0" in tfvars


def test_a_dhcp_node_pins_its_search_domains() -> None:
    files = with_backend("talos-1-14-settings", "talosctl")
    node = _kinds(documents(files["out/talos/nodes/gpu-1.yaml"]))
    assert node["DHCPv4Config/net0"] == {
        "apiVersion": "v1alpha1",
        "kind": "DHCPv4Config",
        "name": "net0",
    }
    assert node["ResolverConfig"]["searchDomains"] == {"domains": []}
    assert "LinkConfig/net0" not in node


def test_v1alpha1_patch_fields_move_into_their_documents() -> None:
    patch = {
        "machine": {
            "kubelet": {"extraArgs": {"a": "b"}, "registerWithFQDN": True},
            "nodeTaints": {"x": "y:NoSchedule"},
            "time": {"disabled": True},
        },
        "cluster": {"apiServer": {"certSANs": ["k8s.lan"]}, "network": {"dnsDomain": "c.lan"}},
    }
    moved = talos_moves.move(patch, "v1.14")
    assert moved.problems == []
    docs = _kinds(moved.documents)
    assert docs["KubeletConfig"]["extraArgs"] == {"a": "b"}
    assert docs["KubeNodeConfig"] == {
        "apiVersion": "v1alpha1",
        "kind": "KubeNodeConfig",
        "registerWithFQDN": True,
        "taints": {"x": "y:NoSchedule"},
    }
    assert docs["TimeSyncConfig"]["enabled"] is False
    assert docs["KubeAPIServerConfig"]["certExtraSANs"] == ["k8s.lan"]
    assert docs["KubeNetworkConfig"]["dnsDomain"] == "c.lan"
    assert "v1alpha1" not in docs
    assert talos_moves.move(patch, "v1.11").documents == [patch]  # 1.11 has every field


def test_a_field_without_a_move_is_refused_naming_the_document() -> None:
    moved = talos_moves.move(
        {"cluster": {"apiServer": {"extraArgs": {"a": "b"}, "extraVolumes": []}}}, "v1.14"
    )
    assert moved.problems == [
        (
            "cluster.apiServer.extraVolumes",
            "the v1alpha1 config of Talos v1.14 (the version contract) has no "
            ".cluster.apiServer.extraVolumes: write a KubeAPIServerConfig document "
            "(image, extraArgs, env, resources) instead",
        )
    ]


def _refused(model: str, **talos: Any) -> list[str]:
    return [str(p) for p in check_cluster(_cluster(model, **talos)) if p.error]


def test_a_misspelt_patch_field_or_kind_is_refused_at_generate_time() -> None:
    assert _refused("talosctl-1-14", patches=({"machine": {"featurs": {}}},)) == [
        "talos.patches[0].machine.featurs: no field 'featurs' in the v1alpha1 config.machine "
        "(Talos v1.14); did you mean 'features'?"
    ]
    (problem,) = _refused(
        "talosctl-1-14", patches=({"apiVersion": "v1alpha1", "kind": "SysctlsConfig"},)
    )
    assert problem.startswith("talos.patches[0].kind: 'SysctlsConfig' is not a config document")


def test_an_api_server_without_authentication_is_refused() -> None:
    delete = {"apiVersion": "v1alpha1", "kind": "KubeAuthenticationConfig", "$patch": "delete"}
    (problem,) = _refused("talosctl-1-14", controlplane_patches=(delete,))
    assert problem.startswith("talos.controlplane_patches[0]: node k8s-1 would run a ")
    assert "KubeAuthenticationConfig" in problem


def test_authorizers_without_node_and_rbac_are_refused() -> None:
    webhook = {
        "apiVersion": "v1alpha1",
        "kind": "KubeAuthorizerConfig",
        "name": "webhook",
        "type": "Webhook",
        "webhook": {"timeout": "3s"},
    }
    # an older contract writes no authorizers: the model's one would be the only one
    api = {"apiVersion": "v1alpha1", "kind": "KubeAuthenticationConfig"}
    problems = _refused("nova", patches=(api, webhook))
    assert any("leave out the Node and RBAC authorizer" in p for p in problems), problems
    # a 1.14 contract writes node and rbac: deleting one is refused, adding one is fine
    assert _refused("talosctl-1-14", controlplane_patches=(webhook,)) == []
    rbac = {
        "apiVersion": "v1alpha1",
        "kind": "KubeAuthorizerConfig",
        "name": "rbac",
        "$patch": "delete",
    }
    (problem,) = _refused("talosctl-1-14", controlplane_patches=(webhook, rbac))
    assert "leave out the RBAC authorizer" in problem


def test_authentication_flags_are_refused_for_the_api_server() -> None:
    (problem,) = _refused("talosctl-1-14", api_server_extra_args={"oidc-issuer-url": "https://x"})
    assert problem.startswith("talos.api_server_extra_args.oidc-issuer-url: ")
    assert "KubeAuthenticationConfig" in problem


def test_talhelper_is_refused_for_a_1_14_contract_naming_talosctl() -> None:
    problems = _refused("talosctl-1-14", backend="talhelper")
    assert [p.split(":")[0] for p in problems] == ["talos.workload_isolation", "talos.backend"]
    assert all('Talos(backend="talosctl")' in p for p in problems)


def test_talhelper_is_refused_a_document_its_machinery_cannot_read() -> None:
    prism = {"apiVersion": "v1alpha1", "kind": "KubePrismConfig", "port": 7445}
    problems = _refused("nova", patches=(prism,))
    talhelper = "talos.patches[0].kind: talhelper v3.1.16 and v3.1.17"
    assert any(p.startswith(talhelper) for p in problems), problems


def test_a_kubelet_document_beside_kubelet_mounts_is_refused() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "KubeletConfig", "extraArgs": {"a": "b"}}
    (problem,) = _refused("talos-1-14-settings", patches=(doc,))
    assert problem.startswith("talos.patches[0].kind: the kubelet has extra mounts")


def test_talos_api_access_becomes_its_document_when_enabled() -> None:
    access = {"enabled": True, "allowedRoles": ["os:reader"]}
    moved = talos_moves.move(
        {"machine": {"features": {"kubernetesTalosAPIAccess": access}}}, "v1.14"
    )
    assert moved.documents == [
        {
            "apiVersion": "v1alpha1",
            "kind": "KubeTalosAPIAccessConfig",
            "allowedRoles": ["os:reader"],
        }
    ]
    off = {"machine": {"features": {"kubernetesTalosAPIAccess": {"enabled": False}}}}
    assert talos_moves.move(off, "v1.14").documents == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_unmove_gives_back_the_v1alpha1_patch_of_every_fixture(name: str) -> None:
    """What the importer reads patches back with: for every patch and typed setting of every
    fixture, in its contract's form, unmove gives a patch that moves into the same documents
    (a patch that is a document is read back as it is)."""
    cluster = loaded(name).cluster
    contract = cross_layer.config_contract(cluster)
    keep = talos_patches.kept(cluster)
    patches = [
        *talos_patches.cluster_settings(cluster),
        *(s.patch for s in talos_patches.user_patches(cluster)),
        *talos_patches.role_settings(cluster, "controlplane"),
        *(p for n in cluster.nodes for p in talos_patches.node_settings(cluster, n)),
    ]
    for patch in (p for p in patches if "kind" not in p):
        documents = talos_moves.move(patch, contract, keep).documents
        back = talos_moves.unmove(documents)
        assert back is not None, documents
        assert talos_moves.move(back, contract, keep).documents == documents


def test_typed_settings_read_back_from_their_v1alpha1_patches() -> None:
    cluster = loaded("talos-1-14-settings").cluster
    merged: dict[str, Any] = {}
    for patch in talos_patches.cluster_settings(cluster):
        talos_moves.join(merged, patch)
    found, rest = talos_patches.read_settings(merged, talos_patches.CLUSTER_SETTINGS)
    assert rest == {}
    for name, value in found.items():
        assert value == getattr(cluster.talos, name), name
    assert set(found) == {
        s.name for s in talos_patches.CLUSTER_SETTINGS if getattr(cluster.talos, s.name)
    }


def test_a_patch_not_shaped_like_a_setting_stays_a_patch() -> None:
    patch = {
        "machine": {
            "sysctls": {"a": 1},
            "kernel": {"modules": [{"name": "x", "parameters": ["p=1"]}]},
        }
    }
    found, rest = talos_patches.read_settings(patch, talos_patches.CLUSTER_SETTINGS)
    assert found == {} and rest == patch
