"""Which versions work together: the Talos, Cilium and Flux support matrices.

Talos: the compatibility constants of each release
(``pkg/machinery/compatibility/talos1xx`` in siderolabs/talos): the Kubernetes
range a Talos minor runs (``MinimumKubernetesVersion`` to
``MaximumKubernetesVersion``) and the oldest Talos a node can be upgraded from
(``MinimumHostUpgradeVersion``). Talos refuses anything outside them.

Cilium: "Kubernetes Compatibility" of each release's documentation: listed
Kubernetes versions are e2e tested; older ones have no Cilium support, newer
ones depend on Kubernetes' backward compatibility.

Flux: the "Supported Kubernetes Versions" of each Flux minor in the flux-operator
distribution's release notes (fluxcd.control-plane.io/releases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Minor = tuple[int, int]


@dataclass(frozen=True)
class TalosRelease:
    """What one Talos minor accepts."""

    kubernetes: tuple[Minor, Minor]
    """The oldest and newest Kubernetes minor it runs."""
    upgrade_from: Minor
    """The oldest Talos minor a node can be upgraded from to this one."""


TALOS: dict[Minor, TalosRelease] = {
    (1, 7): TalosRelease(((1, 25), (1, 30)), upgrade_from=(1, 4)),
    (1, 8): TalosRelease(((1, 26), (1, 31)), upgrade_from=(1, 5)),
    (1, 9): TalosRelease(((1, 27), (1, 32)), upgrade_from=(1, 8)),
    (1, 10): TalosRelease(((1, 28), (1, 33)), upgrade_from=(1, 8)),
    (1, 11): TalosRelease(((1, 29), (1, 34)), upgrade_from=(1, 9)),
    (1, 12): TalosRelease(((1, 30), (1, 35)), upgrade_from=(1, 10)),
    (1, 13): TalosRelease(((1, 31), (1, 36)), upgrade_from=(1, 11)),
    (1, 14): TalosRelease(((1, 32), (1, 37)), upgrade_from=(1, 12)),
}
"""Talos minor -> its Kubernetes range and the oldest minor it upgrades from."""

TALOS_KUBERNETES: dict[Minor, tuple[Minor, Minor]] = {v: r.kubernetes for v, r in TALOS.items()}
"""Talos minor -> the oldest and newest Kubernetes minor it supports."""

TYPED_NETWORK_DOCUMENTS: Minor = (1, 12)
"""The first Talos minor whose network settings are typed documents (HostnameConfig, ...)."""

DHCP_SEARCH_DOMAINS: Minor = (1, 14)
"""The first Talos minor that applies DHCPv4 search domains to the resolver (CHANGELOG 1.14
"DHCP"), unless a ``ResolverConfig`` names its own (``searchDomains.domains``, even empty:
``SearchDomainsOverridden`` in the network controller's ``resolver_config.go``)."""

KUBERNETES_DOCUMENTS: Minor = (1, 14)
"""The first Talos minor whose Kubernetes settings are typed documents (KubeNodeConfig, ...)."""

UNATTENDED_INSTALL: Minor = (1, 14)
"""The first contract whose install disk is an ``UnattendedInstallConfig`` document, not
v1alpha1 ``.machine.install`` (machinery ``VersionContract.UnattendedInstallConfig``: greater
than 1.13)."""

WORKLOAD_ISOLATION: Minor = (1, 14)
"""The first Talos minor with workload isolation (the SecurityProfileConfig document)."""

CILIUM_KUBERNETES: dict[Minor, tuple[Minor, Minor]] = {
    (1, 18): ((1, 30), (1, 33)),
    (1, 19): ((1, 32), (1, 35)),
    (1, 20): ((1, 33), (1, 36)),
}
"""Cilium minor -> the oldest and newest Kubernetes minor its e2e tests cover (the table of
``Documentation/network/kubernetes/compatibility.rst``; v1.20.2: 1.33 to 1.36)."""

CILIUM_GATEWAY_API: dict[Minor, str] = {
    (1, 18): "v1.3.0",
    (1, 19): "v1.4.0",
    (1, 20): "v1.6.1",
}
"""Cilium minor -> the Gateway API release it implements (``sigs.k8s.io/gateway-api`` in the
go.mod of cilium v1.18.4: v1.3.1-0.2025...; of v1.19.3: v1.4.0-rc.2; of v1.20.2: v1.6.1)."""

FLUX_KUBERNETES: dict[Minor, tuple[Minor, Minor]] = {
    (2, 3): ((1, 25), (1, 30)),
    (2, 4): ((1, 26), (1, 32)),
    (2, 5): ((1, 27), (1, 33)),
    (2, 7): ((1, 29), (1, 35)),
    (2, 8): ((1, 30), (1, 35)),
    (2, 10): ((1, 32), (1, 37)),
}
"""Flux minor -> the oldest and newest Kubernetes minor it supports."""


def minor(version: str) -> Minor:
    """``(major, minor)`` of ``v1.11.5`` or ``1.18.4``."""
    match = re.match(r"^v?(\d+)\.(\d+)", version)
    if not match:
        raise ValueError(f"not a version: {version!r}")
    return int(match.group(1)), int(match.group(2))


def show(version: Minor) -> str:
    """``1.34`` for ``(1, 34)``."""
    return f"{version[0]}.{version[1]}"


def next_minor(version: Minor) -> Minor:
    """The minor after ``version``: ``(1, 12)`` for ``(1, 11)``."""
    return version[0], version[1] + 1
