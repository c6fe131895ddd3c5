"""The Talos patches of a model, in its version contract's form, scope by scope.

Each typed setting of ``Talos`` and ``Node`` is first said as the v1alpha1 patch Talos has
always read, then put in the contract's form by :func:`homeops_gen.talos_moves.move`, like
the model's own patches: v1alpha1 where the contract's schema has the field, the document
that replaced it otherwise. Scopes apply in order: cluster, role, node.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeops_gen import compat, cross_layer, talos_moves, talos_types
from homeops_gen.talos_moves import Path

if TYPE_CHECKING:
    from homeops_gen.model import Cluster, KubeletMount, Node

KUBELET_IMAGE = "ghcr.io/siderolabs/kubelet"
"""The kubelet image Talos runs (machinery ``constants.KubeletImage``)."""

KUBELET_V1ALPHA1: frozenset[Path] = frozenset(
    ("machine", "kubelet", f)
    for f in (
        "extraArgs",
        "extraMounts",
        "extraConfig",
        "clusterDNS",
        "image",
        "defaultRuntimeSeccompProfileEnabled",
    )
)
"""The kubelet settings kept in v1alpha1 ``.machine.kubelet`` when the kubelet needs extra
mounts: Talos 1.14's ``KubeletConfig`` has no mounts (its ``ExtraMounts()`` returns none,
machinery v1.14.1 ``config/types/k8s/kubelet.go``), and the document and ``.machine.kubelet``
cannot both be set, so such a cluster deletes the document and keeps every kubelet setting
in v1alpha1, where Talos still reads them when no ``KubeletConfig`` exists."""

MOUNTS: Path = ("machine", "kubelet", "extraMounts")

CONTROL_PLANE_ONLY = frozenset(
    {
        "KubeAPIServerConfig",
        "KubeAdmissionControlConfig",
        "KubeAggregatorCAConfig",
        "KubeAuditPolicyConfig",
        "KubeAuthenticationConfig",
        "KubeAuthorizerConfig",
        "KubeControllerManagerConfig",
        "KubeCoreDNSConfig",
        "KubeEtcdEncryptionConfig",
        "KubeFlannelCNIConfig",
        "KubeProxyConfig",
        "KubeSchedulerConfig",
        "KubeServiceAccountConfig",
        "KubeTalosAPIAccessConfig",
    }
)
"""Documents Talos allows on control planes only: "the following document kinds are only
allowed on control plane machines" (machinery v1.14.1: the ``container.ControlplaneOnlyConfig``
documents of ``config/types/k8s``)."""


@dataclass(frozen=True)
class Scoped:
    """One patch of the model: where it is in the model, its scope and its content."""

    where: str
    scope: str
    """``cluster``, ``controlplane``, ``worker`` or a node's name."""
    patch: dict[str, Any]


def user_patches(cluster: Cluster) -> Iterator[Scoped]:
    """The model's own patches, in the order they apply."""
    talos = cluster.talos
    for j, patch in enumerate(talos.patches):
        yield Scoped(f"talos.patches[{j}]", "cluster", patch)
    for j, patch in enumerate(talos.controlplane_patches):
        yield Scoped(f"talos.controlplane_patches[{j}]", "controlplane", patch)
    for j, patch in enumerate(talos.worker_patches):
        yield Scoped(f"talos.worker_patches[{j}]", "worker", patch)
    for i, node in enumerate(cluster.nodes):
        for j, patch in enumerate(node.patches):
            yield Scoped(f"nodes[{i}].patches[{j}]", node.name, patch)


def kubelet_in_v1alpha1(cluster: Cluster) -> bool:
    """Whether the kubelet's settings stay in v1alpha1 although the contract moved them to
    ``KubeletConfig``: the kubelet has extra mounts, which only ``.machine.kubelet`` has."""
    mounts = bool(cluster.talos.kubelet_extra_mounts) or any(
        talos_moves._get(p.patch, MOUNTS) is not talos_moves._MISSING for p in user_patches(cluster)
    )
    # only then the types table (large: most models never load it)
    contract = cross_layer.config_contract(cluster)
    return mounts and not talos_types.has_field(contract, ("machine", "kubelet"))


