"""A version bump changes only the files that name the version (review shows what matters)."""

from __future__ import annotations

from dataclasses import replace

from homeops_gen.render import render
from tests.conftest import loaded, rendered


def test_a_kubernetes_patch_bump_changes_only_files_naming_the_version() -> None:
    project = loaded("ha-vip")
    cluster = project.cluster
    old_version = cluster.versions.kubernetes
    major, minor, patch = old_version.removeprefix("v").split(".")
    new_version = f"v{major}.{minor}.{int(patch) + 3}"
    bumped = cluster.model_copy(
        update={"versions": cluster.versions.model_copy(update={"kubernetes": new_version})}
    )
    before = rendered("ha-vip")
    after = render(replace(project, cluster=bumped))
    changed = {p for p in before if before[p] != after[p]}
    assert changed == {p for p, text in before.items() if old_version in text}
    assert changed, "the Talos layer names the Kubernetes version"
    # Schema hints name the minor only: the Flux tree does not change with a patch.
    assert not [p for p in changed if p.startswith("out/kubernetes/")], changed
