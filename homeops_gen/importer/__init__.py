"""``homeops-gen import``: turn an existing home-ops repository into a ``cluster.py``.

Pure: :func:`import_tree` takes the source's files (path -> bytes, read by
:func:`homeops_gen.writer.read_tree`) and returns the text of ``cluster.py``, the
files the model refers to, and a report of what was mapped, changed and left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from homeops_gen.importer.compare import Comparison, compare
from homeops_gen.importer.fluxbuild import FluxTree
from homeops_gen.importer.infrastructure import read_infrastructure
from homeops_gen.importer.kubernetes import read_kubernetes
from homeops_gen.importer.mapper import map_model
from homeops_gen.importer.python import cluster_file
from homeops_gen.importer.report import Entry, Report
from homeops_gen.importer.source import Source
from homeops_gen.importer.talos import read_talos, report_templates
from homeops_gen.layout import TALSECRET
from homeops_gen.secrets import is_sops_encrypted

__all__ = ["Comparison", "Entry", "Imported", "Report", "compare_with", "import_tree"]


@dataclass(frozen=True)
class Imported:
    """The result of an import: ``cluster.py``, the files it refers to, and the report."""

    cluster_py: str
    files: dict[str, bytes] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    flux_tree: FluxTree = field(default_factory=FluxTree)
    """What Flux applies from the source (from the folder its FluxInstance syncs)."""


def compare_with(imported: Imported, generated: Mapping[str, str]) -> Comparison:
    """What Flux applies from the imported source against what it applies from ``generated``
    (the rendered files of the new project), object by object."""
    return compare(imported.flux_tree, generated, imported.report)


def import_tree(
    files: Mapping[str, bytes], name: str = "the source", unread: Mapping[str, str] | None = None
) -> Imported:
    """Map the repository ``files`` (relative path -> bytes) to a model; ``unread``: the files
    of the source that could not be read (path -> why), reported as not mapped."""
    report = Report()
    source = Source(files, report)
    talos = read_talos(source)
    report_templates(source)
    if talos is None:
        report.skip("", "talconfig.yaml", "not found: nodes come from the VMs alone")
    infra = read_infrastructure(source)
    kube = read_kubernetes(source)
    mapped = map_model(source, talos, infra, kube)
    copied = {f for app in kube.apps for f in app.secrets} | set(mapped.files) & set(files)
    _other_secrets(source, copied)
    docstring = (
        f"Imported from {name} by homeops-gen import.\n\n"
        "Comments mark what was guessed or missing; the import report lists what was not\n"
        "mapped. Review, then run homeops-gen.\n"
    )
    text = cluster_file(mapped.cluster, docstring)
    flux_tree = kube.flux_tree
    applied = {built.file for built in flux_tree.objects.values()}
    named = {e.file for e in (*report.mapped, *report.changed)}
    for path in sorted(flux_tree.read - named):
        report.map(path, "read to build what Flux applies")
    for path, why in sorted((unread or {}).items()):
        report.skip(path, "file", f"not read: {why}")
    report.account([*files, *sorted(unread or {})], set(mapped.sources.values()), applied)
    return Imported(
        cluster_py=text,
        files=mapped.files,
        report=report,
        flux_tree=flux_tree,
    )


def _other_secrets(source: Source, copied: set[str]) -> None:
    """SOPS files no app deploys: reported, so none is forgotten (talhelper's above all)."""
    deployed = {source.files[p] for p in copied}
    for path in source.files:
        if (
            path in copied
            or source.files[path] in deployed
            or not path.endswith((".yaml", ".yml", ".json"))
        ):
            continue
        text = source.text(path)
        if not text or not is_sops_encrypted(text):
            continue
        if path.endswith("talsecret.sops.yaml"):
            why = f"talhelper's cluster secrets: copy it to {TALSECRET} yourself (import never writes out/)"
        else:
            why = "a SOPS file no app of the Flux tree deploys"
        source.report.skip(path, "SOPS file", why)
