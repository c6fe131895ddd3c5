"""The library entry points: load -> render -> validate -> plan, for ``generate``, ``--check``,
``diff`` and ``validate``. Only :mod:`homeops_gen.writer` touches the disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from homeops_gen import writer
from homeops_gen.errors import HomeopsError, WriteRefused
from homeops_gen.importer import Imported, import_tree
from homeops_gen.layout import MODEL_FILE
from homeops_gen.project import Project, load
from homeops_gen.render import Rendered, render
from homeops_gen.secrets import creation_rules
from homeops_gen.validate import ALL_CHECKS, FAST_CHECKS, validate


@dataclass(frozen=True)
class Build:
    """A project's model and every file it generates, validated."""

    root: Path
    project: Project
    files: Rendered


def build(root: Path, *, strict: bool = False, thorough: bool = False) -> Build:
    """Load ``root/cluster.py``, render every layer, and validate the result in memory.

    ``thorough`` also runs the checks that start external tools.
    """
    project = load(root, strict=strict)
    files = render(project)
    validate(files, project.cluster, ALL_CHECKS if thorough else FAST_CHECKS)
    return Build(root, project, files)


def plan(result: Build) -> writer.Plan:
    """What writing ``result`` would change; refuses if a secret under out/ is in plain text."""
    patterns = [re.compile(r["path_regex"]) for r in creation_rules(result.project.cluster)]
    changes = writer.plan(result.root, result.files, secret_patterns=patterns)
    if changes.plaintext:
        raise WriteRefused(
            "secret files in plain text (a .sops.yaml rule covers them, but they carry "
            "no SOPS metadata):\n"
            + "\n".join(f"  {p}" for p in changes.plaintext)
            + "\nEncrypt them (sops --encrypt --in-place FILE, or talos-encrypt) and rerun."
        )
    return changes


@dataclass(frozen=True)
class Adoption:
    """An imported repository: what was read and written, and whether the model generates."""

    imported: Imported
    written: list[str]
    problems: str | None
    """Why the written model does not generate yet (None: it does)."""


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
    imported = import_tree(writer.read_tree(source), name=source.name)
    if (root / MODEL_FILE).exists() and not force:
        raise WriteRefused(
            f"{root / MODEL_FILE} exists; nothing was written. Import into another folder "
            "(-C DIR), or rerun with --force to replace it."
        )
    files = {MODEL_FILE: imported.cluster_py.encode("utf-8"), **imported.files}
    written = writer.write_new(root, files, replace=(MODEL_FILE,) if force else ())
    try:
        build(root)
    except HomeopsError as exc:
        return Adoption(imported, written, str(exc))
    return Adoption(imported, written, None)
