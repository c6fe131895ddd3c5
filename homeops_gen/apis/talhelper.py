"""talhelper's ``talconfig.yaml`` (the subset homeops-gen writes)."""

from typing import Any, ClassVar

from pydantic import Field

from homeops_gen.apis import ApiModel, Document
from homeops_gen.formats import to_yaml


class DeviceSelector(ApiModel):
    """Selects a network link by its properties."""

    physical: bool | None = None
    driver: str | None = None
    hardware_addr: str | None = None


class Route(ApiModel):
    """A static route."""

    network: str
    gateway: str


class Vip(ApiModel):
    """A shared virtual IP held by one control plane at a time."""

    ip: str


class NetworkInterface(ApiModel):
    """A node's network interface configuration."""

    device_selector: DeviceSelector
    dhcp: bool
    addresses: list[str]
    routes: list[Route] | None = None
    vip: Vip | None = None


class SystemExtensions(ApiModel):
    """Official Talos system extensions."""

    official_extensions: list[str]


class Customization(ApiModel):
    """The customization of an Image Factory schematic."""

    system_extensions: SystemExtensions | None = None


class Schematic(ApiModel):
    """An Image Factory schematic."""

    customization: Customization


class ImageFactory(ApiModel):
    """Where talhelper points installer images (a Go template over the schematic id)."""

    installer_url_tmpl: str = Field(alias="installerURLTmpl")


class CniConfig(ApiModel):
    """Which CNI Talos installs (``none``: another one is deployed)."""

    name: str


class TalNode(ApiModel):
    """One node of the talhelper configuration."""

    hostname: str
    ip_address: str
    control_plane: bool
    install_disk: str
    nameservers: list[str] | None = None
    node_labels: dict[str, str] | None = None
    schematic: Schematic
    network_interfaces: list[NetworkInterface] | None = None
    patches: list[str] | None = None


class NodeConfigs(ApiModel):
    """Settings for every node of one role (``controlPlane`` or ``worker``)."""

    patches: list[str] | None = None


class TalConfig(Document):
    """talhelper's ``talconfig.yaml``."""

    cluster_name: str
    talos_version: str
    kubernetes_version: str
    endpoint: str
    allow_scheduling_on_control_planes: bool
    additional_api_server_cert_sans: list[str] | None = None
    cluster_pod_nets: list[str]
    cluster_svc_nets: list[str]
    cni_config: CniConfig
    image_factory: ImageFactory | None = None
    patches: list[str]
    control_plane: NodeConfigs | None = None
    worker: NodeConfigs | None = None
    nodes: list[TalNode]
    SCHEMA_URL: ClassVar[str] = (
        "https://raw.githubusercontent.com/budimanjojo/talhelper/master/pkg/config/schemas/"
        "talconfig.json"
    )


def patch_text(patch: dict[str, Any]) -> str:
    """A Talos config patch as the inline YAML string talhelper takes."""
    return to_yaml(patch)
