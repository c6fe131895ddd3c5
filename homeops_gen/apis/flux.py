"""Flux objects: Kustomization, HelmRelease, OCIRepository and HelmRepository (the fields used)."""

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from homeops_gen.apis import ApiModel, Document
from homeops_gen.apis.kubernetes import crd_schema_url


class FluxObject(Document):
    """A Flux custom resource; its schema hint follows from its ``apiVersion`` and ``kind``."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls.SCHEMA_URL = crd_schema_url(fields["api_version"].default, fields["kind"].default)


def _duration(value: str) -> str:
    if not _DURATION.fullmatch(value):
        raise ValueError(f"{value!r} is not a duration (such as '30s', '5m' or '1h30m')")
    return value


_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
Duration = Annotated[str, AfterValidator(_duration)]
"""A Go duration as Flux takes it: ``30s``, ``5m``, ``1h30m``."""


class ObjectMeta(ApiModel):
    """Kubernetes object metadata."""

    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class CrossNamespaceRef(ApiModel):
    """A reference to an object, optionally in another namespace."""

    api_version: str | None = None
    kind: str
    name: str
    namespace: str | None = None


class DependsOn(ApiModel):
    """A Kustomization or HelmRelease this one waits for."""

    name: str
    namespace: str | None = None
    ready_expr: str | None = None


class CommonMetadata(ApiModel):
    """Labels and annotations added to every object applied."""

    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class SecretRef(ApiModel):
    """A Secret in the object's namespace."""

    name: str


class KeyedSecretRef(ApiModel):
    """A key of a Secret in the object's namespace."""

    name: str
    key: str | None = None


class KubeConfig(ApiModel):
    """The kubeconfig of a remote cluster."""

    secret_ref: KeyedSecretRef | None = None
    config_map_ref: SecretRef | None = None


class Decryption(ApiModel):
    """How a Kustomization decrypts SOPS files."""

    provider: Literal["sops"] = "sops"
    service_account_name: str | None = None
    secret_ref: SecretRef | None = None


