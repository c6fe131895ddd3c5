"""Layer 1: Terragrunt/OpenTofu for Proxmox."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from typing import Any

import hcl2
import pytest

from homeops_gen.generators.infrastructure import MODULE_DIR, NODE_ATTRIBUTES, VARIABLES
from tests.conftest import MODELS, loaded, rendered


def _inputs(model: str, host: str) -> dict[str, Any]:
    unit = hcl2.loads(rendered(model)[f"out/infrastructure/hosts/{host}/terragrunt.hcl"])
    inputs: dict[str, Any] = unit["inputs"]
    return inputs


def _node(model: str, host: str, name: str) -> dict[str, Any]:
    """The inputs of node ``name``'s VM, keyed by its VM id."""
    [node] = [n for n in loaded(model).cluster.nodes if n.name == name]
    vm: dict[str, Any] = _inputs(model, host)["nodes"][f'"{node.vm_id}"']
    return vm


def test_each_host_lists_only_its_own_nodes() -> None:
    cluster = loaded("ha-vip").cluster
    for host in cluster.hosts:
        nodes = _inputs("ha-vip", host.name)["nodes"]
        assert set(nodes) == {f'"{n.vm_id}"' for n in cluster.nodes_on(host)}


def test_vm_settings_come_from_the_model() -> None:
    node = _node("nova", "hypnos", "workload")
    assert node["vm_id"] == 101 and node["cores"] == 3 and node["memory_mib"] == 4096
    assert node["disk_gib"] == 48 and node["address"] == '"192.168.2.202/24"'
    assert node["gateway"] == '"192.168.2.1"'
    inputs = _inputs("nova", "hypnos")
    assert inputs["proxmox_endpoint"] == '"https://hypnos.zorilla-snares.ts.net:8006/"'
    assert inputs["vm_datastore"] == '"vms1"' and inputs["bridge"] == '"vmbr0"'


def test_control_planes_start_first() -> None:
    assert _node("many-apps", "pve", "cp")["startup_order"] == 1
    assert _node("many-apps", "pve", "w1")["startup_order"] == 2
    assert _node("many-apps", "pve", "w2")["startup_order"] == 2


def test_guest_agent_follows_the_extension() -> None:
    assert _node("nova", "hypnos", "workload")["guest_agent"] is True
    assert _node("single-node", "pve", "solo-1")["guest_agent"] is False


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
        assert f'"PROXMOX_{host}_API_TOKEN"' in root
    assert "TF_VAR_proxmox_api_token" in root


def test_nothing_configures_or_asks_for_ssh() -> None:
    """bpg reaches Proxmox through the API alone for what the module does (download_file,
    VMs without disk imports); SSH would only be a credential nobody uses."""
    for model in MODELS:
        files = rendered(model)
        infrastructure = {p: t for p, t in files.items() if p.startswith("out/infrastructure/")}
        assert not any("ssh" in t.lower() for t in infrastructure.values()), model
        assert "SSH" not in files[".env.example"], model
    main = rendered("nova")["out/infrastructure/shared/proxmox/main.tf"]
    # What would need SSH in bpg: a disk imported from a file, or a snippet upload.
    assert (
        "file_id" not in main.split("cdrom {")[0] and "proxmox_virtual_environment_file" not in main
    )


def test_custom_state_variables_are_used() -> None:
    root = rendered("no-lb-pool")["out/infrastructure/root.hcl"]
    assert 'get_env("CF_ACCOUNT")' in root and "CF_R2_KEY" not in root


