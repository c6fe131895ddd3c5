"""Map what was read to the model: calls for ``cluster.py`` and the files it refers to (pure)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from homeops_gen import apps as helpers
from homeops_gen.apis.kubernetes import schema_url
from homeops_gen.derived_apps import GATEWAY_API_VERSION, deploy
from homeops_gen.formats import sorted_data, yaml_file
from homeops_gen.importer.infrastructure import InfraFacts, Vm, vm_ip
from homeops_gen.importer.kubernetes import Document, FluxApp, KubernetesFacts, Release, hook_urls
from homeops_gen.importer.python import Call
from homeops_gen.importer.report import Report
from homeops_gen.importer.source import Source, dig, listed
from homeops_gen.importer.talos import TalosFacts, TalosNode
from homeops_gen.derive import QEMU_GUEST_AGENT, schematic_id
from homeops_gen.model import App, Chart, Cluster, GitOps, Network, Talos
from homeops_gen.releases import resource_file

MANIFESTS = "manifests"
SECRETS = "secrets"
"""The project's folders for imported manifests and SOPS files: ``<folder>/<ns>/<app>/<file>``."""

HELPER_CHARTS = {
    "cilium": "cilium",
    "coredns": "coredns",
    "flux-operator": "flux_operator",
    "flux-instance": "flux_instance",
}
"""The charts the app helpers install, by chart name: the helper function's name."""
DEFAULT_CHARTS = {
    "cilium": helpers.CILIUM_CHART,
    "coredns": helpers.COREDNS_CHART,
    "flux-operator": helpers.FLUX_OPERATOR_CHART,
    "flux-instance": helpers.FLUX_INSTANCE_CHART,
}

_GENERATED_NAMES = {
    "ocirepository.yaml",
    "helmrepository.yaml",
    "helmrelease.yaml",
    "kustomization.yaml",
}


@dataclass
class Mapped:
    """The model as calls, plus the files to copy into the new project (path -> bytes)."""

    cluster: Call
    files: dict[str, bytes] = field(default_factory=dict)


def map_model(
    source: Source, talos: TalosFacts | None, infra: InfraFacts, kube: KubernetesFacts
) -> Mapped:
    """The ``Cluster(...)`` call for everything read; findings go to ``source.report``."""
    report = source.report
    cluster = Call("Cluster")
    talos_file = talos.file if talos else ""
    name = (talos.name if talos else None) or "cluster"
    cluster.kwargs["name"] = name
    if not talos or not talos.name:
        cluster.note("name", "guessed: no talconfig.yaml clusterName found")
        report.change(talos_file, "cluster name", f"not found; {name!r} is a placeholder")
    if talos and talos.talos_version and talos.kubernetes_version:
        cluster.kwargs["versions"] = Call(
            "Versions",
            kwargs={"talos": talos.talos_version, "kubernetes": talos.kubernetes_version},
            explode=False,
        )
        report.map(talos_file, "versions")
    else:
        cluster.note("versions", "missing: set versions=Versions(talos=..., kubernetes=...)")
        report.skip(
            talos_file, "versions", "no talconfig.yaml with talosVersion and kubernetesVersion"
        )
    pairs = _match_nodes(report, talos, infra)
    network = _network(report, talos, infra, kube, pairs, talos_file)
    cluster.kwargs["network"] = network
    endpoint = _endpoint(talos, pairs)
    if endpoint is not None:
        cluster.kwargs["endpoint"] = endpoint
    cluster.kwargs["hosts"] = [_host(report, host, cluster) for host in infra.hosts]
    if not infra.hosts:
        report.skip("", "Proxmox hosts", "no terragrunt unit with inputs found")
    cluster.kwargs["nodes"] = [_node(report, name, talos_node, vm) for talos_node, vm in pairs]
    talos_call = _talos(report, talos)
    if talos_call.kwargs:
        cluster.kwargs["talos"] = talos_call
    if infra.state.get("bucket"):
        defaults = {
            "account_id_env": "CLOUDFLARE_ACCOUNT_ID",
            "access_key_env": "R2_ACCESS_KEY",
            "secret_key_env": "R2_ACCESS_SECRET",
        }
        state = {k: v for k, v in infra.state.items() if k == "bucket" or defaults.get(k) != v}
        cluster.kwargs["state"] = Call("RemoteState", kwargs=state, explode=False)
    else:
        cluster.note(
            "", "missing: state=RemoteState(bucket=...) (no terragrunt remote_state found)"
        )
        report.skip("", "remote state", "no root.hcl with a remote_state bucket found")
    if kube.repository:
        gitops = {"repository": kube.repository}
        if kube.branch and kube.branch != "main":
            gitops["branch"] = kube.branch
        cluster.kwargs["gitops"] = Call("GitOps", kwargs=gitops, explode=False)
    else:
        cluster.note("", "missing: gitops=GitOps(repository=...) (no FluxInstance sync found)")
        report.skip(
            "", "Git repository", "no FluxInstance (or flux-instance values) with a sync URL"
        )
    cluster.kwargs["sops"] = Call("Sops", kwargs={"age_recipients": kube.recipients}, explode=False)
    if not kube.recipients:
        cluster.note("sops", "missing: no age recipient found (.sops.yaml)")
        report.skip("", "age recipients", "no .sops.yaml creation rule with age recipients")
    mapped = Mapped(cluster)
    derivation = _derivation_cluster(name, network, len(pairs), kube)
    if derivation is None:
        report.change("", "app helpers", "the network is incomplete: apps are kept as plain Apps")
    cluster.kwargs["apps"] = _apps(source, kube, derivation, mapped)
    return mapped


