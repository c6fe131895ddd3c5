"""The apps of a cluster as deployed: what each helper app (:mod:`homeops_gen.apps`) derives
from the cluster it is deployed in, and the app ``gitops.webhook`` adds.

An app made by a helper records the helper and its options in ``App.made_by``;
:func:`deploy` fills in the values, resources, CRDs and dependencies that follow
from the cluster (address pools, service IPs, the Git source), so they can never
disagree with the model. Values given by the user are merged over the derived ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from homeops_gen import compat
from homeops_gen.apis import dump
from homeops_gen.apis.flux_operator import FluxInstanceSpec
from homeops_gen.cross_layer import KUBEPRISM_HOST, KUBEPRISM_PORT, cluster_dns_ip, ha_replicas
from homeops_gen.layout import FLUX_NAMESPACE, FLUX_SOURCE, FLUX_SYNC_PATH
from homeops_gen.model import (
    App,
    Bgp,
    CertManagerHelper,
    CiliumHelper,
    Cluster,
    ExternalDnsHelper,
    Webhook,
)

GATEWAY_API_CRDS = (
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/{}/standard-install.yaml"
)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Derived:
    """What a helper adds to its app in a cluster."""

    values: dict[str, Any]
    implicit_deps: tuple[str, ...] = ()
    """Chart names: the apps installing them come first."""
    resources: tuple[dict[str, Any], ...] = ()
    crds: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Deployment:
    """The apps of ``cluster`` as deployed, in model order.

    ``pull_secret_name`` is what a loaded project read from the Git pull secret's file (its
    ``metadata.name``, which the FluxInstance names): a fact of the files beside the model,
    not of the model (``Project.deployment``; ``Deployment(cluster)`` has none)."""

    cluster: Cluster
    pull_secret_name: str | None = None

    @cached_property
    def apps(self) -> tuple[App, ...]:
        """Every app with the values derived from the cluster filled in, then the app of
        ``gitops.webhook``."""
        webhook = self.cluster.gitops.webhook
        extra = (webhook_app(self.cluster, webhook),) if webhook is not None else ()
        return (
            *(deploy(app, self.cluster, self.pull_secret_name) for app in self.cluster.apps),
            *extra,
        )

    def app(self, name: str) -> App:
        """The deployed app called ``name``."""
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, App]:
        return {a.name: a for a in self.apps}

    @property
    def bootstrap_apps(self) -> tuple[App, ...]:
        """The apps the bootstrap helmfile installs, in dependency order."""
        return tuple(a for a in self.apps_in_dependency_order() if a.bootstrap)

    def apps_in_dependency_order(self) -> tuple[App, ...]:
        """Every deployed app, each after the apps it depends on (stable otherwise)."""
        ordered: list[App] = []
        seen: set[str] = set()

        def visit(app: App) -> None:
            if app.name in seen:
                return
            seen.add(app.name)
            for dep in app.depends_on:
                visit(self.app(dep))
            ordered.append(app)

        for app in self.apps:
            visit(app)
        return tuple(ordered)


def deploy(app: App, cluster: Cluster, pull_secret_name: str | None = None) -> App:
    """``app`` as deployed in ``cluster``: derived values under the user's, implicit
    dependencies that exist first, derived resources and CRDs before the user's
    (``pull_secret_name``: see :class:`Deployment`)."""
    helper = app.made_by
    if helper is None:
        return app
    if helper.helper == "cilium":
        derived = _cilium(helper, app.chart.version if app.chart else "", cluster)
    elif helper.helper == "coredns":
        derived = _coredns(cluster)
    elif helper.helper == "flux-operator":
        derived = Derived({}, implicit_deps=("cilium", "coredns"))
    elif helper.helper == "flux-instance":
        derived = _flux_instance(app, cluster, pull_secret_name)
    elif helper.helper == "cert-manager":
        derived = _cert_manager(helper)
    elif helper.helper == "external-dns":
        derived = _external_dns(helper, cluster)
    elif helper.helper == "spegel":
        derived = Derived(_spegel_values())
    elif helper.helper == "metrics-server":
        derived = Derived(_metrics_server_values(cluster))
    else:
        derived = Derived(_reloader_values(cluster))
    found = [a.name for chart in derived.implicit_deps for _, a in cluster.apps_installing(chart)]
    return app.model_copy(
        update={
            "values": deep_merge(derived.values, app.values),
            "depends_on": tuple(dict.fromkeys((*found, *app.depends_on))),
            "resources": (*derived.resources, *app.resources),
            "crds": tuple(dict.fromkeys((*derived.crds, *app.crds))),
            "made_by": None,
        }
    )


def derived_facts(app: App, cluster: Cluster) -> dict[str, tuple[Any, str]]:
    """The chart values (dotted paths) a helper app derives from facts of the model, each
    with the field that sets it: a value the user gives there must be equal."""
    helper = app.made_by
    if helper is None:
        return {}
    if helper.helper == "cilium":
        kubeprism = "Talos' KubePrism, which the Talos config enables"
        facts: dict[str, tuple[Any, str]] = {
            "ipv4NativeRoutingCIDR": (str(cluster.network.pod_cidr), "network.pod_cidr"),
            "k8sServiceHost": (KUBEPRISM_HOST, kubeprism),
            "k8sServicePort": (KUBEPRISM_PORT, kubeprism),
            "kubeProxyReplacement": (True, "the Talos config, which disables kube-proxy"),
        }
        if helper.gateway_api:
            facts["gatewayAPI.enabled"] = (True, "cilium(gateway_api=...)")
        return facts
    if helper.helper == "coredns":
        return {"service.clusterIP": (str(cluster_dns_ip(cluster)), "network.service_cidr")}
    if helper.helper == "flux-instance":
        return {
            "instance.sync.url": (cluster.gitops.repository, "gitops.repository"),
            "instance.sync.ref": (f"refs/heads/{cluster.gitops.branch}", "gitops.branch"),
            "instance.sync.path": (FLUX_SYNC_PATH, "the generated layout of out/"),
            "instance.sync.kind": ("GitRepository", "gitops"),
        }
    return _battery_facts(app, cluster)


def _battery_facts(app: App, cluster: Cluster) -> dict[str, tuple[Any, str]]:
    """:func:`derived_facts` of the helpers of the apps every homelab adds."""
    helper = app.made_by
    facts: dict[str, tuple[Any, str]] = {}
    if helper is None:
        return facts
    if helper.helper == "spegel":
        talos = "the Talos config (Talos keeps containerd's registry settings there)"
        facts["spegel.containerdRegistryConfigPath"] = (SPEGEL_REGISTRY_CONFIG_PATH, talos)
    elif helper.helper == "external-dns":
        facts["provider.name"] = (helper.provider, "external_dns(provider=...)")
        facts["domainFilters"] = (list(helper.domain_filters), "external_dns(domain_filters=...)")
        facts["sources"] = (external_dns_sources(cluster), "the model's Services and Gateways")
        facts["txtOwnerId"] = (cluster.name, "name")
    elif helper.helper == "cert-manager":
        facts["crds.enabled"] = (True, "the ClusterIssuer cert_manager(...) writes")
    return facts


CILIUM_AGENT_CAPABILITIES = [
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
]


def gateway_api_release(options: CiliumHelper, cilium_version: str) -> str:
    """The Gateway API release whose CRDs Cilium needs: the one its minor implements."""
    if options.gateway_api_version is not None:
        return options.gateway_api_version
    known = compat.CILIUM_GATEWAY_API
    older = [m for m in known if m <= compat.minor(cilium_version)]
    return known[max(older)] if older else known[min(known)]


def _cilium(options: CiliumHelper, cilium_version: str, cluster: Cluster) -> Derived:
    """Cilium as the CNI, replacing kube-proxy and reaching the API through KubePrism."""
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
                "ciliumAgent": CILIUM_AGENT_CAPABILITIES,
                "cleanCiliumState": ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
            }
        },
        "operator": {"replicas": ha_replicas(cluster)},
    }
    if options.gateway_api:
        values["gatewayAPI"] = {"enabled": True, "enableAlpn": True, "enableAppProtocol": True}
    resources: list[dict[str, Any]] = []
    pool = net.load_balancer_cidr
    if pool is not None:
        resources.append(
            {
                "apiVersion": "cilium.io/v2",
                "kind": "CiliumLoadBalancerIPPool",
                "metadata": {"name": "pool"},
                "spec": {"allowFirstLastIPs": "No", "blocks": [{"cidr": str(pool)}]},
            }
        )
        l2 = options.l2_announcements
        if l2 is None:
            l2 = pool.subnet_of(net.node_cidr)
        if l2:
            values["l2announcements"] = {"enabled": True}
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
    release = gateway_api_release(options, cilium_version)
    crds = (GATEWAY_API_CRDS.format(release),) if options.gateway_api else ()
    return Derived(values, resources=tuple(resources), crds=crds)


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


def _coredns(cluster: Cluster) -> Derived:
    """CoreDNS as the cluster DNS, at the tenth address of the service CIDR."""
    values: dict[str, Any] = {
        "fullnameOverride": "coredns",
        "k8sAppLabelOverride": "kube-dns",
        "replicaCount": ha_replicas(cluster),
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
    return Derived(values, implicit_deps=("cilium",))


def _flux_instance(app: App, cluster: Cluster, pull_secret_name: str | None) -> Derived:
    """The FluxInstance, syncing ``out/kubernetes/flux/cluster`` from the model's Git repository."""
    version = app.chart.version.removeprefix("v") if app.chart else ""
    instance: FluxInstanceSpec = {
        "distribution": {
            "version": "2.x",
            "registry": "ghcr.io/fluxcd",
            "artifact": f"oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests:v{version}",
        },
        "cluster": {"networkPolicy": False},
        "components": [
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
        ],
        "sync": {
            "kind": "GitRepository",
            "url": cluster.gitops.repository,
            "ref": f"refs/heads/{cluster.gitops.branch}",
            "path": FLUX_SYNC_PATH,
            "interval": cluster.gitops.sync_interval,
            "pullSecret": pull_secret_name,
        },
    }
    return Derived({"instance": dump(FluxInstanceSpec)(instance)})


