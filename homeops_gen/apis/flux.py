"""Flux objects: Kustomization, HelmRelease, OCIRepository and HelmRepository (the fields used).

The spec types double as the check of what users write into ``App.kustomization`` and
``App.release``, so every spec field is optional: homeops-gen sets ``interval`` (and a
Kustomization's ``prune``) on every object it writes.
"""

import re
from typing import Annotated, Any, Literal, Required, TypeVar, get_args

from pydantic import AfterValidator, Field
from typing_extensions import TypedDict

from homeops_gen.apis import document, fields
from homeops_gen.apis.kubernetes import crd_schema_url

T = TypeVar("T")


def flux_object(kind: T) -> T:
    """Mark a Flux custom resource type as a document; its schema hint follows from its
    ``apiVersion`` and ``kind``."""
    declared = fields(kind)
    (api_version,) = get_args(declared["apiVersion"])
    (name,) = get_args(declared["kind"])
    return document(crd_schema_url(api_version, name))(kind)


def _duration(value: str) -> str:
    if not _DURATION.fullmatch(value):
        raise ValueError(f"{value!r} is not a duration (such as '30s', '5m' or '1h30m')")
    return value


_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
Duration = Annotated[str, AfterValidator(_duration)]
"""A Go duration as Flux takes it: ``30s``, ``5m``, ``1h30m``."""


class ObjectMeta(TypedDict, total=False):
    """Kubernetes object metadata."""

    name: Required[str]
    namespace: str | None
    labels: dict[str, str] | None
    annotations: dict[str, str] | None


class CrossNamespaceRef(TypedDict, total=False):
    """A reference to an object, optionally in another namespace."""

    apiVersion: str | None
    kind: Required[str]
    name: Required[str]
    namespace: str | None


class DependsOn(TypedDict, total=False):
    """A Kustomization or HelmRelease this one waits for."""

    name: Required[str]
    namespace: str | None
    readyExpr: str | None


class CommonMetadata(TypedDict, total=False):
    """Labels and annotations added to every object applied."""

    labels: dict[str, str] | None
    annotations: dict[str, str] | None


class SecretRef(TypedDict, total=False):
    """A Secret in the object's namespace."""

    name: Required[str]


class KeyedSecretRef(TypedDict, total=False):
    """A key of a Secret in the object's namespace."""

    name: Required[str]
    key: str | None


class KubeConfig(TypedDict, total=False):
    """The kubeconfig of a remote cluster."""

    secretRef: KeyedSecretRef | None
    configMapRef: SecretRef | None


class Decryption(TypedDict, total=False):
    """How a Kustomization decrypts SOPS files."""

    provider: Required[Literal["sops"]]
    serviceAccountName: str | None
    secretRef: SecretRef | None


class PatchTarget(TypedDict, total=False):
    """The objects a patch applies to."""

    group: str | None
    version: str | None
    kind: str | None
    name: str | None
    namespace: str | None
    labelSelector: str | None
    annotationSelector: str | None


class Patch(TypedDict, total=False):
    """A strategic-merge or JSON patch and its target."""

    patch: Required[str]
    target: PatchTarget | None


class Image(TypedDict, total=False):
    """An image name, tag or digest override."""

    name: Required[str]
    newName: str | None
    newTag: str | None
    digest: str | None


class HealthCheck(TypedDict, total=False):
    """An object whose readiness makes the Kustomization Ready."""

    apiVersion: str | None
    kind: Required[str]
    name: Required[str]
    namespace: str | None


class HealthCheckExpr(TypedDict, total=False):
    """CEL expressions deciding the health of a custom resource kind."""

    apiVersion: Required[str]
    kind: Required[str]
    current: Required[str]
    inProgress: str | None
    failed: str | None


class SubstituteReference(TypedDict, total=False):
    """A ConfigMap or Secret (in the Kustomization's namespace) holding substitution variables."""

    kind: Required[Literal["Secret", "ConfigMap"]]
    name: Required[Annotated[str, Field(min_length=1, max_length=253)]]
    optional: bool | None


class PostBuild(TypedDict, total=False):
    """Variable substitution in the built manifests."""

    substitute: dict[str, str] | None
    substituteFrom: list[SubstituteReference] | None


class DriftIgnoreRule(TypedDict, total=False):
    """JSON pointers drift detection ignores."""

    paths: Required[list[str]]
    target: PatchTarget | None


