"""Cross-field rules of the model: what makes the generated layers work together.

Field types are checked by pydantic when the model is built; these rules see the
whole cluster and report each problem with the path of the field to fix and a
plain reason. Errors stop generation; warnings are printed (``--strict`` makes
them errors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from homeops_gen import compat, cross_layer, known_releases, talos_moves, talos_types
from homeops_gen import talos_patches as talos_patches_
from homeops_gen.apis import checking
from homeops_gen.apis.flux import HelmReleaseSpec, KustomizationSpec
from homeops_gen.deployment import (
    WEBHOOK_APP,
    Deployment,
    derived_facts,
    gateways,
    helper_secrets,
    webhook_type,
)
from homeops_gen.derived_fields import (
    KUSTOMIZATION_DERIVED,
    RELEASE_DERIVED,
    TALOS_DERIVED,
    TALOS_DOCUMENTS_DERIVED,
    derived_path,
    talos_document_paths,
)
from homeops_gen.layout import (
    FLUX_NAMESPACE,
    FLUX_SOURCE,
    RELEASE_FILES,
    ROOT_KUSTOMIZATION,
    resources_kustomization,
)
from homeops_gen.model import VM_FIELDS, VM_REQUIRED, App, Cluster, DiskSelector, Node
from homeops_gen.problems import WARNINGS, Problem, warning
from homeops_gen.releases import is_custom_resource, resource_file, user_file_name
from homeops_gen.secrets import ENCRYPT_HOW, bech32_valid, credential_document, embedded_secret
from homeops_gen.suggest import closest, did_you_mean

RESERVED_APP_NAMES = frozenset({FLUX_SOURCE, ROOT_KUSTOMIZATION})
"""Flux Kustomizations in flux-system: the FluxInstance's sync, and the root of out/kubernetes/apps."""

