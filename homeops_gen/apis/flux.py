"""Flux objects: Kustomization, HelmRelease, OCIRepository and HelmRepository (the fields used)."""

from __future__ import annotations

from typing import Any, Literal

from homeops_gen.apis import ApiModel, Document
from homeops_gen.apis.kubernetes import crd_schema_url


class FluxObject(Document):
    """A Flux custom resource; its schema hint follows from its ``apiVersion`` and ``kind``."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls.SCHEMA_URL = crd_schema_url(fields["api_version"].default, fields["kind"].default)


class ObjectMeta(ApiModel):
    """Kubernetes object metadata."""

    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class CrossNamespaceRef(ApiModel):
    """A reference to an object, optionally in another namespace."""

    kind: str
    name: str
    namespace: str | None = None


class DependsOn(ApiModel):
    """A Kustomization this one waits for."""

    name: str
    namespace: str | None = None


class CommonMetadata(ApiModel):
    """Labels added to every object a Kustomization applies."""

    labels: dict[str, str]


class SecretRef(ApiModel):
    """A Secret in the object's namespace."""

    name: str


class Decryption(ApiModel):
    """How a Kustomization decrypts SOPS files."""

    provider: Literal["sops"] = "sops"
    secret_ref: SecretRef


class PatchTarget(ApiModel):
    """The objects a patch applies to."""

    group: str
    kind: str


class Patch(ApiModel):
    """A strategic-merge patch and its target."""

    patch: str
    target: PatchTarget


class KustomizationSpec(ApiModel):
    """What a Flux Kustomization applies, from where, and when."""

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

    interval: str = "15m"
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


class HelmChartTemplateSpec(ApiModel):
    """A chart from a HelmRepository."""

    chart: str
    version: str
    source_ref: CrossNamespaceRef
    interval: str = "1h"


class HelmChartTemplate(ApiModel):
    """The chart template of a HelmRelease."""

    spec: HelmChartTemplateSpec


class HelmReleaseSpec(ApiModel):
    """The chart and values of a HelmRelease."""

    interval: str = "1h"
    chart_ref: CrossNamespaceRef | None = None
    chart: HelmChartTemplate | None = None
    values: dict[str, Any] | None = None


class HelmRelease(FluxObject):
    """``helm.toolkit.fluxcd.io/v2`` HelmRelease."""

    api_version: Literal["helm.toolkit.fluxcd.io/v2"] = "helm.toolkit.fluxcd.io/v2"
    kind: Literal["HelmRelease"] = "HelmRelease"
    metadata: ObjectMeta
    spec: HelmReleaseSpec
