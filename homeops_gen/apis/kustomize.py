"""kustomize's ``kustomization.yaml`` (kustomize.config.k8s.io)."""

from typing import Literal, Required

from typing_extensions import TypedDict

from homeops_gen.apis import document


class KustomizeTarget(TypedDict, total=False):
    """The objects a patch applies to."""

    kind: Required[str]


class KustomizePatch(TypedDict, total=False):
    """A patch and the objects it applies to."""

    target: Required[KustomizeTarget]
    patch: Required[str]


@document("https://json.schemastore.org/kustomization")
class KustomizeConfig(TypedDict, total=False):
    """A ``Kustomization`` (or, with ``kind="Component"``, a reusable component)."""

    apiVersion: Required[
        Literal["kustomize.config.k8s.io/v1beta1", "kustomize.config.k8s.io/v1alpha1"]
    ]
    kind: Required[Literal["Kustomization", "Component"]]
    namespace: str | None
    components: list[str] | None
    resources: list[str] | None
    patches: list[KustomizePatch] | None


def kustomization(resources: list[str], components: list[str] | None = None) -> KustomizeConfig:
    """A ``Kustomization`` of ``resources`` (and ``components``)."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "components": components,
        "resources": resources,
    }