def test_vm_module_uses_cloud_init_static_ip_and_the_factory_iso() -> None:
    main = rendered("nova")["out/infrastructure/shared/proxmox/main.tf"]
    parsed = hcl2.loads(main)
    resources = {k: v for r in parsed["resource"] for k, v in r.items()}
    vm = resources['"proxmox_virtual_environment_vm"']['"node"']
    ipv4 = vm["initialization"][0]["ip_config"][0]["ipv4"][0]
    assert (ipv4["address"], ipv4["gateway"]) == ("${each.value.address}", "${each.value.gateway}")
    assert vm["cdrom"][0]["file_id"].startswith("${var.download_iso ? ")
    assert "talos_iso[each.value.iso].id" in vm["cdrom"][0]["file_id"]
    assert re.search(r"url\s+= each.value\n", main)
    [iso] = _inputs("nova", "hypnos")["talos_isos"].items()
    assert iso[1].startswith('"https://factory.talos.dev/image/')


def test_files_look_like_terraform_fmt() -> None:
    for path, text in rendered("ha-vip").items():
        if path.endswith((".hcl", ".tf")):
            assert "\t" not in text and not re.search(r" +$", text, re.M), path
            assert text.endswith("\n") and not text.endswith("\n\n"), path


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


def test_each_block_path_is_where_the_vm_sets_the_input() -> None:
    """The path ``import`` reads an input back from is where main.tf's VM resource uses it."""
    main = rendered("nova")["out/infrastructure/shared/proxmox/main.tf"]
    resources = {k: v for r in hcl2.loads(main)["resource"] for k, v in r.items()}
    vm = resources['"proxmox_virtual_environment_vm"']['"node"']
    found = [(f"${{var.{v.name}}}", v.block) for v in VARIABLES if v.block] + [
        (f"${{each.value.{a.name}}}", a.block) for a in NODE_ATTRIBUTES if a.block
    ]
    assert len(found) >= 13
    for expression, block in found:
        body: Any = vm
        for key in block:
            body = body[0] if isinstance(body, list) else body
            body = body[key]
        assert body == expression, block


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


FORMATTER = shutil.which("tofu") or shutil.which("terraform")


@pytest.mark.skipif(FORMATTER is None, reason="neither tofu nor terraform is on PATH")
@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_hcl_file_is_byte_identical_to_fmt(model: str) -> None:
    """What ``tofu fmt``/``terraform fmt`` makes of each generated file is the file itself."""
    assert FORMATTER is not None
    for path, text in rendered(model).items():
        if path.endswith((".hcl", ".tf")):
            formatted = subprocess.run(
                [FORMATTER, "fmt", "-no-color", "-"],
                input=text,
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull},
            ).stdout
            assert formatted == text, f"{model}: {path} is not in canonical HCL layout"


@pytest.mark.parametrize("model", sorted(MODELS))
def test_state_keys_never_reach_the_backend_configuration(model: str) -> None:
    """terragrunt writes remote_state's config into backend.tf and .terraform/: the R2 keys
    must come from the environment the S3 backend reads, not from that config."""
    root = hcl2.loads(rendered(model)["out/infrastructure/root.hcl"])
    config = root["remote_state"][0]["config"]
    assert not {"access_key", "secret_key", "token"} & set(config), model
    state = loaded(model).cluster.state
    text = rendered(model)["out/infrastructure/root.hcl"]
    for name in (state.access_key_env, state.secret_key_env):
        assert name not in str(config) and f'get_env("{name}"' not in text


def test_state_is_locked_and_versions_are_pinned() -> None:
    files = rendered("nova")
    assert "use_lockfile                = true" in files["out/infrastructure/root.hcl"]
    versions = hcl2.loads(files["out/infrastructure/shared/proxmox/versions.tf"])["terraform"][0]
    # use_lockfile needs OpenTofu 1.10.0 (native S3 locking).
    assert versions["required_version"] == '">= 1.10.0"'
    pin = versions["required_providers"][0]["proxmox"]["version"].strip('"')
    # "~> X.Y.Z" admits only patch releases of X.Y; "~> 0.89" would admit every 0.x.
    assert re.fullmatch(r"~> 0\.\d+\.\d+", pin), pin


