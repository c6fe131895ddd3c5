"""Layer 1: Terragrunt and OpenTofu for Proxmox (``templates/infrastructure`` -> ``out/infrastructure``).

The shared Proxmox module's inputs are described once, typed, in :data:`VARIABLES`
and :data:`NODE_ATTRIBUTES`: its ``variables.tf`` and every host's ``inputs`` are
both rendered from that description, so they cannot disagree. Adding an input (or a
per-node attribute) is one entry there, plus the line of ``main.tf`` that reads it
(a test checks the module reads every variable and attribute).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeops_gen import cross_layer
from homeops_gen.formats import Generated
from homeops_gen.layout import INFRASTRUCTURE
from homeops_gen.model import Cluster, Node, ProxmoxHost
from homeops_gen.project import Project
from homeops_gen.templating import render_template

BPG_PROXMOX_VERSION = "~> 0.112.0"
"""The bpg/proxmox provider releases the generated module is written for: patch releases of
one minor only, since bpg removes and renames attributes between minor releases. 0.112 has
``proxmox_download_file`` (the short name of 0.100, which can take the state of the deprecated
``proxmox_virtual_environment_download_file`` through a ``moved`` block)."""

TALOS_PROVIDER_VERSION = "~> 0.11.0"
"""The siderolabs/talos provider releases whose ``talos_image_factory_schematic`` registers
the schematic with the Image Factory (POST /schematics)."""

TOFU_VERSION = ">= 1.10.0"
"""OpenTofu releases that can run the module: the S3 backend's ``use_lockfile`` (native
state locking) arrived in 1.10.0."""

SHARED_MODULE = ("versions.tf", "provider.tf", "variables.tf", "main.tf")
MODULE_DIR = f"{INFRASTRUCTURE}/shared/proxmox"
DHCP_ADDRESS = "dhcp"
"""A ``Node(dhcp=True)`` VM's cloud-init address: bpg's ``ip_config.ipv4.address`` takes
``dhcp`` for autodiscovery, and its ``gateway`` must then be omitted (bpg/proxmox v0.112.0,
docs/resources/virtual_environment_vm.md): the node's ``gateway`` attribute is null."""

REQUIRED = object()
"""The ``default`` of a variable every unit must set."""


@dataclass(frozen=True)
class NodeAttribute:
    """One attribute of each VM in the module's ``nodes`` map."""

    name: str
    type: str
    """Its HCL type: ``string``, ``number``, ``bool``, ``list(string)``, ..."""
    value: Callable[[Cluster, Node], Any]
    block: tuple[str, ...] = ()
    """Where the VM resource of ``main.tf`` sets it (``("cpu", "cores")``): where ``import``
    reads it back, in a module it follows (a test checks main.tf uses it there)."""


@dataclass(frozen=True)
class Variable:
    """One input variable of the shared Proxmox module."""

    name: str
    type: str
    """Its HCL type constraint."""
    description: str
    value: Callable[[Cluster, ProxmoxHost], Any] | None
    """The host's input; None: root.hcl sets it from the environment (``TF_VAR_<name>``).
    A value of None leaves the variable at its default (the input is not written)."""
    default: Any = REQUIRED
    sensitive: bool = False
    block: tuple[str, ...] = ()
    """Where the VM resource of ``main.tf`` sets it, as for :attr:`NodeAttribute.block`."""

    @property
    def required(self) -> bool:
        """Whether every unit must give the variable a value."""
        return self.default is REQUIRED


def _node_description(cluster: Cluster, node: Node) -> str:
    return (
        node.description or f"Talos {node.role} of cluster {cluster.name}. Managed by homeops-gen."
    )


