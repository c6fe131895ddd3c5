"""Values derived once and shared by several layers."""

from __future__ import annotations

from ipaddress import IPv4Address

from homeops_gen import cross_layer
from homeops_gen.model import Cluster
from tests.conftest import loaded
from tests.models import model


def _cluster(**changes: object) -> Cluster:
    return Cluster.model_validate(model(**changes))


def test_default_schematic_id_matches_the_image_factory() -> None:
    # The Image Factory README documents this id for the customization-free schematic.
    assert (
        cross_layer.schematic_id(())
        == "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
    )


def test_qemu_guest_agent_schematic_id() -> None:
    # The factory's id for exactly this extension (the nova ISO of the original repository).
    assert (
        cross_layer.schematic_id(("siderolabs/qemu-guest-agent",))
        == "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"
    )


def test_schematic_id_depends_on_every_extension_and_its_order() -> None:
    a = ("siderolabs/iscsi-tools", "siderolabs/qemu-guest-agent")
    b = ("siderolabs/qemu-guest-agent", "siderolabs/iscsi-tools")
    c = ("siderolabs/qemu-guest-agent",)
    assert len({cross_layer.schematic_id(x) for x in (a, b, c)}) == 3


def test_iso_url_and_file_name_follow_the_schematic_and_version() -> None:
    cluster = loaded("nova").cluster
    extensions = cluster.talos.extensions
    sid = cross_layer.schematic_id(extensions)
    assert (
        cross_layer.talos_iso_url(cluster, extensions)
        == f"https://factory.talos.dev/image/{sid}/v1.11.5/nocloud-amd64.iso"
    )
    assert sid[:12] in cross_layer.talos_iso_file_name(cluster, extensions)


def test_same_extensions_reach_talconfig_and_the_iso() -> None:
    from tests.conftest import rendered

    files = rendered("ha-vip")
    sid = cross_layer.schematic_id(loaded("ha-vip").cluster.talos.extensions)
    for host in ("atlas", "boreas", "castor"):
        assert f"/image/{sid}/" in files[f"out/infrastructure/hosts/{host}/terragrunt.hcl"]
    assert files["out/talos/talconfig.yaml"].count("siderolabs/iscsi-tools") == 6


def test_cluster_dns_is_the_tenth_service_address() -> None:
    assert cross_layer.cluster_dns_ip(_cluster()) == IPv4Address("10.43.0.10")
    assert cross_layer.cluster_dns_ip(
        _cluster(network__service_cidr="10.96.0.0/12")
    ) == IPv4Address("10.96.0.10")


def test_guest_agent_only_with_the_extension() -> None:
    assert not cross_layer.guest_agent(())
    assert not cross_layer.guest_agent(("siderolabs/iscsi-tools",))
    assert cross_layer.guest_agent(("siderolabs/iscsi-tools", "siderolabs/qemu-guest-agent"))


def test_host_credentials_are_environment_variable_names() -> None:
    cluster = _cluster(
        hosts=[{"name": "pve-east-1", "endpoint": "https://x:8006/", "vm_datastore": "d"}]
    )
    assert cross_layer.host_credentials(cluster.hosts[0]) == {
        "api_token": "PROXMOX_PVE_EAST_1_API_TOKEN",
    }
