"""Layer 4: the Flux GitOps tree (``out/kubernetes``): one Kustomization and HelmRelease per app."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from homeops_gen.apis import document_file
from homeops_gen.apis.flux import (
    CommonMetadata,
    CrossNamespaceRef,
    Decryption,
    DependsOn,
    HelmChartTemplate,
    HelmChartTemplateSpec,
    HelmRelease,
    HelmReleaseSpec,
    HelmRepository,
    HelmRepositorySpec,
    Kustomization,
    KustomizationSpec,
    LayerSelector,
    ObjectMeta,
    OCIRepository,
    OCIRepositoryRef,
    OCIRepositorySpec,
    Patch,
    PatchTarget,
    SecretRef,
)
from homeops_gen.apis.kubernetes import schema_url
from homeops_gen.apis.kustomize import KustomizeConfig, KustomizePatch, KustomizeTarget
from homeops_gen.formats import to_yaml, yaml_file
from homeops_gen.layout import (
    APPS,
    COMPONENTS,
    FLUX_NAMESPACE,
    FLUX_SOURCE,
    FLUX_SYNC_PATH,
    HELMRELEASE_FILE,
    KUSTOMIZATION_FILE,
    ROOT_KUSTOMIZATION,
    SOPS_AGE_SECRET,
    app_dir,
    release_dir,
    source_file,
)
from homeops_gen.model import App, Cluster
from homeops_gen.project import Project
from homeops_gen.releases import release_values, resource_file, user_file_name

GIT_SOURCE = CrossNamespaceRef(kind="GitRepository", name=FLUX_SOURCE, namespace=FLUX_NAMESPACE)
NAMESPACE_COMPONENT = f"{COMPONENTS}/namespace"


def render(project: Project) -> dict[str, str]:
    """The root Kustomization, a folder per namespace, and per app its Flux objects."""
    cluster = project.cluster
    files: dict[str, str] = {}
    by_namespace: dict[str, list[App]] = defaultdict(list)
    for app in cluster.deployed_apps:
        by_namespace[app.namespace].append(app)
    namespaces = sorted(by_namespace)
    dependents = {dep for app in cluster.deployed_apps for dep in app.depends_on}

    files.update(_flux_root(namespaces))
    files.update(_namespace_component())
    for namespace in namespaces:
        apps = sorted(by_namespace[namespace], key=lambda a: a.name)
        folder = f"{APPS}/{namespace}"
        files[f"{folder}/namespace.yaml"] = _object_file(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
            cluster.versions.kubernetes,
        )
        files[f"{folder}/kustomization.yaml"] = document_file(
            KustomizeConfig(
                components=[posixpath.relpath(NAMESPACE_COMPONENT, folder)],
                resources=["./namespace.yaml", *(f"./{app.name}/ks.yaml" for app in apps)],
            )
        )
        for app in apps:
            files.update(_app_files(cluster, app, project.user_files, dependents))
    return files


def _flux_root(namespaces: list[str]) -> dict[str, str]:
    """The Kustomization the FluxInstance syncs: every app, with HelmRelease defaults patched in."""
    helmrelease_defaults = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "_"},
        "spec": {
            "install": {"crds": "CreateReplace", "strategy": {"name": "RetryOnFailure"}},
            "rollback": {"cleanupOnFail": True, "recreate": True},
            "upgrade": {
                "cleanupOnFail": True,
                "crds": "CreateReplace",
                "remediation": {"remediateLastFailure": True, "retries": 2},
                "strategy": {"name": "RemediateOnFailure"},
            },
        },
    }
    child_patch = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "_"},
        "spec": {
            "patches": [
                {
                    "patch": to_yaml(helmrelease_defaults),
                    "target": {"group": "helm.toolkit.fluxcd.io", "kind": "HelmRelease"},
                }
            ]
        },
    }
    root = Kustomization(
        metadata=ObjectMeta(name=ROOT_KUSTOMIZATION, namespace=FLUX_NAMESPACE),
        spec=KustomizationSpec(
            path=f"./{APPS}",
            source_ref=GIT_SOURCE,
            patches=[
                Patch(
                    patch=to_yaml(child_patch),
                    target=PatchTarget(group="kustomize.toolkit.fluxcd.io", kind="Kustomization"),
                )
            ],
        ),
    )
    return {
        f"{FLUX_SYNC_PATH}/ks.yaml": document_file(root),
        f"{FLUX_SYNC_PATH}/kustomization.yaml": document_file(
            KustomizeConfig(resources=["./ks.yaml"])
        ),
        f"{APPS}/kustomization.yaml": document_file(
            KustomizeConfig(resources=[f"./{ns}" for ns in namespaces])
        ),
    }


def _object_file(obj: dict[str, Any], kubernetes: str) -> str:
    """Any Kubernetes object, with the schema hint for its kind."""
    return yaml_file(obj, schema=schema_url(obj["apiVersion"], obj["kind"], kubernetes))


def _namespace_component() -> dict[str, str]:
    """What every namespace folder shares: its Namespace is never pruned.

    A pruned Namespace would take everything in it along, so Flux must leave it be.
    """
    never_pruned = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "_", "annotations": {"kustomize.toolkit.fluxcd.io/prune": "disabled"}},
    }
    return {
        f"{NAMESPACE_COMPONENT}/kustomization.yaml": document_file(
            KustomizeConfig(
                api_version="kustomize.config.k8s.io/v1alpha1",
                kind="Component",
                patches=[
                    KustomizePatch(
                        target=KustomizeTarget(kind="Namespace"), patch=to_yaml(never_pruned)
                    )
                ],
            )
        )
    }


def _app_files(
    cluster: Cluster, app: App, user_files: Mapping[str, str], dependents: set[str]
) -> dict[str, str]:
    ks = flux_kustomization(cluster, app, wait=app.name in dependents)
    source, release = chart_objects(app)
    release_files = {
        source_file(source.kind): document_file(source),
        HELMRELEASE_FILE: document_file(release),
    }
    for resource in app.resources:
        release_files[resource_file(resource)] = _object_file(resource, cluster.versions.kubernetes)
    for path in app.user_files:
        # Copied byte for byte: the file is the user's (and SOPS' MAC covers a secret).
        release_files[user_file_name(path)] = user_files[path]
    release_files[KUSTOMIZATION_FILE] = document_file(
        KustomizeConfig(resources=[f"./{name}" for name in release_files])
    )
    folder = release_dir(app.namespace, app.name)
    return {
        f"{app_dir(app.namespace, app.name)}/ks.yaml": document_file(ks),
        **{f"{folder}/{name}": text for name, text in release_files.items()},
    }


def flux_kustomization(cluster: Cluster, app: App, *, wait: bool) -> Kustomization:
    """The Flux Kustomization deploying ``app/`` of ``app``, after the apps it depends on.

    It lives in flux-system beside the Git source and the SOPS key (a Kustomization
    can only decrypt with a Secret of its own namespace) and deploys into the app's
    namespace. ``wait`` (for apps others depend on) makes it Ready only once the
    release is healthy.
    """
    return Kustomization(
        metadata=ObjectMeta(name=app.name, namespace=FLUX_NAMESPACE),
        spec=KustomizationSpec(
            path=f"./{release_dir(app.namespace, app.name)}",
            source_ref=GIT_SOURCE,
            target_namespace=app.namespace,
            common_metadata=CommonMetadata(labels={"app.kubernetes.io/name": app.name}),
            wait=wait,
            retry_interval="2m",
            timeout="5m",
            depends_on=[DependsOn(name=dep) for dep in app.depends_on] or None,
            decryption=(
                Decryption(secret_ref=SecretRef(name=SOPS_AGE_SECRET)) if app.secrets else None
            ),
        ),
    )


def chart_objects(app: App) -> tuple[OCIRepository | HelmRepository, HelmRelease]:
    """The chart source and the HelmRelease of ``app``."""
    meta = ObjectMeta(name=app.name)
    chart = app.chart
    source: OCIRepository | HelmRepository
    if chart.is_oci:
        source = OCIRepository(
            metadata=meta,
            spec=OCIRepositorySpec(
                layer_selector=LayerSelector(
                    media_type="application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                    operation="copy",
                ),
                ref=OCIRepositoryRef(tag=chart.version),
                url=chart.url,
            ),
        )
        spec = HelmReleaseSpec(
            chart_ref=CrossNamespaceRef(kind="OCIRepository", name=app.name),
            values=release_values(app),
        )
    else:
        source = HelmRepository(metadata=meta, spec=HelmRepositorySpec(url=chart.url))
        spec = HelmReleaseSpec(
            chart=HelmChartTemplate(
                spec=HelmChartTemplateSpec(
                    chart=chart.chart_name,
                    version=chart.version,
                    source_ref=CrossNamespaceRef(kind="HelmRepository", name=app.name),
                )
            ),
            values=release_values(app),
        )
    return source, HelmRelease(metadata=meta, spec=spec)
