"""What a change does, for its reviewer: the generated files compared with those of a commit
(``homeops-gen diff --base REF``), in one line per file (``--stat``), and what Flux applies
before and after it (``--flux``: ``kubectl kustomize`` of every Flux Kustomization's path,
the build kustomize-controller runs before it applies)."""

from __future__ import annotations

import difflib
import json
import posixpath
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from homeops_gen import writer
from homeops_gen.committed import committed_texts, is_commit
from homeops_gen.errors import HomeopsError
from homeops_gen.layout import BLOCK_FILES, FLUX_SYNC_PATH, KUBERNETES, MANIFEST

FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/"


def compare_with_commit(
    root: Path, rendered: Mapping[str, str], ref: str
) -> tuple[writer.Plan, dict[str, str]]:
    """What replacing the generated files committed at ``ref`` with ``rendered`` changes, and
    those committed files (the ones its manifest lists). The shared ``.gitignore`` and
    ``.gitattributes`` and the manifest itself are left out: they describe no cluster."""
    if not is_commit(root, ref):
        raise HomeopsError(f"--base {ref}: not a commit of the Git repository of {root}")
    manifest = committed_texts(root, [MANIFEST], ref).get(MANIFEST)
    try:
        listed = json.loads(manifest)["files"] if manifest else {}
    except (ValueError, KeyError, TypeError):
        listed = {}
    paths = (set(rendered) | set(listed if isinstance(listed, dict) else ())) - {
        *BLOCK_FILES,
        MANIFEST,
    }
    before = committed_texts(root, paths, ref)
    plan = writer.Plan()
    for rel in sorted(paths):
        new, old = rendered.get(rel), before.get(rel)
        if new is None:
            if old is not None:
                plan.delete.append(rel)
                plan.current[rel] = old
        elif old is None:
            plan.create[rel] = new
        elif old != new:
            plan.update[rel] = new
            plan.current[rel] = old
        else:
            plan.unchanged.append(rel)
    return plan, before


def stat(plan: writer.Plan) -> str:
    """One line per changed file (created, changed, removed; lines added and removed), then
    the totals."""
    lines = []
    added = removed = 0
    for rel in plan.changes:
        old = plan.current.get(rel, "").splitlines()
        new = plan.create.get(rel, plan.update.get(rel, "")).splitlines()
        plus = minus = 0
        for line in difflib.unified_diff(old, new, lineterm="", n=0):
            if line.startswith(("+++", "---")):
                continue
            plus += line.startswith("+")
            minus += line.startswith("-")
        added, removed = added + plus, removed + minus
        state = "created" if rel in plan.create else "removed" if rel in plan.delete else "changed"
        lines.append(f"{state:<8} {rel} (+{plus} -{minus})")
    if not lines:
        return "no generated file changes\n"
    lines.append(
        f"{len(plan.changes)} file(s): {len(plan.create)} created, {len(plan.update)} changed, "
        f"{len(plan.delete)} removed (+{added} -{removed} lines)"
    )
    return "\n".join(lines) + "\n"


def flux_paths(files: Mapping[str, str]) -> set[str]:
    """The folders Flux builds and applies: the sync path, and the path of every Flux
    Kustomization in the tree."""
    paths = {FLUX_SYNC_PATH} if f"{FLUX_SYNC_PATH}/kustomization.yaml" in files else set()
    for rel, text in files.items():
        if not rel.startswith(f"{KUBERNETES}/") or FLUX_KUSTOMIZATION not in text:
            continue
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue
        for doc in documents:
            if (
                isinstance(doc, dict)
                and doc.get("kind") == "Kustomization"
                and str(doc.get("apiVersion", "")).startswith(FLUX_KUSTOMIZATION)
            ):
                path = (doc.get("spec") or {}).get("path")
                if isinstance(path, str):
                    paths.add(posixpath.normpath(path))
    return paths


def flux_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The unified diff of what Flux applies from each of its paths, before and after."""
    old = _built(before)
    new = _built(after)
    chunks: list[str] = []
    for path in sorted(set(old) | set(new)):
        chunks.extend(
            difflib.unified_diff(
                old.get(path, "").splitlines(keepends=True),
                new.get(path, "").splitlines(keepends=True),
                fromfile=f"a/{path}" if path in old else "/dev/null",
                tofile=f"b/{path}" if path in new else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def _built(files: Mapping[str, str]) -> dict[str, str]:
    """``kubectl kustomize`` of every Flux path of ``files`` (written to a temporary folder)."""
    from homeops_gen.validate import kubectl

    paths = flux_paths(files)
    if not paths:
        return {}
    command = kubectl()
    built: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="homeops-gen-flux-") as tmp:
        for rel, text in files.items():
            if rel.startswith(f"{KUBERNETES}/"):
                target = Path(tmp, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        for path in sorted(paths):
            proc = subprocess.run(
                [command, "kustomize", str(Path(tmp, path))],
                capture_output=True,
                text=True,
                check=False,
            )
            built[path] = (
                proc.stdout
                if proc.returncode == 0
                else f"# kubectl kustomize {path} failed: {proc.stderr.strip()}\n"
            )
    return built
