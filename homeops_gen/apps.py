"""Apps whose values are derived from the cluster they are deployed in.

Each function returns a plain :class:`App` that records in ``made_by`` which helper
made it and with which options; the cluster-dependent parts (address pools, service
IPs, the Git source) are filled in when the app is deployed in a :class:`Cluster`
(:mod:`homeops_gen.derived_apps`), so they can never disagree with the model, and
the app survives ``Cluster.model_validate(cluster.model_dump())`` unchanged.
Values given by the user are merged over the derived ones.
"""

from __future__ import annotations

from typing import Any

from homeops_gen.derived_apps import deep_merge
from homeops_gen.layout import FLUX_NAMESPACE
from homeops_gen.model import (
    App,
    Chart,
    ChartVersion,
    CiliumHelper,
    CoreDNSHelper,
    DnsLabel,
    FluxInstanceHelper,
    FluxOperatorHelper,
)

__all__ = ["cilium", "coredns", "flux_instance", "flux_operator", "deep_merge"]

CILIUM_CHART = "oci://ghcr.io/home-operations/charts-mirror/cilium"
COREDNS_CHART = "oci://ghcr.io/coredns/charts/coredns"
FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"
FLUX_INSTANCE_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance"


def cilium(  # noqa: PLR0913 (keyword options of a public helper)
    version: ChartVersion,
    *,
    chart_url: str = CILIUM_CHART,
    values: dict[str, Any] | None = None,
    gateway_api: bool = True,
    gateway_api_version: str | None = None,
    l2_announcements: bool | None = None,
    bootstrap: bool = True,
    resources: tuple[dict[str, Any], ...] = (),
    name: DnsLabel = "cilium",
    namespace: DnsLabel = "kube-system",
) -> App:
    """Cilium as CNI and kube-proxy replacement, with the load-balancer pool from the network."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        bootstrap=bootstrap,
        resources=resources,
        made_by=CiliumHelper(
            gateway_api=gateway_api,
            gateway_api_version=gateway_api_version,
            l2_announcements=l2_announcements,
        ),
    )


def coredns(  # noqa: PLR0913 (keyword options of a public helper)
    version: ChartVersion,
    *,
    chart_url: str = COREDNS_CHART,
    values: dict[str, Any] | None = None,
    bootstrap: bool = True,
    name: DnsLabel = "coredns",
    namespace: DnsLabel = "kube-system",
) -> App:
    """CoreDNS managed by Flux instead of Talos, at the tenth address of ``service_cidr``."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        bootstrap=bootstrap,
        made_by=CoreDNSHelper(),
    )


def flux_operator(
    version: ChartVersion, *, values: dict[str, Any] | None = None, bootstrap: bool = True
) -> App:
    """The flux-operator chart in ``flux-system``."""
    return App(
        name="flux-operator",
        namespace=FLUX_NAMESPACE,
        chart=Chart(url=FLUX_OPERATOR_CHART, version=version),
        values=values or {},
        bootstrap=bootstrap,
        made_by=FluxOperatorHelper(),
    )


def flux_instance(
    version: ChartVersion, *, values: dict[str, Any] | None = None, bootstrap: bool = True
) -> App:
    """The flux-instance chart: a FluxInstance syncing the generated tree from ``gitops``."""
    return App(
        name="flux-instance",
        namespace=FLUX_NAMESPACE,
        chart=Chart(url=FLUX_INSTANCE_CHART, version=version),
        values=values or {},
        depends_on=("flux-operator",),
        bootstrap=bootstrap,
        made_by=FluxInstanceHelper(),
    )
