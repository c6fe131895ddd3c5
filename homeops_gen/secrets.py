"""Recognising SOPS-encrypted files, so no secret is ever written in plain text."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any

import yaml

from homeops_gen.layout import KUBERNETES, TALSECRET
from homeops_gen.model import Cluster

KUBERNETES_SECRET_FIELDS = "^(data|stringData)$"


def is_sops_encrypted(text: str) -> bool:
    """Whether ``text`` (YAML or JSON) carries SOPS metadata: a ``sops`` map with a ``mac``."""
    if "sops" not in text or "mac" not in text:
        return False  # cheap answer for the common case, no parsing
    try:
        documents: list[Any] = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        try:
            documents = [json.loads(text)]
        except ValueError:
            return False
    return bool(documents) and all(
        isinstance(doc, dict) and isinstance(doc.get("sops"), dict) and "mac" in doc["sops"]
        for doc in documents
    )


def plaintext_secrets(cluster: Cluster, files: Mapping[str, str | None]) -> list[str]:
    """The paths of ``files`` (path -> text) that a ``.sops.yaml`` rule of ``cluster`` covers
    but that carry no SOPS metadata, sorted: they must never be written or kept."""
    patterns = [re.compile(rule["path_regex"]) for rule in creation_rules(cluster)]
    return sorted(
        rel
        for rel, text in files.items()
        if any(p.search(rel) for p in patterns) and not is_sops_encrypted(text or "")
    )


def creation_rules(cluster: Cluster) -> list[dict[str, Any]]:
    """The rules, most specific first (SOPS uses the first that matches)."""
    recipients = ",".join(cluster.sops.age_recipients)
    rules: list[dict[str, Any]] = [
        # talhelper's secrets are encrypted whole.
        {"path_regex": f"(^|/){re.escape(TALSECRET)}$", "age": recipients},
    ]
    paths = [p for app in cluster.apps for p in app.secrets]
    if cluster.gitops.pull_secret is not None:
        paths.append(cluster.gitops.pull_secret)
    folders = sorted({posixpath.dirname(p) for p in paths})
    for folder in folders:
        prefix = f"{re.escape(folder)}/" if folder else ""
        rules.append(
            {
                "path_regex": f"(^|/){prefix}[^/]+\\.sops\\.ya?ml$",
                "encrypted_regex": KUBERNETES_SECRET_FIELDS,
                "age": recipients,
            }
        )
    rules.append(
        {
            "path_regex": f"(^|/){re.escape(KUBERNETES)}/.+\\.sops\\.ya?ml$",
            "encrypted_regex": KUBERNETES_SECRET_FIELDS,
            "age": recipients,
        }
    )
    return rules


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            if (top >> i) & 1:
                check ^= generator
    return check


def bech32_valid(text: str) -> bool:
    """Whether ``text`` is a Bech32 string whose checksum matches (BIP 173, the encoding of
    age's ``age1...`` recipients)."""
    hrp, sep, data = text.lower().rpartition("1")
    if not sep or not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32.index(c) for c in data]) == 1


def age_recipients_of(text: str) -> tuple[str, ...]:
    """The age recipients a SOPS file is encrypted to (its ``sops.age[].recipient``)."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return ()
    found: list[str] = []
    for doc in documents:
        sops = doc.get("sops")
        for entry in (sops.get("age") if isinstance(sops, dict) else None) or []:
            if isinstance(entry, dict) and isinstance(entry.get("recipient"), str):
                found.append(entry["recipient"])
    return tuple(dict.fromkeys(found))
