"""homeops-gen: one typed model of a homelab cluster, every layer of its GitOps monorepo."""

from homeops_gen.model import (
    App,
    Bgp,
    BgpPeer,
    Chart,
    Cluster,
    GitOps,
    Network,
    Node,
    ProxmoxHost,
    RemoteState,
    Sops,
    Talos,
    Versions,
)

__all__ = [
    "App",
    "Bgp",
    "BgpPeer",
    "Chart",
    "Cluster",
    "GitOps",
    "Network",
    "Node",
    "ProxmoxHost",
    "RemoteState",
    "Sops",
    "Talos",
    "Versions",
]