def kept(cluster: Cluster) -> frozenset[Path]:
    """The v1alpha1 fields the model's patches keep as they are (see :data:`KUBELET_V1ALPHA1`)."""
    return KUBELET_V1ALPHA1 if kubelet_in_v1alpha1(cluster) else frozenset()


def kubelet_v1alpha1_base(cluster: Cluster) -> list[dict[str, Any]]:
    """What a cluster whose kubelet stays in v1alpha1 writes first: the ``KubeletConfig``
    gen config made deleted, and its image and seccomp default in ``.machine.kubelet``."""
    if not kubelet_in_v1alpha1(cluster):
        return []
    delete = {"apiVersion": "v1alpha1", "kind": "KubeletConfig", "$patch": "delete"}
    kubelet = {
        "image": f"{KUBELET_IMAGE}:{cluster.versions.kubernetes}",
        "defaultRuntimeSeccompProfileEnabled": True,
    }
    return [delete, {"machine": {"kubelet": kubelet}}]


def _v1alpha1(path: Path, value: Any) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    target = patch
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    return patch


@dataclass(frozen=True)
class Setting:
    """A typed Talos setting of the model and the v1alpha1 field it is first written as: the
    generator writes it with ``write``, the importer reads it back with ``read`` (which fails,
    or gives a value ``write`` does not turn back into the same field, for anything else)."""

    name: str
    """The field of ``Talos`` (and of ``Node``, for a node's own settings)."""
    path: Path
    write: Callable[[Any], Any]
    read: Callable[[Any], Any]


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError("not a mapping of strings")
    return {str(k): v for k, v in value.items()}


def _string_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("not a list of strings")
    return tuple(value)


def _mounts(mounts: tuple[KubeletMount, ...]) -> list[dict[str, Any]]:
    return [
        {
            "destination": m.destination,
            "type": "bind",
            "source": m.source,
            "options": list(m.options),
        }
        for m in mounts
    ]


def _read_mounts(value: Any) -> tuple[KubeletMount, ...]:
    from homeops_gen.model import KubeletMount

    if not isinstance(value, list):
        raise TypeError("not a list of mounts")
    return tuple(
        KubeletMount(destination=m["destination"], source=m["source"], options=m["options"])
        for m in value
    )


def _modules(modules: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"name": m} for m in modules]


def _read_modules(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and set(m) == {"name"} for m in value
    ):
        raise TypeError("not a list of module names")
    return tuple(str(m["name"]) for m in value)


def _encryption(kind: str) -> dict[str, Any]:
    key: dict[str, Any] = {"slot": 0, ("tpm" if kind == "tpm" else "nodeID"): {}}
    spec = {"provider": "luks2", "keys": [key]}
    return {"state": spec, "ephemeral": spec}


def _read_encryption(value: Any) -> str:
    for kind in ("tpm", "nodeid"):
        if value == _encryption(kind):
            return kind
    raise ValueError("not the encryption of talos.disk_encryption")


KUBELET_EXTRA_ARGS = Setting(
    "kubelet_extra_args", ("machine", "kubelet", "extraArgs"), dict, _strings
)
SYSCTLS = Setting("sysctls", ("machine", "sysctls"), dict, _strings)

CLUSTER_SETTINGS: tuple[Setting, ...] = (
    KUBELET_EXTRA_ARGS,
    Setting("kubelet_extra_mounts", MOUNTS, _mounts, _read_mounts),
    SYSCTLS,
    Setting("kernel_modules", talos_moves.KERNEL_MODULES, _modules, _read_modules),
    Setting("ntp_servers", ("machine", "time", "servers"), list, _string_list),
    Setting("disk_encryption", talos_moves.DISK_ENCRYPTION, _encryption, _read_encryption),
)
"""The typed settings of ``Talos`` every node gets, in the order they are written."""

