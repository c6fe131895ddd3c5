"""Layer 1: Terragrunt/OpenTofu for Proxmox."""

from __future__ import annotations

from typing import Any

import re

import hcl2
import pytest

from homeops_gen.generators.infrastructure import MODULE_DIR, NODE_ATTRIBUTES, VARIABLES
from tests.conftest import MODELS, loaded, rendered


def _inputs(model: str, host: str) -> dict[str, Any]:
    unit = hcl2.loads(rendered(model)[f"out/infrastructure/hosts/{host}/terragrunt.hcl"])
    inputs: dict[str, Any] = unit["inputs"]
    return inputs


def test_each_host_lists_only_its_own_nodes() -> None:
    cluster = loaded("ha-vip").cluster
    for host in cluster.hosts:
        nodes = _inputs("ha-vip", host.name)["nodes"]
        assert set(nodes) == {n.name for n in cluster.nodes_on(host)}


def test_vm_settings_come_from_the_model() -> None:
    node = _inputs("nova", "hypnos")["nodes"]["workload"]
    assert node["vm_id"] == 101 and node["cores"] == 3 and node["memory_mib"] == 4096
    assert node["disk_gib"] == 48 and node["address"] == '"192.168.2.202/24"'
    inputs = _inputs("nova", "hypnos")
    assert inputs["gateway"] == '"192.168.2.1"'
    assert inputs["proxmox_endpoint"] == '"https://hypnos.zorilla-snares.ts.net:8006/"'
    assert inputs["vm_datastore"] == '"vms1"' and inputs["bridge"] == '"vmbr0"'


def test_control_planes_start_first() -> None:
    nodes = _inputs("many-apps", "pve")["nodes"]
    assert nodes["cp"]["startup_order"] == 1
    assert nodes["w1"]["startup_order"] == nodes["w2"]["startup_order"] == 2


def test_guest_agent_follows_the_extension() -> None:
    assert _inputs("nova", "hypnos")["nodes"]["workload"]["guest_agent"] is True
    assert _inputs("single-node", "pve")["nodes"]["solo-1"]["guest_agent"] is False


def test_root_hcl_has_r2_backend_and_per_host_credentials() -> None:
    root = rendered("ha-vip")["out/infrastructure/root.hcl"]
    for setting in (
        'region                      = "auto"',
        "use_path_style              = true",
        "skip_credentials_validation = true",
        "skip_region_validation      = true",
        "skip_requesting_account_id  = true",
        "skip_s3_checksum            = true",
        '"${path_relative_to_include()}/terraform.tfstate"',
        'bucket                      = "trinity-tofu-state"',
    ):
        assert setting in root
    for host in ("ATLAS", "BOREAS", "CASTOR"):
        assert f'"PROXMOX_{host}_API_TOKEN"' in root and f'"PROXMOX_{host}_SSH_USER"' in root
    assert "TF_VAR_proxmox_api_token" in root and "TF_VAR_proxmox_ssh_user" in root


def test_custom_state_variables_are_used() -> None:
    root = rendered("no-lb-pool")["out/infrastructure/root.hcl"]
    assert 'get_env("CF_R2_KEY")' in root and 'get_env("CF_ACCOUNT")' in root


def test_vm_module_uses_cloud_init_static_ip_and_the_factory_iso() -> None:
    main = rendered("nova")["out/infrastructure/shared/proxmox/main.tf"]
    parsed = hcl2.loads(main)
    vm = parsed["resource"][1]['"proxmox_virtual_environment_vm"']['"node"']
    ipv4 = vm["initialization"][0]["ip_config"][0]["ipv4"][0]
    assert (ipv4["address"], ipv4["gateway"]) == ("${each.value.address}", "${var.gateway}")
    assert vm["cdrom"][0]["file_id"].endswith("talos_iso[each.value.iso].id}")
    assert re.search(r"url\s+= each.value\n", main)
    [iso] = _inputs("nova", "hypnos")["talos_isos"].items()
    assert iso[1].startswith('"https://factory.talos.dev/image/')


def test_files_look_like_terraform_fmt() -> None:
    for path, text in rendered("ha-vip").items():
        if path.endswith((".hcl", ".tf")):
            assert "\t" not in text and not re.search(r" +$", text, re.M), path
            assert text.endswith("\n") and not text.endswith("\n\n"), path