API_TOKEN_KEY = "api-token"
"""The key of the API token in a DNS helper's Secret."""
CERT_MANAGER_SECRET = "cert-manager-dns01"
"""The Secret ``cert_manager(api_token=...)``'s file must hold (key :data:`API_TOKEN_KEY`)."""
EXTERNAL_DNS_SECRET = "external-dns-credentials"
"""The Secret ``external_dns(api_token=...)``'s file must hold (key :data:`API_TOKEN_KEY`)."""
LETS_ENCRYPT = {
    False: ("letsencrypt-production", "https://acme-v02.api.letsencrypt.org/directory"),
    True: ("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
}
"""Staging or not -> the ClusterIssuer's name and Let's Encrypt's ACME directory."""


def helper_secrets(app: App) -> list[tuple[str, str, str, str]]:
    """The SOPS files a helper app references by Secret name: (option, path, name, key)."""
    helper = app.made_by
    if helper is None or helper.helper not in ("cert-manager", "external-dns"):
        return []
    name = CERT_MANAGER_SECRET if helper.helper == "cert-manager" else EXTERNAL_DNS_SECRET
    return [("api_token", helper.api_token, name, API_TOKEN_KEY)]


def _cert_manager(options: CertManagerHelper) -> Derived:
    """cert-manager with its CRDs from the chart (``crds.enabled``, kept on uninstall), and a
    Let's Encrypt ClusterIssuer solving DNS-01 with the provider token's Secret.

    The ClusterIssuer is a custom resource, so it goes to the app's second Kustomization,
    applied once the release (and the CRDs it installs) is Ready."""
    name, server = LETS_ENCRYPT[options.staging]
    issuer = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {"name": name},
        "spec": {
            "acme": {
                "email": options.email,
                "server": server,
                "privateKeySecretRef": {"name": name},
                "solvers": [
                    {
                        "dns01": {
                            options.provider: {
                                "apiTokenSecretRef": {
                                    "name": CERT_MANAGER_SECRET,
                                    "key": API_TOKEN_KEY,
                                }
                            }
                        },
                        "selector": {"dnsZones": list(options.dns_zones)},
                    }
                ],
            }
        },
    }
    return Derived({"crds": {"enabled": True, "keep": True}}, resources=(issuer,))