# --- nodes ------------------------------------------------------------------------------


def _match_nodes(
    report: Report, talos: TalosFacts | None, infra: InfraFacts
) -> list[tuple[TalosNode | None, Vm | None]]:
    """Talos nodes paired with their VMs: by name, then IP, then a unique partial name, then
    order; every guess is reported."""
    vms = [vm for host in infra.hosts for vm in host.vms]
    nodes = list(talos.nodes) if talos else []
    pairs: dict[int, Vm] = {}
    free = list(vms)

    def take(i: int, vm: Vm, how: str | None) -> None:
        pairs[i] = vm
        free.remove(vm)
        if how:
            report.change(vm.file, f"VM {vm.name}", f"matched to Talos node {nodes[i].name} {how}")

    for i, node in enumerate(nodes):
        for vm in free:
            if vm.name == node.name:
                take(i, vm, None)
                break
    for i, node in enumerate(nodes):
        if i not in pairs:
            for vm in free:
                if node.ip is not None and vm_ip(vm) == str(node.ip):
                    take(i, vm, "by IP")
                    break
    for i, node in enumerate(nodes):
        if i not in pairs:
            similar = [vm for vm in free if node.name in vm.name or vm.name in node.name]
            if len(similar) == 1:
                take(i, similar[0], "by a partial name (a guess)")
    for i, node in enumerate(nodes):
        if i not in pairs and free:
            take(i, free[0], "by order (a guess: no name or IP matches)")
    result: list[tuple[TalosNode | None, Vm | None]] = [
        (node, pairs.get(i)) for i, node in enumerate(nodes)
    ]
    for i, node in enumerate(nodes):
        if i not in pairs and vms:
            report.skip(talos.file if talos else "", f"node {node.name}", "no VM found for it")
    for vm in free:
        if nodes:
            report.skip(vm.file, f"VM {vm.name}", "no Talos node of that name or IP")
        result.append((None, vm))
    return result


