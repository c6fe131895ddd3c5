"""The typed model of a cluster: the one source every generated layer derives from."""

import math
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = [
    "App",
    "Automation",
    "Bgp",
    "BgpPeer",
    "Bond",
    "Chart",
    "Cluster",
    "Disk",
    "DiskSelector",
    "GitOps",
    "KubeletMount",
    "Namespace",
    "Network",
    "Node",
    "ProxmoxHost",
    "RemoteState",
    "Sops",
    "Talos",
    "Versions",
    "Webhook",
]


def matching(pattern: str, what: str) -> AfterValidator:
    """A check that a string matches ``pattern``; a mismatch says it is not ``what``."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label (lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters)"
        )
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
"""A DNS-1123 label: the names of nodes, hosts, apps and namespaces."""

RELEASE = r"v\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
"""A release ``v1.11.5``, or a pre-release of one (semver's ``-rc.1``, ``-beta.0``, ...)."""

SemVer = Annotated[str, matching(r"v\d+\.\d+\.\d+", "a version such as v1.3.0")]
"""A version with a leading ``v``, such as ``v1.11.5``."""

ChartVersion = Annotated[
    str,
    matching(
        r"v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?",
        "a chart version such as 1.18.4 or v1.19.1 (exactly as the chart publishes it)",
    ),
]
"""A chart's semantic version exactly as published, with or without a leading ``v``
(``1.18.4``, ``v1.19.1``): it is the OCI tag and the version Helm looks up."""

HttpsUrl = Annotated[
    str, matching(r"https://[A-Za-z0-9._~:/?#@!&+,;=%-]+", "an https:// URL (no spaces or quotes)")
]
"""A ``https://`` URL of characters that need no quoting anywhere."""

EnvVarName = Annotated[
    str, matching(r"[A-Z_][A-Z0-9_]*", "an environment variable name such as R2_ACCESS_KEY")
]
"""The name of an environment variable."""

# Keys and values of Kubernetes labels (the prefix of a key is optional).
LabelKey = Annotated[
    str,
    StringConstraints(max_length=317),
    matching(
        r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
        "a label key such as topology.kubernetes.io/zone (an optional DNS prefix and '/', "
        "then a name of letters, digits, '-', '_' and '.')",
    ),
]
LabelValue = Annotated[
    str,
    matching(
        r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?",
        "a label value (at most 63 letters, digits, '-', '_' or '.', "
        "starting and ending with a letter or digit)",
    ),
]

# An official Talos system extension, e.g. "siderolabs/qemu-guest-agent".
Extension = Annotated[
    str,
    matching(
        r"[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*",
        "a Talos system extension such as siderolabs/qemu-guest-agent",
    ),
]

_PROJECT_PATH = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def _project_path(value: str) -> str:
    if not _PROJECT_PATH.fullmatch(value) or ".." in value.split("/"):
        raise ValueError(
            f"{value!r} is not a relative path inside the project "
            "(letters, digits, '.', '_', '-' and '/', no '..')"
        )
    return value


ProjectPath = Annotated[str, AfterValidator(_project_path)]
"""A file of the project, relative to ``cluster.py``'s folder."""


DomainName = Annotated[
    str,
    StringConstraints(max_length=253),
    matching(
        r"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
        "a DNS domain such as example.com (lower-case labels joined by '.')",
    ),
]
"""A DNS domain with at least two labels, such as ``example.com``."""

EmailAddress = Annotated[
    str,
    matching(
        r"[^@\s\"'\\]+@[^@\s\"'\\]+\.[^@\s\"'\\]+", "an e-mail address such as you@example.com"
    ),
]
"""An e-mail address (what an ACME account is registered with)."""

DnsProvider = Literal["cloudflare"]
"""The DNS providers the DNS helpers know how to authenticate with (a Cloudflare API token)."""


ProxmoxName = Annotated[
    str,
    matching(
        r"[A-Za-z0-9][A-Za-z0-9_.-]*",
        "a Proxmox name such as local-lvm or vmbr0 (letters, digits, '_', '.' and '-')",
    ),
]
"""The name of a Proxmox datastore or bridge."""

DevicePath = Annotated[
    str, matching(r"/dev/[A-Za-z0-9/_.-]+", "a disk device path such as /dev/sda")
]
"""A block device of a node, such as ``/dev/sda``."""


ON_CREATE: ContextVar[Callable[[BaseModel], None] | None] = ContextVar("on_create", default=None)
"""Called with every model object as it is built (the loader records where in cluster.py)."""


class Base(BaseModel):
    """Every model type: unknown fields rejected, instances immutable."""

    # Field docstrings document the model (the README's reference is built from them by
    # tests/test_readme.py); pydantic is not asked to read them (use_attribute_docstrings):
    # that parses this module's source again for every class, ~13 ms of every start.
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        hook = ON_CREATE.get()
        if hook is not None:
            hook(self)


class Versions(Base):
    """The versions of Talos Linux and Kubernetes the cluster runs."""

    talos: Annotated[
        str,
        matching(
            RELEASE, "a Talos version such as v1.11.5 (or a pre-release such as v1.14.0-rc.1)"
        ),
    ]
    """The Talos Linux release, e.g. ``v1.11.5``; a pre-release (``v1.14.0-rc.1``) is
    accepted with a warning."""
    kubernetes: Annotated[
        str,
        matching(
            RELEASE,
            "a Kubernetes version such as v1.34.0 (or a pre-release such as v1.35.0-rc.0)",
        ),
    ]
    """The Kubernetes release, e.g. ``v1.34.0``: one the Talos release supports; a
    pre-release is accepted with a warning."""


Asn = Annotated[int, Field(ge=1, le=4_294_967_295)]
"""A BGP autonomous system number (4-byte)."""


class BgpPeer(Base):
    """A router the nodes peer with over BGP."""

    address: IPv4Address
    """The router's IPv4 address."""
    asn: Asn
    """The router's autonomous system number."""


class Bgp(Base):
    """BGP peering of every node with the network's routers (Cilium's BGP control plane).

    Each node announces the load-balancer IPs of its Services to ``peers``, so addresses
    outside ``node_cidr`` are reachable with no static route on the router."""

    local_asn: Asn
    """The nodes' autonomous system number."""
    peers: Annotated[tuple[BgpPeer, ...], Field(min_length=1)]
    """The routers every node peers with (at least one)."""


class Network(Base):
    """The node network and the cluster's internal address ranges."""

    node_cidr: IPv4Network
    """The network the nodes' VMs are on (their IPs, the gateway and the endpoint lie in it)."""
    gateway: IPv4Address | None = None
    """The default gateway of the node network, handed to the VMs through cloud-init."""
    pod_cidr: IPv4Network = IPv4Network("10.42.0.0/16")
    """The addresses of pods."""
    service_cidr: IPv4Network = IPv4Network("10.43.0.0/16")
    """The addresses of Services; the cluster DNS is its tenth address."""
    load_balancer_cidr: IPv4Network | None = None
    """Cilium's pool for LoadBalancer Services: inside ``node_cidr`` it is announced with ARP (L2)."""
    nameservers: tuple[IPv4Address, ...] = ()
    """DNS servers for the nodes (cloud-init and Talos)."""
    bgp: Bgp | None = None
    """BGP routers to announce the load-balancer IPs to (Cilium's BGP control plane): needed
    for a pool outside ``node_cidr``, which ARP (L2) announcements cannot reach."""


class ProxmoxHost(Base):
    """A Proxmox VE host the VMs run on."""

    name: DnsLabel
    """The host's name in the model (its terragrunt unit, its credential variables)."""
    endpoint: Annotated[
        str, matching(r"https://[^\s\"'\\$]+/?", "a Proxmox API URL such as https://pve:8006/")
    ]
    """The Proxmox VE API URL, e.g. ``https://pve.lan:8006/``."""
    vm_datastore: ProxmoxName
    """The datastore for VM disks and cloud-init drives."""
    iso_datastore: ProxmoxName = "local"
    """The datastore the Talos ISO is downloaded to."""
    iso_datastore_shared: bool = False
    """Whether ``iso_datastore`` is shared storage (CephFS, NFS) every host naming it sees:
    the first such host in the model downloads the ISO, the others boot from that file."""
    bridge: ProxmoxName = "vmbr0"
    """The network bridge the VMs attach to."""
    node_name: DnsLabel | None = None
    """The host's node name inside Proxmox, when it differs from ``name``."""
    insecure: bool = False
    """Accept the API's self-signed TLS certificate (a fresh Proxmox install has one)."""
    ssh_user: str | None = None
    """No longer used: nothing generated connects to the host over SSH (accepted, with a
    warning, so older models still load; remove it)."""

    @property
    def proxmox_node(self) -> str:
        """The name Proxmox knows the host by."""
        return self.node_name or self.name

    @property
    def env_prefix(self) -> str:
        """The prefix of this host's credential variables, e.g. ``PROXMOX_HYPNOS``."""
        return "PROXMOX_" + self.name.upper().replace("-", "_")


_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")


def _mac_address(value: str) -> str:
    if not _MAC.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a MAC address (six pairs of hex digits separated by ':', "
            "such as 'BC:24:11:2E:C8:01')"
        )
    if int(value[:2], 16) & 1:
        raise ValueError(
            f"{value!r} is a multicast address: a network card needs a unicast one "
            "(an even first byte, such as 'BC:24:11:...')"
        )
    return value.upper()


MacAddress = Annotated[str, AfterValidator(_mac_address)]
"""A unicast MAC address, written in upper case as Proxmox shows it."""

MAX_NESTING = 64
"""How deep values, resources and patches may nest: deeper is a mistake, or a value that
contains itself (no chart's values come near)."""


def _plain_data(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` when it is data YAML and JSON tools read back as written; else why not."""
    problem = plain_data_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def plain_data_problem(value: object) -> str | None:
    """Why ``value`` is not plain data (``None``, bools, finite numbers, strings, and lists
    and string-keyed dicts of them, at most :data:`MAX_NESTING` deep), naming where in it."""
    pending: list[tuple[str, object, int]] = [("", value, 0)]
    while pending:
        where, item, depth = pending.pop()
        at = where or "the value"
        if depth > MAX_NESTING:
            at = at if len(at) <= 60 else at[:57] + "..."
            return f"{at} is nested deeper than {MAX_NESTING} levels (or contains itself)"
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    return f"{where}[{key!r}]: a key must be a string, not {type(key).__name__}"
                pending.append((f"{where}[{key!r}]", inner, depth + 1))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{where}[{i}]", inner, depth + 1) for i, inner in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            return (
                f"{at} is {item!r}: JSON has no NaN or infinity, so the Kubernetes API refuses "
                "the object (write a finite number, or the text in quotes)"
            )
        elif item is not None and not isinstance(item, (bool, int, float, str)):
            shown = repr(item)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            return (
                f"{at} is a {type(item).__name__} ({shown}): only strings, numbers, booleans, "
                "None, lists and dicts can be written as YAML (e.g. str(...), or "
                ".isoformat() for a date)"
            )
    return None


PlainData = Annotated[dict[str, Any], AfterValidator(_plain_data)]
"""A mapping written as YAML or JSON (values, resources, Flux fields, Talos patches)."""

TalosPatch = PlainData
"""A Talos machine-config patch: a strategic merge patch, written as the YAML it becomes."""

KubeletArgs = dict[
    Annotated[str, matching(r"[a-z0-9][a-z0-9-]*", "a kubelet flag name such as max-pods")],
    str,
]
"""Extra kubelet command-line flags, by name without the leading ``--``."""

Sysctls = dict[
    Annotated[
        str, matching(r"[a-z0-9_][a-z0-9_./-]*", "a kernel parameter such as vm.nr_hugepages")
    ],
    str,
]
"""Kernel parameters (``sysctl`` names and their values)."""

AbsolutePath = Annotated[
    str, matching(r"/[A-Za-z0-9._/-]*", "an absolute path such as /var/lib/longhorn")
]
"""An absolute path of letters, digits, '.', '_', '-' and '/'."""


class KubeletMount(Base):
    """A host folder bind-mounted into the kubelet's container (Longhorn, OpenEBS, ...)."""

    destination: AbsolutePath
    """Where the kubelet sees the folder, e.g. ``/var/lib/longhorn``."""
    source: AbsolutePath
    """The host folder, e.g. ``/var/lib/longhorn``."""
    options: tuple[
        Annotated[str, matching(r"[a-z0-9=_-]+", "a mount option such as rshared")], ...
    ] = (
        "bind",
        "rshared",
        "rw",
    )
    """Mount options; the default makes mounts inside propagate both ways (what CSI drivers
    need)."""


MAX_MEMORY_MIB = 4_194_304
"""The most memory a Proxmox VM can have: 4 TiB (qemu-server, ``PVE/QemuServer/Memory.pm``,
``$MAX_MEM``)."""

MAX_DISK_GIB = 65_536
"""64 TiB: far above any homelab disk, so a typo (a size in MiB) is caught before OpenTofu asks
Proxmox for it."""

MAX_EXTRA_DISKS = 30
"""Data disks go on the SCSI bus after the system disk: Proxmox has ``scsi0`` to ``scsi30``
(qemu-server, ``PVE/QemuServer/Drive.pm``, ``$MAX_SCSI_DISKS = 31``)."""


_DISK_SIZE = re.compile(r"(>=|<=|>|<|==)? ?([0-9]+) ?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")
DISK_SIZE_UNITS = {
    "B": 1,
    "kB": 1000,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "TiB": 1024**4,
}
"""The size units Talos reads in a disk selector's ``size`` (go-humanize ``ParseBytes``, which
machinery ``InstallDiskSizeMatcher`` parses it with: ``GB`` is 10^9 bytes, ``GiB`` 2^30)."""


def disk_size_condition(size: str) -> tuple[str, int]:
    """The comparison and the byte count of a disk selector's ``size`` (``">= 500GB"``)."""
    match = _DISK_SIZE.fullmatch(size)
    if not match:
        raise ValueError(
            f"{size!r} is not a disk size condition: an optional >=, <=, >, < or == and a "
            "size with its unit, such as '>= 500GB' or '1TB' (units: "
            f"{', '.join(DISK_SIZE_UNITS)})"
        )
    return match.group(1) or "==", int(match.group(2)) * DISK_SIZE_UNITS[match.group(3)]


class Disk(Base):
    """An extra data disk of a node's VM (for Longhorn, OpenEBS, ...)."""

    size_gib: Annotated[int, Field(ge=1, le=MAX_DISK_GIB)]
    """The disk's size in GiB."""
    datastore: ProxmoxName | None = None
    """The datastore holding the disk; the host's ``vm_datastore`` by default."""


def _disk_size(size: str) -> str:
    disk_size_condition(size)
    return size


DiskGlob = Annotated[
    str,
    matching(
        r"[A-Za-z0-9 _.*?:/+-]*[A-Za-z0-9_.*?:/+-]",
        "a disk model or serial (a glob: letters, digits, spaces, '_', '.', '-', ':', '/', '+', "
        "'*' and '?'), such as 'Samsung SSD 980*'",
    ),
]
"""What a disk selector compares a disk's model or serial with: a glob (``*`` and ``?``)."""


class DiskSelector(Base):
    """The disk Talos installs to on a bare-metal node, chosen by what is known of the hardware
    (Talos' ``installDiskSelector``): every field given must match, and the first matching disk
    is used."""

    model: DiskGlob | None = None
    """The disk's model (``/sys/block/<dev>/device/model``), a glob such as ``Samsung SSD*``."""
    serial: DiskGlob | None = None
    """The disk's serial number (``/sys/block/<dev>/serial``), a glob."""
    size: Annotated[str, AfterValidator(_disk_size)] | None = None
    """A size condition such as ``>= 500GB`` or ``1TB`` (``GB`` is 10^9 bytes, ``GiB`` 2^30)."""

    @model_validator(mode="after")
    def _something_selected(self) -> "DiskSelector":
        if self.model is None and self.serial is None and self.size is None:
            raise ValueError(
                "a disk selector needs at least one of model, serial or size, such as "
                "DiskSelector(model='Samsung SSD 980*')"
            )
        return self


BondMode = Literal[
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
]
"""The Linux bonding modes Talos takes (machinery ``nethelpers.BondMode``)."""


def _unique_macs(macs: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({m for m in macs if macs.count(m) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} is listed twice: each network card once")
    return macs


class Bond(Base):
    """A bond of a bare-metal node's network cards: the node's address is on the bond."""

    interfaces: Annotated[tuple[MacAddress, ...], Field(min_length=2), AfterValidator(_unique_macs)]
    """The MAC addresses of the bonded network cards (at least two)."""
    mode: BondMode
    """The bonding mode, e.g. ``802.3ad`` (LACP: the switch ports must be a LAG) or
    ``active-backup`` (no switch configuration)."""


VM_FIELDS = ("vm_id", "cores", "memory_mib", "disk_gib", "vm_name", "description", "extra_disks")
"""The fields of a node's Proxmox VM: a bare-metal node (no ``host``) has none of them."""
VM_REQUIRED = ("vm_id", "cores", "memory_mib", "disk_gib")
"""The VM fields a node with a ``host`` must set."""


class Node(Base):
    """A Talos node: a VM on one of the Proxmox hosts, or a bare-metal machine (no ``host``)."""

    name: DnsLabel
    """The node's hostname (and its VM's name, unless ``vm_name`` is set)."""
    role: Literal["controlplane", "worker"]
    """``controlplane`` (runs etcd and the API) or ``worker``."""
    ip: IPv4Address
    """The node's address in ``node_cidr`` (cloud-init gives it to a VM; a bare-metal node's
    Talos config sets it)."""
    host: DnsLabel | None = None
    """The ``name`` of the Proxmox host the node's VM runs on; unset: a bare-metal node (no VM
    is generated, and the VM fields below stay unset)."""
    vm_id: Annotated[int, Field(ge=100, le=999_999_999)] | None = None
    """The VM id, unique across every host (required with a ``host``)."""
    cores: Annotated[int, Field(ge=1, le=512)] | None = None
    """Virtual CPU cores (required with a ``host``)."""
    memory_mib: Annotated[int, Field(ge=512, le=MAX_MEMORY_MIB)] | None = None
    """Memory in MiB (required with a ``host``)."""
    disk_gib: Annotated[int, Field(ge=8, le=MAX_DISK_GIB)] | None = None
    """The size of the VM's system disk in GiB (required with a ``host``)."""
    labels: dict[LabelKey, LabelValue] = {}
    """Kubernetes labels of the node."""
    description: Annotated[str, StringConstraints(max_length=8192)] = ""
    """Free text shown as the VM's description in Proxmox."""
    install_disk: DevicePath | DiskSelector | None = None
    """The disk Talos installs to on this node: a path such as ``/dev/nvme0n1``, or (bare
    metal) a ``DiskSelector`` of its model, serial or size; ``talos.install_disk`` by
    default."""
    extensions: tuple[Extension, ...] | None = None
    """This node's system extensions, replacing ``talos.extensions`` (not added to them): list
    every extension the node runs, the cluster's included (its own schematic, ISO and installer
    image). Unset: the node runs ``talos.extensions``."""
    vm_name: DnsLabel | None = None
    """The VM's name in Proxmox, when it differs from the Talos hostname ``name``."""
    mac_address: MacAddress | None = None
    """The MAC address of the node's network card: a VM's is fixed to it (Proxmox picks one by
    default); a bare-metal node's link is selected by it (needed when the machine has more than
    one network card: Talos configures no link a selector matches twice)."""
    bond: Bond | None = None
    """Bare metal: bond these network cards and put the node's address on the bond."""
    vlan_id: Annotated[int, Field(ge=1, le=4094)] | None = None
    """The VLAN of the node's address: the VM's network card is tagged on the bridge; a
    bare-metal node gets a VLAN link on its network card (or bond) in Talos."""
    extra_disks: Annotated[tuple[Disk, ...], Field(max_length=MAX_EXTRA_DISKS)] = ()
    """Data disks attached after the system disk (``scsi1``, ``scsi2``, ... up to ``scsi30``)."""
    patches: tuple[TalosPatch, ...] = ()
    """Talos machine-config patches for this node only, applied after the cluster's and
    the role's."""
    kubelet_extra_args: KubeletArgs = {}
    """Extra kubelet flags of this node, merged over ``talos.kubelet_extra_args``."""
    sysctls: Sysctls = {}
    """Kernel parameters of this node, merged over ``talos.sysctls``."""
    dhcp: bool = False
    """Take the node's address from DHCP instead of setting ``ip`` statically (the DHCP server
    must hand out ``ip``: it stays the node's address for everything else)."""

    @property
    def proxmox_name(self) -> str:
        """The VM's name in Proxmox: ``vm_name``, or the node's name."""
        return self.vm_name or self.name

    @property
    def is_bare_metal(self) -> bool:
        """Whether the node is a machine of its own (no Proxmox host, no VM)."""
        return self.host is None

    @property
    def is_controlplane(self) -> bool:
        """Whether the node runs the Kubernetes control plane."""
        return self.role == "controlplane"


TalosMinor = Annotated[str, matching(r"v\d+\.\d+", "a Talos minor such as v1.11")]
"""A Talos minor with a leading ``v``, such as ``v1.11``."""


class Talos(Base):
    """Talos settings shared by every node."""

    extensions: tuple[Extension, ...] = ()
    """Official Talos system extensions, e.g. ``siderolabs/qemu-guest-agent`` (the ISO and the
    installer carry them)."""
    install_disk: DevicePath = "/dev/sda"
    """The disk Talos installs to (a node's ``install_disk`` replaces it)."""
    allow_scheduling_on_control_planes: bool = False
    """Let workloads run on control planes (required when every node is one)."""
    backend: Literal["talhelper", "talosctl"] = "talhelper"
    """The tool that turns the Talos layer into machine configs: ``talhelper`` (``talconfig.yaml``)
    or ``talosctl`` (``talosctl gen config`` plus the machine-config patches under out/talos)."""
    config_contract: TalosMinor | None = None
    """The machine-config version contract (``talosctl gen config --talos-version``), e.g.
    ``v1.11``: the Talos minor the cluster's configs were first generated for. Unset, it is the
    minor of ``versions.talos``; a running cluster keeps its contract across Talos upgrades, so
    ``generate`` refuses a version bump that would change it silently."""
    workload_isolation: bool | None = None
    """Talos 1.14+ workload isolation (``SecurityProfileConfig.workloadIsolation``); unset: the
    upstream default, on for a 1.14+ contract and off for clusters made by an older one."""
    kubelet_extra_args: KubeletArgs = {}
    """Extra kubelet flags of every node (``KubeletConfig`` ``extraArgs``; v1alpha1
    ``.machine.kubelet.extraArgs`` for a contract before Talos 1.14)."""
    kubelet_extra_mounts: tuple[KubeletMount, ...] = ()
    """Host folders bind-mounted into the kubelet (Talos 1.14's ``KubeletConfig`` has no mounts:
    with mounts, the kubelet's settings stay in v1alpha1 ``.machine.kubelet``)."""
    api_server_extra_args: KubeletArgs = {}
    """Extra kube-apiserver flags (``KubeAPIServerConfig`` ``extraArgs``; v1alpha1
    ``.cluster.apiServer.extraArgs`` before 1.14). Authentication and authorization flags are
    refused, as Talos does: they belong to ``KubeAuthenticationConfig``/``KubeAuthorizerConfig``."""
    sysctls: Sysctls = {}
    """Kernel parameters of every node (``SysctlConfig``; ``.machine.sysctls`` before 1.14)."""
    kernel_modules: tuple[
        Annotated[str, matching(r"[a-z0-9_-]+", "a kernel module name such as nvme_tcp")], ...
    ] = ()
    """Kernel modules every node loads (``KernelModuleConfig`` documents;
    ``.machine.kernel.modules`` before 1.14)."""
    kernel_args: tuple[
        Annotated[
            str,
            matching(
                # unquoted by yaml.v3: no YAML 1.1 boolean or null word, not only a number
                r"(?!(?i:y|yes|n|no|true|false|on|off|null)$)(?![0-9.+-]+$)"
                r"[A-Za-z0-9_][A-Za-z0-9_.,:=/+-]*",
                "a kernel argument such as mitigations=off",
            ),
        ],
        ...,
    ] = ()
    """Extra kernel arguments: in the Image Factory schematic (``extraKernelArgs``), so the ISO
    and the installer boot with the same ones."""
    ntp_servers: tuple[
        Annotated[str, matching(r"[A-Za-z0-9.:-]+", "an NTP server such as time.cloudflare.com")],
        ...,
    ] = ()
    """NTP servers instead of Talos' default (``TimeSyncConfig``; ``.machine.time`` before
    Talos 1.12)."""
    disk_encryption: Literal["tpm", "nodeid"] | None = None
    """Encrypt the STATE and EPHEMERAL partitions (LUKS2) with a key sealed by the VM's TPM
    (``tpm``: the VM needs a TPM) or derived from the node's id (``nodeid``)."""
    patches: tuple[TalosPatch, ...] = ()
    """Machine-config patches (strategic merge patches, as dicts) for every node, applied
    first."""
    controlplane_patches: tuple[TalosPatch, ...] = ()
    """Patches for the control planes, applied after ``patches``."""
    worker_patches: tuple[TalosPatch, ...] = ()
    """Patches for the workers, applied after ``patches``."""

    def node_extensions(self, node: Node) -> tuple[str, ...]:
        """The system extensions ``node`` runs: its own list, or the cluster's."""
        return self.extensions if node.extensions is None else node.extensions

    def node_install_disk(self, node: Node) -> str | DiskSelector:
        """The disk Talos installs to on ``node``: a path, or a selector."""
        return node.install_disk or self.install_disk


class RemoteState(Base):
    """OpenTofu state in a Cloudflare R2 bucket, through the S3 backend."""

    bucket: Annotated[
        str,
        matching(
            r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
            "a bucket name (3 to 63 lower-case letters, digits and '-')",
        ),
    ]
    """The R2 bucket holding the state."""
    account_id_env: EnvVarName = "CLOUDFLARE_ACCOUNT_ID"
    """The environment variable holding the Cloudflare account id."""
    access_key_env: EnvVarName = "AWS_ACCESS_KEY_ID"
    """The environment variable holding the R2 access key id. The S3 backend reads only
    ``AWS_ACCESS_KEY_ID``; the infra scripts export another name under it."""
    secret_key_env: EnvVarName = "AWS_SECRET_ACCESS_KEY"
    """The environment variable holding the R2 secret access key (exported as
    ``AWS_SECRET_ACCESS_KEY`` when named otherwise)."""


def _git_branch(branch: str) -> str:
    """A branch name ``git check-ref-format --branch`` accepts (its rules for the characters
    the pattern allows: no '..', no '//', no component starting with '.' or ending with
    '.lock', no '/' or '.' at the end)."""
    parts = branch.split("/")
    if (
        ".." in branch
        or branch.endswith((".", "/"))
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    ):
        raise ValueError(
            f"{branch!r} is not a Git branch name (git check-ref-format: no '..', no empty "
            "or '.'-leading component, no component ending in '.lock', no '/' or '.' at the "
            "end), such as main or release/v1"
        )
    return branch


WebhookType = Literal["github", "gitlab"]
"""The Git forges whose push events the webhook understands (Flux ``Receiver`` types)."""


class Webhook(Base):
    """A Flux ``Receiver`` the Git forge calls on every push, so the cluster reconciles at
    once instead of within ``sync_interval``; reached through a Gateway of the model."""

    token: ProjectPath
    """A SOPS-encrypted Secret manifest (path relative to ``cluster.py``) holding the shared
    token: a Secret named ``flux-webhook-token`` with the key ``token`` (give the same token
    to the forge's webhook as its secret)."""
    host: DomainName
    """The public hostname the forge calls (the ``HTTPRoute``'s hostname), such as
    ``flux-webhook.example.com``."""
    gateway: Annotated[
        str,
        matching(
            r"[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?",
            "a Gateway as namespace/name, such as network/external",
        ),
    ]
    """The Gateway (``namespace/name``) the route attaches to: one of the ``Gateway``
    resources of the model's apps."""
    type: WebhookType | None = None
    """The forge: by default from ``gitops.repository``'s host (github.com, gitlab.com)."""


class GitOps(Base):
    """The Git repository Flux syncs the cluster from."""

    repository: Annotated[
        str,
        matching(
            r"(https|ssh)://[^\s\"'\\]+",
            "a Git URL such as https://github.com/you/home-ops or ssh://git@github.com/you/home-ops",
        ),
    ]
    """The repository's ``https://`` or ``ssh://`` URL."""
    branch: Annotated[
        str,
        matching(r"[A-Za-z0-9][A-Za-z0-9._/-]*", "a Git branch name such as main"),
        AfterValidator(_git_branch),
    ] = "main"
    """The branch Flux follows."""
    sync_interval: Annotated[
        str, matching(r"([0-9]+(\.[0-9]+)?(ms|s|m|h))+", "a Flux duration such as 1m or 30s")
    ] = "1m"
    """How often Flux fetches the repository: a push reaches the cluster within this time,
    with no webhook to set up."""
    pull_secret: ProjectPath | None = None
    """A SOPS-encrypted Secret manifest (path relative to ``cluster.py``) with the credentials
    Flux pulls the repository with: ``identity`` and ``known_hosts`` for ``ssh://``,
    ``username`` and ``password`` (a token) for a private ``https://`` repository. ``boot``
    applies it, decrypted through a pipe, before flux-instance; the FluxInstance's
    ``sync.pullSecret`` names it. Required for ``ssh://``."""

    webhook: Webhook | None = None
    """A webhook receiver, so a push reconciles at once: its ``Receiver``, token Secret and
    ``HTTPRoute`` are written to ``out/kubernetes/apps/flux-system/flux-webhook``."""


class Sops(Base):
    """SOPS age recipients that can decrypt the cluster's secrets."""

    age_recipients: Annotated[
        tuple[
            Annotated[
                str,
                matching(
                    r"age1[02-9ac-hj-np-z]{58}",
                    "an age public key (age1 and 58 more characters, as age-keygen prints)",
                ),
            ],
            ...,
        ],
        Field(min_length=1),
    ]
    """The age public keys (``age1...``) secrets are encrypted to; at least one."""


_OCI_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_OCI_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_OCI_NAME = re.compile(
    rf"(?:{_OCI_HOST_LABEL}(?:\.{_OCI_HOST_LABEL})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
    rf"(?:/{_OCI_PATH_COMPONENT})+"
)
"""A registry host (name, IPv4 or [IPv6], optional port) and a repository path of lower-case
components joined by '.', '_', '__' or dashes: the name grammar of distribution/reference
(regexp.go), which Helm and Flux parse OCI references with."""


def _oci_reference(url: str) -> str:
    if not url.startswith("oci://"):
        return url
    name = url.removeprefix("oci://")
    if not _OCI_NAME.fullmatch(name) or len(name.split("/", 1)[1]) > 255:
        raise ValueError(
            f"{url!r} is not an OCI chart reference: oci://REGISTRY/PATH/CHART with a registry "
            "host (optional :port) and lower-case path components of letters and digits "
            "joined by '.', '_' or '-' (at most 255 characters), and no tag (the version is "
            "Chart.version)"
        )
    return url


class Chart(Base):
    """A Helm chart: an ``oci://`` reference, or a ``https://`` repository plus ``name``."""

    url: Annotated[
        str,
        matching(
            r"(oci|https)://[^\s\"'\\]+",
            "a chart URL: oci://registry/path/chart or an https:// Helm repository",
        ),
        AfterValidator(_oci_reference),
    ]
    """``oci://<registry>/<path>/<chart>``, or a ``https://`` chart repository."""
    version: ChartVersion
    """The chart version exactly as the chart publishes it, with or without a leading ``v``
    (``1.18.4``, ``v1.19.1``): the OCI tag, or the version Helm looks up."""
    name: DnsLabel | None = None
    """The chart's name in a ``https://`` repository; ``oci://`` URLs name the chart."""

    @property
    def is_oci(self) -> bool:
        """Whether the chart is pulled from an OCI registry."""
        return self.url.startswith("oci://")

    @property
    def chart_name(self) -> str:
        """The chart's name: ``name``, or else the last segment of the URL (an OCI chart's name)."""
        return self.name or self.url.rstrip("/").rsplit("/", 1)[-1]


class Namespace(Base):
    """Labels and annotations of a namespace (created even when no app uses it)."""

    name: DnsLabel
    """The namespace's name."""
    labels: dict[LabelKey, LabelValue] = {}
    """Labels, e.g. ``pod-security.kubernetes.io/enforce: privileged``."""
    annotations: dict[LabelKey, str] = {}
    """Annotations."""


class CiliumHelper(Base):
    """Made by :func:`homeops_gen.apps.cilium`, with these options."""

    helper: Literal["cilium"] = "cilium"
    gateway_api: bool = True
    """Enable Cilium's Gateway API support (its CRDs are applied at bootstrap)."""
    gateway_api_version: SemVer | None = None
    """The Gateway API release whose standard CRDs must exist before Cilium starts; by default
    the one the Cilium minor implements (1.18: v1.3.0, 1.19: v1.4.0, 1.20: v1.6.1)."""
    l2_announcements: bool | None = None
    """Announce load-balancer IPs with ARP; by default when the pool is inside ``node_cidr``."""


class CoreDNSHelper(Base):
    """Made by :func:`homeops_gen.apps.coredns`."""

    helper: Literal["coredns"] = "coredns"


class FluxOperatorHelper(Base):
    """Made by :func:`homeops_gen.apps.flux_operator`."""

    helper: Literal["flux-operator"] = "flux-operator"


class FluxInstanceHelper(Base):
    """Made by :func:`homeops_gen.apps.flux_instance`."""

    helper: Literal["flux-instance"] = "flux-instance"


class CertManagerHelper(Base):
    """Made by :func:`homeops_gen.apps.cert_manager`, with these options."""

    helper: Literal["cert-manager"] = "cert-manager"
    email: EmailAddress
    """The e-mail address of the ACME account (Let's Encrypt writes to it about expiring
    certificates)."""
    dns_zones: Annotated[tuple[DomainName, ...], Field(min_length=1)]
    """The DNS zones the DNS-01 solver answers challenges for (the ``ClusterIssuer``'s solver
    selector)."""
    api_token: ProjectPath
    """A SOPS-encrypted Secret manifest (path relative to ``cluster.py``) holding the DNS
    provider's API token: a Secret named ``cert-manager-dns01`` with the key ``api-token``."""
    provider: DnsProvider = "cloudflare"
    """The DNS provider of ``dns_zones``."""
    staging: bool = False
    """Issue from Let's Encrypt's staging server (untrusted certificates, generous rate
    limits) instead of production."""


class ExternalDnsHelper(Base):
    """Made by :func:`homeops_gen.apps.external_dns`, with these options."""

    helper: Literal["external-dns"] = "external-dns"
    domain_filters: Annotated[tuple[DomainName, ...], Field(min_length=1)]
    """The domains external-dns manages records in (``--domain-filter``); no others are
    touched."""
    api_token: ProjectPath
    """A SOPS-encrypted Secret manifest (path relative to ``cluster.py``) holding the DNS
    provider's API token: a Secret named ``external-dns-credentials`` with the key
    ``api-token``."""
    provider: DnsProvider = "cloudflare"
    """The DNS provider of ``domain_filters``."""


class SpegelHelper(Base):
    """Made by :func:`homeops_gen.apps.spegel`: containerd on every node keeps unpacked
    layers (the Talos layer), Spegel mirrors them between nodes."""

    helper: Literal["spegel"] = "spegel"


class MetricsServerHelper(Base):
    """Made by :func:`homeops_gen.apps.metrics_server`: kubelets rotate serving certificates
    signed by the cluster CA, approved by kubelet-serving-cert-approver (the Talos layer)."""

    helper: Literal["metrics-server"] = "metrics-server"
    approver_version: SemVer = "v0.11.0"
    """The release of alex1989hu/kubelet-serving-cert-approver Talos applies at bootstrap."""


class ReloaderHelper(Base):
    """Made by :func:`homeops_gen.apps.reloader`."""

    helper: Literal["reloader"] = "reloader"


Helper = Annotated[
    CiliumHelper
    | CoreDNSHelper
    | FluxOperatorHelper
    | FluxInstanceHelper
    | CertManagerHelper
    | ExternalDnsHelper
    | SpegelHelper
    | MetricsServerHelper
    | ReloaderHelper,
    Field(discriminator="helper"),
]
"""Which helper of :mod:`homeops_gen.apps` made an app, and its options."""


class App(Base):
    """An application Flux deploys: a Helm chart, plain manifests, or both."""

    name: DnsLabel
    """The HelmRelease's and the Flux Kustomization's name."""
    namespace: DnsLabel
    """The namespace the app is deployed into."""
    chart: Chart | None = None
    """The Helm chart; without one the app is a Flux Kustomization of its resources,
    manifests and secrets only."""
    values: PlainData = {}
    """The chart's values (merged over the derived ones for helper apps)."""
    depends_on: tuple[DnsLabel, ...] = ()
    """The names of apps that must be ready first."""
    bootstrap: bool = False
    """Also install the app with the bootstrap helmfile, with the same chart, version and
    values as its HelmRelease."""
    resources: tuple[PlainData, ...] = ()
    """Extra manifests (as dicts) shipped beside the release."""
    manifests: tuple[ProjectPath, ...] = ()
    """YAML files of the project (paths relative to ``cluster.py``) copied beside the
    release byte for byte."""
    crds: tuple[HttpsUrl, ...] = ()
    """CRD manifests (URLs) the chart needs before it installs: the bootstrap helmfile's
    CRD stage applies them, so only bootstrap apps may list them."""
    secrets: tuple[ProjectPath, ...] = ()
    """SOPS-encrypted files of the project (``*.sops.yaml``) copied beside the release;
    Flux decrypts them."""

    made_by: Helper | None = None
    """The helper that made the app (set by ``cilium(...)`` and the like): its values,
    resources and dependencies are derived from the cluster when it is deployed."""
    kustomization: PlainData = {}
    """Fields of the app's Flux Kustomization ``spec`` (``healthChecks``, ``postBuild``, ...)."""
    release: PlainData = {}
    """Fields of the app's HelmRelease ``spec`` (``valuesFrom``, ``timeout``, ...)."""

    @property
    def chart_name(self) -> str | None:
        """The name of the chart the app installs, or None for an app without a chart."""
        return self.chart.chart_name if self.chart else None

    @property
    def user_files(self) -> tuple[str, ...]:
        """The project's files this app ships: manifests, then secrets."""
        return (*self.manifests, *self.secrets)

    def user_file_fields(self) -> Iterator[tuple[str, str, bool]]:
        """Each project file the app ships: its field (``secrets[0]``), its path, and whether
        it is a secret; manifests first."""
        for field, paths in (("manifests", self.manifests), ("secrets", self.secrets)):
            for j, path in enumerate(paths):
                yield f"{field}[{j}]", path, field == "secrets"


TaskRunner = Literal["devenv", "just"]
"""A way to run the operator's scripts: devenv (``devenv.nix``), or just with mise
(``justfile`` and ``.mise.toml``)."""


class Automation(Base):
    """What keeps the repository current: a Renovate config and a GitHub Actions workflow."""

    renovate: bool = True
    """Generate ``renovate.json``: Renovate bumps the versions in ``cluster.py``, never ``out/``."""
    renovate_presets: tuple[
        Annotated[
            str,
            matching(r"[^\s\"'\\]+", "a Renovate preset such as config:recommended (no spaces)"),
        ],
        ...,
    ] = ("config:recommended",)
    """The Renovate presets the config extends; your own Renovate settings go in a preset."""
    github_actions: bool = True
    """Generate ``.github/workflows/homeops-gen.yaml``: check pull requests, regenerate Renovate's."""
    install: (
        Annotated[
            str,
            matching(
                r"(git\+)?https://[^\s\"'\\$`]+",
                "a pip URL such as git+https://github.com/OWNER/homeops-gen@v0.1.0",
            ),
        ]
        | None
    ) = None
    """Where the workflow installs homeops-gen from instead of PyPI (a version not published
    there): a pip URL such as ``git+https://github.com/OWNER/homeops-gen@v0.1.0``."""
    task_runner: TaskRunner | Annotated[tuple[TaskRunner, ...], Field(min_length=1)] = "devenv"
    """Where the operator's scripts (``infra-plan``, ``talos-apply``, ``boot``...) are written:
    ``"devenv"`` (``devenv.nix``: tools from nixpkgs), ``"just"`` (a ``justfile`` and a
    ``.mise.toml`` pinning each tool's version, for mise + just), or both:
    ``("devenv", "just")``."""

    @property
    def task_runners(self) -> frozenset[str]:
        """The task runners files are written for."""
        if isinstance(self.task_runner, str):
            return frozenset({self.task_runner})
        return frozenset(self.task_runner)


