"""The library entry points: load -> render -> validate -> plan, for ``generate``, ``--check``,
``diff`` and ``validate``. Only :mod:`homeops_gen.writer` touches the disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from homeops_gen import writer
from homeops_gen.errors import WriteRefused
from homeops_gen.project import Project, load
from homeops_gen.render import Rendered, render
from homeops_gen.layout import OUT
from homeops_gen.secrets import plaintext_secrets
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
            "secret files in plain text (a .sops.yaml rule covers them, but they carry "
            "no SOPS metadata):\n"
            + "\n".join(f"  {p}" for p in plaintext)
            + "\nEncrypt them (sops --encrypt --in-place FILE, or talos-encrypt) and rerun."
        )
    return changes
