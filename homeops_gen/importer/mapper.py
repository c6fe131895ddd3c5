"""Map what was read to the model: calls for ``cluster.py`` and the files it refers to (pure)."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from homeops_gen import apps as helpers
from homeops_gen import compat
from homeops_gen.apis.kubernetes import schema_url
from homeops_gen.deployment import bgp_resources, deploy
from homeops_gen.formats import sorted_data, yaml_file
from homeops_gen.generators.kubernetes import NAMESPACE_ANNOTATIONS
from homeops_gen.generators.infrastructure import DHCP_ADDRESS, NODE_ATTRIBUTES
from homeops_gen.importer.fluxbuild import Built, FluxTree
from homeops_gen.layout import DEVENV, JUSTFILE, RENOVATE_CONFIG, SOPS_AGE_SECRET, WORKFLOW
from homeops_gen.importer.infrastructure import InfraFacts, Vm, vm_ip
from homeops_gen.importer.kubernetes import Document, FluxApp, KubernetesFacts, Release, hook_urls
from homeops_gen.importer.python import Call
from homeops_gen.importer.report import Report
from homeops_gen.importer.source import Source, as_mapping, dig, listed
from homeops_gen.importer.talos import TalosFacts, TalosNode
from homeops_gen.cross_layer import QEMU_GUEST_AGENT, schematic_id
from homeops_gen import model as model_module
from homeops_gen.model import (
    VM_REQUIRED,
    App,
    Automation,
    Bgp,
    BgpPeer,
    Chart,
    CiliumHelper,
    Cluster,
    GitOps,
    Network,
    KubeletMount,
    Node,
    ProxmoxHost,
    RemoteState,
    Talos,
)
from homeops_gen.releases import resource_file
from homeops_gen.secrets import is_sops_encrypted

MANIFESTS = "manifests"
SECRETS = "secrets"
"""The project's folders for imported manifests and SOPS files: ``<folder>/<ns>/<app>/<file>``."""

HELPER_CHARTS = {
    "cilium": "cilium",
    "coredns": "coredns",
    "flux-operator": "flux_operator",
    "flux-instance": "flux_instance",
}
"""The charts the app helpers install, by chart name: the helper function's name."""
DEFAULT_CHARTS = {
    "cilium": helpers.CILIUM_CHART,
    "coredns": helpers.COREDNS_CHART,
    "flux-operator": helpers.FLUX_OPERATOR_CHART,
    "flux-instance": helpers.FLUX_INSTANCE_CHART,
}

_GENERATED_NAMES = {
    "ocirepository.yaml",
    "helmrepository.yaml",
    "helmrelease.yaml",
    "kustomization.yaml",
}


@dataclass
class Mapped:
    """The model as calls, plus the files to copy into the new project (path -> bytes)."""

    cluster: Call
    files: dict[str, bytes] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """The source file of each file in ``files`` (one source per destination)."""

    def add(self, target: str, source: Source, file: str) -> bool:
        """Copy ``file`` of ``source`` to ``target``; False when another file has it."""
        if self.sources.get(target, file) != file:
            return False
        self.files[target] = source.files[file]
        self.sources[target] = file
        return True


def map_model(
    source: Source, talos: TalosFacts | None, infra: InfraFacts, kube: KubernetesFacts
) -> Mapped:
    """The ``Cluster(...)`` call for everything read; findings go to ``source.report``."""
    report = source.report
    cluster = Call("Cluster")
    name = _identity(report, talos, cluster)
    pairs = _match_nodes(report, talos, infra)
    network = _network(report, talos, infra, kube, pairs)
    cluster.kwargs["network"] = network
    endpoint = _endpoint(talos, pairs)
    if endpoint is not None:
        cluster.kwargs["endpoint"] = endpoint
    cluster.kwargs["hosts"] = [_host(report, host) for host in infra.hosts]
    if not infra.hosts and not (talos and talos.nodes):  # else every node is bare metal
        report.skip("", "Proxmox hosts", "no terragrunt unit with inputs found")
    if talos is not None:
        _registered_schematic(talos, infra)
    common = {key: _common(talos, key) for key in ("install_disk", "extensions")}
    cluster.kwargs["nodes"] = [_node(report, name, pair, common) for pair in pairs]
    talos_call = _talos(report, talos)
    if talos_call.kwargs:
        cluster.kwargs["talos"] = talos_call
    _state(report, infra, cluster)
    _gitops_and_sops(report, source, kube, cluster)
    _automation(report, source, cluster)
    mapped = Mapped(cluster)
    gitops_call = cluster.kwargs.get("gitops")
    if isinstance(gitops_call, Call) and "pull_secret" in gitops_call.kwargs:
        pull_secret = gitops_call.kwargs["pull_secret"]
        if pull_secret in source.files:
            mapped.add(pull_secret, source, pull_secret)
    derivation = _derivation_cluster(name, network, len(pairs), kube)
    if derivation is None:
        report.change("", "app helpers", "the network is incomplete: apps are kept as plain Apps")
    namespaces = _namespaces(kube)
    if namespaces:
        cluster.kwargs["namespaces"] = namespaces
    cluster.kwargs["apps"] = _apps(source, kube, derivation, mapped)
    return mapped


def _automation(report: Report, source: Source, cluster: Call) -> None:
    """``Automation``: the task runner, Renovate's presets and the workflow, from the files
    homeops-gen writes for them (none of them: the source keeps its versions by other means,
    and nothing is added that it did not have)."""
    call = Call("Automation", explode=False)
    if JUSTFILE in source.files:  # else devenv, the default
        runners = ["devenv", "just"] if DEVENV in source.files else ["just"]
        value: str | list[str] = runners if len(runners) > 1 else runners[0]
        call.kwargs["task_runner"] = value
        report.map(JUSTFILE, f"the operator's scripts for just (task_runner={value!r})")
    renovate = source.text(RENOVATE_CONFIG) if RENOVATE_CONFIG in source.files else None
    if renovate is None:
        call.kwargs["renovate"] = False
        report.change("", "Renovate", f"no {RENOVATE_CONFIG}: automation.renovate=False")
    else:
        try:
            presets = json.loads(renovate).get("extends")
        except (ValueError, AttributeError):
            presets = None
        if isinstance(presets, list) and not is_default(Automation, "renovate_presets", presets):
            call.kwargs["renovate_presets"] = presets
        report.map(RENOVATE_CONFIG, f"Renovate's presets ({presets})")
    workflow = source.text(WORKFLOW) if WORKFLOW in source.files else None
    if workflow is None:
        call.kwargs["github_actions"] = False
        report.change("", "GitHub workflow", f"no {WORKFLOW}: automation.github_actions=False")
    else:
        install = re.search(r"homeops-gen\[validate\] @ (\S+?)['\"]?$", workflow, re.M)
        if install:
            call.kwargs["install"] = install[1]
        report.map(WORKFLOW, "the workflow checking and regenerating the repository")
    if call.kwargs:
        cluster.kwargs["automation"] = call


