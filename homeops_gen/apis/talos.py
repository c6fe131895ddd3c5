"""Talos machine-config documents (the subset homeops-gen writes).

Typed documents carry ``apiVersion: v1alpha1`` and their ``kind`` (network documents from the
Talos 1.12 contract, Kubernetes documents from 1.14); the v1alpha1 ``machine``/``cluster``
settings of a patch are plain data. Patches merge into the documents ``talosctl gen config``
made, so a patch document names only the fields it sets.
"""

from typing import Literal, Required

from typing_extensions import TypedDict


class TalosDocument(TypedDict):
    """A typed machine-config document."""

    apiVersion: Literal["v1alpha1"]


class HostnameConfig(TalosDocument, total=False):
    """The node's static hostname (``auto: off`` turns the generated one off)."""

    kind: Required[Literal["HostnameConfig"]]
    auto: Required[Literal["off"]]
    hostname: Required[str]


class Nameserver(TypedDict, total=False):
    """One DNS server."""

    address: Required[str]


class SearchDomains(TypedDict, total=False):
    """The resolver's search domains; present (even empty), they replace DHCP's."""

    domains: Required[list[str]]


class ResolverConfig(TalosDocument, total=False):
    """The node's DNS servers and search domains."""

    kind: Required[Literal["ResolverConfig"]]
    nameservers: list[Nameserver]
    searchDomains: SearchDomains


class DHCPv4Config(TalosDocument, total=False):
    """An address (and routes, DNS servers) from DHCP on a link."""

    kind: Required[Literal["DHCPv4Config"]]
    name: Required[str]


class LinkSelector(TypedDict, total=False):
    """A CEL expression over a physical link's status."""

    match: Required[str]


class LinkAliasConfig(TalosDocument, total=False):
    """A stable name for the one physical link a selector matches."""

    kind: Required[Literal["LinkAliasConfig"]]
    name: Required[str]
    selector: Required[LinkSelector]


class Address(TypedDict, total=False):
    """A static address with its prefix length."""

    address: Required[str]


class LinkRoute(TypedDict, total=False):
    """A route through a link (no destination: the default route)."""

    gateway: Required[str]


class LinkConfig(TalosDocument, total=False):
    """Static addresses and routes of a link."""

    kind: Required[Literal["LinkConfig"]]
    name: Required[str]
    addresses: Required[list[Address]]
    routes: list[LinkRoute] | None


class BondConfig(TalosDocument, total=False):
    """A bond of links (Talos 1.12+), with the node's address when it is on the bond."""

    kind: Required[Literal["BondConfig"]]
    name: Required[str]
    links: Required[list[str]]
    bondMode: Required[str]
    miimon: int | None
    updelay: int | None
    downdelay: int | None
    addresses: list[Address] | None
    routes: list[LinkRoute] | None


class VLANConfig(TalosDocument, total=False):
    """A VLAN link on a parent link (Talos 1.12+), with the node's address when it is on it."""

    kind: Required[Literal["VLANConfig"]]
    name: Required[str]
    vlanID: Required[int]
    parent: Required[str]
    addresses: list[Address] | None
    routes: list[LinkRoute] | None


class DiskSelector(TypedDict, total=False):
    """A CEL expression over a disk (``disk.model``, ``disk.size``, ...)."""

    match: Required[str]


class ProvisioningSpec(TypedDict, total=False):
    """Where Talos installs itself."""

    diskSelector: Required[DiskSelector]


class UnattendedInstallConfig(TalosDocument, total=False):
    """The install disk of a Talos 1.14+ contract (``talosctl gen config`` writes one from
    ``--install-disk``; a patch replaces its selector)."""

    kind: Required[Literal["UnattendedInstallConfig"]]
    provisioning: Required[ProvisioningSpec]


class Layer2VIPConfig(TalosDocument, total=False):
    """A shared virtual IP announced on a link by one control plane at a time."""

    kind: Required[Literal["Layer2VIPConfig"]]
    name: Required[str]
    link: Required[str]


class SecurityProfileConfig(TalosDocument, total=False):
    """Talos 1.14+ security profile: whether workloads run isolated (sandboxd)."""

    kind: Required[Literal["SecurityProfileConfig"]]
    workloadIsolation: Required[bool]


class KubeProxyConfig(TalosDocument, total=False):
    """kube-proxy (Talos 1.14+ contract)."""

    kind: Required[Literal["KubeProxyConfig"]]
    enabled: Required[bool]


class KubeCoreDNSConfig(TalosDocument, total=False):
    """Talos' own CoreDNS (Talos 1.14+ contract)."""

    kind: Required[Literal["KubeCoreDNSConfig"]]
    enabled: Required[bool]


class KubePrismConfig(TalosDocument, total=False):
    """KubePrism, the node-local load balancer of the API (Talos 1.14+ contract)."""

    kind: Required[Literal["KubePrismConfig"]]
    port: Required[int]


class KubeNetworkConfig(TalosDocument, total=False):
    """The cluster's pod and service subnets (Talos 1.14+ contract)."""

    kind: Required[Literal["KubeNetworkConfig"]]
    podSubnets: Required[list[str]]
    serviceSubnets: Required[list[str]]


class KubeAPIServerConfig(TalosDocument, total=False):
    """kube-apiserver settings (Talos 1.14+ contract): extra certificate SANs."""

    kind: Required[Literal["KubeAPIServerConfig"]]
    certExtraSANs: Required[list[str]]


class NodeIP(TypedDict, total=False):
    """Which networks the kubelet picks the node IP from."""

    validSubnets: Required[list[str]]


class KubeNodeConfig(TalosDocument, total=False):
    """The node's Kubernetes registration: node IP, labels, taints (Talos 1.14+ contract)."""

    kind: Required[Literal["KubeNodeConfig"]]
    nodeIP: NodeIP | None
    labels: dict[str, str] | None
    taints: dict[str, dict[str, str]] | None
    """Only as a patch: ``{taint: {"$patch": "delete"}}`` removes a taint gen config added."""


DeleteDocument = TypedDict(
    "DeleteDocument",
    {"apiVersion": Literal["v1alpha1"], "kind": str, "$patch": Literal["delete"]},
)
"""A patch that removes a document gen config made (``$patch: delete``)."""
