"""Layer 2: the Talos machine configs' sources (``templates/talos`` -> ``out/talos``).

Two backends read the same model: ``talhelper`` (``talconfig.yaml``) and ``talosctl``
(machine-config patches: ``patches/cluster.yaml`` for every node, ``nodes/<node>.yaml`` per node,
and ``gen.sh``, which runs ``talosctl gen config`` + ``talosctl machineconfig patch``). Both
backends share the apply and upgrade scripts and ``versions.yaml``, the versions the output was
made for (what ``generate`` compares a version change with).
"""

from __future__ import annotations

import posixpath
from typing import Any

from homeops_gen import compat, cross_layer, talos_patches
from homeops_gen.apis import document_file, dump
from homeops_gen.apis.talhelper import (
    Bond,
    DeviceSelector,
    InstallDiskSelector,
    NetworkInterface,
    NodeConfigs,
    Route,
    Schematic,
    TalConfig,
    TalNode,
    Vip,
    patch_text,
)
from homeops_gen.apis.talos import (
    Address,
    BondConfig,
    DeleteDocument,
    DHCPv4Config,
    HostnameConfig,
    KubeAPIServerConfig,
    KubeCoreDNSConfig,
    KubeNetworkConfig,
    KubeNodeConfig,
    KubePrismConfig,
    KubeProxyConfig,
    Layer2VIPConfig,
    LinkAliasConfig,
    LinkConfig,
    LinkRoute,
    ResolverConfig,
    SecurityProfileConfig,
    UnattendedInstallConfig,
    VLANConfig,
)
from homeops_gen.cross_layer import CONTROL_PLANE_TAINT, KUBEPRISM_PORT
from homeops_gen.cross_layer import TALOS_BOND as BOND
from homeops_gen.cross_layer import TALOS_LINK as LINK
from homeops_gen.formats import yaml_file
from homeops_gen.layout import (
    CLUSTERCONFIG,
    TALCONFIG,
    TALOS,
    TALOS_APPLY,
    TALOS_GEN,
    TALOS_UPGRADE,
    TALOS_VERSIONS,
    TALOSCONFIG,
    TALSECRET,
)
from homeops_gen.model import Cluster, DiskSelector, Node
from homeops_gen.project import Project
from homeops_gen.templating import render_template

CLUSTER_PATCH = f"{TALOS}/patches/cluster.yaml"
NODE_PATCHES = f"{TALOS}/nodes"
SCHEMATICS = f"{TALOS}/schematics"
"""The Image Factory schematics of the bare-metal nodes, to register before their ISO is
downloaded (the infrastructure layer registers the VMs')."""

LACP_TIMERS = {"miimon": 100, "updelay": 200, "downdelay": 200}
"""An 802.3ad bond's link monitoring, which Talos warns about when unset (machinery
``BondConfigV1Alpha1.validateFor8023AD``; the values of its example document)."""


def mac_match(mac: str) -> str:
    """The CEL expression picking the link of ``mac`` (``mac()`` prints it in lower case)."""
    return f'mac(link.permanent_addr) == "{mac.lower()}"'


def link_match(node: Node) -> str:
    """The CEL expression picking the node's link: its MAC address where the model gives one,
    else the driver of the VMs' one network card, or a bare-metal node's one physical link
    (``true``: Talos aliases only the physical links, and no link a selector matches twice)."""
    if node.mac_address:
        return mac_match(node.mac_address)
    if node.is_bare_metal:
        return "true"
    return f'link.driver == "{cross_layer.VM_NETWORK_CARD.driver}"'


def device_selector(node: Node) -> DeviceSelector:
    """The v1alpha1 selector of the node's link: its MAC address, else its one physical card."""
    if node.mac_address:
        return {"hardwareAddr": node.mac_address.lower()}
    return {"physical": True}


def configures_link(cluster: Cluster, node: Node) -> bool:
    """Whether the node's Talos config sets up its link: a bare-metal node's always (no
    cloud-init gives it an address), a VM's for DHCP or the API VIP."""
    return node.is_bare_metal or node.dhcp or carries_vip(cluster, node)