@pytest.mark.parametrize(
    ("model", "disk", "interface"),
    [("nova", "/dev/sda", "scsi0"), ("ha-vip", "/dev/vda", "virtio0")],
)
def test_system_disk_interface_follows_the_install_disk(
    model: str, disk: str, interface: str
) -> None:
    """The guest sees scsi0 as /dev/sda and virtio0 as /dev/vda: Talos must find its disk."""
    cluster = loaded(model).cluster
    assert cluster.talos.install_disk == disk
    host = cluster.nodes[0].host
    assert host is not None
    for node in _inputs(model, host)["nodes"].values():
        assert node["disk_interface"] == f'"{interface}"'
    main = rendered(model)["out/infrastructure/shared/proxmox/main.tf"]
    assert "interface    = each.value.disk_interface" in main
    assert 'boot_order      = [each.value.disk_interface, "ide3"]' in main


@pytest.mark.parametrize("model", sorted(m for m in MODELS if loaded(m).cluster.hosts))
def test_schematic_is_registered_before_the_iso_is_downloaded(model: str) -> None:
    """The factory 404s an ISO for a schematic it was never sent: the module POSTs each one
    (talos_image_factory_schematic) first and checks the id it gets back."""
    host = loaded(model).cluster.hosts[0].name
    inputs = _inputs(model, host)
    urls = " ".join(inputs["talos_isos"].values())
    assert inputs["talos_schematics"]
    for key, value in inputs["talos_schematics"].items():
        schematic_id = key.strip('"')
        text = value.strip('"').encode().decode("unicode_escape")
        assert hashlib.sha256(text.encode()).hexdigest() == schematic_id
        assert f"/image/{schematic_id}/" in urls
    main = hcl2.loads(rendered(model)["out/infrastructure/shared/proxmox/main.tf"])
    resources = {k: v for r in main["resource"] for k, v in r.items()}
    registered = resources['"talos_image_factory_schematic"']['"image"']
    assert registered["for_each"] == "${var.talos_schematics}"
    assert registered["schematic"] == "${each.value}"
    condition = registered["lifecycle"][0]["postcondition"][0]["condition"]
    assert condition == "${self.id == each.key}"
    download = resources['"proxmox_download_file"']['"talos_iso"']
    assert download["depends_on"] == ["${talos_image_factory_schematic.image}"]


def test_an_iso_on_shared_storage_has_exactly_one_owner() -> None:
    """Each host downloading the same file onto shared storage fails ("already exists"), and
    destroying one host's unit would delete the ISO the others boot from."""
    cluster = loaded("shared-iso").cluster
    owners = [h.name for h in cluster.hosts if _inputs("shared-iso", h.name)["download_iso"]]
    assert owners == ["pve-a"]
    owned = set(_inputs("shared-iso", "pve-a")["talos_isos"])
    for host in ("pve-b", "pve-c"):
        unit = hcl2.loads(rendered("shared-iso")[f"out/infrastructure/hosts/{host}/terragrunt.hcl"])
        assert unit["dependencies"][0]["paths"] == ['"../pve-a"'], "the owner is applied first"
        assert set(_inputs("shared-iso", host)["talos_isos"]) <= owned, "the owner has them all"
    assert (
        "dependencies"
        not in rendered("shared-iso")["out/infrastructure/hosts/pve-a/terragrunt.hcl"]
    )
    # A host's own datastore is its own: every host downloads (ha-vip: three local ones).
    assert all(_inputs("ha-vip", h.name)["download_iso"] for h in loaded("ha-vip").cluster.hosts)
    main = hcl2.loads(rendered("shared-iso")["out/infrastructure/shared/proxmox/main.tf"])
    resources = {k: v for r in main["resource"] for k, v in r.items()}
    download = resources['"proxmox_download_file"']['"talos_iso"']
    assert download["for_each"] == "${var.download_iso ? var.talos_isos : {}}"
    vm = resources['"proxmox_virtual_environment_vm"']['"node"']
    # bpg's download_file id is "<datastore>:<content type>/<file name>" (resource_download_file.go).
    assert vm["cdrom"][0]["file_id"].endswith(': "${var.iso_datastore}:iso/${each.value.iso}"}')