def _node(report: Report, cluster_name: str, node: TalosNode | None, vm: Vm | None) -> Call:
    call = Call("Node")
    attrs = vm.attributes if vm else {}
    name = node.name if node else (vm.name if vm else "node")
    call.kwargs["name"] = name
    if node is not None:
        role = "controlplane" if node.controlplane else "worker"
    else:
        role = str(attrs.get("role") or ("controlplane" if "control" in name else "worker"))
        call.note("role", "guessed from the VM: no Talos node of this name")
    call.kwargs["role"] = role
    if vm is not None:
        call.kwargs["host"] = vm.host
        if vm.name != name:
            report.change(vm.file, f"VM {vm.name}", f"named {name}, after its Talos hostname")
    else:
        call.note("name", "no VM found: set host, vm_id, cores, memory_mib and disk_gib")
    ip = _ip(node, vm)
    for key in ("vm_id",):
        if key in attrs:
            call.kwargs[key] = _int(attrs[key])
    if ip:
        call.kwargs["ip"] = ip
    elif vm is not None:
        call.note("ip", "missing: the VM has no static address and no Talos node")
    if vm is not None and node is not None:
        address = vm_ip(vm)
        if address and address != ip:
            report.change(
                vm.file, f"VM {vm.name} address {address}", f"the Talos node's IP {ip} is used"
            )
    for key in ("cores", "memory_mib", "disk_gib"):
        if key in attrs:
            call.kwargs[key] = _int(attrs[key])
        elif vm is not None:
            call.note(key, f"missing: {key} not found for VM {vm.name}")
    if node is not None and node.labels:
        call.kwargs["labels"] = dict(sorted(node.labels.items()))
    description = attrs.get("description")
    generated = f"Talos {role} of cluster {cluster_name}. Managed by homeops-gen."
    if isinstance(description, str) and description and description != generated:
        call.kwargs["description"] = description
    return call


def _ip(node: TalosNode | None, vm: Vm | None) -> str | None:
    """The node's IP: Talos' (talhelper's ipAddress, a static address), else the VM's."""
    if node is not None and node.ip is not None:
        return str(node.ip)
    return vm_ip(vm) if vm is not None else None


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


# --- network, endpoint, hosts, talos ------------------------------------------------------


def _network(
    report: Report,
    talos: TalosFacts | None,
    infra: InfraFacts,
    kube: KubernetesFacts,
    pairs: list[tuple[TalosNode | None, Vm | None]],
    talos_file: str,
) -> Call:
    call = Call("Network")
    ips = [_ip(n, v) for n, v in pairs]
    addresses = [IPv4Address(ip) for ip in ips if ip]
    prefixes = [n.prefix for n, _ in pairs if n and n.prefix] + [
        int(str(v.attributes["address"]).split("/")[1])
        for _, v in pairs
        if v and "/" in str(v.attributes.get("address", ""))
    ]
    if talos and talos.node_cidr:
        cidr = talos.node_cidr
    elif prefixes and addresses:
        cidr = str(IPv4Network(f"{addresses[0]}/{prefixes[0]}", strict=False))
    elif addresses:
        network = IPv4Network(f"{addresses[0]}/24", strict=False)
        while not all(a in network for a in addresses) and network.prefixlen > 8:
            network = network.supernet()
        cidr = str(network)
        call.note("node_cidr", "guessed: the smallest /24 or wider network holding every node IP")
        report.change(talos_file, "node network", f"not stated anywhere; guessed {cidr}")
    else:
        cidr = None
        call.note("node_cidr", "missing: no node IP found")
    if cidr:
        call.kwargs["node_cidr"] = cidr
    gateways = {n.gateway for n, _ in pairs if n and n.gateway}
    gateway = infra.gateway or (sorted(gateways)[0] if gateways else None)
    if gateway:
        call.kwargs["gateway"] = gateway
    if gateways and infra.gateway and gateways != {infra.gateway}:
        report.change(
            talos_file, "gateway", f"Talos and terragrunt differ; {infra.gateway} is used"
        )
    if talos and talos.pod_cidr and talos.pod_cidr != "10.42.0.0/16":
        call.kwargs["pod_cidr"] = talos.pod_cidr
    if talos and talos.service_cidr and talos.service_cidr != "10.43.0.0/16":
        call.kwargs["service_cidr"] = talos.service_cidr
    pool = _load_balancer_pool(kube)
    if pool:
        call.kwargs["load_balancer_cidr"] = pool
    nameservers = {n.nameservers for n, _ in pairs if n and n.nameservers}
    if nameservers:
        call.kwargs["nameservers"] = list(sorted(nameservers)[0])
        if len(nameservers) > 1:
            report.change(talos_file, "nameservers", "nodes differ; the first node's are used")
    elif infra.nameservers:
        call.kwargs["nameservers"] = infra.nameservers
    return call