def talos_vlan(node: Node) -> int | None:
    """The VLAN Talos puts the node's address on: a bare-metal node's (a VM's is the bridge's
    tag, which the VM never sees)."""
    return node.vlan_id if node.is_bare_metal else None


HEALTH_TIMEOUT = "10m"


def render(project: Project) -> dict[str, str]:
    """The chosen backend's files, the apply and upgrade scripts, ``versions.yaml`` and a
    ``.gitignore`` for the machine configs."""
    cluster = project.cluster
    clusterconfig = posixpath.relpath(CLUSTERCONFIG, TALOS)
    schematics = metal_schematics(cluster)
    files = {
        TALOS_APPLY: render_template(
            "talos/apply.sh.j2",
            cluster=cluster,
            clusterconfig=clusterconfig,
            talosconfig=posixpath.relpath(TALOSCONFIG, CLUSTERCONFIG),
            targets=[(node.name, node.ip, config_file(cluster, node)) for node in cluster.nodes],
            metal_isos=[
                (node.name, cross_layer.metal_iso_url(cluster, node))
                for node in cluster.nodes
                if node.is_bare_metal
            ],
            schematics=[posixpath.relpath(path, TALOS) for path in schematics],
            image_factory=cross_layer.IMAGE_FACTORY,
        ),
        TALOS_UPGRADE: render_template(
            "talos/upgrade.sh.j2",
            cluster=cluster,
            clusterconfig=clusterconfig,
            talosconfig=posixpath.relpath(TALOSCONFIG, CLUSTERCONFIG),
            nodes=[
                (n.name, n.ip, cross_layer.installer_image(cluster, n))
                for n in upgrade_order(cluster)
            ],
            health_timeout=HEALTH_TIMEOUT,
        ),
        TALOS_VERSIONS: yaml_file(versions_record(cluster)),
        f"{TALOS}/.gitignore": render_template("talos/gitignore.j2", clusterconfig=clusterconfig),
    }
    files.update(schematics)
    if cluster.talos.backend == "talhelper":
        files[TALCONFIG] = document_file(TalConfig)(talconfig(cluster))
    else:
        files.update(talosctl_files(cluster))
    return files


def metal_schematics(cluster: Cluster) -> dict[str, str]:
    """``schematics/<id>.yaml``: each bare-metal node's Image Factory schematic, which the
    factory serves the ISO and installer of once it is POSTed (it hashes its own marshalling
    of the parsed schematic, image-factory ``pkg/schematic``: this file's layout and header
    leave the id :func:`cross_layer.schematic_id` computes)."""
    args = cluster.talos.kernel_args
    images = {cluster.talos.node_extensions(n) for n in cluster.nodes if n.is_bare_metal}
    return {
        f"{SCHEMATICS}/{cross_layer.schematic_id(ext, args)}.yaml": yaml_file(
            dump(Schematic)(schematic(ext, args))
        )
        for ext in sorted(images)
    }


def config_file(cluster: Cluster, node: Node) -> str:
    """The file name of ``node``'s machine config: ``<cluster>-<hostname>.yaml`` (talhelper's)."""
    return f"{cluster.name}-{node.name}.yaml"


def upgrade_order(cluster: Cluster) -> list[Node]:
    """Control planes first, one at a time, then the workers (model order within each)."""
    return [*cluster.control_planes, *(n for n in cluster.nodes if not n.is_controlplane)]


def versions_record(cluster: Cluster) -> dict[str, str]:
    """What ``versions.yaml`` records: the versions the generated output is for."""
    return {
        "talos": cluster.versions.talos,
        "kubernetes": cluster.versions.kubernetes,
        "configContract": cross_layer.config_contract(cluster),
    }


# What every node gets, whatever the backend.


