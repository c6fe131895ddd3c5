"""Check a Talos machine-config patch against the config types of a version contract.

The types come from Talos' own machine-config schema of each minor, kept in the generated
table :mod:`homeops_gen.talos_types_data` (``python -m tests.talos_types_gen``). A patch is a
strategic merge patch of the v1alpha1 document (``machine``, ``cluster``, ...) or a typed
document (``apiVersion``/``kind``); each name must exist in that minor and each value must
have the field's type. Lists of allowed values in Talos' documentation are not enforced:
Talos does not enforce them either.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from homeops_gen import compat
from homeops_gen.suggest import did_you_mean

V1ALPHA1 = "v1alpha1"
"""The kind of the v1alpha1 machine config in the table (it has no ``kind`` field)."""
PATCH_KEY = "$patch"
"""The strategic merge directive (``$patch: delete`` removes what it is in)."""


@cache
def _data() -> tuple[dict[str, Any], dict[str, Any]]:
    from homeops_gen import talos_types_data  # large: only a model with patches needs it

    return talos_types_data.MINORS, talos_types_data.TYPES


def supported_minors() -> list[compat.Minor]:
    """The Talos minors the table has types for, oldest first."""
    return sorted(compat.minor(m) for m in _data()[0])


def table_minor(contract: str) -> str:
    """The table's minor for a contract: its own, else the nearest older (or the oldest)."""
    wanted = compat.minor(contract)
    known = supported_minors()
    older = [m for m in known if m <= wanted]
    return "v" + compat.show(older[-1] if older else known[0])


def kinds(contract: str) -> list[str]:
    """The typed document kinds of the contract's minor (``v1alpha1`` excluded)."""
    minors, _ = _data()
    return [k for k in minors[table_minor(contract)]["kinds"] if k != V1ALPHA1]


def has_kind(contract: str, kind: str) -> bool:
    """Whether the contract's Talos minor has the document ``kind``."""
    return kind in kinds(contract)


def has_field(contract: str, path: tuple[str, ...]) -> bool:
    """Whether the v1alpha1 config of the contract's minor has the field at ``path``."""
    checker = _Checker(table_minor(contract))
    spec: Any = ["ref", checker.kinds[V1ALPHA1]]
    for key in path:
        spec = checker.resolve(spec)
        if not (isinstance(spec, list) and spec[0] == "object" and key in spec[1]):
            return False
        spec = spec[1][key]
    return True


def newest_with(paths: frozenset[tuple[str, ...]]) -> str:
    """The newest minor whose v1alpha1 config has every field of ``paths``."""
    minors = ["v" + compat.show(m) for m in supported_minors()]
    fit = [m for m in minors if all(has_field(m, p) for p in paths)]
    return fit[-1] if fit else minors[-1]


class _Checker:
    def __init__(self, minor: str) -> None:
        minors, self.types = _data()
        self.minor = minor
        self.names: dict[str, str] = minors[minor]["defs"]
        self.kinds: dict[str, str] = minors[minor]["kinds"]
        self.problems: list[tuple[str, str]] = []

    def resolve(self, spec: Any) -> Any:
        while isinstance(spec, list) and spec[0] == "ref":
            spec = self.types[self.names[spec[1]]]
        return spec

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def value(self, path: str, value: Any, spec: Any, owner: str) -> None:
        spec = self.resolve(spec)
        if value is None or spec == "any":
            return
        if isinstance(spec, str):
            if not _scalar_fits(value, spec):
                self.fail(path, f"{_shown(value)} is not {_TYPE_NAMES[spec]}")
            return
        shape, inner = spec
        if shape == "oneOf":
            if not any(self._fits(value, s) for s in inner):
                wanted = " or ".join(self._describe(s) for s in inner)
                self.fail(path, f"{_shown(value)} is not {wanted}")
        elif shape == "object":
            self.fields(path, value, inner, owner)
        else:
            self.items(path, value, shape, inner, owner)

    def items(self, path: str, value: Any, shape: str, inner: Any, owner: str) -> None:
        """The items of a list or the values of a mapping."""
        want = list if shape == "list" else dict
        if not isinstance(value, want):
            self.fail(path, f"{_shown(value)} is not {'a list' if want is list else 'a mapping'}")
            return
        pairs = enumerate(value) if isinstance(value, list) else value.items()
        for key, item in pairs:
            if key != PATCH_KEY:
                where = f"{path}[{key}]" if isinstance(value, list) else f"{path}.{key}"
                self.value(where, item, inner, owner)

    def fields(self, path: str, value: Any, fields: dict[str, Any], owner: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"{_shown(value)} is not a mapping")
            return
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key == PATCH_KEY:
                continue
            if key not in fields:
                inside = f"{owner}.{path}" if path else owner
                self.fail(
                    where,
                    f"no field {key!r} in {inside} (Talos {self.minor})"
                    f"{did_you_mean(str(key), fields)}",
                )
                continue
            self.value(where, item, fields[key], owner)

    def _fits(self, value: Any, spec: Any) -> bool:
        probe = _Checker(self.minor)
        probe.value("", value, spec, "")
        return not probe.problems

    def _describe(self, spec: Any) -> str:
        spec = self.resolve(spec)
        if isinstance(spec, str):
            return _TYPE_NAMES[spec]
        return {"list": "a list", "map": "a mapping", "object": "a mapping"}.get(spec[0], "valid")

    def document(self, patch: dict[str, Any]) -> None:
        if "kind" not in patch:
            self.fields("", patch, self._body(V1ALPHA1), "the v1alpha1 config")
            return
        kind = patch["kind"]
        known = [k for k in self.kinds if k != V1ALPHA1]
        if kind not in known:
            self.fail(
                "kind",
                f"{kind!r} is not a config document of Talos {self.minor}"
                f"{did_you_mean(str(kind), known)}",
            )
            return
        if patch.get("apiVersion") != "v1alpha1":
            self.fail("apiVersion", f"{kind} documents have apiVersion 'v1alpha1'")
        self.fields("", patch, self._body(kind), kind)

    def _body(self, kind: str) -> dict[str, Any]:
        body = self.resolve(["ref", self.kinds[kind]])
        fields: dict[str, Any] = body[1]
        return fields


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "number": "a number",
    "any": "any value",
}


def _scalar_fits(value: Any, spec: str) -> bool:
    if spec == "string":  # YAML scalars of any type decode into a Go string
        return isinstance(value, (str, int, float, bool))
    if spec == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if spec == "boolean":
        return isinstance(value, bool)
    if spec == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def check(patch: dict[str, Any], contract: str) -> list[tuple[str, str]]:
    """Each problem of ``patch`` for the contract's Talos minor: (path inside the patch, why)."""
    checker = _Checker(table_minor(contract))
    checker.document(patch)
    return checker.problems