def _load_balancer_pool(kube: KubernetesFacts) -> str | None:
    for app in kube.apps:
        if app.chart and app.chart["url"].rstrip("/").rsplit("/", 1)[-1] == "cilium":
            for doc in app.objects:
                if doc.kind == "CiliumLoadBalancerIPPool":
                    blocks = listed(doc.spec.get("blocks")) or listed(doc.spec.get("cidrs"))
                    if len(blocks) == 1 and isinstance(blocks[0], dict) and "cidr" in blocks[0]:
                        return str(blocks[0]["cidr"])
    return None


def _endpoint(
    talos: TalosFacts | None, pairs: list[tuple[TalosNode | None, Vm | None]]
) -> str | None:
    """The endpoint when it is not the first control plane's IP (the model's default)."""
    if talos is None or talos.endpoint is None:
        return None
    planes = [_ip(n, v) for n, v in pairs if n and n.controlplane]
    if planes and planes[0] == talos.endpoint:
        return None
    return talos.endpoint


_HOST_DEFAULTS = {
    "iso_datastore": "local",
    "bridge": "vmbr0",
    "ssh_user": "tofu",
    "insecure": False,
}


def _host(report: Report, host: Any, cluster: Call) -> Call:
    call = Call("ProxmoxHost")
    settings = dict(host.settings)
    call.kwargs["name"] = host.name
    endpoint = settings.get("endpoint")
    if not endpoint:
        endpoint = f"https://{settings.get('proxmox_node', host.name)}:8006/"
        call.note("endpoint", "guessed: no proxmox_endpoint input or provider endpoint found")
        report.change(host.file, f"host {host.name} endpoint", f"not found; guessed {endpoint}")
    call.kwargs["endpoint"] = endpoint
    if "vm_datastore" in settings:
        call.kwargs["vm_datastore"] = settings["vm_datastore"]
    else:
        call.note("vm_datastore", "missing: no VM disk datastore found")
    for key, default in _HOST_DEFAULTS.items():
        if key in settings and settings[key] != default:
            call.kwargs[key] = settings[key]
    if settings.get("proxmox_node") not in (None, host.name):
        call.kwargs["node_name"] = settings["proxmox_node"]
    return call


def _talos(report: Report, talos: TalosFacts | None) -> Call:
    call = Call("Talos")
    if talos is None:
        return call
    extensions = {n.extensions for n in talos.nodes}
    if extensions and extensions != {()}:
        chosen = sorted(extensions, key=len)[-1]
        call.kwargs["extensions"] = list(chosen)
        if len(extensions) > 1:
            call.note("extensions", "nodes differ: the longest list is used for every node")
            report.change(talos.file, "schematic extensions", "nodes differ; one list for all")
    disks = {n.install_disk for n in talos.nodes if n.install_disk}
    if disks:
        disk = sorted(disks)[0]
        if disk != "/dev/sda":
            call.kwargs["install_disk"] = disk
        if len(disks) > 1:
            call.note("install_disk", "nodes differ: one disk is used for every node")
            report.change(talos.file, "installDisk", f"nodes differ; {disk} for all")
    if talos.allow_scheduling:
        call.kwargs["allow_scheduling_on_control_planes"] = True
    if talos.schematic and "extensions" not in call.kwargs:
        known = _extensions_of(talos.schematic)
        if known is None:
            call.note("", f"missing: extensions of Image Factory schematic {talos.schematic}")
            report.skip(talos.file, f"schematic {talos.schematic}", "its extensions are not known")
        elif known:
            call.kwargs["extensions"] = known
            report.change(talos.file, "extensions", f"recognised from schematic {talos.schematic}")
    if talos.backend != "talhelper":
        call.kwargs["backend"] = talos.backend
    if talos.config_contract:
        call.kwargs["config_contract"] = talos.config_contract
    if talos.workload_isolation is not None:
        call.kwargs["workload_isolation"] = talos.workload_isolation
    report.map(talos.file, f"cluster {talos.name}: {len(talos.nodes)} node(s)")
    return call


