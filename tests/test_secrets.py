"""Recognising SOPS-encrypted files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from homeops_gen.secrets import (
    credential_problem,
    is_sops_encrypted,
    plaintext_secrets,
    sops_problem,
)
from tests.conftest import copy_model, loaded, run

ENC = (
    "ENC[AES256_GCM,data:1F07swk=,iv:m+Uk8/sx1re4oyM7SnLeyeLpZuHPj2DcD8y9TRYDdW4=,"
    "tag:sDx3GtkfxTnHV2xaxDzB6g==,type:str]"
)
"""A value as SOPS writes it (from the sops-secrets fixture)."""
ENCRYPTED_YAML = f"a: {ENC}\nsops:\n  mac: {ENC}\n  version: 3.11.0\n"


@pytest.mark.parametrize(
    ("text", "encrypted"),
    [
        (ENCRYPTED_YAML, True),
        (ENCRYPTED_YAML + "---\nplain: true\n", False),
        ("a: 1\n", False),
        ("a: 1\n# sops mac mentioned in a comment\n", False),
        (json.dumps({"a": ENC, "sops": {"mac": ENC}}), True),
        (json.dumps({"a": "ENC[x]", "sops": {"mac": "ENC[x]"}}), False),
        (json.dumps({"a": "x", "sops": "mac"}), False),
        ("sops: [mac\n", False),
        ("", False),
    ],
)
def test_is_sops_encrypted(text: str, encrypted: bool) -> None:
    assert is_sops_encrypted(text) is encrypted


def test_plaintext_secrets_are_the_covered_paths_without_sops_metadata() -> None:
    cluster = loaded("sops-secrets").cluster
    files: dict[str, str | None] = {
        "out/talos/talsecret.sops.yaml": "cluster:\n  secret: plain\n",
        "out/kubernetes/apps/x/y/app/token.sops.yaml": ENCRYPTED_YAML,
        "out/kubernetes/apps/x/y/app/other.sops.yaml": "stringData:\n  a: b\n",
        "out/kubernetes/apps/x/y/app/values.yaml": "plain: true\n",
    }
    assert plaintext_secrets(cluster, files) == [
        "out/kubernetes/apps/x/y/app/other.sops.yaml",
        "out/talos/talsecret.sops.yaml",
    ]


def _secret(data: str, sops: str) -> str:
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
        f"{data}sops:\n  mac: {ENC}\n  version: 3.11.0\n{sops}"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # encrypted_regex covers data and stringData: a hand-added plain key there is refused.
        (
            _secret(
                f"stringData:\n  a: {ENC}\n  b: hunter2\n",
                "  encrypted_regex: ^(data|stringData)$\n",
            ),
            "stringData.b is in plain text",
        ),
        (_secret(f"stringData:\n  a: {ENC}\n", "  encrypted_regex: ^(data|stringData)$\n"), None),
        # Outside what encrypted_regex covers, plain values are what SOPS leaves.
        (_secret(f"data:\n  a: {ENC}\n", "  encrypted_regex: ^(data|stringData)$\n"), None),
        # No rule in the metadata: SOPS' default encrypts every value but *_unencrypted keys.
        (_secret(f"data:\n  a: {ENC}\n", ""), "apiVersion is in plain text"),
        (
            f"token: {ENC}\nnote_unencrypted: plain\nsops:\n  mac: {ENC}\n",
            None,
        ),
        (f"token: {ENC}\nnote: plain\nsops:\n  mac: {ENC}\n", "note is in plain text"),
        (f"token: {ENC}\nport: 5432\nsops:\n  mac: {ENC}\n", "port is in plain text"),
        (f"token: {ENC}\nempty: ''\nnothing: null\nsops:\n  mac: {ENC}\n", None),
        (
            f"a: {ENC}\nb_x: plain\nsops:\n  mac: {ENC}\n  unencrypted_suffix: _x\n",
            None,
        ),
        (
            f"a_enc: {ENC}\nb: plain\nsops:\n  mac: {ENC}\n  encrypted_suffix: _enc\n",
            None,
        ),
        (
            f"a: {ENC}\nmeta: plain\nsops:\n  mac: {ENC}\n  unencrypted_regex: ^meta$\n",
            None,
        ),
        # Lists: each item is under its list's key.
        (f"keys:\n  - {ENC}\n  - plain\nsops:\n  mac: {ENC}\n", "keys is in plain text"),
        # A mac SOPS did not write.
        (f"a: {ENC}\nsops:\n  mac: x\n", "mac is not one SOPS wrote"),
        (
            f"a: {ENC}\nsops:\n  mac: {ENC}\n  encrypted_comment_regex: sops\n",
            "cannot check",
        ),
    ],
)
def test_every_value_the_files_rule_covers_must_be_encrypted(
    text: str, problem: str | None
) -> None:
    reason = sops_problem(text)
    if problem is None:
        assert reason is None
    else:
        assert reason is not None and problem in reason


KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster: {server: "https://10.0.0.1:6443"}
users:
  - name: admin
    user:
      client-certificate-data: Y2VydA==
      client-key-data: a2V5
"""
TALOSCONFIG = """context: nova
contexts:
  nova:
    endpoints: [10.0.0.1]
    ca: Y2E=
    crt: Y3J0
    key: a2V5
"""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n", "Secret"),
        ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: Yg==}\n", "Secret"),
        ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: x\n", None),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {a: b}\n", None),
        (KUBECONFIG, "kubeconfig"),
        (KUBECONFIG.replace("client-key-data: a2V5", "token: abc"), "kubeconfig"),
        (KUBECONFIG.split("users:")[0], None),
        (TALOSCONFIG, "talosconfig"),
        ("a: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3Blbg==\n", "private key"),
        (
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n"
            "    extraObjects:\n      - apiVersion: v1\n        kind: Secret\n"
            "        stringData: {a: b}\n",
            "Secret in plain text inside",
        ),
        (_secret(f"stringData:\n  a: {ENC}\n", "  encrypted_regex: ^(data|stringData)$\n"), None),
        (
            _secret("stringData:\n  a: plain\n", "  encrypted_regex: ^(data|stringData)$\n"),
            "not fully encrypted",
        ),
    ],
)
def test_credentials_are_recognised_by_content(text: str, found: str | None) -> None:
    reason = credential_problem(text)
    if found is None:
        assert reason is None
    else:
        assert reason is not None and found in reason


