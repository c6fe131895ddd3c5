"""talhelper's ``talconfig.yaml``: cluster name, versions, endpoint, subnets, nodes, patches."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any
from urllib.parse import urlsplit

import yaml

from homeops_gen.apps import KUBEPRISM_PORT
from homeops_gen.importer.source import Source, dig, listed

TALCONFIG_NAMES = ("talconfig.yaml", "talconfig.yml")

# Keys homeops-gen writes itself from other facts: reading them back adds nothing.
_DERIVED_KEYS = {"imageFactory", "additionalApiServerCertSans", "cniConfig", "patches", "nodes"}
_KNOWN_KEYS = {
    "clusterName",
    "talosVersion",
    "kubernetesVersion",
    "endpoint",
    "allowSchedulingOnControlPlanes",
    "allowSchedulingOnMasters",
    "clusterPodNets",
    "clusterSvcNets",
    *_DERIVED_KEYS,
}
_NODE_KEYS = {
    "hostname",
    "ipAddress",
    "controlPlane",
    "installDisk",
    "nameservers",
    "nodeLabels",
    "schematic",
    "networkInterfaces",
}


@dataclass
class TalosNode:
    """A node as talhelper describes it."""

    name: str
    ip: IPv4Address
    controlplane: bool
    install_disk: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    extensions: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ()
    prefix: int | None = None
    """The prefix length of the node's static address, when its interface gives one."""
    gateway: str | None = None
    vip: str | None = None


@dataclass
class TalosFacts:
    """What ``talconfig.yaml`` says about the cluster."""

    file: str
    name: str | None = None
    talos_version: str | None = None
    kubernetes_version: str | None = None
    endpoint: str | None = None
    endpoint_host: str | None = None
    allow_scheduling: bool = False
    pod_cidr: str | None = None
    service_cidr: str | None = None
    node_cidr: str | None = None
    cni: str | None = None
    coredns_disabled: bool = False
    nodes: list[TalosNode] = field(default_factory=list)


def read_talos(source: Source) -> TalosFacts | None:
    """The facts of the first ``talconfig.yaml`` in the source (others are reported)."""
    found = source.named(*TALCONFIG_NAMES)
    if not found:
        return None
    for extra in found[1:]:
        source.report.skip(extra, "talconfig", f"only one talconfig is imported ({found[0]})")
    path = found[0]
    config = source.mapping(path)
    if config is None:
        return None
    report = source.report
    facts = TalosFacts(file=path)
    facts.name = _string(config.get("clusterName"))
    facts.talos_version = _version(source, path, "talosVersion", config.get("talosVersion"))
    facts.kubernetes_version = _version(
        source, path, "kubernetesVersion", config.get("kubernetesVersion")
    )
    endpoint = _string(config.get("endpoint"))
    if endpoint:
        host = urlsplit(endpoint).hostname
        try:
            facts.endpoint = str(IPv4Address(host or ""))
        except ValueError:
            facts.endpoint_host = host
            report.change(
                path,
                f"endpoint {endpoint}",
                "the model's endpoint is an IPv4 address; the first control plane's IP is used",
            )
    for key in ("allowSchedulingOnControlPlanes", "allowSchedulingOnMasters"):
        if config.get(key) is True:
            facts.allow_scheduling = True
    facts.pod_cidr = _first_net(source, path, "clusterPodNets", config.get("clusterPodNets"))
    facts.service_cidr = _first_net(source, path, "clusterSvcNets", config.get("clusterSvcNets"))
    cni = config.get("cniConfig")
    facts.cni = _string(cni.get("name")) if isinstance(cni, dict) else None
    if facts.cni != "none":
        report.change(
            path,
            f"cniConfig {facts.cni or '(talos default: flannel)'}",
            "homeops-gen sets the CNI to none: Cilium is the CNI",
        )
    for key in sorted(set(config) - _KNOWN_KEYS):
        report.skip(path, key, "not a setting the model has")
    _read_patches(source, path, config.get("patches"), facts)
    nodes = config.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        report.skip(path, "nodes", "no nodes listed")
    else:
        for i, node in enumerate(nodes):
            parsed = _node(source, path, i, node)
            if parsed is not None:
                facts.nodes.append(parsed)
    return facts


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _version(source: Source, path: str, key: str, value: Any) -> str | None:
    if value is None:
        source.report.skip(path, key, "missing")
        return None
    text = str(value)
    if not text.startswith("v"):
        source.report.change(path, f"{key} {text}", f"written as v{text}")
        text = f"v{text}"
    return text


