"""The Flux tree (Kustomizations, HelmReleases, chart sources, manifests, SOPS files), the
bootstrap helmfile(s), the FluxInstance's Git source and ``.sops.yaml``'s age recipients."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from homeops_gen.layout import resources_kustomization
from homeops_gen.importer.fluxbuild import (
    FLUX_KUSTOMIZE,
    KUSTOMIZATION_FILES,
    Built,
    FluxTree,
    build_flux_tree,
    kustomization_file,
)
from homeops_gen.importer.source import YAML_SUFFIXES, Source, dig, is_object, listed
from homeops_gen.secrets import is_sops_encrypted
from homeops_gen.generators.kubernetes import (
    APP_KUSTOMIZATION_DEFAULTS,
    HELMRELEASE_DEFAULTS,
    RECONCILE_INTERVAL,
    TREE_KUSTOMIZATION_DEFAULTS,
    chart_objects,
)
from homeops_gen.model import App, Chart
from homeops_gen.derived_fields import KUSTOMIZATION_DERIVED

CHART_SOURCES = ("OCIRepository", "HelmRepository")
# Kustomize keys the generated kustomization.yaml files use; any other is reported.
_KUSTOMIZE_KEYS = {"apiVersion", "kind", "resources", "components", "namespace"}


@dataclass
class Document:
    """One YAML document of the tree: the file it is in and its index there."""

    file: str
    index: int
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind"))

    @property
    def name(self) -> str:
        metadata = self.data.get("metadata")
        return str(metadata.get("name", "")) if isinstance(metadata, dict) else ""

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}


@dataclass
class FluxApp:
    """An app of the tree: one Flux Kustomization deploying one HelmRelease."""

    ks: Document
    release: Document
    namespace: str
    chart: dict[str, Any] | None = None
    """``url``, ``version`` and (for ``https://`` repositories) ``name``."""
    chart_file: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    """Kustomization names (resolved to app names by the mapper)."""
    kustomization_options: dict[str, Any] = field(default_factory=dict)
    """Spec fields of the Kustomization that homeops-gen does not write the same way."""
    release_options: dict[str, Any] = field(default_factory=dict)
    """Spec fields of the HelmRelease, merged over what homeops-gen writes, to get the source's."""
    release_defaults_added: list[str] = field(default_factory=list)
    """Settings homeops-gen writes into every HelmRelease that the source's lacks."""
    objects: list[Document] = field(default_factory=list)
    """The other objects the Kustomization applies (plain manifests)."""
    secrets: list[str] = field(default_factory=list)
    """SOPS-encrypted files it applies."""
    chartless: bool = False
    """No HelmRelease: ``release`` is the Kustomization itself."""
    resources_ks: str | None = None
    """The name of its second Kustomization (custom resources applied after the release)."""
    reported: list[tuple[str, str, str]] = field(default_factory=list)
    """Changes to report once the app is mapped (file, what, why)."""
    files: list[str] = field(default_factory=list)
    """The files its folder lists (resources, not components)."""
    primary: bool = True
    """The first app of its Kustomization (the one that keeps the other manifests)."""

    @property
    def name(self) -> str:
        return self.release.name


@dataclass
class Release:
    """A release of a bootstrap helmfile."""

    file: str
    name: str
    namespace: str
    chart: str
    version: str
    values: list[Any] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class KubernetesFacts:
    """What the Flux tree, the helmfiles and ``.sops.yaml`` say."""

    apps: list[FluxApp] = field(default_factory=list)
    repository: str | None = None
    branch: str | None = None
    sync_interval: str | None = None
    """How often the FluxInstance fetches the repository."""
    sync_file: str | None = None
    releases: list[Release] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    pull_secret_name: str | None = None
    """The Secret the FluxInstance pulls the repository with."""
    namespaces: list[Document] = field(default_factory=list)
    """The Namespace objects of the tree (their labels and annotations)."""
    sync_path: str | None = None
    """The folder the FluxInstance syncs (None: none found)."""
    flux_tree: FluxTree = field(default_factory=FluxTree)
    """What Flux applies from the sync path, built as kustomize-controller builds it."""
    outside: list[Built] = field(default_factory=list)
    """Objects Flux applies outside any app (a component's ConfigMap in every namespace...)."""


def read_kubernetes(source: Source) -> KubernetesFacts:
    """The apps of the Flux tree, the bootstrap releases, the Git source and age recipients."""
    facts = KubernetesFacts()
    _read_sops(source, facts)
    documents = [
        Document(path, i, data)
        for path, objects in source.kubernetes_objects.items()
        for i, data in enumerate(objects)
    ]
    sync_path = _read_sync(source, documents, facts)
    facts.sync_path = sync_path
    facts.flux_tree = build_flux_tree(source, sync_path)
    _read_tree(source, documents, sync_path, facts)
    _read_applied(source, facts)
    _read_helmfiles(source, facts)
    return facts


def _read_applied(source: Source, facts: KubernetesFacts) -> None:
    """What only the built tree says: the Namespaces outside the apps (named by kustomize's
    ``namespace:`` transformer, as Flux applies them), and Flux Kustomizations that a transformer
    put outside ``flux-system``."""
    in_apps = {d.file for app in facts.apps for d in app.objects} | {
        f for app in facts.apps for f in app.secrets
    }
    in_apps |= {f for app in facts.apps for f in (app.release.file, app.chart_file) if f}
    in_apps |= {app.ks.file for app in facts.apps}
    for key, built in sorted(facts.flux_tree.objects.items()):
        flux_ks = key[0] == "Kustomization" and str(built.data.get("apiVersion", "")).startswith(
            FLUX_KUSTOMIZE
        )
        if key[0] == "Namespace" and built.file not in in_apps:
            facts.namespaces.append(Document(built.file, 0, built.data))
            source.report.map(built.file, f"Namespace {key[2]}")
        elif not flux_ks and key[0] != "FluxInstance" and built.file not in in_apps:
            if built.applied_by not in {a.ks.name for a in facts.apps}:
                facts.outside.append(built)
        elif flux_ks and key[1] not in ("", "flux-system"):
            source.report.change(
                built.file,
                f"Kustomization {key[2]} in namespace {key[1]}",
                "homeops-gen puts every Flux Kustomization in flux-system",
                renames=True,
            )


def _read_sops(source: Source, facts: KubernetesFacts) -> None:
    for path in source.named(".sops.yaml", ".sops.yml"):
        config = source.mapping(path)
        if config is None:
            continue
        rules = config.get("creation_rules")
        if not isinstance(rules, list):
            source.report.skip(path, "creation_rules", "expected a list of rules")
            continue
        for rule in rules:
            ages = _rule_recipients(source, path, rule) if isinstance(rule, dict) else []
            facts.recipients += [a for a in ages if a and a not in facts.recipients]
        source.report.map(path, f"age recipients ({len(facts.recipients)})")
        return
    # Without .sops.yaml, the recipients recorded in encrypted files still name the keys.
    for path in source.files:
        text = source.text(path) if path.endswith(YAML_SUFFIXES) else None
        documents = (source.yaml(path) or []) if text and is_sops_encrypted(text) else []
        for entry in (e for d in documents for e in listed(dig(d, "sops", "age"))):
            recipient = dig(entry, "recipient")
            if isinstance(recipient, str) and recipient not in facts.recipients:
                facts.recipients.append(recipient)
    if facts.recipients:
        source.report.change(
            "", "age recipients", "no .sops.yaml: taken from the SOPS metadata of encrypted files"
        )


def _rule_recipients(source: Source, path: str, rule: dict[str, Any]) -> list[str]:
    """The age recipients of one creation rule (``age`` or its key groups)."""
    age = rule.get("age")
    ages = [a.strip() for a in age.split(",")] if isinstance(age, str) else []
    ages += [str(a).strip() for a in listed(age)]
    for group in listed(rule.get("key_groups")):
        ages += [str(a).strip() for a in listed(dig(group, "age"))]
    for key in ("pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri"):
        if rule.get(key):
            source.report.skip(path, f"creation rule {key}", "the model has age only")
    return ages


def _read_sync(source: Source, documents: list[Document], facts: KubernetesFacts) -> str | None:
    """The FluxInstance's sync (a manifest, or the flux-instance chart's values)."""
    candidates: list[tuple[str, dict[str, Any]]] = []
    for doc in documents:
        if doc.kind == "FluxInstance":
            candidates.append((doc.file, dig(doc.spec, "sync") or {}))
        elif doc.kind == "HelmRelease":
            values = doc.spec.get("values")
            instance = values.get("instance") if isinstance(values, dict) else None
            if isinstance(instance, dict) and isinstance(instance.get("sync"), dict):
                candidates.append((doc.file, instance["sync"]))
    for path, sync in candidates:
        if not isinstance(sync, dict) or not isinstance(sync.get("url"), str):
            continue
        facts.repository = sync["url"]
        if isinstance(sync.get("pullSecret"), str):
            facts.pull_secret_name = sync["pullSecret"]
        facts.sync_file = path
        if isinstance(sync.get("interval"), str):
            facts.sync_interval = sync["interval"]
        ref = str(sync.get("ref", "refs/heads/main"))
        if ref.startswith("refs/heads/"):
            facts.branch = ref.removeprefix("refs/heads/")
        else:
            facts.branch = "main"
            source.report.change(path, f"sync ref {ref}", "the model syncs a branch; main is used")
        source.report.map(path, f"Git source {facts.repository} ({facts.branch})")
        sync_path = sync.get("path")
        return str(sync_path).strip("./") if isinstance(sync_path, str) else None
    return None


def _kustomize_files(source: Source, folder: str, seen: set[str]) -> list[str]:
    """The files a Flux Kustomization of ``folder`` applies.

    With a kustomization.yaml, its resources (folders recursively); without, what Flux's
    generator takes: every YAML file below, except in sub-folders that have their own
    kustomization.yaml, which count as one resource each (fluxcd/pkg kustomize_generator.go).
    """
    path = kustomization_file(source, folder)
    if path is None:
        return _generated_files(source, folder, seen)
    if path in seen:
        return []
    seen.add(path)
    config = source.mapping(path)
    if config is None:
        return []
    source.report.map(
        path, "the folder's resources (homeops-gen writes its own kustomization.yaml)"
    )
    for key in sorted(set(config) - _KUSTOMIZE_KEYS):
        source.report.skip(path, key, "kustomize feature not in the model")
    files: list[str] = []
    for entry in listed(config.get("resources")):
        files += _resource_files(source, path, str(entry), seen)
    return files


def _generated_files(source: Source, folder: str, seen: set[str]) -> list[str]:
    """The resources of Flux's generated kustomization for ``folder``."""
    files: list[str] = []
    prefix = f"{folder}/" if folder else ""
    subfolders: set[str] = set()
    for file in source.under(folder):
        rest = file[len(prefix) :]
        if "/" in rest:
            subfolders.add(prefix + rest.split("/", 1)[0])
        elif file.endswith(YAML_SUFFIXES):
            files.append(file)
    for sub in sorted(subfolders):
        files += _kustomize_files(source, sub, seen)
    return files


def _resource_files(source: Source, path: str, ref: str, seen: set[str]) -> list[str]:
    """The files one ``resources`` entry of the kustomization ``path`` stands for."""
    if "://" in ref or ref.startswith("github.com/"):
        source.report.skip(path, f"resource {ref}", "remote resources are not in the model")
        return []
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
    if target in source.files:
        return [target]
    if not any(True for _ in source.under(target)):
        source.report.skip(path, f"resource {ref}", "not found")
        return []
    if kustomization_file(source, target) is None:
        source.report.skip(path, f"resource {ref}", "a folder without kustomization.yaml")
        return []
    return _kustomize_files(source, target, seen)


@dataclass
class _Tree:
    """The objects of the source, indexed for the walk from the sync path."""

    by_file: dict[str, list[Document]]
    flux_ks: list[Document]
    sources: dict[tuple[str, str], Document]
    flux_tree: FluxTree
    visited: set[tuple[str, int]] = field(default_factory=set)


def _read_tree(
    source: Source, documents: list[Document], sync_path: str | None, facts: KubernetesFacts
) -> None:
    by_file: dict[str, list[Document]] = {}
    for doc in documents:
        by_file.setdefault(doc.file, []).append(doc)
    tree = _Tree(
        by_file=by_file,
        flux_ks=[
            d
            for d in documents
            if d.kind == "Kustomization" and str(d.data["apiVersion"]).startswith(FLUX_KUSTOMIZE)
        ],
        sources={(d.kind, d.name): d for d in documents if d.kind in CHART_SOURCES},
        flux_tree=facts.flux_tree,
    )
    if sync_path is not None:
        queue = [f for f in _kustomize_files(source, sync_path, set()) if f in by_file]
    else:
        queue = sorted({d.file for d in tree.flux_ks})
        source.report.change(
            "", "Flux tree", "no FluxInstance sync found: every Flux Kustomization is read"
        )
    while queue:
        file = queue.pop(0)
        for doc in by_file.get(file, []):
            if doc in tree.flux_ks and (doc.file, doc.index) not in tree.visited:
                queue += [f for f in _visit(source, tree, doc, facts) if f not in queue]
            elif doc.kind == "Namespace":
                continue  # read as Flux applies it (after kustomize's namespace transformer)
            # Other objects outside the apps: read as Flux applies them (_read_applied).
    for ks in tree.flux_ks:
        if (ks.file, ks.index) not in tree.visited:
            source.report.skip(ks.file, f"Kustomization {ks.name}", "not in the tree Flux syncs")


def _visit(source: Source, tree: _Tree, ks: Document, facts: KubernetesFacts) -> list[str]:
    """Read one Flux Kustomization: an app, or a folder of others (whose files it returns)."""
    tree.visited.add((ks.file, ks.index))
    path = str(ks.spec.get("path", "")).strip()
    folder = posixpath.normpath(path.removeprefix("./")) if path else ""
    folder = "" if folder == "." else folder
    files = _kustomize_files(source, folder, set())
    if any(d in tree.flux_ks for f in files for d in tree.by_file.get(f, [])):
        source.report.map(ks.file, f"Kustomization {ks.name} (the tree over {folder}; generated)")
        applied = _as_applied(tree.flux_tree, ks).spec
        own = sorted(
            k
            for k in {*applied, *_TREE_KS}
            if k not in _LAYOUT and applied.get(k) != _TREE_KS.get(k)
        )
        if own:
            source.report.change(
                ks.file,
                f"Kustomization {ks.name} spec.{', spec.'.join(own)}",
                "homeops-gen writes the Kustomization over the apps without them; what they did "
                "to the apps is compared object by object",
            )
        return files
    owner = _resources_owner(tree, ks, facts)
    if owner is not None:
        # homeops-gen's second Kustomization of an app: its custom resources, after the release.
        _other_files(source, owner, files, tree, set())
        owner.resources_ks = ks.name
        owner.files += files
        source.report.map(
            ks.file, f"Kustomization {ks.name} (the custom resources of {owner.name})"
        )
        return []
    facts.apps += _read_app(source, ks, files, tree)
    return []


_TREE_KS: dict[str, Any] = dict(TREE_KUSTOMIZATION_DEFAULTS)
_LAYOUT = {"path", "sourceRef"}


def _resources_owner(tree: _Tree, ks: Document, facts: KubernetesFacts) -> FluxApp | None:
    """The app whose ``<app>-resources`` Kustomization ``ks`` is (same file, depends on it)."""
    deps = [dig(d, "name") for d in listed(ks.spec.get("dependsOn"))]
    for app in facts.apps:
        if (
            app.ks.file == ks.file
            and ks.name == resources_kustomization(app.ks.name)
            and deps == [app.ks.name]
        ):
            return app
    return None


_GENERATED_KS: dict[str, Any] = dict(APP_KUSTOMIZATION_DEFAULTS)
# Written by homeops-gen from the model (``wait``: for apps others depend on).
_DERIVED_KS = {*KUSTOMIZATION_DERIVED, "wait"}


def _read_app(source: Source, ks: Document, files: list[str], tree: _Tree) -> list[FluxApp]:
    """The apps of one Flux Kustomization: one per HelmRelease (the first keeps the other
    manifests), or one without a chart."""
    releases = [d for f in files for d in tree.by_file.get(f, []) if d.kind == "HelmRelease"]
    # An app without a chart: the Kustomization stands in for the release it does not have.
    apps: list[FluxApp] = []
    consumed: set[tuple[str, int]] = {(r.file, r.index) for r in releases}
    for release in releases or [ks]:
        app = _release_app(source, ks, release, files, tree.flux_tree)
        if app is None:
            continue
        app.primary = not apps
        if apps:
            source.report.change(
                release.file,
                f"HelmRelease {release.name} (one of {len(releases)} of Kustomization {ks.name})",
                "an App of its own, with its own Flux Kustomization of the same settings",
            )
        apps.append(app)
        if not app.chartless:
            chart_source = _chart(source, app, files, tree.by_file, tree.sources)
            if chart_source is not None:
                consumed.add((chart_source.file, chart_source.index))
    if apps:
        _other_files(source, apps[0], files, tree, consumed)
    return apps


def _as_applied(tree: FluxTree, ks: Document) -> Document:
    """The Flux Kustomization ``ks`` as Flux applies it (after the patches and substitution of
    the Kustomization over it), or as written when the build did not reach it."""
    for key, built in tree.objects.items():
        if key[0] == "Kustomization" and key[2] == ks.name and built.file == ks.file:
            return Document(ks.file, ks.index, built.data)
    return ks


def _release_app(
    source: Source, ks: Document, release: Document, files: list[str], facts_tree: FluxTree
) -> FluxApp | None:
    """The app of ``release`` (``ks`` itself for an app without a chart)."""
    report = source.report
    chartless = release is ks
    namespace = (
        ks.spec.get("targetNamespace")
        or dig(release.data, "metadata", "namespace")
        or _folder_namespace(source, release.file)
    )
    if not isinstance(namespace, str) or not namespace:
        report.skip(ks.file, f"Kustomization {ks.name}", "no namespace (targetNamespace) found")
        return None
    app = FluxApp(
        ks=_as_applied(facts_tree, ks),
        release=release,
        namespace=namespace,
        chartless=chartless,
        files=files,
    )
    if ks.name != release.name:
        report.change(
            ks.file,
            f"Kustomization {ks.name}",
            f"renamed {release.name}, after its HelmRelease",
            renames=True,
        )
    app.depends_on = [
        str(dig(d, "name")) for d in listed(ks.spec.get("dependsOn")) if dig(d, "name")
    ]
    _options(app)
    if not chartless:
        values = release.spec.get("values")
        app.values = values if isinstance(values, dict) else {}
    return app


def _options(app: FluxApp) -> None:
    """The Kustomization's and HelmRelease's spec fields homeops-gen does not write alike."""
    ks = app.ks
    common = ks.spec.get("commonMetadata")
    # What homeops-gen writes: the app's name (a Kustomization renamed keeps its own labels).
    if common not in (None, {"labels": {"app.kubernetes.io/name": app.name}}):
        app.kustomization_options["commonMetadata"] = common
    if common is None:
        app.reported.append(
            (
                ks.file,
                f"Kustomization {ks.name} without commonMetadata",
                f"homeops-gen labels every object of the app app.kubernetes.io/name: {app.name}",
            )
        )
    for key, value in ks.spec.items():
        if key not in _DERIVED_KS and key not in ("commonMetadata", "components"):
            if _GENERATED_KS.get(key, object()) != value:
                app.kustomization_options[key] = value
    _kustomization_reports(app)
    if not app.chartless:
        _release_options(app)


def _kustomization_reports(app: FluxApp) -> None:
    """What the generated Flux Kustomization of the app writes otherwise: reported."""
    ks = app.ks
    if ks.spec.get("components"):
        # Their paths are relative to the source's layout; their files are copied instead.
        app.reported.append(
            (
                ks.file,
                f"Kustomization {ks.name} spec.components",
                "the components' manifests are copied beside the app's release",
            )
        )
    if "wait" in ks.spec:
        app.kustomization_options["wait"] = ks.spec["wait"]
    added = [k for k in _GENERATED_KS if k not in ks.spec]
    if added:
        app.reported.append(
            (
                ks.file,
                f"Kustomization {ks.name} without spec.{', spec.'.join(added)}",
                "homeops-gen writes "
                + ", ".join(f"{k}: {_GENERATED_KS[k]}" for k in added)
                + " into every app's Kustomization",
            )
        )


def _release_options(app: FluxApp) -> None:
    """The HelmRelease's spec fields homeops-gen does not write alike."""
    written = {"interval": RECONCILE_INTERVAL, **HELMRELEASE_DEFAULTS}
    spec = {
        k: v
        for k, v in app.release.spec.items()
        if k not in ("chart", "chartRef", "values", "dependsOn")
    }
    if app.release.spec.get("values") == {}:
        app.reported.append(
            (app.release.file, f"HelmRelease {app.name} spec.values: {{}}", "empty values left out")
        )
    # A release's dependsOn names other releases: the model derives it from App.depends_on.
    if app.release.spec.get("dependsOn"):
        app.reported.append(
            (
                app.release.file,
                f"HelmRelease {app.name} spec.dependsOn",
                "in the App's depends_on: its Flux Kustomization waits for theirs instead",
            )
        )
    app.depends_on += [
        str(dig(d, "name"))
        for d in listed(app.release.spec.get("dependsOn"))
        if dig(d, "name") and str(dig(d, "name")) not in app.depends_on
    ]
    app.release_options = overrides(written, spec)
    app.release_defaults_added = sorted(k for k in HELMRELEASE_DEFAULTS if k not in spec)


def _other_files(
    source: Source, app: FluxApp, files: list[str], tree: _Tree, consumed: set[tuple[str, int]]
) -> None:
    """The app's other files: SOPS files, and the objects besides its release and chart source."""
    for file in files:
        text = source.text(file)
        if text is not None and is_sops_encrypted(text):
            app.secrets.append(file)
            continue
        docs = tree.by_file.get(file, [])
        app.objects += [d for d in docs if (d.file, d.index) not in consumed]
        if not docs and source.yaml(file) is not None:
            source.report.skip(file, "file", "holds no Kubernetes object")


def _folder_namespace(source: Source, file: str) -> str | None:
    """The ``namespace:`` of the nearest kustomization.yaml above ``file``."""
    folder = posixpath.dirname(file)
    while folder:
        for name in KUSTOMIZATION_FILES:
            path = posixpath.join(folder, name)
            if path in source.files:
                config = source.yaml(path) or [{}]
                namespace = config[0].get("namespace") if isinstance(config[0], dict) else None
                if isinstance(namespace, str):
                    return namespace
        folder = posixpath.dirname(folder)
    return None


def _chart(
    source: Source,
    app: FluxApp,
    files: list[str],
    by_file: dict[str, list[Document]],
    sources: dict[tuple[str, str], Document],
) -> Document | None:
    """The chart of the release, from its OCIRepository or HelmRepository."""
    report = source.report
    spec = app.release.spec
    local = {
        (d.kind, d.name): d for f in files for d in by_file.get(f, []) if d.kind in CHART_SOURCES
    }
    ref = spec.get("chartRef")
    template = dig(spec, "chart", "spec")
    if isinstance(ref, dict):
        key = (str(ref.get("kind")), str(ref.get("name")))
        found = local.get(key) or sources.get(key)
        if found is None:
            app.reported.append(  # once the app is mapped (from the bootstrap helmfile)
                (
                    app.release.file,
                    f"HelmRelease {app.name} chartRef {key[0]}/{key[1]}",
                    "the chart source is not in the tree; chart and version from the bootstrap "
                    "helmfile",
                )
            )
            return None
        url = str(found.spec.get("url", ""))
        tag = dig(found.spec, "ref", "tag") if isinstance(found.spec.get("ref"), dict) else None
        if key[0] != "OCIRepository" or not url.startswith("oci://") or not isinstance(tag, str):
            report.skip(
                found.file, f"{key[0]} {key[1]}", "only OCI charts pinned by tag are in the model"
            )
            return found
        app.chart = {"url": url, "version": tag}
        app.chart_file = found.file
        _chart_source_name(source, app, found)
        _source_options(source, found, _written_source(app, url, tag))
        return found
    if isinstance(template, dict):
        source_ref = template.get("sourceRef")
        source_ref = source_ref if isinstance(source_ref, dict) else {}
        key = (str(source_ref.get("kind")), str(source_ref.get("name")))
        found = local.get(key) or sources.get(key)
        chart, version = template.get("chart"), template.get("version")
        if found is None or not isinstance(chart, str) or version is None:
            app.reported.append(  # once the app is mapped (from the bootstrap helmfile)
                (
                    app.release.file,
                    f"HelmRelease {app.name} chart",
                    "the chart source is not in the tree; chart and version from the bootstrap "
                    "helmfile",
                )
            )
            return None
        url = str(found.spec.get("url", "")).rstrip("/")
        if found.spec.get("type") == "oci" or url.startswith("oci://"):
            app.chart = {"url": f"{url}/{chart}", "version": str(version)}
        else:
            app.chart = {"url": url, "name": chart, "version": str(version)}
        app.chart_file = found.file
        _chart_source_name(source, app, found)
        if template.get("interval") != RECONCILE_INTERVAL:
            report.change(
                app.release.file,
                f"HelmRelease {app.name} chart interval",
                f"homeops-gen writes {RECONCILE_INTERVAL}",
            )
        # Its url and type are the model's chart URL: only its other fields are options.
        written = {"interval": RECONCILE_INTERVAL}
        _source_options(
            source,
            found,
            {**written, "url": found.spec.get("url"), "type": found.spec.get("type")},
        )
        return found
    report.skip(app.release.file, f"HelmRelease {app.name}", "neither chartRef nor chart.spec")
    return None


def _written_source(app: FluxApp, url: str, version: str) -> Any:
    """The spec of the OCIRepository homeops-gen writes for the chart at ``url``."""
    chart = Chart.model_construct(url=url, version=version, name=None)
    model_app = App.model_construct(name=app.name, namespace=app.namespace, chart=chart)
    return chart_objects(model_app)[0]["spec"]


def _chart_source_name(source: Source, app: FluxApp, found: Document) -> None:
    """The chart source becomes the app's (named after it, in its namespace)."""
    if found.name == app.name:
        source.report.map(found.file, f"{found.kind} {found.name} (the chart of {app.name})")
    else:
        source.report.change(
            found.file,
            f"{found.kind} {found.name} (the chart of {app.name})",
            f"homeops-gen names an app's chart source after the app: {app.name}",
            renames=True,
        )
        source.report.change(
            app.release.file,
            f"HelmRelease {app.name} chartRef or chart sourceRef {found.name}",
            f"the chart source is named {app.name}",
        )


def _source_options(source: Source, found: Document, written: dict[str, Any]) -> None:
    for key, value in found.spec.items():
        if written.get(key) != value:
            source.report.change(
                found.file,
                f"{found.kind} {found.name} {key}",
                f"homeops-gen writes {written.get(key)!r}",
            )


_URL = re.compile(r"--filename=(https://\S+)|^(https://\S+)$")


def _read_helmfiles(source: Source, facts: KubernetesFacts) -> None:
    report = source.report
    paths = [p for p in source.files if _is_helmfile(source, p)]
    for path in paths:
        config = source.mapping(path)
        if config is None:
            continue
        defaults = config.get("helmDefaults")
        args = defaults.get("args") if isinstance(defaults, dict) else None
        crds_only = "crds" in posixpath.basename(path) or "--include-crds" in listed(args)
        for i, entry in enumerate(listed(config.get("releases"))):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                report.skip(path, f"releases[{i}]", "expected a release with a name")
                continue
            if crds_only:
                report.skip(
                    path,
                    f"release {entry['name']} (CRDs only)",
                    "the model applies CRDs from manifest URLs (App.crds), not from charts",
                )
                continue
            values = entry.get("values") or []
            facts.releases.append(
                Release(
                    file=path,
                    name=entry["name"],
                    namespace=str(entry.get("namespace", "")),
                    chart=str(entry.get("chart", "")),
                    version=str(entry.get("version", "")),
                    values=values if isinstance(values, list) else [values],
                    hooks=[h for h in listed(entry.get("hooks")) if isinstance(h, dict)],
                )
            )
        for key in sorted(set(config) - {"releases", "helmDefaults", "repositories"}):
            report.skip(path, key, "helmfile setting not in the model")


_HELMFILE_KEYS = {"releases", "helmDefaults", "repositories", "environments", "bases"}


def _is_helmfile(source: Source, path: str) -> bool:
    """A helmfile, by content: a YAML mapping with ``releases`` (charts) and no ``kind``
    (whatever its name; ``.gotmpl`` ones by name, as they are templates)."""
    name = posixpath.basename(path)
    if name.startswith("helmfile") and name.endswith(".gotmpl"):
        return True
    if not name.endswith(YAML_SUFFIXES):
        return False
    text = source.text(path)
    if text is None or "releases:" not in text:
        return False
    documents = source.yaml(path) or []
    return (
        len(documents) >= 1
        and isinstance(documents[0], dict)
        and "kind" not in documents[0]
        and isinstance(documents[0].get("releases"), list)
        and set(documents[0]) <= _HELMFILE_KEYS | {"missingFileHandler", "hooks", "templates"}
        and all(isinstance(r, dict) and "chart" in r for r in documents[0]["releases"])
    )


def hook_urls(hook: dict[str, Any]) -> list[str]:
    """The https:// manifests a hook applies (CRDs, typically)."""
    urls: list[str] = []
    for arg in listed(hook.get("args")):
        for match in _URL.finditer(str(arg)):
            urls.append(match.group(1) or match.group(2))
    return urls


def objects_text(documents: list[Document]) -> list[dict[str, Any]]:
    """The data of ``documents``."""
    return [d.data for d in documents if is_object(d.data)]


def overrides(written: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """What to merge over ``written`` (nested mappings merge) to get ``found``'s keys and values;
    keys of ``written`` that ``found`` lacks cannot be removed by a merge and are left."""
    result: dict[str, Any] = {}
    for key, value in found.items():
        if isinstance(value, dict) and isinstance(written.get(key), dict):
            sub = overrides(written[key], value)
            if sub:
                result[key] = sub
        elif written.get(key, ...) != value:
            result[key] = value
    return result
