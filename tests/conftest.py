"""Shared helpers: the example models, copying them into temporary projects, the CLI in-process."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from homeops_gen.cli import main
from homeops_gen.project import Project, load
from homeops_gen.render import render
from homeops_gen.deployment import Deployment

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
    copies = {
        p.rsplit("/", 1)[-1] for a in Deployment(loaded(name).cluster).apps for p in a.user_files
    }
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


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` (as a user with a name and email) and return its output."""
    import subprocess

    return subprocess.run(
        ["git", "-c", "user.name=Jane", "-c", "user.email=jane@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_all(root: Path, message: str = "generated") -> str:
    """Commit every file of ``root`` (a new repository when it is none yet); the commit id."""
    if not (root / ".git").exists():
        git(root, "init", "--quiet", "--initial-branch", "main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", message)
    return git(root, "rev-parse", "HEAD").strip()


def pull_request(project: Path, tmp_path: Path, change: Callable[[Path], None]) -> tuple[Path, str]:
    """``project`` committed on ``main`` and pushed to an origin, then ``change`` made on a
    branch, regenerated, committed and pushed; the runner's shallow clone of that branch (the
    base commit not fetched, as actions/checkout leaves it) and the base commit's id."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    base = commit_all(project, "cluster from homeops-gen")
    git(project, "remote", "add", "origin", str(origin))
    git(project, "push", "--quiet", "origin", "main")
    git(project, "checkout", "--quiet", "-b", "change")
    change(project)
    assert run("-C", project).code == 0
    commit_all(project, "the change")
    git(project, "push", "--quiet", "origin", "change")
    clone = tmp_path / "job"
    git(
        tmp_path,
        "clone",
        "--quiet",
        "--depth=1",
        "--branch",
        "change",
        f"file://{origin}",
        str(clone),
    )
    return clone, base


def job_env(tmp_path: Path, base: str) -> dict[str, str]:
    """What a pull request's job gives its steps: this Python's commands on PATH, an empty
    step summary file, the runner's temporary folder, and the base commit (``BASE_SHA``,
    which the workflow sets from ``github.event.pull_request.base.sha``)."""
    import sys

    (tmp_path / "runner-temp").mkdir()
    (tmp_path / "step-summary").write_text("")
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "BASE_SHA": base,
    }