def _extensions_of(schematic: str) -> list[str] | None:
    """The extensions of a schematic id, among the lists homeops-gen's clusters commonly use."""
    for extensions in ([], [QEMU_GUEST_AGENT]):
        fields: dict[str, Any] = {"talos": Talos(extensions=tuple(extensions))}
        if schematic_id(Cluster.model_construct(**fields)) == schematic:
            return extensions
    return None


# --- apps -----------------------------------------------------------------------------


def _derivation_cluster(
    name: str, network: Call, nodes: int, kube: KubernetesFacts
) -> Cluster | None:
    """Enough of a cluster to compute what the app helpers derive (network, nodes, Git)."""
    try:
        net = Network(**network.kwargs)
        gitops = GitOps(
            repository=kube.repository or "https://example.invalid/x", branch=kube.branch or "main"
        )
    except ValueError:
        return None
    # Only what the helpers read is filled in: no other field of this cluster is ever used.
    apps: list[App] = []
    for app in kube.apps:
        if app.chart:
            chart: dict[str, Any] = {"url": app.chart["url"], "name": None}
            found: dict[str, Any] = {"name": app.name, "chart": Chart.model_construct(**chart)}
            apps.append(App.model_construct(**found))
    fields: dict[str, Any] = {
        "name": name,
        "network": net,
        "nodes": tuple(range(nodes)),  # the helpers only count the nodes
        "gitops": gitops,
        "apps": tuple(apps),
    }
    return Cluster.model_construct(**fields)


def _overrides(
    derived: dict[str, Any],
    imported: dict[str, Any],
    missing: list[str] | None = None,
    prefix: str = "",
) -> dict[str, Any] | None:
    """The values to merge over ``derived`` to get ``imported``.

    A derived key missing from ``imported`` cannot be removed by a merge: that gives None,
    unless ``missing`` collects such keys (their dotted paths) instead.
    """
    result: dict[str, Any] = {}
    for key in derived:
        if key not in imported:
            if missing is None:
                return None
            missing.append(f"{prefix}{key}")
    for key, value in imported.items():
        if key in derived and isinstance(value, dict) and isinstance(derived[key], dict):
            sub = _overrides(derived[key], value, missing, f"{prefix}{key}.")
            if sub is None:
                return None
            if sub:
                result[key] = sub
        elif key not in derived or derived[key] != value:
            result[key] = value
    return result


def _apps(
    source: Source, kube: KubernetesFacts, derivation: Cluster | None, mapped: Mapped
) -> list[Call]:
    report = source.report
    releases = {r.name: r for r in kube.releases}
    names = {a.ks.name: a.name for a in kube.apps}
    dependents = {names.get(d, d) for a in kube.apps for d in a.depends_on}
    by_name = {a.name: a for a in kube.apps}
    # Bootstrap apps first, in the helmfile's order (a dependency order), then the rest.
    order = [r.name for r in kube.releases if r.name in by_name]
    ordered = [by_name[n] for n in order] + [a for a in kube.apps if a.name not in order]
    calls: list[Call] = []
    for app in ordered:
        release = releases.pop(app.name, None)
        call = _app(source, app, release, names, derivation, mapped)
        if call is None:
            continue
        wait = app.kustomization_options.pop("wait", None)
        if wait is not None and wait != (app.name in dependents):
            report.change(
                app.ks.file,
                f"Kustomization {app.ks.name} wait: {wait}",
                f"homeops-gen waits exactly for apps others depend on ({app.name in dependents})",
            )
        for key, value in app.kustomization_options.items():
            report.change(
                app.ks.file, f"Kustomization {app.ks.name} spec.{key}: {value!r}", "not kept"
            )
        for key, value in app.release_options.items():
            report.change(
                app.release.file, f"HelmRelease {app.name} spec.{key}: {value!r}", "not kept"
            )
        calls.append(call)
    for release in releases.values():
        report.skip(
            release.file, f"release {release.name}", "no Flux app deploys it (bootstrap-only)"
        )
    return calls