def cluster_patch(cluster: Cluster) -> dict[str, Any]:
    """The v1alpha1 settings every node gets beyond what talhelper's own fields set (a contract
    before Talos 1.14)."""
    cluster_patch: dict[str, Any] = {"proxy": {"disabled": True}}
    if cross_layer.uses_managed_coredns(cluster):
        cluster_patch["coreDNS"] = {"disabled": True}
    machine_patch: dict[str, Any] = {
        "features": {"kubePrism": {"enabled": True, "port": KUBEPRISM_PORT}},
        "kubelet": {"nodeIP": {"validSubnets": [str(cluster.network.node_cidr)]}},
    }
    return {"cluster": cluster_patch, "machine": machine_patch}


def kubernetes_documents(cluster: Cluster) -> list[dict[str, Any]]:
    """The same settings as Kubernetes documents (a Talos 1.14+ contract)."""
    proxy: KubeProxyConfig = {"apiVersion": "v1alpha1", "kind": "KubeProxyConfig", "enabled": False}
    documents = [dump(KubeProxyConfig)(proxy)]
    if cross_layer.uses_managed_coredns(cluster):
        coredns: KubeCoreDNSConfig = {
            "apiVersion": "v1alpha1",
            "kind": "KubeCoreDNSConfig",
            "enabled": False,
        }
        documents.append(dump(KubeCoreDNSConfig)(coredns))
    prism: KubePrismConfig = {
        "apiVersion": "v1alpha1",
        "kind": "KubePrismConfig",
        "port": KUBEPRISM_PORT,
    }
    node: KubeNodeConfig = {
        "apiVersion": "v1alpha1",
        "kind": "KubeNodeConfig",
        "nodeIP": {"validSubnets": [str(cluster.network.node_cidr)]},
    }
    return [*documents, dump(KubePrismConfig)(prism), dump(KubeNodeConfig)(node)]


def cluster_documents(cluster: Cluster) -> list[dict[str, Any]]:
    """Typed documents every node gets: the explicit workload isolation of Talos 1.14+."""
    isolation = cross_layer.workload_isolation(cluster)
    if isolation is None:
        return []
    profile: SecurityProfileConfig = {
        "apiVersion": "v1alpha1",
        "kind": "SecurityProfileConfig",
        "workloadIsolation": isolation,
    }
    return [dump(SecurityProfileConfig)(profile)]


def config_patches(cluster: Cluster) -> list[dict[str, Any]]:
    """The Talos machine-config patches every node gets (talhelper's ``patches``)."""
    if cross_layer.kubernetes_documents(cluster):
        return [*kubernetes_documents(cluster), *cluster_documents(cluster)]
    return [cluster_patch(cluster), *cluster_documents(cluster)]


def talos_version_field(cluster: Cluster) -> str:
    """talhelper's ``talosVersion``, which sets the version contract of the configs it makes.

    It is ``versions.talos`` while that is of the pinned contract's minor; otherwise the
    contract's first release, so a Talos upgrade never changes the contract. (Installer
    images name ``versions.talos`` themselves.)
    """
    contract = cross_layer.config_contract(cluster)
    if compat.minor(contract) == compat.minor(cluster.versions.talos):
        return cluster.versions.talos
    return f"{contract}.0"


# talhelper


def schematic(extensions: tuple[str, ...], kernel_args: tuple[str, ...] = ()) -> Schematic:
    """The Image Factory schematic of an image with ``extensions`` and extra ``kernel_args``."""
    return {
        "customization": {
            "extraKernelArgs": list(kernel_args) or None,
            "systemExtensions": {"officialExtensions": list(extensions)} if extensions else None,
        }
    }


def _patches(cluster: Cluster, patches: list[dict[str, Any]]) -> list[str] | None:
    """The model's patches and typed settings in the contract's form, one text each."""
    return [patch_text(p) for p in talos_patches.in_contract(cluster, patches)] or None


def _role(cluster: Cluster, role: str, patches: tuple[dict[str, Any], ...]) -> NodeConfigs | None:
    texts = _patches(cluster, [*talos_patches.role_settings(cluster, role), *patches])
    return {"patches": texts} if texts else None


