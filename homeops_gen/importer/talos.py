"""talhelper's ``talconfig.yaml``: cluster name, versions, endpoint, subnets, nodes, patches."""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any
from urllib.parse import urlsplit

import yaml

from homeops_gen import compat, talos_moves, talos_patches
from homeops_gen.cross_layer import CONTROL_PLANE_TAINT, KUBEPRISM_PORT
from homeops_gen.model import DISK_SIZE_UNITS
from homeops_gen.importer.source import Source, as_mapping, dig, listed
from homeops_gen.derived_fields import TALOS_DERIVED
from homeops_gen.talos_patches import CLUSTER_SETTINGS, NODE_SETTINGS, ROLE_SETTINGS, Setting

TALCONFIG_NAMES = ("talconfig.yaml", "talconfig.yml")

# Keys homeops-gen writes itself from other facts: reading them back adds nothing.
_DERIVED_KEYS = {"imageFactory", "additionalApiServerCertSans", "cniConfig", "patches", "nodes"}
_KNOWN_KEYS = {
    "controlPlane",
    "worker",
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
    "patches",
    "installDiskSelector",
    "machineSpec",
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
    ip: IPv4Address | None
    """None when only the VM knows it (talosctl patches name the address of VIP carriers only)."""
    controlplane: bool
    install_disk: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    extensions: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ()
    prefix: int | None = None
    """The prefix length of the node's static address, when its interface gives one."""
    gateway: str | None = None
    vip: str | None = None
    dhcp: bool = False
    """The node takes its address from DHCP (the Talos side says so)."""
    kernel_args: tuple[str, ...] = ()
    schematic: str | None = None
    """The Image Factory schematic id of the node's installer (talosctl backend)."""
    patches: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    """The node's typed Talos settings (``Node`` fields), read back from their patches."""
    mac_address: str | None = None
    """The MAC address the node's link is selected by (a bare-metal node's, or a VM's)."""
    bond: tuple[list[str], str] | None = None
    """The bonded cards' MAC addresses and the bond mode."""
    vlan_id: int | None = None
    """The VLAN of the node's address on its link (bare metal)."""
    disk_selector: dict[str, str] | None = None
    """The install disk's model, serial and size (``DiskSelector`` fields)."""


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
    backend: str = "talhelper"
    config_contract: str | None = None
    """``configContract`` of ``versions.yaml``, when it is not the Talos version's minor."""
    workload_isolation: bool | None = None
    schematic: str | None = None
    """The Image Factory schematic id, when the extensions are known only through it."""
    patches: list[dict[str, Any]] = field(default_factory=list)
    controlplane_patches: list[dict[str, Any]] = field(default_factory=list)
    worker_patches: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    """The typed Talos settings (``Talos`` fields), read back from their patches."""
    kubelet_in_v1alpha1: bool = False
    """The kubelet's settings stay in v1alpha1 (``KubeletConfig`` deleted: extra mounts)."""

    @property
    def contract(self) -> str | None:
        """The machine-config version contract, ``v1.14``."""
        if self.config_contract:
            return self.config_contract
        if self.talos_version:
            try:
                return "v" + compat.show(compat.minor(self.talos_version))
            except ValueError:
                return None
        return None


def read_talos(source: Source) -> TalosFacts | None:
    """The facts of the first ``talconfig.yaml`` in the source (others are reported), else of
    a talosctl layout (``gen.sh``, ``patches/``, ``nodes/``) as homeops-gen writes it."""
    found = source.named(*TALCONFIG_NAMES)
    if not found:
        facts = read_talosctl(source)
        if facts is not None:
            _read_versions(source, facts)
            _read_user_patches(source, facts)
        return facts
    facts = _read_talconfig(source, found)
    if facts is not None:
        _read_versions(source, facts)
    return facts


def _read_versions(source: Source, facts: TalosFacts) -> None:
    """``versions.yaml`` beside the Talos files: the machine-config contract."""
    path = posixpath.join(posixpath.dirname(facts.file), "versions.yaml")
    if path not in source.files:
        return
    record = source.mapping(path)
    contract = record.get("configContract") if record else None
    if isinstance(contract, str) and facts.talos_version:
        if not facts.talos_version.startswith(contract + "."):
            facts.config_contract = contract
        source.report.map(path, f"config contract {contract}")


def _read_talconfig(source: Source, found: list[str]) -> TalosFacts | None:
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
    _endpoint(source, path, _string(config.get("endpoint")), facts)
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
    patches = _read_patches(source, path, "patches", config.get("patches"), facts)
    facts.patches = _leading_settings(patches, CLUSTER_SETTINGS, facts.settings)
    for key, role in (("controlPlane", "controlplane"), ("worker", "worker")):
        settings = as_mapping(config.get(key))
        for other in sorted(set(settings) - {"patches"}):
            report.skip(path, f"{key}.{other}", "not a setting the model has")
        role_patches = _read_patches(source, path, f"{key}.patches", settings.get("patches"), facts)
        role_patches = _leading_settings(role_patches, ROLE_SETTINGS[role], facts.settings)
        setattr(facts, f"{role}_patches", role_patches)
    nodes = listed(config.get("nodes"))
    if not nodes:
        report.skip(path, "nodes", "no nodes listed")
    parsed = [_node(source, path, i, node) for i, node in enumerate(nodes)]
    facts.nodes = [n for n in parsed if n is not None]
    return facts


def _endpoint(source: Source, path: str, endpoint: str | None, facts: TalosFacts) -> None:
    if not endpoint:
        return
    host = urlsplit(endpoint).hostname
    try:
        facts.endpoint = str(IPv4Address(host or ""))
    except ValueError:
        facts.endpoint_host = host
        source.report.change(
            path,
            f"endpoint {endpoint}",
            "the model's endpoint is an IPv4 address; the first control plane's IP is used",
        )


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


def _read_patches(
    source: Source, path: str, where: str, patches: Any, facts: TalosFacts
) -> list[dict[str, Any]]:
    """Patches of the model (returned), homeops-gen's own patch recognised (node CIDR,
    CoreDNS off); patch files and JSON patches reported."""
    if patches is None:
        return []
    if not isinstance(patches, list):
        source.report.skip(path, where, "expected a list")
        return []
    found = [_read_patch(source, path, f"{where}[{i}]", p, facts) for i, p in enumerate(patches)]
    return [p for p in found if p is not None]


def _read_patch(
    source: Source, path: str, where: str, patch: Any, facts: TalosFacts
) -> dict[str, Any] | None:
    if not isinstance(patch, str) or patch.startswith("@"):
        source.report.skip(path, where, "patch files and JSON patches are not in the model")
        return None
    try:
        documents = [d for d in yaml.safe_load_all(patch) if d is not None]
    except yaml.YAMLError:
        source.report.skip(path, where, "not valid YAML")
        return None
    leaves = {k: v for d in documents for k, v in _leaves(d).items()}
    subnets = ("machine", "kubelet", "nodeIP", "validSubnets")
    ours = [k for k, v in leaves.items() if k == subnets or _DERIVED_PATCH.get(k, ...) == v]
    if not ours and len(documents) == 1 and isinstance(documents[0], dict):
        source.report.map(path, f"{where} (a Talos patch of the model)")
        return documents[0]
    leftover = [k for k in leaves if k not in ours]
    for key in ours:
        if key == subnets and listed(leaves[key]):
            facts.node_cidr = str(leaves[key][0])
        facts.coredns_disabled |= key[:2] == ("cluster", "coreDNS")
    if leftover:
        keys = ", ".join(".".join(k) for k in leftover)
        source.report.skip(path, where, f"machine-config patch not in the model: {keys}")
    else:
        source.report.map(path, f"{where} (homeops-gen's own patch)")
    return None


def _leading_settings(
    patches: list[dict[str, Any]], settings: tuple[Setting, ...], into: dict[str, Any]
) -> list[dict[str, Any]]:
    """The typed ``settings`` talhelper's patches start with (each written as one patch per
    document, in the order of ``settings``), read into ``into``; the model's patches after."""
    start = 0
    for setting in settings:
        for end in range(start + 1, len(patches) + 1):
            patch = talos_moves.unmove(patches[start:end])
            if patch is None:
                break
            found, left = talos_patches.read_settings(patch, (setting,))
            if found and not left:
                into.update(found)
                start = end
                break
    return patches[start:]


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
    parsed.disk_selector = _disk_selector(node.get("installDiskSelector"))
    labels = node.get("nodeLabels")
    if isinstance(labels, dict):
        parsed.labels = {str(k): str(v) for k, v in labels.items()}
    _schematic(source, path, where, node.get("schematic"), parsed)
    parsed.nameservers = tuple(str(n) for n in listed(node.get("nameservers")))
    interfaces = [i for i in listed(node.get("networkInterfaces")) if isinstance(i, dict)]
    for interface in interfaces:
        _interface(interface, parsed)
    if interfaces:
        report.map(path, f"{where}.networkInterfaces (static address, gateway, VIP)")
    patches = _read_patches(
        source, path, f"{where}.patches", node.get("patches"), TalosFacts(file=path)
    )
    parsed.patches = _leading_settings(patches, NODE_SETTINGS, parsed.settings)
    for key in sorted(set(node) - _NODE_KEYS):
        report.skip(path, f"{where}.{key}", "not a node setting the model has")
    return parsed


def _schematic(source: Source, path: str, where: str, schematic: Any, node: TalosNode) -> None:
    extensions = dig(schematic, "customization", "systemExtensions", "officialExtensions")
    node.extensions = tuple(str(e) for e in listed(extensions))
    kernel_args = dig(schematic, "customization", "extraKernelArgs")
    node.kernel_args = tuple(str(a) for a in listed(kernel_args))
    other = set(as_mapping(dig(schematic, "customization"))) - {
        "systemExtensions",
        "extraKernelArgs",
    }
    if other:
        source.report.skip(
            path, f"{where}.schematic", f"not in the model: {', '.join(sorted(other))}"
        )


def _disk_selector(selector: Any) -> dict[str, str] | None:
    """A v1alpha1 ``installDiskSelector``'s model, serial and size."""
    found = {k: str(v) for k, v in as_mapping(selector).items() if k in _SELECTOR_KEYS}
    return found or None


_SELECTOR_KEYS = ("model", "serial", "size")


def _link_interface(interface: dict[str, Any], node: TalosNode) -> dict[str, Any]:
    """A v1alpha1 interface's link (its card's MAC, or a bond's) and DHCP; the part holding the
    address: the interface, or its VLAN."""
    mac = dig(interface, "deviceSelector", "hardwareAddr")
    if isinstance(mac, str):
        node.mac_address = mac.upper()
    bond = as_mapping(interface.get("bond"))
    macs = [dig(s, "hardwareAddr") for s in listed(bond.get("deviceSelectors"))]
    if bond and all(isinstance(m, str) for m in macs):
        node.bond = ([str(m).upper() for m in macs], str(bond.get("mode")))
    vlans = [v for v in listed(interface.get("vlans")) if isinstance(v, dict)]
    if vlans and isinstance(vlans[0].get("vlanId"), int):
        node.vlan_id = vlans[0]["vlanId"]
        interface = vlans[0]
    node.dhcp |= interface.get("dhcp") is True
    return interface


def _interface(interface: dict[str, Any], node: TalosNode) -> None:
    """A talhelper network interface: the node's link, prefix length, gateway and VIP."""
    interface = _link_interface(interface, node)
    for address in listed(interface.get("addresses")):
        try:
            iface = IPv4Interface(str(address))
        except ValueError:
            continue
        if iface.ip == node.ip:
            node.prefix = iface.network.prefixlen
    for route in listed(interface.get("routes")):
        if dig(route, "network") == "0.0.0.0/0":
            node.gateway = _string(dig(route, "gateway"))
    node.vip = _string(dig(interface, "vip", "ip")) or node.vip
    node.dhcp |= interface.get("dhcp") is True


_GEN_CONFIG = re.compile(r"talosctl gen config (\S+) https://([^:\s/]+):6443")
_GEN_K8S = re.compile(r"--kubernetes-version (\S+)")
_GEN_NODE = re.compile(
    r"^node (\S+) (controlplane|worker) (\S+) \S*installer/([0-9a-f]{64}):(\S+) ", re.M
)


def read_talosctl(source: Source) -> TalosFacts | None:
    """The talosctl backend's files: ``gen.sh`` (name, endpoint, roles, disks, versions), the
    cluster and role patches and one patch per node."""
    scripts = [p for p in source.named("gen.sh") if _GEN_CONFIG.search(source.text(p) or "")]
    if not scripts:
        return None
    path = scripts[0]
    folder = posixpath.dirname(path)
    text = source.text(path) or ""
    head = _GEN_CONFIG.search(text)
    assert head is not None  # found above
    facts = TalosFacts(file=path, backend="talosctl", name=head.group(1), cni="none")
    facts.endpoint = head.group(2)
    k8s = _GEN_K8S.search(text)
    facts.kubernetes_version = k8s.group(1) if k8s else None
    report = source.report
    schematics = set()
    for match in _GEN_NODE.finditer(text):
        name, role, disk, schematic, talos = match.groups()
        facts.talos_version = talos
        schematics.add(schematic)
        node = TalosNode(name=name, ip=None, controlplane=role == "controlplane", install_disk=disk)
        node.schematic = schematic
        _read_node_patch(source, posixpath.join(folder, "nodes", f"{name}.yaml"), node, facts)
        facts.nodes.append(node)
    if len(schematics) == 1:
        facts.schematic = schematics.pop()
    report.map(path, "talosctl backend (gen.sh: name, endpoint, roles, install disks)")
    _read_apply_targets(source, posixpath.join(folder, "apply.sh"), facts)
    patches = posixpath.join(folder, "patches")
    _read_typed_patch(source, posixpath.join(patches, "cluster.yaml"), facts, CLUSTER_SETTINGS)
    for role, settings in ROLE_SETTINGS.items():
        _read_typed_patch(source, posixpath.join(patches, f"{role}.yaml"), facts, settings)
    return facts


_APPLY_TARGET = re.compile(r"^  '?(\S+) ([0-9.]+) \S+?'?$", re.M)


def _read_apply_targets(source: Source, path: str, facts: TalosFacts) -> None:
    """The nodes' IPs from ``apply.sh``'s targets (``name ip config-file``): the one place a
    node whose address neither its VM nor its patch states (DHCP, bare metal) names it."""
    text = source.text(path) if path in source.files else None
    if text is None:
        return
    ips = dict(_APPLY_TARGET.findall(text.split("nodes=(", 1)[-1].split("\n)", 1)[0]))
    for node in facts.nodes:
        if node.ip is None and node.name in ips:
            try:
                node.ip = IPv4Address(ips[node.name])
            except ValueError:
                continue
    source.report.map(path, "the nodes' IPs (talos-apply's targets)")


_USER_PATCH = re.compile(r"(?P<stem>.+)\.(?P<n>[0-9]+)(?P<cp>\.controlplane)?\.yaml")
"""The talosctl backend's file of one of the model's patches: ``cluster.1.yaml`` (and
``cluster.1.controlplane.yaml``, its control-plane-only documents), ``worker.2.yaml``,
``nodes/<node>.1.yaml``."""


def _read_user_patches(source: Source, facts: TalosFacts) -> None:
    """The model's own patches, one file each beside homeops-gen's (talosctl backend)."""
    folder = posixpath.dirname(facts.file)
    owners: dict[str, list[dict[str, Any]]] = {
        "patches/cluster": facts.patches,
        "patches/controlplane": facts.controlplane_patches,
        "patches/worker": facts.worker_patches,
        **{f"nodes/{n.name}": n.patches for n in facts.nodes},
    }
    files: dict[tuple[str, int], dict[bool, str]] = {}
    for path in source.files:
        match = _USER_PATCH.fullmatch(posixpath.relpath(path, folder))
        if match and match["stem"] in owners:
            key = (match["stem"], int(match["n"]))
            files.setdefault(key, {})[bool(match["cp"])] = path
    for (stem, _), paths in sorted(files.items()):
        owners[stem].extend(_user_patch(source, paths, facts, split=stem == "patches/cluster"))


def _user_patch(
    source: Source, paths: dict[bool, str], facts: TalosFacts, *, split: bool
) -> list[dict[str, Any]]:
    """One patch of the model: the v1alpha1 patch its documents were moved from, where moving
    it again writes the same files; else each document as a patch of its own."""
    parts = {
        cp: [d for d in source.yaml(p) or [] if isinstance(d, dict)] for cp, p in paths.items()
    }
    for path in paths.values():
        source.report.map(path, "a Talos patch of the model")
    documents = [*parts.get(False, []), *parts.get(True, [])]
    patch = talos_moves.unmove(documents)
    contract = facts.contract
    if patch is not None and contract is not None:
        keep = talos_patches.KUBELET_V1ALPHA1 if facts.kubelet_in_v1alpha1 else frozenset()
        moved = talos_moves.move(patch, contract, keep).documents
        # cluster-wide patches: the documents only control planes may have in a file apart
        only = talos_patches.CONTROL_PLANE_ONLY if split else frozenset()
        parted = {
            False: [d for d in moved if d.get("kind") not in only],
            True: [d for d in moved if d.get("kind") in only],
        }
        again = {cp: talos_patches.one_v1alpha1(docs) for cp, docs in parted.items() if docs}
        if again == parts:
            return [patch]
    return documents


def _read_typed_patch(
    source: Source, path: str, facts: TalosFacts, settings: tuple[Setting, ...]
) -> None:
    """A talosctl patch of homeops-gen's: typed documents, or the v1alpha1 form before 1.12,
    then the typed ``settings`` of its scope (read into ``facts.settings``)."""
    documents = source.yaml(path) if path in source.files else None
    if documents is None:
        return
    mappings = [d for d in documents if isinstance(d, dict)]
    facts.kubelet_in_v1alpha1 |= any(_deletes_kubelet_config(d) for d in mappings)
    rest: list[dict[str, Any]] = []
    for document in mappings:
        kind = document.get("kind")
        if "cluster" in document or "machine" in document:
            _read_v1alpha1_patch(source, path, document, facts)
            left = _without(document, _V1ALPHA1_OWN)
            if left:
                rest.append(left)
        elif kind in _TYPED_PATCH:
            _TYPED_PATCH[str(kind)](source, path, document, facts)
        elif not _own_document(document):
            rest.append(document)
    _read_settings(source, path, rest, settings, facts.settings)


def _read_settings(
    source: Source,
    path: str,
    documents: list[dict[str, Any]],
    settings: tuple[Setting, ...],
    into: dict[str, Any],
) -> None:
    """The typed settings ``documents`` (what is left of a patch of homeops-gen's) say."""
    patch = talos_moves.unmove(documents) if documents else {}
    found, left = talos_patches.read_settings(patch or {}, settings)
    into.update(found)
    if patch is None or left:
        kinds = [str(d.get("kind", "v1alpha1")) for d in documents]
        what = ", ".join(".".join(k) for k in _leaves(left)) if left else ", ".join(kinds)
        source.report.skip(path, what, "machine-config settings not in the model")
    else:
        source.report.map(path, "homeops-gen's own patch" + "".join(f", {n}" for n in found))


_V1ALPHA1_OWN: tuple[tuple[str, ...], ...] = (
    *TALOS_DERIVED,
    ("cluster", "apiServer", "certSANs"),
    *(
        p
        for p in sorted(talos_patches.KUBELET_V1ALPHA1)
        if p[-1] in ("image", "defaultRuntimeSeccompProfileEnabled")
    ),
)
"""What homeops-gen writes in its own v1alpha1 patches (read above where the model has it)."""

_OWN_KINDS = {"KubeFlannelCNIConfig", "KubeProxyConfig", "KubePrismConfig"}
"""Documents homeops-gen writes for Cilium and KubePrism."""


def _deletes_kubelet_config(document: dict[str, Any]) -> bool:
    return document.get("kind") == "KubeletConfig" and document.get("$patch") == "delete"


def _own_document(document: dict[str, Any]) -> bool:
    """A document homeops-gen writes of its own: for Cilium, KubePrism, the VIP's certificate
    name, and the ``KubeletConfig`` it deletes when the kubelet has extra mounts."""
    kind = document.get("kind")
    if kind == "KubeAPIServerConfig":
        return set(document) <= {"apiVersion", "kind", "certExtraSANs"}
    return kind in _OWN_KINDS or _deletes_kubelet_config(document)


def _without(document: dict[str, Any], paths: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """``document`` without ``paths`` (and the mappings they leave empty)."""
    left = copy.deepcopy(document)
    for path in paths:
        if dig(left, *path) is not None:
            talos_moves._pop(left, path)
    return left


def _network_config(source: Source, path: str, document: dict[str, Any], facts: TalosFacts) -> None:
    facts.pod_cidr = _first_net(source, path, "podSubnets", document.get("podSubnets"))
    facts.service_cidr = _first_net(source, path, "serviceSubnets", document.get("serviceSubnets"))


def _coredns_config(source: Source, path: str, document: dict[str, Any], facts: TalosFacts) -> None:
    facts.coredns_disabled |= document.get("enabled") is False


def _node_config(source: Source, path: str, document: dict[str, Any], facts: TalosFacts) -> None:
    subnets = listed(dig(document, "nodeIP", "validSubnets"))
    if subnets:
        facts.node_cidr = str(subnets[0])
    facts.allow_scheduling |= isinstance(dig(document, "taints", CONTROL_PLANE_TAINT), dict)


def _security_config(
    source: Source, path: str, document: dict[str, Any], facts: TalosFacts
) -> None:
    isolation = document.get("workloadIsolation")
    facts.workload_isolation = isolation if isinstance(isolation, bool) else None


_TYPED_PATCH = {
    "KubeNetworkConfig": _network_config,
    "KubeCoreDNSConfig": _coredns_config,
    "KubeNodeConfig": _node_config,
    "SecurityProfileConfig": _security_config,
}


def _read_v1alpha1_patch(
    source: Source, path: str, document: dict[str, Any], facts: TalosFacts
) -> None:
    cluster = as_mapping(document.get("cluster"))
    facts.allow_scheduling |= cluster.get("allowSchedulingOnControlPlanes") is True
    network = as_mapping(cluster.get("network"))
    if network:
        _network_config(source, path, network, facts)
    facts.coredns_disabled |= dig(cluster, "coreDNS", "disabled") is True
    subnets = listed(dig(document, "machine", "kubelet", "nodeIP", "validSubnets"))
    if subnets:
        facts.node_cidr = str(subnets[0])


def _read_node_patch(source: Source, path: str, node: TalosNode, facts: TalosFacts) -> None:
    """A node's patch: hostname, address, DNS, VIP, labels, then its typed settings."""
    documents = source.yaml(path) if path in source.files else None
    if documents is None:
        return
    rest: list[dict[str, Any]] = []
    aliases: dict[str, str] = {}
    for document in (d for d in documents if isinstance(d, dict)):
        if "machine" in document:
            _read_v1alpha1_node(as_mapping(document.get("machine")), node)
            left = _without(document, _NODE_V1ALPHA1_OWN)
            if left:
                rest.append(left)
            continue
        if not _node_document(document, node, aliases):
            rest.append(document)
    if node.bond is None and aliases:
        node.mac_address = next(iter(aliases.values()))
    source.report.map(path, f"node {node.name}")
    if rest:
        _read_settings(source, path, rest, NODE_SETTINGS, node.settings)


def _node_document(document: dict[str, Any], node: TalosNode, aliases: dict[str, str]) -> bool:
    """Read one of the node documents homeops-gen writes; False for any other (``aliases``:
    MAC by link alias, filled by the link documents)."""
    kind = document.get("kind")
    if kind == "ResolverConfig":
        node.nameservers = tuple(
            str(dig(n, "address")) for n in listed(document.get("nameservers"))
        )
    elif kind in _LINK_KINDS:
        _link_document(document, node, aliases)
    elif kind == "Layer2VIPConfig":
        node.vip = str(document.get("name"))
    elif kind == "KubeNodeConfig":
        node.labels = {str(k): str(v) for k, v in as_mapping(document.get("labels")).items()}
    return kind in (*_LINK_KINDS, "ResolverConfig", "Layer2VIPConfig", "KubeNodeConfig",
                    "HostnameConfig")  # fmt: skip


_NODE_V1ALPHA1_OWN: tuple[tuple[str, ...], ...] = (
    ("machine", "network"),
    ("machine", "nodeLabels"),
    ("machine", "install", "diskSelector"),
)
"""What a node's v1alpha1 patch of homeops-gen's says besides its typed settings."""


_LINK_KINDS = (
    "LinkConfig",
    "BondConfig",
    "VLANConfig",
    "LinkAliasConfig",
    "DHCPv4Config",
    "UnattendedInstallConfig",
)


def _link_document(document: dict[str, Any], node: TalosNode, aliases: dict[str, str]) -> None:
    """A network or install document of the node's patch (``aliases``: MAC by link alias)."""
    kind = document.get("kind")
    if kind in ("LinkConfig", "BondConfig", "VLANConfig"):
        _link(document.get("addresses"), document.get("routes"), node)
    if kind == "BondConfig":
        node.bond = (list(aliases.values()), str(document.get("bondMode")))
    elif kind == "VLANConfig" and isinstance(document.get("vlanID"), int):
        node.vlan_id = document["vlanID"]
    elif kind == "LinkAliasConfig":
        match = _MAC_MATCH.fullmatch(str(dig(document, "selector", "match")))
        if match:
            aliases[str(document.get("name"))] = match.group(1).upper()
    elif kind == "DHCPv4Config":
        node.dhcp = True
    elif kind == "UnattendedInstallConfig":
        match_text = str(dig(document, "provisioning", "diskSelector", "match"))
        node.disk_selector = _disk_match(match_text)


_MAC_MATCH = re.compile(r'mac\(link\.permanent_addr\) == "([0-9a-f:]{17})"')
_DISK_MATCH = {
    "size": re.compile(r"disk\.size (>=|<=|>|<|==) ([0-9]+)u"),
    "model": re.compile(r'glob\("([^"]*)", disk\.model\)'),
    "serial": re.compile(r'glob\("([^"]*)", disk\.serial\)'),
}


def _disk_match(match: str) -> dict[str, str] | None:
    """The ``DiskSelector`` fields of a disk selector's CEL expression as homeops-gen writes
    it (size in the unit giving the smallest whole number, decimal units first)."""
    found: dict[str, str] = {}
    for key, pattern in _DISK_MATCH.items():
        hit = pattern.search(match)
        if hit and key == "size":
            op, size = hit.group(1), int(hit.group(2))
            count, unit = min(
                ((size // n, u) for u, n in DISK_SIZE_UNITS.items() if size % n == 0),
                key=lambda found: found[0],
            )
            shown = f"{count}{unit}"
            found[key] = shown if op == "==" else f"{op} {shown}"
        elif hit:
            found[key] = hit.group(1)
    return found or None


def _read_v1alpha1_node(machine: dict[str, Any], node: TalosNode) -> None:
    node.labels = {str(k): str(v) for k, v in as_mapping(machine.get("nodeLabels")).items()}
    network = as_mapping(machine.get("network"))
    node.nameservers = tuple(str(n) for n in listed(network.get("nameservers")))
    for interface in listed(network.get("interfaces")):
        held = _link_interface(as_mapping(interface), node)
        _link(dig(held, "addresses"), dig(held, "routes"), node)
        node.vip = dig(held, "vip", "ip") or node.vip
    node.disk_selector = _disk_selector(dig(machine, "install", "diskSelector"))


def _link(addresses: Any, routes: Any, node: TalosNode) -> None:
    for address in listed(addresses):
        _address(node, dig(address, "address") if isinstance(address, dict) else address)
    for route in listed(routes):
        node.gateway = dig(route, "gateway") or node.gateway


def _address(node: TalosNode, address: Any) -> None:
    try:
        iface = IPv4Interface(str(address))
    except ValueError:
        return
    node.ip, node.prefix = iface.ip, iface.network.prefixlen


_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TEMPLATE_SUFFIXES = (".yaml.j2", ".yml.j2", ".yaml.tmpl", ".yaml.tpl")


def report_templates(source: Source) -> None:
    """Talos machine configs the import does not read: rendered from templates
    (minijinja/Jinja ``*.yaml.j2``), or plain ones outside talhelper's and homeops-gen's
    layouts. Reported with the settings they state literally."""
    named = {
        e.file for e in (*source.report.mapped, *source.report.changed, *source.report.unmapped)
    }
    for path in source.files:
        template = path.endswith(_TEMPLATE_SUFFIXES)
        if path in named or not (template or path.endswith((".yaml", ".yml"))):
            continue
        text = source.text(path)
        if text is None or not re.search(r"^machine:", text, re.M):
            continue
        if not template and not re.search(r"^(version: v1alpha1|cluster:)", text, re.M):
            continue
        plain = _TEMPLATE_TAG.sub("TEMPLATED", text)
        try:
            documents = [d for d in yaml.safe_load_all(plain) if isinstance(d, dict)]
        except yaml.YAMLError:
            documents = []
        values = [
            f"{'.'.join(k)}={v}"
            for d in documents
            for k, v in _leaves(d).items()
            if v not in (None, "") and not isinstance(v, (dict, list)) and "TEMPLATED" not in str(v)
        ]
        shown = ", ".join(values[:12]) + (
            f", ... ({len(values)} in all)" if len(values) > 12 else ""
        )
        source.report.skip(
            path,
            "Talos config template" if template else "Talos machine config",
            ("a template the import does not render" if template else "not a talconfig.yaml")
            + "; values read: "
            + (shown or "none"),
        )
