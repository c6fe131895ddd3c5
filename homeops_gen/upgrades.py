"""The upgrade policy: what changing the versions of a running cluster means, checked against
the versions of the output made before."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from homeops_gen import compat, cross_layer
from homeops_gen.model import Cluster
from homeops_gen.problems import Problem, warning


def version_change(cluster: Cluster, previous: Mapping[str, str]) -> Iterator[Problem]:
    """What changing the versions of the output made before (``previous``) to the model's means.

    Talos upgrades one minor at a time from a release the target accepts, Talos before
    Kubernetes, and never changes the machine-config version contract on the way.
    """
    old_talos, new_talos = compat.minor(previous["talos"]), compat.minor(cluster.versions.talos)
    old_k8s = compat.minor(previous["kubernetes"])
    new_k8s = compat.minor(cluster.versions.kubernetes)
    change = f"{previous['talos']} -> {cluster.versions.talos}"
    if new_talos > compat.next_minor(old_talos):
        yield warning(
            "talos-upgrade-skips-minor",
            "versions.talos",
            f"{change} skips Talos {compat.show(compat.next_minor(old_talos))}: upgrade one "
            f"minor at a time (talos-upgrade to {compat.show(compat.next_minor(old_talos))} first)",
        )
    target = compat.TALOS.get(new_talos)
    if target is not None and new_talos > old_talos and old_talos < target.upgrade_from:
        yield warning(
            "talos-upgrade-unsupported",
            "versions.talos",
            f"{change}: Talos {compat.show(new_talos)} upgrades only from "
            f"{compat.show(target.upgrade_from)} or later, the cluster runs "
            f"{compat.show(old_talos)}",
        )
    if new_k8s > compat.next_minor(old_k8s):
        yield warning(
            "kubernetes-upgrade-skips-minor",
            "versions.kubernetes",
            f"{previous['kubernetes']} -> {cluster.versions.kubernetes} skips Kubernetes "
            f"{compat.show(compat.next_minor(old_k8s))}: talosctl upgrade-k8s (k8s-upgrade) "
            "goes one minor at a time",
        )
    running = compat.TALOS.get(old_talos)
    if running is not None and new_talos != old_talos and new_k8s > running.kubernetes[1]:
        yield warning(
            "kubernetes-ahead-of-talos",
            "versions.kubernetes",
            f"Kubernetes {compat.show(new_k8s)} does not run on the cluster's Talos "
            f"{compat.show(old_talos)} (up to {compat.show(running.kubernetes[1])}): run "
            "talos-upgrade before k8s-upgrade",
        )
    old_contract = previous.get("configContract")
    new_contract = cross_layer.config_contract(cluster)
    if old_contract and old_contract != new_contract and cluster.talos.config_contract is None:
        yield Problem(
            "talos.config_contract",
            f"{change} would change the machine-config version contract from {old_contract} to "
            f"{new_contract}, which a running cluster must not do by accident; set "
            f"Talos(config_contract={old_contract!r}) to keep it (what an upgraded cluster "
            f"needs), or {new_contract!r} to change it deliberately",
        )