class KustomizationSpec(TypedDict, total=False):
    """``spec`` of a Flux Kustomization (kustomize-controller ``api/v1``)."""

    interval: Duration
    retryInterval: Duration | None
    timeout: Duration | None
    path: str | None
    prune: bool
    deletionPolicy: Literal["MirrorPrune", "Delete", "WaitForTermination", "Orphan"] | None
    wait: bool | None
    force: bool | None
    suspend: bool | None
    sourceRef: CrossNamespaceRef | None
    targetNamespace: str | None
    serviceAccountName: str | None
    kubeConfig: KubeConfig | None
    commonMetadata: CommonMetadata | None
    dependsOn: list[DependsOn] | None
    decryption: Decryption | None
    components: list[str] | None
    ignoreMissingComponents: bool | None
    namePrefix: Annotated[str, Field(min_length=1, max_length=200)] | None
    nameSuffix: Annotated[str, Field(min_length=1, max_length=200)] | None
    images: list[Image] | None
    patches: list[Patch] | None
    postBuild: PostBuild | None
    healthChecks: list[HealthCheck] | None
    healthCheckExprs: list[HealthCheckExpr] | None
    driftIgnoreRules: list[DriftIgnoreRule] | None


@flux_object
class Kustomization(TypedDict, total=False):
    """``kustomize.toolkit.fluxcd.io/v1`` Kustomization."""

    apiVersion: Required[Literal["kustomize.toolkit.fluxcd.io/v1"]]
    kind: Required[Literal["Kustomization"]]
    metadata: Required[ObjectMeta]
    spec: Required[KustomizationSpec]


class LayerSelector(TypedDict, total=False):
    """Which layer of an OCI artifact to use."""

    mediaType: Required[str]
    operation: Required[Literal["extract", "copy"]]


class OCIRepositoryRef(TypedDict, total=False):
    """The tag of an OCI artifact."""

    tag: Required[str]


class OCIRepositorySpec(TypedDict, total=False):
    """An OCI artifact to pull."""

    interval: Required[Duration]
    layerSelector: Required[LayerSelector]
    ref: Required[OCIRepositoryRef]
    url: Required[str]


@flux_object
class OCIRepository(TypedDict, total=False):
    """``source.toolkit.fluxcd.io/v1`` OCIRepository."""

    apiVersion: Required[Literal["source.toolkit.fluxcd.io/v1"]]
    kind: Required[Literal["OCIRepository"]]
    metadata: Required[ObjectMeta]
    spec: Required[OCIRepositorySpec]


class HelmRepositorySpec(TypedDict, total=False):
    """A Helm chart repository to index."""

    interval: Required[str]
    url: Required[str]


@flux_object
class HelmRepository(TypedDict, total=False):
    """``source.toolkit.fluxcd.io/v1`` HelmRepository."""

    apiVersion: Required[Literal["source.toolkit.fluxcd.io/v1"]]
    kind: Required[Literal["HelmRepository"]]
    metadata: Required[ObjectMeta]
    spec: Required[HelmRepositorySpec]


class Verification(TypedDict, total=False):
    """How a chart's signature is verified."""

    provider: Required[Literal["cosign", "notation"]]
    secretRef: SecretRef | None


class HelmChartTemplateSpec(TypedDict, total=False):
    """A chart from a HelmRepository."""

    chart: Required[str]
    version: str | None
    sourceRef: Required[CrossNamespaceRef]
    interval: Duration | None
    reconcileStrategy: Literal["ChartVersion", "Revision"] | None
    valuesFiles: list[str] | None
    ignoreMissingValuesFiles: bool | None
    verify: Verification | None


class HelmChartTemplate(TypedDict, total=False):
    """The chart template of a HelmRelease."""

    metadata: CommonMetadata | None
    spec: Required[HelmChartTemplateSpec]


class ValuesReference(TypedDict, total=False):
    """Values read from a ConfigMap or Secret in the release's namespace."""

    kind: Required[Literal["Secret", "ConfigMap"]]
    name: Required[Annotated[str, Field(min_length=1, max_length=253)]]
    valuesKey: str | None
    targetPath: str | None
    optional: bool | None


class Remediation(TypedDict, total=False):
    """What to do when an install or upgrade fails."""

    retries: int | None
    ignoreTestFailures: bool | None
    remediateLastFailure: bool | None
    strategy: Literal["rollback", "uninstall"] | None


class ActionStrategy(TypedDict, total=False):
    """How failed actions are retried."""

    name: Required[Literal["RemediateOnFailure", "RetryOnFailure"]]
    retryInterval: Duration | None


