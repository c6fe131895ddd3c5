"""flux-operator's FluxInstance spec, as the flux-instance chart takes it under ``instance``."""

from typing import Literal, Required

from typing_extensions import TypedDict


class Distribution(TypedDict, total=False):
    """Which Flux release the operator installs."""

    version: Required[str]
    registry: Required[str]
    artifact: str | None


class ClusterSettings(TypedDict, total=False):
    """Cluster-wide settings of the Flux installation."""

    networkPolicy: Required[bool]


class Sync(TypedDict, total=False):
    """The source and path Flux syncs the cluster from."""

    kind: Required[Literal["GitRepository", "OCIRepository", "Bucket"]]
    url: Required[str]
    ref: Required[str]
    path: Required[str]
    interval: str | None
    pullSecret: str | None


class FluxInstanceSpec(TypedDict, total=False):
    """``fluxcd.controlplane.io/v1`` FluxInstance ``spec`` (the fields homeops-gen sets)."""

    distribution: Required[Distribution]
    cluster: ClusterSettings | None
    components: Required[
        list[
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
    ]
    sync: Required[Sync]
