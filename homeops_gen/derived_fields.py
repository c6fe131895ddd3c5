"""The fields of generated files homeops-gen derives from the model (Flux Kustomizations and
HelmReleases, Talos machine configs): a user's option or patch setting one is refused, and the
importer reads them back from the model's fields."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from homeops_gen import cross_layer

KUSTOMIZATION_DERIVED: dict[str, str] = {
    "sourceRef": "generated: the Git repository in gitops",
    "path": "generated from the app's name and namespace",
    "targetNamespace": "set the app's namespace",
    "dependsOn": "set the app's depends_on",
    "decryption": "generated when the app has secrets",
}
"""Flux Kustomization fields homeops-gen derives, and where they come from."""

RELEASE_DERIVED: dict[str, str] = {
    "chart": "set the app's chart",
    "chartRef": "set the app's chart",
    "values": "set the app's values",
    "dependsOn": "set the app's depends_on",
    "targetNamespace": "set the app's namespace",
    "storageNamespace": "set the app's namespace",
}
"""HelmRelease fields homeops-gen derives, and where they come from."""


TALOS_DERIVED: dict[tuple[str, ...], str] = {
    ("cluster", "clusterName"): "name",
    ("cluster", "controlPlane", "endpoint"): "endpoint",
    ("cluster", "network", "podSubnets"): "network.pod_cidr",
    ("cluster", "network", "serviceSubnets"): "network.service_cidr",
    ("cluster", "network", "cni"): "apps (Cilium is the CNI: the cilium app)",
    ("cluster", "proxy"): "apps (Cilium replaces kube-proxy: the cilium app)",
    ("cluster", "coreDNS"): "apps (the coredns app)",
    ("cluster", "allowSchedulingOnControlPlanes"): "talos.allow_scheduling_on_control_planes",
    ("machine", "install", "disk"): "talos.install_disk or the node's install_disk",
    ("machine", "install", "image"): "talos.extensions or the node's extensions",
    ("machine", "install", "extensions"): "talos.extensions or the node's extensions",
    ("machine", "network", "hostname"): "the node's name",
    ("machine", "network", "interfaces"): "the node's ip (and endpoint for a VIP)",
    ("machine", "network", "nameservers"): "network.nameservers",
    ("machine", "kubelet", "nodeIP"): "network.node_cidr",
    ("machine", "nodeLabels"): "the node's labels",
    ("machine", "features", "kubePrism"): "nothing: Cilium reaches the API through KubePrism",
}
"""Machine-config settings homeops-gen derives, and the model field that sets each."""

TALOS_DOCUMENTS_DERIVED: dict[tuple[str, ...], str] = {
    ("HostnameConfig",): "the node's name",
    ("ResolverConfig", "nameservers"): "network.nameservers",
    ("Layer2VIPConfig",): "endpoint",
    ("LinkAliasConfig", f"{cross_layer.TALOS_LINK[:-1]}*"): (
        "the node's mac_address, or its bond's interfaces (net0, net1, ...; else its one card)"
    ),
    ("LinkConfig", cross_layer.TALOS_LINK): "the node's ip and network.gateway",
    ("BondConfig", cross_layer.TALOS_BOND): "the node's bond, ip and network.gateway",
    ("VLANConfig", f"{cross_layer.TALOS_LINK}.*"): "the node's vlan_id, ip and network.gateway",
    ("VLANConfig", f"{cross_layer.TALOS_BOND}.*"): "the node's vlan_id, ip and network.gateway",
    ("DHCPv4Config", "*"): "the node's dhcp",
    ("KubeProxyConfig",): "apps (Cilium replaces kube-proxy: the cilium app)",
    ("KubeCoreDNSConfig",): "apps (the coredns app)",
    ("KubePrismConfig",): "nothing: Cilium reaches the API through KubePrism",
    ("KubeNetworkConfig", "podSubnets"): "network.pod_cidr",
    ("KubeNetworkConfig", "serviceSubnets"): "network.service_cidr",
    ("KubeFlannelCNIConfig",): "apps (Cilium is the CNI: the cilium app)",
    ("KubeNodeConfig", "nodeIP"): "network.node_cidr",
    ("KubeNodeConfig", "labels"): "the node's labels",
    ("KubeNodeConfig", "taints", cross_layer.CONTROL_PLANE_TAINT): (
        "talos.allow_scheduling_on_control_planes"
    ),
    ("SecurityProfileConfig",): "talos.workload_isolation",
}
"""Parts of Talos config documents homeops-gen writes itself, and the model field that sets
each: ``(kind, field, ...)``, the document's name after its kind for documents Talos tells
apart by name (see :func:`talos_document_paths`; ``*`` matches as in a file name, see
:func:`derived_path`). A patch touching one is refused; the test
``tests/test_derived_fields.py`` holds this table to what the generators write for every fixture."""

TALOS_EXTENDED: dict[tuple[str, ...], str] = {
    ("cluster", "apiServer", "certSANs"): "a list: Talos appends the patch's names",
    ("KubeAPIServerConfig", "certExtraSANs"): "a list: Talos appends the patch's names",
    ("ResolverConfig", "searchDomains"): "the patch's domains replace DHCP's, as the pin does",
    ("machine", "kubelet", "image"): "the kubelet image gen config would write",
    ("machine", "kubelet", "defaultRuntimeSeccompProfileEnabled"): "gen config's default",
    ("KubeletConfig", "$patch"): "a KubeletConfig patch is refused by the talos_patches rule",
}
"""What homeops-gen writes to Talos that a patch may add to or change, and why that is safe
(held to the generators' output with :data:`TALOS_DOCUMENTS_DERIVED` and
:data:`TALOS_DERIVED`)."""


def talos_document_paths(document: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """Every leaf of a Talos config document as ``(kind, [name,] field, ...)``."""
    head: tuple[str, ...] = (str(document["kind"]),)
    if isinstance(document.get("name"), str):
        head += (document["name"],)
    rest = {k: v for k, v in document.items() if k not in ("apiVersion", "kind", "name")}
    yield from leaf_paths(rest, head)


def leaf_paths(tree: Any, head: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every path to a leaf (a value that is not a non-empty mapping) of ``tree``."""
    if isinstance(tree, dict) and tree:
        for key, value in tree.items():
            yield from leaf_paths(value, (*head, str(key)))
    else:
        yield head


def derived_path(path: tuple[str, ...], key: tuple[str, ...]) -> bool:
    """Whether ``path`` lies under ``key`` (an entry of a derived table), or ``key`` under it:
    each part compared as a file name with ``fnmatch`` (``net*``)."""
    n = min(len(path), len(key))
    return all(fnmatch.fnmatchcase(p, k) for p, k in zip(path[:n], key[:n], strict=True))
