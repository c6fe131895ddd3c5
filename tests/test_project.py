"""A loaded project keeps what its files say beside the model."""

from __future__ import annotations

from homeops_gen.deployment import Deployment


def test_flux_instance_names_the_pull_secret_and_boot_applies_it_first() -> None:
    from homeops_gen.generators.devenv import scripts
    from tests.conftest import loaded, rendered

    project = loaded("private-repo")
    cluster = project.cluster
    assert project.pull_secret_name == "flux-git-auth"
    sync = project.deployment.app("flux-instance").values["instance"]["sync"]
    assert sync["pullSecret"] == "flux-git-auth"
    # The name is the project's (read from its file), not the model's.
    assert "pullSecret" not in Deployment(cluster).app("flux-instance").values["instance"]["sync"]
    assert "pullSecret: flux-git-auth" in rendered("private-repo")["out/bootstrap/helmfile.yaml"]
    boot = {s.name: s.exec for s in scripts(cluster)}["boot"]
    apply = f"sops decrypt {cluster.gitops.pull_secret} | kubectl apply --server-side --field-manager=boot --force-conflicts --namespace flux-system -f -"
    assert boot.index("create namespace flux-system") < boot.index(apply) < boot.index("helmfile")
    # Public https repositories need none.
    assert "pullSecret" not in rendered("nova")["out/bootstrap/helmfile.yaml"]
    assert "sops decrypt" not in {s.name: s.exec for s in scripts(loaded("nova").cluster)}["boot"]
    # The pull secret's folder has a .sops.yaml rule that keeps metadata readable.
    assert "(^|/)secrets/[^/]+" in rendered("private-repo")[".sops.yaml"]