def _app(
    source: Source,
    app: FluxApp,
    release: Release | None,
    ks_names: dict[str, str],
    derivation: Cluster | None,
    mapped: Mapped,
) -> Call | None:
    report = source.report
    chart = app.chart or _chart_from_release(app, release)
    if chart is None:
        report.skip(app.release.file, f"app {app.name}", "no chart source and no bootstrap release")
        return None
    depends_on = []
    for dep in app.depends_on:
        if dep in ks_names:
            depends_on.append(ks_names[dep])
        else:
            report.skip(app.ks.file, f"dependsOn {dep}", "no such app in the tree")
    crds: list[str] = []
    if release is not None:
        crds = _bootstrap(source, app, release, chart)
    helper = _helper(source, app, chart, depends_on, crds, release is not None, derivation)
    objects = app.objects
    if helper is not None:
        call, objects = helper
    else:
        call = Call("App", kwargs={"name": app.name, "namespace": app.namespace})
        chart_call = Call("Chart", kwargs={"url": chart["url"]}, explode=False)
        if "name" in chart:
            chart_call.kwargs["name"] = chart["name"]
        chart_call.kwargs["version"] = chart["version"]
        call.kwargs["chart"] = chart_call
        if app.values:
            call.kwargs["values"] = app.values
        if depends_on:
            call.kwargs["depends_on"] = depends_on
        if release is not None:
            call.kwargs["bootstrap"] = True
        if crds:
            call.kwargs["crds"] = crds
    _files(source, app, objects, call, mapped)
    report.map(app.ks.file, f"app {app.name} ({app.namespace}) chart {chart['version']}")
    return call


def _chart_from_release(app: FluxApp, release: Release | None) -> dict[str, Any] | None:
    if release is None or not release.chart.startswith("oci://") or not release.version:
        return None
    return {"url": release.chart, "version": release.version.removeprefix("v")}


def _bootstrap(source: Source, app: FluxApp, release: Release, chart: dict[str, Any]) -> list[str]:
    """Check the bootstrap release against the HelmRelease; its CRD URLs."""
    report = source.report
    if release.version.removeprefix("v") != chart["version"] or (
        release.chart.startswith("oci://") and release.chart != chart["url"]
    ):
        report.change(
            release.file,
            f"release {release.name} {release.chart} {release.version}",
            f"bootstrap installs the HelmRelease's chart {chart['url']} {chart['version']}",
        )
    for value in release.values:
        if isinstance(value, str):
            template = _near(source, release.file, value)
            if template and "helmrelease" in template.lower():
                report.map(
                    release.file, f"release {release.name} values ({value} reads the HelmRelease)"
                )
            else:
                report.change(
                    release.file,
                    f"release {release.name} values {value}",
                    "bootstrap installs the HelmRelease's values",
                )
        elif isinstance(value, dict) and sorted_data(value) != sorted_data(app.values):
            report.change(
                release.file,
                f"release {release.name} values",
                "bootstrap installs the HelmRelease's values",
            )
    crds: list[str] = []
    for hook in release.hooks:
        urls = hook_urls(hook)
        crds += [u for u in urls if u not in crds]
        if not urls:
            args = " ".join(str(a) for a in listed(hook.get("args")))
            if "--filename=" in args or "-f " in args:
                report.map(
                    release.file, f"release {release.name} hook applying the app's manifests"
                )
            else:
                report.change(
                    release.file,
                    f"release {release.name} hook {hook.get('command')}",
                    "homeops-gen's hooks apply CRDs before and the app's manifests after the chart",
                )
    report.map(release.file, f"release {release.name} (bootstrap app)")
    return crds


def _near(source: Source, file: str, ref: str) -> str | None:
    path = posixpath.normpath(posixpath.join(posixpath.dirname(file), ref))
    return source.text(path) if path in source.files else None