Rule = Callable[[Cluster], Iterator[Problem]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    """Register a rule; rules run in the order they are defined."""
    RULES.append(func)
    return func


def check_cluster(cluster: Cluster) -> list[Problem]:
    """Every problem every rule finds in ``cluster`` (errors and warnings).

    Rules that derive the apps' values (:data:`DERIVING`) run only on a service range
    that holds the cluster DNS address they derive."""
    usable = cluster.network.service_cidr.num_addresses >= MIN_SERVICE_ADDRESSES
    return [
        problem for check in RULES if usable or check not in DERIVING for problem in check(cluster)
    ]


DERIVING: list[Rule] = []
"""Rules that read the apps' derived values (``Deployment``, ``derived_facts``)."""


def deriving(func: Rule) -> Rule:
    """Mark a rule as reading derived values (see :func:`check_cluster`)."""
    DERIVING.append(func)
    return func


def _duplicates(values: list[str], path: str, what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in first:
            yield Problem(
                path.format(i), f"{what} {value} is already used by {path.format(first[value])}"
            )
        else:
            first[value] = i


@rule
def accepted_warnings(cluster: Cluster) -> Iterator[Problem]:
    """Every accepted warning id is one homeops-gen knows."""
    for i, code in enumerate(cluster.accept_warnings):
        if code not in WARNINGS:
            yield Problem(
                f"accept_warnings[{i}]",
                f"{code!r} is not a warning id{did_you_mean(code, WARNINGS)} "
                f"(known: {', '.join(sorted(WARNINGS))})",
            )


@rule
def unique_names(cluster: Cluster) -> Iterator[Problem]:
    """Host, node and app names, VM ids and node IPs are unique."""
    yield from _duplicates([h.name for h in cluster.hosts], "hosts[{}].name", "host name")
    yield from _duplicates([n.name for n in cluster.nodes], "nodes[{}].name", "node name")
    # One Proxmox cluster: VM ids are unique across every host.
    yield from _duplicates(
        [f"unset-{i}" if n.vm_id is None else str(n.vm_id) for i, n in enumerate(cluster.nodes)],
        "nodes[{}].vm_id",
        "VM id",
    )
    yield from _duplicates([str(n.ip) for n in cluster.nodes], "nodes[{}].ip", "IP")
    yield from _duplicates([a.name for a in cluster.apps], "apps[{}].name", "app name")
    yield from _duplicates(
        [f"unset-{i}" if n.is_bare_metal else n.proxmox_name for i, n in enumerate(cluster.nodes)],
        "nodes[{}].vm_name",
        "VM name",
    )
    yield from _duplicates(
        [n.mac_address or f"unset-{i}" for i, n in enumerate(cluster.nodes)],
        "nodes[{}].mac_address",
        "MAC address",
    )
    yield from _duplicates(
        [ns.name for ns in cluster.namespaces], "namespaces[{}].name", "namespace"
    )
    second = {resources_kustomization(a.name): a.name for a in cluster.apps}
    for i, app in enumerate(cluster.apps):
        if app.name in second:
            yield Problem(
                f"apps[{i}].name",
                f"{app.name!r} is the name of the Flux Kustomization of "
                f"{second[app.name]!r}'s custom resources; choose another name",
            )


@rule
def nodes_and_hosts(cluster: Cluster) -> Iterator[Problem]:
    """There are nodes; every node's host exists; every host runs a node."""
    names = {h.name for h in cluster.hosts}
    used = {n.host for n in cluster.nodes}
    for i, host in enumerate(cluster.hosts):
        if host.name not in used:
            yield warning(
                "host-unused",
                f"hosts[{i}]",
                f"no node runs on {host.name!r}: only the ISO is downloaded there",
            )
        if host.ssh_user is not None:
            yield warning(
                "ssh-user-unused",
                f"hosts[{i}].ssh_user",
                "nothing generated connects over SSH any more (the provider downloads the ISO "
                "and creates the VMs through the API): remove ssh_user",
            )
    for i, node in enumerate(cluster.nodes):
        if node.host is not None and node.host not in names:
            known = ", ".join(sorted(names)) or "none"
            yield Problem(f"nodes[{i}].host", f"no host named {node.host!r} (hosts: {known})")
    if not cluster.nodes:
        yield Problem("nodes", "at least one node is required")


@rule
def control_planes(cluster: Cluster) -> Iterator[Problem]:
    """There is a control plane; etcd quorum is sound; workloads have somewhere to run."""
    if not cluster.nodes:
        return  # nodes_and_hosts says so
    count = len(cluster.control_planes)
    if count == 0:
        yield Problem("nodes", "at least one node must have role 'controlplane'")
    elif count == 1:
        yield warning(
            "single-control-plane",
            "nodes",
            "a single control plane: etcd and the API have no redundancy",
        )
    elif count > 1 and count % 2 == 0:
        yield warning(
            "even-control-planes",
            "nodes",
            f"{count} control planes: an even number adds no etcd fault tolerance "
            f"over {count - 1}; use an odd number",
        )
    if count and not cluster.talos.allow_scheduling_on_control_planes:
        if all(n.is_controlplane for n in cluster.nodes):
            yield Problem(
                "talos.allow_scheduling_on_control_planes",
                "every node is a control plane, so workloads need scheduling on control planes",
            )


MIN_MEMORY_MIB = {"controlplane": 2048, "worker": 1024}
"""Talos' minimum memory per role (Talos docs, "System Requirements": 2 GiB for a control
plane, 1 GiB for a worker; 4 GiB and 2 GiB recommended)."""


@rule
def node_requirements(cluster: Cluster) -> Iterator[Problem]:
    """Each node has the memory Talos needs for its role, and a name Talos can give it."""
    for i, node in enumerate(cluster.nodes):
        least = MIN_MEMORY_MIB[node.role]
        if node.memory_mib is not None and node.memory_mib < least:
            yield Problem(
                f"nodes[{i}].memory_mib",
                f"{node.memory_mib} MiB is less than Talos needs on a {node.role} node "
                f"({least} MiB, {least * 2} MiB recommended): set memory_mib to {least} or more",
            )
        if node.name == "localhost":
            yield Problem(
                f"nodes[{i}].name",
                "'localhost' cannot name a node: Talos maps localhost to 127.0.0.1 in /etc/hosts "
                "and the Kubernetes node would be called localhost; choose a name such as "
                f"{'cp' if node.is_controlplane else 'worker'}-{i + 1}",
            )


POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
"""The Pod Security Standards levels (Kubernetes "Pod Security Admission": the values of
``pod-security.kubernetes.io/<mode>``; ``<mode>-version`` takes ``latest`` or ``v1.<minor>``)."""
POD_SECURITY_MODES = ("enforce", "audit", "warn")


@rule
def namespace_settings(cluster: Cluster) -> Iterator[Problem]:
    """Pod Security labels have values Kubernetes knows; a namespace no app uses is not a
    misspelt app namespace."""
    used = sorted({a.namespace for a in cluster.apps})
    for i, ns in enumerate(cluster.namespaces):
        for key, value in ns.labels.items():
            prefix, _, mode = key.partition("/")
            if prefix != "pod-security.kubernetes.io":
                continue
            where = f"namespaces[{i}].labels[{key!r}]"
            if mode in POD_SECURITY_MODES and value not in POD_SECURITY_LEVELS:
                yield Problem(
                    where,
                    f"{value!r} is not a Pod Security level{did_you_mean(value, POD_SECURITY_LEVELS)} "
                    f"(one of {', '.join(POD_SECURITY_LEVELS)})",
                )
            elif mode.removesuffix("-version") in POD_SECURITY_MODES and mode.endswith("-version"):
                if value != "latest" and not re.fullmatch(r"v1\.\d+", value):
                    yield Problem(where, f"{value!r} is not 'latest' or a version such as v1.34")
            elif mode not in POD_SECURITY_MODES and not mode.endswith("-version"):
                yield Problem(
                    f"namespaces[{i}].labels",
                    f"{key!r} is not a Pod Security label"
                    f"{did_you_mean(mode, POD_SECURITY_MODES)} (pod-security.kubernetes.io/ "
                    "enforce, audit or warn)",
                )
        if ns.name not in used and (near := _one_typo_from(ns.name, used)):
            yield warning(
                "namespace-unused",
                f"namespaces[{i}].name",
                f"no app deploys into {ns.name!r}, so it is created empty and its labels apply "
                f"to nothing; did you mean {near!r}, the namespace of the apps?",
            )


def _one_typo_from(name: str, choices: list[str]) -> str | None:
    """The choice ``name`` differs from by one letter added, dropped, changed or swapped."""
    for choice in choices:
        if abs(len(choice) - len(name)) > 1 or choice == name:
            continue
        short, long = sorted((name, choice), key=len)
        i = next(
            (k for k, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short)
        )
        if len(short) < len(long):
            if short[i:] == long[i + 1 :]:
                return choice
        elif short[i + 1 :] == long[i + 1 :] or (
            short[i + 2 :] == long[i + 2 :] and short[i : i + 2] == long[i : i + 2][::-1]
        ):
            return choice
    return None


@rule
def endpoint_redundancy(cluster: Cluster) -> Iterator[Problem]:
    """An endpoint set to one of several control planes' IPs loses the API with that node."""
    planes = cluster.control_planes
    if cluster.endpoint is None or len(planes) < 2:
        return
    for node in planes:
        if node.ip == cluster.endpoint:
            yield warning(
                "endpoint-not-ha",
                "endpoint",
                f"{cluster.endpoint} is control plane {node.name!r}'s own IP: with {len(planes)} "
                f"control planes, the API is still unreachable from outside when {node.name!r} is "
                "down. Set endpoint to a free address of node_cidr (a VIP the control planes "
                "share), or accept endpoint-not-ha if one entry point is what you want",
            )


def _usable_in(address: IPv4Address, network: IPv4Network) -> str | None:
    """Why ``address`` cannot be a host in ``network``, or None."""
    if address not in network:
        return f"{address} is outside node_cidr {network}"
    if network.prefixlen < 31 and address == network.network_address:
        return f"{address} is the network address of {network}"
    if network.prefixlen < 31 and address == network.broadcast_address:
        return f"{address} is the broadcast address of {network}"
    return None


@rule
def addresses(cluster: Cluster) -> Iterator[Problem]:
    """Node IPs, gateway and endpoint are usable addresses of ``node_cidr``."""
    net = cluster.network
    subnet = net.node_cidr
    if net.gateway is not None and (reason := _usable_in(net.gateway, subnet)):
        yield Problem("network.gateway", reason)
    for i, node in enumerate(cluster.nodes):
        if reason := _usable_in(node.ip, subnet):
            yield Problem(f"nodes[{i}].ip", reason)
        elif node.ip == net.gateway:
            yield Problem(f"nodes[{i}].ip", f"{node.ip} is the gateway's address")
    if cluster.endpoint is not None:
        if reason := _usable_in(cluster.endpoint, subnet):
            yield Problem("endpoint", reason)
        elif cluster.endpoint == net.gateway:
            yield Problem("endpoint", f"{cluster.endpoint} is the gateway's address")
        else:
            for node in cluster.nodes:
                if node.ip == cluster.endpoint and not node.is_controlplane:
                    yield Problem(
                        "endpoint",
                        f"{cluster.endpoint} is worker {node.name!r}: the endpoint must be a "
                        "control plane's IP or a VIP that no node uses",
                    )


@rule
def address_ranges(cluster: Cluster) -> Iterator[Problem]:
    """Node, pod and service CIDRs are disjoint; the service CIDR has room for cluster DNS."""
    net = cluster.network
    ranges = {
        "network.node_cidr": net.node_cidr,
        "network.pod_cidr": net.pod_cidr,
        "network.service_cidr": net.service_cidr,
    }
    names = list(ranges)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if ranges[a].overlaps(ranges[b]):
                yield Problem(b, f"{ranges[b]} overlaps {a.split('.')[1]} {ranges[a]}")
    if net.service_cidr.num_addresses < MIN_SERVICE_ADDRESSES:
        yield Problem(
            "network.service_cidr",
            f"{net.service_cidr} is too small for cluster DNS: the cluster DNS (CoreDNS) Service "
            f"takes its tenth address, so it needs at least a /28 (10.43.0.0/16 is usual)",
        )


MIN_SERVICE_ADDRESSES = 16
"""The smallest service range homeops-gen accepts: the cluster DNS is its tenth address."""


@rule
def load_balancer_pool(cluster: Cluster) -> Iterator[Problem]:
    """The load-balancer pool overlaps neither pod nor service CIDR nor a used address."""
    net = cluster.network
    pool = net.load_balancer_cidr
    if pool is None:
        return
    path = "network.load_balancer_cidr"
    for name in ("pod_cidr", "service_cidr"):
        other = getattr(net, name)
        if pool.overlaps(other):
            yield Problem(path, f"{pool} overlaps {name} {other}")
    taken = [(f"node {n.name!r}", n.ip) for n in cluster.nodes]
    if net.gateway is not None:
        taken.append(("the gateway", net.gateway))
    if cluster.endpoint is not None or cluster.control_planes:
        taken.append(("the API endpoint", cluster.api_address))
    for what, address in taken:
        if address in pool:
            yield Problem(path, f"{pool} contains {address}, the address of {what}")
            break


@rule
def pool_reachable(cluster: Cluster) -> Iterator[Problem]:
    """A load-balancer pool outside ``node_cidr`` is reachable only through BGP or the router."""
    net = cluster.network
    pool = net.load_balancer_cidr
    if pool is None or pool.subnet_of(net.node_cidr) or net.bgp is not None:
        return
    if not cluster.apps_installing("cilium"):
        return  # pool-not-announced says it
    via = ", ".join(str(n.ip) for n in cluster.nodes[:3]) or "a node's IP"
    yield warning(
        "pool-not-routed",
        "network.load_balancer_cidr",
        f"{pool} lies outside node_cidr {net.node_cidr}: no ARP (L2) announcement reaches it "
        "and network.bgp is not set, so nothing tells your router where it is. Either set "
        f"network.bgp (Cilium then announces every load-balancer IP), or add a static route "
        f"for {pool} on the router via the nodes ({via}); without one, every LoadBalancer "
        "and Gateway address is unreachable",
    )


@rule
def git_credentials(cluster: Cluster) -> Iterator[Problem]:
    """Flux can fetch the repository: ssh:// needs a key, and the key is encrypted."""
    gitops = cluster.gitops
    if gitops.repository.startswith("ssh://") and gitops.pull_secret is None:
        yield Problem(
            "gitops.pull_secret",
            f"{gitops.repository} is an ssh:// repository: Flux needs a deploy key to fetch it. "
            "Set pull_secret to a SOPS-encrypted Secret manifest (e.g. "
            "secrets/flux-git-auth.sops.yaml) with 'identity' and 'known_hosts'",
        )
    if gitops.pull_secret is not None and not gitops.pull_secret.endswith(
        (".sops.yaml", ".sops.yml")
    ):
        yield Problem(
            "gitops.pull_secret",
            f"{gitops.pull_secret} must be SOPS-encrypted and named *.sops.yaml",
        )


@rule
def age_recipients(cluster: Cluster) -> Iterator[Problem]:
    """Each age recipient's Bech32 checksum matches (sops refuses the key otherwise)."""
    for i, recipient in enumerate(cluster.sops.age_recipients):
        if not bech32_valid(recipient):
            yield Problem(
                f"sops.age_recipients[{i}]",
                f"{recipient} is not a valid age public key: its checksum does not match (a "
                "character was mistyped or lost), so sops would refuse it. Copy it again from "
                "the output of age-keygen -y KEYFILE",
            )


CHART_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "longhorn": ("siderolabs/iscsi-tools", "siderolabs/util-linux-tools"),
}
"""Charts that need system extensions on every node they run on. Longhorn: its installation
requirements (open-iscsi and iscsid "on all the nodes", util-linux tools) and its "Talos Linux
Support" page (siderolabs/iscsi-tools and siderolabs/util-linux-tools)."""


CHART_NODE_SELECTOR: dict[str, tuple[str, ...]] = {"longhorn": ("longhornManager", "nodeSelector")}
"""The value that limits where a chart's per-node DaemonSet runs (Longhorn's values.yaml:
"Node selector for Longhorn Manager. Specify the nodes allowed to run Longhorn Manager")."""


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if keys else None


@rule
def node_extensions(cluster: Cluster) -> Iterator[Problem]:
    """A node's own extensions replace the cluster's: dropping one is said; charts that need
    extensions on every node find them on each node that runs workloads."""
    shared = cluster.talos.extensions
    for i, node in enumerate(cluster.nodes):
        dropped = [e for e in shared if node.extensions is not None and e not in node.extensions]
        if dropped:
            yield warning(
                "node-drops-extension",
                f"nodes[{i}].extensions",
                f"a node's extensions replace talos.extensions (they do not add to them), so "
                f"{node.name!r} runs without {', '.join(dropped)}; list "
                f"{'it' if len(dropped) == 1 else 'them'} in this node's extensions too",
            )
    runs_workloads = [
        n
        for n in cluster.nodes
        if not n.is_controlplane or cluster.talos.allow_scheduling_on_control_planes
    ]
    for i, app in enumerate(cluster.apps):
        needed = CHART_EXTENSIONS.get(app.chart_name or "")
        if not needed:
            continue
        selector = _dig(app.values, CHART_NODE_SELECTOR.get(app.chart_name or "", ()))
        placed = [
            n
            for n in runs_workloads
            if not isinstance(selector, dict)
            or all(n.labels.get(k) == v for k, v in selector.items())
        ]
        lacking = {
            n.name: [e for e in needed if e not in cluster.talos.node_extensions(n)] for n in placed
        }
        lacking = {name: missing for name, missing in lacking.items() if missing}
        if lacking:
            missing = sorted({e for found in lacking.values() for e in found})
            yield warning(
                "app-needs-extensions",
                f"apps[{i}]",
                f"the {app.chart_name} chart needs {' and '.join(needed)} on every node it runs "
                f"on, and {', '.join(repr(n) for n in lacking)} lack {', '.join(missing)}: add "
                "them to talos.extensions (or to those nodes' extensions)",
            )


@rule
def vm_or_bare_metal(cluster: Cluster) -> Iterator[Problem]:
    """A node with a host has a VM's fields; a bare-metal node (no host) has none, and the
    network settings of real hardware (a bond, a disk selector) only it can have."""
    for i, node in enumerate(cluster.nodes):
        if node.is_bare_metal:
            for field in VM_FIELDS:
                value = getattr(node, field)
                if value != Node.model_fields[field].get_default():
                    yield Problem(
                        f"nodes[{i}].{field}",
                        f"{value!r} is a setting of a Proxmox VM, and node {node.name!r} has no "
                        f"host (a bare-metal node): remove {field}, or set host to the Proxmox "
                        "host its VM runs on",
                    )
            if node.bond is not None and node.mac_address is not None:
                yield Problem(
                    f"nodes[{i}].mac_address",
                    f"{node.mac_address!r} beside a bond: the bond's interfaces name the "
                    "network cards; remove mac_address (or list it in bond.interfaces)",
                )
            continue
        for field in VM_REQUIRED:
            if getattr(node, field) is None:
                yield Problem(
                    f"nodes[{i}].{field}",
                    f"node {node.name!r} runs as a VM on host {node.host!r}, which needs "
                    f"{field}: set it (or remove host for a bare-metal node)",
                )
        if node.bond is not None:
            yield Problem(
                f"nodes[{i}].bond",
                f"node {node.name!r} is a VM with one network card: a bond is for a bare-metal "
                "node (no host); remove bond",
            )
        if isinstance(node.install_disk, DiskSelector):
            yield Problem(
                f"nodes[{i}].install_disk",
                f"{node.install_disk!r} selects a disk of real hardware, and node "
                f"{node.name!r} is a VM whose system disk homeops-gen creates: use its path "
                "(/dev/sda, or /dev/vda)",
            )


@rule
def install_disks(cluster: Cluster) -> Iterator[Problem]:
    """Talos installs to the disk the VM has: its system disk decides the interface."""
    for node in cluster.vm_nodes:
        disk = cross_layer.install_disk(cluster, node)
        if isinstance(disk, DiskSelector):
            continue  # vm_or_bare_metal refuses it
        if cross_layer.disk_interface(disk) is None:
            known = " or ".join(
                f"{name} ({interface.rstrip('0')})"
                for name, interface in cross_layer.SYSTEM_DISK_INTERFACES.items()
            )
            yield Problem(
                "talos.install_disk",
                f"{disk} is not a disk node {node.name!r} has: its VM's system disk shows up "
                f"as {known}; use one of them",
            )
            return  # one shared setting: one report


@rule
def versions(cluster: Cluster) -> Iterator[Problem]:
    """Kubernetes is within what Talos runs (and what Cilium and Flux are tested with)."""
    yield from _talos_versions(cluster)
    kubernetes = compat.minor(cluster.versions.kubernetes)
    for i, app in cluster.apps_installing("cilium"):
        assert app.chart is not None  # it installs the cilium chart
        cilium = compat.minor(app.chart.version)
        tested = compat.CILIUM_KUBERNETES.get(cilium)
        where = f"apps[{i}].chart.version"
        if tested is None:
            yield warning(
                "cilium-version-unknown",
                where,
                f"no Kubernetes compatibility data for Cilium {compat.show(cilium)}; "
                "check its documentation",
            )
        elif kubernetes < tested[0]:
            yield Problem(
                where,
                f"Cilium {compat.show(cilium)} does not support Kubernetes "
                f"{compat.show(kubernetes)} (oldest supported: {compat.show(tested[0])})",
            )
        elif kubernetes > tested[1]:
            yield warning(
                "cilium-kubernetes-untested",
                where,
                f"Cilium {compat.show(cilium)} is e2e tested up to Kubernetes "
                f"{compat.show(tested[1])}, not {compat.show(kubernetes)}",
            )
    # The FluxInstance follows the newest Flux 2.x release.
    flux = max(compat.FLUX_KUBERNETES)
    oldest, newest = compat.FLUX_KUBERNETES[flux]
    for i, _ in cluster.apps_installing("flux-instance"):
        if not oldest <= kubernetes <= newest:
            yield warning(
                "flux-kubernetes-unsupported",
                "versions.kubernetes",
                f"Flux {compat.show(flux)} (the newest 2.x, which apps[{i}] installs) supports "
                f"Kubernetes {compat.show(oldest)} to {compat.show(newest)}, "
                f"not {compat.show(kubernetes)}",
            )


def _talos_versions(cluster: Cluster) -> Iterator[Problem]:
    for field in ("talos", "kubernetes"):
        value = getattr(cluster.versions, field)
        if "-" in value:
            yield warning(
                "pre-release",
                f"versions.{field}",
                f"{value} is a pre-release, for testing rather than a cluster you rely on; "
                f"compatibility is checked as for {compat.show(compat.minor(value))}",
            )
    talos = compat.minor(cluster.versions.talos)
    kubernetes = compat.minor(cluster.versions.kubernetes)
    release = compat.TALOS.get(talos)
    if release is None:
        newest = max(compat.TALOS)
        if talos > newest:
            yield warning(
                "talos-version-unknown",
                "versions.talos",
                f"Talos {compat.show(talos)} is newer than the known support matrix "
                f"(up to {compat.show(newest)}); Kubernetes compatibility was not checked",
            )
        else:
            yield Problem(
                "versions.talos",
                f"Talos {compat.show(talos)} is older than any supported release "
                f"(from {compat.show(min(compat.TALOS))})",
            )
    elif not release.kubernetes[0] <= kubernetes <= release.kubernetes[1]:
        low, high = release.kubernetes
        yield Problem(
            "versions.kubernetes",
            f"Talos {compat.show(talos)} supports Kubernetes {compat.show(low)} to "
            f"{compat.show(high)}, not {compat.show(kubernetes)}",
        )
    contract = cluster.talos.config_contract
    if contract is not None and compat.minor(contract) > talos:
        yield Problem(
            "talos.config_contract",
            f"{contract} is newer than versions.talos {cluster.versions.talos}: the contract is "
            "the Talos minor the configs were first made for, at most the running Talos",
        )
    if cluster.talos.workload_isolation is not None and talos < compat.WORKLOAD_ISOLATION:
        yield Problem(
            "talos.workload_isolation",
            f"workload isolation needs Talos {compat.show(compat.WORKLOAD_ISOLATION)} or later, "
            f"not {cluster.versions.talos}; leave it unset",
        )


def _release(version: str) -> tuple[int, int, int] | None:
    """``(1, 11, 5)`` for ``v1.11.5`` or ``1.11.5``; None for a pre-release or anything else."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


@rule
def known_releases_exist(cluster: Cluster) -> Iterator[Problem]:
    """The Talos release, its extensions and the helpers' chart versions are ones that exist,
    as far as the data shipped with homeops-gen (:mod:`homeops_gen.known_releases`) knows."""
    talos = cluster.versions.talos
    minor = "v{}.{}".format(*compat.minor(talos))
    newest = known_releases.TALOS_NEWEST_PATCH.get(minor)
    if newest is not None and (_release(talos) or (0, 0, 0)) > (_release(newest) or (0, 0, 0)):
        yield warning(
            "talos-version-unreleased",
            "versions.talos",
            f"{talos} is not a Talos release homeops-gen knows (the newest {minor} release it "
            f"knows is {newest}); did you mean {newest!r}? The Image Factory has no image for "
            "a release that does not exist; homeops-gen validate --online checks the installer",
        )
    official = known_releases.TALOS_EXTENSIONS.get(minor)
    if official is not None:
        yield from _extensions(cluster, minor, official)
    yield from _helper_versions(cluster)


def _extensions(cluster: Cluster, minor: str, official: tuple[str, ...]) -> Iterator[Problem]:
    lists = [("talos.extensions", cluster.talos.extensions)]
    lists += [(f"nodes[{i}].extensions", n.extensions or ()) for i, n in enumerate(cluster.nodes)]
    for where, names in lists:
        for j, name in enumerate(names):
            if name in official:
                continue
            # Compared without the shared "siderolabs/", which would make any name look close.
            short = {o.rpartition("/")[2]: o for o in official}
            near = short.get(closest(name.rpartition("/")[2], short) or "")
            if near:
                yield Problem(
                    f"{where}[{j}]",
                    f"{name!r} is not an official system extension of Talos {minor}; did you "
                    f"mean {near!r}? The Image Factory refuses a schematic naming it",
                )
            else:
                yield warning(
                    "talos-extension-unknown",
                    f"{where}[{j}]",
                    f"{name!r} is not among the official extensions of Talos {minor} that "
                    "homeops-gen knows: the Image Factory refuses a schematic naming one that "
                    "does not exist (see github.com/siderolabs/extensions)",
                )


def _helper_versions(cluster: Cluster) -> Iterator[Problem]:
    for i, app in enumerate(cluster.apps):
        if app.made_by is None or app.chart is None:
            continue
        chart = app.made_by.helper
        lines = known_releases.HELPER_CHART_NEWEST.get(chart, {})
        version = _release(app.chart.version)
        if version is None or not lines:
            continue
        per_minor = "." in next(iter(lines))
        line = f"{version[0]}.{version[1]}" if per_minor else str(version[0])
        # Cilium keeps several minors patched: any patch of a known minor may exist by now.
        newest = _release(lines[line]) if line in lines else None
        known = newest is not None and (per_minor or version <= newest)
        if known or version < max(_release(v) or (0, 0, 0) for v in lines.values()):
            continue  # known, or older than the data covers
        names = sorted(lines.values(), key=lambda v: _release(v) or (0, 0, 0))
        yield warning(
            "helper-version-unknown",
            f"apps[{i}].chart.version",
            f"{app.chart.version} is not a {chart} chart release homeops-gen knows (newest "
            f"known: {', '.join(names)}){did_you_mean(app.chart.version, names) or '.'} A "
            "version that does not exist fails at bootstrap; homeops-gen validate --online "
            "checks the registry",
        )


PSA_EXEMPT_NAMESPACES = ("kube-system",)
"""The namespaces Talos' Pod Security admission exempts: every other one enforces
``baseline`` (machinery config/types/k8s/admission_control.go)."""
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"


@rule
def helper_options(cluster: Cluster) -> Iterator[Problem]:
    """What a helper app needs from the rest of the model exists: its token files are shipped,
    Spegel's host access is allowed, metrics-server's kubelet flag is not turned off."""
    labels = {ns.name: ns.labels for ns in cluster.namespaces}
    for i, app in enumerate(cluster.apps):
        for option, path, _, _ in helper_secrets(app):
            if path not in app.secrets:
                yield Problem(
                    f"apps[{i}].secrets",
                    f"{path} (made_by.{option}) is not among the app's secrets: add it, so Flux "
                    "decrypts it beside the release",
                )
        helper = app.made_by.helper if app.made_by else None
        privileged = labels.get(app.namespace, {}).get(PSA_ENFORCE) == "privileged"
        if helper == "spegel" and app.namespace not in PSA_EXEMPT_NAMESPACES and not privileged:
            yield Problem(
                f"apps[{i}].namespace",
                f"Spegel mounts containerd's socket and host folders, which Talos' Pod Security "
                f"admission refuses in {app.namespace!r} (it enforces baseline outside "
                "kube-system): deploy it in kube-system, or add "
                f"Namespace(name={app.namespace!r}, labels={{{PSA_ENFORCE!r}: 'privileged'}}) "
                "to namespaces",
            )
    if talos_patches_.uses_helper(cluster, "spegel"):
        yield from _customization_file_taken(cluster)
    if talos_patches_.uses_helper(cluster, "metrics-server"):
        flag = talos_patches_.ROTATE_SERVER_CERTIFICATES
        scopes = [("talos.kubelet_extra_args", cluster.talos.kubelet_extra_args)]
        scopes += [
            (f"nodes[{i}].kubelet_extra_args", n.kubelet_extra_args)
            for i, n in enumerate(cluster.nodes)
        ]
        for where, args in scopes:
            if args.get(flag, "true") != "true":
                yield Problem(
                    f"{where}[{flag!r}]",
                    f"is {args[flag]!r}, but metrics_server(...) needs the kubelets' serving "
                    "certificates signed by the cluster CA (it refuses their self-signed ones): "
                    f"remove {flag!r}, which the helper sets to 'true'",
                )


def _customization_file_taken(cluster: Cluster) -> Iterator[Problem]:
    """Before ``CRICustomizationConfig``, Spegel's setting is the one containerd fragment Talos
    merges; a patch creating that file too would fail the apply (``create`` needs a new path)."""
    contract = cross_layer.config_contract(cluster)
    if talos_types.has_kind(contract, talos_patches_.CRI_CUSTOMIZATION):
        return
    path = talos_patches_.CRI_CUSTOMIZATION_FILE
    for scoped in talos_patches_.user_patches(cluster):
        files = _dig(scoped.patch, ("machine", "files"))
        if isinstance(files, list) and any(
            isinstance(f, dict) and f.get("path") == path for f in files
        ):
            yield Problem(
                f"{scoped.where}.machine.files",
                f"writes {path}, the containerd fragment spegel(...) creates for a {contract} "
                "contract (Talos merges only that file before CRICustomizationConfig documents, "
                "and creating it twice fails the apply): remove it from the patch, or leave out "
                "spegel(...) and set discard_unpacked_layers = false in your own file",
            )


@rule
def gitops_webhook(cluster: Cluster) -> Iterator[Problem]:
    """The webhook's Receiver knows the forge, and its route attaches to a Gateway of the
    model that admits routes from flux-system."""
    webhook = cluster.gitops.webhook
    if webhook is None:
        return
    for i, app in enumerate(cluster.apps):
        if app.name == WEBHOOK_APP:
            yield Problem(
                f"apps[{i}].name",
                f"{WEBHOOK_APP!r} is the app gitops.webhook adds (its Receiver and route); "
                "choose another name",
            )
    if webhook_type(cluster) is None:
        yield Problem(
            "gitops.webhook.type",
            f"cannot tell the forge of {cluster.gitops.repository} (github.com and gitlab.com "
            "are known): set type='github' or type='gitlab'",
        )
    known = gateways(cluster)
    if webhook.gateway not in known:
        have = ", ".join(sorted(known)) or "none"
        yield Problem(
            "gitops.webhook.gateway",
            f"{webhook.gateway!r} is not a Gateway of the model's apps (Gateways: {have}): the "
            "HTTPRoute to the Receiver attaches to a gateway.networking.k8s.io Gateway listed "
            "in an app's resources (namespace/name)",
        )
        return
    if not _admits_routes_from(known[webhook.gateway], webhook.gateway, FLUX_NAMESPACE):
        yield Problem(
            "gitops.webhook.gateway",
            f"{webhook.gateway!r} admits no routes from {FLUX_NAMESPACE!r}, where the Receiver "
            "runs: give one of its listeners allowedRoutes.namespaces.from All (or Selector)",
        )


def _admits_routes_from(gateway: dict[str, Any], name: str, namespace: str) -> bool:
    """Whether a listener of the Gateway ``name`` may admit routes of ``namespace`` (Gateway
    API: ``allowedRoutes.namespaces.from`` is ``Same`` by default; a Selector is not
    evaluated)."""
    same = name.split("/")[0] == namespace
    for listener in (gateway.get("spec") or {}).get("listeners") or []:
        allowed = ((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get(
            "from", "Same"
        )
        if allowed in ("All", "Selector") or (allowed == "Same" and same):
            return True
    return False


@rule
def app_shapes(cluster: Cluster) -> Iterator[Problem]:
    """Charts are complete; extra manifests and secrets can be written beside the release."""
    for i, app in enumerate(cluster.apps):
        if app.name in RESERVED_APP_NAMES:
            yield Problem(
                f"apps[{i}].name",
                f"{app.name!r} is the name of a Flux Kustomization homeops-gen or the "
                "FluxInstance already creates in flux-system",
            )
        if app.chart is not None and not app.chart.is_oci and app.chart.name is None:
            yield Problem(
                f"apps[{i}].chart.name", "a https:// chart repository needs the chart's name"
            )
        if app.chart is None:
            yield from _chartless(i, app)
        files = set(RELEASE_FILES)  # the names taken in the app's release folder
        yield from _resource_files(f"apps[{i}]", app, files)
        for field in ("values", "release"):
            if credential := embedded_secret(getattr(app, field)):
                yield Problem(f"apps[{i}].{field}", f"{credential}: {ENCRYPT_HOW}")
        if app.crds and not app.bootstrap:
            yield Problem(
                f"apps[{i}].crds",
                "CRDs are applied by the bootstrap helmfile: the app must be a bootstrap app",
            )
        yield from _user_files(f"apps[{i}]", app, files)


def _resource_files(where: str, app: App, files: set[str]) -> Iterator[Problem]:
    """Each extra manifest is a named object whose file name is free (then taken)."""
    for j, resource in enumerate(app.resources):
        metadata = resource.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if resource.get("kind") == "Namespace" and resource.get("apiVersion") == "v1":
            yield Problem(f"{where}.resources[{j}]", NAMESPACE_RESOURCE)
        elif credential := credential_document(resource) or embedded_secret(resource):
            yield Problem(f"{where}.resources[{j}]", f"{credential}: {ENCRYPT_HOW}")
        elif not isinstance(resource.get("apiVersion"), str) or not isinstance(
            resource.get("kind"), str
        ):
            yield Problem(
                f"{where}.resources[{j}]", "a manifest needs string 'apiVersion' and 'kind'"
            )
        elif not isinstance(name, str) or not name:
            yield Problem(f"{where}.resources[{j}]", "a manifest needs 'metadata.name'")
        elif resource_file(resource) in files:
            yield Problem(
                f"{where}.resources[{j}]",
                f"{resource_file(resource)} is already generated for this app",
            )
        else:
            files.add(resource_file(resource))


def _user_files(where: str, app: App, files: set[str]) -> Iterator[Problem]:
    """Manifests are plain YAML, secrets are ``*.sops.yaml``; each file name is free."""
    for field, path, is_secret in app.user_file_fields():
        named_secret = path.endswith((".sops.yaml", ".sops.yml"))
        if is_secret and not named_secret:
            yield Problem(
                f"{where}.{field}", f"{path} must be SOPS-encrypted and named *.sops.yaml"
            )
        elif not is_secret and (named_secret or not path.endswith((".yaml", ".yml"))):
            yield Problem(
                f"{where}.{field}",
                f"{path} must be a plain *.yaml manifest (secrets go under secrets)",
            )
        elif user_file_name(path) in files:
            yield Problem(
                f"{where}.{field}",
                f"{user_file_name(path)} is already used by another file of this app",
            )
        else:
            files.add(user_file_name(path))


NAMESPACE_RESOURCE = (
    "a Namespace cannot be part of an app: homeops-gen creates every namespace, so two "
    "owners would fight over it and pruning the app would delete the namespace with "
    "everything in it; give its labels and annotations in Cluster.namespaces "
    "(Namespace(name, labels=..., annotations=...))"
)
"""Why a Namespace object in an app's resources or manifests is refused."""


def _chartless(i: int, app: App) -> Iterator[Problem]:
    """An app without a chart deploys its files only: nothing may configure a release."""
    if not (app.resources or app.manifests or app.secrets):
        yield Problem(
            f"apps[{i}].chart",
            "an app without a chart needs resources, manifests or secrets to deploy",
        )
    for name, why in (
        ("values", "values are a chart's"),
        ("release", "there is no HelmRelease"),
        ("crds", "CRDs are applied before a chart installs"),
        ("bootstrap", "the bootstrap helmfile installs charts"),
    ):
        if getattr(app, name):
            yield Problem(
                f"apps[{i}].{name}", f"the app has no chart, so {name} cannot be set: {why}"
            )


def _must_wait(path: str, app: App, waited_for: dict[str, list[str]]) -> Iterator[Problem]:
    """``wait: false`` would let what needs the app's release run before it is ready."""
    if app.name in waited_for:
        names = ", ".join(waited_for[app.name])
        yield Problem(
            path,
            f"{names} depend(s) on {app.name!r}, so its Kustomization waits until everything "
            "it applied is ready; leave wait out",
        )
    elif app.chart is not None and any(is_custom_resource(r) for r in app.resources):
        yield Problem(
            path,
            "the app's custom resources are applied once its release is ready (their CRDs "
            "may come with it), so its Kustomization waits; leave wait out",
        )


def _flux_options(
    path: str, given: dict[str, Any], model: type[Any], derived: dict[str, str]
) -> Iterator[Problem]:
    rest = {}
    for key, value in given.items():
        if key in derived:
            yield Problem(
                f"{path}.{key}",
                f"homeops-gen derives this field so the layers agree: {derived[key]}",
            )
        else:
            rest[key] = value
    if rest:  # every field of a Flux spec is optional, so nothing is always valid
        for where, message in checking.problems(model, rest, path):
            yield Problem(where, message)


@rule
@deriving
def flux_options(cluster: Cluster) -> Iterator[Problem]:
    """``kustomization`` and ``release`` are valid Flux fields homeops-gen does not derive."""
    waited_for: dict[str, list[str]] = {}
    for deployed in Deployment(cluster).apps:
        for dep in deployed.depends_on:
            waited_for.setdefault(dep, []).append(deployed.name)
    for i, app in enumerate(cluster.apps):
        if app.kustomization.get("wait") is False:
            yield from _must_wait(f"apps[{i}].kustomization.wait", app, waited_for)
        yield from _flux_options(
            f"apps[{i}].kustomization", app.kustomization, KustomizationSpec, KUSTOMIZATION_DERIVED
        )
        if app.chart is not None:
            yield from _flux_options(
                f"apps[{i}].release", app.release, HelmReleaseSpec, RELEASE_DERIVED
            )
        if app.bootstrap and "valuesFrom" in app.release:
            yield Problem(
                f"apps[{i}].release.valuesFrom",
                "a bootstrap app's values must all be in the model: the bootstrap helmfile "
                "installs it before Flux (and any Secret or ConfigMap) exists",
            )


@rule
@deriving
def derived_values(cluster: Cluster) -> Iterator[Problem]:
    """User values never contradict what an app derives from the cluster."""
    for i, app in enumerate(cluster.apps):
        for dotted, (value, field) in derived_facts(app, cluster).items():
            target: Any = app.values
            for key in dotted.split("."):
                target = target.get(key, _MISSING) if isinstance(target, dict) else _MISSING
            if target is not _MISSING and target != value:
                yield Problem(
                    f"apps[{i}].values.{dotted}",
                    f"{target!r} contradicts {value!r}, which homeops-gen derives from "
                    f"{field}; change {field} instead, or leave this value out",
                )


_MISSING = object()

FLUX_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
"""A variable Flux's ``postBuild`` substitutes (``${NAME}``, ``${NAME:=default}``)."""


def unsubstituted(path: str, text: str, app: App) -> Problem | None:
    """A warning when ``text`` (a part of ``app``) names a variable nothing substitutes."""
    if "postBuild" in app.kustomization:
        return None
    found = FLUX_VARIABLE.search(text)
    if found is None:
        return None
    return warning(
        "unsubstituted-variable",
        path,
        f"${{{found.group(1)}}} is deployed literally: the app's kustomization has no postBuild "
        "(add postBuild.substitute or postBuild.substituteFrom)",
    )


@rule
def variables_substituted(cluster: Cluster) -> Iterator[Problem]:
    """A ``${VARIABLE}`` in an app's values, HelmRelease fields or resources (all of them in
    the manifests its Kustomization builds) has a ``postBuild`` to fill it in."""
    for i, app in enumerate(cluster.apps):
        parts = [(f"apps[{i}].values", app.values), (f"apps[{i}].release", app.release)]
        parts += [(f"apps[{i}].resources[{j}]", r) for j, r in enumerate(app.resources)]
        for path, data in parts:
            if problem := unsubstituted(path, json.dumps(data), app):
                yield problem


def _talos_document_derived(document: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], str]]:
    """The parts of ``document`` homeops-gen writes itself: (the part, the field setting it)."""
    seen = set()
    for path in talos_document_paths(document):
        for derived, field in TALOS_DOCUMENTS_DERIVED.items():
            if derived_path(path, derived) and derived not in seen:
                seen.add(derived)
                yield derived, field


