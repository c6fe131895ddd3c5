"""What a generated project fetches from the network, and the local stand-in of each.

The run changes nothing in the generated files but these URLs: every ``oci://`` registry,
every Helm repository, every download a bootstrap hook makes and the Git URL of the sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.consumers.charts import GATEWAY_API
from tests.e2e.procs import E2EFailure

OCI = re.compile(r"oci://([A-Za-z0-9.-]+(?::\d+)?/[^\s\"':]+)")
HTTPS_IN_HOOK = re.compile(r"https://[^\s\"']+")


@dataclass(frozen=True)
class ChartRef:
    """A chart some release installs: where (OCI path or Helm repository URL), name, version."""

    kind: str  # "oci" or "helm"
    location: str
    """oci: the repository path without the scheme (``ghcr.io/org/charts/name``); helm: the
    repository URL."""
    name: str
    version: str


@dataclass
class Needs:
    """Everything the project fetches."""

    charts: set[ChartRef] = field(default_factory=set)
    helm_repos: set[str] = field(default_factory=set)
    downloads: dict[str, tuple[str, str]] = field(default_factory=dict)
    """URL -> (what, version): files a hook downloads."""


def _docs(path: Path) -> list[dict[str, Any]]:
    try:
        return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []


def scan(project: Path) -> Needs:  # noqa: C901, PLR0912 (one pass over every kind)
    """Every chart, repository and download of the generated tree under ``project/out``."""
    needs = Needs()
    out = project / "out"
    helm_repos: dict[tuple[str, str], str] = {}
    oci_repos: dict[tuple[str, str], tuple[str, str]] = {}
    charts_of_repos: list[tuple[str, str, str, str]] = []
    for path in sorted(out.rglob("*.yaml")):
        for doc in _docs(path):
            kind, spec = doc.get("kind"), doc.get("spec") or {}
            ns = (doc.get("metadata") or {}).get("namespace", "")
            name = (doc.get("metadata") or {}).get("name", "")
            if kind == "OCIRepository" and str(spec.get("url", "")).startswith("oci://"):
                loc = spec["url"].removeprefix("oci://")
                tag = str((spec.get("ref") or {}).get("tag", ""))
                oci_repos[(ns, name)] = (loc, tag)
                needs.charts.add(ChartRef("oci", loc, loc.rsplit("/", 1)[-1], tag))
            elif kind == "HelmRepository":
                url = str(spec.get("url", ""))
                helm_repos[(ns, name)] = url
                if not url.startswith("oci://"):
                    needs.helm_repos.add(url)
            elif kind == "HelmRelease":
                chart = ((spec.get("chart") or {}).get("spec")) or {}
                if chart:
                    ref = chart.get("sourceRef") or {}
                    charts_of_repos.append(
                        (ref.get("namespace", ns), ref.get("name", ""), chart["chart"],
                         str(chart.get("version", "")))
                    )  # fmt: skip
            if path.parent.name == "bootstrap" and "releases" in doc:
                _scan_helmfile(doc, needs)
    for ns, repo, chart_name, version in charts_of_repos:
        url = helm_repos.get((ns, repo)) or helm_repos.get(("", repo)) or ""
        if not url:
            continue  # a source the project does not define: Flux reports it, the run fails
        if url.startswith("oci://"):
            loc = url.removeprefix("oci://").rstrip("/") + "/" + chart_name
            needs.charts.add(ChartRef("oci", loc, chart_name, version))
        else:
            needs.charts.add(ChartRef("helm", url, chart_name, version))
    return needs


def _scan_helmfile(doc: dict[str, Any], needs: Needs) -> None:
    repos = {r["name"]: r for r in doc.get("repositories") or []}
    for release in doc.get("releases") or []:
        chart, version = str(release.get("chart", "")), str(release.get("version", ""))
        if chart.startswith("oci://"):
            loc = chart.removeprefix("oci://")
            needs.charts.add(ChartRef("oci", loc, loc.rsplit("/", 1)[-1], version))
        elif "/" in chart and chart.split("/", 1)[0] in repos:
            repo = repos[chart.split("/", 1)[0]]
            if repo.get("oci"):
                loc = (
                    str(repo["url"]).removeprefix("oci://").rstrip("/") + "/" + chart.split("/")[1]
                )
                needs.charts.add(ChartRef("oci", loc, chart.split("/")[1], version))
            else:
                needs.helm_repos.add(str(repo["url"]))
                needs.charts.add(ChartRef("helm", str(repo["url"]), chart.split("/")[1], version))
        for hook in release.get("hooks") or []:
            for arg in [str(a) for a in hook.get("args") or []]:
                for url in HTTPS_IN_HOOK.findall(arg):
                    found = GATEWAY_API.search(url)
                    if found is None:
                        raise E2EFailure(
                            f"a bootstrap hook of release {release.get('name')} downloads {url}: "
                            "the run has no local stand-in for it (add one in tests/e2e/sources.py)"
                        )
                    needs.downloads[found.group(0)] = (found.group(2), found.group(1))


def helm_repo_path(url: str) -> str:
    """The folder of the file server that stands in for Helm repository ``url``."""
    return "helm/" + re.sub(r"^https?://", "", url).strip("/")


def rewrites(
    needs: Needs, registry: str, files_url: str, git_from: str, git_to: str
) -> dict[str, str]:
    """Every URL of the project and its local stand-in."""
    table: dict[str, str] = {}
    for url in sorted(needs.helm_repos):
        table[url] = f"{files_url}/{helm_repo_path(url)}"
    for url, (flavour, version) in needs.downloads.items():
        table[url] = f"{files_url}/download/gateway-api/{version}/{flavour}-install.yaml"
    if git_from:
        table[git_from] = git_to
    return table


SOURCE_KINDS = re.compile(r"^kind: (OCIRepository|HelmRepository)$", re.M)


def _insecure(text: str, registry: str) -> tuple[str, list[str]]:
    """``insecure: true`` beside each Flux source URL of the local registry: it speaks plain
    HTTP on 127.0.0.1, as Helm does with a loopback registry."""
    docs = re.split(r"(?m)^---$", text)
    added = []
    for i, doc in enumerate(docs):
        kind = SOURCE_KINDS.search(doc)
        if kind is None or re.search(r"(?m)^\s+insecure:", doc):
            continue
        pattern = re.compile(rf"(?m)^(\s+)url: oci://{re.escape(registry)}/.*$")
        found = pattern.search(doc)
        if found:
            docs[i] = doc[: found.end()] + f"\n{found.group(1)}insecure: true" + doc[found.end() :]
            added.append(f"{kind.group(1)}: + insecure: true (the local registry is plain HTTP)")
    return "---".join(docs), added


def apply_rewrites(root: Path, table: dict[str, str], registry: str) -> list[str]:
    """Rewrite the URLs of ``table`` and every ``oci://host/`` to the local registry in the text
    files under ``root/out``; the rewrites made (``file: old -> new``)."""
    done: list[str] = []
    ordered = sorted(table.items(), key=lambda kv: -len(kv[0]))
    for path in sorted((root / "out").rglob("*")):
        if not path.is_file() or path.suffix not in {".yaml", ".yml", ".json"}:
            continue
        text = original = path.read_text()
        rel = path.relative_to(root)
        for old, new in ordered:
            pattern = re.compile(re.escape(old) + r"(?![A-Za-z0-9_.-])")
            if pattern.search(text):
                text = pattern.sub(new, text)
                done.append(f"{rel}: {old} -> {new}")

        def to_local(match: re.Match[str]) -> str:
            return f"oci://{registry}/{match.group(1)}"

        for match in sorted(set(OCI.findall(text))):
            if not match.startswith(registry):
                done.append(f"{rel}: oci://{match} -> oci://{registry}/{match}")
        text = OCI.sub(
            lambda m: m.group(0) if m.group(1).startswith(registry) else to_local(m), text
        )
        text, insecure = _insecure(text, registry)
        done += [f"{rel}: {line}" for line in insecure]
        if text != original:
            path.write_text(text)
    return done


BUILT_IN_GROUPS = {
    "", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
    "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io",
    "node.k8s.io", "apiregistration.k8s.io",
}  # fmt: skip
PROVIDED_GROUPS = {"cilium.io", "gateway.networking.k8s.io", "fluxcd.controlplane.io"}
"""CRDs the run has for real: Cilium's (its module), Gateway API's (the bootstrap hook),
flux-operator's (its real chart) and Flux's own (``toolkit.fluxcd.io``)."""
GROUP_CHARTS = {
    "cert-manager.io": "cert-manager",
    "acme.cert-manager.io": "cert-manager",
    "externaldns.k8s.io": "external-dns",
    "monitoring.coreos.com": "kube-prometheus-stack",
    "gateway.envoyproxy.io": "gateway-helm",
}
"""The chart that installs a group's CRDs, where it is not the chart of the app beside them."""


