"""The library entry points: load -> render -> validate -> plan, for ``generate``, ``--check``,
``diff`` and ``validate``. Only :mod:`homeops_gen.writer` touches the disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from homeops_gen import writer
from homeops_gen.errors import WriteRefused
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
            + "\nEncrypt them (sops --encrypt --in-place FILE) and rerun."
        )
    return changes