def talos_document_problems(where: str, document: dict[str, Any]) -> Iterator[Problem]:
    """A document (the model's, or one a v1alpha1 patch moved into) touching what homeops-gen
    writes itself."""
    for derived, field in _talos_document_derived(document):
        named = isinstance(document.get("name"), str)
        part = ".".join(derived[2 if named else 1 :])
        what = f"{derived[0]} {derived[1]!r}" if named else derived[0]
        yield Problem(
            f"{where}.{part}" if part else f"{where}.kind",
            f"homeops-gen writes {what}{f' {part}' if part else ''} itself: set {field} instead",
        )


_TALOS_TOP_LEVEL = ("version", "debug", "persist", "machine", "cluster")


def _talos_patch(path: str, patch: dict[str, Any]) -> Iterator[Problem]:
    if "kind" in patch and "apiVersion" in patch:
        yield from talos_document_problems(path, patch)
        return
    for key in patch:
        if key not in _TALOS_TOP_LEVEL:
            yield Problem(
                f"{path}.{key}",
                f"not a Talos machine-config section{did_you_mean(str(key), _TALOS_TOP_LEVEL)} "
                "(a patch is a strategic merge patch of the machine config, or a config "
                "document with apiVersion and kind)",
            )
    for keys, field in TALOS_DERIVED.items():
        target: Any = patch
        for key in keys:
            target = target.get(key, _MISSING) if isinstance(target, dict) else _MISSING
        if target is not _MISSING:
            yield Problem(
                f"{path}.{'.'.join(keys)}",
                f"homeops-gen derives this setting so the layers agree: set {field} instead",
            )


