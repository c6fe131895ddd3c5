"""Recognising SOPS-encrypted files."""

from __future__ import annotations

import json

import pytest

from homeops_gen.secrets import is_sops_encrypted, plaintext_secrets
from tests.conftest import loaded

ENCRYPTED_YAML = "a: ENC[AES256_GCM,data:x]\nsops:\n  mac: ENC[x]\n  version: 3.11.0\n"


@pytest.mark.parametrize(
    ("text", "encrypted"),
    [
        (ENCRYPTED_YAML, True),
        (ENCRYPTED_YAML + "---\nplain: true\n", False),
        ("a: 1\n", False),
        ("a: 1\n# sops mac mentioned in a comment\n", False),
        (json.dumps({"a": "ENC[x]", "sops": {"mac": "ENC[x]"}}), True),
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