class Cluster(Base):
    """The whole cluster: hosts, nodes, versions, network and apps."""

    name: DnsLabel
    """The cluster's name (Talos cluster name, VM tags)."""
    versions: Versions
    """Talos and Kubernetes versions."""
    network: Network
    """The node network and the cluster's address ranges."""
    hosts: tuple[ProxmoxHost, ...] = ()
    """The Proxmox hosts (none when every node is bare metal)."""
    nodes: tuple[Node, ...]
    """The Talos nodes: VMs on the hosts, and bare-metal machines."""
    talos: Talos = Talos()
    """Talos settings every node shares."""
    state: RemoteState
    """Where OpenTofu keeps its state."""
    gitops: GitOps
    """The Git repository Flux syncs from."""
    sops: Sops
    """Who can decrypt the secrets."""
    apps: tuple[App, ...] = ()
    """The apps Flux deploys (see the helpers in ``homeops_gen.apps``)."""
    namespaces: tuple[Namespace, ...] = ()
    """Labels and annotations of namespaces (e.g. Pod Security levels); each is created even
    when no app uses it."""
    automation: Automation = Automation()
    """Renovate and the GitHub Actions workflow of the repository."""
    endpoint: IPv4Address | None = None
    """The Kubernetes API address: the first control plane's IP by default, or a VIP."""
    accept_warnings: tuple[str, ...] = ()
    """Ids of warnings this model has accepted (``single-control-plane``, ...): not printed,
    and not errors under ``--strict``."""

    @property
    def api_address(self) -> IPv4Address:
        """The address of the Kubernetes API (``endpoint`` or the first control plane)."""
        if self.endpoint is not None:
            return self.endpoint
        return self.control_planes[0].ip

    @property
    def api_url(self) -> str:
        """The Kubernetes API URL, ``https://<endpoint>:6443``."""
        return f"https://{self.api_address}:6443"

    @property
    def control_planes(self) -> tuple[Node, ...]:
        """The control-plane nodes, in model order."""
        return tuple(n for n in self.nodes if n.is_controlplane)

    @property
    def endpoint_is_vip(self) -> bool:
        """Whether the API endpoint is a shared VIP rather than a node's IP."""
        return all(n.ip != self.api_address for n in self.nodes)

    @property
    def vm_nodes(self) -> tuple[Node, ...]:
        """The nodes that run as Proxmox VMs, in model order."""
        return tuple(n for n in self.nodes if not n.is_bare_metal)

    def nodes_on(self, host: ProxmoxHost) -> tuple[Node, ...]:
        """The nodes that run on ``host``, in model order."""
        return tuple(n for n in self.nodes if n.host == host.name)

    def apps_installing(self, chart: str) -> tuple[tuple[int, App], ...]:
        """The model's apps installing the chart named ``chart``, with their index in ``apps``."""
        return tuple((i, a) for i, a in enumerate(self.apps) if a.chart_name == chart)
