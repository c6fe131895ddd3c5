"""The model's Talos patches in the form the version contract accepts.

Talos moved v1alpha1 sections into documents of their own (``.machine.kubelet`` into
``KubeletConfig``, ``.cluster.apiServer`` into ``KubeAPIServerConfig``, ...); a contract whose
schema no longer has a v1alpha1 field refuses it next to the document Talos writes instead
("kubelet config is already set in v1alpha1 config (.machine.kubelet)", machinery v1.14
``config/types/k8s/kubelet.go``). Each such field of a patch is moved into its document here,
or refused naming the document to write; what is left is checked against the contract's
types (:mod:`homeops_gen.talos_types`). A contract whose schema still has a field keeps it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from homeops_gen import talos_types
from homeops_gen.deployment import deep_merge

Path = tuple[str, ...]

MOVES: dict[Path, tuple[str, Path]] = {
    ("machine", "kubelet", "extraArgs"): ("KubeletConfig", ("extraArgs",)),
    ("machine", "kubelet", "extraConfig"): ("KubeletConfig", ("config",)),
    ("machine", "kubelet", "clusterDNS"): ("KubeletConfig", ("clusterDNS",)),
    ("machine", "kubelet", "image"): ("KubeletConfig", ("image",)),
    ("machine", "kubelet", "defaultRuntimeSeccompProfileEnabled"): (
        "KubeletConfig",
        ("defaultRuntimeSeccompProfileEnabled",),
    ),
    ("machine", "kubelet", "registerWithFQDN"): ("KubeNodeConfig", ("registerWithFQDN",)),
    ("machine", "kubelet", "skipNodeRegistration"): ("KubeNodeConfig", ("skipNodeRegistration",)),
    ("machine", "nodeAnnotations"): ("KubeNodeConfig", ("annotations",)),
    ("machine", "nodeTaints"): ("KubeNodeConfig", ("taints",)),
    ("machine", "sysctls"): ("SysctlConfig", ("params",)),
    ("machine", "time", "servers"): ("TimeSyncConfig", ("ntp", "servers")),
    ("machine", "time", "disabled"): ("TimeSyncConfig", ("enabled",)),
    ("machine", "time", "bootTimeout"): ("TimeSyncConfig", ("bootTimeout",)),
    ("machine", "network", "searchDomains"): ("ResolverConfig", ("searchDomains", "domains")),
    ("machine", "network", "disableSearchDomain"): (
        "ResolverConfig",
        ("searchDomains", "disableDefault"),
    ),
    ("machine", "features", "hostDNS"): ("ResolverConfig", ("hostDNS",)),
    ("cluster", "apiServer", "image"): ("KubeAPIServerConfig", ("image",)),
    ("cluster", "apiServer", "extraArgs"): ("KubeAPIServerConfig", ("extraArgs",)),
    ("cluster", "apiServer", "env"): ("KubeAPIServerConfig", ("env",)),
    ("cluster", "apiServer", "resources"): ("KubeAPIServerConfig", ("resources",)),
    ("cluster", "apiServer", "certSANs"): ("KubeAPIServerConfig", ("certExtraSANs",)),
    ("cluster", "controllerManager", "image"): ("KubeControllerManagerConfig", ("image",)),
    ("cluster", "controllerManager", "extraArgs"): (
        "KubeControllerManagerConfig",
        ("extraArgs",),
    ),
    ("cluster", "controllerManager", "env"): ("KubeControllerManagerConfig", ("env",)),
    ("cluster", "controllerManager", "resources"): (
        "KubeControllerManagerConfig",
        ("resources",),
    ),
    ("cluster", "scheduler", "image"): ("KubeSchedulerConfig", ("image",)),
    ("cluster", "scheduler", "extraArgs"): ("KubeSchedulerConfig", ("extraArgs",)),
    ("cluster", "scheduler", "env"): ("KubeSchedulerConfig", ("env",)),
    ("cluster", "scheduler", "resources"): ("KubeSchedulerConfig", ("resources",)),
    ("cluster", "scheduler", "config"): ("KubeSchedulerConfig", ("config",)),
    ("cluster", "network", "dnsDomain"): ("KubeNetworkConfig", ("dnsDomain",)),
}
"""A v1alpha1 field -> the document and field Talos replaced it with (machinery v1.14
``config/types/k8s``, ``runtime``, ``network``; CHANGELOG "Kubernetes Multi-document
Configuration")."""

INVERTED: frozenset[Path] = frozenset({("machine", "time", "disabled")})
"""Moves whose boolean is negated (``disabled: true`` -> ``enabled: false``)."""

KERNEL_MODULES: Path = ("machine", "kernel", "modules")
"""One ``KernelModuleConfig`` document per module (``name``, ``parameters``)."""

TALOS_API_ACCESS: Path = ("machine", "features", "kubernetesTalosAPIAccess")
"""A ``KubeTalosAPIAccessConfig`` document when ``enabled`` (the document's presence enables
it; ``allowedRoles`` and ``allowedKubernetesNamespaces`` carry over), none otherwise."""

DISK_ENCRYPTION: Path = ("machine", "systemDiskEncryption")
"""One ``VolumeConfig`` document per partition (``state`` -> ``STATE``), its ``encryption``
the partition's settings (the same provider and keys)."""

REPLACED_BY: dict[Path, str] = {
    ("machine", "kubelet", "extraMounts"): "talos.kubelet_extra_mounts",
    ("machine", "kubelet", "credentialProviderConfig"): "a KubeCredentialProviderConfig document",
    ("machine", "kubelet"): "a KubeletConfig document (extraArgs, config, clusterDNS, image)",
    ("machine", "install", "extraKernelArgs"): "talos.kernel_args",
    ("machine", "install"): (
        "the model's talos.install_disk (or a node's install_disk: a path or a DiskSelector), "
        "extensions and kernel_args (written as an UnattendedInstallConfig document)"
    ),
    ("machine", "kernel"): "KernelModuleConfig documents",
    ("machine", "time"): "a TimeSyncConfig document (or talos.ntp_servers)",
    ("machine", "network"): "the network documents (LinkConfig, DHCPv4Config, ResolverConfig, ...)",
    ("machine", "files"): "EtcFileConfig or CRICustomizationConfig documents",
    (
        "machine",
        "registries",
    ): "RegistryMirrorConfig, RegistryAuthConfig, RegistryTLSConfig documents",
    ("machine", "pods"): "KubeStaticPodConfig documents",
    ("machine", "env"): "an EnvironmentConfig document",
    ("machine", "udev"): "a UdevRulesConfig document",
    ("machine", "sysfs"): "a SysfsConfig document",
    ("machine", "disks"): "UserVolumeConfig documents",
    ("machine", "systemDiskEncryption"): "talos.disk_encryption (VolumeConfig documents)",
    ("machine", "controlPlane"): "KubeControllerManagerConfig and KubeSchedulerConfig documents",
    ("machine", "baseRuntimeSpecOverrides"): "a CRIBaseRuntimeSpecConfig document",
    ("machine", "features", "imageCache"): "an ImageCacheConfig document",
    ("cluster", "apiServer", "admissionControl"): "KubeAdmissionControlConfig documents",
    ("cluster", "apiServer", "auditPolicy"): "a KubeAuditPolicyConfig document",
    ("cluster", "apiServer", "authorizationConfig"): (
        "KubeAuthorizerConfig documents (the node and rbac authorizers Talos writes stay)"
    ),
    ("cluster", "apiServer"): "a KubeAPIServerConfig document (image, extraArgs, env, resources)",
    ("cluster", "controllerManager"): "a KubeControllerManagerConfig document",
    ("cluster", "scheduler"): "a KubeSchedulerConfig document",
    ("cluster", "discovery"): "a DiscoveryServiceConfig document",
    ("cluster", "inlineManifests"): "KubeInlineManifestConfig documents",
    ("cluster", "extraManifests"): "KubeExternalManifestConfig documents",
    ("cluster", "extraManifestHeaders"): "KubeExternalManifestConfig documents",
    ("cluster", "network"): "a KubeNetworkConfig document",
}
"""v1alpha1 sections with no field-for-field move: what to write instead (most specific
first)."""


@dataclass
class Moved:
    """A patch in the contract's form: its documents, and the fields refused (path, why)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _get(tree: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return _MISSING
        tree = tree[key]
    return tree


_MISSING = object()


def _pop(tree: dict[str, Any], path: Path) -> None:
    """Remove ``path`` and every mapping it leaves empty."""
    chain = [tree]
    for key in path[:-1]:
        chain.append(chain[-1][key])
    del chain[-1][path[-1]]
    for depth in range(len(path) - 1, 0, -1):
        if chain[depth]:
            break
        del chain[depth - 1][path[depth - 1]]


def _put(document: dict[str, Any], path: Path, value: Any) -> None:
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value


def _document(kind: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1alpha1", "kind": kind, **fields}


Documents = dict[tuple[str, str], dict[str, Any]]
"""Documents being made, by kind and name."""


def move(patch: dict[str, Any], contract: str, kept: frozenset[Path] = frozenset()) -> Moved:
    """``patch`` for ``contract``: v1alpha1 fields its schema lacks moved into their documents
    or refused; the rest checked. Fields under ``kept`` stay in v1alpha1 as they are (what
    homeops-gen keeps there on purpose, checked against the newest schema that has them)."""
    if "kind" in patch:
        return Moved([patch], talos_types.check(patch, contract))
    rest = copy.deepcopy(patch)
    result = Moved()
    documents: Documents = {}
    kept_parts: dict[str, Any] = {}
    for path in sorted(kept, key=lambda p: (-len(p), p)):
        value = _get(rest, path)
        if value is not _MISSING:
            _put(kept_parts, path, value)
            _pop(rest, path)
    for step in (_fields, _kernel_modules, _disk_encryption, _talos_api_access, _refused):
        result.problems += step(rest, contract, documents)
    result.problems += talos_types.check(rest, contract)
    if kept_parts:
        result.problems += talos_types.check(kept_parts, talos_types.newest_with(kept))
    merged = deep_merge(rest, kept_parts)
    made = [doc for _, doc in sorted(documents.items())]
    for doc in made:
        result.problems += [(f"{doc['kind']}: {p}", m) for p, m in talos_types.check(doc, contract)]
    result.documents = [merged, *made] if merged else made
    return result


Problems = list[tuple[str, str]]


def _moving(rest: dict[str, Any], contract: str, path: Path) -> Any:
    """The value at ``path`` if the contract no longer has that field, else missing."""
    value = _get(rest, path)
    if value is _MISSING or talos_types.has_field(contract, path):
        return _MISSING
    return value


def _fields(rest: dict[str, Any], contract: str, documents: Documents) -> Problems:
    for path, (kind, target) in MOVES.items():
        value = _moving(rest, contract, path)
        if value is _MISSING:
            continue
        if path in INVERTED and isinstance(value, bool):
            value = not value
        _put(documents.setdefault((kind, ""), _document(kind)), target, value)
        _pop(rest, path)
    return []


def _kernel_modules(rest: dict[str, Any], contract: str, documents: Documents) -> Problems:
    modules = _moving(rest, contract, KERNEL_MODULES)
    if modules is _MISSING:
        return []
    problems = []
    for i, module in enumerate(modules if isinstance(modules, list) else []):
        if isinstance(module, dict) and "name" in module:
            documents[("KernelModuleConfig", str(module["name"]))] = _document(
                "KernelModuleConfig", **module
            )
        else:
            problems.append((f"machine.kernel.modules[{i}]", "a module needs a name"))
    _pop(rest, KERNEL_MODULES)
    return problems


def _disk_encryption(rest: dict[str, Any], contract: str, documents: Documents) -> Problems:
    encryption = _moving(rest, contract, DISK_ENCRYPTION)
    if encryption is _MISSING:
        return []
    for part, spec in encryption.items() if isinstance(encryption, dict) else []:
        name = str(part).upper()
        documents[("VolumeConfig", name)] = _document("VolumeConfig", name=name, encryption=spec)
    _pop(rest, DISK_ENCRYPTION)
    return []


def _talos_api_access(rest: dict[str, Any], contract: str, documents: Documents) -> Problems:
    access = _moving(rest, contract, TALOS_API_ACCESS)
    if access is _MISSING:
        return []
    if not isinstance(access, dict):
        return [(".".join(TALOS_API_ACCESS), "expected a mapping")]
    if access.get("enabled"):
        fields = {k: v for k, v in access.items() if k != "enabled"}
        documents[("KubeTalosAPIAccessConfig", "")] = _document(
            "KubeTalosAPIAccessConfig", **fields
        )
    _pop(rest, TALOS_API_ACCESS)
    return []


def _refused(rest: dict[str, Any], contract: str, documents: Documents) -> Problems:
    minor = talos_types.table_minor(contract)
    problems = []
    for path, instead in REPLACED_BY.items():
        value = _moving(rest, contract, path)
        if value is _MISSING:
            continue
        # a section some of whose fields moved: name what is left of it
        fields = [(*path, str(k)) for k in value] if isinstance(value, dict) and value else [path]
        problems += [
            (
                ".".join(where),
                f"the v1alpha1 config of Talos {minor} (the version contract) has no "
                f".{'.'.join(where)}: write {instead} instead",
            )
            for where in fields
        ]
        _pop(rest, path)
    return problems


def join(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge ``extra`` into ``base`` as Talos merges two v1alpha1 patches: mappings merge,
    lists are appended to, anything else is replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            join(base[key], value)
        elif isinstance(value, list) and isinstance(base.get(key), list):
            base[key] = [*base[key], *copy.deepcopy(value)]
        else:
            base[key] = copy.deepcopy(value)


def unmove(documents: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The v1alpha1 patch :func:`move` would turn into ``documents`` (its inverse, from the
    same tables), or None when one of them is not all made of moved v1alpha1 fields."""
    patch: dict[str, Any] = {}
    for document in documents:
        moved = _unmove_one(document)
        if moved is None:
            return None
        join(patch, moved)
    return patch


def _unmove_one(document: dict[str, Any]) -> dict[str, Any] | None:
    if "kind" not in document:
        return copy.deepcopy(document)
    kind = document["kind"]
    fields = {k: copy.deepcopy(v) for k, v in document.items() if k not in ("apiVersion", "kind")}
    patch: dict[str, Any] = {}
    if kind == "KernelModuleConfig" and "name" in fields:
        _put(patch, KERNEL_MODULES, [fields])
    elif kind == "VolumeConfig" and set(fields) == {"name", "encryption"}:
        if fields["name"] not in ("STATE", "EPHEMERAL"):
            return None
        _put(patch, (*DISK_ENCRYPTION, str(fields["name"]).lower()), fields["encryption"])
    elif kind == "KubeTalosAPIAccessConfig":
        _put(patch, TALOS_API_ACCESS, {"enabled": True, **fields})
    else:
        for path, (target_kind, target) in MOVES.items():
            value = _get(fields, target) if target_kind == kind else _MISSING
            if value is _MISSING:
                continue
            if path in INVERTED and isinstance(value, bool):
                value = not value
            _put(patch, path, value)
            _pop(fields, target)
        if fields:
            return None
    return patch
