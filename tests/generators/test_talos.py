"""Layer 2: talconfig.yaml and the apply script."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import yaml

from tests.conftest import copy_model, loaded, rendered, run


def _talconfig(model: str) -> dict:
    data: dict = yaml.safe_load(rendered(model)["out/talos/talconfig.yaml"])
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


def test_apply_script_applies_every_node_with_its_config(tmp_path: Path) -> None:
    root = copy_model("ha-vip", tmp_path / "p")
    assert run("-C", root).code == 0
    configs = root / "out/talos/clusterconfig"
    configs.mkdir()
    cluster = loaded("ha-vip").cluster
    for node in cluster.nodes:
        (configs / f"trinity-{node.name}.yaml").write_text("machine: {}\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "calls.log"
    talosctl = fake / "talosctl"
    talosctl.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    talosctl.chmod(talosctl.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    subprocess.run(
        [str(root / "out/talos/apply.sh"), "--insecure"], check=True, env=env, cwd=tmp_path
    )
    calls = log.read_text().splitlines()
    assert len(calls) == len(cluster.nodes)
    for node, call in zip(cluster.nodes, calls):
        assert call == (
            f"apply-config --nodes {node.ip} --endpoints {node.ip} "
            f"--file {configs}/trinity-{node.name}.yaml --insecure"
        )


def test_apply_script_stops_without_generated_configs(tmp_path: Path) -> None:
    root = copy_model("nova", tmp_path / "p")
    run("-C", root)
    proc = subprocess.run([str(root / "out/talos/apply.sh")], capture_output=True, text=True)
    assert proc.returncode == 1 and "run talos-gen first" in proc.stderr


def test_machine_configs_are_git_ignored() -> None:
    assert "/clusterconfig/" in rendered("nova")["out/talos/.gitignore"]


def test_installer_is_for_the_platform_the_iso_boots() -> None:
    from homeops_gen.derive import PLATFORM

    template = _talconfig("nova")["imageFactory"]["installerURLTmpl"]
    assert template == "{{.RegistryURL}}/nocloud-installer/{{.ID}}:{{.Version}}"
    hcl = rendered("nova")["out/infrastructure/hosts/hypnos/terragrunt.hcl"]
    assert f"/{PLATFORM}-amd64.iso" in hcl and f"/{PLATFORM}-installer/" in template


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
