"""Object by object: what Flux applies from a source repository against what it applies from the
project generated from its import (pure).

Both sides are built by :mod:`homeops_gen.importer.fluxbuild`. Objects are matched by kind,
namespace and name; an object missing from the generated tree, or different there, is
*explained* when the import report lists a change for the source file it comes from ("mapped
with a change"), and *unexplained* otherwise. A Flux Kustomization's ``spec.path`` and
``spec.sourceRef`` say where the files are, which the import changes by design (``out/``), so
they are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeops_gen.importer.fluxbuild import (
    FLUX_KUSTOMIZE,
    UNSEEN,
    Built,
    FluxTree,
    Key,
    build_flux_tree,
)
from homeops_gen.importer.report import Entry, Report
from homeops_gen.importer.source import Source, as_mapping, dig
from homeops_gen.layout import FLUX_SYNC_PATH

_LAYOUT_FIELDS = ("path", "sourceRef")
_FAULTS = {"not found", "not readable", "not valid YAML", "not a Kubernetes object"}
"""What the build of a generated tree must never meet (values it cannot know are no fault)."""


@dataclass(frozen=True)
class Difference:
    """One object of the source that the generated tree lacks or applies otherwise."""

    key: Key
    file: str
    """The source file the object comes from."""
    problem: str
    """``missing``, or ``differs at <field>``."""
    explained_by: str | None = None
    """The report's change that accounts for it (None: nothing does)."""

    def __str__(self) -> str:
        kind, namespace, name = self.key
        where = f"{namespace}/{name}" if namespace else name
        text = f"{kind} {where} ({self.file}): {self.problem}"
        return f"{text}; {self.explained_by}" if self.explained_by else text


@dataclass
class Comparison:
    """The result of comparing a source's Flux tree with the generated one."""

    same: int = 0
    differences: list[Difference] = field(default_factory=list)
    added: list[Key] = field(default_factory=list)
    """Objects only the generated tree applies (homeops-gen's own, e.g. ``<app>-resources``)."""
    unbuilt: list[tuple[str, str, str]] = field(default_factory=list)
    """What the build of the source could not follow (file, what, why)."""
    broken: list[tuple[str, str, str]] = field(default_factory=list)
    """What the build of the generated tree could not follow: a fault of the import."""

    @property
    def unseen(self) -> list[tuple[str, str, str]]:
        """Parts of the source that make objects no build here makes (generators, remote
        resources): what they apply is compared by nobody."""
        return [u for u in self.unbuilt if u[2].endswith(UNSEEN)]

    @property
    def unexplained(self) -> list[Difference]:
        return [d for d in self.differences if d.explained_by is None]

    @property
    def failed(self) -> bool:
        """Whether something the source applies is lost or the generated tree does not build."""
        return bool(self.unexplained or self.broken or self.unseen)

    def text(self) -> str:
        """The comparison as the commands print it."""
        explained = [d for d in self.differences if d.explained_by]
        lines = [
            f"compared with the source, object by object: {self.same} the same, "
            f"{len(explained)} changed as reported, {len(self.unexplained)} missing or "
            f"different without a reason, {len(self.added)} added"
        ]
        for title, items in (
            ("missing or different (not in the report)", self.unexplained),
            ("changed as the report says", explained),
        ):
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines.extend(f"  {d}" for d in items)
        if self.added:
            lines.append(f"added by homeops-gen ({len(self.added)}):")
            lines.extend(f"  {k[0]} {'/'.join(p for p in k[1:] if p)}" for k in self.added)
        if self.unseen:
            lines.append(f"objects of the source nobody compares ({len(self.unseen)}):")
            lines.extend(f"  {f}: {w} ({why})" for f, w, why in self.unseen)
        if self.broken:
            lines.append(f"the generated tree does not build ({len(self.broken)}):")
            lines.extend(f"  {f}: {w} ({why})" for f, w, why in self.broken)
        if self.unbuilt:
            lines.append(f"not built by the comparison ({len(self.unbuilt)}):")
            lines.extend(
                f"  {f}: {w} ({why})" if f else f"  {w} ({why})" for f, w, why in self.unbuilt
            )
        return "\n".join(lines) + "\n"


def compare(theirs: FluxTree, generated: Mapping[str, str], report: Report) -> Comparison:
    """Compare what Flux applies from a source (``theirs``) with what it applies from the
    ``generated`` files (path -> text); ``report`` is the source's import report."""
    ours_source = Source(
        {p: t.encode() for p, t in generated.items() if p.endswith(".yaml")}, Report()
    )
    ours = build_flux_tree(ours_source, FLUX_SYNC_PATH)
    return compare_trees(theirs, ours, report.changed)