def _helper(
    source: Source,
    app: FluxApp,
    chart: dict[str, Any],
    depends_on: list[str],
    crds: list[str],
    bootstrap: bool,
    derivation: Cluster | None,
) -> tuple[Call, list[Document]] | None:
    """The helper call for Cilium, CoreDNS, flux-operator and flux-instance when what it derives
    is what the source has; else None (a plain App keeps the values)."""
    chart_name = chart["url"].rstrip("/").rsplit("/", 1)[-1]
    if derivation is None or chart_name not in HELPER_CHARTS or "name" in chart:
        return None
    report = source.report
    func = HELPER_CHARTS[chart_name]
    kwargs: dict[str, Any] = {}
    if chart["url"] != DEFAULT_CHARTS[chart_name]:
        if func in ("flux_operator", "flux_instance"):
            return None
        kwargs["chart_url"] = chart["url"]
    if func in ("cilium", "coredns"):
        if app.name != chart_name:
            kwargs["name"] = app.name
        if app.namespace != "kube-system":
            kwargs["namespace"] = app.namespace
    elif app.name != chart_name or app.namespace != "flux-system":
        return None
    variants: list[dict[str, Any]] = [{}]
    if func == "cilium":
        gateway_versions = [GATEWAY_API_VERSION] + [
            u.split("/download/")[1].split("/")[0]
            for u in crds
            if "gateway-api" in u and "/download/" in u
        ]
        variants = [
            {"gateway_api": g, "gateway_api_version": v, "l2_announcements": l2}
            for g in (True, False)
            for v in (gateway_versions if g else [GATEWAY_API_VERSION])
            for l2 in (None, True, False)
        ]
    best: tuple[dict[str, Any], Any, list[Document], App] | None = None
    for variant in variants:
        try:
            candidate = getattr(helpers, func)(chart["version"], **kwargs, **variant)
            resolved = deploy(candidate, derivation)
        except ValueError:  # a chart version or app name the model refuses: a plain App
            return None
        values = dict(app.values)
        missing: list[str] | None = None
        if func == "flux_instance":
            # Its sync must follow the generated tree: adopted even where it differs.
            values = _keep_sync_path(source, app, values, resolved.values)
            missing = []
        overrides = _overrides(resolved.values, values, missing)
        if overrides is None:
            continue
        remaining = list(app.objects)
        found = True
        for resource in resolved.resources:
            match = next(
                (d for d in remaining if sorted_data(d.data) == sorted_data(resource)), None
            )
            if match is None:
                found = False
                break
            remaining.remove(match)
        if not found or set(resolved.crds) - set(crds):
            continue
        if best is None or len(str(overrides)) < len(str(best[1])):
            best = (variant, overrides, remaining, resolved)
            added = missing or []
    if best is None:
        missing = []
        first = deploy(getattr(helpers, func)(chart["version"], **kwargs), derivation)
        _overrides(first.values, app.values, missing)  # the same call succeeded above
        why = f"lacks {', '.join(missing)}" if missing else "its manifests differ"
        report.change(
            app.release.file,
            f"app {app.name}",
            f"kept as a plain App with its values, not {func}(): it {why} (what {func}() derives)",
        )
        return None
    variant, overrides, remaining, resolved = best
    for key in added:
        report.change(app.release.file, f"values of {app.name}", f"{func}() also sets {key}")
    call = Call(func, args=[chart["version"]], explode=False)
    call.kwargs.update(kwargs)
    defaults = {
        "gateway_api": True,
        "gateway_api_version": GATEWAY_API_VERSION,
        "l2_announcements": None,
    }
    for key, value in variant.items():
        if value != defaults[key]:
            call.kwargs[key] = value
    if overrides:
        call.kwargs["values"] = overrides
    if not bootstrap:
        call.kwargs["bootstrap"] = False
    if set(depends_on) != set(resolved.depends_on):
        report.change(
            app.ks.file,
            f"dependsOn of {app.name}",
            f"{func}() depends on {list(resolved.depends_on) or 'nothing'} (found {depends_on or 'none'})",
        )
    extra_crds = [c for c in crds if c not in resolved.crds]
    if extra_crds:
        report.change(
            app.ks.file,
            f"CRDs of {app.name}: {', '.join(extra_crds)}",
            f"{func}() applies {list(resolved.crds)}",
        )
    for resource in resolved.resources:
        report.map(
            app.ks.file, f"{resource['kind']} {resource['metadata']['name']} (derived by {func}())"
        )
    report.map(app.release.file, f"app {app.name} as {func}()")
    return call, remaining


