"""Layer 1: Terragrunt and OpenTofu for Proxmox (``templates/infrastructure`` -> ``out/infrastructure``)."""

from __future__ import annotations

import posixpath
from typing import Any

from homeops_gen import derive
from homeops_gen.formats import Generated
from homeops_gen.layout import INFRASTRUCTURE
from homeops_gen.model import Cluster, ProxmoxHost
from homeops_gen.project import Project
from homeops_gen.render import render_template

BPG_PROXMOX_VERSION = "~> 0.89"
"""The bpg/proxmox provider releases the generated module is written for."""

SHARED_MODULE = ("versions.tf", "provider.tf", "variables.tf", "main.tf")
MODULE_DIR = f"{INFRASTRUCTURE}/shared/proxmox"


def render(project: Project) -> dict[str, str]:
    """``root.hcl``, the shared Proxmox module, and one ``terragrunt.hcl`` per host."""
    cluster = project.cluster
    files = {
        f"{INFRASTRUCTURE}/root.hcl": render_template(
            "infrastructure/root.hcl.j2",
            state=cluster.state,
            credentials={
                h.name: {**derive.host_credentials(h), "default_ssh_user": h.ssh_user}
                for h in cluster.hosts
            },
        )
    }
    for name in SHARED_MODULE:
        files[f"{MODULE_DIR}/{name}"] = render_template(
            f"infrastructure/shared/proxmox/{name}.j2", provider_version=BPG_PROXMOX_VERSION
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
                **unit,
            ),
            unit,
        )
    return files


def host_inputs(cluster: Cluster, host: ProxmoxHost) -> dict[str, Any]:
    """The inputs of ``host``'s terragrunt unit: exactly the module's variables."""
    prefix = cluster.network.node_cidr.prefixlen
    inputs: dict[str, Any] = {
        "proxmox_endpoint": host.endpoint,
        "proxmox_insecure": host.insecure,
        "proxmox_node": host.proxmox_node,
        "cluster_name": cluster.name,
        "talos_iso_url": derive.talos_iso_url(cluster),
        "talos_iso_file_name": derive.talos_iso_file_name(cluster),
        "iso_datastore": host.iso_datastore,
        "vm_datastore": host.vm_datastore,
        "bridge": host.bridge,
    }
    if cluster.network.gateway is not None:
        inputs["gateway"] = cluster.network.gateway
    if cluster.network.nameservers:
        inputs["nameservers"] = list(cluster.network.nameservers)
    inputs["guest_agent"] = derive.guest_agent(cluster)
    inputs["nodes"] = {
        node.name: {
            "vm_id": node.vm_id,
            "role": node.role,
            "cores": node.cores,
            "memory_mib": node.memory_mib,
            "disk_gib": node.disk_gib,
            "address": f"{node.ip}/{prefix}",
            "startup_order": 1 if node.is_controlplane else 2,
            "description": node.description
            or f"Talos {node.role} of cluster {cluster.name}. Managed by homeops-gen.",
        }
        for node in cluster.nodes_on(host)
    }
    return inputs
