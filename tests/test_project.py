"""Loading cluster.py: broken files give a short message pointing at the user's line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MODELS, run, tree
from homeops_gen.deployment import Deployment


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "cluster.py").write_text(source)
    return tmp_path


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("cluster = Cluster(\n", ["cluster.py:1", "syntax error"]),
        ("x = 1\nraise RuntimeError('boom')\n", ["cluster.py:2", "RuntimeError: boom"]),
        ("import no_such_module_here\n", ["cluster.py:1", "ModuleNotFoundError"]),
        ("clusters = 1\n", ["defines no variable 'cluster'"]),
        ("cluster = {'name': 'x'}\n", ["'cluster' is a dict", "homeops_gen.Cluster"]),
    ],
)
def test_broken_model_file(
    tmp_path: Path, source: str, words: list[str], debug: bool = False
) -> None:
    root = _project(tmp_path, source)
    before = tree(root)
    result = run("-C", root)
    assert result.code == 2
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 3, "a short message"
    assert tree(root) == before


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    root = _project(tmp_path, "raise RuntimeError('boom')\n")
    result = run("-C", root, "--debug")
    assert result.code == 2
    assert "Traceback" in result.err


def test_nested_constructor_errors_name_the_list_entry(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    broken = source.replace('ip="192.168.2.202"', 'ip="192.168.2.300"')
    assert broken != source
    result = run("-C", _project(tmp_path, broken))
    assert result.code == 2
    assert "  nodes[1].ip: " in result.err
    assert "IPv4" in result.err


def test_nested_error_in_a_host(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    broken = source.replace('vm_datastore="vms1"', 'vm_datastore="vms1", disk="x"')
    result = run("-C", _project(tmp_path, broken))
    assert "  hosts[0].disk: unknown field 'disk' of ProxmoxHost" in result.err


def test_missing_secret_file_is_a_model_error(tmp_path: Path) -> None:
    source = (MODELS["sops-secrets"] / "cluster.py").read_text()
    result = run("-C", _project(tmp_path, source))
    assert result.code == 2
    assert "apps[3].secrets[0]: secrets/grafana-admin.sops.yaml does not exist" in result.err


def test_unencrypted_secret_file_is_refused(tmp_path: Path) -> None:
    source = (MODELS["sops-secrets"] / "cluster.py").read_text()
    root = _project(tmp_path, source)
    (root / "secrets").mkdir()
    (root / "secrets/grafana-admin.sops.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: grafana-admin\nstringData:\n  password: hunter2\n"
    )
    result = run("-C", root)
    assert result.code == 2
    assert "apps[3].secrets[0]" in result.err and "not SOPS-encrypted" in result.err
    assert not (root / "out").exists()


def test_manifest_files_are_checked(tmp_path: Path) -> None:
    source = (MODELS["many-apps"] / "cluster.py").read_text()
    root = _project(tmp_path, source)
    result = run("-C", root)
    assert "apps[5].manifests[0]: manifests/gateway-netpol.yaml does not exist" in result.err
    (root / "manifests").mkdir()
    (root / "manifests/gateway-netpol.yaml").write_text("just: text\n")
    result = run("-C", root)
    assert "apps[5].manifests[0]" in result.err and "apiVersion and kind" in result.err
    (root / "manifests/gateway-netpol.yaml").write_text("a: [\n")
    assert "is not valid YAML" in run("-C", root).err
    assert not (root / "out").exists()


PULL_SECRET = "secrets/flux-git-auth.sops.yaml"


def _private_repo(tmp_path: Path, secret: str | None) -> Path:
    root = _project(tmp_path, (MODELS["private-repo"] / "cluster.py").read_text())
    if secret is not None:
        (root / "secrets").mkdir()
        (root / PULL_SECRET).write_text(secret)
    return root


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (None, ["does not exist"]),
        (("ENC[", "plain: "), ["not SOPS-encrypted"]),  # the sops metadata gone
        (("name: flux-git-auth", "name: ENC[AES256_GCM,data:x,type:str]"), ["metadata.name"]),
        (("name: flux-git-auth", "name: flux-git-auth\n    namespace: default"), ["'default'"]),
        (("kind: Secret", "kind: ConfigMap"), ["exactly one Kubernetes Secret"]),
    ],
)
def test_pull_secret_must_be_an_encrypted_named_flux_secret(
    tmp_path: Path, change: tuple[str, str] | None, words: list[str]
) -> None:
    original = (MODELS["private-repo"] / PULL_SECRET).read_text()
    secret = None
    if change is not None:
        secret = original.replace(*change)
        if change[0] == "ENC[":
            secret = secret.split("sops:")[0]
    root = _private_repo(tmp_path, secret)
    result = run("-C", root)
    assert result.code == 2, result.err
    line = next(line for line in result.err.splitlines() if "gitops.pull_secret: " in line)
    for word in words:
        assert word in line, line
    assert not (root / "out").exists()


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
    apply = f"sops decrypt {PULL_SECRET} | kubectl apply --server-side --field-manager=boot --force-conflicts --namespace flux-system -f -"
    assert boot.index("create namespace flux-system") < boot.index(apply) < boot.index("helmfile")
    # Public https repositories need none.
    assert "pullSecret" not in rendered("nova")["out/bootstrap/helmfile.yaml"]
    assert "sops decrypt" not in {s.name: s.exec for s in scripts(loaded("nova").cluster)}["boot"]
    # The pull secret's folder has a .sops.yaml rule that keeps metadata readable.
    assert "(^|/)secrets/[^/]+" in rendered("private-repo")[".sops.yaml"]
