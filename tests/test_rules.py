"""Invalid models: each is refused with the field's path and a plain reason, and nothing is written."""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

import pytest

from homeops_gen.project import load
from homeops_gen.rules import check_cluster
from tests.conftest import run, tree
from tests.models import BASE, DEFAULT_APPS, model, write_model

NODE = BASE["nodes"][3]
VM_ONLY = ("host", "vm_id", "cores", "memory_mib", "disk_gib")
BARE = {k: v for k, v in NODE.items() if k not in VM_ONLY}
"""``NODE`` as a bare-metal node."""
MACS = ["58:47:CA:71:0A:10", "58:47:CA:71:0A:11"]

# (overrides of the base model, apps expression, expected path, words of the reason)
INVALID: dict[str, tuple[dict[str, Any], str, str, list[str]]] = {
    "duplicate node name": (
        {"nodes__3": {**NODE, "name": "cp-1"}},
        DEFAULT_APPS,
        "nodes[3].name",
        ["cp-1", "already used", "nodes[0].name"],
    ),
    "duplicate vm id": (
        {"nodes__3": {**NODE, "vm_id": 100}},
        DEFAULT_APPS,
        "nodes[3].vm_id",
        ["100", "already used"],
    ),
    "duplicate ip": (
        {"nodes__3": {**NODE, "ip": "192.168.1.11"}},
        DEFAULT_APPS,
        "nodes[3].ip",
        ["192.168.1.11", "already used", "nodes[1].ip"],
    ),
    "node name not dns": (
        {"nodes__3": {**NODE, "name": "Worker_1"}},
        DEFAULT_APPS,
        "nodes[3].name",
        ["DNS-1123"],
    ),
    "app name not dns": (
        {},
        '[cilium("1.18.4", name="Cilium!"), flux_operator("0.36.0"), flux_instance("0.36.0")]',
        "apps[0].name",
        ["DNS-1123"],
    ),
    "namespace not dns": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="Web Apps", chart=Chart(url="oci://r.io/web", version="1.0.0"))]',
        "apps[3].namespace",
        ["DNS-1123"],
    ),
    "ip outside node cidr": (
        {"nodes__3": {**NODE, "ip": "10.0.0.5"}},
        DEFAULT_APPS,
        "nodes[3].ip",
        ["outside node_cidr", "192.168.1.0/24"],
    ),
    "ip is network address": (
        {"nodes__3": {**NODE, "ip": "192.168.1.0"}},
        DEFAULT_APPS,
        "nodes[3].ip",
        ["network address"],
    ),
    "ip is broadcast address": (
        {"nodes__3": {**NODE, "ip": "192.168.1.255"}},
        DEFAULT_APPS,
        "nodes[3].ip",
        ["broadcast address"],
    ),
    "node takes gateway ip": (
        {"nodes__3": {**NODE, "ip": "192.168.1.1"}},
        DEFAULT_APPS,
        "nodes[3].ip",
        ["gateway"],
    ),
    "gateway outside node cidr": (
        {"network__gateway": "192.168.2.1"},
        DEFAULT_APPS,
        "network.gateway",
        ["outside node_cidr"],
    ),
    "endpoint outside node cidr": (
        {"endpoint": "10.9.9.9"},
        DEFAULT_APPS,
        "endpoint",
        ["outside node_cidr"],
    ),
    "endpoint is a worker": (
        {"endpoint": "192.168.1.20"},
        DEFAULT_APPS,
        "endpoint",
        ["worker", "worker-1", "control plane", "VIP"],
    ),
    "pod cidr overlaps node cidr": (
        {"network__pod_cidr": "192.168.0.0/16"},
        DEFAULT_APPS,
        "network.pod_cidr",
        ["overlaps", "node_cidr"],
    ),
    "service cidr overlaps pod cidr": (
        {"network__service_cidr": "10.42.128.0/20"},
        DEFAULT_APPS,
        "network.service_cidr",
        ["overlaps", "pod_cidr"],
    ),
    "pool overlaps service cidr": (
        {"network__load_balancer_cidr": "10.43.10.0/24"},
        DEFAULT_APPS,
        "network.load_balancer_cidr",
        ["overlaps", "service_cidr"],
    ),
    "pool contains a node": (
        {"network__load_balancer_cidr": "192.168.1.0/27"},
        DEFAULT_APPS,
        "network.load_balancer_cidr",
        ["contains", "192.168.1.10", "cp-1"],
    ),
    "pool contains the endpoint vip": (
        {"endpoint": "192.168.1.245"},
        DEFAULT_APPS,
        "network.load_balancer_cidr",
        ["contains", "192.168.1.245", "endpoint"],
    ),
    "unknown host": (
        {"nodes__3": {**NODE, "host": "pve2"}},
        DEFAULT_APPS,
        "nodes[3].host",
        ["no host named", "pve2"],
    ),
    "no control plane": (
        {"nodes": [NODE]},
        DEFAULT_APPS,
        "nodes",
        ["at least one", "controlplane"],
    ),
    "bad role": (
        {"nodes__3": {**NODE, "role": "master"}},
        DEFAULT_APPS,
        "nodes[3].role",
        ["controlplane", "worker"],
    ),
    "kubernetes too new for talos": (
        {"versions__kubernetes": "v1.35.0"},
        DEFAULT_APPS,
        "versions.kubernetes",
        ["Talos 1.11", "1.29", "1.34", "1.35"],
    ),
    "kubernetes too old for talos": (
        {"versions__kubernetes": "v1.27.3"},
        DEFAULT_APPS,
        "versions.kubernetes",
        ["Talos 1.11", "not 1.27"],
    ),
    "kubernetes too old for cilium": (
        {"versions": {"talos": "v1.9.0", "kubernetes": "v1.28.0"}},
        DEFAULT_APPS,
        "apps[0].chart.version",
        ["Cilium 1.18", "does not support", "1.28"],
    ),
    "malformed version": (
        {"versions__talos": "1.11"},
        DEFAULT_APPS,
        "versions.talos",
        ["'1.11' is not a Talos version such as v1.11.5"],
    ),
    "unknown dependency": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), depends_on=["db"])]',
        "apps[3].depends_on[0]",
        ["no app named", "db"],
    ),
    "dependency cycle": (
        {},
        DEFAULT_APPS
        + ' + [App(name="a", namespace="x", chart=Chart(url="oci://r.io/a", version="1.0.0"), depends_on=["b"]), App(name="b", namespace="x", chart=Chart(url="oci://r.io/b", version="1.0.0"), depends_on=["c"]), App(name="c", namespace="x", chart=Chart(url="oci://r.io/c", version="1.0.0"), depends_on=["a"])]',
        "apps[3].depends_on",
        ["cycle", "a -> b -> c -> a"],
    ),
    "bootstrap depends on non-bootstrap": (
        {},
        DEFAULT_APPS
        + ' + [App(name="db", namespace="x", chart=Chart(url="oci://r.io/db", version="1.0.0")), App(name="early", namespace="x", chart=Chart(url="oci://r.io/e", version="1.0.0"), bootstrap=True, depends_on=["db"])]',
        "apps[4].depends_on[0]",
        ["bootstrap app", "early", "db", "not a bootstrap app"],
    ),
    "no cni": (
        {},
        '[flux_operator("0.36.0"), flux_instance("0.36.0")]',
        "apps",
        ["no cilium app", "CNI"],
    ),
    "cilium not bootstrap": (
        {},
        '[cilium("1.18.4", bootstrap=False), flux_operator("0.36.0"), flux_instance("0.36.0")]',
        "apps[0].bootstrap",
        ["cilium", "bootstrap"],
    ),
    "flux instance without operator": (
        {},
        '[cilium("1.18.4"), flux_instance("0.36.0")]',
        "apps[1]",
        ["flux-operator"],
    ),
    "unknown field": (
        {"nodes__3": {**NODE, "cpu": 4}},
        DEFAULT_APPS,
        "nodes[3].cpu",
        ["unknown field 'cpu' of Node"],
    ),
    "https chart without name": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="https://charts.example.com", version="1.0.0"))]',
        "apps[3].chart.name",
        ["chart's name"],
    ),
    "resource without kind": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), resources=[{"apiVersion": "v1", "metadata": {"name": "x"}}])]',
        "apps[3].resources[0]",
        ["apiVersion", "kind"],
    ),
    "secret not sops": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), secrets=["secrets/web.yaml"])]',
        "apps[3].secrets[0]",
        ["SOPS", "*.sops.yaml"],
    ),
    "secret outside project": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), secrets=["../web.sops.yaml"])]',
        "apps[3].secrets[0]",
        ["inside the project"],
    ),
    "crds on a flux-only app": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), crds=["https://example.com/crds.yaml"])]',
        "apps[3].crds",
        ["bootstrap app"],
    ),
    "reserved app name": (
        {},
        DEFAULT_APPS
        + ' + [App(name="cluster-apps", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"))]',
        "apps[3].name",
        ["cluster-apps", "flux-system"],
    ),
    "vms and no hosts": (
        {"hosts": []},
        DEFAULT_APPS,
        "nodes[0].host",
        ["no host named 'pve'", "hosts: none"],
    ),
    "no nodes": ({"nodes": []}, DEFAULT_APPS, "nodes", ["at least one node"]),
    "endpoint is the gateway": ({"endpoint": "192.168.1.1"}, DEFAULT_APPS, "endpoint", ["gateway"]),
    "service cidr too small": (
        {"network__service_cidr": "10.43.0.0/29"},
        DEFAULT_APPS,
        "network.service_cidr",
        ["too small", "cluster DNS"],
    ),
    "kubernetes too new for talos 1.14": (
        {"versions": {"talos": "v1.14.0", "kubernetes": "v1.38.0"}},
        DEFAULT_APPS,
        "versions.kubernetes",
        ["Talos 1.14 supports Kubernetes 1.32 to 1.37, not 1.38"],
    ),
    "kubernetes too old for talos 1.14": (
        {"versions": {"talos": "v1.14.0", "kubernetes": "v1.31.4"}},
        DEFAULT_APPS,
        "versions.kubernetes",
        ["Talos 1.14 supports Kubernetes 1.32 to 1.37, not 1.31"],
    ),
    "contract newer than talos": (
        {"talos": {"config_contract": "v1.12"}},
        DEFAULT_APPS,
        "talos.config_contract",
        ["v1.12 is newer than versions.talos v1.11.5"],
    ),
    "workload isolation before talos 1.14": (
        {"talos": {"workload_isolation": False}},
        DEFAULT_APPS,
        "talos.workload_isolation",
        ["needs Talos 1.14 or later", "v1.11.5"],
    ),
    "malformed contract": (
        {"talos": {"config_contract": "1.11"}},
        DEFAULT_APPS,
        "talos.config_contract",
        ["'1.11' is not a Talos minor such as v1.11"],
    ),
    "unknown talos backend": (
        {"talos": {"backend": "topf"}},
        DEFAULT_APPS,
        "talos.backend",
        ["talhelper", "talosctl"],
    ),
    "talos too old": (
        {"versions": {"talos": "v1.5.0", "kubernetes": "v1.28.0"}},
        DEFAULT_APPS,
        "versions.talos",
        ["older than any supported"],
    ),
    "manifest without a name": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), resources=[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}])]',
        "apps[3].resources[0]",
        ["metadata.name"],
    ),
    "two manifests, one file name": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), resources=[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}] * 2)]',
        "apps[3].resources[1]",
        ["configmap-x.yaml", "already generated"],
    ),
    "manifest file that is not yaml": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), manifests=["manifests/web.json"])]',
        "apps[3].manifests[0]",
        ["*.yaml"],
    ),
    "manifest and secret with one file name": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), manifests=["a/web.yaml"], secrets=["b/web.sops.yaml", "c/web.sops.yaml"])]',
        "apps[3].secrets[1]",
        ["web.sops.yaml", "already used"],
    ),
    "app depends on itself": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"), depends_on=["web"])]',
        "apps[3].depends_on[0]",
        ["depends on itself"],
    ),
    "app without chart and nothing to deploy": (
        {},
        DEFAULT_APPS + ' + [App(name="web", namespace="web")]',
        "apps[3].chart",
        ["without a chart", "resources, manifests or secrets"],
    ),
    "app without chart with values": (
        {},
        DEFAULT_APPS + ' + [App(name="web", namespace="web", values={"a": 1}, resources=[CM])]',
        "apps[3].values",
        ["no chart"],
    ),
    "misspelt kustomization field": (
        {},
        DEFAULT_APPS + ' + [web(kustomization={"healthCheks": []})]',
        "apps[3].kustomization.healthCheks",
        ["unknown field; did you mean healthChecks?"],
    ),
    "misspelt nested kustomization field": (
        {},
        DEFAULT_APPS
        + ' + [web(kustomization={"postBuild": {"substituteFron": [{"kind": "Secret", "name": "s"}]}})]',
        "apps[3].kustomization.postBuild.substituteFron",
        ["did you mean substituteFrom?"],
    ),
    "misspelt release field": (
        {},
        DEFAULT_APPS + ' + [web(release={"valueFrom": []})]',
        "apps[3].release.valueFrom",
        ["unknown field; did you mean valuesFrom?"],
    ),
    "mistyped kustomization value": (
        {},
        DEFAULT_APPS + ' + [web(kustomization={"timeout": "5 minutes"})]',
        "apps[3].kustomization.timeout",
        ["'5 minutes' is not a duration"],
    ),
    "release value outside its choices": (
        {},
        DEFAULT_APPS + ' + [web(release={"driftDetection": {"mode": "on"}})]',
        "apps[3].release.driftDetection.mode",
        ["'on' is not allowed", "'enabled'"],
    ),
    "no wait for an app others depend on": (
        {},
        '[cilium("1.18.4", ), flux_operator("0.36.0", ), flux_instance("0.36.0")]'
        ' + [web(kustomization={"wait": False}), web(name="api", depends_on=["web"])]',
        "apps[3].kustomization.wait",
        ["api depend(s) on 'web'", "leave wait out"],
    ),
    "no wait for an app with custom resources": (
        {},
        DEFAULT_APPS
        + ' + [web(kustomization={"wait": False}, resources=[{"apiVersion": "cert-manager.io/v1",'
        ' "kind": "ClusterIssuer", "metadata": {"name": "ca"}}])]',
        "apps[3].kustomization.wait",
        ["custom resources", "leave wait out"],
    ),
    "derived kustomization field": (
        {},
        DEFAULT_APPS + ' + [web(kustomization={"dependsOn": [{"name": "cilium"}]})]',
        "apps[3].kustomization.dependsOn",
        ["derives", "depends_on"],
    ),
    "derived release field": (
        {},
        DEFAULT_APPS + ' + [web(release={"values": {"a": 1}})]',
        "apps[3].release.values",
        ["derives", "app's values"],
    ),
    "release of an app without chart": (
        {},
        DEFAULT_APPS
        + ' + [App(name="web", namespace="web", release={"timeout": "5m"}, resources=[CM])]',
        "apps[3].release",
        ["no HelmRelease"],
    ),
    "valuesFrom on a bootstrap app": (
        {},
        '[cilium("1.18.4", ), flux_operator("0.36.0", ), flux_instance("0.36.0")]'
        ' + [web(bootstrap=True, release={"valuesFrom": [{"kind": "Secret", "name": "v"}]})]',
        "apps[3].release.valuesFrom",
        ["bootstrap helmfile"],
    ),
    "namespace among an app's resources": (
        {},
        DEFAULT_APPS
        + ' + [web(resources=[{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}}])]',
        "apps[3].resources[0]",
        ["Namespace cannot be part of an app", "Cluster.namespaces"],
    ),
    "namespace given twice": (
        {"namespaces": [{"name": "web"}, {"name": "web", "labels": {"a": "b"}}]},
        DEFAULT_APPS,
        "namespaces[1].name",
        ["web", "already used"],
    ),
    "app named like another app's custom resources": (
        {},
        DEFAULT_APPS + ' + [web(name="cilium-resources")]',
        "apps[3].name",
        ["custom resources", "'cilium'"],
    ),
    "chart version that is not one": (
        {},
        DEFAULT_APPS + ' + [web(chart=Chart(url="oci://r.io/web", version="1.0"))]',
        "apps[3].chart.version",
        ["exactly as the chart publishes it"],
    ),
    "coredns service ip contradicting the service cidr": (
        {},
        DEFAULT_APPS + ' + [coredns("1.45.0", values={"service": {"clusterIP": "10.96.0.10"}})]',
        "apps[3].values.service.clusterIP",
        ["'10.96.0.10' contradicts '10.43.0.10'", "network.service_cidr"],
    ),
    "flux-instance sync url contradicting gitops": (
        {},
        '[cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0", values='
        '{"instance": {"sync": {"url": "https://github.com/other/repo"}}})]',
        "apps[2].values.instance.sync.url",
        ["contradicts", "gitops.repository"],
    ),
    "cilium routing cidr contradicting the pod cidr": (
        {},
        '[cilium("1.18.4", values={"ipv4NativeRoutingCIDR": "10.244.0.0/16"}), '
        'flux_operator("0.36.0"), flux_instance("0.36.0")]',
        "apps[0].values.ipv4NativeRoutingCIDR",
        ["contradicts", "network.pod_cidr"],
    ),
    "talos patch setting the pod subnets": (
        {"talos": {"patches": [{"cluster": {"network": {"podSubnets": ["10.0.0.0/8"]}}}]}},
        DEFAULT_APPS,
        "talos.patches[0].cluster.network.podSubnets",
        ["derives", "network.pod_cidr"],
    ),
    "control plane patch setting the install disk": (
        {"talos": {"controlplane_patches": [{"machine": {"install": {"disk": "/dev/vda"}}}]}},
        DEFAULT_APPS,
        "talos.controlplane_patches[0].machine.install.disk",
        ["install_disk"],
    ),
    "worker patch with a misspelt section": (
        {"talos": {"worker_patches": [{"machin": {"sysctls": {}}}]}},
        DEFAULT_APPS,
        "talos.worker_patches[0].machin",
        ["not a Talos machine-config section", "did you mean 'machine'?"],
    ),
    "node patch setting the hostname": (
        {"nodes__3": {**NODE, "patches": [{"machine": {"network": {"hostname": "w"}}}]}},
        DEFAULT_APPS,
        "nodes[3].patches[0].machine.network.hostname",
        ["the node's name"],
    ),
    "node patch writing a hostname document": (
        {
            "nodes__3": {
                **NODE,
                "patches": [{"apiVersion": "v1alpha1", "kind": "HostnameConfig", "hostname": "w"}],
            }
        },
        DEFAULT_APPS,
        "nodes[3].patches[0].kind",
        ["HostnameConfig", "node's name"],
    ),
    "KubeNodeConfig patch setting the node IP": (
        {
            "versions": {"talos": "v1.14.0", "kubernetes": "v1.35.0"},
            "talos": {
                "backend": "talosctl",
                "patches": [
                    {
                        "apiVersion": "v1alpha1",
                        "kind": "KubeNodeConfig",
                        "nodeIP": {"validSubnets": ["10.0.0.0/8"]},
                    }
                ],
            },
        },
        DEFAULT_APPS,
        "talos.patches[0].nodeIP",
        ["homeops-gen writes KubeNodeConfig nodeIP itself", "network.node_cidr"],
    ),
    "v1alpha1 patch tainting control planes, moved into KubeNodeConfig": (
        {
            "versions": {"talos": "v1.14.0", "kubernetes": "v1.35.0"},
            "talos": {
                "backend": "talosctl",
                "controlplane_patches": [
                    {
                        "machine": {
                            "nodeTaints": {
                                "node-role.kubernetes.io/control-plane": "true:NoSchedule"
                            }
                        }
                    }
                ],
            },
        },
        DEFAULT_APPS,
        "talos.controlplane_patches[0] (as KubeNodeConfig).taints.node-role.kubernetes.io/"
        "control-plane",
        ["talos.allow_scheduling_on_control_planes"],
    ),
    "node patch writing the link homeops-gen names": (
        {
            "versions": {"talos": "v1.14.0", "kubernetes": "v1.35.0"},
            "talos": {"backend": "talosctl"},
            "nodes__3": {
                **NODE,
                "patches": [
                    {"apiVersion": "v1alpha1", "kind": "LinkConfig", "name": "net0", "mtu": 9000}
                ],
            },
        },
        DEFAULT_APPS,
        "nodes[3].patches[0].kind",
        ["homeops-gen writes LinkConfig 'net0' itself", "the node's ip"],
    ),
    "mac address that is not one": (
        {"nodes__3": {**NODE, "mac_address": "BC:24:11:2E:C8"}},
        DEFAULT_APPS,
        "nodes[3].mac_address",
        ["not a MAC address", "BC:24:11:2E:C8:01"],
    ),
    "multicast mac address": (
        {"nodes__3": {**NODE, "mac_address": "01:00:5E:00:00:01"}},
        DEFAULT_APPS,
        "nodes[3].mac_address",
        ["multicast", "unicast"],
    ),
    "mac address used twice": (
        {
            "nodes__2": {**BASE["nodes"][2], "mac_address": "bc:24:11:00:00:01"},
            "nodes__3": {**NODE, "mac_address": "BC:24:11:00:00:01"},
        },
        DEFAULT_APPS,
        "nodes[3].mac_address",
        ["BC:24:11:00:00:01", "already used", "nodes[2].mac_address"],
    ),
    "vlan tag out of range": (
        {"nodes__3": {**NODE, "vlan_id": 4095}},
        DEFAULT_APPS,
        "nodes[3].vlan_id",
        ["4094"],
    ),
    "vm name used twice": (
        {"nodes__3": {**NODE, "vm_name": "cp-1"}},
        DEFAULT_APPS,
        "nodes[3].vm_name",
        ["cp-1", "already used"],
    ),
    "extra disk of no size": (
        {"nodes__3": {**NODE, "extra_disks": [{"size_gib": 0}]}},
        DEFAULT_APPS,
        "nodes[3].extra_disks[0].size_gib",
        ["greater than or equal to 1"],
    ),
    "all control planes without scheduling": (
        {"nodes": BASE["nodes"][:3]},
        DEFAULT_APPS,
        "talos.allow_scheduling_on_control_planes",
        ["every node is a control plane"],
    ),
    "ssh repository without a pull secret": (
        {"gitops": {"repository": "ssh://git@github.com/example/ops.git"}},
        DEFAULT_APPS,
        "gitops.pull_secret",
        ["ssh://git@github.com/example/ops.git", "deploy key", "identity", "known_hosts"],
    ),
    "pull secret not named as a sops file": (
        {"gitops": {"repository": "https://github.com/example/ops", "pull_secret": "git.yaml"}},
        DEFAULT_APPS,
        "gitops.pull_secret",
        ["git.yaml", "*.sops.yaml"],
    ),
    "vm field on a bare-metal node": (
        {"nodes__3": {**BARE, "cores": 4}},
        DEFAULT_APPS,
        "nodes[3].cores",
        ["4", "no host", "bare-metal", "remove cores", "set host"],
    ),
    "vm without its vm id": (
        {"nodes__3": {k: v for k, v in NODE.items() if k != "vm_id"}},
        DEFAULT_APPS,
        "nodes[3].vm_id",
        ["VM on host 'pve'", "set it", "remove host"],
    ),
    "bond on a vm": (
        {"nodes__3": {**NODE, "bond": {"interfaces": MACS, "mode": "802.3ad"}}},
        DEFAULT_APPS,
        "nodes[3].bond",
        ["one network card", "bare-metal", "remove bond"],
    ),
    "disk selector on a vm": (
        {"nodes__3": {**NODE, "install_disk": {"model": "Samsung*"}}},
        DEFAULT_APPS,
        "nodes[3].install_disk",
        ["Samsung*", "real hardware", "/dev/sda"],
    ),
    "mac address beside a bond": (
        {
            "nodes__3": {
                **BARE,
                "mac_address": MACS[0],
                "bond": {"interfaces": MACS, "mode": "802.3ad"},
            }
        },
        DEFAULT_APPS,
        "nodes[3].mac_address",
        [MACS[0], "bond", "remove mac_address"],
    ),
    "bond of one card": (
        {"nodes__3": {**BARE, "bond": {"interfaces": MACS[:1], "mode": "802.3ad"}}},
        DEFAULT_APPS,
        "nodes[3].bond.interfaces",
        ["at least 2"],
    ),
    "bond of one card twice": (
        {"nodes__3": {**BARE, "bond": {"interfaces": [MACS[0], MACS[0]], "mode": "802.3ad"}}},
        DEFAULT_APPS,
        "nodes[3].bond.interfaces",
        [MACS[0], "listed twice"],
    ),
    "install disk path on a vm the vm does not have": (
        {"nodes__3": {**NODE, "install_disk": "/dev/nvme0n1"}},
        DEFAULT_APPS,
        "talos.install_disk",
        ["/dev/nvme0n1", "'worker-1'"],
    ),
    "install disk the vm does not have": (
        {"talos": {"install_disk": "/dev/nvme0n1"}},
        DEFAULT_APPS,
        "talos.install_disk",
        ["/dev/nvme0n1", "/dev/sda", "/dev/vda", "scsi", "virtio"],
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_model_is_refused(case: str, tmp_path: Path) -> None:
    overrides, apps, path, words = INVALID[case]
    root = write_model(tmp_path, model(**overrides), apps)
    before = tree(root)
    result = run("-C", root)
    assert result.code == 2, result.err
    line = next((ln for ln in result.err.splitlines() if ln.strip().startswith(f"{path}: ")), None)
    assert line is not None, f"no line for {path} in:\n{result.err}"
    for word in words:
        assert word in line, f"{word!r} missing from {line!r}"
    assert "Traceback" not in result.err
    assert tree(root) == before, "nothing may be written for an invalid model"


def test_base_model_is_valid(tmp_path: Path) -> None:
    root = write_model(tmp_path)
    assert [p for p in check_cluster(load(root).cluster) if p.error] == []


def test_documents_homeops_gen_writes_take_other_fields(tmp_path: Path) -> None:
    """Only the parts homeops-gen writes are refused: the documents' other fields, other
    taints and other links are the user's."""
    patches = [
        {"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "annotations": {"a": "b"}},
        {"apiVersion": "v1alpha1", "kind": "LinkConfig", "name": "net1", "mtu": 9000},
        {"machine": {"nodeTaints": {"dedicated": "gpu:NoSchedule"}}},
        {"apiVersion": "v1alpha1", "kind": "KubeNetworkConfig", "dnsDomain": "lab.local"},
    ]
    root = write_model(
        tmp_path,
        model(
            versions={"talos": "v1.14.0", "kubernetes": "v1.35.0"},
            talos={"backend": "talosctl", "patches": patches},
        ),
    )
    assert [p for p in check_cluster(load(root).cluster) if p.error] == []


def test_a_bare_metal_node_needs_no_vm_field(tmp_path: Path) -> None:
    root = write_model(tmp_path, model(nodes__3=BARE))
    assert [p for p in check_cluster(load(root).cluster) if p.error] == []


def test_a_model_of_bare_metal_nodes_alone_needs_no_host(tmp_path: Path) -> None:
    nodes = [{k: v for k, v in n.items() if k not in VM_ONLY} for n in BASE["nodes"]]
    root = write_model(tmp_path, model(hosts=[], nodes=nodes))
    assert [p for p in check_cluster(load(root).cluster) if p.error] == []


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"nodes": BASE["nodes"][:2] + [BASE["nodes"][3]]}, ["2 control planes", "odd"]),
        ({"nodes": BASE["nodes"][:1] + [BASE["nodes"][3]]}, ["single control plane"]),
        (
            {
                "versions": {"talos": "v1.15.0", "kubernetes": "v1.37.0"},
                "talos": {"backend": "talosctl"},
            },
            ["newer than the known", "Talos 1.15"],
        ),
        ({"versions": {"talos": "v1.11.5", "kubernetes": "v1.34.0"}}, ["e2e tested up to", "1.33"]),
        (
            {"versions": {"talos": "v1.10.7", "kubernetes": "v1.31.2"}},
            ["Flux 2.10", "Kubernetes 1.32 to 1.37, not 1.31"],
        ),
        (
            {
                "hosts": [
                    *BASE["hosts"],
                    {"name": "spare", "endpoint": "https://s:8006/", "vm_datastore": "d"},
                ]
            },
            ["no node runs on 'spare'"],
        ),
        (
            {"hosts": [{**BASE["hosts"][0], "ssh_user": "tofu"}, *BASE["hosts"][1:]]},
            ["hosts[0].ssh_user", "remove ssh_user"],
        ),
    ],
)
def test_warnings_do_not_fail_unless_strict(
    overrides: dict[str, Any], words: list[str], tmp_path: Path
) -> None:
    root = write_model(tmp_path / "p", model(**overrides))
    result = run("-C", root)
    assert result.code == 0, result.err
    warning = next(ln for ln in result.err.splitlines() if ln.startswith("warning["))
    assert all(w in warning for w in words), warning
    strict_root = write_model(tmp_path / "s", model(**overrides))
    strict = run("-C", strict_root, "--strict")
    assert strict.code == 2
    assert not (strict_root / "out").exists()
    # Accepting the warnings by their ids silences them, under --strict too.
    codes = re.findall(r"^warning\[([a-z-]+)\]", result.err, re.MULTILINE)
    accepted = write_model(tmp_path / "a", model(**overrides, accept_warnings=codes))
    quiet = run("-C", accepted, "--strict")
    assert quiet.code == 0, quiet.err
    assert "warning[" not in quiet.err


