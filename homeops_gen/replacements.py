"""VMs a change of the model would destroy: what OpenTofu replaces, found before it runs.

A VM is a ``proxmox_virtual_environment_vm`` keyed by node name in its host's unit, with
its ``vm_id`` forcing a new VM when it changes. So renaming a node, giving it another VM
id or moving it to another host (another unit, another state) destroys the VM and its
disk and creates a new one. The previous model is known only from the committed output:
each host unit's ``inputs.nodes`` as the writer reads it from disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from homeops_gen.layout import INFRASTRUCTURE
from homeops_gen.model import Cluster
from homeops_gen.rules import Problem, warning

_UNIT = re.compile(rf"^{re.escape(INFRASTRUCTURE)}/hosts/([^/]+)/terragrunt\.hcl$")


def _previous_vms(previous: Mapping[str, str]) -> dict[tuple[str, str], int]:
    """(host, node) -> VM id of every VM the committed host units describe."""
    import hcl2  # slow to import: only needed when a host unit changes

    vms: dict[tuple[str, str], int] = {}
    for path, text in previous.items():
        match = _UNIT.match(path)
        if match is None:
            continue
        try:
            inputs: Any = hcl2.loads(text).get("inputs", {})
        except Exception:  # a hand-broken file: nothing to compare with
            continue
        nodes = inputs.get("nodes", {}) if isinstance(inputs, dict) else {}
        for name, attributes in nodes.items() if isinstance(nodes, dict) else ():
            vm_id = attributes.get("vm_id") if isinstance(attributes, dict) else None
            if isinstance(vm_id, int):
                vms[(match.group(1), str(name).strip('"'))] = vm_id
    return vms


def vm_replacements(cluster: Cluster, previous: Mapping[str, str]) -> list[Problem]:
    """A warning for each VM of ``previous`` (the old text of changed host units) that the
    new model destroys, saying why and what to do instead."""
    old = _previous_vms(previous)
    new = {(n.host, n.name): n.vm_id for n in cluster.nodes}
    by_id = {n.vm_id: n for n in cluster.nodes}
    problems: list[Problem] = []
    for (host, name), vm_id in sorted(old.items()):
        if new.get((host, name)) == vm_id:
            continue
        successor = by_id.get(vm_id)
        if (host, name) in new:
            why = (
                f"its vm_id changes from {vm_id} to {new[(host, name)]}, and Proxmox cannot "
                "renumber a VM in place"
            )
        elif successor is not None and successor.host != host:
            why = (
                f"it moves to host {successor.host!r} (another terragrunt unit and state); "
                "migrate it in Proxmox and import it there, or accept a new VM"
            )
        elif successor is not None:
            why = (
                f"it is renamed to {successor.name!r}, and VMs are keyed by node name; "
                f"keep the name {name!r} to keep the VM"
            )
        else:
            why = "the node is no longer in the model"
        problems.append(
            warning(
                "vm-replaced",
                "nodes",
                f"VM {vm_id} ({name!r} on host {host!r}) will be destroyed with its disk: {why}",
            )
        )
    return problems
