"""The app helpers a cluster.py calls (``cilium(...)``, ``coredns(...)``, ``flux_instance(...)``,
...): each returns a plain :class:`App` for ``Cluster.apps``.

The app records in ``made_by`` which helper made it and with which options; the
cluster-dependent parts (address pools, service IPs, the Git source) are filled in when the
app is deployed in a :class:`Cluster` (:mod:`homeops_gen.deployment`), so they can never
disagree with the model, and the app survives ``Cluster.model_validate(cluster.model_dump())``
unchanged. Values given by the user are merged over the derived ones.
"""

from __future__ import annotations

from typing import Any

from homeops_gen.deployment import deep_merge
from homeops_gen.layout import FLUX_NAMESPACE
from homeops_gen.model import (
    App,
    CertManagerHelper,
    Chart,
    ChartVersion,
    CiliumHelper,
    CoreDNSHelper,
    DnsLabel,
    DnsProvider,
    ExternalDnsHelper,
    FluxInstanceHelper,
    FluxOperatorHelper,
    MetricsServerHelper,
    ReloaderHelper,
    SpegelHelper,
)

__all__ = [
    "cert_manager",
    "cilium",
    "coredns",
    "external_dns",
    "flux_instance",
    "flux_operator",
    "metrics_server",
    "reloader",
    "spegel",
    "deep_merge",
]

CILIUM_CHART = "oci://ghcr.io/home-operations/charts-mirror/cilium"
COREDNS_CHART = "oci://ghcr.io/coredns/charts/coredns"
FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"
FLUX_INSTANCE_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance"
CERT_MANAGER_CHART = "oci://quay.io/jetstack/charts/cert-manager"
EXTERNAL_DNS_REPOSITORY = "https://kubernetes-sigs.github.io/external-dns"
SPEGEL_CHART = "oci://ghcr.io/spegel-org/helm-charts/spegel"
METRICS_SERVER_REPOSITORY = "https://kubernetes-sigs.github.io/metrics-server"
RELOADER_CHART = "oci://ghcr.io/stakater/charts/reloader"


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


def cert_manager(  # noqa: PLR0913 (keyword options of a public helper)
    version: ChartVersion,
    *,
    email: str,
    dns_zones: tuple[str, ...] | list[str],
    api_token: str,
    provider: DnsProvider = "cloudflare",
    staging: bool = False,
    chart_url: str = CERT_MANAGER_CHART,
    values: dict[str, Any] | None = None,
    name: DnsLabel = "cert-manager",
    namespace: DnsLabel = "cert-manager",
) -> App:
    """cert-manager with its CRDs from the chart and a Let's Encrypt ``ClusterIssuer``
    solving DNS-01 in ``dns_zones`` with the API token of ``api_token`` (a SOPS file)."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        secrets=(api_token,),
        made_by=CertManagerHelper(
            email=email,
            dns_zones=tuple(dns_zones),
            api_token=api_token,
            provider=provider,
            staging=staging,
        ),
    )


def external_dns(  # noqa: PLR0913 (keyword options of a public helper)
    version: ChartVersion,
    *,
    domain_filters: tuple[str, ...] | list[str],
    api_token: str,
    provider: DnsProvider = "cloudflare",
    chart_url: str = EXTERNAL_DNS_REPOSITORY,
    values: dict[str, Any] | None = None,
    name: DnsLabel = "external-dns",
    namespace: DnsLabel = "network",
) -> App:
    """external-dns writing records for the model's Services (and Gateway API routes when
    Cilium's Gateway API is on) in ``domain_filters``, with the token of ``api_token``."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, name="external-dns", version=version),
        values=values or {},
        secrets=(api_token,),
        made_by=ExternalDnsHelper(
            domain_filters=tuple(domain_filters), api_token=api_token, provider=provider
        ),
    )


def spegel(
    version: ChartVersion,
    *,
    chart_url: str = SPEGEL_CHART,
    values: dict[str, Any] | None = None,
    name: DnsLabel = "spegel",
    namespace: DnsLabel = "kube-system",
) -> App:
    """Spegel, with containerd on every node keeping unpacked layers (written into the Talos
    layer by the same call)."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        made_by=SpegelHelper(),
    )


def metrics_server(  # noqa: PLR0913 (keyword options of a public helper)
    version: ChartVersion,
    *,
    approver_version: str = MetricsServerHelper.model_fields["approver_version"].default,
    chart_url: str = METRICS_SERVER_REPOSITORY,
    values: dict[str, Any] | None = None,
    name: DnsLabel = "metrics-server",
    namespace: DnsLabel = "kube-system",
) -> App:
    """metrics-server checking the kubelets' serving certificates, which Talos makes them
    rotate and kubelet-serving-cert-approver approves (written into the Talos layer)."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, name="metrics-server", version=version),
        values=values or {},
        made_by=MetricsServerHelper(approver_version=approver_version),
    )


def reloader(
    version: ChartVersion,
    *,
    chart_url: str = RELOADER_CHART,
    values: dict[str, Any] | None = None,
    name: DnsLabel = "reloader",
    namespace: DnsLabel = "kube-system",
) -> App:
    """Reloader, rolling workloads whose ConfigMaps or Secrets change."""
    return App(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        made_by=ReloaderHelper(),
    )
