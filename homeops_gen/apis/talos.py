"""Talos machine-config documents (the subset homeops-gen writes).

Typed documents carry ``apiVersion: v1alpha1`` and their ``kind`` (network documents from the
Talos 1.12 contract, Kubernetes documents from 1.14); the v1alpha1 ``machine``/``cluster``
settings of a patch are plain data. Patches merge into the documents ``talosctl gen config``
made, so a patch document names only the fields it sets.
"""

from typing import Literal

from pydantic import Field

from homeops_gen.apis import ApiModel


class TalosDocument(ApiModel):
    """A typed machine-config document."""

    api_version: Literal["v1alpha1"] = "v1alpha1"


class HostnameConfig(TalosDocument):
    """The node's static hostname (``auto: off`` turns the generated one off)."""

    kind: Literal["HostnameConfig"] = "HostnameConfig"
    auto: Literal["off"] = "off"
    hostname: str


class Nameserver(ApiModel):
    """One DNS server."""

    address: str


class ResolverConfig(TalosDocument):
    """The node's DNS servers."""

    kind: Literal["ResolverConfig"] = "ResolverConfig"
    nameservers: list[Nameserver]


class LinkSelector(ApiModel):
    """A CEL expression over a physical link's status."""

    match: str


class LinkAliasConfig(TalosDocument):
    """A stable name for the one physical link a selector matches."""

    kind: Literal["LinkAliasConfig"] = "LinkAliasConfig"
    name: str
    selector: LinkSelector


class Address(ApiModel):
    """A static address with its prefix length."""

    address: str


class LinkRoute(ApiModel):
    """A route through a link (no destination: the default route)."""

    gateway: str


class LinkConfig(TalosDocument):
    """Static addresses and routes of a link."""

    kind: Literal["LinkConfig"] = "LinkConfig"
    name: str
    addresses: list[Address]
    routes: list[LinkRoute] | None = None


class Layer2VIPConfig(TalosDocument):
    """A shared virtual IP announced on a link by one control plane at a time."""

    kind: Literal["Layer2VIPConfig"] = "Layer2VIPConfig"
    name: str
    link: str


class SecurityProfileConfig(TalosDocument):
    """Talos 1.14+ security profile: whether workloads run isolated (sandboxd)."""

    kind: Literal["SecurityProfileConfig"] = "SecurityProfileConfig"
    workload_isolation: bool


class KubeProxyConfig(TalosDocument):
    """kube-proxy (Talos 1.14+ contract)."""

    kind: Literal["KubeProxyConfig"] = "KubeProxyConfig"
    enabled: bool


class KubeCoreDNSConfig(TalosDocument):
    """Talos' own CoreDNS (Talos 1.14+ contract)."""

    kind: Literal["KubeCoreDNSConfig"] = "KubeCoreDNSConfig"
    enabled: bool


class KubePrismConfig(TalosDocument):
    """KubePrism, the node-local load balancer of the API (Talos 1.14+ contract)."""

    kind: Literal["KubePrismConfig"] = "KubePrismConfig"
    port: int


class KubeNetworkConfig(TalosDocument):
    """The cluster's pod and service subnets (Talos 1.14+ contract)."""

    kind: Literal["KubeNetworkConfig"] = "KubeNetworkConfig"
    pod_subnets: list[str]
    service_subnets: list[str]


class KubeAPIServerConfig(TalosDocument):
    """kube-apiserver settings (Talos 1.14+ contract): extra certificate SANs."""

    kind: Literal["KubeAPIServerConfig"] = "KubeAPIServerConfig"
    cert_extra_sans: list[str] = Field(alias="certExtraSANs")


class NodeIP(ApiModel):
    """Which networks the kubelet picks the node IP from."""

    valid_subnets: list[str]


class KubeNodeConfig(TalosDocument):
    """The node's Kubernetes registration: node IP, labels, taints (Talos 1.14+ contract)."""

    kind: Literal["KubeNodeConfig"] = "KubeNodeConfig"
    node_ip: NodeIP | None = Field(default=None, alias="nodeIP")
    labels: dict[str, str] | None = None
    taints: dict[str, dict[str, str]] | None = None
    """Only as a patch: ``{taint: {"$patch": "delete"}}`` removes a taint gen config added."""


class DeleteDocument(TalosDocument):
    """A patch that removes a document gen config made (``$patch: delete``)."""

    kind: str
    patch: Literal["delete"] = Field(default="delete", alias="$patch")
