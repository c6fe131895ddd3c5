"""Terragrunt/OpenTofu for the bpg/proxmox provider: hosts, their VMs, and the R2 state bucket.

Each host is a ``terragrunt.hcl`` with ``inputs``; its ``terraform.source`` module says
how an input becomes a VM attribute (``cores = each.value.cpu_cores``), so any naming
of the inputs is understood by following the module's expressions.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from ipaddress import IPv4Interface
from typing import Any

from homeops_gen.generators.infrastructure import NODE_ATTRIBUTES, TALOS_SCHEMATICS, VARIABLES
from homeops_gen.importer.source import (
    Source,
    dig,
    hcl_blocks,
    hcl_expression,
    hcl_literal,
    listed,
)

VM_RESOURCE = "proxmox_virtual_environment_vm"
ISO_RESOURCES = ("proxmox_download_file", "proxmox_virtual_environment_download_file")
"""bpg's ISO download: its short name (0.100 on) and the deprecated long one."""

VM_ATTRIBUTES: dict[tuple[str, ...], str] = {
    **{v.block: v.name for v in VARIABLES if v.block},
    **{a.block: a.name for a in NODE_ATTRIBUTES if a.block},
}
"""Where the VM resource sets what homeops-gen models (block path -> the module's variable or
VM attribute name), from the generator's own table."""
# Input names used when there is no module to follow.
_ALIASES = {
    "vm_id": ("vm_id", "vmid", "id"),
    "cores": ("cores", "cpu_cores", "cpu", "cpus"),
    "memory_mib": ("memory_mib", "memory", "ram", "ram_dedicated", "ram_mib"),
    "disk_gib": ("disk_gib", "disk_size", "disk_size_gb", "disk"),
    "vm_datastore": ("vm_datastore", "disk_storage", "datastore", "datastore_id"),
    "address": ("address", "ip", "ip_address"),
    "description": ("description",),
    "role": ("role",),
}


@dataclass
class Vm:
    """A VM of a host, with the attributes found (model names)."""

    host: str
    file: str
    key: str
    """The VM's key in the unit's inputs (homeops-gen's: the node's name)."""
    name: str = ""
    """The VM's name in Proxmox."""
    guess: str | None = None
    """How the VM was matched to its Talos node, when it was a guess."""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Host:
    """A Proxmox host: one terragrunt unit."""

    name: str
    file: str
    settings: dict[str, Any] = field(default_factory=dict)
    """Model fields of ProxmoxHost found (endpoint, vm_datastore, ...)."""
    downloads_iso: bool | None = None
    """The unit's ``download_iso`` input (homeops-gen's, for shared ISO datastores)."""
    vms: list[Vm] = field(default_factory=list)


@dataclass
class InfraFacts:
    """What the terragrunt tree says."""

    hosts: list[Host] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    state_file: str | None = None
    gateway: str | None = None
    nameservers: list[str] = field(default_factory=list)
    schematics: dict[str, str] = field(default_factory=dict)
    """The Image Factory schematics the hosts register: id -> YAML."""


def read_infrastructure(source: Source) -> InfraFacts:
    """Every host unit (a ``terragrunt.hcl`` with inputs) and the remote state."""
    facts = InfraFacts()
    credentials: dict[str, dict[str, Any]] = {}
    credentials_file: dict[str, str] = {}
    for path in source.named("root.hcl", "terragrunt.hcl"):
        parsed = source.hcl(path)
        if parsed is None:
            continue
        _read_state(source, path, parsed, facts)
        for _, body in hcl_blocks(parsed, "locals"):
            found = hcl_literal(body).get("credentials")
            if isinstance(found, dict):
                found = {str(k): v for k, v in found.items() if isinstance(v, dict)}
                credentials.update(found)
                credentials_file.update(dict.fromkeys(found, path))
        if "inputs" in parsed:
            host = _read_unit(source, path, parsed, facts)
            if host is not None:
                facts.hosts.append(host)
    for host in facts.hosts:
        user = credentials.get(host.name, {}).get("default_ssh_user")
        if isinstance(user, str):  # ProxmoxHost.ssh_user is no longer used
            source.report.skip(
                credentials_file[host.name],
                f"default_ssh_user {user!r} of host {host.name}",
                "nothing homeops-gen generates connects to a host over SSH (VMs are made "
                "through the API)",
            )
    _read_state_exports(source, facts)
    _shared_iso_datastores(facts)
    order = list(credentials)
    facts.hosts.sort(key=lambda h: order.index(h.name) if h.name in order else len(order))
    return facts