def test_an_unknown_accepted_warning_is_refused_with_the_closest_id(tmp_path: Path) -> None:
    result = run("-C", write_model(tmp_path, model(accept_warnings=["single-controlplane"])))
    assert result.code == 2
    assert (
        "accept_warnings[0]: 'single-controlplane' is not a warning id; did you mean "
        "'single-control-plane'?" in result.err
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = write_model(
        tmp_path,
        model(nodes__3={**NODE, "ip": "10.0.0.5", "host": "nowhere"}, network__gateway="10.1.1.1"),
    )
    err = run("-C", root).err
    for path in ("nodes[3].ip", "nodes[3].host", "network.gateway"):
        assert f"  {path}: " in err


@pytest.mark.parametrize(
    ("cilium", "kubernetes", "warned"),
    [
        ("1.19.4", "v1.34.0", False),
        ("1.19.4", "v1.36.0", True),
        ("1.18.4", "v1.33.0", False),
        ("1.20.2", "v1.36.3", False),
        ("1.20.2", "v1.37.2", True),
    ],
)
def test_cilium_matrix(cilium: str, kubernetes: str, warned: bool, tmp_path: Path) -> None:
    apps = f'[cilium("{cilium}"), flux_operator("0.36.0"), flux_instance("0.36.0")]'
    data = model(
        versions={"talos": "v1.14.0", "kubernetes": kubernetes}, talos={"backend": "talosctl"}
    )
    result = run("-C", write_model(tmp_path, data, apps))
    assert result.code == 0, result.err
    assert ("warning[cilium-kubernetes-untested]" in result.err) is warned, result.err


def test_unknown_cilium_version_is_a_warning(tmp_path: Path) -> None:
    apps = '[cilium("1.21.1"), flux_operator("0.36.0"), flux_instance("0.36.0")]'
    result = run("-C", write_model(tmp_path, model(), apps))
    assert result.code == 0
    assert (
        "warning[cilium-version-unknown]: apps[0].chart.version: no Kubernetes compatibility data for Cilium 1.21"
        in result.err
    )


def test_a_pool_outside_node_cidr_without_bgp_says_what_the_router_must_do(
    tmp_path: Path,
) -> None:
    data = model(network={**BASE["network"], "load_balancer_cidr": "10.99.0.0/24"})
    result = run("-C", write_model(tmp_path / "routed", data))
    assert result.code == 0
    line = next(line for line in result.err.splitlines() if "warning[pool-not-routed]" in line)
    for words in ("10.99.0.0/24", "outside node_cidr", "network.bgp", "static route"):
        assert words in line, line
    bgp = {"local_asn": 64514, "peers": [{"address": "192.168.1.1", "asn": 64513}]}
    data = model(network={**BASE["network"], "load_balancer_cidr": "10.99.0.0/24", "bgp": bgp})
    assert "pool-not-routed" not in run("-C", write_model(tmp_path / "bgp", data)).err


def test_a_namespace_in_a_manifest_file_is_refused(tmp_path: Path) -> None:
    apps = DEFAULT_APPS + ' + [web(manifests=["manifests/web.yaml"])]'
    root = write_model(tmp_path, model(), apps)
    (root / "manifests").mkdir()
    (root / "manifests/web.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"
    )
    result = run("-C", root)
    assert result.code == 2
    assert (
        "apps[3].manifests[0]: manifests/web.yaml holds a Namespace: a Namespace cannot be "
        "part of an app" in result.err
    )
    assert not (root / "out").exists()


def test_a_variable_without_postbuild_is_a_warning(tmp_path: Path) -> None:
    # The tunnel's ${CLOUDFLARE_TUNNEL_ID} would reach the cluster literally.
    target = '{"dnsName": "${CLOUDFLARE_TUNNEL_ID}.cfargotunnel.com"}'
    endpoint = (
        '{"apiVersion": "externaldns.k8s.io/v1alpha1", "kind": "DNSEndpoint", '
        f'"metadata": {{"name": "tunnel"}}, "spec": {{"endpoints": [{target}]}}}}'
    )
    bare = write_model(
        tmp_path / "bare", model(), DEFAULT_APPS + f" + [web(resources=[{endpoint}])]"
    )
    result = run("-C", bare)
    assert result.code == 0
    assert (
        "warning[unsubstituted-variable]: apps[3].resources[0]: ${CLOUDFLARE_TUNNEL_ID} is "
        "deployed literally" in result.err
    )
    substituted = write_model(
        tmp_path / "ok",
        model(),
        DEFAULT_APPS
        + f' + [web(resources=[{endpoint}], kustomization={{"postBuild": {{"substituteFrom": '
        '[{"kind": "Secret", "name": "cluster-secrets"}]}})]',
    )
    assert "unsubstituted-variable" not in run("-C", substituted).err


def test_a_variable_in_a_manifest_file_without_postbuild_is_a_warning(tmp_path: Path) -> None:
    root = write_model(tmp_path, model(), DEFAULT_APPS + ' + [web(manifests=["m/cm.yaml"])]')
    (root / "m").mkdir()
    (root / "m/cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  d: ${SECRET_DOMAIN}\n"
    )
    result = run("-C", root)
    assert result.code == 0
    assert "warning[unsubstituted-variable]: apps[3].manifests[0]: ${SECRET_DOMAIN}" in result.err


TALOSCTL = {"backend": "talosctl"}
"""A 1.14 contract needs the talosctl backend (no talhelper release reads its documents)."""


@pytest.mark.parametrize(
    ("talos", "kubernetes", "warned"),
    [
        ("v1.14.0-rc.1", "v1.35.0", ["versions.talos: v1.14.0-rc.1"]),
        (
            "v1.14.0-beta.0",
            "v1.35.0-rc.0",
            ["versions.talos: v1.14.0-beta.0", "versions.kubernetes: v1.35.0-rc.0"],
        ),
        ("v1.14.0", "v1.35.0", []),
    ],
)
def test_a_pre_release_is_accepted_with_a_warning(
    talos: str, kubernetes: str, warned: list[str], tmp_path: Path
) -> None:
    data = model(versions={"talos": talos, "kubernetes": kubernetes}, talos=TALOSCTL)
    result = run("-C", write_model(tmp_path, data))
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if "warning[pre-release]" in line]
    assert len(lines) == len(warned), result.err
    for line, where in zip(lines, warned, strict=True):
        assert f"warning[pre-release]: {where} is a pre-release" in line
        minor = ".".join(where.split(": v")[1].split(".")[:2])
        assert f"compatibility is checked as for {minor} " in line
    if warned:
        strict = run("-C", tmp_path, "generate", "--strict")
        assert strict.code == 2 and "warning[pre-release]" in strict.err