@rule
def talos_patches(cluster: Cluster) -> Iterator[Problem]:
    """Talos patches leave alone what the model derives, and fit the contract's config types
    (v1alpha1 fields the contract moved into documents are moved, or refused naming the
    document to write)."""
    contract = cross_layer.config_contract(cluster)
    kept = talos_patches_.kept(cluster)
    for scoped in talos_patches_.user_patches(cluster):
        derived = list(_talos_patch(scoped.where, scoped.patch))
        yield from derived
        if derived:
            continue
        moved = talos_moves.move(scoped.patch, contract, kept)
        for path, message in moved.problems:
            yield Problem(f"{scoped.where}.{path}", message)
        if "kind" not in scoped.patch:  # the v1alpha1 fields moved into documents
            for document in moved.documents:
                if "kind" in document:
                    where = f"{scoped.where} (as {document['kind']})"
                    yield from talos_document_problems(where, document)
        if kept and scoped.patch.get("kind") == "KubeletConfig" and "$patch" not in scoped.patch:
            yield Problem(
                f"{scoped.where}.kind",
                "the kubelet has extra mounts, which only v1alpha1 .machine.kubelet has, so its "
                "KubeletConfig is deleted: write these settings under machine.kubelet "
                "(or talos.kubelet_extra_args) instead",
            )