def _keep_sync_path(
    source: Source, app: FluxApp, values: dict[str, Any], derived: dict[str, Any]
) -> dict[str, Any]:
    """flux-instance values with the sync path of the generated tree (``out/kubernetes/...``)."""
    sync = dig(values, "instance", "sync")
    path = derived["instance"]["sync"]["path"]
    if isinstance(sync, dict) and sync.get("path") not in (None, path):
        source.report.change(
            app.release.file,
            f"sync path {sync.get('path')}",
            f"Flux syncs the generated tree, {path}",
        )
        values = {**values, "instance": {**values["instance"], "sync": {**sync, "path": path}}}
    return values


def _files(
    source: Source, app: FluxApp, objects: list[Document], call: Call, mapped: Mapped
) -> None:
    """The app's other objects: manifests homeops-gen would write as is become ``resources``;
    other files are copied byte for byte (manifests, SOPS secrets)."""
    report = source.report
    kubernetes = kube_version(mapped)
    resources: list[dict[str, Any]] = list(call.kwargs.get("resources", []))
    manifests: list[str] = []
    secrets: list[str] = []
    used = set(_GENERATED_NAMES)
    by_file: dict[str, list[Document]] = {}
    for doc in objects:
        by_file.setdefault(doc.file, []).append(doc)
    for file, docs in by_file.items():
        all_docs = source.kubernetes_objects.get(file, [])
        text = source.text(file) or ""
        name = posixpath.basename(file)
        if len(docs) < len(all_docs):
            for doc in docs:
                resources.append(doc.data)
                used.add(resource_file(doc.data))
            report.change(
                file,
                f"{len(docs)} object(s)",
                "the file also held the release or its source: kept as resources",
            )
            continue
        if len(docs) == 1 and name == resource_file(docs[0].data):
            api, kind = str(docs[0].data["apiVersion"]), str(docs[0].data["kind"])
            if text == yaml_file(docs[0].data, schema=schema_url(api, kind, kubernetes)):
                resources.append(docs[0].data)
                used.add(name)
                report.map(file, f"{kind} {docs[0].name} (as a resource)")
                continue
        _copy(report, app, file, name, used, MANIFESTS, manifests, mapped, source)
    if app.secrets:
        report.change(
            ".sops.yaml",
            f"SOPS files of {app.name}",
            f"copied to {SECRETS}/{app.namespace}/{app.name}/: the generated .sops.yaml has a rule "
            "for that folder",
        )
    for file in app.secrets:
        name = posixpath.basename(file)
        if not name.endswith((".sops.yaml", ".sops.yml")):
            stem = name.rsplit(".", 1)[0]
            report.change(
                file, "secret", f"copied as {stem}.sops.yaml (the model's name for SOPS files)"
            )
            name = f"{stem}.sops.yaml"
        _copy(report, app, file, name, used, SECRETS, secrets, mapped, source)
    if resources:
        call.kwargs["resources"] = resources
    if manifests:
        call.kwargs["manifests"] = manifests
    if secrets:
        call.kwargs["secrets"] = secrets


def kube_version(mapped: Mapped) -> str:
    """The Kubernetes version of the model being built (the editor schema of resources)."""
    versions = mapped.cluster.kwargs.get("versions")
    return str(versions.kwargs["kubernetes"]) if isinstance(versions, Call) else "v1.34.0"


def _copy(
    report: Report,
    app: FluxApp,
    file: str,
    name: str,
    used: set[str],
    folder: str,
    into: list[str],
    mapped: Mapped,
    source: Source,
) -> str:
    if name in used:
        renamed = f"{app.name}-{name}"
        report.change(
            file, "file name", f"copied as {renamed}: {name} is taken in the app's folder"
        )
        name = renamed
    used.add(name)
    target = f"{folder}/{app.namespace}/{app.name}/{name}"
    mapped.files[target] = source.files[file]
    into.append(target)
    report.map(file, f"copied byte for byte to {target}")
    return name
