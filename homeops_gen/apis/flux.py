"""Flux objects: Kustomization, HelmRelease, OCIRepository and HelmRepository (the fields used)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from homeops_gen.apis import ApiModel

SCHEMAS = "https://kubernetes-schemas.pages.dev"


class ObjectMeta(ApiModel):
    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class CrossNamespaceRef(ApiModel):
    kind: str
    name: str
    namespace: str | None = None


class DependsOn(ApiModel):
    name: str
    namespace: str | None = None


class CommonMetadata(ApiModel):
    labels: dict[str, str]


class SecretRef(ApiModel):
    name: str


class Decryption(ApiModel):
    provider: Literal["sops"] = "sops"
    secret_ref: SecretRef


class PatchTarget(ApiModel):
    group: str
    kind: str


class Patch(ApiModel):
    patch: str
    target: PatchTarget


class KustomizationSpec(ApiModel):
    interval: str = "1h"
    retry_interval: str | None = None
    timeout: str | None = None
    path: str
    prune: bool = True
    wait: bool | None = None
    source_ref: CrossNamespaceRef
    target_namespace: str | None = None
    common_metadata: CommonMetadata | None = None
    depends_on: list[DependsOn] | None = None
    decryption: Decryption | None = None
    patches: list[Patch] | None = None


class Kustomization(ApiModel):
    """``kustomize.toolkit.fluxcd.io/v1`` Kustomization."""

    api_version: Literal["kustomize.toolkit.fluxcd.io/v1"] = "kustomize.toolkit.fluxcd.io/v1"
    kind: Literal["Kustomization"] = "Kustomization"
    metadata: ObjectMeta
    spec: KustomizationSpec
    SCHEMA_URL: ClassVar[str] = f"{SCHEMAS}/kustomize.toolkit.fluxcd.io/kustomization_v1.json"


class LayerSelector(ApiModel):
    media_type: str
    operation: Literal["extract", "copy"]


class OCIRepositoryRef(ApiModel):
    tag: str


class OCIRepositorySpec(ApiModel):
    interval: str = "15m"
    layer_selector: LayerSelector
    ref: OCIRepositoryRef
    url: str


class OCIRepository(ApiModel):
    """``source.toolkit.fluxcd.io/v1`` OCIRepository."""

    api_version: Literal["source.toolkit.fluxcd.io/v1"] = "source.toolkit.fluxcd.io/v1"
    kind: Literal["OCIRepository"] = "OCIRepository"
    metadata: ObjectMeta
    spec: OCIRepositorySpec
    SCHEMA_URL: ClassVar[str] = f"{SCHEMAS}/source.toolkit.fluxcd.io/ocirepository_v1.json"


class HelmRepositorySpec(ApiModel):
    interval: str = "1h"
    url: str


class HelmRepository(ApiModel):
    """``source.toolkit.fluxcd.io/v1`` HelmRepository."""

    api_version: Literal["source.toolkit.fluxcd.io/v1"] = "source.toolkit.fluxcd.io/v1"
    kind: Literal["HelmRepository"] = "HelmRepository"
    metadata: ObjectMeta
    spec: HelmRepositorySpec
    SCHEMA_URL: ClassVar[str] = f"{SCHEMAS}/source.toolkit.fluxcd.io/helmrepository_v1.json"


class HelmChartTemplateSpec(ApiModel):
    chart: str
    version: str
    source_ref: CrossNamespaceRef
    interval: str = "1h"


class HelmChartTemplate(ApiModel):
    spec: HelmChartTemplateSpec


class HelmReleaseSpec(ApiModel):
    interval: str = "1h"
    chart_ref: CrossNamespaceRef | None = None
    chart: HelmChartTemplate | None = None
    values: dict[str, Any] | None = None


class HelmRelease(ApiModel):
    """``helm.toolkit.fluxcd.io/v2`` HelmRelease."""

    api_version: Literal["helm.toolkit.fluxcd.io/v2"] = "helm.toolkit.fluxcd.io/v2"
    kind: Literal["HelmRelease"] = "HelmRelease"
    metadata: ObjectMeta
    spec: HelmReleaseSpec
    SCHEMA_URL: ClassVar[str] = f"{SCHEMAS}/helm.toolkit.fluxcd.io/helmrelease_v2.json"