class Install(TypedDict, total=False):
    """Helm install settings."""

    timeout: Duration | None
    remediation: Remediation | None
    strategy: ActionStrategy | None
    disableWait: bool | None
    disableWaitForJobs: bool | None
    disableHooks: bool | None
    disableOpenAPIValidation: bool | None
    disableSchemaValidation: bool | None
    disableTakeOwnership: bool | None
    replace: bool | None
    skipCRDs: bool | None
    crds: Literal["Skip", "Create", "CreateReplace"] | None
    createNamespace: bool | None
    serverSideApply: bool | None


class Upgrade(TypedDict, total=False):
    """Helm upgrade settings."""

    timeout: Duration | None
    remediation: Remediation | None
    strategy: ActionStrategy | None
    disableWait: bool | None
    disableWaitForJobs: bool | None
    disableHooks: bool | None
    disableOpenAPIValidation: bool | None
    disableSchemaValidation: bool | None
    disableTakeOwnership: bool | None
    force: bool | None
    preserveValues: bool | None
    cleanupOnFail: bool | None
    crds: Literal["Skip", "Create", "CreateReplace"] | None
    serverSideApply: Literal["enabled", "disabled", "auto"] | None


class ReleaseTest(TypedDict, total=False):
    """Helm test settings."""

    enable: bool | None
    timeout: Duration | None
    ignoreFailures: bool | None
    filters: list[dict[str, Any]] | None


class Rollback(TypedDict, total=False):
    """Helm rollback settings."""

    timeout: Duration | None
    disableWait: bool | None
    disableWaitForJobs: bool | None
    disableHooks: bool | None
    recreate: bool | None
    force: bool | None
    cleanupOnFail: bool | None
    serverSideApply: Literal["enabled", "disabled", "auto"] | None


class Uninstall(TypedDict, total=False):
    """Helm uninstall settings."""

    timeout: Duration | None
    disableHooks: bool | None
    keepHistory: bool | None
    disableWait: bool | None
    deletionPropagation: Literal["background", "foreground", "orphan"] | None


class DriftIgnore(TypedDict, total=False):
    """JSON pointers drift detection ignores."""

    paths: Required[list[str]]
    target: PatchTarget | None


class DriftDetection(TypedDict, total=False):
    """Whether helm-controller corrects changes made in the cluster."""

    mode: Literal["enabled", "warn", "disabled"] | None
    ignore: list[DriftIgnore] | None


class KustomizePostRenderer(TypedDict, total=False):
    """Kustomize patches and images applied to the rendered chart."""

    patches: list[Patch] | None
    images: list[Image] | None


class PostRenderer(TypedDict, total=False):
    """A post-renderer of the chart's manifests."""

    kustomize: KustomizePostRenderer | None


class WaitStrategy(TypedDict, total=False):
    """How helm-controller waits for the release's objects."""

    name: Required[Literal["poller", "legacy"]]


class HelmReleaseSpec(TypedDict, total=False):
    """``spec`` of a HelmRelease (helm-controller ``api/v2``)."""

    interval: Duration
    timeout: Duration | None
    chartRef: CrossNamespaceRef | None
    chart: HelmChartTemplate | None
    releaseName: Annotated[str, Field(min_length=1, max_length=53)] | None
    targetNamespace: str | None
    storageNamespace: str | None
    dependsOn: list[DependsOn] | None
    kubeConfig: KubeConfig | None
    serviceAccountName: str | None
    suspend: bool | None
    persistentClient: bool | None
    maxHistory: int | None
    commonMetadata: CommonMetadata | None
    driftDetection: DriftDetection | None
    install: Install | None
    upgrade: Upgrade | None
    test: ReleaseTest | None
    rollback: Rollback | None
    uninstall: Uninstall | None
    postRenderers: list[PostRenderer] | None
    healthCheckExprs: list[HealthCheckExpr] | None
    waitStrategy: WaitStrategy | None
    valuesFrom: list[ValuesReference] | None
    values: dict[str, Any] | None


@flux_object
class HelmRelease(TypedDict, total=False):
    """``helm.toolkit.fluxcd.io/v2`` HelmRelease."""

    apiVersion: Required[Literal["helm.toolkit.fluxcd.io/v2"]]
    kind: Required[Literal["HelmRelease"]]
    metadata: Required[ObjectMeta]
    spec: Required[HelmReleaseSpec]
