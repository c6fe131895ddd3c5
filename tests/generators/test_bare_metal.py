"""Bare-metal nodes beside VMs (fixtures bare-metal-mix, talosctl 1.14, and
bare-metal-talhelper, talhelper 1.11): no VM, the metal image, the link, bond, VLAN and install
disk in the Talos config; and a DHCP VM's cloud-init."""

from __future__ import annotations

from typing import Any

import hcl2
import yaml

from homeops_gen import cross_layer
from homeops_gen.model import DiskSelector
from tests.conftest import loaded, rendered

MIX = "bare-metal-mix"


def _documents(model: str, node: str) -> dict[str, dict[str, Any]]:
    text = rendered(model)[f"out/talos/nodes/{node}.yaml"]
    return {d["kind"]: d for d in yaml.safe_load_all(text) if d and "kind" in d}


def _talnode(name: str) -> dict[str, Any]:
    talconfig = yaml.safe_load(rendered("bare-metal-talhelper")["out/talos/talconfig.yaml"])
    found: list[dict[str, Any]] = [n for n in talconfig["nodes"] if n["hostname"] == name]
    return found[0]


def test_only_the_vms_are_in_the_infrastructure_layer() -> None:
    unit = hcl2.loads(rendered(MIX)["out/infrastructure/hosts/pve/terragrunt.hcl"])
    vms = unit["inputs"]["nodes"]
    assert sorted(v["vm_name"] for v in vms.values()) == ['"worker-1"', '"worker-2"']
    assert all("nocloud" in v["iso"] for v in vms.values())


def test_bare_metal_nodes_get_the_metal_installer_and_the_vms_the_nocloud_one() -> None:
    gen = rendered(MIX)["out/talos/gen.sh"]
    lines = {line.split()[1]: line for line in gen.splitlines() if line.startswith("node ")}
    assert "/metal-installer/" in lines["nuc-1"] and "/nocloud-installer/" in lines["worker-1"]
    apply = rendered(MIX)["out/talos/apply.sh"]
    cluster = loaded(MIX).cluster
    for node in cluster.nodes:
        line = f"#   {node.name}: {cross_layer.metal_iso_url(cluster, node)}\n"
        assert (line in apply) == node.is_bare_metal
    assert cross_layer.metal_iso_url(cluster, cluster.nodes[0]).endswith("/v1.14.4/metal-amd64.iso")
    # talhelper: the node's platform is its machineSpec.mode, which the template names
    assert _talnode("optiplex-1")["machineSpec"] == {"mode": "metal"}
    talconfig = yaml.safe_load(rendered("bare-metal-talhelper")["out/talos/talconfig.yaml"])
    assert "{{.Mode}}-installer" in talconfig["imageFactory"]["installerURLTmpl"]


def test_each_bare_metal_schematic_is_written_for_registration_under_its_id() -> None:
    """The factory serves nothing for a schematic it was never sent: each file holds the
    schematic its name is the id of (the factory's well-known id for the plain image, for
    bare-metal-mix), and apply.sh names the POST."""
    for model in (MIX, "bare-metal-talhelper"):
        files = rendered(model)
        cluster = loaded(model).cluster
        args = cluster.talos.kernel_args
        images = {
            cross_layer.schematic_id(ext, args): ext
            for ext in (cluster.talos.node_extensions(n) for n in cluster.nodes if n.is_bare_metal)
        }
        written = sorted(p for p in files if p.startswith("out/talos/schematics/"))
        assert written == sorted(f"out/talos/schematics/{sid}.yaml" for sid in images)
        for sid, extensions in images.items():
            text = files[f"out/talos/schematics/{sid}.yaml"]
            assert yaml.safe_load(text) == yaml.safe_load(cross_layer.schematic(extensions, args))
            assert (
                f"--data-binary @schematics/{sid}.yaml https://factory.talos.dev/schematics"
                in files["out/talos/apply.sh"]
            )
    plain = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
    assert f"out/talos/schematics/{plain}.yaml" in rendered(MIX)


