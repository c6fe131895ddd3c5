"""Faults the run must catch, each made by editing a good model's generated files.

Each function edits ``project/out`` and returns the object the failure must name
(``Kind namespace/name``, ``*`` for a namespace only known once applied).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.procs import E2EFailure


def _docs(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def _first(project: Path, kind: str, where: str = "apps") -> tuple[Path, list[Any], dict[str, Any]]:
    for path in sorted((project / "out" / "kubernetes" / where).rglob("*.yaml")):
        docs = _docs(path)
        for doc in docs:
            if (
                isinstance(doc, dict)
                and doc.get("kind") == kind
                and "fluxcd" in str(doc.get("apiVersion"))
            ):
                return path, docs, doc
    raise E2EFailure(f"the model has no {kind} to make the fault with")


def _write(path: Path, docs: list[Any]) -> None:
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))


def _add_to_cluster(project: Path, name: str, docs: list[dict[str, Any]]) -> None:
    """Add a file to out/kubernetes/flux/cluster (what the sync Kustomization applies)."""
    folder = project / "out" / "kubernetes" / "flux" / "cluster"
    _write(folder / f"{name}.yaml", docs)
    kust = yaml.safe_load((folder / "kustomization.yaml").read_text())
    kust["resources"] = [*kust.get("resources", []), f"./{name}.yaml"]
    _write(folder / "kustomization.yaml", [kust])


def substitution_from_other_namespace(project: Path) -> str:
    """postBuild.substituteFrom a Secret that exists, but in another namespace than the
    Kustomization's (Flux reads it in the Kustomization's own)."""
    path, docs, ks = _first(project, "Kustomization")
    ks["spec"]["postBuild"] = {"substituteFrom": [{"kind": "Secret", "name": "e2e-substitutions"}]}
    _write(path, docs)
    _add_to_cluster(project, "e2e-substitutions", [{
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "e2e-substitutions", "namespace": "default"},
        "stringData": {"E2E": "value"},
    }])  # fmt: skip
    return f"Kustomization {ks['metadata']['namespace']}/{ks['metadata']['name']}"


def values_from_missing_secret(project: Path) -> str:
    """A HelmRelease's valuesFrom names a Secret nothing creates."""
    path, docs, hr = _first(project, "HelmRelease")
    hr["spec"]["valuesFrom"] = [{"kind": "Secret", "name": "e2e-nothing-creates-this"}]
    _write(path, docs)
    return f"HelmRelease */{hr['metadata']['name']}"


def chart_version_missing(project: Path) -> str:
    """A chart source asks for a version the registry does not have."""
    path, docs, repo = _first(project, "OCIRepository")
    repo["spec"]["ref"] = {"tag": "99.99.99"}
    _write(path, docs)
    return f"OCIRepository */{repo['metadata']['name']}"


def depends_on_never_ready(project: Path) -> str:
    """An app's Kustomization dependsOn an app whose Deployment can never be scheduled."""
    app = project / "out" / "kubernetes" / "e2e-never-ready"
    app.mkdir(parents=True, exist_ok=True)
    _write(app / "deployment.yaml", [{
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "never-ready", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "never-ready"}}, "template": {
            "metadata": {"labels": {"app": "never-ready"}},
            "spec": {"nodeSelector": {"e2e/no-such-node": "true"},
                     "containers": [{"name": "c", "image": "registry.invalid/none:1"}]}}},
    }])  # fmt: skip
    _write(app / "kustomization.yaml", [{
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": ["./deployment.yaml"],
    }])  # fmt: skip
    _add_to_cluster(project, "e2e-never-ready-ks", [{
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "e2e-never-ready", "namespace": "flux-system"},
        "spec": {"interval": "1h", "path": "./out/kubernetes/e2e-never-ready", "prune": True,
                 "wait": True, "timeout": "30s",
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    }])  # fmt: skip
    path, docs, ks = _first(project, "Kustomization")
    ks["spec"]["dependsOn"] = [*ks["spec"].get("dependsOn", []), {"name": "e2e-never-ready"}]
    _write(path, docs)
    return f"Kustomization {ks['metadata']['namespace']}/{ks['metadata']['name']}"


FAULTS: dict[str, Callable[[Path], str]] = {
    "substitution-from-other-namespace": substitution_from_other_namespace,
    "values-from-missing-secret": values_from_missing_secret,
    "chart-version-missing": chart_version_missing,
    "depends-on-never-ready": depends_on_never_ready,
}