def _namespaces(kube: KubernetesFacts) -> list[Call]:
    """Namespaces with labels or annotations, or without an app (the model creates them)."""
    used = {app.namespace for app in kube.apps}
    calls: list[Call] = []
    for doc in kube.namespaces:
        metadata = as_mapping(doc.data.get("metadata"))
        call = Call("Namespace", kwargs={"name": doc.name}, explode=False)
        for key in ("labels", "annotations"):
            found = {str(k): str(v) for k, v in as_mapping(metadata.get(key)).items()}
            if key == "annotations":  # the generated namespace component adds these
                found = {k: v for k, v in found.items() if NAMESPACE_ANNOTATIONS.get(k) != v}
            if found:
                call.kwargs[key] = found
        if len(call.kwargs) > 1 or doc.name not in used:
            calls.append(call)
    return calls


def _identity(report: Report, talos: TalosFacts | None, cluster: Call) -> str:
    """The cluster's name and versions."""
    talos_file = talos.file if talos else ""
    name = (talos.name if talos else None) or "cluster"
    cluster.kwargs["name"] = name
    if not talos or not talos.name:
        cluster.note("name", "guessed: no talconfig.yaml clusterName found")
        report.change(talos_file, "cluster name", f"not found; {name!r} is a placeholder")
    if talos and talos.talos_version and talos.kubernetes_version:
        cluster.kwargs["versions"] = Call(
            "Versions",
            kwargs={"talos": talos.talos_version, "kubernetes": talos.kubernetes_version},
            explode=False,
        )
        report.map(talos_file, "versions")
    else:
        cluster.note("", "missing: versions=Versions(talos=..., kubernetes=...)")
        report.skip(
            talos_file, "versions", "no talconfig.yaml with talosVersion and kubernetesVersion"
        )
    return name


def is_default(kind: type[BaseModel], name: str, value: Any) -> bool:
    """Whether ``value`` is what field ``name`` of ``kind`` holds when left out of cluster.py
    (the model's own default, compared as the model would read ``value``)."""
    spec = kind.model_fields[name]
    if spec.is_required():
        return False
    try:
        kind_of: Any = spec.annotation
        if spec.metadata:
            kind_of = Annotated[kind_of, *spec.metadata]
        read = TypeAdapter(kind_of).validate_python(value)
    except ValidationError:
        return False
    return bool(read == spec.get_default(call_default_factory=True))


def _state(report: Report, infra: InfraFacts, cluster: Call) -> None:
    if infra.state.get("bucket"):
        state = {k: v for k, v in infra.state.items() if not is_default(RemoteState, k, v)}
        cluster.kwargs["state"] = Call("RemoteState", kwargs=state, explode=False)
    else:
        cluster.note(
            "", "missing: state=RemoteState(bucket=...) (no terragrunt remote_state found)"
        )
        report.skip("", "remote state", "no root.hcl with a remote_state bucket found")


def _pull_secret(report: Report, source: Source, name: str) -> str:
    """The project path of the SOPS file holding the Secret ``name`` (copied as it is)."""
    for path in source.files:
        text = source.text(path) if path.endswith((".yaml", ".yml")) else None
        documents = source.yaml(path) if text and is_sops_encrypted(text) else None
        if documents and any(dig(d, "metadata", "name") == name for d in documents):
            report.map(path, f"Flux's pull secret {name} (copied byte for byte)")
            return path
    report.skip("", f"pull secret {name}", "no SOPS file of the source holds it: add it")
    return f"secrets/{name}.sops.yaml"


def _gitops_and_sops(
    report: Report, source_files: Source, kube: KubernetesFacts, cluster: Call
) -> None:
    if kube.repository:
        gitops = {"repository": kube.repository}
        if kube.branch and not is_default(GitOps, "branch", kube.branch):
            gitops["branch"] = kube.branch
        if kube.sync_interval and not is_default(GitOps, "sync_interval", kube.sync_interval):
            gitops["sync_interval"] = kube.sync_interval
        if kube.pull_secret_name:
            gitops["pull_secret"] = _pull_secret(report, source_files, kube.pull_secret_name)
        cluster.kwargs["gitops"] = Call("GitOps", kwargs=gitops, explode=False)
    else:
        cluster.note("", "missing: gitops=GitOps(repository=...) (no FluxInstance sync found)")
        report.skip(
            "", "Git repository", "no FluxInstance (or flux-instance values) with a sync URL"
        )
    cluster.kwargs["sops"] = Call("Sops", kwargs={"age_recipients": kube.recipients}, explode=False)
    if not kube.recipients:
        cluster.note("sops", "missing: no age recipient found (.sops.yaml)")
        report.skip("", "age recipients", "no .sops.yaml creation rule with age recipients")


# --- nodes ------------------------------------------------------------------------------


_MATCHES: tuple[tuple[str | None, Any], ...] = (
    (None, lambda node, vm: node.name in (vm.name, vm.key)),
    ("by IP", lambda node, vm: node.ip is not None and vm_ip(vm) == str(node.ip)),
    ("by a partial name (a guess)", lambda node, vm: node.name in vm.name or vm.name in node.name),
    ("by order (a guess: no name or IP matches)", lambda node, vm: True),
)
"""How a Talos node finds its VM, most certain first (and whether the match is reported)."""


def _match_nodes(
    report: Report, talos: TalosFacts | None, infra: InfraFacts
) -> list[tuple[TalosNode | None, Vm | None]]:
    """Talos nodes paired with their VMs: by name, then IP, then a unique partial name, then
    order; every guess is reported."""
    vms = [vm for host in infra.hosts for vm in host.vms]
    nodes = list(talos.nodes) if talos else []
    pairs: dict[int, Vm] = {}
    free = list(vms)
    for how, matches in _MATCHES:
        for i, node in enumerate(nodes):
            found = [vm for vm in free if matches(node, vm)] if i not in pairs else []
            # A partial name must be unique; any other way takes the first candidate.
            if found and (len(found) == 1 or how != _MATCHES[2][0]):
                pairs[i] = found[0]
                free.remove(found[0])
                if how:
                    found[0].guess = how
                    report.change(
                        found[0].file,
                        f"VM {found[0].name}",
                        f"matched to Talos node {node.name} {how}",
                    )
    # A Talos node no VM runs is a bare-metal node (no host).
    result: list[tuple[TalosNode | None, Vm | None]] = [
        (node, pairs.get(i)) for i, node in enumerate(nodes)
    ]
    for vm in free:
        if nodes:
            report.skip(vm.file, f"VM {vm.name}", "no Talos node of that name or IP")
        result.append((None, vm))
    return result


