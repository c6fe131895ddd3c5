"""Layer 4: the Flux GitOps tree (``out/kubernetes``): one Kustomization and HelmRelease per app."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from homeops_gen.apis import document_file
from homeops_gen.apis.flux import (
    CrossNamespaceRef,
    HelmRelease,
    HelmReleaseSpec,
    HelmRepository,
    Kustomization,
    KustomizationSpec,
    OCIRepository,
)
from homeops_gen.apis.kubernetes import schema_url
from homeops_gen.apis.kustomize import KustomizeConfig, kustomization
from homeops_gen.formats import to_yaml, yaml_file
from homeops_gen.apps import deep_merge
from homeops_gen.layout import (
    APP_FOLDER,
    APPS,
    COMPONENTS,
    FLUX_NAMESPACE,
    FLUX_SOURCE,
    FLUX_SYNC_PATH,
    HELMRELEASE_FILE,
    KUSTOMIZATION_FILE,
    RESOURCES_FOLDER,
    ROOT_KUSTOMIZATION,
    SOPS_AGE_SECRET,
    app_dir,
    release_dir,
    resources_kustomization,
    source_file,
)
from homeops_gen.model import App, Cluster, Namespace
from homeops_gen.project import Project
from homeops_gen.releases import folders, release_values, resource_file, user_file_name

GIT_SOURCE: CrossNamespaceRef = {
    "kind": "GitRepository",
    "name": FLUX_SOURCE,
    "namespace": FLUX_NAMESPACE,
}
NAMESPACE_COMPONENT = f"{COMPONENTS}/namespace"
RECONCILE_INTERVAL = "1h"
"""How often Flux reconciles the Kustomizations, HelmReleases and Helm sources written (the Git
source syncs at ``GitOps.sync_interval``)."""
TREE_KUSTOMIZATION_DEFAULTS: KustomizationSpec = {"interval": RECONCILE_INTERVAL, "prune": True}
"""The spec of the Kustomization over every app, besides its path and source."""
APP_KUSTOMIZATION_DEFAULTS: KustomizationSpec = {
    **TREE_KUSTOMIZATION_DEFAULTS,
    "retryInterval": "2m",
    "timeout": "5m",
}
"""What every app's Kustomization holds besides what the model derives
(``derived_fields.KUSTOMIZATION_DERIVED``, and ``wait``); ``App.kustomization`` overrides it."""
T = TypeVar("T")


HELMRELEASE_DEFAULTS: HelmReleaseSpec = {
    "install": {"crds": "CreateReplace", "strategy": {"name": "RetryOnFailure"}},
    "rollback": {"cleanupOnFail": True, "recreate": True},
    "upgrade": {
        "cleanupOnFail": True,
        "crds": "CreateReplace",
        "remediation": {"remediateLastFailure": True, "retries": 2},
        "strategy": {"name": "RemediateOnFailure"},
    },
}
"""Install, upgrade and rollback settings of every HelmRelease (``App.release`` overrides them)."""


def render(project: Project) -> dict[str, str]:
    """The root Kustomization, a folder per namespace, and per app its Flux objects."""
    cluster = project.cluster
    files: dict[str, str] = {}
    by_namespace: dict[str, list[App]] = defaultdict(list)
    for app in project.deployment.apps:
        by_namespace[app.namespace].append(app)
    metadata = {ns.name: ns for ns in cluster.namespaces}
    namespaces = sorted({*by_namespace, *metadata})
    dependents = {dep for app in project.deployment.apps for dep in app.depends_on}
    placement = {app.name: folders(app, project.user_files) for app in project.deployment.apps}
    last = {
        name: resources_kustomization(name) if RESOURCES_FOLDER in placed.values() else name
        for name, placed in placement.items()
    }

    files.update(_flux_root(namespaces))
    files.update(_namespace_component())
    for namespace in namespaces:
        apps = sorted(by_namespace.get(namespace, []), key=lambda a: a.name)
        folder = f"{APPS}/{namespace}"
        files[f"{folder}/namespace.yaml"] = _object_file(
            namespace_object(namespace, metadata.get(namespace)), cluster.versions.kubernetes
        )
        files[f"{folder}/kustomization.yaml"] = document_file(KustomizeConfig)(
            kustomization(
                ["./namespace.yaml", *(f"./{app.name}/ks.yaml" for app in apps)],
                components=[posixpath.relpath(NAMESPACE_COMPONENT, folder)],
            ),
        )
        for app in apps:
            files.update(
                _app_files(
                    cluster,
                    app,
                    project.user_files,
                    wait=app.name in dependents,
                    dependencies=[last[dep] for dep in app.depends_on],
                )
            )
    return files


def namespace_object(name: str, extra: Namespace | None) -> dict[str, Any]:
    """The Namespace ``name``, with the labels and annotations the model gives it."""
    meta: dict[str, Any] = {"name": name}
    if extra is not None and extra.labels:
        meta["labels"] = dict(sorted(extra.labels.items()))
    if extra is not None and extra.annotations:
        meta["annotations"] = dict(sorted(extra.annotations.items()))
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _flux_root(namespaces: list[str]) -> dict[str, str]:
    """The Kustomization the FluxInstance syncs: every namespace folder of ``out/kubernetes/apps``."""
    root: Kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": ROOT_KUSTOMIZATION, "namespace": FLUX_NAMESPACE},
        "spec": {**TREE_KUSTOMIZATION_DEFAULTS, "path": f"./{APPS}", "sourceRef": GIT_SOURCE},
    }
    return {
        f"{FLUX_SYNC_PATH}/ks.yaml": document_file(Kustomization)(root),
        f"{FLUX_SYNC_PATH}/kustomization.yaml": document_file(KustomizeConfig)(
            kustomization(["./ks.yaml"])
        ),
        f"{APPS}/kustomization.yaml": document_file(KustomizeConfig)(
            kustomization([f"./{ns}" for ns in namespaces])
        ),
    }


def _object_file(obj: dict[str, Any], kubernetes: str) -> str:
    """Any Kubernetes object, with the schema hint for its kind."""
    return yaml_file(obj, schema=schema_url(obj["apiVersion"], obj["kind"], kubernetes))


NAMESPACE_ANNOTATIONS = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
"""What the namespace component annotates every Namespace with."""


def _namespace_component() -> dict[str, str]:
    """What every namespace folder shares: its Namespace is never pruned.

    A pruned Namespace would take everything in it along, so Flux must leave it be.
    """
    never_pruned = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "_", "annotations": dict(NAMESPACE_ANNOTATIONS)},
    }
    return {
        f"{NAMESPACE_COMPONENT}/kustomization.yaml": document_file(KustomizeConfig)(
            {
                "apiVersion": "kustomize.config.k8s.io/v1alpha1",
                "kind": "Component",
                "patches": [{"target": {"kind": "Namespace"}, "patch": to_yaml(never_pruned)}],
            },
        )
    }


def _app_files(
    cluster: Cluster,
    app: App,
    user_files: Mapping[str, str],
    *,
    wait: bool,
    dependencies: list[str],
) -> dict[str, str]:
    base = app_dir(app.namespace, app.name)
    placement = folders(app, user_files)
    contents: dict[str, list[str]] = {APP_FOLDER: [], RESOURCES_FOLDER: []}
    files: dict[str, str] = {}
    if app.chart is not None:
        source, release = chart_objects(app)
        source_name = source_file(source["kind"])
        contents[APP_FOLDER] += [f"./{source_name}", f"./{HELMRELEASE_FILE}"]
        files[f"{base}/{APP_FOLDER}/{source_name}"] = _source_file(source)
        files[f"{base}/{APP_FOLDER}/{HELMRELEASE_FILE}"] = document_file(HelmRelease)(release)
    for resource in app.resources:
        name = resource_file(resource)
        contents[placement[name]].append(f"./{name}")
        files[f"{base}/{placement[name]}/{name}"] = _object_file(
            resource, cluster.versions.kubernetes
        )
    for path in app.user_files:
        name = user_file_name(path)
        contents[placement[name]].append(f"./{name}")
        # Copied byte for byte: the file is the user's (and SOPS' MAC covers a secret).
        files[f"{base}/{placement[name]}/{name}"] = user_files[path]
    split = bool(contents[RESOURCES_FOLDER])
    objects = [
        flux_kustomization(app, wait=wait or split, dependencies=dependencies),
    ]
    for folder, entries in contents.items():
        if entries:
            files[f"{base}/{folder}/{KUSTOMIZATION_FILE}"] = document_file(KustomizeConfig)(
                kustomization(entries)
            )
    if split:
        objects.append(resources_flux_kustomization(app, wait=wait))
    files[f"{base}/ks.yaml"] = document_file(Kustomization)(*objects)
    return files


def _source_file(source: OCIRepository | HelmRepository) -> str:
    if source["kind"] == "OCIRepository":
        return document_file(OCIRepository)(source)
    return document_file(HelmRepository)(source)


def flux_kustomization(app: App, *, wait: bool, dependencies: list[str]) -> Kustomization:
    """The Flux Kustomization deploying ``app/`` of ``app``, after the apps it depends on.

    It lives in flux-system beside the Git source and the SOPS key (a Kustomization
    can only decrypt with a Secret of its own namespace) and deploys into the app's
    namespace. ``wait`` (for apps others depend on, and apps with custom resources)
    makes it Ready only once everything it applied, the release included, is healthy.
    """
    return _kustomization(
        app,
        name=app.name,
        path=release_dir(app.namespace, app.name),
        spec={
            "wait": wait,
            "dependsOn": [{"name": dep} for dep in dependencies] or None,
            "decryption": (
                {"provider": "sops", "secretRef": {"name": SOPS_AGE_SECRET}}
                if app.secrets
                else None
            ),
        },
    )


def resources_flux_kustomization(app: App, *, wait: bool) -> Kustomization:
    """The Flux Kustomization applying ``resources/`` of ``app`` once the app's own is Ready."""
    return _kustomization(
        app,
        name=resources_kustomization(app.name),
        path=f"{app_dir(app.namespace, app.name)}/{RESOURCES_FOLDER}",
        spec={"wait": wait, "dependsOn": [{"name": app.name}]},
    )


