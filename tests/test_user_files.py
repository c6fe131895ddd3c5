"""The files a model refers to: each must exist and be what the model says it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MODELS, run


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "cluster.py").write_text(source)
    return tmp_path


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