def _with_app(project: Path, app: str) -> None:
    model = project / "cluster.py"
    text = model.read_text()
    model.write_text(
        text.replace(
            '        flux_instance("0.36.0"),\n',
            f'        flux_instance("0.36.0"),\n        {app},\n',
        )
    )


def test_a_secret_among_an_apps_resources_is_refused(nova: Path) -> None:
    _with_app(
        nova,
        'App(name="db", namespace="default", resources=[{"apiVersion": "v1", "kind": "Secret", '
        '"metadata": {"name": "db"}, "stringData": {"password": "hunter2"}}])',
    )
    result = run("-C", nova)
    assert result.code == 2
    assert "apps[3].resources[0]: a Kubernetes Secret in plain text" in result.err
    assert "sops encrypt --in-place secrets/" in result.err
    assert not (nova / "out").exists()


@pytest.mark.parametrize(
    "content",
    [
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n",
        KUBECONFIG,
    ],
)
def test_a_credential_listed_under_manifests_is_refused(nova: Path, content: str) -> None:
    (nova / "manifests").mkdir()
    (nova / "manifests/db.yaml").write_text(content)
    _with_app(nova, 'App(name="db", namespace="default", manifests=["manifests/db.yaml"])')
    result = run("-C", nova)
    assert result.code == 2
    assert "apps[3].manifests[0]: manifests/db.yaml holds a " in result.err
    assert "hunter2" not in result.err and not (nova / "out").exists()


def test_a_plain_key_added_to_an_encrypted_secret_is_refused(tmp_path: Path) -> None:
    project = copy_model("sops-secrets", tmp_path / "p")
    secret = project / "secrets/grafana-admin.sops.yaml"
    secret.write_text(
        secret.read_text().replace("stringData:\n", "stringData:\n    extra: hunter2\n")
    )
    result = run("-C", project)
    assert result.code == 2
    assert "stringData.extra is in plain text" in result.err
    assert not (project / "out").exists()


def test_a_credential_rendered_from_anywhere_is_refused_before_writing(
    nova: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last gate: whatever produced it, a credential document is never written."""
    from homeops_gen import pipeline
    from homeops_gen.render import render as real

    def with_a_secret(project: Any) -> dict[str, str]:
        files = real(project)
        files["out/kubernetes/apps/x.yaml"] = (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  k: aGk=\n"
        )
        return files

    monkeypatch.setattr(pipeline, "render", with_a_secret)
    result = run("-C", nova)
    assert result.code == 1
    assert "out/kubernetes/apps/x.yaml: a Kubernetes Secret in plain text" in result.err
    assert not (nova / "out").exists()


def test_a_secret_inside_an_apps_values_is_refused(nova: Path) -> None:
    """Charts render raw manifests from values (extraObjects): such a Secret reaches Git
    inside the HelmRelease as surely as a file of its own."""
    _with_app(
        nova,
        'App(name="db", namespace="default", chart=Chart(url="oci://r.io/db", version="1.0.0"), '
        'values={"extraObjects": [{"apiVersion": "v1", "kind": "Secret", '
        '"metadata": {"name": "db"}, "stringData": {"password": "hunter2"}}]})',
    )
    result = run("-C", nova)
    assert result.code == 2
    assert "apps[3].values: a Kubernetes Secret in plain text inside" in result.err
    assert not (nova / "out").exists()


def test_a_reference_to_a_secret_is_no_secret(nova: Path) -> None:
    _with_app(
        nova,
        'App(name="db", namespace="default", chart=Chart(url="oci://r.io/db", version="1.0.0"), '
        'release={"valuesFrom": [{"kind": "Secret", "name": "db-values"}]})',
    )
    result = run("-C", nova)
    assert result.code == 0, result.err
