"""VMs a change of the model would destroy: what OpenTofu replaces, found before it runs.

A VM is a ``proxmox_virtual_environment_vm`` keyed by its VM id in its host's unit (a
``vm_id`` change forces a new VM anyway). Renaming a node updates its VM in place; giving it
another VM id or moving it to another host (another unit, another state) destroys the VM
and its disk and creates a new one. The previous model is known only from the committed output:
each host unit's ``inputs.nodes`` as the last commit holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from homeops_gen.layout import INFRASTRUCTURE
from homeops_gen.model import Cluster
from homeops_gen.problems import Problem, warning

_UNIT = re.compile(rf"^{re.escape(INFRASTRUCTURE)}/hosts/([^/]+)/terragrunt\.hcl$")


def host_unit(path: str) -> bool:
    """Whether ``path`` is a host's terragrunt unit, which holds its VMs."""
    return _UNIT.match(path) is not None


def _previous_vms(previous: Mapping[str, str]) -> dict[tuple[str, int], str]:
    """(host, VM id) -> node name of every VM the committed host units describe."""
    import hcl2  # slow to import: only needed when a host unit changes

    vms: dict[tuple[str, int], str] = {}
    for path, text in previous.items():
        match = _UNIT.match(path)
        if match is None:
            continue
        try:
            inputs: Any = hcl2.loads(text).get("inputs", {})
        except Exception:  # a hand-broken file: nothing to compare with
            continue
        nodes = inputs.get("nodes", {}) if isinstance(inputs, dict) else {}
        for key, attributes in nodes.items() if isinstance(nodes, dict) else ():
            if not isinstance(attributes, dict) or not isinstance(attributes.get("vm_id"), int):
                continue
            # Keyed by VM id now, by node name before: the VM's name is the node's by default.
            name = str(key).strip('"')
            if name.isdigit():
                name = str(attributes.get("vm_name", name)).strip('"')
            vms[(match.group(1), attributes["vm_id"])] = name
    return vms


def vm_replacements(cluster: Cluster, previous: Mapping[str, str]) -> list[Problem]:
    """A warning for each VM of ``previous`` (the committed text of host units) that the
    new model destroys, saying why and what to do instead."""
    new = {(n.host, n.vm_id) for n in cluster.vm_nodes}
    by_id = {n.vm_id: n for n in cluster.vm_nodes}
    by_name = {(n.host, n.name): n for n in cluster.vm_nodes}
    problems: list[Problem] = []
    for (host, vm_id), name in sorted(_previous_vms(previous).items()):
        if (host, vm_id) in new:
            continue
        moved = by_id.get(vm_id)
        if moved is not None:
            why = (
                f"it moves to host {moved.host!r} (another terragrunt unit and state); "
                "migrate it in Proxmox and import it there, or accept a new VM"
            )
        elif (host, name) in by_name:
            why = (
                f"its vm_id changes from {vm_id} to {by_name[(host, name)].vm_id}, and Proxmox "
                "cannot renumber a VM in place"
            )
        else:
            why = "the node is no longer in the model"
        problems.append(
            warning(
                "vm-replaced",
                "nodes",
                f"VM {vm_id} ({name!r} on host {host!r}) will be destroyed with its disk: {why}. "
                "If you mean it, add 'vm-replaced' to Cluster(accept_warnings=[...]) in "
                "cluster.py",
            )
        )
    return problems
