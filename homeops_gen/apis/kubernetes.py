"""Editor schema hints for Kubernetes objects, by their ``apiVersion`` and ``kind``."""

from __future__ import annotations

CORE_SCHEMAS = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master"
CRD_SCHEMAS = "https://kubernetes-schemas.pages.dev"


BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)
"""The API groups the Kubernetes API server serves itself (its API reference). Other
``*.k8s.io`` groups (``gateway.networking.k8s.io``, ``snapshot.storage.k8s.io``,
``externaldns.k8s.io``) are CRDs some chart installs."""


def is_builtin(api_version: str) -> bool:
    """Whether ``api_version`` belongs to Kubernetes itself, not to a CRD."""
    return api_version.rpartition("/")[0] in BUILTIN_GROUPS


def schema_url(api_version: str, kind: str, kubernetes: str) -> str:
    """The JSON schema an editor can check ``kind`` in ``api_version`` against.

    Built-in kinds use the strict schemas of the cluster's Kubernetes minor (its ``.0``
    release: a patch bump changes no API, so it changes no generated file);
    custom resources use the CRD schema catalogue by group.
    """
    group, _, version = api_version.rpartition("/")
    if is_builtin(api_version):
        prefix = f"-{group.split('.')[0]}" if group else ""
        release = ".".join(kubernetes.split(".")[:2]) + ".0"
        return f"{CORE_SCHEMAS}/{release}-standalone-strict/{kind.lower()}{prefix}-{version}.json"
    return crd_schema_url(api_version, kind)


def crd_schema_url(api_version: str, kind: str) -> str:
    """The schema of a custom resource in the CRD catalogue (any Kubernetes version)."""
    group, _, version = api_version.rpartition("/")
    return f"{CRD_SCHEMAS}/{group}/{kind.lower()}_{version}.json"
