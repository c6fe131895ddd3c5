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
    for node, call in zip(nodes, applies):
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
    from homeops_gen.derive import PLATFORM

    template = _talconfig("nova")["imageFactory"]["installerURLTmpl"]
    assert template == "{{.RegistryURL}}/nocloud-installer/{{.ID}}:{{.Version}}"
    hcl = rendered("nova")["out/infrastructure/hosts/hypnos/terragrunt.hcl"]
    assert f"/{PLATFORM}-amd64.iso" in hcl and f"/{PLATFORM}-installer/" in template