DENIED_API_SERVER_ARGS: dict[str, str] = {
    "anonymous-auth": "a KubeAuthenticationConfig document",
    "oidc-": "a KubeAuthenticationConfig document",
    "authentication-config": "a KubeAuthenticationConfig document",
    "authorization-config": "KubeAuthorizerConfig documents",
    "authorization-mode": "KubeAuthorizerConfig documents",
    "authorization-webhook-": "KubeAuthorizerConfig documents",
}
"""kube-apiserver flags ``KubeAPIServerConfig`` refuses, by prefix, and what sets them instead
(machinery v1.14.1 ``config/types/k8s/apiserver.go`` ``deniedArgPrefixes``)."""


@rule
def talos_settings(cluster: Cluster) -> Iterator[Problem]:
    """Typed Talos settings the contract's documents accept."""
    talos = cluster.talos
    contract = cross_layer.config_contract(cluster)
    args = talos.api_server_extra_args
    if args and not talos_types.has_field(contract, ("cluster", "apiServer")):
        for arg in args:
            reason = next((r for p, r in DENIED_API_SERVER_ARGS.items() if arg.startswith(p)), None)
            if reason:
                yield Problem(
                    f"talos.api_server_extra_args.{arg}",
                    f"Talos {compat.show(compat.minor(contract))}'s KubeAPIServerConfig refuses "
                    f"--{arg}: it is set through {reason}, which Talos writes",
                )
    if talos.backend == "talhelper" and talos.workload_isolation is not None:
        yield Problem(
            "talos.workload_isolation",
            f"talhelper {' and '.join(TALHELPER_RELEASES)} (Talos machinery "
            f"{TALHELPER_MACHINERY}) cannot read the SecurityProfileConfig document it "
            'is written as: use Talos(backend="talosctl"), or leave it unset',
        )
    if talos.backend == "talhelper":
        for scoped in talos_patches_.user_patches(cluster):
            kind = scoped.patch.get("kind")
            if kind in TALHELPER_UNREADABLE:
                yield Problem(
                    f"{scoped.where}.kind",
                    f"talhelper {' and '.join(TALHELPER_RELEASES)} (Talos machinery "
                    f"{TALHELPER_MACHINERY}) cannot read a {kind} document: use "
                    'Talos(backend="talosctl")',
                )
    if talos.backend == "talhelper" and cross_layer.kubernetes_documents(cluster):
        yield Problem(
            "talos.backend",
            "no talhelper release the project can pin reads the Kubernetes documents of a "
            f"{contract} contract (talhelper {' and '.join(TALHELPER_RELEASES)} are built on "
            f"Talos machinery {TALHELPER_MACHINERY}, which refuses KubeCoreDNSConfig, "
            "KubePrismConfig, KubeNodeConfig and SecurityProfileConfig): use "
            'Talos(backend="talosctl"), or keep talos.config_contract below v1.14',
        )
    yield from _dhcp_nodes(cluster)


