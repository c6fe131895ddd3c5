"""The installed wheel works outside this repository: templates and generators are packaged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, copy_model, tree


def test_wheel_generates_a_project_outside_the_repository(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("homeops_gen", "generators", "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("homeops_gen-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    project = copy_model("ha-vip", tmp_path / "elsewhere")
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import homeops_gen, homeops_gen.generators as g; print(homeops_gen.__file__, g.__file__)",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(p.startswith(str(site)) for p in where.stdout.split()), where.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "homeops_gen"], cwd=project, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert (project / "out/talos/talconfig.yaml").is_file()
    assert (project / "out/infrastructure/shared/proxmox/main.tf").is_file()
    check = subprocess.run(
        [sys.executable, "-m", "homeops_gen", "generate", "--check"],
        cwd=project,
        env=env,
        capture_output=True,
    )
    assert check.returncode == 0
    shutil.rmtree(project / "out")
    assert "cluster.py" in tree(project)
