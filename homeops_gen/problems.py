"""What a check of the model reports: a problem at the path of a field, and the ids of the
warnings a model can accept."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the model: the field's path, a plain reason, and whether it is fatal.

    Warnings carry a stable ``code`` (a key of :data:`WARNINGS`) that a model can
    list in ``Cluster.accept_warnings`` once it has accepted the risk.
    """

    path: str
    message: str
    error: bool = True
    code: str = ""
    line: int | None = None
    """The line of ``cluster.py`` the field is written on, when the check knows it."""

    def __str__(self) -> str:
        prefix = f"warning[{self.code}]: " if not self.error else ""
        return f"{prefix}{self.path}: {self.message}"


WARNINGS: dict[str, str] = {
    "host-unused": "a Proxmox host no node runs on",
    "ssh-user-unused": "ProxmoxHost.ssh_user, which nothing uses any more",
    "single-control-plane": "one control plane: etcd and the API have no redundancy",
    "even-control-planes": "an even number of control planes",
    "example-value": "a value init's starter marks # CHANGE, still the example",
    "pre-release": "a Talos or Kubernetes pre-release (alpha, beta, release candidate)",
    "talos-version-unknown": "a Talos version newer than the known support matrix",
    "cilium-version-unknown": "a Cilium version with no Kubernetes compatibility data",
    "cilium-kubernetes-untested": "a Kubernetes version newer than Cilium's e2e tests cover",
    "flux-kubernetes-unsupported": "a Kubernetes version outside the newest Flux's support",
    "talos-upgrade-skips-minor": "a Talos upgrade that skips a minor release",
    "talos-upgrade-unsupported": "a Talos upgrade the running Talos release cannot make",
    "kubernetes-upgrade-skips-minor": "a Kubernetes upgrade that skips a minor release",
    "kubernetes-ahead-of-talos": "a Kubernetes version the running Talos release does not run",
    "no-flux-instance": "no flux-instance app: nothing syncs out/kubernetes",
    "pool-not-announced": "a load-balancer pool no cilium app announces",
    "vm-replaced": "a change of the model destroys a VM and its disk (rename, new vm_id, host)",
    "pool-not-routed": "a load-balancer pool outside node_cidr with no BGP: the router must route it",
    "unsubstituted-variable": "a ${VARIABLE} in an app whose Kustomization has no postBuild",
    "endpoint-not-ha": "the API endpoint is one control plane's IP while there are several",
    "namespace-unused": "a namespace in namespaces no app uses, named like one an app uses",
    "sops-recipients-differ": "a SOPS file encrypted to other age recipients than sops lists",
    "talos-version-unreleased": "a Talos patch release newer than the releases homeops-gen knows",
    "talos-extension-unknown": "a system extension not official for the Talos release, as known",
    "helper-version-unknown": "a helper's chart version newer than the releases homeops-gen knows",
    "node-drops-extension": "a node whose own extensions leave out one of talos.extensions",
    "app-needs-extensions": "an app whose chart needs extensions some node it runs on lacks",
    "reference-unresolved": "a substituteFrom/valuesFrom/secretRef to an object nothing creates",
    "reference-not-ready": "a reference to an object an app not in depends_on creates",
}
"""Every warning's stable id and what it is about (listed by ``accept_warnings``)."""


def warning(code: str, path: str, message: str) -> Problem:
    """A problem that does not stop generation; ``code`` is its id in :data:`WARNINGS`."""
    if code not in WARNINGS:
        raise KeyError(f"unregistered warning id {code!r}")  # a bug in homeops-gen, not the model
    return Problem(path, message, error=False, code=code)