def talconfig(cluster: Cluster) -> TalConfig:
    """The talhelper configuration of ``cluster``.

    Patches apply in order: homeops-gen's own, the model's cluster-wide ones, the role's
    (talhelper's ``controlPlane``/``worker``), then the node's.
    """
    talos = cluster.talos
    return {
        "clusterName": cluster.name,
        "talosVersion": talos_version_field(cluster),
        "kubernetesVersion": cluster.versions.kubernetes,
        "endpoint": cluster.api_url,
        "allowSchedulingOnControlPlanes": cluster.talos.allow_scheduling_on_control_planes,
        "additionalApiServerCertSans": (
            [str(cluster.api_address)] if cluster.endpoint_is_vip else None
        ),
        "clusterPodNets": [str(cluster.network.pod_cidr)],
        "clusterSvcNets": [str(cluster.network.service_cidr)],
        # Cilium is the CNI and replaces kube-proxy.
        "cniConfig": {"name": "none"},
        "imageFactory": {"installerURLTmpl": cross_layer.installer_url_template(cluster)},
        "patches": [
            *(patch_text(p) for p in config_patches(cluster)),
            *(patch_text(p) for p in talos_patches.kubelet_v1alpha1_base(cluster)),
            *(_patches(cluster, [*talos_patches.cluster_settings(cluster), *talos.patches]) or []),
        ],
        "controlPlane": _role(cluster, "controlplane", talos.controlplane_patches),
        "worker": _role(cluster, "worker", talos.worker_patches),
        "nodes": [_talnode(cluster, node) for node in cluster.nodes],
    }


def _talnode(cluster: Cluster, node: Node) -> TalNode:
    disk = cross_layer.install_disk(cluster, node)
    return {
        "hostname": node.name,
        "ipAddress": str(node.ip),
        "controlPlane": node.is_controlplane,
        "installDisk": disk if isinstance(disk, str) else None,
        "installDiskSelector": None if isinstance(disk, str) else _install_disk_selector(disk),
        "machineSpec": {"mode": cross_layer.platform(node)},
        "nameservers": [str(ns) for ns in cluster.network.nameservers] or None,
        "nodeLabels": dict(sorted(node.labels.items())) or None,
        "schematic": schematic(cluster.talos.node_extensions(node), cluster.talos.kernel_args),
        "networkInterfaces": _talhelper_interfaces(cluster, node),
        "patches": _patches(cluster, [*talos_patches.node_settings(cluster, node), *node.patches]),
    }


def _install_disk_selector(selector: DiskSelector) -> InstallDiskSelector:
    return {"model": selector.model, "serial": selector.serial, "size": selector.size}


def _talhelper_interfaces(cluster: Cluster, node: Node) -> list[NetworkInterface] | None:
    return [_interface(cluster, node)] if configures_link(cluster, node) else None


def carries_vip(cluster: Cluster, node: Node) -> bool:
    """Whether ``node`` holds the shared API VIP (every control plane, when the endpoint is one)."""
    return node.is_controlplane and cluster.endpoint_is_vip


def _address(cluster: Cluster, node: Node) -> str:
    return f"{node.ip}/{cluster.network.node_cidr.prefixlen}"


def _interface(cluster: Cluster, node: Node) -> NetworkInterface:
    """The node's v1alpha1 interface: its link (a card, or a bond of cards), its address (or
    DHCP) and default route, on a VLAN for a bare-metal node with one, and the API VIP."""
    gateway = cluster.network.gateway
    static = not node.dhcp
    addresses = [_address(cluster, node)] if static else None
    routes = [Route(network="0.0.0.0/0", gateway=str(gateway))] if gateway and static else None
    vip = Vip(ip=str(cluster.api_address)) if carries_vip(cluster, node) else None
    interface: NetworkInterface = {"dhcp": False}
    if node.bond is not None:
        lacp = node.bond.mode == "802.3ad"
        bond: Bond = {
            "mode": node.bond.mode,
            "deviceSelectors": [{"hardwareAddr": mac.lower()} for mac in node.bond.interfaces],
            "miimon": LACP_TIMERS["miimon"] if lacp else None,
            "updelay": LACP_TIMERS["updelay"] if lacp else None,
            "downdelay": LACP_TIMERS["downdelay"] if lacp else None,
        }
        interface.update({"interface": BOND, "bond": bond})
    else:
        interface["deviceSelector"] = device_selector(node)
    vlan = talos_vlan(node)
    if vlan is not None:
        interface["vlans"] = [
            {
                "vlanId": vlan,
                "dhcp": node.dhcp,
                "addresses": addresses,
                "routes": routes,
                "vip": vip,
            }
        ]
    else:
        interface.update({"dhcp": node.dhcp, "addresses": addresses, "routes": routes, "vip": vip})
    return interface


