"""What a generated Talos layer says, read back from the files of either backend.

Each backend's output is reduced to the effective settings of every node (what the machine
config will say), so the two backends can be compared field by field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shlex
from typing import Any

import yaml

from homeops_gen.render import render
from tests.conftest import loaded


def with_backend(model: str, backend: str, **talos_fields: Any) -> dict[str, str]:
    """Every file model ``model`` generates with Talos backend ``backend`` (and ``talos_fields``)."""
    project = loaded(model)
    cluster = project.cluster
    talos = cluster.talos.model_copy(update={"backend": backend, **talos_fields})
    return render(dataclasses.replace(project, cluster=cluster.model_copy(update={"talos": talos})))


def documents(text: str) -> list[dict[str, Any]]:
    """The documents of a YAML file or patch."""
    return [d for d in yaml.safe_load_all(text) if d is not None]


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A strategic merge as Talos does it for these settings: maps merge, the rest replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _typed(docs: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The v1alpha1 settings of ``docs`` merged, and the typed documents by kind."""
    v1alpha1: dict[str, Any] = {}
    kinds: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if "kind" in doc:
            kinds[doc["kind"]] = merge(kinds.get(doc["kind"], {}), doc)
        else:
            v1alpha1 = merge(v1alpha1, doc)
    return v1alpha1, kinds


def _kubernetes(
    v1alpha1: dict[str, Any], kinds: dict[str, dict[str, Any]], role: str
) -> dict[str, Any]:
    """The Kubernetes settings, from v1alpha1 fields (before 1.14) or k8s documents (1.14+)."""
    cluster, machine = v1alpha1.get("cluster", {}), v1alpha1.get("machine", {})
    network = cluster.get("network", {})
    k8s_network = kinds.get("KubeNetworkConfig", {})
    node = kinds.get("KubeNodeConfig", {})
    flannel = kinds.get("KubeFlannelCNIConfig")
    untainted = node.get("taints", {}).get("node-role.kubernetes.io/control-plane") == {
        "$patch": "delete"
    }
    allow = cluster.get("allowSchedulingOnControlPlanes", False) or untainted
    return {
        # Only control planes carry the taint scheduling on them removes.
        "allow_scheduling": allow if role == "controlplane" else None,
        "cni": network.get("cni", {}).get("name")
        or ("none" if flannel is not None and flannel.get("$patch") == "delete" else None),
        "pod_subnets": network.get("podSubnets") or k8s_network.get("podSubnets"),
        "service_subnets": network.get("serviceSubnets") or k8s_network.get("serviceSubnets"),
        "cert_sans": cluster.get("apiServer", {}).get("certSANs")
        or kinds.get("KubeAPIServerConfig", {}).get("certExtraSANs"),
        "kube_proxy": (
            not cluster["proxy"]["disabled"]
            if "proxy" in cluster
            else kinds.get("KubeProxyConfig", {}).get("enabled")
        ),
        "coredns": (
            not cluster["coreDNS"]["disabled"]
            if "coreDNS" in cluster
            else kinds.get("KubeCoreDNSConfig", {}).get("enabled")
        ),
        "kubeprism": machine.get("features", {}).get("kubePrism", {}).get("port")
        or kinds.get("KubePrismConfig", {}).get("port"),
        "node_ip_subnets": machine.get("kubelet", {}).get("nodeIP", {}).get("validSubnets")
        or node.get("nodeIP", {}).get("validSubnets"),
        "labels": machine.get("nodeLabels") or node.get("labels"),
        "workload_isolation": kinds.get("SecurityProfileConfig", {}).get("workloadIsolation"),
    }


def _selected_link(selector: dict[str, Any]) -> str | None:
    """The link a v1alpha1 device selector picks: by MAC address, or the one physical card."""
    if selector == {"physical": True}:
        return "physical"
    return f"mac {selector['hardwareAddr']}" if "hardwareAddr" in selector else None


def _aliased_link(match: str) -> str | None:
    """The link a LinkAliasConfig's CEL expression picks, in the terms of ``_selected_link``: the
    VMs' one (virtio) card is what talhelper's physical selector picks."""
    if match == 'link.driver == "virtio_net"':
        return "physical"
    prefix = 'mac(link.permanent_addr) == "'
    return f"mac {match[len(prefix):-1]}" if match.startswith(prefix) else None


