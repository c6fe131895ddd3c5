"""kustomize's ``configMapGenerator`` and ``secretGenerator``: the objects they make (pure).

Sources: kustomize api v0.21.1 ``types/generatorargs.go`` and ``kv/kv.go`` (``literals``
``KEY=VALUE``, ``files`` ``[key=]path`` keyed by the file's name, ``envs`` lines ``KEY=VALUE``
without comments), ``internal/generators/utils.go`` (``generatorOptions`` then the generator's
own ``options``: labels, annotations, ``disableNameSuffixHash``, ``immutable``; a Secret's
``type`` defaults to ``Opaque``, its values base64), and ``hasher/hasher.go`` (the name
suffix: the first ten hex digits of the SHA-256 of the object's JSON, with 0 1 3 a e written
g h k m t).
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeops_gen.importer.source import as_mapping, listed

GENERATORS = ("configMapGenerator", "secretGenerator")


@dataclass(frozen=True)
class Generated:
    """An object a generator made, and whether its name carries kustomize's hash suffix."""

    data: dict[str, Any]
    hashed: bool


class GeneratorError(ValueError):
    """A generator kustomize refuses or this build does not make (``str``: why)."""


def generate(
    config: dict[str, Any], folder: str, read: Callable[[str], str | None]
) -> list[Generated]:
    """The objects of the generators of the kustomization ``config`` in ``folder``; ``read``
    gives a file's text (None: missing). Raises :class:`GeneratorError`."""
    defaults = as_mapping(config.get("generatorOptions"))
    made: list[Generated] = []
    for key in GENERATORS:
        for entry in listed(config.get(key)):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise GeneratorError(f"{key}: an entry without a name")
            if entry.get("behavior", "create") != "create":
                raise GeneratorError(f"{key} {entry['name']}: behavior {entry['behavior']}")
            made.append(_object(key, entry, folder, read, defaults))
    return made


def _object(
    key: str,
    entry: dict[str, Any],
    folder: str,
    read: Callable[[str], str | None],
    defaults: dict[str, Any],
) -> Generated:
    pairs = _pairs(entry, folder, read)
    secret = key == "secretGenerator"
    data: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret" if secret else "ConfigMap"}
    metadata: dict[str, Any] = {"name": entry["name"]}
    if isinstance(entry.get("namespace"), str):
        metadata["namespace"] = entry["namespace"]
    options = {**defaults, **as_mapping(entry.get("options"))}
    for field in ("labels", "annotations"):
        merged = {**as_mapping(defaults.get(field)), **as_mapping(_option(entry, field))}
        if merged:
            metadata[field] = {str(k): str(v) for k, v in merged.items()}
    data["metadata"] = metadata
    if secret:
        data["type"] = str(entry.get("type") or "Opaque")
        data["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in pairs.items()}
    else:
        data["data"] = pairs
    if options.get("immutable"):
        data["immutable"] = True
    hashed = not options.get("disableNameSuffixHash")
    if hashed:
        metadata["name"] = f"{entry['name']}-{name_hash(data)}"
    return Generated(data, hashed)


def _option(entry: dict[str, Any], field: str) -> Any:
    return as_mapping(entry.get("options")).get(field)


def _pairs(entry: dict[str, Any], folder: str, read: Callable[[str], str | None]) -> dict[str, str]:
    """The generator's keys and values: ``envs``, then ``literals``, then ``files``."""
    pairs: dict[str, str] = {}
    for env in [*listed(entry.get("envs")), *([entry["env"]] if entry.get("env") else [])]:
        for line in _read(read, folder, str(env)).removeprefix("\ufeff").splitlines():
            line = line.lstrip()
            if line and not line.startswith("#"):
                name, _, value = line.partition("=")
                pairs[name] = value
    for literal in listed(entry.get("literals")):
        name, sep, value = str(literal).partition("=")
        if not sep or not name:
            raise GeneratorError(f"literal {literal!r} is not KEY=VALUE")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]  # quotes on both sides only
        pairs[name] = value
    for spec in listed(entry.get("files")):
        name, sep, path = str(spec).partition("=")
        path, name = (path, name) if sep else (name, posixpath.basename(name))
        pairs[name] = _read(read, folder, path)
    return pairs


def _read(read: Callable[[str], str | None], folder: str, path: str) -> str:
    text = read(posixpath.normpath(posixpath.join(folder, path)))
    if text is None:
        raise GeneratorError(f"{path}: not found (or not text)")
    return text


def name_hash(data: dict[str, Any]) -> str:
    """kustomize's name suffix for a generated ConfigMap or Secret.

    kustomize looks the name up as ``yaml.Lookup("metadata/name")``, one field of that
    literal name, which no object has: the name it hashes is always empty (checked with
    kubectl kustomize v5.8.1: an empty generator ``x`` is ``x-6ct58987ht``, the hash of
    kustomize's own unit test of an empty ConfigMap without a name)."""
    if data["kind"] == "ConfigMap":
        fields: dict[str, Any] = {"kind": "ConfigMap", "name": "", "data": data.get("data") or ""}
    else:
        fields = {
            "kind": "Secret",
            "type": data.get("type", ""),
            "name": "",
            "data": data.get("data") or "",
        }
    encoded = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # Go's encoding/json escapes these for HTML.
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        encoded = encoded.replace(char, escape)
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))