def _dhcp_nodes(cluster: Cluster) -> Iterator[Problem]:
    """DHCP nodes whose search domains homeops-gen can pin (Talos 1.14 applies DHCP's)."""
    talos_minor = compat.minor(cluster.versions.talos)
    if talos_minor < compat.DHCP_SEARCH_DOMAINS:
        return
    if cluster.talos.backend == "talhelper":
        why = 'which talhelper\'s nameservers field cannot say: use Talos(backend="talosctl")'
    elif not cross_layer.typed_network_documents(cluster):
        why = "which a contract before v1.12 does not write: set talos.config_contract to v1.12+"
    else:
        return
    for i, node in enumerate(cluster.nodes):
        if node.dhcp:
            yield Problem(
                f"nodes[{i}].dhcp",
                f"Talos {compat.show(talos_minor)} applies DHCP search domains unless a "
                f"ResolverConfig document names its own, {why}, or give the node its static ip",
            )


TALHELPER_UNREADABLE = frozenset(
    {"KubeCoreDNSConfig", "KubePrismConfig", "KubeNodeConfig", "SecurityProfileConfig"}
)
"""Documents talhelper's machinery refuses as "not registered" (found running talhelper
v3.1.16 on a 1.14 contract's configs; issue 23)."""
TALHELPER_RELEASES = ("v3.1.16", "v3.1.17")
TALHELPER_MACHINERY = "v1.14.0-alpha.2"
"""The newest talhelper releases the Go module proxy served on 2026-12-06 (v3.1.18 to v3.2.1:
403 Forbidden) and the Talos machinery both go.mod files require."""


