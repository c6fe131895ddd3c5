"""Apps whose values are derived from the cluster they are deployed in.

Each function returns an :class:`App`; the cluster-dependent parts (address
pools, service IPs, the Git source) are filled in by ``App.resolve`` once the
app is part of a :class:`Cluster`, so they can never disagree with the model.
Values given by the user are merged over the derived ones.
"""

from __future__ import annotations

from typing import Any

from homeops_gen.apis import dump
from homeops_gen.apis.flux_operator import ClusterSettings, Distribution, FluxInstanceSpec, Sync
from homeops_gen.derive import cluster_dns_ip
from homeops_gen.layout import FLUX_NAMESPACE, FLUX_SYNC_PATH
from homeops_gen.model import App, Bgp, Chart, ChartVersion, Cluster, DnsLabel, SemVer

__all__ = ["cilium", "coredns", "flux_instance", "flux_operator", "deep_merge"]

CILIUM_CHART = "oci://ghcr.io/home-operations/charts-mirror/cilium"
COREDNS_CHART = "oci://ghcr.io/coredns/charts/coredns"
FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"
FLUX_INSTANCE_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance"

GATEWAY_API_VERSION = "v1.3.0"
"""The Gateway API release Cilium 1.18 implements."""
GATEWAY_API_CRDS = (
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/{}/standard-install.yaml"
)

KUBEPRISM_HOST = "localhost"
KUBEPRISM_PORT = 7445


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apps_of_charts(cluster: Cluster, *charts: str) -> tuple[str, ...]:
    """The names of the model's apps installing any of ``charts`` (by chart name)."""
    return tuple(name for chart in charts for name in cluster.apps_by_chart.get(chart, ()))


class CiliumApp(App):
    """Cilium as the CNI, replacing kube-proxy and reaching the API through KubePrism."""

    gateway_api: bool = True
    gateway_api_version: SemVer = GATEWAY_API_VERSION
    """The Gateway API release whose standard CRDs must exist before Cilium starts."""
    l2_announcements: bool | None = None
    """Announce load-balancer IPs with ARP; by default when the pool is inside ``node_cidr``."""

    def resolve(self, cluster: Cluster) -> App:
        net = cluster.network
        values: dict[str, Any] = {
            "ipam": {"mode": "kubernetes"},
            "ipv4NativeRoutingCIDR": str(net.pod_cidr),
            "kubeProxyReplacement": True,
            "k8sServiceHost": KUBEPRISM_HOST,
            "k8sServicePort": KUBEPRISM_PORT,
            "cgroup": {"autoMount": {"enabled": False}, "hostRoot": "/sys/fs/cgroup"},
            "securityContext": {
                "capabilities": {
                    "ciliumAgent": [
                        "CHOWN",
                        "KILL",
                        "NET_ADMIN",
                        "NET_RAW",
                        "IPC_LOCK",
                        "SYS_ADMIN",
                        "SYS_RESOURCE",
                        "PERFMON",
                        "BPF",
                        "DAC_OVERRIDE",
                        "FOWNER",
                        "SETGID",
                        "SETUID",
                    ],
                    "cleanCiliumState": ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
                }
            },
            "operator": {"replicas": 1 if len(cluster.nodes) == 1 else 2},
        }
        if self.gateway_api:
            values["gatewayAPI"] = {
                "enabled": True,
                "enableAlpn": True,
                "enableAppProtocol": True,
            }
        resources: list[dict[str, Any]] = []
        pool = net.load_balancer_cidr
        if pool is not None:
            l2 = self.l2_announcements
            if l2 is None:
                l2 = pool.subnet_of(net.node_cidr)
            resources.append(
                {
                    "apiVersion": "cilium.io/v2",
                    "kind": "CiliumLoadBalancerIPPool",
                    "metadata": {"name": "pool"},
                    "spec": {"allowFirstLastIPs": "No", "blocks": [{"cidr": str(pool)}]},
                }
            )
            if l2:
                values["l2announcements"] = {"enabled": True}
                values["externalIPs"] = {"enabled": True}
                resources.append(
                    {
                        "apiVersion": "cilium.io/v2alpha1",
                        "kind": "CiliumL2AnnouncementPolicy",
                        "metadata": {"name": "l2-policy"},
                        "spec": {
                            "loadBalancerIPs": True,
                            "nodeSelector": {"matchLabels": {"kubernetes.io/os": "linux"}},
                        },
                    }
                )
        if net.bgp is not None:
            values["bgpControlPlane"] = {"enabled": True}
            resources.extend(bgp_resources(net.bgp))
        crds = (GATEWAY_API_CRDS.format(self.gateway_api_version),) if self.gateway_api else ()
        return _with(self, cluster, values, implicit_deps=(), resources=tuple(resources), crds=crds)