def gateway_api_enabled(cluster: Cluster) -> bool:
    """Whether the model's CNI serves the Gateway API (Cilium made with ``gateway_api``)."""
    return any(
        a.made_by is not None and a.made_by.helper == "cilium" and a.made_by.gateway_api
        for a in cluster.apps
    )


def external_dns_sources(cluster: Cluster) -> list[str]:
    """The external-dns sources of what the model has: Services always, Gateway API
    HTTPRoutes when the CNI serves the Gateway API (external-dns docs/sources/gateway-api.md)."""
    return ["service", "gateway-httproute"] if gateway_api_enabled(cluster) else ["service"]


def _external_dns(options: ExternalDnsHelper, cluster: Cluster) -> Derived:
    """external-dns for the provider and domains given, owning its TXT records by the
    cluster's name, authenticated by the token's Secret."""
    values: dict[str, Any] = {
        "provider": {"name": options.provider},
        "domainFilters": list(options.domain_filters),
        "sources": external_dns_sources(cluster),
        "txtOwnerId": cluster.name,
        "env": [
            {
                "name": "CF_API_TOKEN",
                "valueFrom": {"secretKeyRef": {"name": EXTERNAL_DNS_SECRET, "key": API_TOKEN_KEY}},
            }
        ],
    }
    return Derived(values)


SPEGEL_REGISTRY_CONFIG_PATH = "/etc/cri/conf.d/hosts"
"""Where Talos keeps containerd's registry (mirror) configuration, which Spegel must write
to (Talos docs, kubernetes-guides/advanced-guides/spegel)."""


