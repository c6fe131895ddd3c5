"""The library entry points: load -> render -> validate -> plan, for ``generate``, ``--check``,
``diff`` and ``validate``. Only :mod:`homeops_gen.writer` touches the disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from homeops_gen import writer
from homeops_gen.errors import HomeopsError
from homeops_gen.layout import OUT
from homeops_gen.project import Project, load
from homeops_gen.render import Rendered, render
from homeops_gen.secrets import creation_rules, is_sops_encrypted
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
    plaintext = plaintext_secrets(result)
    if plaintext:
        raise HomeopsError(
            "secret files in plain text (a .sops.yaml rule covers them, but they carry "
            "no SOPS metadata):\n"
            + "\n".join(f"  {p}" for p in plaintext)
            + "\nEncrypt them (sops --encrypt --in-place FILE, or talos-encrypt) and rerun."
        )
    return writer.plan(result.root, result.files)


def secret_patterns(result: Build) -> list[re.Pattern[str]]:
    """The path patterns of the generated ``.sops.yaml`` creation rules."""
    return [re.compile(r["path_regex"]) for r in creation_rules(result.project.cluster)]


def plaintext_secrets(result: Build) -> list[str]:
    """Files under ``out/`` (generated or on disk) that a SOPS rule covers but are not encrypted."""
    patterns = secret_patterns(result)
    candidates = {p: t for p, t in result.files.items() if p.startswith(f"{OUT}/")}
    out = result.root / OUT
    if out.is_dir():
        for path in out.rglob("*"):
            rel = path.relative_to(result.root).as_posix()
            if path.is_file() and rel not in candidates:
                candidates[rel] = ""
    found = []
    for rel in sorted(candidates):
        if not any(p.search(rel) for p in patterns):
            continue
        text = candidates[rel] or (result.root / rel).read_text(encoding="utf-8", errors="replace")
        if not is_sops_encrypted(text):
            found.append(rel)
    return found
