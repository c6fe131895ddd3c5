"""kustomize's ``kustomization.yaml`` (kustomize.config.k8s.io)."""

from typing import ClassVar, Literal

from homeops_gen.apis import ApiModel, Document


class KustomizeTarget(ApiModel):
    """The objects a patch applies to."""

    kind: str


class KustomizePatch(ApiModel):
    """A patch and the objects it applies to."""

    target: KustomizeTarget
    patch: str


class KustomizeConfig(Document):
    """A ``Kustomization`` (or, with ``kind="Component"``, a reusable component)."""

    api_version: Literal["kustomize.config.k8s.io/v1beta1", "kustomize.config.k8s.io/v1alpha1"] = (
        "kustomize.config.k8s.io/v1beta1"
    )
    kind: Literal["Kustomization", "Component"] = "Kustomization"
    namespace: str | None = None
    components: list[str] | None = None
    resources: list[str] | None = None
    patches: list[KustomizePatch] | None = None
    SCHEMA_URL: ClassVar[str] = "https://json.schemastore.org/kustomization"