def _extra_disks(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    host = next(h for h in cluster.hosts if h.name == node.host)
    return [
        {"size_gib": disk.size_gib, "datastore": disk.datastore or host.vm_datastore}
        for disk in node.extra_disks
    ]


NODE_ATTRIBUTES: tuple[NodeAttribute, ...] = (
    NodeAttribute("vm_name", "string", lambda c, n: n.proxmox_name, block=("name",)),
    NodeAttribute("vm_id", "number", lambda c, n: n.vm_id, block=("vm_id",)),
    NodeAttribute("role", "string", lambda c, n: n.role),
    NodeAttribute("cores", "number", lambda c, n: n.cores, block=("cpu", "cores")),
    NodeAttribute("memory_mib", "number", lambda c, n: n.memory_mib, block=("memory", "dedicated")),
    NodeAttribute("disk_gib", "number", lambda c, n: n.disk_gib, block=("disk", "size")),
    # The system disk's interface: how the guest names it must be the install disk.
    NodeAttribute(
        "disk_interface",
        "string",
        lambda c, n: cross_layer.disk_interface(cross_layer.install_disk(c, n)),
    ),
    NodeAttribute(
        "address",
        "string",
        lambda c, n: DHCP_ADDRESS if n.dhcp else f"{n.ip}/{c.network.node_cidr.prefixlen}",
        block=("initialization", "ip_config", "ipv4", "address"),
    ),
    NodeAttribute(
        "gateway",
        "string",
        lambda c, n: None if n.dhcp or c.network.gateway is None else str(c.network.gateway),
        block=("initialization", "ip_config", "ipv4", "gateway"),
    ),
    # Control planes start first, so the API is up when workers join.
    NodeAttribute("startup_order", "number", lambda c, n: 1 if n.is_controlplane else 2),
    NodeAttribute("description", "string", _node_description, block=("description",)),
    NodeAttribute(
        "iso", "string", lambda c, n: cross_layer.talos_iso_file_name(c, c.talos.node_extensions(n))
    ),
    NodeAttribute(
        "guest_agent", "bool", lambda c, n: cross_layer.guest_agent(c.talos.node_extensions(n))
    ),
    NodeAttribute(
        "mac_address",
        "string",
        lambda c, n: n.mac_address,
        block=("network_device", "mac_address"),
    ),
    NodeAttribute("vlan_id", "number", lambda c, n: n.vlan_id, block=("network_device", "vlan_id")),
    # Data disks after the system disk: scsi1, scsi2, ...
    NodeAttribute(
        "extra_disks",
        "list(object({\n  size_gib  = number\n  datastore = string\n}))",
        _extra_disks,
    ),
)
"""What the module knows of each VM (``each.value.<name>`` in main.tf)."""


def _nodes_type() -> str:
    # As terraform fmt aligns: a multi-line type ends the run of aligned attributes.
    lines: list[str] = []
    run: list[NodeAttribute] = []
    for attribute in (*NODE_ATTRIBUTES, None):
        if attribute is None or "\n" in attribute.type:
            width = max((len(a.name) for a in run), default=0)
            lines += [f"    {a.name.ljust(width)} = {a.type}\n" for a in run]
            run = []
            if attribute is not None:
                nested = attribute.type.replace("\n", "\n    ")
                lines.append(f"    {attribute.name} = {nested}\n")
        else:
            run.append(attribute)
    return "map(object({\n" + "".join(lines) + "  }))"


def _images(cluster: Cluster, host: ProxmoxHost) -> list[tuple[str, ...]]:
    """The extension lists of the images ``host``'s unit downloads: its nodes' images, and on
    a shared ISO datastore it owns, those of every host sharing it."""
    hosts = [host]
    if host.iso_datastore_shared and cross_layer.iso_owner(cluster, host) == host:
        hosts = [h for h in cluster.hosts if cross_layer.iso_owner(cluster, h) == host]
    nodes = [n for h in hosts for n in cluster.nodes_on(h)]
    # A host without nodes still gets the cluster's image, ready for a node moved there.
    return sorted({cluster.talos.node_extensions(n) for n in nodes} or {cluster.talos.extensions})


def _talos_isos(cluster: Cluster, host: ProxmoxHost) -> dict[str, str]:
    return {
        cross_layer.talos_iso_file_name(cluster, extensions): cross_layer.talos_iso_url(
            cluster, extensions
        )
        for extensions in _images(cluster, host)
    }


def _talos_schematics(cluster: Cluster, host: ProxmoxHost) -> dict[str, str]:
    args = cluster.talos.kernel_args
    return {
        cross_layer.schematic_id(ext, args): cross_layer.schematic(ext, args)
        for ext in _images(cluster, host)
    }


def vm_key(node: Node) -> str:
    """A VM's key in the module's ``for_each``: its VM id, which Proxmox cannot change in place
    anyway, so renaming a node updates the VM instead of replacing it."""
    return str(node.vm_id)


def _nodes(cluster: Cluster, host: ProxmoxHost) -> dict[str, dict[str, Any]]:
    return {
        vm_key(node): {a.name: a.value(cluster, node) for a in NODE_ATTRIBUTES}
        for node in cluster.nodes_on(host)
    }


def keys_by_name(cluster: Cluster) -> list[tuple[str, str]]:
    """(node name, VM key) of every node whose VM states from before homeops-gen keyed VMs by
    VM id hold under its name: ``moved`` blocks carry those states over."""
    return [(n.name, vm_key(n)) for n in cluster.nodes if n.name != vm_key(n)]


TALOS_SCHEMATICS = "talos_schematics"
"""The host input mapping each Image Factory schematic id to its YAML."""

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "proxmox_endpoint",
        "string",
        "The Proxmox VE API URL of the host.",
        lambda c, h: h.endpoint,
    ),
    Variable(
        "proxmox_insecure",
        "bool",
        "Accept a self-signed TLS certificate on the API.",
        lambda c, h: h.insecure,
        default=False,
    ),
    Variable(
        "proxmox_api_token",
        "string",
        "The API token (user@realm!id=secret), from PROXMOX_<HOST>_API_TOKEN.",
        None,
        sensitive=True,
    ),
    Variable(
        "proxmox_node",
        "string",
        "The host's node name in Proxmox VE.",
        lambda c, h: h.proxmox_node,
        block=("node_name",),
    ),
    Variable("cluster_name", "string", "The Talos cluster the VMs belong to.", lambda c, h: c.name),
    Variable(
        "talos_isos",
        "map(string)",
        "The Talos nocloud ISOs the host's nodes boot (one per schematic): file name in the "
        "ISO datastore => Image Factory URL.",
        _talos_isos,
    ),
    Variable(
        TALOS_SCHEMATICS,
        "map(string)",
        "The Image Factory schematics (YAML) of those ISOs, by the id computed offline: each "
        "is registered with the factory before its ISO is downloaded.",
        _talos_schematics,
    ),
    Variable(
        "download_iso",
        "bool",
        "Whether this unit downloads the ISOs; false when another host's unit owns them on "
        "shared storage.",
        lambda c, h: cross_layer.iso_owner(c, h) == h,
    ),
    Variable(
        "iso_datastore",
        "string",
        "The datastore holding ISO images.",
        lambda c, h: h.iso_datastore,
    ),
    Variable(
        "vm_datastore",
        "string",
        "The datastore for VM disks and cloud-init drives.",
        lambda c, h: h.vm_datastore,
        block=("disk", "datastore_id"),
    ),
    Variable(
        "bridge",
        "string",
        "The network bridge the VMs attach to.",
        lambda c, h: h.bridge,
        block=("network_device", "bridge"),
    ),
    Variable(
        "nameservers",
        "list(string)",
        "DNS servers handed to the VMs through cloud-init.",
        lambda c, h: list(c.network.nameservers) or None,
        default=[],
    ),
    Variable("nodes", _nodes_type(), "The VMs on this host, by VM id.", _nodes),
)
"""The shared module's variables, in the order ``variables.tf`` declares them."""


