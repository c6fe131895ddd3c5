"""etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on 127.0.0.1."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from homeops_gen.generators.devenv import kube_context
from homeops_gen.model import Cluster
from tests.e2e.kube import Kube
from tests.e2e.pki import Pki
from tests.e2e.procs import Supervisor, free_port, wait_until

KWOK_ANNOTATION = "kwok.x-k8s.io/node"


@dataclass(frozen=True)
class ControlPlane:
    """The running API server: its URL and a kubeconfig for it."""

    url: str
    kubeconfig: Path
    kube: Kube


def write_kubeconfig(path: Path, url: str, token: str, pki: Pki, context: str) -> None:
    """The run's kubeconfig: the admin token, the CA, and ``context`` (the scripts' name)."""
    # written once, before any process reads it: a rewrite (kubectl config rename-context)
    # while kube-controller-manager or kube-scheduler started let one read an empty file
    # and exit, and helm --wait then waited for Pods nothing scheduled
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "e2e",
                        "cluster": {"server": url, "certificate-authority": str(pki.ca)},
                    }
                ],
                "users": [{"name": "admin", "user": {"token": token}}],
                "contexts": [{"name": context, "context": {"cluster": "e2e", "user": "admin"}}],
                "current-context": context,
            }
        )
    )


def start(
    sup: Supervisor, tools: dict[str, Path], work: Path, pki: Pki, cluster: Cluster
) -> ControlPlane:
    """Start etcd, the API server (ready), the controller manager and the scheduler, with the
    model's Service network (charts place Services at fixed addresses in it: CoreDNS); the
    kubeconfig's context is the one the generated scripts name."""
    service_cidr = str(cluster.network.service_cidr)
    client, peer = free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{client}"
    sup.start("etcd", [
        tools["etcd"], "--name=e2e", f"--data-dir={work / 'etcd'}",
        f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster=e2e=http://127.0.0.1:{peer}", "--unsafe-no-fsync",
        "--listen-metrics-urls=", "--log-level=warn",
    ])  # fmt: skip
    token = secrets.token_hex(16)
    (work / "tokens.csv").write_text(f'{token},admin,admin,"system:masters"\n')
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    sup.start("kube-apiserver", [
        tools["kube-apiserver"], f"--etcd-servers={etcd_url}", "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1", f"--secure-port={port}",
        # no kubelet and no real Service network here: the API server must not try to keep
        # the kubernetes Service's endpoints pointing at itself
        "--endpoint-reconciler-type=none",
        "--allow-privileged=true",  # Cilium's DaemonSet
        "--authorization-mode=RBAC", f"--token-auth-file={work / 'tokens.csv'}",
        f"--tls-cert-file={pki.cert}", f"--tls-private-key-file={pki.key}",
        f"--client-ca-file={pki.ca}",
        f"--service-account-key-file={pki.sa_pub}",
        f"--service-account-signing-key-file={pki.sa_key}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={service_cidr}",
    ])  # fmt: skip
    kubeconfig = work / "kubeconfig"
    write_kubeconfig(kubeconfig, url, token, pki, kube_context(cluster))
    kube = Kube(kubeconfig)

    def ready() -> bool:
        sup.check_alive()
        status, body = kube.raw("/readyz")
        return status == 200 and body.strip() == b"ok"

    wait_until(ready, 120, "kube-apiserver /readyz")
    sup.start("kube-controller-manager", [
        tools["kube-controller-manager"], f"--kubeconfig={kubeconfig}", "--leader-elect=false",
        f"--service-account-private-key-file={pki.sa_key}", f"--root-ca-file={pki.ca}",
        "--use-service-account-credentials=false", "--secure-port=0",
        f"--service-cluster-ip-range={service_cidr}",
        "--controllers=*,-node-ipam-controller",
        # no kubelet: kwok's heartbeat stage renews a Node every 20 to 25 s and only while it
        # is Ready, against the node lifecycle controller's 50 s grace; one heartbeat late on a
        # busy machine marked the Node and its Pods NotReady for good, and helm --wait hung.
        # The controller stays: it lifts the not-ready taint new Nodes are admitted with.
        # (k8s v1.37.2 nodelifecycle config defaults; kwok v0.8.0 stage/node/heartbeat)
        "--node-monitor-grace-period=1h", "--node-startup-grace-period=1h",
        "--concurrent-deployment-syncs=10",
    ])  # fmt: skip
    sup.start("kube-scheduler", [
        tools["kube-scheduler"], f"--kubeconfig={kubeconfig}", "--leader-elect=false",
        "--secure-port=0",
    ])  # fmt: skip
    return ControlPlane(url, kubeconfig, kube)


def node_objects(cluster: Cluster) -> list[dict[str, Any]]:
    """One Node per model node, named, labelled and tainted as the Talos layer makes them."""
    nodes = []
    for node in cluster.nodes:
        labels = {
            "kubernetes.io/hostname": node.name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            **node.labels,
        }
        taints = []
        if node.role == "controlplane":
            labels["node-role.kubernetes.io/control-plane"] = ""
            # Talos excludes control planes from load balancers and taints them unless
            # allowSchedulingOnControlPlanes (Talos docs: machine config cluster section)
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
            if not cluster.talos.allow_scheduling_on_control_planes:
                taints.append(
                    {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
                )
        nodes.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": node.name,
                    "labels": labels,
                    "annotations": {KWOK_ANNOTATION: "fake"},
                },
                "spec": {"taints": taints},
                "status": {"addresses": [{"type": "InternalIP", "address": str(node.ip)}]},
            }
        )
    return nodes


def start_kwok(
    sup: Supervisor, tools: dict[str, Path], cp: ControlPlane, stages: Path, cluster: Cluster
) -> None:
    """Start kwok managing the fake nodes, with its module's fast node and pod stages."""
    sup.start("kwok", [
        tools["kwok"], f"--kubeconfig={cp.kubeconfig}",
        "--manage-all-nodes=false",
        f"--manage-nodes-with-annotation-selector={KWOK_ANNOTATION}=fake",
        f"--cidr={cluster.network.pod_cidr}", "--node-ip=127.0.0.1", f"--config={stages}",
        f"--server-address=127.0.0.1:{free_port()}",
    ])  # fmt: skip