ROLE_SETTINGS: dict[str, tuple[Setting, ...]] = {
    "controlplane": (
        Setting("api_server_extra_args", ("cluster", "apiServer", "extraArgs"), dict, _strings),
    ),
    "worker": (),
}
"""The typed settings of ``Talos`` one role gets."""

NODE_SETTINGS: tuple[Setting, ...] = (KUBELET_EXTRA_ARGS, SYSCTLS)
"""The typed settings of ``Node`` (merged over the cluster's by Talos' patching)."""


def _written(settings: tuple[Setting, ...], owner: Any) -> list[dict[str, Any]]:
    return [
        _v1alpha1(s.path, s.write(value)) for s in settings if (value := getattr(owner, s.name))
    ]


def cluster_settings(cluster: Cluster) -> list[dict[str, Any]]:
    """The typed settings every node gets, as v1alpha1 patches (before :func:`in_contract`)."""
    helpers: list[dict[str, Any]] = []
    if args := helper_kubelet_args(cluster):
        helpers.append(_v1alpha1(("machine", "kubelet", "extraArgs"), args))
    if uses_helper(cluster, "spegel"):
        helpers.append(spegel_containerd(cluster))
    return [*helpers, *_written(CLUSTER_SETTINGS, cluster.talos)]


def uses_helper(cluster: Cluster, helper: str) -> bool:
    """Whether an app of the model was made by ``helper`` (the helpers that set Talos too)."""
    return any(a.made_by is not None and a.made_by.helper == helper for a in cluster.apps)


ROTATE_SERVER_CERTIFICATES = "rotate-server-certificates"
"""The kubelet flag metrics-server needs on Talos: serving certificates signed by the cluster
CA instead of self-signed ones (Talos docs, deploy-metrics-server)."""


def helper_kubelet_args(cluster: Cluster) -> dict[str, str]:
    """The kubelet flags the model's helper apps need (metrics-server's)."""
    return {ROTATE_SERVER_CERTIFICATES: "true"} if uses_helper(cluster, "metrics-server") else {}


CRI_CUSTOMIZATION = "CRICustomizationConfig"
CRI_CUSTOMIZATION_FILE = "/etc/cri/conf.d/20-customization.part"
"""The containerd fragment Talos merges before ``CRICustomizationConfig`` documents exist
(machinery ``constants.CRICustomizationConfigPart``; Talos docs, containerd)."""
SPEGEL_CRI_NAME = "spegel"


def spegel_containerd(cluster: Cluster) -> dict[str, Any]:
    """containerd keeping unpacked layers, which Spegel serves to other nodes: a
    ``CRICustomizationConfig`` document where the contract has it, else the v1alpha1 file
    Talos merges into containerd's CRI configuration.

    Talos 1.8 moved to containerd 2's CRI configuration (version 3; siderolabs/talos
    hack/cri-plugin.part at v1.8.0), where the setting is in the images plugin; before, it is
    in the CRI plugin's containerd section (spegel docs/COMPATIBILITY.md)."""
    if compat.minor(cluster.versions.talos) >= (1, 8):
        content = '[plugins."io.containerd.cri.v1.images"]\n  discard_unpacked_layers = false\n'
    else:
        content = (
            '[plugins."io.containerd.grpc.v1.cri".containerd]\n'
            "  discard_unpacked_layers = false\n"
        )
    file = {"content": content, "path": CRI_CUSTOMIZATION_FILE, "op": "create"}
    return _document_or_v1alpha1(
        cluster,
        (CRI_CUSTOMIZATION, SPEGEL_CRI_NAME, {"content": content}),
        ("machine", "files"),
        [file],
    )