def _node(
    report: Report,
    cluster_name: str,
    pair: tuple[TalosNode | None, Vm | None],
    common: dict[str, Any],
) -> Call:
    node, vm = pair
    call = Call("Node")
    attrs = vm.attributes if vm else {}
    name = node.name if node else (vm.name if vm else "node")
    call.kwargs["name"] = name
    role = _role(node, attrs, name, call)
    call.kwargs["role"] = role
    _vm_identity(vm, name, call)
    _node_ip(report, node, vm, call)
    for key in NODE_VM_FIELDS:
        value = attrs.get(key)
        if value is not None and not is_default(Node, key, _int(value)):
            call.kwargs[key] = _int(value)
        elif value is None and vm is not None and key in VM_REQUIRED:
            call.note(key, f"missing: {key} not found for VM {vm.name}")
    if node is not None and node.labels:
        call.kwargs["labels"] = dict(sorted(node.labels.items()))
    _vm_settings(vm, call)
    if node is not None:
        _node_talos(node, call, common)
    if attrs.get("address") == DHCP_ADDRESS:
        call.kwargs["dhcp"] = True
    description = attrs.get("description")
    generated = f"Talos {role} of cluster {cluster_name}. Managed by homeops-gen."
    if isinstance(description, str) and description and description != generated:
        call.kwargs["description"] = description
    return call


NODE_VM_FIELDS = tuple(
    a.name
    for a in NODE_ATTRIBUTES
    if a.block and a.name in Node.model_fields and a.name not in ("description", "vm_name")
)
"""The Node fields the VM carries as they are (the generator table's attributes of the same
name). Apart: the description (the generated one unless the node has its own) and the VM's
name (the node's own unless they differ)."""


def _vm_identity(vm: Vm | None, name: str, call: Call) -> None:
    """The node's host and VM name, and how its VM was found (none: a bare-metal node)."""
    if vm is None:
        return
    call.kwargs["host"] = vm.host
    if vm.guess:
        call.note("host", f"VM {vm.name} matched to this node {vm.guess}")
    if vm.name != name:
        call.kwargs["vm_name"] = vm.name


def _vm_settings(vm: Vm | None, call: Call) -> None:
    """The VM's data disks."""
    attrs = vm.attributes if vm is not None else {}
    disks = []
    for disk in listed(attrs.get("extra_disks")):
        found = {"size_gib": _int(dig(disk, "size_gib"))}
        if dig(disk, "datastore") not in (None, attrs.get("host_datastore")):
            found["datastore"] = dig(disk, "datastore")
        disks.append(Call("Disk", kwargs=found, explode=False))
    if disks:
        call.kwargs["extra_disks"] = disks


def _node_talos(node: TalosNode, call: Call, common: dict[str, Any]) -> None:
    """A node's own install disk, extensions and patches, where it differs from the others;
    its link (MAC address, bond, VLAN: a bare-metal node's, a VM's come with the VM) and
    DHCP."""
    if node.disk_selector:
        call.kwargs["install_disk"] = Call("DiskSelector", kwargs=node.disk_selector, explode=False)
    elif node.install_disk and node.install_disk != common["install_disk"]:
        call.kwargs["install_disk"] = node.install_disk
    if "host" not in call.kwargs:
        _bare_metal_link(node, call)
    if node.extensions != common["extensions"]:
        call.kwargs["extensions"] = list(node.extensions)
    if node.dhcp:
        call.kwargs["dhcp"] = True
    call.kwargs.update({name: _setting(value) for name, value in node.settings.items()})
    if node.patches:
        call.kwargs["patches"] = node.patches


def _bare_metal_link(node: TalosNode, call: Call) -> None:
    """A bare-metal node's link: MAC address, bond, VLAN (a VM's come with the VM)."""
    if node.mac_address:
        call.kwargs["mac_address"] = node.mac_address
    if node.bond:
        macs, mode = node.bond
        call.kwargs["bond"] = Call("Bond", kwargs={"interfaces": macs, "mode": mode}, explode=False)
    if node.vlan_id is not None:
        call.kwargs["vlan_id"] = node.vlan_id


def _setting(value: Any) -> Any:
    """A typed Talos setting as ``cluster.py`` writes it (mounts as ``KubeletMount`` calls)."""
    if isinstance(value, tuple):
        return [_setting(v) for v in value]
    if isinstance(value, KubeletMount):
        found: dict[str, Any] = {"destination": value.destination, "source": value.source}
        if not is_default(KubeletMount, "options", value.options):
            found["options"] = list(value.options)
        return Call("KubeletMount", kwargs=found, explode=False)
    return value


def _role(node: TalosNode | None, attrs: dict[str, Any], name: str, call: Call) -> str:
    if node is not None:
        return "controlplane" if node.controlplane else "worker"
    call.note("role", "guessed from the VM: no Talos node of this name")
    return str(attrs.get("role") or ("controlplane" if "control" in name else "worker"))


def _node_ip(report: Report, node: TalosNode | None, vm: Vm | None, call: Call) -> None:
    ip = _ip(node, vm)
    if ip:
        call.kwargs["ip"] = ip
    elif vm is not None:
        call.note("ip", "missing: the VM has no static address and no Talos node")
    address = vm_ip(vm) if vm is not None else None
    if vm is not None and node is not None and address and address != ip:
        report.change(
            vm.file, f"VM {vm.name} address {address}", f"the Talos node's IP {ip} is used"
        )


def _ip(node: TalosNode | None, vm: Vm | None) -> str | None:
    """The node's IP: Talos' (talhelper's ipAddress, a static address), else the VM's."""
    if node is not None and node.ip is not None:
        return str(node.ip)
    return vm_ip(vm) if vm is not None else None


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


# --- network, endpoint, hosts, talos ------------------------------------------------------


Pairs = list[tuple[TalosNode | None, Vm | None]]


def _network(
    report: Report, talos: TalosFacts | None, infra: InfraFacts, kube: KubernetesFacts, pairs: Pairs
) -> Call:
    call = Call("Network")
    talos_file = talos.file if talos else ""
    cidr = _node_cidr(report, talos, pairs, call)
    if cidr:
        call.kwargs["node_cidr"] = cidr
    gateways = {n.gateway for n, _ in pairs if n and n.gateway}
    gateway = infra.gateway or (sorted(gateways)[0] if gateways else None)
    if gateway:
        call.kwargs["gateway"] = gateway
    if gateways and infra.gateway and gateways != {infra.gateway}:
        report.change(
            talos_file, "gateway", f"Talos and terragrunt differ; {infra.gateway} is used"
        )
    for key, value in (
        ("pod_cidr", talos.pod_cidr if talos else None),
        ("service_cidr", talos.service_cidr if talos else None),
        ("load_balancer_cidr", _load_balancer_pool(kube)),
    ):
        if value and not is_default(Network, key, value):
            call.kwargs[key] = value
    bgp = _bgp(kube)
    if bgp is not None:
        call.kwargs["bgp"] = bgp
    nameservers = sorted({n.nameservers for n, _ in pairs if n and n.nameservers})
    if len(nameservers) > 1:
        report.change(talos_file, "nameservers", "nodes differ; the first node's are used")
    if nameservers or infra.nameservers:
        call.kwargs["nameservers"] = list(nameservers[0]) if nameservers else infra.nameservers
    return call


