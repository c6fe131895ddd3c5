"""Shared helpers: the example models, copying them into temporary projects, the CLI in-process."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from homeops_gen.cli import main
from homeops_gen.project import Project, load
from homeops_gen.render import render

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MODELS: dict[str, Path] = {
    p.name: p for p in sorted(FIXTURES.iterdir()) if (p / "cluster.py").is_file()
}
"""Every valid example model: the reference cluster ``nova`` and the other fixtures.

The root ``cluster.py`` is the operator's own and is never one of them: the only
test of the root is that the committed files are what it generates."""

SHARED = Path(os.environ.get("HOMEOPS_GEN_SHARED", ROOT.parent / "shared"))
"""The shared test data (``../shared``; ``HOMEOPS_GEN_SHARED`` points elsewhere, e.g. from a worktree)."""
SCHEMAS = SHARED / "schemas"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason=f"upstream schemas not found at {SCHEMAS} (../shared/schemas)"
)


@cache
def loaded(name: str) -> Project:
    """The loaded model ``name`` (cached: models are immutable)."""
    return load(MODELS[name])


@cache
def rendered(name: str) -> dict[str, str]:
    """Every file model ``name`` generates."""
    return render(loaded(name))


def generated(name: str) -> dict[str, str]:
    """Model ``name``'s files without the byte-for-byte copies of the project's own files."""
    copies = {p.rsplit("/", 1)[-1] for a in loaded(name).cluster.apps for p in a.user_files}
    return {p: t for p, t in rendered(name).items() if p.rsplit("/", 1)[-1] not in copies}


def on_disk(path: str, text: str) -> str:
    """What a fresh project holds for a generated file (shared files hold the marked block)."""
    from homeops_gen.layout import BLOCK_FILES
    from homeops_gen.writer import with_block

    return with_block(None, text) if path in BLOCK_FILES else text


def copy_model(name: str, dest: Path) -> Path:
    """A fresh project in ``dest`` with model ``name``'s cluster.py and the files it refers to."""
    source = MODELS[name]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "cluster.py", dest / "cluster.py")
    for folder in ("secrets", "manifests"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, dest / folder)
    return dest


@dataclass
class Result:
    """The outcome of one in-process CLI run."""

    code: int
    out: str
    err: str


def run(*args: str | Path) -> Result:
    """Run ``homeops-gen`` in-process with ``args``."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove nothing changed)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def nova(tmp_path: Path) -> Iterator[Path]:
    """A temporary copy of the nova project (no out/ yet)."""
    yield copy_model("nova", tmp_path / "nova")


def yaml_documents(text: str) -> list[Any]:
    """Every document of a YAML file."""
    import yaml

    return [d for d in yaml.safe_load_all(text) if d is not None]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in one line what was skipped because ``../shared`` is missing, and why."""
    if SHARED.is_dir():
        return
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if str(SHARED) in str(r.longrepr)
    ]
    terminalreporter.write_line(
        f"homeops-gen: {len(skipped)} tests skipped: the shared test data (upstream schemas "
        f"and charts) is not at {SHARED}; put it at ../shared or set HOMEOPS_GEN_SHARED"
    )