# talosctl


def _patch_file(documents: list[dict[str, Any]]) -> str:
    """One patch file of the talosctl backend (one v1alpha1 document, see ``one_v1alpha1``)."""
    return yaml_file(*talos_patches.one_v1alpha1(documents))


def _split(documents: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``documents`` for every node, and those Talos allows on control planes only."""
    only = talos_patches.CONTROL_PLANE_ONLY
    return (
        [d for d in documents if d.get("kind") not in only],
        [d for d in documents if d.get("kind") in only],
    )


def talosctl_files(cluster: Cluster) -> dict[str, str]:
    """The talosctl backend: the cluster-wide patch, one patch per node, and ``gen.sh``.

    Documents Talos allows on control planes only (``KubeAPIServerConfig``, ...) go to the
    control planes' patches, wherever the model says them."""
    every, control_plane = _split(talosctl_cluster_patch(cluster))
    files: dict[str, str] = {CLUSTER_PATCH: _patch_file(every)}
    roles = talosctl_role_patches(cluster)
    if control_plane:
        roles["controlplane"] = [*control_plane, *roles.get("controlplane", [])]
    for role, documents in roles.items():
        files[role_patch_file(role)] = _patch_file(documents)
    for node in cluster.nodes:
        files[node_patch_file(node)] = _patch_file(node_patch(cluster, node))
    # The model's own patches: one file each, passed in order after homeops-gen's.
    talos = cluster.talos
    cluster_files, cluster_cp_files = _cluster_user_patch_files(cluster, talos.patches)
    user = {
        "cluster": cluster_files,
        "controlplane": _user_patch_files(
            cluster, role_patch_file("controlplane"), talos.controlplane_patches
        ),
        "worker": _user_patch_files(cluster, role_patch_file("worker"), talos.worker_patches),
        **{
            n.name: _user_patch_files(cluster, node_patch_file(n), n.patches) for n in cluster.nodes
        },
    }
    for patches in [*user.values(), cluster_cp_files]:
        files.update(patches)
    role_paths = {role: [role_patch_file(role)] for role in roles}
    extra = {"controlplane": [*cluster_cp_files, *user["controlplane"]], "worker": user["worker"]}
    for role, paths in extra.items():
        if paths:
            role_paths[role] = [*role_paths.get(role, []), *paths]
    root = posixpath.relpath(".", TALOS)
    files[TALOS_GEN] = render_template(
        "talos/gen.sh.j2",
        cluster=cluster,
        root=root,
        secrets=TALSECRET,
        clusterconfig=CLUSTERCONFIG,
        talosconfig=TALOSCONFIG,
        cluster_patches=[CLUSTER_PATCH, *user["cluster"]],
        role_patches=role_paths,
        contract=cross_layer.config_contract(cluster),
        nodes=[
            (
                node.name,
                "controlplane" if node.is_controlplane else "worker",
                cross_layer.install_disk_path(cluster, node),
                cross_layer.installer_image(cluster, node),
                f"{CLUSTERCONFIG}/{config_file(cluster, node)}",
                [node_patch_file(node), *user[node.name]],
            )
            for node in cluster.nodes
        ],
        control_plane_ips=[str(n.ip) for n in cluster.control_planes],
    )
    return files


def _user_patch_files(
    cluster: Cluster, first: str, patches: tuple[dict[str, Any], ...]
) -> dict[str, str]:
    """The model's patches beside ``first`` (``cluster.yaml`` -> ``cluster.1.yaml``, ...), each
    in the contract's form."""
    stem = first.removesuffix(".yaml")
    return {
        f"{stem}.{i}.yaml": _patch_file(talos_patches.in_contract(cluster, [patch]))
        for i, patch in enumerate(patches, 1)
    }


def _cluster_user_patch_files(
    cluster: Cluster, patches: tuple[dict[str, Any], ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """The model's cluster-wide patches (``cluster.1.yaml``, ...), and the documents of each
    that only control planes may have (``cluster.1.controlplane.yaml``, ...)."""
    stem = CLUSTER_PATCH.removesuffix(".yaml")
    every: dict[str, str] = {}
    control_plane: dict[str, str] = {}
    for i, patch in enumerate(patches, 1):
        all_nodes, only = _split(talos_patches.in_contract(cluster, [patch]))
        if all_nodes:
            every[f"{stem}.{i}.yaml"] = _patch_file(all_nodes)
        if only:
            control_plane[f"{stem}.{i}.controlplane.yaml"] = _patch_file(only)
    return every, control_plane


def node_patch_file(node: Node) -> str:
    """The talosctl backend's patch of one node: ``out/talos/nodes/<node>.yaml``."""
    return f"{NODE_PATCHES}/{node.name}.yaml"


def talosctl_cluster_patch(cluster: Cluster) -> list[dict[str, Any]]:
    """Every node's patch: homeops-gen's own settings, then the model's typed settings."""
    return [
        *talosctl_derived_patch(cluster),
        *talos_patches.kubelet_v1alpha1_base(cluster),
        *talos_patches.in_contract(cluster, talos_patches.cluster_settings(cluster)),
    ]


def talosctl_derived_patch(cluster: Cluster) -> list[dict[str, Any]]:
    """What talhelper derives from its top-level fields, then its patches.

    Cluster name, endpoint, Kubernetes version, install disk and installer image are
    arguments of ``talosctl gen config`` (in ``gen.sh``), which places them right for the contract.
    """
    if cross_layer.kubernetes_documents(cluster):
        subnets: KubeNetworkConfig = {
            "apiVersion": "v1alpha1",
            "kind": "KubeNetworkConfig",
            "podSubnets": [str(cluster.network.pod_cidr)],
            "serviceSubnets": [str(cluster.network.service_cidr)],
        }
        # Cilium is the CNI: no Flannel.
        no_flannel: DeleteDocument = {
            "apiVersion": "v1alpha1",
            "kind": "KubeFlannelCNIConfig",
            "$patch": "delete",
        }
        documents = [dump(KubeNetworkConfig)(subnets), dump(DeleteDocument)(no_flannel)]
        if cluster.endpoint_is_vip:
            sans: KubeAPIServerConfig = {
                "apiVersion": "v1alpha1",
                "kind": "KubeAPIServerConfig",
                "certExtraSANs": [str(cluster.api_address)],
            }
            documents.append(dump(KubeAPIServerConfig)(sans))
        return [*documents, *config_patches(cluster)]
    settings = cluster_patch(cluster)
    network = {
        "cni": {"name": "none"},
        "podSubnets": [str(cluster.network.pod_cidr)],
        "serviceSubnets": [str(cluster.network.service_cidr)],
    }
    head: dict[str, Any] = {
        "allowSchedulingOnControlPlanes": cluster.talos.allow_scheduling_on_control_planes,
        "network": network,
    }
    if cluster.endpoint_is_vip:
        head["apiServer"] = {"certSANs": [str(cluster.api_address)]}
    return [
        {"cluster": {**head, **settings["cluster"]}, "machine": settings["machine"]},
        *cluster_documents(cluster),
    ]


def talosctl_role_patches(cluster: Cluster) -> dict[str, list[dict[str, Any]]]:
    """The patches of one role (``controlplane``, ``worker``), where there is anything to say."""
    patches = derived_role_patches(cluster)
    for role in ("controlplane", "worker"):
        settings = talos_patches.role_settings(cluster, role)
        if settings:
            documents = talos_patches.in_contract(cluster, settings)
            patches[role] = [*patches.get(role, []), *documents]
    return patches


def derived_role_patches(cluster: Cluster) -> dict[str, list[dict[str, Any]]]:
    """What homeops-gen writes of its own per role: control planes that run workloads lose the
    taint gen config gives them (a Talos 1.14+ contract)."""
    if (
        cross_layer.kubernetes_documents(cluster)
        and cluster.talos.allow_scheduling_on_control_planes
    ):
        untaint: KubeNodeConfig = {
            "apiVersion": "v1alpha1",
            "kind": "KubeNodeConfig",
            "taints": {CONTROL_PLANE_TAINT: {"$patch": "delete"}},
        }
        return {"controlplane": [dump(KubeNodeConfig)(untaint)]}
    return {}


def own_patches(cluster: Cluster) -> list[dict[str, Any]]:
    """Every patch the talosctl backend writes from the model's own fields, in every scope (not
    the model's patches or typed settings): what a patch of the model must leave alone."""
    return [
        *talosctl_derived_patch(cluster),
        *talos_patches.kubelet_v1alpha1_base(cluster),
        *(p for patches in derived_role_patches(cluster).values() for p in patches),
        *(p for node in cluster.nodes for p in node_derived_patch(cluster, node)),
    ]


def role_patch_file(role: str) -> str:
    """The talosctl backend's patch of one role: ``out/talos/patches/<role>.yaml``."""
    return f"{TALOS}/patches/{role}.yaml"


def node_patch(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """One node's patch: its derived settings and install disk selector, then its typed
    settings."""
    settings = talos_patches.in_contract(cluster, talos_patches.node_settings(cluster, node))
    return [
        *node_derived_patch(cluster, node),
        *install_disk_documents(cluster, node),
        *settings,
    ]


def node_derived_patch(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """Hostname, DNS servers, labels and (control planes) the API VIP."""
    machine: dict[str, Any] = {}
    labels = dict(sorted(node.labels.items()))
    kubernetes: list[dict[str, Any]] = []
    if labels and cross_layer.kubernetes_documents(cluster):
        node_labels: KubeNodeConfig = {
            "apiVersion": "v1alpha1",
            "kind": "KubeNodeConfig",
            "labels": labels,
        }
        kubernetes.append(dump(KubeNodeConfig)(node_labels))
    elif labels:
        machine["nodeLabels"] = labels
    if not cross_layer.typed_network_documents(cluster):
        return [{"machine": {"network": _v1alpha1_network(cluster, node), **machine}}]
    documents = _network_documents(cluster, node)
    return [{"machine": machine}, *documents, *kubernetes] if machine else [*documents, *kubernetes]


def _v1alpha1_network(cluster: Cluster, node: Node) -> dict[str, Any]:
    """The node's ``.machine.network`` (a contract before Talos 1.12)."""
    network: dict[str, Any] = {"hostname": node.name}
    nameservers = [str(ns) for ns in cluster.network.nameservers]
    if nameservers:
        network["nameservers"] = nameservers
    if configures_link(cluster, node):
        network["interfaces"] = [dump(NetworkInterface)(_interface(cluster, node))]
    return network


def _network_documents(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """The node's network documents (a Talos 1.12+ contract)."""
    hostname: HostnameConfig = {
        "apiVersion": "v1alpha1",
        "kind": "HostnameConfig",
        "auto": "off",
        "hostname": node.name,
    }
    documents: list[dict[str, Any]] = [dump(HostnameConfig)(hostname)]
    nameservers = [str(ns) for ns in cluster.network.nameservers]
    # DHCP's search domains would apply (Talos 1.14+) unless the resolver names its own
    pin = node.dhcp and compat.minor(cluster.versions.talos) >= compat.DHCP_SEARCH_DOMAINS
    if nameservers or pin:
        resolvers: ResolverConfig = {"apiVersion": "v1alpha1", "kind": "ResolverConfig"}
        if nameservers:
            resolvers["nameservers"] = [{"address": ns} for ns in nameservers]
        if pin:
            resolvers["searchDomains"] = {"domains": []}
        documents.append(dump(ResolverConfig)(resolvers))
    if configures_link(cluster, node):
        documents += _link_documents(cluster, node)
    return documents


def _link_documents(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """The node's link named (a card by alias, or a bond of aliased cards), on a VLAN for a
    bare-metal node with one, with its address (or DHCP), default route and the API VIP (the
    Talos 1.12 network documents)."""
    gateway = cluster.network.gateway
    addresses: list[Address] | None = None if node.dhcp else [{"address": _address(cluster, node)}]
    routes: list[LinkRoute] | None = (
        [{"gateway": str(gateway)}] if gateway and not node.dhcp else None
    )
    documents: list[dict[str, Any]] = []
    vlan = talos_vlan(node)
    if node.bond is not None:
        cards = [f"net{i}" for i in range(len(node.bond.interfaces))]
        for card, mac in zip(cards, node.bond.interfaces, strict=True):
            documents.append(dump(LinkAliasConfig)(_alias(card, mac_match(mac))))
        lacp = node.bond.mode == "802.3ad"
        bond: BondConfig = {
            "apiVersion": "v1alpha1",
            "kind": "BondConfig",
            "name": BOND,
            "links": cards,
            "bondMode": node.bond.mode,
            "miimon": LACP_TIMERS["miimon"] if lacp else None,
            "updelay": LACP_TIMERS["updelay"] if lacp else None,
            "downdelay": LACP_TIMERS["downdelay"] if lacp else None,
        }
        if vlan is None:
            bond.update({"addresses": addresses, "routes": routes})
        documents.append(dump(BondConfig)(bond))
        link = BOND
    else:
        documents.append(dump(LinkAliasConfig)(_alias(LINK, link_match(node))))
        link = LINK
        if vlan is None and addresses is not None:
            config: LinkConfig = {
                "apiVersion": "v1alpha1",
                "kind": "LinkConfig",
                "name": LINK,
                "addresses": addresses,
                "routes": routes,
            }
            documents.append(dump(LinkConfig)(config))
    if vlan is not None:
        vlan_link: VLANConfig = {
            "apiVersion": "v1alpha1",
            "kind": "VLANConfig",
            "name": f"{link}.{vlan}",
            "vlanID": vlan,
            "parent": link,
            "addresses": addresses,
            "routes": routes,
        }
        documents.append(dump(VLANConfig)(vlan_link))
        link = vlan_link["name"]
    if carries_vip(cluster, node):
        vip: Layer2VIPConfig = {
            "apiVersion": "v1alpha1",
            "kind": "Layer2VIPConfig",
            "name": str(cluster.api_address),
            "link": link,
        }
        documents.append(dump(Layer2VIPConfig)(vip))
    if node.dhcp:
        dhcp4: DHCPv4Config = {"apiVersion": "v1alpha1", "kind": "DHCPv4Config", "name": link}
        documents.append(dump(DHCPv4Config)(dhcp4))
    return documents


def _alias(name: str, match: str) -> LinkAliasConfig:
    """A stable name for the physical link ``match`` selects (see :func:`link_match`)."""
    return {
        "apiVersion": "v1alpha1",
        "kind": "LinkAliasConfig",
        "name": name,
        "selector": {"match": match},
    }


def install_disk_documents(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """A bare-metal node's disk selector, where ``talosctl gen config`` put the install disk
    path: ``UnattendedInstallConfig`` (a Talos 1.14+ contract; gen config writes its
    ``disk.dev_path`` match, machinery ``generate/init.go``), else v1alpha1
    ``.machine.install.diskSelector`` (which wins over ``disk``)."""
    disk = cross_layer.install_disk(cluster, node)
    if isinstance(disk, str):
        return []
    if compat.minor(cross_layer.config_contract(cluster)) >= compat.UNATTENDED_INSTALL:
        install: UnattendedInstallConfig = {
            "apiVersion": "v1alpha1",
            "kind": "UnattendedInstallConfig",
            "provisioning": {"diskSelector": {"match": cross_layer.disk_match(disk)}},
        }
        return [dump(UnattendedInstallConfig)(install)]
    selector = dump(InstallDiskSelector)(_install_disk_selector(disk))
    return [{"machine": {"install": {"diskSelector": selector}}}]
