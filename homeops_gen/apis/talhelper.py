"""talhelper's ``talconfig.yaml`` (the subset homeops-gen writes)."""

from typing import Any, Required

from typing_extensions import TypedDict

from homeops_gen.apis import document
from homeops_gen.formats import to_yaml


class DeviceSelector(TypedDict, total=False):
    """Selects a network link by its properties."""

    physical: bool | None
    driver: str | None
    hardwareAddr: str | None


class Route(TypedDict, total=False):
    """A static route."""

    network: Required[str]
    gateway: Required[str]


class Vip(TypedDict, total=False):
    """A shared virtual IP held by one control plane at a time."""

    ip: Required[str]


class Bond(TypedDict, total=False):
    """A bond of the network cards its selectors match."""

    mode: Required[str]
    deviceSelectors: Required[list[DeviceSelector]]
    miimon: int | None
    updelay: int | None
    downdelay: int | None


class Vlan(TypedDict, total=False):
    """A VLAN on an interface, with the node's address."""

    vlanId: Required[int]
    dhcp: Required[bool]
    addresses: list[str] | None
    routes: list[Route] | None
    vip: Vip | None


class NetworkInterface(TypedDict, total=False):
    """A node's network interface configuration: a link its selector matches, or a bond."""

    interface: str | None
    deviceSelector: DeviceSelector | None
    bond: Bond | None
    dhcp: Required[bool]
    addresses: list[str] | None
    routes: list[Route] | None
    vip: Vip | None
    vlans: list[Vlan] | None


class InstallDiskSelector(TypedDict, total=False):
    """The install disk, chosen by its model, serial or size (Talos ``installDiskSelector``)."""

    model: str | None
    serial: str | None
    size: str | None


class MachineSpec(TypedDict, total=False):
    """The node's machine: its ``mode`` is the platform of its installer (``{{.Mode}}``)."""

    mode: Required[str]


class SystemExtensions(TypedDict, total=False):
    """Official Talos system extensions."""

    officialExtensions: Required[list[str]]


class Customization(TypedDict, total=False):
    """The customization of an Image Factory schematic."""

    extraKernelArgs: list[str] | None
    systemExtensions: SystemExtensions | None


class Schematic(TypedDict, total=False):
    """An Image Factory schematic."""

    customization: Required[Customization]


class ImageFactory(TypedDict, total=False):
    """Where talhelper points installer images (a Go template over the schematic id)."""

    installerURLTmpl: Required[str]


class CniConfig(TypedDict, total=False):
    """Which CNI Talos installs (``none``: another one is deployed)."""

    name: Required[str]


class TalNode(TypedDict, total=False):
    """One node of the talhelper configuration."""

    hostname: Required[str]
    ipAddress: Required[str]
    controlPlane: Required[bool]
    installDisk: str | None
    installDiskSelector: InstallDiskSelector | None
    machineSpec: MachineSpec | None
    nameservers: list[str] | None
    nodeLabels: dict[str, str] | None
    schematic: Required[Schematic]
    networkInterfaces: list[NetworkInterface] | None
    patches: list[str] | None


class NodeConfigs(TypedDict, total=False):
    """Settings for every node of one role (``controlPlane`` or ``worker``)."""

    patches: list[str] | None


@document(
    "https://raw.githubusercontent.com/budimanjojo/talhelper/master/pkg/config/schemas/"
    "talconfig.json"
)
class TalConfig(TypedDict, total=False):
    """talhelper's ``talconfig.yaml``."""

    clusterName: Required[str]
    talosVersion: Required[str]
    kubernetesVersion: Required[str]
    endpoint: Required[str]
    allowSchedulingOnControlPlanes: Required[bool]
    additionalApiServerCertSans: list[str] | None
    clusterPodNets: Required[list[str]]
    clusterSvcNets: Required[list[str]]
    cniConfig: Required[CniConfig]
    imageFactory: ImageFactory | None
    patches: Required[list[str]]
    controlPlane: NodeConfigs | None
    worker: NodeConfigs | None
    nodes: Required[list[TalNode]]


def patch_text(patch: dict[str, Any]) -> str:
    """A Talos config patch as the inline YAML string talhelper takes."""
    return to_yaml(patch)