def _node_cidr(report: Report, talos: TalosFacts | None, pairs: Pairs, call: Call) -> str | None:
    """The node network: Talos' valid kubelet subnets, a static address' prefix, or a guess."""
    addresses = [IPv4Address(ip) for ip in (_ip(n, v) for n, v in pairs) if ip]
    prefixes = [n.prefix for n, _ in pairs if n and n.prefix] + [
        int(str(v.attributes["address"]).split("/")[1])
        for _, v in pairs
        if v and "/" in str(v.attributes.get("address", ""))
    ]
    if talos and talos.node_cidr:
        return talos.node_cidr
    if not addresses:
        call.note("node_cidr", "missing: no node IP found")
        return None
    if prefixes:
        return str(IPv4Network(f"{addresses[0]}/{prefixes[0]}", strict=False))
    network = IPv4Network(f"{addresses[0]}/24", strict=False)
    while not all(a in network for a in addresses) and network.prefixlen > 8:
        network = network.supernet()
    call.note("node_cidr", "guessed: the smallest /24 or wider network holding every node IP")
    report.change(
        talos.file if talos else "", "node network", f"not stated anywhere; guessed {network}"
    )
    return str(network)


def _cilium_objects(kube: KubernetesFacts) -> list[Document]:
    """The plain objects applied beside Cilium's chart (its pool, BGP objects...)."""
    return [
        doc
        for app in kube.apps
        if app.chart and app.chart["url"].rstrip("/").rsplit("/", 1)[-1] == "cilium"
        for doc in app.objects
    ]


def _load_balancer_pool(kube: KubernetesFacts) -> str | None:
    for doc in _cilium_objects(kube):
        if doc.kind == "CiliumLoadBalancerIPPool":
            blocks = listed(doc.spec.get("blocks")) or listed(doc.spec.get("cidrs"))
            if len(blocks) == 1 and isinstance(blocks[0], dict) and "cidr" in blocks[0]:
                return str(blocks[0]["cidr"])
    return None


def _bgp(kube: KubernetesFacts) -> Call | None:
    """``Network.bgp`` when Cilium's BGP objects are exactly those the model derives from it
    (:func:`bgp_resources`); anything else stays the app's own resources."""
    objects = _cilium_objects(kube)
    for doc in objects:
        instances = listed(doc.spec.get("bgpInstances"))
        if doc.kind != "CiliumBGPClusterConfig" or len(instances) != 1:
            continue
        peers = listed(dig(instances[0], "peers"))
        try:
            bgp = Bgp(
                local_asn=dig(instances[0], "localASN"),
                peers=[
                    BgpPeer(address=dig(p, "peerAddress"), asn=dig(p, "peerASN")) for p in peers
                ],
            )
        except ValueError:
            return None
        found = [sorted_data(d.data) for d in objects]
        if all(sorted_data(r) in found for r in bgp_resources(bgp)):
            call: Call = _call(bgp)
            return call
    return None