def _kustomization(app: App, *, name: str, path: str, spec: KustomizationSpec) -> Kustomization:
    """A Flux Kustomization of ``app`` in flux-system applying ``path`` into its namespace
    (``spec``: the rest of its spec), with the app's own Kustomization fields merged over."""
    common: KustomizationSpec = {
        **APP_KUSTOMIZATION_DEFAULTS,
        "path": f"./{path}",
        "sourceRef": GIT_SOURCE,
        "targetNamespace": app.namespace,
        "commonMetadata": {"labels": {"app.kubernetes.io/name": app.name}},
    }
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": FLUX_NAMESPACE},
        "spec": _merged(common | spec, app.kustomization),
    }


def _merged(spec: T, fields: dict[str, Any]) -> T:
    """``spec`` with the app's own fields merged over it (checked against the spec's type when
    the model loaded: rules.flux_options)."""
    return cast(T, deep_merge(cast(dict[str, Any], spec), fields))


def chart_objects(app: App) -> tuple[OCIRepository | HelmRepository, HelmRelease]:
    """The chart source and the HelmRelease of ``app`` (which must have a chart)."""
    chart = app.chart
    assert chart is not None, "only apps with a chart have a HelmRelease"
    source: OCIRepository | HelmRepository
    spec: HelmReleaseSpec = {"interval": RECONCILE_INTERVAL, **HELMRELEASE_DEFAULTS}
    if chart.is_oci:
        source = {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": {"name": app.name},
            "spec": {
                "interval": "15m",
                "layerSelector": {
                    "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                    "operation": "copy",
                },
                "ref": {"tag": chart.version},
                "url": chart.url,
            },
        }
        spec["chartRef"] = {"kind": "OCIRepository", "name": app.name}
    else:
        source = {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": {"name": app.name},
            "spec": {"interval": RECONCILE_INTERVAL, "url": chart.url},
        }
        spec["chart"] = {
            "spec": {
                "chart": chart.chart_name,
                "version": chart.version,
                "sourceRef": {"kind": "HelmRepository", "name": app.name},
                "interval": RECONCILE_INTERVAL,
            }
        }
    values = release_values(app)
    if values:
        spec["values"] = values
    release: HelmRelease = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": app.name},
        "spec": _merged(spec, app.release),
    }
    return source, release