def compare_trees(theirs: FluxTree, ours: FluxTree, changes: Iterable[Entry]) -> Comparison:
    """Every object of ``theirs`` against ``ours``; ``changes`` explain differences by file."""
    by_file: dict[str, list[Entry]] = {}
    for entry in changes:
        by_file.setdefault(entry.file, []).append(entry)
    broken = [u for u in ours.unbuilt if u[2] in _FAULTS or u[2].endswith("not found")]
    result = Comparison(unbuilt=list(theirs.unbuilt), broken=broken)
    for key in sorted(theirs.objects):
        built = theirs.objects[key]
        other = ours.objects.get(key)
        if other is None:
            problem = "missing"
            renamed = [e for e in by_file.get(built.file, []) if e.renames]
            reason = _reason(renamed, key[2])
        else:
            mine, generated = _comparable(built), _comparable(other)
            paths = differences(mine, generated)
            if not paths:
                result.same += 1
                continue
            labels = _added_labels(generated, mine, _common_labels(ours, other))
            own = by_file.get(built.file, [])
            labelled = [
                e
                for e in [*by_file.get(built.applied_by_file, []), *own]
                if _mentions(e, "commonMetadata")
            ]
            reasons: list[str] = []
            unexplained: list[str] = []
            for path in paths:
                if path.startswith("metadata.labels") and _label_of(path) in labels:
                    found = _reason(labelled, "", "")
                else:
                    found = _reason(own, key[2], _keyword(path))
                if found is None:
                    unexplained.append(path or "(the whole object)")
                elif found not in reasons:
                    reasons.append(found)
            shown = unexplained or paths
            problem = "differs at " + ", ".join(p or "(the whole object)" for p in shown[:4])
            if len(shown) > 4:
                problem += f" (and {len(shown) - 4} more)"
            reason = None if unexplained else "; ".join(reasons)
        result.differences.append(Difference(key, built.file, problem, reason))
    result.added = sorted(k for k in ours.objects if k not in theirs.objects)
    return result


def _reason(entries: list[Entry], name: str, keyword: str | None = None) -> str | None:
    """The first change naming the object ``name`` (any, when empty) and, when ``keyword`` is
    given, the differing field (``install`` for ``spec.install.strategy``)."""
    for entry in entries:
        if name and not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", entry.what):
            continue
        if keyword and not _mentions(entry, keyword):
            continue
        return f"reported: {entry.what} ({entry.why})"
    return None


def _mentions(entry: Entry, word: str) -> bool:
    return word in entry.what or word in entry.why


def _keyword(path: str) -> str:
    """The field a report entry must name to explain a difference at ``path``: the one under
    ``spec`` (``install`` for ``spec.install.strategy``), else the top one."""
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    return parts[1] if parts[0] == "spec" and len(parts) > 1 else parts[0]


def _label_of(path: str) -> str:
    return path.removeprefix("metadata.labels").removeprefix(".")


def _common_labels(tree: FluxTree, built: Built) -> dict[str, Any]:
    """The labels the Flux Kustomization applying ``built`` adds to every object."""
    ks = tree.objects.get(built.applied_by_key)
    labels = dig(ks.data, "spec", "commonMetadata", "labels") if ks else None
    return labels if isinstance(labels, dict) else {}


def _added_labels(data: dict[str, Any], other: dict[str, Any], labels: dict[str, Any]) -> set[str]:
    """The ``labels`` of ``data`` (the generated object) that ``other`` (the source's) lacks;
    with the whole label mapping (``""``) when ``other`` has no labels at all."""
    have = as_mapping(dig(data, "metadata", "labels"))
    theirs = dig(other, "metadata", "labels")
    extra = {k for k in labels if k in have and k not in as_mapping(theirs)}
    if extra and theirs is None and set(have) <= set(labels):
        extra.add("")
    return extra


def _comparable(built: Built) -> dict[str, Any]:
    data = built.data
    if data.get("kind") == "Kustomization" and str(data.get("apiVersion", "")).startswith(
        FLUX_KUSTOMIZE
    ):
        spec = data.get("spec")
        if isinstance(spec, dict):
            data = {**data, "spec": {k: v for k, v in spec.items() if k not in _LAYOUT_FIELDS}}
    return data


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Every field (dotted path) where ``a`` and ``b`` differ; empty when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[str] = []
        for key in sorted({*a, *b}, key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                found.append(where)
            else:
                found += differences(a[key], b[key], where)
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            p
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for p in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path]
