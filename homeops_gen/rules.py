"""Cross-field rules of the model: what makes the generated layers work together.

Field types are checked by pydantic when the model is built; these rules see the
whole cluster and report each problem with the path of the field to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from homeops_gen.model import Cluster


@dataclass(frozen=True)
class Problem:
    """One problem in the model: the field's path, a plain reason, and whether it is fatal."""

    path: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        prefix = "" if self.error else "warning: "
        return f"{prefix}{self.path}: {self.message}"


Rule = Callable[[Cluster], Iterator[Problem]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    """Register a rule; rules run in the order they are defined."""
    RULES.append(func)
    return func


def check_cluster(cluster: Cluster) -> list[Problem]:
    """Every problem every rule finds in ``cluster`` (errors and warnings)."""
    problems: list[Problem] = []
    for check in RULES:
        problems.extend(check(cluster))
    return problems


def _duplicates(items: list[str], path: str, what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, value in enumerate(items):
        if value in first:
            yield Problem(
                path.format(i), f"{what} {value!r} is already used by {path.format(first[value])}"
            )
        else:
            first[value] = i


@rule
def unique_names(cluster: Cluster) -> Iterator[Problem]:
    yield from _duplicates([h.name for h in cluster.hosts], "hosts[{}].name", "host name")
    yield from _duplicates([n.name for n in cluster.nodes], "nodes[{}].name", "node name")
    yield from _duplicates([str(n.vm_id) for n in cluster.nodes], "nodes[{}].vm_id", "VM id")
    yield from _duplicates([str(n.ip) for n in cluster.nodes], "nodes[{}].ip", "IP")
    yield from _duplicates([a.name for a in cluster.apps], "apps[{}].name", "app name")


@rule
def nodes_and_hosts(cluster: Cluster) -> Iterator[Problem]:
    if not cluster.hosts:
        yield Problem("hosts", "at least one Proxmox host is required")
    if not cluster.nodes:
        yield Problem("nodes", "at least one node is required")
    elif not cluster.control_planes:
        yield Problem("nodes", "at least one node must have role 'controlplane'")
    names = {h.name for h in cluster.hosts}
    for i, node in enumerate(cluster.nodes):
        if node.host not in names:
            known = ", ".join(sorted(names)) or "none"
            yield Problem(f"nodes[{i}].host", f"no host named {node.host!r} (hosts: {known})")


@rule
def app_dependencies(cluster: Cluster) -> Iterator[Problem]:
    names = {a.name for a in cluster.apps}
    for i, app in enumerate(cluster.apps):
        if not app.chart.is_oci and app.chart.name is None:
            yield Problem(
                f"apps[{i}].chart.name", "a https:// chart repository needs the chart's name"
            )
        for j, dep in enumerate(app.depends_on):
            if dep not in names:
                yield Problem(f"apps[{i}].depends_on[{j}]", f"no app named {dep!r}")
