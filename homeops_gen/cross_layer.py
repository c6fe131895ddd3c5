"""Values more than one generated layer computes from the model (image schematics, install
disks, the cluster DNS address, ...): each is computed here, once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from ipaddress import IPv4Address

from homeops_gen import compat
from homeops_gen.model import Cluster, DiskSelector, Node, ProxmoxHost, disk_size_condition

IMAGE_FACTORY = "factory.talos.dev"
PLATFORM = "nocloud"
"""The Talos platform of the VMs: they read their address from the Proxmox cloud-init drive.
The ISO they boot and the installer that writes Talos to disk must both be for it, or
an installed node would boot as bare metal and lose its address."""
METAL_PLATFORM = "metal"
"""The Talos platform of a bare-metal node: its ISO and installer (its address is in its
machine config)."""
QEMU_GUEST_AGENT = "siderolabs/qemu-guest-agent"

KUBEPRISM_HOST = "localhost"
KUBEPRISM_PORT = 7445
"""Talos' in-cluster API load balancer on every node, which Cilium reaches the API through."""

TALOS_LINK = "net0"
"""The alias the typed Talos network documents give the node's network link (a bond's cards
are ``net0``, ``net1``, ...)."""
TALOS_BOND = "bond0"
"""The name of a bare-metal node's bond."""

CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane"
"""The NoSchedule taint gen config gives control planes (removed when they run workloads)."""


def schematic(extensions: tuple[str, ...], kernel_args: tuple[str, ...] = ()) -> str:
    """The Image Factory schematic of an image with ``extensions`` and extra ``kernel_args``, as
    Go's yaml.v3 marshals it (image-factory ``pkg/schematic``: ``customization`` holds
    ``extraKernelArgs`` before ``systemExtensions``, empty ones omitted).

    yaml.v3 indents by four spaces; an empty schematic is ``customization: {}``.
    Extension names and kernel arguments are restricted by the model to characters that
    yaml.v3 writes unquoted, so the text is byte-identical to the factory's.
    """
    if not extensions and not kernel_args:
        return "customization: {}\n"
    text = "customization:\n"
    if kernel_args:
        text += "    extraKernelArgs:\n" + "".join(f"        - {arg}\n" for arg in kernel_args)
    if extensions:
        text += "    systemExtensions:\n        officialExtensions:\n" + "".join(
            f"            - {ext}\n" for ext in extensions
        )
    return text


def schematic_id(extensions: tuple[str, ...], kernel_args: tuple[str, ...] = ()) -> str:
    """The schematic ID of an image with ``extensions`` (and ``kernel_args``), exactly as the
    Talos Image Factory computes it: the SHA-256 of :func:`schematic`. The factory serves
    images only for schematics registered with it, which the infrastructure layer does before
    the download."""
    return hashlib.sha256(schematic(extensions, kernel_args).encode()).hexdigest()


def talos_iso_url(cluster: Cluster, extensions: tuple[str, ...]) -> str:
    """The nocloud ISO for the schematic of ``extensions`` and the model's Talos version."""
    sid = schematic_id(extensions, cluster.talos.kernel_args)
    image = f"{sid}/{cluster.versions.talos}/{PLATFORM}-amd64.iso"
    return f"https://{IMAGE_FACTORY}/image/{image}"


def platform(node: Node) -> str:
    """The Talos platform of ``node``'s ISO and installer: ``nocloud`` for a VM, ``metal``
    for a bare-metal node."""
    return METAL_PLATFORM if node.is_bare_metal else PLATFORM


def metal_iso_url(cluster: Cluster, node: Node) -> str:
    """The ISO a bare-metal node boots: its schematic, for ``metal``, at ``versions.talos``."""
    sid = schematic_id(cluster.talos.node_extensions(node), cluster.talos.kernel_args)
    return (
        f"https://{IMAGE_FACTORY}/image/{sid}/{cluster.versions.talos}/{METAL_PLATFORM}-amd64.iso"
    )


def installer_url_template(cluster: Cluster) -> str:
    """talhelper's template for the installer image: the same schematic, for the node's
    platform (its ``machineSpec.mode``), at ``versions.talos`` (talhelper's own version field
    is the version contract's)."""
    return "{{.RegistryURL}}/{{.Mode}}-installer/{{.ID}}:" + cluster.versions.talos


def talos_iso_file_name(cluster: Cluster, extensions: tuple[str, ...]) -> str:
    """A file name that changes with the image, so a new version never reuses an old ISO."""
    schematic = schematic_id(extensions, cluster.talos.kernel_args)[:12]
    return f"talos-{cluster.versions.talos}-{schematic}-{PLATFORM}-amd64.iso"


@dataclass(frozen=True)
class NetworkCard:
    """A VM's network card: the Proxmox model it is created with, the Linux driver it gets."""

    model: str
    driver: str


VM_NETWORK_CARD = NetworkCard(model="virtio", driver="virtio_net")
"""The VMs' one network card: the infrastructure layer creates it, the Talos layer selects it."""