class PatchTarget(ApiModel):
    """The objects a patch applies to."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    label_selector: str | None = None
    annotation_selector: str | None = None


class Patch(ApiModel):
    """A strategic-merge or JSON patch and its target."""

    patch: str
    target: PatchTarget | None = None


class Image(ApiModel):
    """An image name, tag or digest override."""

    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None


class HealthCheck(ApiModel):
    """An object whose readiness makes the Kustomization Ready."""

    api_version: str | None = None
    kind: str
    name: str
    namespace: str | None = None


class HealthCheckExpr(ApiModel):
    """CEL expressions deciding the health of a custom resource kind."""

    api_version: str
    kind: str
    current: str
    in_progress: str | None = None
    failed: str | None = None


class SubstituteReference(ApiModel):
    """A ConfigMap or Secret (in the Kustomization's namespace) holding substitution variables."""

    kind: Literal["Secret", "ConfigMap"]
    name: Annotated[str, Field(min_length=1, max_length=253)]
    optional: bool | None = None


class PostBuild(ApiModel):
    """Variable substitution in the built manifests."""

    substitute: dict[str, str] | None = None
    substitute_from: list[SubstituteReference] | None = None


class DriftIgnoreRule(ApiModel):
    """JSON pointers drift detection ignores."""

    paths: list[str]
    target: PatchTarget | None = None


class KustomizationSpec(ApiModel):
    """``spec`` of a Flux Kustomization (kustomize-controller ``api/v1``)."""

    interval: Duration = "1h"
    retry_interval: Duration | None = None
    timeout: Duration | None = None
    path: str | None = None
    prune: bool = True
    deletion_policy: Literal["MirrorPrune", "Delete", "WaitForTermination", "Orphan"] | None = None
    wait: bool | None = None
    force: bool | None = None
    suspend: bool | None = None
    source_ref: CrossNamespaceRef | None = None
    target_namespace: str | None = None
    service_account_name: str | None = None
    kube_config: KubeConfig | None = None
    common_metadata: CommonMetadata | None = None
    depends_on: list[DependsOn] | None = None
    decryption: Decryption | None = None
    components: list[str] | None = None
    ignore_missing_components: bool | None = None
    name_prefix: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    name_suffix: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    images: list[Image] | None = None
    patches: list[Patch] | None = None
    post_build: PostBuild | None = None
    health_checks: list[HealthCheck] | None = None
    health_check_exprs: list[HealthCheckExpr] | None = None
    drift_ignore_rules: list[DriftIgnoreRule] | None = None


class Kustomization(FluxObject):
    """``kustomize.toolkit.fluxcd.io/v1`` Kustomization."""

    api_version: Literal["kustomize.toolkit.fluxcd.io/v1"] = "kustomize.toolkit.fluxcd.io/v1"
    kind: Literal["Kustomization"] = "Kustomization"
    metadata: ObjectMeta
    spec: KustomizationSpec


class LayerSelector(ApiModel):
    """Which layer of an OCI artifact to use."""

    media_type: str
    operation: Literal["extract", "copy"]


class OCIRepositoryRef(ApiModel):
    """The tag of an OCI artifact."""

    tag: str


class OCIRepositorySpec(ApiModel):
    """An OCI artifact to pull."""

    interval: Duration = "15m"
    layer_selector: LayerSelector
    ref: OCIRepositoryRef
    url: str


class OCIRepository(FluxObject):
    """``source.toolkit.fluxcd.io/v1`` OCIRepository."""

    api_version: Literal["source.toolkit.fluxcd.io/v1"] = "source.toolkit.fluxcd.io/v1"
    kind: Literal["OCIRepository"] = "OCIRepository"
    metadata: ObjectMeta
    spec: OCIRepositorySpec


class HelmRepositorySpec(ApiModel):
    """A Helm chart repository to index."""

    interval: str = "1h"
    url: str


class HelmRepository(FluxObject):
    """``source.toolkit.fluxcd.io/v1`` HelmRepository."""

    api_version: Literal["source.toolkit.fluxcd.io/v1"] = "source.toolkit.fluxcd.io/v1"
    kind: Literal["HelmRepository"] = "HelmRepository"
    metadata: ObjectMeta
    spec: HelmRepositorySpec


class Verification(ApiModel):
    """How a chart's signature is verified."""

    provider: Literal["cosign", "notation"]
    secret_ref: SecretRef | None = None


class HelmChartTemplateSpec(ApiModel):
    """A chart from a HelmRepository."""

    chart: str
    version: str | None = None
    source_ref: CrossNamespaceRef
    interval: Duration | None = "1h"
    reconcile_strategy: Literal["ChartVersion", "Revision"] | None = None
    values_files: list[str] | None = None
    ignore_missing_values_files: bool | None = None
    verify: Verification | None = None


class HelmChartTemplate(ApiModel):
    """The chart template of a HelmRelease."""

    metadata: CommonMetadata | None = None
    spec: HelmChartTemplateSpec


class ValuesReference(ApiModel):
    """Values read from a ConfigMap or Secret in the release's namespace."""

    kind: Literal["Secret", "ConfigMap"]
    name: Annotated[str, Field(min_length=1, max_length=253)]
    values_key: str | None = None
    target_path: str | None = None
    optional: bool | None = None


class Remediation(ApiModel):
    """What to do when an install or upgrade fails."""

    retries: int | None = None
    ignore_test_failures: bool | None = None
    remediate_last_failure: bool | None = None
    strategy: Literal["rollback", "uninstall"] | None = None


class ActionStrategy(ApiModel):
    """How failed actions are retried."""

    name: Literal["RemediateOnFailure", "RetryOnFailure"]
    retry_interval: Duration | None = None


class Install(ApiModel):
    """Helm install settings."""

    timeout: Duration | None = None
    remediation: Remediation | None = None
    strategy: ActionStrategy | None = None
    disable_wait: bool | None = None
    disable_wait_for_jobs: bool | None = None
    disable_hooks: bool | None = None
    disable_open_api_validation: bool | None = Field(default=None, alias="disableOpenAPIValidation")
    disable_schema_validation: bool | None = None
    disable_take_ownership: bool | None = None
    replace: bool | None = None
    skip_crds: bool | None = Field(default=None, alias="skipCRDs")
    crds: Literal["Skip", "Create", "CreateReplace"] | None = None
    create_namespace: bool | None = None
    server_side_apply: bool | None = None


class Upgrade(ApiModel):
    """Helm upgrade settings."""

    timeout: Duration | None = None
    remediation: Remediation | None = None
    strategy: ActionStrategy | None = None
    disable_wait: bool | None = None
    disable_wait_for_jobs: bool | None = None
    disable_hooks: bool | None = None
    disable_open_api_validation: bool | None = Field(default=None, alias="disableOpenAPIValidation")
    disable_schema_validation: bool | None = None
    disable_take_ownership: bool | None = None
    force: bool | None = None
    preserve_values: bool | None = None
    cleanup_on_fail: bool | None = None
    crds: Literal["Skip", "Create", "CreateReplace"] | None = None
    server_side_apply: Literal["enabled", "disabled", "auto"] | None = None


class ReleaseTest(ApiModel):
    """Helm test settings."""

    enable: bool | None = None
    timeout: Duration | None = None
    ignore_failures: bool | None = None
    filters: list[dict[str, Any]] | None = None


class Rollback(ApiModel):
    """Helm rollback settings."""

    timeout: Duration | None = None
    disable_wait: bool | None = None
    disable_wait_for_jobs: bool | None = None
    disable_hooks: bool | None = None
    recreate: bool | None = None
    force: bool | None = None
    cleanup_on_fail: bool | None = None
    server_side_apply: Literal["enabled", "disabled", "auto"] | None = None


class Uninstall(ApiModel):
    """Helm uninstall settings."""

    timeout: Duration | None = None
    disable_hooks: bool | None = None
    keep_history: bool | None = None
    disable_wait: bool | None = None
    deletion_propagation: Literal["background", "foreground", "orphan"] | None = None


class DriftIgnore(ApiModel):
    """JSON pointers drift detection ignores."""

    paths: list[str]
    target: PatchTarget | None = None


class DriftDetection(ApiModel):
    """Whether helm-controller corrects changes made in the cluster."""

    mode: Literal["enabled", "warn", "disabled"] | None = None
    ignore: list[DriftIgnore] | None = None


class KustomizePostRenderer(ApiModel):
    """Kustomize patches and images applied to the rendered chart."""

    patches: list[Patch] | None = None
    images: list[Image] | None = None


class PostRenderer(ApiModel):
    """A post-renderer of the chart's manifests."""

    kustomize: KustomizePostRenderer | None = None


class WaitStrategy(ApiModel):
    """How helm-controller waits for the release's objects."""

    name: Literal["poller", "legacy"]


class HelmReleaseSpec(ApiModel):
    """``spec`` of a HelmRelease (helm-controller ``api/v2``)."""

    interval: Duration = "1h"
    timeout: Duration | None = None
    chart_ref: CrossNamespaceRef | None = None
    chart: HelmChartTemplate | None = None
    release_name: Annotated[str, Field(min_length=1, max_length=53)] | None = None
    target_namespace: str | None = None
    storage_namespace: str | None = None
    depends_on: list[DependsOn] | None = None
    kube_config: KubeConfig | None = None
    service_account_name: str | None = None
    suspend: bool | None = None
    persistent_client: bool | None = None
    max_history: int | None = None
    common_metadata: CommonMetadata | None = None
    drift_detection: DriftDetection | None = None
    install: Install | None = None
    upgrade: Upgrade | None = None
    test: ReleaseTest | None = None
    rollback: Rollback | None = None
    uninstall: Uninstall | None = None
    post_renderers: list[PostRenderer] | None = None
    health_check_exprs: list[HealthCheckExpr] | None = None
    wait_strategy: WaitStrategy | None = None
    values_from: list[ValuesReference] | None = None
    values: dict[str, Any] | None = None


class HelmRelease(FluxObject):
    """``helm.toolkit.fluxcd.io/v2`` HelmRelease."""

    api_version: Literal["helm.toolkit.fluxcd.io/v2"] = "helm.toolkit.fluxcd.io/v2"
    kind: Literal["HelmRelease"] = "HelmRelease"
    metadata: ObjectMeta
    spec: HelmReleaseSpec