@rule
def app_dependencies(cluster: Cluster) -> Iterator[Problem]:
    """``depends_on`` names existing apps, without cycles; bootstrap apps need only bootstrap apps."""
    by_name = {a.name: a for a in cluster.apps}
    for i, app in enumerate(cluster.apps):
        for j, dep in enumerate(app.depends_on):
            target = by_name.get(dep)
            if target is None:
                yield Problem(
                    f"apps[{i}].depends_on[{j}]",
                    f"no app named {dep!r}{did_you_mean(dep, by_name)}",
                )
            elif dep == app.name:
                yield Problem(f"apps[{i}].depends_on[{j}]", f"{app.name!r} depends on itself")
            elif app.bootstrap and not target.bootstrap:
                yield Problem(
                    f"apps[{i}].depends_on[{j}]",
                    f"bootstrap app {app.name!r} cannot depend on {dep!r}, which is not a "
                    "bootstrap app (the bootstrap helmfile would not install it)",
                )
    cycle = _find_cycle({a.name: [d for d in a.depends_on if d in by_name] for a in cluster.apps})
    if cycle:
        index = next(i for i, a in enumerate(cluster.apps) if a.name == cycle[0])
        yield Problem(f"apps[{index}].depends_on", "dependency cycle: " + " -> ".join(cycle))


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for dep in graph[name]:
            if dep == name:
                continue  # reported as depending on itself
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in graph:
        if name not in state and (found := visit(name)):
            return found
    return None