def _network(v1alpha1: dict[str, Any], kinds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Hostname, DNS servers, static addresses, default gateway and VIP, legacy or typed."""
    legacy = v1alpha1.get("machine", {}).pop("network", {})
    if legacy:
        [interface] = legacy.get("interfaces", [{}])
        return {
            "hostname": legacy.get("hostname"),
            "nameservers": legacy.get("nameservers", []),
            "link": _selected_link(interface.get("deviceSelector", {})),
            "addresses": interface.get("addresses", []),
            "gateways": [r["gateway"] for r in interface.get("routes", [])],
            "vip": interface.get("vip", {}).get("ip"),
        }
    alias = kinds.get("LinkAliasConfig")
    link = kinds.get("LinkConfig", {})
    vip = kinds.get("Layer2VIPConfig")
    if link or vip:
        assert alias is not None and link.get("name") == alias["name"]
        assert vip is None or vip["link"] == alias["name"]
    return {
        "hostname": kinds["HostnameConfig"]["hostname"],
        "nameservers": [
            n["address"] for n in kinds.get("ResolverConfig", {}).get("nameservers", [])
        ],
        "link": _aliased_link(alias["selector"]["match"]) if alias else None,
        "addresses": [a["address"] for a in link.get("addresses", [])],
        "gateways": [r["gateway"] for r in link.get("routes", [])],
        "vip": vip["name"] if vip else None,
    }


def talhelper_settings(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per node, what talhelper makes of ``talconfig.yaml`` (its fields as machine-config paths)."""
    talconfig = yaml.safe_load(files["out/talos/talconfig.yaml"])
    # talhelper's own fields, as the machine config says them before the 1.14 contract.
    base: dict[str, Any] = {
        "cluster": {
            "allowSchedulingOnControlPlanes": talconfig["allowSchedulingOnControlPlanes"],
            "network": {
                "cni": talconfig["cniConfig"],
                "podSubnets": talconfig["clusterPodNets"],
                "serviceSubnets": talconfig["clusterSvcNets"],
            },
        }
    }
    if "additionalApiServerCertSans" in talconfig:
        base["cluster"]["apiServer"] = {"certSANs": talconfig["additionalApiServerCertSans"]}
    patches = [d for p in talconfig["patches"] for d in documents(p)]
    installer = talconfig["imageFactory"]["installerURLTmpl"]
    settings = {}
    for node in talconfig["nodes"]:
        machine: dict[str, Any] = {}
        if "nodeLabels" in node:
            machine["nodeLabels"] = node["nodeLabels"]
        network: dict[str, Any] = {"hostname": node["hostname"]}
        if "nameservers" in node:
            network["nameservers"] = node["nameservers"]
        if "networkInterfaces" in node:
            network["interfaces"] = node["networkInterfaces"]
        v1alpha1, kinds = _typed([base, *patches, {"machine": {**machine, "network": network}}])
        role = "controlplane" if node["controlPlane"] else "worker"
        settings[node["hostname"]] = {
            "cluster": talconfig["clusterName"],
            "endpoint": talconfig["endpoint"],
            "contract": "v" + ".".join(talconfig["talosVersion"].lstrip("v").split(".")[:2]),
            "kubernetes": talconfig["kubernetesVersion"],
            "role": role,
            "ip": node["ipAddress"],
            "install_disk": node.get("installDiskSelector") or node["installDisk"],
            "installer": installer.replace("{{.RegistryURL}}", "factory.talos.dev")
            .replace("{{.Mode}}", node["machineSpec"]["mode"])
            .replace("{{.ID}}", _schematic_id(node["schematic"])),
            "network": _network(v1alpha1, kinds),
            "kubernetes_settings": _kubernetes(v1alpha1, kinds, role),
        }
    return settings


def _schematic_id(schematic: dict[str, Any]) -> str:
    """The Image Factory's id of a schematic: SHA-256 of its yaml.v3 text (four-space indent,
    the Go struct's order: ``extraKernelArgs`` before ``systemExtensions``, empty ones left out)."""
    custom = schematic["customization"]
    names = custom.get("systemExtensions", {}).get("officialExtensions", [])
    lines = []
    if custom.get("extraKernelArgs"):
        lines += ["    extraKernelArgs:", *(f"        - {a}" for a in custom["extraKernelArgs"])]
    if names:
        lines += ["    systemExtensions:", "        officialExtensions:"]
        lines += [f"            - {name}" for name in names]
    text = (
        "customization:\n" + "".join(f"{line}\n" for line in lines)
        if lines
        else "customization: {}\n"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def talosctl_settings(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per node, what ``gen.sh`` makes: gen config's arguments, then the cluster and node patches."""
    script = files["out/talos/gen.sh"]
    body = script[script.index("gen_config() {") :].split("\n}", 1)[0].splitlines()[1:]
    flags = shlex.split(" ".join(line.strip().rstrip("\\") for line in body if "<(" not in line))
    assert flags[:3] == ["talosctl", "gen", "config"]
    cluster_name, endpoint = flags[3], flags[4]
    kubernetes = flags[flags.index("--kubernetes-version") + 1]
    contract = next(
        line.split("=", 1)[1] for line in script.splitlines() if line.startswith("contract=")
    )
    cluster_patch = flags[flags.index("--config-patch") + 1].lstrip("@")
    apply = files["out/talos/apply.sh"]
    # apply.sh lists each node as one word: "name ip config-file".
    entries = apply.split("\nnodes=(\n", 1)[1].split("\n)", 1)[0].splitlines()
    ips = {name: ip for name, ip, _ in (shlex.split(entry)[0].split() for entry in entries)}
    settings = {}
    for line in script.splitlines():
        if not line.startswith("node "):
            continue
        _, hostname, role, disk, image, _, patch, *_ = shlex.split(line)
        role_patch = f"out/talos/patches/{role}.yaml"
        role_docs = documents(files[role_patch]) if role_patch in files else []
        if role_docs:
            flag = (
                "--config-patch-control-plane"
                if role == "controlplane"
                else "--config-patch-worker"
            )
            assert f"{flag} @{role_patch}" in script
        v1alpha1, kinds = _typed(
            [*documents(files[cluster_patch]), *role_docs, *documents(files[patch])]
        )
        settings[hostname] = {
            "cluster": cluster_name,
            "endpoint": endpoint,
            "contract": contract,
            "kubernetes": kubernetes,
            "role": role,
            "ip": ips[hostname],
            # a selector in the node's patch wins over gen config's --install-disk
            "install_disk": v1alpha1.get("machine", {}).get("install", {}).get("diskSelector")
            or disk,
            "installer": image,
            "network": _network(v1alpha1, kinds),
            "kubernetes_settings": _kubernetes(v1alpha1, kinds, role),
        }
    return settings


def model_patches(
    files: dict[str, str], own: int, settings: dict[str, int] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per node, the model's own Talos patches in the order the backend applies them.

    talhelper: the top-level ``patches`` after homeops-gen's ``own`` ones, then
    ``controlPlane``/``worker``, then the node's, each after the typed settings homeops-gen
    put first (``settings``: how many, by ``controlPlane``, ``worker`` or hostname; the
    talosctl backend has them in its own files). talosctl: the numbered patch files
    (``cluster.1.yaml``, ...) gen.sh passes after homeops-gen's own, in the same order.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    if "out/talos/talconfig.yaml" in files:
        talconfig = yaml.safe_load(files["out/talos/talconfig.yaml"])
        for node in talconfig["nodes"]:
            role = "controlPlane" if node["controlPlane"] else "worker"
            skip = settings or {}
            texts = [
                *talconfig["patches"][own:],
                *(talconfig.get(role) or {}).get("patches", [])[skip.get(role, 0) :],
                *(node.get("patches") or [])[skip.get(node["hostname"], 0) :],
            ]
            found[node["hostname"]] = [d for t in texts for d in documents(t)]
        return found
    script = files["out/talos/gen.sh"]

    def after(flag: str) -> list[str]:
        return re.findall(rf"{flag} @([^\s)]+)", script)

    for line in script.splitlines():
        if not line.startswith("node "):
            continue
        _, hostname, role, _, _, _, *patches = shlex.split(line)
        role_flag = (
            "--config-patch-control-plane" if role == "controlplane" else "--config-patch-worker"
        )
        paths = [*after("--config-patch"), *after(role_flag), *patches]
        numbered = [p for p in paths if p.removesuffix(".yaml").rsplit(".", 1)[-1].isdigit()]
        found[hostname] = [d for p in numbered for d in documents(files[p])]
    return found