def render(project: Project) -> dict[str, str]:
    """``root.hcl``, the shared Proxmox module, and one ``terragrunt.hcl`` per host."""
    cluster = project.cluster
    files = {
        f"{INFRASTRUCTURE}/root.hcl": render_template(
            "infrastructure/root.hcl.j2",
            state=cluster.state,
            credentials={h.name: cross_layer.host_credentials(h) for h in cluster.hosts},
        )
    }
    declared = {v.name: v.required for v in VARIABLES}
    for name in SHARED_MODULE:
        # Each module file carries the variables it declares (name -> required) for the checks.
        files[f"{MODULE_DIR}/{name}"] = Generated(
            render_template(
                f"infrastructure/shared/proxmox/{name}.j2",
                provider_version=BPG_PROXMOX_VERSION,
                talos_provider_version=TALOS_PROVIDER_VERSION,
                tofu_version=TOFU_VERSION,
                variables=VARIABLES,
                moved=keys_by_name(cluster),
                network_card_model=cross_layer.VM_NETWORK_CARD.model,
            ),
            {"variables": declared if name == "variables.tf" else {}},
        )
    for host in cluster.hosts:
        folder = f"{INFRASTRUCTURE}/hosts/{host.name}"
        # The unit carries its source and inputs, so the checks read them without parsing HCL.
        unit = {
            "source": posixpath.relpath(MODULE_DIR, folder),
            "inputs": host_inputs(cluster, host),
        }
        files[f"{folder}/terragrunt.hcl"] = Generated(
            render_template(
                "infrastructure/hosts/terragrunt.hcl.j2",
                host=host,
                nodes=cluster.nodes_on(host),
                iso_owner=cross_layer.iso_owner(cluster, host).name,
                **unit,
            ),
            unit,
        )
    return files


def host_inputs(cluster: Cluster, host: ProxmoxHost) -> dict[str, Any]:
    """The inputs of ``host``'s terragrunt unit: a value for each module variable not set
    from the environment, variables left at their default aside."""
    inputs: dict[str, Any] = {}
    for variable in VARIABLES:
        if variable.value is not None:
            value = variable.value(cluster, host)
            if value is not None:
                inputs[variable.name] = value
    return inputs