def _shared_iso_datastores(facts: InfraFacts) -> None:
    """An ISO datastore some unit does not download to (``download_iso = false``) is shared:
    one host's unit downloads for all that name it."""
    shared = {h.settings.get("iso_datastore") for h in facts.hosts if h.downloads_iso is False}
    for host in facts.hosts:
        if host.downloads_iso is not None and host.settings.get("iso_datastore") in shared:
            host.settings["iso_datastore_shared"] = True


_EXPORT = re.compile(
    r'export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=\\?"\\?\$\{([A-Z_][A-Z0-9_]*)'
)


def _read_state_exports(source: Source, facts: InfraFacts) -> None:
    """The R2 key variables a devenv.nix exports under the names the S3 backend reads."""
    for path in source.named("devenv.nix"):
        for target, variable in _EXPORT.findall(source.text(path) or ""):
            key = "access_key_env" if target == "AWS_ACCESS_KEY_ID" else "secret_key_env"
            facts.state.setdefault(key, variable)


_GET_ENV = re.compile(r'get_env\(\\?"([A-Za-z_][A-Za-z0-9_]*)\\?"')


def _read_state(source: Source, path: str, parsed: dict[str, Any], facts: InfraFacts) -> None:
    for _, body in hcl_blocks(parsed, "remote_state"):
        config = body.get("config")
        if not isinstance(config, dict):
            continue
        bucket = hcl_literal(config.get("bucket"))
        if isinstance(bucket, str):
            facts.state["bucket"] = bucket
        for key, field_name in (
            ("endpoints", "account_id_env"),
            ("access_key", "access_key_env"),
            ("secret_key", "secret_key_env"),
        ):
            match = _GET_ENV.search(str(config.get(key, "")))
            if match:
                facts.state[field_name] = match.group(1)
        facts.state_file = path
        source.report.map(path, "remote_state (R2 bucket and credential variables)")


def _read_unit(source: Source, path: str, parsed: dict[str, Any], facts: InfraFacts) -> Host | None:
    inputs = hcl_literal(parsed["inputs"])
    if not isinstance(inputs, dict):
        source.report.skip(path, "inputs", "expected a map")
        return None
    folder = posixpath.dirname(path)
    host = Host(name=posixpath.basename(folder) or "proxmox", file=path)
    module = _module(source, folder, parsed)
    vm_body, vm_file = module.get("vm", (None, None))
    for entry in _vm_entries(source, path, inputs, vm_body):
        host.vms.append(_vm(host, path, entry, inputs, vm_body))
    # The gateway: each VM's (homeops-gen's module, a per-node input null for DHCP), or the
    # unit's input of older homeops-gen output.
    gateways = [vm.attributes.get("gateway") for vm in host.vms] + [inputs.get("gateway")]
    facts.gateway = facts.gateway or next((g for g in gateways if isinstance(g, str)), None)
    _host_settings(source, host, inputs, module)
    if isinstance(inputs.get("download_iso"), bool):
        host.downloads_iso = inputs["download_iso"]
    schematics = inputs.get(TALOS_SCHEMATICS)
    if isinstance(schematics, dict):
        facts.schematics.update({str(k): v for k, v in schematics.items() if isinstance(v, str)})
    if isinstance(inputs.get("nameservers"), list):
        facts.nameservers = [str(n) for n in inputs["nameservers"]]
    source.report.map(path, f"host {host.name}: {len(host.vms)} VM(s)")
    if vm_file:
        source.report.map(vm_file, f"VM resource {VM_RESOURCE} (how inputs become VM attributes)")
    return host


def _vm_entries(
    source: Source, path: str, inputs: dict[str, Any], vm_body: Any
) -> list[tuple[str, dict[str, Any]]]:
    """The unit's VMs (name, input values): the input the module's ``for_each`` walks."""
    nodes_var = "nodes"
    if isinstance(vm_body, dict):
        match = re.search(r"var\.([A-Za-z0-9_]+)", hcl_expression(vm_body.get("for_each")) or "")
        nodes_var = match.group(1) if match else nodes_var
    nodes = inputs.get(nodes_var)
    if isinstance(nodes, dict):
        return [(str(k), v) for k, v in nodes.items() if isinstance(v, dict)]
    if isinstance(nodes, list):
        return [
            (str(v.get("name", f"vm-{i}")), v) for i, v in enumerate(nodes) if isinstance(v, dict)
        ]
    source.report.skip(path, f"inputs.{nodes_var}", "no VMs found (a map or list of VMs)")
    return []


