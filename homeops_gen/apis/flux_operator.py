"""flux-operator's FluxInstance spec, as the flux-instance chart takes it under ``instance``."""

from typing import Literal

from homeops_gen.apis import ApiModel


class Distribution(ApiModel):
    """Which Flux release the operator installs."""

    version: str
    registry: str
    artifact: str | None = None


class ClusterSettings(ApiModel):
    """Cluster-wide settings of the Flux installation."""

    network_policy: bool


class Sync(ApiModel):
    """The source and path Flux syncs the cluster from."""

    kind: Literal["GitRepository", "OCIRepository", "Bucket"]
    url: str
    ref: str
    path: str
    interval: str | None = None
    pull_secret: str | None = None


class FluxInstanceSpec(ApiModel):
    """``fluxcd.controlplane.io/v1`` FluxInstance ``spec`` (the fields homeops-gen sets)."""

    distribution: Distribution
    cluster: ClusterSettings | None = None
    components: list[
        Literal[
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
            "image-reflector-controller",
            "image-automation-controller",
            "source-watcher",
        ]
    ]
    sync: Sync