def _first_net(source: Source, path: str, key: str, value: Any) -> str | None:
    if value is None:
        return None
    nets = value if isinstance(value, list) else [value]
    try:
        first = str(IPv4Network(str(nets[0])))
    except (ValueError, IndexError):
        source.report.skip(path, key, f"{value!r} is not an IPv4 network")
        return None
    if len(nets) > 1:
        source.report.change(path, key, f"only the first network, {first}, is kept (IPv4 only)")
    return first


# The patch homeops-gen writes for every node, as (path, value) pairs of the merged patch.
_DERIVED_PATCH = {
    ("cluster", "proxy", "disabled"): True,
    ("machine", "features", "kubePrism", "enabled"): True,
    ("machine", "features", "kubePrism", "port"): KUBEPRISM_PORT,
    ("cluster", "coreDNS", "disabled"): True,
}


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(data, dict) and data:
        found: dict[tuple[str, ...], Any] = {}
        for key, value in data.items():
            found.update(_leaves(value, (*prefix, str(key))))
        return found
    return {prefix: data}


def _read_patches(source: Source, path: str, patches: Any, facts: TalosFacts) -> None:
    """The patch homeops-gen writes is recognised (node CIDR, CoreDNS off); others reported."""
    if patches is None:
        return
    if not isinstance(patches, list):
        source.report.skip(path, "patches", "expected a list")
        return
    for i, patch in enumerate(patches):
        where = f"patches[{i}]"
        if not isinstance(patch, str) or patch.startswith("@"):
            source.report.skip(path, where, "patch files and JSON patches are not in the model")
            continue
        try:
            documents = [d for d in yaml.safe_load_all(patch) if d is not None]
        except yaml.YAMLError:
            source.report.skip(path, where, "not valid YAML")
            continue
        leftover: dict[tuple[str, ...], Any] = {}
        for document in documents:
            for key, value in _leaves(document).items():
                subnets = ("machine", "kubelet", "nodeIP", "validSubnets")
                if key == subnets and isinstance(value, list) and value:
                    facts.node_cidr = str(value[0])
                elif key in _DERIVED_PATCH and _DERIVED_PATCH[key] == value:
                    if key[:2] == ("cluster", "coreDNS"):
                        facts.coredns_disabled = True
                else:
                    leftover[key] = value
        if leftover:
            keys = ", ".join(".".join(k) for k in leftover)
            source.report.skip(path, where, f"machine-config patch not in the model: {keys}")
        else:
            source.report.map(path, f"{where} (homeops-gen's own patch)")


def _node(source: Source, path: str, i: int, node: Any) -> TalosNode | None:
    report = source.report
    where = f"nodes[{i}]"
    if not isinstance(node, dict):
        report.skip(path, where, "expected a mapping")
        return None
    name = _string(node.get("hostname"))
    address = str(node.get("ipAddress", "")).split(",")[0].strip()
    try:
        ip = IPv4Interface(address).ip
    except ValueError:
        report.skip(path, where, f"ipAddress {node.get('ipAddress')!r} is not an IPv4 address")
        return None
    if name is None:
        report.skip(path, where, "no hostname")
        return None
    parsed = TalosNode(name=name, ip=ip, controlplane=node.get("controlPlane") is True)
    parsed.install_disk = _string(node.get("installDisk"))
    labels = node.get("nodeLabels")
    if isinstance(labels, dict):
        parsed.labels = {str(k): str(v) for k, v in labels.items()}
    schematic = node.get("schematic")
    if isinstance(schematic, dict):
        extensions = dig(schematic, "customization", "systemExtensions", "officialExtensions")
        parsed.extensions = tuple(str(e) for e in listed(extensions))
        customization = schematic.get("customization")
        other = (
            set(customization) - {"systemExtensions"} if isinstance(customization, dict) else set()
        )
        if other:
            report.skip(path, f"{where}.schematic", f"not in the model: {', '.join(sorted(other))}")
    nameservers = node.get("nameservers")
    if isinstance(nameservers, list):
        parsed.nameservers = tuple(str(n) for n in nameservers)
    interfaces = node.get("networkInterfaces")
    if isinstance(interfaces, list):
        for interface in interfaces:
            if not isinstance(interface, dict):
                continue
            for address in listed(interface.get("addresses")):
                try:
                    iface = IPv4Interface(str(address))
                except ValueError:
                    continue
                if iface.ip == ip:
                    parsed.prefix = iface.network.prefixlen
            for route in listed(interface.get("routes")):
                if isinstance(route, dict) and route.get("network") == "0.0.0.0/0":
                    parsed.gateway = _string(route.get("gateway"))
            vip = interface.get("vip")
            if isinstance(vip, dict):
                parsed.vip = _string(vip.get("ip"))
        report.map(path, f"{where}.networkInterfaces (static address, gateway, VIP)")
    for key in sorted(set(node) - _NODE_KEYS):
        report.skip(path, f"{where}.{key}", "not a node setting the model has")
    return parsed
