"""Generate ``homeops_gen/talos_types_data.py``: the Talos config types of each supported minor.

Usage: python -m tests.talos_types_gen

The source of each minor is Talos' own machine-config JSON schema,
``pkg/machinery/config/schemas/config.schema.json`` of a machinery release
(:data:`RELEASES`), read from ``../shared/schemas`` when that folder has the release, else
from Go's module cache (``go mod download github.com/siderolabs/talos/pkg/machinery@VERSION``
puts it there). The table keeps what a patch check needs: the document kinds, every field's
name and its type; descriptions, examples and the documentation's lists of values are left
out (Talos does not enforce those lists). Identical types are shared across minors.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, SCHEMAS

TARGET = ROOT / "homeops_gen" / "talos_types_data.py"
MODULE = "github.com/siderolabs/talos/pkg/machinery"
SCHEMA_IN_MODULE = "config/schemas/config.schema.json"

RELEASES: dict[str, str] = {
    "v1.7": "v1.7.0",
    "v1.8": "v1.8.0",
    "v1.9": "v1.9.0",
    "v1.10": "v1.10.0",
    "v1.11": "v1.11.5",
    "v1.12": "v1.12.11",
    "v1.13": "v1.13.7",
    "v1.14": "v1.14.1",
}
"""Talos minor -> the machinery release whose schema the table is made from: the release in
``../shared/schemas`` (1.11 to 1.13), the one the real tools are built at (1.14, see
tests/consumers/gobuild.py), and the first release of older minors (the newest the module
proxy served on 2026-12-06 that was tried: v1.7.7, v1.8.4, v1.9.6, v1.10.7 were refused)."""

Spec = Any


def module_cache() -> Path:
    """Go's module cache (``GOMODCACHE``, or ``$HOME/go/pkg/mod``)."""
    if os.environ.get("GOMODCACHE"):
        return Path(os.environ["GOMODCACHE"])
    try:
        out = subprocess.run(
            ["go", "env", "GOMODCACHE"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return Path(out) if out else Path.home() / "go" / "pkg" / "mod"


def schema_path(version: str) -> Path | None:
    """Where the schema of machinery ``version`` is on this machine, or None."""
    shared = SCHEMAS / f"talos-{version}-config.schema.json"
    if shared.is_file():
        return shared
    cached = module_cache() / f"{MODULE}@{version}" / SCHEMA_IN_MODULE
    return cached if cached.is_file() else None


SCALARS = ("string", "integer", "boolean", "number")
ENUM_TYPES = {"str": "string", "bool": "boolean", "int": "integer"}


def _type(node: dict[str, Any]) -> Spec:
    """The compact type of one schema node."""
    if "$ref" in node:
        return ["ref", node["$ref"].rsplit("/", 1)[-1]]
    if "oneOf" in node:
        return ["oneOf", [_type(n) for n in node["oneOf"]]]
    kind = node.get("type")
    if kind is None and "enum" in node:  # the type of the documented values
        found = {type(v).__name__ for v in node["enum"]}
        return ENUM_TYPES.get(found.pop(), "any") if len(found) == 1 else "any"
    if kind == "array":
        return ["list", _type(node.get("items") or {})]
    if kind == "object":
        return _object(node)
    return kind if kind in SCALARS else "any"


def _object(node: dict[str, Any]) -> Spec:
    if node.get("properties"):
        return ["object", {k: _type(v) for k, v in node["properties"].items()}]
    if isinstance(node.get("additionalProperties"), dict):
        return ["map", _type(node["additionalProperties"])]
    pattern = node.get("patternProperties") or {}
    if len(pattern) == 1:
        return ["map", _type(next(iter(pattern.values())))]
    return "any"


def _definition(node: dict[str, Any]) -> Spec:
    if node.get("type") == "object" and "properties" in node:
        return ["object", {k: _type(v) for k, v in node["properties"].items()}]
    return _type(node)


def table(schema: dict[str, Any]) -> dict[str, Any]:
    """The kinds and types of one schema: ``{"kinds": {kind: def}, "defs": {name: spec}}``.

    The v1alpha1 machine config (no ``kind``) is the kind ``v1alpha1``."""
    defs = schema.get("$defs") or schema.get("definitions") or {}
    kinds: dict[str, str] = {}
    for ref in schema.get("oneOf", []):
        name = ref["$ref"].rsplit("/", 1)[-1]
        props = defs[name].get("properties", {})
        kind = (props.get("kind", {}).get("enum") or ["v1alpha1"])[0]
        kinds[kind] = name
    return {
        "kinds": dict(sorted(kinds.items())),
        "defs": {name: _definition(node) for name, node in sorted(defs.items())},
    }


def render(tables: dict[str, tuple[str, str, dict[str, Any]]]) -> str:
    """The generated module: the shared types once, and each minor's names for them."""
    shared: dict[str, str] = {}
    types: dict[str, Spec] = {}
    minors: dict[str, Any] = {}
    for minor, (_, _, tab) in tables.items():
        names: dict[str, str] = {}
        for name, spec in tab["defs"].items():
            text = json.dumps(spec, sort_keys=True)
            key = shared.get(text)
            if key is None:
                key = name if name not in types else f"{name}~{len(types)}"
                shared[text] = key
                types[key] = spec
            names[name] = key
        minors[minor] = {"kinds": tab["kinds"], "defs": names}
    sources = {minor: {"machinery": v, "sha256": sha} for minor, (v, sha, _) in tables.items()}
    return (
        (
            '"""Talos machine-config types of each supported minor (GENERATED: do not edit).\n\n'
            "Made by ``python -m tests.talos_types_gen`` from Talos' own schema\n"
            f"(``{MODULE}`` ``{SCHEMA_IN_MODULE}``) of the machinery release in\n"
            "``SOURCES``; ``tests/test_talos_types.py`` checks it matches those schemas.\n"
            '"""\n\n'
            "from typing import Any\n\n"
            f"SOURCES: dict[str, dict[str, str]] = {json.dumps(sources, indent=1, sort_keys=True)}\n\n"
            f"MINORS: dict[str, Any] = {json.dumps(minors, sort_keys=True)}\n\n"
            f"TYPES: dict[str, Any] = {json.dumps(types, sort_keys=True)}\n"
        )
        .replace(": true", ": True")
        .replace(": false", ": False")
    )


def load_tables() -> tuple[dict[str, tuple[str, str, dict[str, Any]]], list[str]]:
    """Each minor's table from the schema on this machine; the minors whose schema is absent."""
    tables: dict[str, tuple[str, str, dict[str, Any]]] = {}
    missing = []
    for minor, version in RELEASES.items():
        path = schema_path(version)
        if path is None:
            missing.append(f"{minor} ({MODULE}@{version})")
            continue
        data = path.read_bytes()
        tables[minor] = (version, hashlib.sha256(data).hexdigest(), table(json.loads(data)))
    return tables, missing


def main() -> int:
    """Write :data:`TARGET` (every minor's schema must be on this machine)."""
    tables, missing = load_tables()
    if missing:
        print(
            "no schema for " + ", ".join(missing) + ": run `go mod download "
            f"{MODULE}@VERSION` for each (or add ../shared/schemas)",
            file=sys.stderr,
        )
        return 1
    TARGET.write_text(render(tables))
    subprocess.run([sys.executable, "-m", "black", "--quiet", str(TARGET)], check=True)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(tables)} minors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