def _document_or_v1alpha1(
    cluster: Cluster,
    document: tuple[str, str, dict[str, Any]],
    path: tuple[str, ...],
    value: Any,
) -> dict[str, Any]:
    """The named document ``(kind, name, fields)`` where the contract has its kind, else the
    v1alpha1 patch setting ``path`` to ``value``."""
    kind, name, fields = document
    if talos_types.has_kind(cross_layer.config_contract(cluster), kind):
        return {"apiVersion": "v1alpha1", "kind": kind, "name": name, **fields}
    return _v1alpha1(path, value)


APPROVER_MANIFEST = (
    "https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/{}/deploy/"
    "standalone-install.yaml"
)
"""The kubelet-serving-cert-approver release's manifest Talos docs apply at bootstrap
(deploy-metrics-server), pinned to a release tag."""
APPROVER_NAME = "kubelet-serving-cert-approver"
EXTERNAL_MANIFEST = "KubeExternalManifestConfig"


def approver_manifest(cluster: Cluster) -> dict[str, Any] | None:
    """The control planes' setting applying kubelet-serving-cert-approver at bootstrap, when
    metrics-server needs it: a ``KubeExternalManifestConfig`` document where the contract has
    it, else v1alpha1 ``cluster.extraManifests``."""
    helper = next(
        (a.made_by for a in cluster.apps if a.made_by and a.made_by.helper == "metrics-server"),
        None,
    )
    if helper is None or helper.helper != "metrics-server":
        return None
    url = APPROVER_MANIFEST.format(helper.approver_version)
    return _document_or_v1alpha1(
        cluster,
        (EXTERNAL_MANIFEST, APPROVER_NAME, {"url": url}),
        ("cluster", "extraManifests"),
        [url],
    )


def role_settings(cluster: Cluster, role: str) -> list[dict[str, Any]]:
    """The typed settings of one role: the API server's flags and the manifests applied at
    bootstrap (control planes)."""
    patches = _written(ROLE_SETTINGS[role], cluster.talos)
    if role == "controlplane" and (approver := approver_manifest(cluster)) is not None:
        patches.append(approver)
    return patches


def node_settings(cluster: Cluster, node: Node) -> list[dict[str, Any]]:
    """The typed settings of one node (merged over the cluster's by Talos' patching)."""
    return _written(NODE_SETTINGS, node)


def read_settings(
    patch: dict[str, Any], settings: tuple[Setting, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The typed settings a v1alpha1 patch says (by field name), and what is left of it."""
    rest = copy.deepcopy(patch)
    found: dict[str, Any] = {}
    for setting in settings:
        value = talos_moves._get(rest, setting.path)
        if value is talos_moves._MISSING:
            continue
        try:
            read = setting.read(value)
        except (TypeError, ValueError, KeyError):
            continue
        if setting.write(read) == value:
            found[setting.name] = read
            talos_moves._pop(rest, setting.path)
    return found, rest


def in_contract(cluster: Cluster, patches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``patches`` in the contract's form, as the documents to write (problems are the rules'
    to report: a model reaching the writer has none)."""
    contract = cross_layer.config_contract(cluster)
    keep = kept(cluster)
    return [doc for patch in patches for doc in talos_moves.move(patch, contract, keep).documents]


def one_v1alpha1(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``documents`` with their v1alpha1 parts merged into one document, where the first was.

    talosctl 1.14.1 applies the v1alpha1 documents of one patch file cumulatively: a list in
    the first (``extraMounts``) came out once per later v1alpha1 document (checked with
    ``talosctl gen config --config-patch``), so a patch file carries one v1alpha1 document,
    its lists joined in order as patches applied one after another join them."""
    merged: dict[str, Any] | None = None
    out: list[dict[str, Any]] = []
    for doc in documents:
        if "kind" in doc:
            out.append(doc)
        elif merged is None:
            merged = copy.deepcopy(doc)
            out.append(merged)
        else:
            talos_moves.join(merged, doc)
    return out
