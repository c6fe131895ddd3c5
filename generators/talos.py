"""Layer 2: talhelper's ``talconfig.yaml`` and the apply script (``templates/talos`` -> ``out/talos``)."""

from __future__ import annotations

import posixpath
from typing import Any

from homeops_gen import derive
from homeops_gen.apis import document_file
from homeops_gen.apis.talhelper import (
    CniConfig,
    Customization,
    DeviceSelector,
    ImageFactory,
    NetworkInterface,
    Route,
    Schematic,
    SystemExtensions,
    TalConfig,
    TalNode,
    Vip,
    patch_text,
)
from homeops_gen.layout import CLUSTERCONFIG, TALCONFIG, TALOS, TALOS_APPLY
from homeops_gen.model import Cluster, Node
from homeops_gen.project import Project
from homeops_gen.templating import render_template


def render(project: Project) -> dict[str, str]:
    """``talconfig.yaml``, the apply script, and a ``.gitignore`` for talhelper's output."""
    cluster = project.cluster
    return {
        TALCONFIG: document_file(talconfig(cluster)),
        TALOS_APPLY: render_template(
            "talos/apply.sh.j2",
            cluster=cluster,
            clusterconfig=posixpath.relpath(CLUSTERCONFIG, TALOS),
            targets=[(node.ip, config_file(cluster, node)) for node in cluster.nodes],
        ),
        f"{TALOS}/.gitignore": render_template(
            "talos/gitignore.j2", clusterconfig=posixpath.relpath(CLUSTERCONFIG, TALOS)
        ),
    }


def config_file(cluster: Cluster, node: Node) -> str:
    """talhelper's file name for ``node``'s machine config: ``<cluster>-<hostname>.yaml``."""
    return f"{cluster.name}-{node.name}.yaml"


def talconfig(cluster: Cluster) -> TalConfig:
    """The talhelper configuration of ``cluster``."""
    schematic = Schematic(
        customization=Customization(
            system_extensions=(
                SystemExtensions(official_extensions=list(cluster.talos.extensions))
                if cluster.talos.extensions
                else None
            )
        )
    )
    return TalConfig(
        cluster_name=cluster.name,
        talos_version=cluster.versions.talos,
        kubernetes_version=cluster.versions.kubernetes,
        endpoint=cluster.api_url,
        allow_scheduling_on_control_planes=cluster.talos.allow_scheduling_on_control_planes,
        additional_api_server_cert_sans=(
            [str(cluster.api_address)] if cluster.endpoint_is_vip else None
        ),
        cluster_pod_nets=[str(cluster.network.pod_cidr)],
        cluster_svc_nets=[str(cluster.network.service_cidr)],
        # Cilium is the CNI and replaces kube-proxy.
        cni_config=CniConfig(name="none"),
        image_factory=ImageFactory(installer_url_tmpl=derive.installer_url_template()),
        patches=[patch_text(p) for p in config_patches(cluster)],
        nodes=[_node(cluster, node, schematic) for node in cluster.nodes],
    )


def config_patches(cluster: Cluster) -> list[dict[str, Any]]:
    """The Talos machine-config patches every node gets."""
    cluster_patch: dict[str, Any] = {"proxy": {"disabled": True}}
    if derive.uses_managed_coredns(cluster):
        cluster_patch["coreDNS"] = {"disabled": True}
    machine_patch: dict[str, Any] = {
        "features": {"kubePrism": {"enabled": True, "port": derive.KUBEPRISM_PORT}},
        "kubelet": {"nodeIP": {"validSubnets": [str(cluster.network.node_cidr)]}},
    }
    return [{"cluster": cluster_patch, "machine": machine_patch}]


def _node(cluster: Cluster, node: Node, schematic: Schematic) -> TalNode:
    return TalNode(
        hostname=node.name,
        ip_address=str(node.ip),
        control_plane=node.is_controlplane,
        install_disk=cluster.talos.install_disk,
        nameservers=[str(ns) for ns in cluster.network.nameservers] or None,
        node_labels=dict(sorted(node.labels.items())) or None,
        schematic=schematic,
        network_interfaces=(
            [_vip_interface(cluster, node)]
            if node.is_controlplane and cluster.endpoint_is_vip
            else None
        ),
    )


def _vip_interface(cluster: Cluster, node: Node) -> NetworkInterface:
    """The node's interface carrying the shared API VIP (the endpoint exists only this way)."""
    gateway = cluster.network.gateway
    return NetworkInterface(
        device_selector=DeviceSelector(physical=True),
        dhcp=False,
        addresses=[f"{node.ip}/{cluster.network.node_cidr.prefixlen}"],
        routes=[Route(network="0.0.0.0/0", gateway=str(gateway))] if gateway else None,
        vip=Vip(ip=str(cluster.api_address)),
    )