def _call(value: Any) -> Any:
    """``cluster.py``'s call for a model object (fields left at their default are omitted)."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return Call(
            type(value).__name__,
            kwargs={
                k: _call(getattr(value, k))
                for k in fields
                if getattr(value, k) != fields[k].get_default(call_default_factory=True)
            },
            explode=False,
        )
    if isinstance(value, (list, tuple)):
        return [_call(v) for v in value]
    if isinstance(value, (IPv4Address, IPv4Network)):
        return str(value)
    return value


def _model(value: Any) -> Any:
    """The model object a :class:`Call` of ``cluster.py`` makes (the inverse of :func:`_call`)."""
    if isinstance(value, Call):
        kind = getattr(model_module, value.func)
        return kind(*map(_model, value.args), **{k: _model(v) for k, v in value.kwargs.items()})
    if isinstance(value, list):
        return [_model(v) for v in value]
    return value


def _endpoint(
    talos: TalosFacts | None, pairs: list[tuple[TalosNode | None, Vm | None]]
) -> str | None:
    """The endpoint when it is not the first control plane's IP (the model's default)."""
    if talos is None or talos.endpoint is None:
        return None
    planes = [_ip(n, v) for n, v in pairs if n and n.controlplane]
    if planes and planes[0] == talos.endpoint:
        return None
    return talos.endpoint


def _host(report: Report, host: Any) -> Call:
    call = Call("ProxmoxHost")
    settings = dict(host.settings)
    call.kwargs["name"] = host.name
    endpoint = settings.get("endpoint")
    if not endpoint:
        endpoint = f"https://{settings.get('proxmox_node', host.name)}:8006/"
        call.note("endpoint", "guessed: no proxmox_endpoint input or provider endpoint found")
        report.change(host.file, f"host {host.name} endpoint", f"not found; guessed {endpoint}")
    call.kwargs["endpoint"] = endpoint
    if "vm_datastore" in settings:
        call.kwargs["vm_datastore"] = settings["vm_datastore"]
    else:
        call.note("vm_datastore", "missing: no VM disk datastore found")
    for key in ("iso_datastore_shared", "iso_datastore", "bridge", "insecure"):
        if key in settings and not is_default(ProxmoxHost, key, settings[key]):
            call.kwargs[key] = settings[key]
    if settings.get("proxmox_node") not in (None, host.name):
        call.kwargs["node_name"] = settings["proxmox_node"]
    return call


def _talos(report: Report, talos: TalosFacts | None) -> Call:
    call = Call("Talos")
    if talos is None:
        return call
    _talos_extensions(report, talos, call)
    disk = _common(talos, "install_disk")
    if disk is not None and not is_default(Talos, "install_disk", disk):
        call.kwargs["install_disk"] = disk
    kernel_args = _common(talos, "kernel_args")
    if kernel_args:
        call.kwargs["kernel_args"] = list(kernel_args)
    call.kwargs.update({name: _setting(value) for name, value in talos.settings.items()})
    for key in ("patches", "controlplane_patches", "worker_patches"):
        if getattr(talos, key):
            call.kwargs[key] = getattr(talos, key)
    for key, value in (
        ("allow_scheduling_on_control_planes", talos.allow_scheduling),
        ("backend", talos.backend),
        ("config_contract", talos.config_contract),
        ("workload_isolation", talos.workload_isolation),
    ):
        if not is_default(Talos, key, value):
            call.kwargs[key] = value
    contract = talos.config_contract or talos.talos_version
    if talos.workload_isolation is True and contract and _isolating(contract):
        del call.kwargs["workload_isolation"]  # what the contract writes when left unset
    report.map(talos.file, f"cluster {talos.name}: {len(talos.nodes)} node(s)")
    return call


def _isolating(contract: str) -> bool:
    """Whether a config made for ``contract`` isolates workloads when the model leaves it
    unset (cross_layer.workload_isolation)."""
    try:
        return compat.minor(contract) >= compat.WORKLOAD_ISOLATION
    except ValueError:
        return False


def _common(talos: TalosFacts | None, key: str) -> Any:
    """The value of a node setting most nodes share (the first node's on a tie): the Talos-wide
    one; nodes with another value keep theirs."""
    values = [getattr(n, key) for n in talos.nodes] if talos else []
    return max(values, key=values.count) if values else None


def _talos_extensions(report: Report, talos: TalosFacts, call: Call) -> None:
    """The nodes' schematic extensions, or those of the schematic id the installer names."""
    extensions = _common(talos, "extensions")
    if extensions:
        call.kwargs["extensions"] = list(extensions)
        return
    if any(n.extensions for n in talos.nodes):
        return
    if not talos.schematic:
        return
    known = _extensions_of(talos.schematic)
    if known is None:
        call.note("", f"missing: extensions of Image Factory schematic {talos.schematic}")
        report.skip(talos.file, f"schematic {talos.schematic}", "its extensions are not known")
    elif known:
        call.kwargs["extensions"] = known
        report.change(talos.file, "extensions", f"recognised from schematic {talos.schematic}")


def _registered_schematic(talos: TalosFacts, infra: InfraFacts) -> None:
    """The extensions and kernel arguments of the schematic the installer names (talosctl
    backend), from the schematic the hosts register under its id."""
    for node in talos.nodes:
        text = infra.schematics.get(node.schematic or "")
        if text is None or node.extensions or node.kernel_args:
            continue
        try:
            customization = as_mapping(dig(yaml.safe_load(text), "customization"))
        except yaml.YAMLError:
            continue
        extensions = dig(customization, "systemExtensions", "officialExtensions")
        node.extensions = tuple(str(e) for e in listed(extensions))
        node.kernel_args = tuple(str(a) for a in listed(customization.get("extraKernelArgs")))


def _extensions_of(schematic: str) -> list[str] | None:
    """The extensions of a schematic id, among the lists homeops-gen's clusters commonly use."""
    for extensions in ([], [QEMU_GUEST_AGENT]):
        if schematic_id(tuple(extensions)) == schematic:
            return extensions
    return None


# --- apps -----------------------------------------------------------------------------


def _derivation_cluster(
    name: str, network: Call, nodes: int, kube: KubernetesFacts
) -> Cluster | None:
    """Enough of a cluster to compute what the app helpers derive (network, nodes, Git)."""
    try:
        net = Network(**{k: _model(v) for k, v in network.kwargs.items()})
        gitops = GitOps(
            repository=kube.repository or "https://example.invalid/x",
            **{
                k: v
                for k, v in (("branch", kube.branch), ("sync_interval", kube.sync_interval))
                if v
            },
        )
    except ValueError:
        return None
    # Only what the helpers read is filled in: no other field of this cluster is ever used.
    apps: list[App] = []
    for app in kube.apps:
        if app.chart:
            chart: dict[str, Any] = {"url": app.chart["url"], "name": None}
            found: dict[str, Any] = {"name": app.name, "chart": Chart.model_construct(**chart)}
            apps.append(App.model_construct(**found))
    fields: dict[str, Any] = {
        "name": name,
        "network": net,
        "nodes": tuple(range(nodes)),  # the helpers only count the nodes
        "gitops": gitops,
        "apps": tuple(apps),
    }
    return Cluster.model_construct(**fields)


def _overrides(
    derived: dict[str, Any],
    imported: dict[str, Any],
    missing: list[str] | None = None,
    prefix: str = "",
) -> dict[str, Any] | None:
    """The values to merge over ``derived`` to get ``imported``.

    A derived key missing from ``imported`` cannot be removed by a merge: that gives None,
    unless ``missing`` collects such keys (their dotted paths) instead.
    """
    result: dict[str, Any] = {}
    for key in derived:
        if key not in imported:
            if missing is None:
                return None
            missing.append(f"{prefix}{key}")
    for key, value in imported.items():
        if key in derived and isinstance(value, dict) and isinstance(derived[key], dict):
            sub = _overrides(derived[key], value, missing, f"{prefix}{key}.")
            if sub is None:
                return None
            if sub:
                result[key] = sub
        elif key not in derived or derived[key] != value:
            result[key] = value
    return result


@dataclass
class _Context:
    """What mapping one app needs besides the app."""

    source: Source
    derivation: Cluster | None
    mapped: Mapped
    ks_names: dict[str, str]
    """App names by the name of their Flux Kustomization."""
    flux_tree: FluxTree


@dataclass
class _Found:
    """One app as read: its chart, dependencies (app names), CRDs, and whether it bootstraps."""

    app: FluxApp
    chart: dict[str, Any]
    depends_on: list[str]
    crds: list[str]
    bootstrap: bool


def _apps(
    source: Source, kube: KubernetesFacts, derivation: Cluster | None, mapped: Mapped
) -> list[Call]:
    report = source.report
    releases = {r.name: r for r in kube.releases}
    names: dict[str, str] = {}
    for a in kube.apps:
        names.setdefault(a.ks.name, a.name)
    for a in kube.apps:  # a HelmRelease's dependsOn names releases: apps of the same name
        names.setdefault(a.name, a.name)
    names.update({a.resources_ks: a.name for a in kube.apps if a.resources_ks})
    ctx = _Context(source, derivation, mapped, names, kube.flux_tree)
    dependents = {ctx.ks_names.get(d, d) for a in kube.apps for d in a.depends_on}
    by_name = {a.name: a for a in kube.apps}
    # Bootstrap apps first, in the helmfile's order (a dependency order), then the rest.
    order = [r.name for r in kube.releases if r.name in by_name]
    ordered = [by_name[n] for n in order] + [a for a in kube.apps if a.name not in order]
    calls: list[Call] = []
    for app in ordered:
        call = _app(ctx, app, releases.pop(app.name, None))
        if call is not None:
            for file, what, why in app.reported:
                report.change(file, what, why)
            _options(report, app, call, app.name in dependents or app.resources_ks is not None)
            calls.append(call)
    for release in releases.values():
        report.skip(
            release.file, f"release {release.name}", "no Flux app deploys it (bootstrap-only)"
        )
    return calls + _carriers(ctx, kube, {a.name for a in kube.apps})


def _carriers(ctx: _Context, kube: KubernetesFacts, names: set[str]) -> list[Call]:
    """Apps without a chart carrying what Flux applies outside any app (a ConfigMap a component
    puts in every namespace...): one per namespace, named ``<namespace>-common``."""
    by_namespace: dict[str, list[Built]] = {}
    for built in kube.outside:
        by_namespace.setdefault(built.key[1], []).append(built)
    calls: list[Call] = []
    for namespace, objects in sorted(by_namespace.items()):
        if not namespace:  # cluster-scoped: no namespace to carry it into
            for built in objects:
                ctx.source.report.skip(
                    built.file,
                    f"{built.key[0]} {built.key[2]}",
                    f"applied by Kustomization {built.applied_by} outside any app; the model "
                    "carries cluster-wide objects in an app's manifests: add it to one",
                )
            continue
        name = f"{namespace}-common"
        while name in names:
            name = f"{name}-x"
        names.add(name)
        app = FluxApp(
            ks=Document(objects[0].applied_by_file, 0, {"metadata": {"name": name}}),
            release=Document(objects[0].file, 0, {"metadata": {"name": name}}),
            namespace=namespace,
            chartless=True,
        )
        call = Call("App", kwargs={"name": name, "namespace": namespace})
        call.note("", f"carries what Flux applied into {namespace} outside any app")
        state = _AppFiles(app)
        for built in objects:
            ctx.source.report.change(
                built.file,
                f"{built.key[0]} {built.key[2]} in namespace {namespace}, outside any app",
                f"carried by App {name}: its Kustomization's commonMetadata labels it "
                f"app.kubernetes.io/name: {name}",
            )
        for file in sorted({b.file for b in objects}):
            text = ctx.source.text(file)
            secret = text is not None and is_sops_encrypted(text)
            folder, key = (SECRETS, "secrets") if secret else (MANIFESTS, "manifests")
            copied = _copy(ctx, state, file, posixpath.basename(file), folder)
            call.kwargs.setdefault(key, []).append(copied)
        calls.append(call)
    return calls


def _decryption(report: Report, app: FluxApp) -> None:
    """A Kustomization's decryption where homeops-gen writes another: it decrypts with its
    SOPS key in the Kustomizations of apps with SOPS files, and only there."""
    written = {"provider": "sops", "secretRef": {"name": SOPS_AGE_SECRET}} if app.secrets else None
    if app.ks.spec.get("decryption") != written:
        report.change(
            app.ks.file,
            f"Kustomization {app.ks.name} spec.decryption",
            f"homeops-gen decrypts with Secret {SOPS_AGE_SECRET} in the Kustomizations of apps "
            "with SOPS files only",
        )


def _options(report: Report, app: FluxApp, call: Call, waited_for: bool) -> None:
    """The Kustomization's and HelmRelease's own fields: ``kustomization`` and ``release`` of a
    plain App (the helpers take neither: reported)."""
    options = dict(app.kustomization_options)
    _decryption(report, app)
    wait = options.pop("wait", None)
    if wait is not None and wait != waited_for and waited_for:
        report.change(
            app.ks.file,
            f"Kustomization {app.ks.name} wait: {wait}",
            "homeops-gen waits for the apps others depend on (or with custom resources)",
        )
    elif wait is not None and wait != waited_for:
        options["wait"] = wait
    if app.release_defaults_added:
        missing = ", ".join(f"spec.{key}" for key in app.release_defaults_added)
        report.change(
            app.release.file,
            f"HelmRelease {app.name} without {missing}",
            "homeops-gen writes its install, upgrade and rollback settings into every release",
        )
    kept = call.func == "App"
    for field_name, found, where in (
        ("kustomization", options, (app.ks.file, f"Kustomization {app.ks.name}")),
        ("release", app.release_options, (app.release.file, f"HelmRelease {app.name}")),
    ):
        if found and kept:
            call.kwargs[field_name] = found
            report.map(where[0], f"{where[1]} spec fields {', '.join(found)} (App.{field_name})")
        for key, value in found.items() if not kept else ():
            report.change(
                where[0], f"{where[1]} spec.{key}: {value!r}", f"{call.func}() does not take it"
            )


def _app(ctx: _Context, app: FluxApp, release: Release | None) -> Call | None:
    report = ctx.source.report
    if app.chartless:
        return _chartless_app(ctx, app)
    chart = app.chart or _chart_from_release(app, release)
    if chart is None:
        report.skip(app.release.file, f"app {app.name}", "no chart source and no bootstrap release")
        return None
    for dep in app.depends_on:
        if dep not in ctx.ks_names:
            report.skip(app.ks.file, f"dependsOn {dep}", "no such app in the tree")
    found = _Found(
        app=app,
        chart=chart,
        depends_on=[ctx.ks_names[d] for d in app.depends_on if d in ctx.ks_names],
        crds=_bootstrap(ctx.source, app, release, chart) if release is not None else [],
        bootstrap=release is not None,
    )
    helper = _helper(ctx, found)
    if helper is not None and not _helper_holds(ctx, app, helper):
        report.change(
            app.ks.file,
            f"app {app.name}",
            f"kept as a plain App, not {helper[0].func}(): it also applies files the helper "
            "cannot carry (manifests, SOPS files or components)",
        )
        helper = None
    call, objects = helper if helper is not None else (_plain_app(found), app.objects)
    _files(ctx, app, objects, call)
    report.map(app.ks.file, f"app {app.name} ({app.namespace}) chart {chart['version']}")
    report.map(app.release.file, f"HelmRelease {app.name} (App {app.name})")
    return call


def _chartless_app(ctx: _Context, app: FluxApp) -> Call:
    """An app of manifests and SOPS files only (no HelmRelease)."""
    call = Call("App", kwargs={"name": app.name, "namespace": app.namespace})
    depends_on = [ctx.ks_names[d] for d in app.depends_on if d in ctx.ks_names]
    if depends_on:
        call.kwargs["depends_on"] = depends_on
    _files(ctx, app, app.objects, call)
    ctx.source.report.map(app.ks.file, f"app {app.name} ({app.namespace}) without a chart")
    return call


def _plain_app(found: _Found) -> Call:
    app, chart = found.app, found.chart
    call = Call("App", kwargs={"name": app.name, "namespace": app.namespace})
    chart_call = Call("Chart", kwargs={"url": chart["url"]}, explode=False)
    if "name" in chart:
        chart_call.kwargs["name"] = chart["name"]
    chart_call.kwargs["version"] = chart["version"]
    call.kwargs["chart"] = chart_call
    for key, value in (
        ("values", app.values),
        ("depends_on", found.depends_on),
        ("bootstrap", found.bootstrap),
        ("crds", found.crds),
    ):
        if value:
            call.kwargs[key] = value
    return call


def _chart_from_release(app: FluxApp, release: Release | None) -> dict[str, Any] | None:
    if release is None or not release.chart.startswith("oci://") or not release.version:
        return None
    return {"url": release.chart, "version": release.version.removeprefix("v")}


def _bootstrap(source: Source, app: FluxApp, release: Release, chart: dict[str, Any]) -> list[str]:
    """Check the bootstrap release against the HelmRelease; its CRD URLs."""
    report = source.report
    if release.version.removeprefix("v") != chart["version"] or (
        release.chart.startswith("oci://") and release.chart != chart["url"]
    ):
        report.change(
            release.file,
            f"release {release.name} {release.chart} {release.version}",
            f"bootstrap installs the HelmRelease's chart {chart['url']} {chart['version']}",
        )
    for value in release.values:
        if isinstance(value, str):
            template = _near(source, release.file, value)
            if template and "helmrelease" in template.lower():
                report.map(
                    release.file, f"release {release.name} values ({value} reads the HelmRelease)"
                )
            else:
                report.change(
                    release.file,
                    f"release {release.name} values {value}",
                    "bootstrap installs the HelmRelease's values",
                )
        elif isinstance(value, dict) and sorted_data(value) != sorted_data(app.values):
            report.change(
                release.file,
                f"release {release.name} values",
                "bootstrap installs the HelmRelease's values",
            )
    crds: list[str] = []
    for hook in release.hooks:
        urls = hook_urls(hook)
        crds += [u for u in urls if u not in crds]
        if not urls:
            args = " ".join(str(a) for a in listed(hook.get("args")))
            if "--filename=" in args or "-f " in args:
                report.map(
                    release.file, f"release {release.name} hook applying the app's manifests"
                )
            else:
                report.change(
                    release.file,
                    f"release {release.name} hook {hook.get('command')}",
                    "homeops-gen's hooks apply CRDs before and the app's manifests after the chart",
                )
    report.map(release.file, f"release {release.name} (bootstrap app)")
    return crds


def _near(source: Source, file: str, ref: str) -> str | None:
    path = posixpath.normpath(posixpath.join(posixpath.dirname(file), ref))
    return source.text(path) if path in source.files else None


@dataclass
class _Variant:
    """One way of calling a helper, and how the source differs from what it derives."""

    options: dict[str, Any]
    overrides: dict[str, Any]
    remaining: list[Document]
    deployed: App
    added: list[str]


def _helper(ctx: _Context, found: _Found) -> tuple[Call, list[Document]] | None:
    """The helper call for Cilium, CoreDNS, flux-operator and flux-instance when what it derives
    is what the source has; else None (a plain App keeps the values)."""
    shape = _helper_shape(found)
    if shape is None or ctx.derivation is None:
        return None
    func, kwargs = shape
    report = ctx.source.report
    app = found.app
    try:
        variants = [
            _variant(ctx, found, func, {**kwargs, **options})
            for options in _helper_options(func, found.crds)
        ]
    except ValueError:  # a chart version or app name the model refuses: a plain App
        return None
    fitting = [v for v in variants if v is not None]
    if not fitting:
        missing: list[str] = []
        first = deploy(getattr(helpers, func)(found.chart["version"], **kwargs), ctx.derivation)
        _overrides(first.values, app.values, missing)
        why = f"lacks {', '.join(missing)}" if missing else "its manifests differ"
        report.change(
            app.release.file,
            f"app {app.name}",
            f"kept as a plain App with its values, not {func}(): it {why} (what {func}() derives)",
        )
        return None
    best = min(fitting, key=lambda v: len(str(v.overrides)))
    call = Call(func, args=[found.chart["version"]], explode=False)
    call.kwargs.update(
        {k: v for k, v in best.options.items() if not is_default(CiliumHelper, k, v)}
    )
    if best.overrides:
        call.kwargs["values"] = best.overrides
    if not found.bootstrap:
        call.kwargs["bootstrap"] = False
    _report_helper(report, found, func, best)
    return call, best.remaining


def _helper_shape(found: _Found) -> tuple[str, dict[str, Any]] | None:
    """Which helper could make the app, and the arguments its name and chart need."""
    chart, app = found.chart, found.app
    chart_name = chart["url"].rstrip("/").rsplit("/", 1)[-1]
    if chart_name not in HELPER_CHARTS or "name" in chart:
        return None
    func = HELPER_CHARTS[chart_name]
    named = func in ("cilium", "coredns")  # the Flux helpers have fixed names and charts
    kwargs: dict[str, Any] = {}
    if chart["url"] != DEFAULT_CHARTS[chart_name]:
        kwargs["chart_url"] = chart["url"]
    if app.name != chart_name:
        kwargs["name"] = app.name
    if app.namespace != ("kube-system" if named else "flux-system"):
        kwargs["namespace"] = app.namespace
    if kwargs and not named:
        return None
    return func, kwargs


def _helper_options(func: str, crds: list[str]) -> list[dict[str, Any]]:
    """The options to try: Cilium's Gateway API (and its CRD release) and L2 announcements."""
    if func != "cilium":
        return [{}]
    gateway_versions: list[str | None] = [None]  # the release that goes with the Cilium minor
    gateway_versions += [
        u.split("/download/")[1].split("/")[0]
        for u in crds
        if "gateway-api" in u and "/download/" in u
    ]
    return [
        {"gateway_api": g, "gateway_api_version": v, "l2_announcements": l2}
        for g in (True, False)
        for v in (gateway_versions if g else [None])
        for l2 in (None, True, False)
    ]


def _variant(ctx: _Context, found: _Found, func: str, kwargs: dict[str, Any]) -> _Variant | None:
    """How the app differs from ``func(**kwargs)``, or None if the helper cannot make it."""
    assert ctx.derivation is not None  # checked by the caller
    app = found.app
    deployed = deploy(getattr(helpers, func)(found.chart["version"], **kwargs), ctx.derivation)
    values = dict(app.values)
    missing: list[str] | None = None
    if func == "flux_instance":
        # Its sync must follow the generated tree: adopted even where it differs.
        values = _keep_sync_path(ctx.source, app, values, deployed.values)
        missing = []
    overrides = _overrides(deployed.values, values, missing)
    remaining = list(app.objects)
    for resource in deployed.resources:
        match = [d for d in remaining if sorted_data(d.data) == sorted_data(resource)]
        if not match:
            return None
        remaining.remove(match[0])
    if overrides is None or set(deployed.crds) - set(found.crds):
        return None
    options = {k: v for k, v in kwargs.items() if k in CiliumHelper.model_fields}
    return _Variant(options, overrides, remaining, deployed, missing or [])


def _report_helper(report: Report, found: _Found, func: str, best: _Variant) -> None:
    app, deployed = found.app, best.deployed
    for key in best.added:
        report.change(app.release.file, f"values of {app.name}", f"{func}() also sets {key}")
    if set(found.depends_on) != set(deployed.depends_on):
        report.change(
            app.ks.file,
            f"dependsOn of {app.name}",
            f"{func}() depends on {list(deployed.depends_on) or 'nothing'} "
            f"(found {found.depends_on or 'none'})",
        )
    extra_crds = [c for c in found.crds if c not in deployed.crds]
    if extra_crds:
        report.change(
            app.ks.file,
            f"CRDs of {app.name}: {', '.join(extra_crds)}",
            f"{func}() applies {list(deployed.crds)}",
        )
    for resource in deployed.resources:
        files = [d.file for d in app.objects if sorted_data(d.data) == sorted_data(resource)]
        report.map(
            files[0] if files else app.ks.file,
            f"{resource['kind']} {resource['metadata']['name']} (derived by {func}())",
        )
    report.map(app.release.file, f"app {app.name} as {func}()")


def _keep_sync_path(
    source: Source, app: FluxApp, values: dict[str, Any], derived: dict[str, Any]
) -> dict[str, Any]:
    """flux-instance values with the sync path of the generated tree (``out/kubernetes/...``)."""
    sync = dig(values, "instance", "sync")
    path = derived["instance"]["sync"]["path"]
    if isinstance(sync, dict) and "pullSecret" in sync:
        # Written from gitops.pull_secret (the Secret's name in its file).
        sync = {k: v for k, v in sync.items() if k != "pullSecret"}
        values = {**values, "instance": {**values["instance"], "sync": sync}}
    if isinstance(sync, dict) and sync.get("path") not in (None, path):
        source.report.change(
            app.release.file,
            f"sync path {sync.get('path')}",
            f"Flux syncs the generated tree, {path}",
        )
        values = {**values, "instance": {**values["instance"], "sync": {**sync, "path": path}}}
    return values


@dataclass
class _AppFiles:
    """The files of one app as they are mapped."""

    app: FluxApp
    used: set[str] = field(default_factory=lambda: set(_GENERATED_NAMES))
    """File names taken in the app's generated folder."""
    resources: list[dict[str, Any]] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


def _files(ctx: _Context, app: FluxApp, objects: list[Document], call: Call) -> None:
    """The app's other objects: manifests homeops-gen would write as is become ``resources``;
    other files are copied byte for byte (manifests, SOPS secrets)."""
    report = ctx.source.report
    state = _AppFiles(app)
    by_file: dict[str, list[Document]] = {}
    for doc in objects:
        by_file.setdefault(doc.file, []).append(doc)
    for file, docs in by_file.items():
        _object_file(ctx, state, file, docs)
    _generated(ctx, app, state)
    for file in _component_files(ctx, app):
        text = ctx.source.text(file)
        if text is not None and is_sops_encrypted(text):
            app.secrets.append(file)
            continue
        report.change(
            file,
            f"applied by Kustomization {app.ks.name} through a component",
            "copied beside the app's release: the generated app lists the file itself",
        )
        state.manifests.append(_copy(ctx, state, file, posixpath.basename(file), MANIFESTS))
    if app.secrets:
        report.change(
            ".sops.yaml",
            f"SOPS files of {app.name}",
            f"copied to {SECRETS}/{app.namespace}/{app.name}/: the generated .sops.yaml has a rule "
            "for that folder",
        )
    for file in app.secrets:
        name = posixpath.basename(file)
        if not name.endswith((".sops.yaml", ".sops.yml")):
            stem = name.rsplit(".", 1)[0]
            report.change(
                file, "secret", f"copied as {stem}.sops.yaml (the model's name for SOPS files)"
            )
            name = f"{stem}.sops.yaml"
        state.secrets.append(_copy(ctx, state, file, name, SECRETS))
    for key in ("resources", "manifests", "secrets"):
        if getattr(state, key):
            call.kwargs[key] = getattr(state, key)


def _component_files(ctx: _Context, app: FluxApp) -> list[str]:
    """Files the app's Flux Kustomization applies beyond its folder's resources: its components'
    (``spec.components``, or a ``components:`` of its kustomization)."""
    if not app.primary:
        return []
    listed_files = {*app.files, app.ks.file}
    found = {
        built.file
        for built in _applied(ctx, app)
        if built.file not in listed_files and not built.generated
    }
    return sorted(found)


def _applied(ctx: _Context, app: FluxApp) -> list[Built]:
    """What the app's Flux Kustomization applies, as built."""
    return [
        built
        for built in ctx.flux_tree.objects.values()
        if built.applied_by == app.ks.name and built.applied_by_file == app.ks.file
    ]


def _generated(ctx: _Context, app: FluxApp, state: _AppFiles) -> None:
    """ConfigMaps and Secrets the app's kustomization generators make: ``resources`` of the
    app when their names are fixed (the model has no generators); reported otherwise."""
    report = ctx.source.report
    for built in _applied(ctx, app) if app.primary else []:
        kind, _, name = built.key
        if built.generated == "named":
            state.resources.append(_generated_resource(built.data))
            report.change(
                built.file,
                f"{kind} {name} (made by its generator)",
                "kept as a resource of the app: the model has no generators, so its data now "
                "lives in cluster.py",
            )
        elif built.generated == "hashed":
            report.skip(
                built.file,
                f"{kind} {name} (made by its generator)",
                "its name carries kustomize's hash suffix, which the model's resources do not "
                "follow: set disableNameSuffixHash, or carry it by hand",
            )


def _generated_resource(data: dict[str, Any]) -> dict[str, Any]:
    """A generated object as the app's resource: without the namespace its Kustomization
    sets."""
    metadata = {k: v for k, v in as_mapping(data.get("metadata")).items() if k != "namespace"}
    return {**data, "metadata": metadata}


def _helper_holds(ctx: _Context, app: FluxApp, helper: tuple[Call, list[Document]]) -> bool:
    """Whether the helper call can carry everything else the app applies: the helpers take
    no manifests or SOPS files, and only cilium() takes ``resources``."""
    call, remaining = helper
    if app.secrets or _component_files(ctx, app):
        return False
    if any(b.generated for b in _applied(ctx, app)) and call.func != "cilium":
        return False
    if not remaining:
        return True
    return call.func == "cilium" and all(_is_resource(ctx, d) for d in remaining)


def _is_resource(ctx: _Context, doc: Document) -> bool:
    """Whether ``doc``'s file is exactly what homeops-gen writes for it as a resource."""
    objects = ctx.source.kubernetes_objects.get(doc.file, [])
    if len(objects) != 1 or posixpath.basename(doc.file) != resource_file(doc.data):
        return False
    schema = schema_url(
        str(doc.data["apiVersion"]), str(doc.data["kind"]), kube_version(ctx.mapped)
    )
    return ctx.source.text(doc.file) == yaml_file(doc.data, schema=schema)


def _object_file(ctx: _Context, state: _AppFiles, file: str, docs: list[Document]) -> None:
    """One file of plain manifests: ``resources`` if homeops-gen writes it so, else a copy."""
    report = ctx.source.report
    name = posixpath.basename(file)
    if len(docs) < len(ctx.source.kubernetes_objects.get(file, [])):
        state.resources += [doc.data for doc in docs]
        state.used |= {resource_file(doc.data) for doc in docs}
        report.change(
            file,
            f"{len(docs)} object(s)",
            "the file also held the release or its source: kept as resources",
        )
        return
    data = docs[0].data
    if len(docs) == 1 and name == resource_file(data):
        schema = schema_url(str(data["apiVersion"]), str(data["kind"]), kube_version(ctx.mapped))
        if ctx.source.text(file) == yaml_file(data, schema=schema):
            state.resources.append(data)
            state.used.add(name)
            report.map(file, f"{data['kind']} {docs[0].name} (as a resource)")
            return
    state.manifests.append(_copy(ctx, state, file, name, MANIFESTS))


def kube_version(mapped: Mapped) -> str:
    """The Kubernetes version of the model being built (the editor schema of resources)."""
    versions = mapped.cluster.kwargs.get("versions")
    return str(versions.kwargs["kubernetes"]) if isinstance(versions, Call) else "v1.34.0"


def _copy(ctx: _Context, state: _AppFiles, file: str, name: str, folder: str) -> str:
    """Copy ``file`` byte for byte into the project's ``folder``; the project path (one no other
    source file has)."""
    app = state.app
    if name in state.used:
        renamed = f"{app.name}-{name}"
        ctx.source.report.change(
            file, "file name", f"copied as {renamed}: {name} is taken in the app's folder"
        )
        name = renamed
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate in state.used or not ctx.mapped.add(
        f"{folder}/{app.namespace}/{app.name}/{candidate}", ctx.source, file
    ):
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    if candidate != name:
        ctx.source.report.change(
            file,
            "file name",
            f"copied as {candidate}: {name} is another file's in the app's folder",
        )
    state.used.add(candidate)
    target = f"{folder}/{app.namespace}/{app.name}/{candidate}"
    ctx.source.report.map(file, f"copied byte for byte to {target}")
    return target