@rule
def cluster_services(cluster: Cluster) -> Iterator[Problem]:
    """The apps the generated Talos config relies on exist and are installed at bootstrap."""
    cilium = cluster.apps_installing("cilium")
    if not cilium:
        yield Problem(
            "apps",
            "no cilium app: Talos is generated with CNI 'none' and kube-proxy disabled, "
            "so Cilium must be the CNI (add cilium(...))",
        )
    for chart, why in (
        ("cilium", "nodes stay NotReady without a CNI"),
        ("coredns", "Talos' own CoreDNS is disabled, so nothing resolves names until it runs"),
        ("flux-operator", "nothing else installs Flux"),
        ("flux-instance", "nothing else starts the Flux sync"),
    ):
        for i, app in cluster.apps_installing(chart):
            if not app.bootstrap:
                yield Problem(f"apps[{i}].bootstrap", f"{app.name} must be a bootstrap app: {why}")
    operators = cluster.apps_installing("flux-operator")
    for i, _ in cluster.apps_installing("flux-instance"):
        if not operators:
            yield Problem(
                f"apps[{i}]", "flux-instance needs the flux-operator app (add flux_operator(...))"
            )
    if not cluster.apps_installing("flux-instance"):
        yield warning(
            "no-flux-instance",
            "apps",
            "no flux-instance app: nothing will sync out/kubernetes to the cluster",
        )
    if cluster.network.load_balancer_cidr is not None and not cilium:
        yield warning(
            "pool-not-announced", "network.load_balancer_cidr", "no cilium app announces this pool"
        )


@rule
def talhelper_substitution(cluster: Cluster) -> Iterator[Problem]:
    """With the talhelper backend, no Talos patch holds ``$NAME`` or ``${...}``: talhelper
    substitutes environment variables in all of talconfig.yaml (a8m/envsubst), so the value
    of a variable from .env (a secret key) would land in a machine config."""
    if cluster.talos.backend != "talhelper":
        return
    talos = cluster.talos
    groups = [
        ("talos.patches", talos.patches),
        ("talos.controlplane_patches", talos.controlplane_patches),
        ("talos.worker_patches", talos.worker_patches),
        *((f"nodes[{i}].patches", node.patches) for i, node in enumerate(cluster.nodes)),
    ]
    for field, patches in groups:
        for j, patch in enumerate(patches):
            for where, text in _patch_strings(patch):
                match = _ENV_REFERENCE.search(text.replace("$$", ""))
                if match:
                    yield Problem(
                        f"{field}[{j}]{where}",
                        f"{match.group(0)!r}: talhelper replaces $NAME and ${{...}} in "
                        "talconfig.yaml with environment variables (those devenv loads from "
                        ".env included), which would put their values into the machine config; "
                        "write $$ for a literal $ (envsubst's escape), or use "
                        'Talos(backend="talosctl"), which substitutes nothing',
                    )
                    break


_ENV_REFERENCE = re.compile(r"\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)")
"""What envsubst (a8m/envsubst, talhelper's) replaces: ``$NAME`` and ``${...}``; ``$$`` is a
literal ``$``."""


def _patch_strings(value: object) -> Iterator[tuple[str, str]]:
    """Every string of a patch (keys too) with its path inside it: ``['machine']['files']``."""
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str):
                    yield f"{where}[{key!r}]", key
                pending.append((f"{where}[{key!r}]", inner))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{where}[{i}]", inner) for i, inner in enumerate(item))
        elif isinstance(item, str):
            yield where, item


GENERATED_CONTROL_PLANE_DOCUMENTS = {
    ("KubeAPIServerConfig", ""): "",
    ("KubeAuthenticationConfig", ""): "",
    ("KubeAuthorizerConfig", "node"): "Node",
    ("KubeAuthorizerConfig", "rbac"): "RBAC",
}
"""What ``talosctl gen config`` writes into a control plane's config for a 1.14+ contract
(machinery v1.14.1 ``config/generate/kubernetes.go``: ``DefaultAuthenticationConfig``,
``DefaultAuthorizationConfig`` with the ``node`` and ``rbac`` authorizers), by kind and name,
with the authorizer type."""


def _api_server_documents(cluster: Cluster, node: Node) -> tuple[dict[tuple[str, str], str], str]:
    """The API server documents ``node`` ends with after every patch, and the last patch
    that changed them (where to report a problem)."""
    documents: dict[tuple[str, str], str] = {}
    if cross_layer.kubernetes_documents(cluster) and node.is_controlplane:
        documents.update(GENERATED_CONTROL_PLANE_DOCUMENTS)
    contract = cross_layer.config_contract(cluster)
    role = "controlplane" if node.is_controlplane else "worker"
    culprit = ""
    for scoped in talos_patches_.user_patches(cluster):
        if scoped.scope not in ("cluster", role, node.name):
            continue
        for doc in talos_moves.move(scoped.patch, contract).documents:
            kind = doc.get("kind")
            if kind not in (
                "KubeAPIServerConfig",
                "KubeAuthenticationConfig",
                "KubeAuthorizerConfig",
            ):
                continue
            key = (str(kind), str(doc.get("name", "")))
            culprit = scoped.where
            if doc.get("$patch") == "delete":
                documents.pop(key, None)
            else:
                documents[key] = str(doc.get("type", documents.get(key, "")))
    return documents, culprit


@rule
def api_server_documents(cluster: Cluster) -> Iterator[Problem]:
    """No node's API server is left without authentication, or without the Node and RBAC
    authorizers: Talos renders ``{}`` for ``--authentication-config`` when a
    ``KubeAPIServerConfig`` has no ``KubeAuthenticationConfig`` (the API server then
    crash-loops), and once any ``KubeAuthorizerConfig`` exists the authorizers are exactly
    those documents."""
    reported: set[str] = set()
    for node in cluster.nodes:
        documents, culprit = _api_server_documents(cluster, node)
        if not culprit or culprit in reported:
            continue
        kinds = {kind for kind, _ in documents}
        if "KubeAPIServerConfig" in kinds and "KubeAuthenticationConfig" not in kinds:
            reported.add(culprit)
            yield Problem(
                culprit,
                f"node {node.name} would run a KubeAPIServerConfig without a "
                "KubeAuthenticationConfig document: Talos then gives the API server an empty "
                "authentication config and it crash-loops; keep (or write) a "
                "KubeAuthenticationConfig document",
            )
            continue
        types = {t for (kind, _), t in documents.items() if kind == "KubeAuthorizerConfig"}
        if types and not {"Node", "RBAC"} <= types:
            reported.add(culprit)
            missing = " and ".join(sorted({"Node", "RBAC"} - types))
            yield Problem(
                culprit,
                f"node {node.name}'s KubeAuthorizerConfig documents leave out the {missing} "
                "authorizer: they are no longer implied once any KubeAuthorizerConfig is "
                "written; add KubeAuthorizerConfig documents of type Node (name node) and "
                "RBAC (name rbac)",
            )
