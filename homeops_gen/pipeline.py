"""The library entry points: load -> render -> validate -> plan, for ``generate``, ``--check``,
``diff`` and ``validate``. Only :mod:`homeops_gen.writer` touches the disk."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from dataclasses import dataclass
from pathlib import Path

import yaml

from homeops_gen import writer
from homeops_gen.errors import HomeopsError, ModelError, WriteRefused
from homeops_gen.layout import MODEL_FILE, OUT, TALCONFIG, TALOS_VERSIONS
from homeops_gen.project import Project, load
from homeops_gen.committed import committed_texts
from homeops_gen.replacements import host_unit, vm_replacements
from homeops_gen.render import Rendered, render
from homeops_gen.upgrades import version_change
from homeops_gen.secrets import ENCRYPT_HOW, plaintext_credentials, plaintext_secrets
from homeops_gen.validate import ALL_CHECKS, FAST_CHECKS, CheckRun, validate

if TYPE_CHECKING:  # the importer (black, python-hcl2) loads only for `import`
    from homeops_gen.importer import Comparison, Imported


@dataclass(frozen=True)
class Build:
    """A project's model and every file it generates, validated."""

    root: Path
    project: Project
    files: Rendered
    strict: bool = False
    checks: tuple[CheckRun, ...] = ()
    """What each check of the output did (``validate`` prints it)."""


def build(root: Path, *, strict: bool = False, thorough: bool = False) -> Build:
    """Load ``root/cluster.py``, render every layer, and validate the result in memory.

    ``thorough`` also runs the checks that start external tools.
    """
    project = load(root, strict=strict)
    files = render(project)
    checks = validate(files, project.cluster, ALL_CHECKS if thorough else FAST_CHECKS)
    return Build(root, project, files, strict, tuple(checks))


def plan(result: Build) -> writer.Plan:
    """What writing ``result`` would change; refuses if a secret under out/ is in plain text."""
    changes = writer.plan(result.root, result.files)
    candidates = [*(p for p in result.files if p.startswith(f"{OUT}/")), *changes.unmanaged]
    plaintext = plaintext_secrets(
        result.project.cluster,
        {
            rel: result.files[rel] if rel in result.files else writer.read_text(result.root / rel)
            for rel in candidates
        },
    )
    if plaintext:
        raise WriteRefused(
            "secret files in plain text (a .sops.yaml rule covers them, but they are not "
            "SOPS-encrypted):\n"
            + "\n".join(f"  {p}" for p in plaintext)
            + "\nEncrypt them (sops encrypt --in-place FILE) and rerun."
        )
    # By content too, wherever it would be written: whatever a file is called.
    credentials = plaintext_credentials(result.files)
    if credentials:
        raise WriteRefused(
            "refusing to write credentials in plain text, nothing was written:\n"
            + "\n".join(f"  {c}" for c in credentials)
            + f"\nFor a Secret: {ENCRYPT_HOW}."
        )
    return changes


def version_changes(result: Build, changes: writer.Plan) -> tuple[str, ...]:
    """Warnings about the version change from the output on disk to ``result`` (none when the
    versions did not change); raises :class:`ModelError` for a change that must not happen
    (or any warning, with ``strict``). The previous versions come from the plan's view of the
    file being replaced."""
    previous = _previous_versions(changes)
    if previous is None:
        return ()
    cluster = result.project.cluster
    accepted = set(cluster.accept_warnings)
    problems = [p for p in version_change(cluster, previous) if p.error or p.code not in accepted]
    errors = [str(p) for p in problems if p.error or result.strict]
    if errors:
        raise ModelError(errors)
    return tuple(str(p) for p in problems)


def _previous_versions(changes: writer.Plan) -> dict[str, str] | None:
    """The versions the output being replaced was made for: its ``versions.yaml``, or the
    ``talconfig.yaml`` of output made before that record existed."""
    for path in (TALOS_VERSIONS, TALCONFIG):
        text = changes.current.get(path)
        if text is None:
            continue
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        if path == TALCONFIG:  # talosVersion set the contract too
            data = {
                "talos": data.get("talosVersion"),
                "kubernetes": data.get("kubernetesVersion"),
                "configContract": _minor_of(data.get("talosVersion")),
            }
        found = {k: v for k, v in data.items() if isinstance(v, str)}
        if _minor_of(found.get("talos")) and _minor_of(found.get("kubernetes")):
            return found
    return None


def _minor_of(version: object) -> str | None:
    match = (
        re.match(r"^(v\d+\.\d+)(\.\d+(-[0-9A-Za-z.-]+)?)?$", version)
        if isinstance(version, str)
        else None
    )
    return match.group(1) if match else None


def replacement_warnings(result: Build, changes: writer.Plan) -> list[str]:
    """Warnings for the VMs OpenTofu would destroy: the VMs of the host units committed in
    Git (``HEAD``) that the model no longer has (accepted ones left out); with ``strict`` they
    are errors.

    Asked only when this run changes a host unit. Not the working tree: output an earlier run
    wrote and nobody committed describes no VM that exists (no repository, or nothing
    committed yet: nothing to compare with)."""
    if not any(host_unit(rel) for rel in changes.changes):
        return []
    units = [rel for rel in (*result.files, *changes.current, *changes.delete) if host_unit(rel)]
    previous = committed_texts(result.root, units)
    if not previous:
        return []
    accepted = set(result.project.cluster.accept_warnings)
    warnings = [
        str(p) for p in vm_replacements(result.project.cluster, previous) if p.code not in accepted
    ]
    if warnings and result.strict:
        raise ModelError(warnings)
    return warnings


@dataclass(frozen=True)
class Adoption:
    """An imported repository: what was read and written, and whether the model generates."""

    imported: Imported
    written: list[str]
    problems: str | None
    """Why the written model does not generate yet (None: it does)."""
    comparison: Comparison | None = None
    """What Flux applies from the source against the generated tree (None: it does not
    generate)."""


def import_repository(source: Path, root: Path, *, force: bool = False) -> Adoption:
    """Read the repository ``source``, write ``root/cluster.py`` and the files it refers to,
    and check that the new project generates (nothing under ``out/`` is written).

    ``source`` is never written to; an existing ``cluster.py`` is replaced only with ``force``.
    """
    source, root = source.resolve(), root.resolve()
    if root == source or source in root.parents:
        raise WriteRefused(
            f"refusing to import into {root}: it is inside SOURCE {source}, which import never "
            "touches; choose a folder outside it with -C DIR"
        )
    from homeops_gen.importer import compare_with, import_tree

    unread: dict[str, str] = {}
    imported = import_tree(writer.read_tree(source, unread), name=source.name, unread=unread)
    if (root / MODEL_FILE).exists() and not force:
        raise WriteRefused(
            f"{root / MODEL_FILE} exists; nothing was written. Import into another folder "
            "(-C DIR), or rerun with --force to replace it."
        )
    files = {MODEL_FILE: imported.cluster_py.encode("utf-8"), **imported.files}
    written = writer.write_new(root, files, replace=(MODEL_FILE,) if force else ())
    try:
        result = build(root)
    except HomeopsError as exc:
        return Adoption(imported, written, str(exc))
    return Adoption(imported, written, None, compare_with(imported, result.files))


def compare_source(source: Path, root: Path) -> Comparison:
    """What Flux applies from the repository ``source`` against what it applies from the
    project at ``root`` (generated in memory; nothing is written)."""
    from homeops_gen.importer import compare_with, import_tree

    imported = import_tree(writer.read_tree(source.resolve()), name=source.name)
    return compare_with(imported, build(root.resolve()).files)
