"""Flux on the host: CRDs from the controllers' modules, the FluxInstance's sync, the controllers,
and the readiness of every Flux object."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.consumers.gobuild import GoTool
from tests.e2e.kube import Kube
from tests.e2e.modules import module_dir
from tests.e2e.procs import Supervisor, free_port

FLUX_NAMESPACE = "flux-system"
CONTROLLERS = ("source-controller", "kustomize-controller", "helm-controller")
KINDS = {
    "GitRepository": "gitrepositories.source.toolkit.fluxcd.io",
    "OCIRepository": "ocirepositories.source.toolkit.fluxcd.io",
    "HelmRepository": "helmrepositories.source.toolkit.fluxcd.io",
    "HelmChart": "helmcharts.source.toolkit.fluxcd.io",
    "Kustomization": "kustomizations.kustomize.toolkit.fluxcd.io",
    "HelmRelease": "helmreleases.helm.toolkit.fluxcd.io",
}
WATCHED = ("Kustomization", "HelmRelease", "GitRepository", "OCIRepository", "HelmRepository")
CONTROLLER_OF = {
    "Kustomization": "kustomize-controller",
    "HelmRelease": "helm-controller",
    "GitRepository": "source-controller",
    "OCIRepository": "source-controller",
    "HelmRepository": "source-controller",
}


CRDS_ONLY = (("github.com/fluxcd/notification-controller", "v1.9.3"),)
"""Flux modules whose CRDs are applied though their controller does not run here: a model's
``Receiver`` (``GitOps.webhook``) must be accepted by the API server; nothing waits on it."""


def crds(tools: Iterable[GoTool]) -> list[Path]:
    """The CRD files of the controllers' own modules and of :data:`CRDS_ONLY`
    (config/crd/bases)."""
    modules = [*((t.module, t.version) for t in tools), *CRDS_ONLY]
    files: list[Path] = []
    for module, version in modules:
        files += sorted((module_dir(module, version) / "config" / "crd" / "bases").glob("*.yaml"))
    return files


def sync_objects(sync: dict[str, Any], git_url: str) -> list[dict[str, Any]]:
    """What flux-operator creates for a FluxInstance's ``spec.sync`` of kind GitRepository: a
    GitRepository and a Kustomization named after the instance's namespace (flux-operator docs,
    "Flux Cluster Sync Configuration")."""
    meta = {"name": FLUX_NAMESPACE, "namespace": FLUX_NAMESPACE}
    source: dict[str, Any] = {
        "interval": sync.get("interval", "1m"),
        "url": git_url,
        "ref": {"name": sync.get("ref", "refs/heads/main")},
    }
    if sync.get("pullSecret"):
        source["secretRef"] = {"name": sync["pullSecret"]}
    return [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": meta,
         "spec": source},
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": meta,
         "spec": {"interval": sync.get("interval", "1m"), "path": sync.get("path", "."),
                  "prune": True,
                  "sourceRef": {"kind": "GitRepository", "name": FLUX_NAMESPACE}}},
    ]  # fmt: skip


def start_controllers(
    sup: Supervisor, binaries: dict[str, Path], kubeconfig: Path, work: Path, env: dict[str, str]
) -> None:
    """source-, kustomize- and helm-controller as host processes (RUNTIME_NAMESPACE flux-system).

    Flags only (nothing of the generated files): dependencies re-checked every 2 s instead of
    30 s, so a run takes seconds per level of dependsOn.
    """
    storage = free_port()
    (work / "artifacts").mkdir(exist_ok=True)
    common = {**env, "KUBECONFIG": str(kubeconfig), "RUNTIME_NAMESPACE": FLUX_NAMESPACE}

    def flags() -> list[str]:
        return [
            f"--metrics-addr=127.0.0.1:{free_port()}",
            f"--health-addr=127.0.0.1:{free_port()}",
            "--enable-leader-election=false",
            "--log-encoding=console",
        ]

    sup.start("source-controller", [
        binaries["source-controller"], *flags(), f"--storage-path={work / 'artifacts'}",
        f"--storage-addr=127.0.0.1:{storage}", f"--storage-adv-addr=127.0.0.1:{storage}",
    ], env=common)  # fmt: skip
    sup.start("kustomize-controller", [
        binaries["kustomize-controller"], *flags(), "--requeue-dependency=2s",
    ], env=common)  # fmt: skip
    sup.start("helm-controller", [
        binaries["helm-controller"], *flags(), "--requeue-dependency=2s",
    ], env=common)  # fmt: skip


def ready_condition(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The Ready condition of a Flux object, once it reflects the object's current generation."""
    status = obj.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            found: dict[str, Any] = cond
            return found
    return None


def is_ready(obj: dict[str, Any]) -> bool:
    """Ready=True for the object's current generation."""
    cond = ready_condition(obj)
    generation = (obj.get("metadata") or {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return bool(cond and cond.get("status") == "True" and observed == generation)


def key(obj: dict[str, Any]) -> str:
    """``Kind namespace/name``."""
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name')}"


@dataclass
class Watch:
    """Every Flux object seen, and when each first became Ready."""

    kube: Kube
    start: float = field(default_factory=time.monotonic)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    ready_at: dict[str, float] = field(default_factory=dict)

    def poll(self) -> None:
        """Read every watched object once (one time for the whole poll)."""
        now = time.monotonic() - self.start
        for kind in WATCHED:
            for obj in self.kube.items(KINDS[kind]):
                obj["kind"] = kind
                name = key(obj)
                self.objects[name] = obj
                if is_ready(obj) and name not in self.ready_at:
                    self.ready_at[name] = now

    def not_ready(self) -> list[str]:
        """Objects seen that are not Ready."""
        return sorted(k for k, o in self.objects.items() if not is_ready(o))


def _clip(message: str, head: int = 300, tail: int = 900) -> str:
    """A long message's start and end (an API server's "is invalid" puts the whole object
    first and the reason last)."""
    if len(message) <= head + tail:
        return message
    return f"{message[:head]} [... {len(message) - head - tail} characters ...] {message[-tail:]}"


def describe(obj: dict[str, Any]) -> str:
    """An object's conditions, one a line."""
    lines = []
    for cond in (obj.get("status") or {}).get("conditions") or []:
        lines.append(
            f"    {cond.get('type')}={cond.get('status')} {cond.get('reason', '')}: "
            f"{_clip(str(cond.get('message', '')).strip())}"
        )
    return "\n".join(lines) or "    (no conditions yet)"


def generated_objects(root: Path, kinds: Iterable[str]) -> list[dict[str, Any]]:
    """The Flux objects of ``kinds`` written under ``root/out/kubernetes``."""
    wanted = set(kinds)
    found = []
    for path in sorted((root / "out" / "kubernetes").rglob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError:
            continue
        for doc in docs:
            if (
                isinstance(doc, dict)
                and str(doc.get("kind")) in wanted
                and "toolkit.fluxcd.io" in str(doc.get("apiVersion", ""))
            ):
                found.append(doc)
    return found