def _vm(
    host: Host, path: str, entry: tuple[str, dict[str, Any]], inputs: dict[str, Any], body: Any
) -> Vm:
    """One VM: its attributes through the module's expressions, else the usual input names."""
    name, values = entry
    vm = Vm(host=host.name, file=path, key=name, name=name)
    if isinstance(body, dict):
        for block_path, model_name in VM_ATTRIBUTES.items():
            value = _resolve(_dig(body, block_path), inputs, values, name)
            if value is not None:
                vm.attributes[model_name] = value
    for model_name, aliases in _ALIASES.items():
        found = [values[a] for a in aliases if a in values]
        if model_name not in vm.attributes and found:
            vm.attributes[model_name] = found[0]
    vm.attributes.setdefault("vm_name", name)
    vm.name = str(vm.attributes["vm_name"])
    disks = [d for d in listed(values.get("extra_disks")) if isinstance(d, dict)]
    if disks:
        vm.attributes["extra_disks"] = disks
    return vm


_SHARED = ("vm_datastore", "bridge", "proxmox_node")


def _host_settings(
    source: Source, host: Host, inputs: dict[str, Any], module: dict[str, tuple[Any, str]]
) -> None:
    """Host-wide settings: the inputs homeops-gen writes, else what the VMs and module share."""
    settings = host.settings
    settings.update(
        {k: inputs[k] for k in _SHARED[:2] + ("iso_datastore",) if isinstance(inputs.get(k), str)}
    )
    for key in _SHARED:
        found = sorted({str(vm.attributes[key]) for vm in host.vms if key in vm.attributes})
        if len(found) > 1:
            source.report.change(host.file, key, f"VMs differ ({', '.join(found)}); one is kept")
        if found:
            settings.setdefault(key, found[0])
    for vm in host.vms:
        for key in (*_SHARED, "gateway"):
            vm.attributes.pop(key, None)
        vm.attributes["host_datastore"] = settings.get("vm_datastore")
    iso_body = module.get("iso", (None, None))[0]
    iso = _resolve(dig(iso_body, "datastore_id"), inputs, {}, "")
    if isinstance(iso, str):
        settings.setdefault("iso_datastore", iso)
    for key, value in (
        ("proxmox_node", inputs.get("proxmox_node") or inputs.get("host_name")),
        ("endpoint", inputs.get("proxmox_endpoint") or module.get("endpoint", (None, None))[0]),
    ):
        if isinstance(value, str):
            settings[key] = value
    if isinstance(inputs.get("proxmox_insecure"), bool):
        settings["insecure"] = inputs["proxmox_insecure"]


def _module(source: Source, folder: str, parsed: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """The unit's VM and ISO resources and provider endpoint, from its module and own files."""
    found: dict[str, tuple[Any, str]] = {}
    folders = [folder]
    for _, body in hcl_blocks(parsed, "terraform"):
        module_source = hcl_literal(body.get("source"))
        if isinstance(module_source, str) and "://" not in module_source:
            folders.append(posixpath.normpath(posixpath.join(folder, module_source)))
    for module_folder in folders:
        for path in source.under(module_folder):
            tf = source.hcl(path) if posixpath.dirname(path) == module_folder else None
            if path.endswith(".tf") and tf is not None:
                _module_blocks(path, tf, found)
    return found


def _module_blocks(path: str, tf: dict[str, Any], found: dict[str, tuple[Any, str]]) -> None:
    for labels, body in hcl_blocks(tf, "resource"):
        if labels[:1] == [VM_RESOURCE]:
            found.setdefault("vm", (body, path))
        elif labels[:1] and labels[0] in ISO_RESOURCES:
            found.setdefault("iso", (body, path))
    for labels, body in hcl_blocks(tf, "provider"):
        endpoint = hcl_literal(body.get("endpoint"))
        if labels[:1] == ["proxmox"] and isinstance(endpoint, str) and "${" not in endpoint:
            found.setdefault("endpoint", (endpoint, path))


def _dig(body: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if isinstance(body, list):
            body = body[0] if body else None
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return None
    return body


_EACH_VALUE = re.compile(r"^each\.value\.([A-Za-z0-9_]+)$")
_VAR = re.compile(r"^var\.([A-Za-z0-9_]+)$")


def _resolve(value: Any, inputs: dict[str, Any], node: dict[str, Any], key: str) -> Any:
    """A module attribute for one VM: a literal, ``var.X`` (an input), ``each.value.X``."""
    if value is None:
        return None
    expr = hcl_expression(value)
    if expr is None:
        literal = hcl_literal(value)
        return literal if isinstance(literal, (str, int, float, bool)) else None
    if expr == "each.key":
        return key
    match = _EACH_VALUE.match(expr)
    if match:
        return node.get(match.group(1))
    match = _VAR.match(expr)
    if match:
        return inputs.get(match.group(1))
    return None


def vm_ip(vm: Vm) -> str | None:
    """The VM's static IPv4 address (cloud-init), if it has one."""
    address = vm.attributes.get("address")
    if not isinstance(address, str):
        return None
    try:
        return str(IPv4Interface(address).ip)
    except ValueError:
        return None  # "dhcp"