def test_per_node_vm_settings_come_from_the_model() -> None:
    node = _inputs("homelab", "pve-b")["nodes"]["k8s-4"]
    assert node["vm_name"] == '"talos-k8s-4"'
    assert node["mac_address"] == '"BC:24:11:30:00:18"' and node["vlan_id"] == 30
    # A disk without a datastore goes to the host's VM datastore.
    assert node["extra_disks"] == [
        {"size_gib": 256, "datastore": '"nvme"'},
        {"size_gib": 32, "datastore": '"local-zfs"'},
    ]
    plain = _inputs("nova", "hypnos")["nodes"]["workload"]
    assert plain["vm_name"] == '"workload"' and plain["extra_disks"] == []
    assert plain["mac_address"] is None and plain["vlan_id"] is None


def test_each_image_a_host_boots_is_downloaded_once() -> None:
    from homeops_gen import derive

    cluster = loaded("homelab").cluster
    inputs = _inputs("homelab", "pve-a")
    isos = {k.strip('"'): v.strip('"') for k, v in inputs["talos_isos"].items()}
    assert len(isos) == 2, "control planes and storage workers boot different images"
    for name, node in inputs["nodes"].items():
        extensions = cluster.talos.node_extensions(next(n for n in cluster.nodes if n.name == name))
        iso = node["iso"].strip('"')
        assert f"/image/{derive.schematic_id(extensions)}/" in isos[iso]
        assert node["guest_agent"] is True


def test_vm_module_sets_the_network_card_and_data_disks_per_node() -> None:
    main = rendered("homelab")["out/infrastructure/shared/proxmox/main.tf"]
    vm = hcl2.loads(main)["resource"][1]['"proxmox_virtual_environment_vm"']['"node"']
    assert vm["name"] == "${each.value.vm_name}"
    [nic] = vm["network_device"]
    assert nic["mac_address"] == "${each.value.mac_address}"
    assert nic["vlan_id"] == "${each.value.vlan_id}"
    data = next(d['"disk"'] for d in vm["dynamic"] if '"disk"' in d)
    assert data["for_each"] == "${each.value.extra_disks}"
    assert data["content"][0]["interface"] == '"scsi${disk.key + 1}"'


def test_the_module_reads_every_variable_and_node_attribute() -> None:
    """An input the module never reads would be a setting that silently does nothing."""
    module = "".join(
        text
        for path, text in rendered("nova").items()
        if path.startswith(f"{MODULE_DIR}/") and not path.endswith("/variables.tf")
    )
    for variable in VARIABLES:
        assert re.search(rf"\bvar\.{variable.name}\b", module), variable.name
    for attribute in NODE_ATTRIBUTES:
        assert re.search(rf"\beach\.value\.{attribute.name}\b", module), attribute.name


def test_variables_tf_declares_the_described_variables() -> None:
    parsed = hcl2.loads(rendered("nova")[f"{MODULE_DIR}/variables.tf"])
    declared = {name: body for block in parsed["variable"] for name, body in block.items()}
    assert [name.strip('"') for name in declared] == [v.name for v in VARIABLES]
    for variable in VARIABLES:
        body = declared[f'"{variable.name}"']
        assert ("default" not in body) == variable.required, variable.name
        assert body.get("sensitive", False) == variable.sensitive, variable.name
    # python-hcl2 writes the type on one line; the module lays multi-line types out.
    nodes_type = re.sub(r"[\s,]", "", declared['"nodes"']["type"])
    for attribute in NODE_ATTRIBUTES:
        assert re.sub(r"[\s,]", "", f"{attribute.name}={attribute.type}") in nodes_type


@pytest.mark.parametrize("model", sorted(MODELS))
def test_only_variables_with_a_default_are_left_out(model: str) -> None:
    cluster = loaded(model).cluster
    for host in cluster.hosts:
        inputs = _inputs(model, host.name)
        for variable in VARIABLES:
            if variable.value is not None and variable.name not in inputs:
                assert not variable.required, f"{host.name}: {variable.name}"


def test_environment_variables_are_the_ones_root_hcl_sets() -> None:
    root = rendered("nova")["out/infrastructure/root.hcl"]
    from_environment = set(re.findall(r"\bTF_VAR_(\w+)\s*=", root))
    assert from_environment == {v.name for v in VARIABLES if v.value is None}
