"""Recognising SOPS-encrypted files, so no secret is ever written in plain text."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from homeops_gen.layout import KUBERNETES, SECRETS_FOLDER, TALSECRET
from homeops_gen.model import Cluster

KUBERNETES_SECRET_FIELDS = "^(data|stringData)$"


ENCRYPTED_VALUE = re.compile(
    r"ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,"
    r"type:(str|int|float|bool|bytes|comment)\]"
)
"""A value SOPS encrypted (``ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]``)."""

DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"
"""SOPS leaves a value in plain text when a key on its path ends with this, and encrypts
every other value, unless the file names another rule (getsops/sops stores.go, sops.go)."""

_COMMENT_RULES = ("encrypted_comment_regex", "unencrypted_comment_regex")


def is_sops_encrypted(text: str) -> bool:
    """Whether ``text`` (YAML or JSON) is a SOPS-encrypted file: see :func:`sops_problem`."""
    return sops_problem(text) is None


def sops_problem(text: str) -> str | None:
    """Why ``text`` is not a SOPS-encrypted file, or None when it is.

    Every document needs a ``sops`` map whose ``mac`` is encrypted, and every value the
    file's rule covers must be ``ENC[...]``: the rule in the metadata (``encrypted_regex``,
    ``unencrypted_regex``, ``encrypted_suffix``, ``unencrypted_suffix``), else SOPS'
    default (every value but those under a key ending ``_unencrypted``), as SOPS decides
    it (``Tree.shouldBeEncrypted``: a key anywhere on the value's path counts). Empty
    strings and nulls stay as they are (SOPS leaves them).
    """
    if "sops" not in text or "mac" not in text:
        return "no sops metadata"  # cheap answer for the common case, no parsing
    try:
        documents: list[Any] = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        try:
            documents = [json.loads(text)]
        except ValueError:
            return "neither YAML nor JSON"
    if not documents:
        return "no sops metadata"
    for document in documents:
        if reason := _document_problem(document):
            return reason
    return None


def _document_problem(document: object) -> str | None:
    if not isinstance(document, dict) or not isinstance(document.get("sops"), dict):
        return "no sops metadata"
    metadata = document["sops"]
    mac = metadata.get("mac")
    if not isinstance(mac, str) or not ENCRYPTED_VALUE.fullmatch(mac):
        return "no sops metadata (its mac is not one SOPS wrote)"
    if any(metadata.get(rule) for rule in _COMMENT_RULES):
        return (
            "its values are chosen by comments (encrypted_comment_regex), which homeops-gen "
            "cannot check: use encrypted_regex"
        )
    covers = _rule(metadata)
    for path, value in _leaves({k: v for k, v in document.items() if k != "sops"}, ()):
        if value is None or value == "" or not covers(path):
            continue
        if not (isinstance(value, str) and ENCRYPTED_VALUE.fullmatch(value)):
            return f"{'.'.join(path)} is in plain text"
    return None


def _rule(metadata: dict[str, Any]) -> Any:
    """Whether SOPS encrypts the value at a path, by the file's rule (at most one is set)."""
    for name in ("encrypted_regex", "unencrypted_regex"):
        pattern = metadata.get(name)
        if isinstance(pattern, str) and pattern:
            regex = re.compile(pattern)
            hit = name == "encrypted_regex"
            return lambda path: any(regex.search(k) for k in path) is hit
    suffix = metadata.get("encrypted_suffix")
    if isinstance(suffix, str) and suffix:
        return lambda path: any(k.endswith(suffix) for k in path)
    plain = metadata.get("unencrypted_suffix") or DEFAULT_UNENCRYPTED_SUFFIX
    return lambda path: not any(k.endswith(str(plain)) for k in path)


def _leaves(value: object, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every scalar under ``value`` with the keys on its way (list items add no key)."""
    pending = [(path, value)]  # a stack, items pushed in reverse: document order
    while pending:
        where, item = pending.pop()
        if isinstance(item, dict):
            pending.extend(reversed([((*where, str(k)), v) for k, v in item.items()]))
        elif isinstance(item, list):
            pending.extend(reversed([(where, v) for v in item]))
        else:
            yield where, item


_CREDENTIAL_HINT = re.compile(
    r"^\s*(kind:\s*['\"]?(Secret|Config)['\"]?\s*$|contexts:)|PRIVATE KEY-----", re.M
)
_CREDENTIAL_WORDS = ("Secret", "Config", "contexts", "PRIVATE KEY")
"""Words one of which every credential document holds: a substring test first is cheap."""
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_KUBECONFIG_CREDENTIALS = (
    "client-key-data",
    "client-key",
    "token",
    "tokenFile",
    "password",
    "auth-provider",
)


def credential_problem(text: str) -> str | None:
    """What in ``text`` is a credential in plain text, or None: a Kubernetes Secret whose
    values are not SOPS-encrypted, a kubeconfig with a user's key or token, a talosconfig
    with a client key, or a PEM private key. A cheap look first: most files are parsed
    not at all."""
    if not any(word in text for word in _CREDENTIAL_WORDS) or not _CREDENTIAL_HINT.search(text):
        return None
    if _PRIVATE_KEY.search(text):
        return "a private key in plain text"
    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return None  # not YAML: no document of these kinds
    for document in documents:
        if reason := credential_document(document) or embedded_secret(document):
            return reason
    return None


def embedded_secret(value: object) -> str | None:
    """A Secret manifest in plain text nested inside ``value`` (a chart's ``extraObjects``,
    a HelmRelease's values): written into Git as surely as a file of its own."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if (
                item is not value
                and item.get("kind") == "Secret"
                and isinstance(item.get("apiVersion"), str)
                and (reason := _encrypted_document_problem(item))
            ):
                return f"{reason} inside"
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def credential_document(document: dict[Any, Any]) -> str | None:
    """What credential ``document`` holds in plain text, or None (see credential_problem)."""
    if document.get("kind") == "Secret" or "sops" in document:
        return _encrypted_document_problem(document)
    if document.get("kind") == "Config" and isinstance(document.get("users"), list):
        for entry in document["users"]:
            user = entry.get("user") if isinstance(entry, dict) else None
            if isinstance(user, dict) and any(user.get(k) for k in _KUBECONFIG_CREDENTIALS):
                return "a kubeconfig with a user's credentials"
    contexts = document.get("contexts")
    if isinstance(contexts, dict) and any(
        isinstance(c, dict) and c.get("key") for c in contexts.values()
    ):
        return "a talosconfig with a client key"
    return None


def _encrypted_document_problem(document: dict[Any, Any]) -> str | None:
    """Why a Secret (or any SOPS document) is not fully encrypted, or None."""
    what = "a Kubernetes Secret" if document.get("kind") == "Secret" else "a SOPS file"
    if "sops" not in document:
        if not any(document.get(f) for f in ("data", "stringData")):
            return None  # nothing secret in it (a token Secret the API fills in)
        return f"{what} in plain text"
    reason = _document_problem(document)
    return f"{what} not fully encrypted ({reason})" if reason else None


ENCRYPT_HOW = (
    "write it to a file under secrets/ named NAME.sops.yaml, encrypt it "
    "(sops encrypt --in-place secrets/NAME.sops.yaml; .sops.yaml has the rule) and list it "
    "under the app's secrets"
)
"""How to keep a credential out of Git in plain text, in the user's words."""


def plaintext_credentials(files: Mapping[str, str]) -> list[str]:
    """``path: what`` for every file of ``files`` holding a credential in plain text."""
    found = []
    for rel in sorted(files):
        if reason := credential_problem(files[rel]):
            found.append(f"{rel}: {reason}")
    return found


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
    # secrets/ (where the README puts secrets, the pull secret too) has its rule from the
    # first run: the first `sops encrypt` there needs it before any secret is listed.
    paths = [f"{SECRETS_FOLDER}/_", *(p for app in cluster.apps for p in app.secrets)]
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