def test_a_release_after_its_pre_release_is_an_upgrade_in_the_same_minor(tmp_path: Path) -> None:
    versions = {"talos": "v1.14.0-rc.1", "kubernetes": "v1.35.0"}
    path = write_model(tmp_path, model(versions=versions, talos=TALOSCTL))
    assert run("-C", path).code == 0
    assert "talos: v1.14.0-rc.1" in (path / "out/talos/versions.yaml").read_text()
    write_model(
        tmp_path, model(versions={"talos": "v1.14.1", "kubernetes": "v1.35.0"}, talos=TALOSCTL)
    )
    result = run("-C", path)
    assert result.code == 0, result.err
    assert "pre-release" not in result.err and "talos-upgrade" not in result.err
    assert "talos: v1.14.1" in (path / "out/talos/versions.yaml").read_text()


@pytest.mark.parametrize("version", ["v1.14.0rc1", "v1.14.0-", "v1.14.0+build.1", "1.14.0-rc.1"])
def test_a_malformed_pre_release_is_refused(version: str, tmp_path: Path) -> None:
    result = run(
        "-C", write_model(tmp_path, model(versions={"talos": version, "kubernetes": "v1.35.0"}))
    )
    assert result.code == 2
    assert "versions.talos" in result.err and "v1.14.0-rc.1" in result.err
