"""homeops-gen: one typed model of a homelab cluster, every layer of its GitOps monorepo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homeops_gen.model import (
        App,
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


def __getattr__(name: str) -> Any:
    # The model (and pydantic) loads on first use, not when the command line starts.
    if name in __all__:
        from homeops_gen import model

        return getattr(model, name)
    raise AttributeError(f"module 'homeops_gen' has no attribute {name!r}")