BGP_PEER_CONFIG = "bgp-peer"
BGP_ADVERTISE_LABEL = {"homeops-gen.io/advertise": "load-balancer-ips"}


def bgp_resources(bgp: Bgp) -> list[dict[str, Any]]:
    """Cilium's BGP control plane objects (``cilium.io/v2`` since Cilium 1.18): every node
    peers with each router and announces the load-balancer IPs of every Service."""
    cluster_config = {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumBGPClusterConfig",
        "metadata": {"name": "bgp"},
        "spec": {
            "nodeSelector": {"matchLabels": {"kubernetes.io/os": "linux"}},
            "bgpInstances": [
                {
                    "name": f"instance-{bgp.local_asn}",
                    "localASN": bgp.local_asn,
                    "peers": [
                        {
                            "name": f"peer-{peer.address}",
                            "peerASN": peer.asn,
                            "peerAddress": str(peer.address),
                            "peerConfigRef": {"name": BGP_PEER_CONFIG},
                        }
                        for peer in bgp.peers
                    ],
                }
            ],
        },
    }
    peer_config = {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumBGPPeerConfig",
        "metadata": {"name": BGP_PEER_CONFIG},
        "spec": {
            "families": [
                {
                    "afi": "ipv4",
                    "safi": "unicast",
                    "advertisements": {"matchLabels": dict(BGP_ADVERTISE_LABEL)},
                }
            ]
        },
    }
    advertisement = {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumBGPAdvertisement",
        "metadata": {"name": "load-balancer-ips", "labels": dict(BGP_ADVERTISE_LABEL)},
        "spec": {
            "advertisements": [
                {
                    "advertisementType": "Service",
                    "service": {"addresses": ["LoadBalancerIP"]},
                    # Cilium's documented way to select every Service.
                    "selector": {
                        "matchExpressions": [
                            {"key": "somekey", "operator": "NotIn", "values": ["never-used-value"]}
                        ]
                    },
                }
            ]
        },
    }
    return [cluster_config, peer_config, advertisement]


class CoreDNSApp(App):
    """CoreDNS as the cluster DNS, at the tenth address of the service CIDR."""

    def resolve(self, cluster: Cluster) -> App:
        values: dict[str, Any] = {
            "fullnameOverride": "coredns",
            "k8sAppLabelOverride": "kube-dns",
            "replicaCount": 1 if len(cluster.nodes) == 1 else 2,
            "serviceAccount": {"create": True},
            "service": {"name": "kube-dns", "clusterIP": str(cluster_dns_ip(cluster))},
            "servers": [
                {
                    "zones": [{"zone": ".", "scheme": "dns://", "use_tcp": True}],
                    "port": 53,
                    "plugins": [
                        {"name": "errors"},
                        {"name": "health", "configBlock": "lameduck 5s"},
                        {"name": "ready"},
                        {
                            "name": "kubernetes",
                            "parameters": "cluster.local in-addr.arpa ip6.arpa",
                            "configBlock": "pods verified\nfallthrough in-addr.arpa ip6.arpa",
                        },
                        {"name": "autopath", "parameters": "@kubernetes"},
                        {"name": "forward", "parameters": ". /etc/resolv.conf"},
                        {"name": "cache", "configBlock": "prefetch 20\nserve_stale"},
                        {"name": "loop"},
                        {"name": "reload"},
                        {"name": "loadbalance"},
                    ],
                }
            ],
            "tolerations": [
                {
                    "key": "node-role.kubernetes.io/control-plane",
                    "operator": "Exists",
                    "effect": "NoSchedule",
                }
            ],
        }
        return _with(self, cluster, values, implicit_deps=("cilium",))


class FluxOperatorApp(App):
    """The flux-operator, which installs and runs Flux from a FluxInstance."""

    def resolve(self, cluster: Cluster) -> App:
        return _with(self, cluster, {}, implicit_deps=("cilium", "coredns"))