SYSTEM_DISK_INTERFACES = {"/dev/sda": "scsi0", "/dev/vda": "virtio0"}
"""The VM's system disk, by the name the guest sees it under: the first disk of the
VirtIO SCSI controller is ``/dev/sda``, the first VirtIO block device ``/dev/vda``."""


def install_disk(cluster: Cluster, node: Node) -> str | DiskSelector:
    """The disk Talos installs itself to on ``node``: a path, or (bare metal) a selector."""
    return cluster.talos.node_install_disk(node)


def install_disk_path(cluster: Cluster, node: Node) -> str:
    """The install disk path ``talosctl gen config`` is given for ``node``: its own, or for a
    node with a selector ``talos.install_disk`` (the selector, in its patch, wins)."""
    disk = install_disk(cluster, node)
    return disk if isinstance(disk, str) else cluster.talos.install_disk


def disk_interface(disk: str | DiskSelector) -> str | None:
    """The Proxmox interface of the system disk that the guest sees as ``disk``, or None
    when no VM disk homeops-gen creates shows up under that name."""
    return SYSTEM_DISK_INTERFACES.get(disk) if isinstance(disk, str) else None


def disk_match(selector: DiskSelector) -> str:
    """The CEL expression of ``selector`` as Talos builds it from a v1alpha1
    ``installDiskSelector`` (machinery ``InstallConfig.DiskMatchExpression``): size, model,
    serial, a disk with a transport (not a device-mapper one), neither read-only nor a CD-ROM."""
    terms = []
    if selector.size is not None:
        op, size = disk_size_condition(selector.size)
        terms.append(f"disk.size {op} {size}u")
    for field, pattern in (("model", selector.model), ("serial", selector.serial)):
        if pattern is not None:
            terms.append(f'glob("{pattern}", disk.{field})')
    return " && ".join([*terms, 'disk.transport != ""', "!disk.readonly", "!disk.cdrom"])


def iso_owner(cluster: Cluster, host: ProxmoxHost) -> ProxmoxHost:
    """The host whose unit downloads (and owns) the ISOs ``host``'s VMs boot from.

    A datastore of a host's own is its own; a shared one belongs to the first host in the
    model that names it shared, so one state creates each file and destroying another
    host's unit never deletes it."""
    if not host.iso_datastore_shared:
        return host
    return next(
        h for h in cluster.hosts if h.iso_datastore_shared and h.iso_datastore == host.iso_datastore
    )


def guest_agent(extensions: tuple[str, ...]) -> bool:
    """Whether an image with ``extensions`` runs the QEMU guest agent; Proxmox waits for it
    only then."""
    return QEMU_GUEST_AGENT in extensions


def cluster_dns_ip(cluster: Cluster) -> IPv4Address:
    """The cluster DNS service IP: the tenth address of ``service_cidr``."""
    return cluster.network.service_cidr[10]


def host_credentials(host: ProxmoxHost) -> dict[str, str]:
    """The environment variables holding ``host``'s Proxmox credentials (its API token).

    The provider reaches Proxmox through the API alone: SSH is needed only to upload
    snippets or import disks from files, and the generated module does neither."""
    return {"api_token": f"{host.env_prefix}_API_TOKEN"}


def uses_managed_coredns(cluster: Cluster) -> bool:
    """Whether CoreDNS is an app of the model (then Talos' own CoreDNS is disabled)."""
    return bool(cluster.apps_installing("coredns"))


def ha_replicas(cluster: Cluster) -> int:
    """Replicas of a cluster service: two where a second node can take over, else one."""
    return 1 if len(cluster.nodes) == 1 else 2


def config_contract(cluster: Cluster) -> str:
    """The machine-config version contract, ``v1.11``: pinned by the model or ``versions.talos``'s minor."""
    if cluster.talos.config_contract is not None:
        return cluster.talos.config_contract
    return "v" + compat.show(compat.minor(cluster.versions.talos))


def typed_network_documents(cluster: Cluster) -> bool:
    """Whether the node network is written as typed documents (Talos 1.12+ contract)."""
    return compat.minor(config_contract(cluster)) >= compat.TYPED_NETWORK_DOCUMENTS


def kubernetes_documents(cluster: Cluster) -> bool:
    """Whether the Kubernetes settings are typed documents (Talos 1.14+ contract)."""
    return compat.minor(config_contract(cluster)) >= compat.KUBERNETES_DOCUMENTS


def workload_isolation(cluster: Cluster) -> bool | None:
    """The SecurityProfileConfig ``workloadIsolation`` to write, or None for no document.

    Talos writes the document (isolation on) into configs of a 1.14+ contract only; clusters
    made by an older contract run without it. The model's explicit choice is always written.
    """
    if cluster.talos.workload_isolation is not None:
        return cluster.talos.workload_isolation
    if compat.minor(config_contract(cluster)) >= compat.WORKLOAD_ISOLATION:
        return True
    return None


def installer_image(cluster: Cluster, node: Node) -> str:
    """The installer image of ``node``: its schematic, its platform, the model's Talos."""
    schematic = schematic_id(cluster.talos.node_extensions(node), cluster.talos.kernel_args)
    return f"{IMAGE_FACTORY}/{platform(node)}-installer/{schematic}:{cluster.versions.talos}"