def _spegel_values() -> dict[str, Any]:
    """Spegel writing its mirror configuration where Talos' containerd reads it."""
    return {"spegel": {"containerdRegistryConfigPath": SPEGEL_REGISTRY_CONFIG_PATH}}


def _metrics_server_values(cluster: Cluster) -> dict[str, Any]:
    """metrics-server, replicated (with a disruption budget) on a cluster that can spread it."""
    replicas = ha_replicas(cluster)
    values: dict[str, Any] = {"replicas": replicas}
    if replicas > 1:
        values["podDisruptionBudget"] = {"enabled": True, "minAvailable": 1}
    return values


def _reloader_values(cluster: Cluster) -> dict[str, Any]:
    """Reloader, with leader election and a second replica on a cluster that can spread it."""
    replicas = ha_replicas(cluster)
    reloader: dict[str, Any] = {"readOnlyRootFileSystem": True}
    if replicas > 1:
        reloader["enableHA"] = True
        reloader["deployment"] = {"replicas": replicas}
    return {"reloader": reloader}


WEBHOOK_APP = "flux-webhook"
"""The app ``GitOps.webhook`` adds: the Receiver, its token Secret and the HTTPRoute."""
WEBHOOK_SECRET = "flux-webhook-token"
"""The Secret ``GitOps.webhook.token``'s file must hold (key :data:`WEBHOOK_TOKEN_KEY`)."""
WEBHOOK_TOKEN_KEY = "token"
"""The key Flux's Receiver reads the token from (notification-controller docs/spec/v1)."""
WEBHOOK_SERVICE = ("webhook-receiver", 80)
"""notification-controller's Service for receivers, and its port (config/manager/service.yaml)."""
WEBHOOK_PATH = "/hook/"
"""The prefix of every Receiver's path (notification-controller api/v1 ReceiverWebhookPath)."""
WEBHOOK_EVENTS = {"github": ["ping", "push"], "gitlab": ["Push Hook", "Tag Push Hook"]}
"""The events each forge's Receiver reacts to (notification-controller docs/spec/v1/receivers.md)."""
FORGE_HOSTS = {"github.com": "github", "gitlab.com": "gitlab"}


def webhook_type(cluster: Cluster) -> str | None:
    """The Receiver's type: ``GitOps.webhook.type``, else the forge of the repository's host."""
    webhook = cluster.gitops.webhook
    if webhook is None or webhook.type is not None:
        return webhook.type if webhook else None
    host = cluster.gitops.repository.split("://", 1)[1].split("/", 1)[0]
    return FORGE_HOSTS.get(host.rsplit("@", 1)[-1].split(":", 1)[0])


def gateways(cluster: Cluster) -> dict[str, dict[str, Any]]:
    """The Gateway API Gateways among the apps' resources, by ``namespace/name``."""
    found: dict[str, dict[str, Any]] = {}
    for app in cluster.apps:
        for resource in app.resources:
            if resource.get("kind") == "Gateway" and str(resource.get("apiVersion", "")).startswith(
                "gateway.networking.k8s.io/"
            ):
                meta = resource.get("metadata") or {}
                found[f"{meta.get('namespace') or app.namespace}/{meta.get('name')}"] = resource
    return found


def webhook_app(cluster: Cluster, webhook: Webhook) -> App:
    """The app of ``GitOps.webhook``: the Receiver reconciling the Git source on a push, the
    token Secret, and the HTTPRoute from the Gateway to notification-controller."""
    kind = webhook_type(cluster) or "github"
    gateway_namespace, gateway_name = webhook.gateway.split("/")
    service, port = WEBHOOK_SERVICE
    receiver = {
        "apiVersion": "notification.toolkit.fluxcd.io/v1",
        "kind": "Receiver",
        "metadata": {"name": WEBHOOK_APP},
        "spec": {
            "type": kind,
            "events": WEBHOOK_EVENTS[kind],
            "secretRef": {"name": WEBHOOK_SECRET},
            "resources": [
                {
                    "apiVersion": "source.toolkit.fluxcd.io/v1",
                    "kind": "GitRepository",
                    "name": FLUX_SOURCE,
                }
            ],
        },
    }
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": WEBHOOK_APP},
        "spec": {
            "hostnames": [webhook.host],
            "parentRefs": [{"name": gateway_name, "namespace": gateway_namespace}],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": WEBHOOK_PATH}}],
                    "backendRefs": [{"name": service, "port": port}],
                }
            ],
        },
    }
    return App(
        name=WEBHOOK_APP,
        namespace=FLUX_NAMESPACE,
        resources=(receiver, route),
        secrets=(webhook.token,),
    )