def custom_kinds(project: Path) -> dict[str, set[tuple[str, str, str, bool]]]:
    """chart name -> (group, version, kind, namespaced) of the custom resources the project
    applies whose CRDs that chart brings (the stub of the chart brings a permissive CRD)."""
    found: dict[str, set[tuple[str, str, str, bool]]] = {}
    apps = project / "out" / "kubernetes" / "apps"
    for path in sorted(apps.rglob("*.yaml")):
        for doc in _docs(path):
            api = str(doc.get("apiVersion", ""))
            group, _, version = api.rpartition("/")
            if group in BUILT_IN_GROUPS or group in PROVIDED_GROUPS or "toolkit.fluxcd.io" in group:
                continue
            if "kustomize.config.k8s.io" in group:
                continue
            chart = GROUP_CHARTS.get(group) or _chart_beside(path)
            if chart:
                namespaced = "namespace" in (doc.get("metadata") or {}) or not str(
                    doc.get("kind", "")
                ).startswith("Cluster")
                found.setdefault(chart, set()).add((group, version, str(doc["kind"]), namespaced))
    return found


def _chart_beside(path: Path) -> str:
    """The chart of the app whose folder holds ``path`` (``apps/<ns>/<app>/...``)."""
    for parent in path.parents:
        app = parent / "app"
        if app.is_dir():
            for file in sorted(app.glob("*.yaml")):
                for doc in _docs(file):
                    spec = doc.get("spec") or {}
                    if doc.get("kind") == "OCIRepository":
                        return str(spec.get("url", "")).rsplit("/", 1)[-1]
                    chart = (spec.get("chart") or {}).get("spec") or {}
                    if chart.get("chart"):
                        return str(chart["chart"])
            return ""
    return ""
