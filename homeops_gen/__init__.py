"""homeops-gen: one typed model of a homelab cluster, every layer of its GitOps monorepo."""

from homeops_gen.model import (
    App,
    Chart,
    Cluster,
    Disk,
    GitOps,
    Namespace,
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
    "Chart",
    "Cluster",
    "Disk",
    "GitOps",
    "Namespace",
    "Network",
    "Node",
    "ProxmoxHost",
    "RemoteState",
    "Sops",
    "Talos",
    "Versions",
]