def test_a_bond_on_a_vlan_holds_the_address_and_the_vip() -> None:
    documents = list(yaml.safe_load_all(rendered(MIX)["out/talos/nodes/nuc-1.yaml"]))
    aliases = [d for d in documents if d and d.get("kind") == "LinkAliasConfig"]
    assert [a["selector"]["match"] for a in aliases] == [
        'mac(link.permanent_addr) == "58:47:ca:71:0a:10"',
        'mac(link.permanent_addr) == "58:47:ca:71:0a:11"',
    ]
    by_kind = _documents(MIX, "nuc-1")
    bond = by_kind["BondConfig"]
    assert bond["links"] == [a["name"] for a in aliases] and bond["bondMode"] == "802.3ad"
    assert "addresses" not in bond and "LinkConfig" not in by_kind
    vlan = by_kind["VLANConfig"]
    assert (vlan["parent"], vlan["vlanID"], vlan["name"]) == ("bond0", 50, "bond0.50")
    assert vlan["addresses"] == [{"address": "10.50.0.11/24"}]
    assert by_kind["Layer2VIPConfig"]["link"] == "bond0.50"


def test_a_single_card_is_named_by_its_mac_and_addressed() -> None:
    by_kind = _documents(MIX, "nuc-3")
    assert by_kind["LinkAliasConfig"]["selector"]["match"].endswith('"58:47:ca:71:0c:30"')
    assert by_kind["LinkConfig"]["addresses"] == [{"address": "10.50.0.13/24"}]
    assert by_kind["LinkConfig"]["routes"] == [{"gateway": "10.50.0.1"}]


def test_a_vlan_on_a_single_card_holds_the_address() -> None:
    by_kind = _documents(MIX, "nuc-2")
    assert by_kind["LinkAliasConfig"]["selector"]["match"].endswith('"58:47:ca:71:0b:20"')
    assert "LinkConfig" not in by_kind
    vlan = by_kind["VLANConfig"]
    assert (vlan["parent"], vlan["vlanID"], vlan["name"]) == ("net0", 50, "net0.50")
    assert vlan["addresses"] == [{"address": "10.50.0.12/24"}]
    assert vlan["routes"] == [{"gateway": "10.50.0.1"}]


def test_a_disk_selector_is_the_unattended_install_cel_talos_builds() -> None:
    match = _documents(MIX, "nuc-3")["UnattendedInstallConfig"]["provisioning"]
    assert match["diskSelector"]["match"] == (
        'disk.size >= 500000000000u && glob("Samsung SSD 980*", disk.model) && '
        'disk.transport != "" && !disk.readonly && !disk.cdrom'
    )
    assert "UnattendedInstallConfig" not in _documents(MIX, "nuc-2")
    assert cross_layer.disk_match(DiskSelector(size="1TiB")).startswith(
        "disk.size == 1099511627776u"
    )


def test_talhelper_writes_the_selector_bond_and_vlan_as_v1alpha1() -> None:
    assert _talnode("optiplex-1")["installDiskSelector"] == {"serial": "S4EWNX0R*"}
    assert "installDisk" not in _talnode("optiplex-1")
    [bonded] = _talnode("optiplex-2")["networkInterfaces"]
    assert bonded["interface"] == "bond0" and bonded["bond"]["mode"] == "active-backup"
    assert "miimon" not in bonded["bond"]
    assert [s["hardwareAddr"] for s in bonded["bond"]["deviceSelectors"]] == [
        "d8:9e:f3:10:20:02",
        "00:e0:4c:68:00:02",
    ]
    [tagged] = _talnode("optiplex-3")["networkInterfaces"]
    assert tagged["deviceSelector"] == {"physical": True} and "addresses" not in tagged
    assert tagged["vlans"][0]["vlanId"] == 60
    assert tagged["vlans"][0]["addresses"] == ["192.168.60.13/24"]


def test_a_cluster_without_hosts_has_no_host_unit() -> None:
    assert not [p for p in rendered("bare-metal-talhelper") if "/hosts/" in p]


def test_a_dhcp_vm_asks_cloud_init_for_dhcp_without_a_gateway() -> None:
    unit = hcl2.loads(rendered(MIX)["out/infrastructure/hosts/pve/terragrunt.hcl"])
    vms = {v["vm_name"]: v for v in unit["inputs"]["nodes"].values()}
    assert (vms['"worker-2"']["address"], vms['"worker-2"']["gateway"]) == ('"dhcp"', None)
    assert (vms['"worker-1"']["address"], vms['"worker-1"']["gateway"]) == (
        '"10.50.0.21/24"',
        '"10.50.0.1"',
    )