class FluxInstanceApp(App):
    """The FluxInstance, syncing ``out/kubernetes/flux/cluster`` from the model's Git repository."""

    def resolve(self, cluster: Cluster) -> App:
        instance = FluxInstanceSpec(
            distribution=Distribution(
                version="2.x",
                registry="ghcr.io/fluxcd",
                artifact="oci://ghcr.io/controlplaneio-fluxcd/"
                f"flux-operator-manifests:v{self.chart.version}",
            ),
            cluster=ClusterSettings(network_policy=False),
            components=[
                "source-controller",
                "kustomize-controller",
                "helm-controller",
                "notification-controller",
            ],
            sync=Sync(
                kind="GitRepository",
                url=cluster.gitops.repository,
                ref=f"refs/heads/{cluster.gitops.branch}",
                path=FLUX_SYNC_PATH,
                interval=cluster.gitops.sync_interval,
                pull_secret=cluster.gitops.pull_secret_name,
            ),
        )
        values: dict[str, Any] = {"instance": dump(instance)}
        return _with(self, cluster, values, implicit_deps=())


def _with(
    app: App,
    cluster: Cluster,
    derived: dict[str, Any],
    implicit_deps: tuple[str, ...],  # chart names: the apps installing them come first
    resources: tuple[dict[str, Any], ...] = (),
    crds: tuple[str, ...] = (),
) -> App:
    """A plain App: derived values under the user's, implicit dependencies that exist first,
    derived resources and CRDs before the user's."""
    fields = {name: getattr(app, name) for name in App.model_fields}
    deps = _apps_of_charts(cluster, *implicit_deps) + app.depends_on
    fields.update(
        values=deep_merge(derived, app.values),
        depends_on=tuple(dict.fromkeys(deps)),
        resources=(*resources, *app.resources),
        crds=tuple(dict.fromkeys((*crds, *app.crds))),
    )
    return App(**fields)


def cilium(
    version: ChartVersion,
    *,
    chart_url: str = CILIUM_CHART,
    values: dict[str, Any] | None = None,
    gateway_api: bool = True,
    gateway_api_version: str = GATEWAY_API_VERSION,
    l2_announcements: bool | None = None,
    bootstrap: bool = True,
    resources: tuple[dict[str, Any], ...] = (),
    name: DnsLabel = "cilium",
    namespace: DnsLabel = "kube-system",
) -> App:
    """Cilium as CNI and kube-proxy replacement, with the load-balancer pool from the network."""
    return CiliumApp(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        bootstrap=bootstrap,
        resources=resources,
        gateway_api=gateway_api,
        gateway_api_version=gateway_api_version,
        l2_announcements=l2_announcements,
    )


def coredns(
    version: ChartVersion,
    *,
    chart_url: str = COREDNS_CHART,
    values: dict[str, Any] | None = None,
    bootstrap: bool = True,
    name: DnsLabel = "coredns",
    namespace: DnsLabel = "kube-system",
) -> App:
    """CoreDNS managed by Flux instead of Talos, at the tenth address of ``service_cidr``."""
    return CoreDNSApp(
        name=name,
        namespace=namespace,
        chart=Chart(url=chart_url, version=version),
        values=values or {},
        bootstrap=bootstrap,
    )


def flux_operator(
    version: ChartVersion, *, values: dict[str, Any] | None = None, bootstrap: bool = True
) -> App:
    """The flux-operator chart in ``flux-system``."""
    return FluxOperatorApp(
        name="flux-operator",
        namespace=FLUX_NAMESPACE,
        chart=Chart(url=FLUX_OPERATOR_CHART, version=version),
        values=values or {},
        bootstrap=bootstrap,
    )


def flux_instance(
    version: ChartVersion, *, values: dict[str, Any] | None = None, bootstrap: bool = True
) -> App:
    """The flux-instance chart: a FluxInstance syncing the generated tree from ``gitops``."""
    return FluxInstanceApp(
        name="flux-instance",
        namespace=FLUX_NAMESPACE,
        chart=Chart(url=FLUX_INSTANCE_CHART, version=version),
        values=values or {},
        depends_on=("flux-operator",),
        bootstrap=bootstrap,
    )
