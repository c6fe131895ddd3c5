"""What publishing to PyPI needs: complete metadata, and the release workflow of this
repository, whose build and check steps run here as GitHub would run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
import yaml

from homeops_gen import __version__
from tests.conftest import ROOT, SCHEMAS, needs_schemas

RELEASE = ROOT / ".github" / "workflows" / "release.yaml"
BIN = Path(sys.executable).parent


def _workflow() -> dict[str, Any]:
    document = yaml.safe_load(RELEASE.read_text())
    assert isinstance(document, dict)
    document["on"] = document.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub does not
    return document


def _step(name: str) -> str:
    [script] = [s["run"] for s in _workflow()["jobs"]["build"]["steps"] if s.get("name") == name]
    assert isinstance(script, str)
    return script


@needs_schemas
def test_the_release_workflow_matches_the_github_workflow_schema() -> None:
    import jsonschema

    schema = json.loads((SCHEMAS / "schemastore-github-workflow.json").read_text())
    jsonschema.validate(_workflow(), schema)


def test_only_a_tag_publishes_with_a_short_lived_token() -> None:
    publish = _workflow()["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["environment"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    assert "refs/tags/v" in publish["if"]
    assert any(
        s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in publish["steps"]
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow's build step, run on a clean copy of the repository's files."""
    source = tmp_path_factory.mktemp("release") / "source"
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode()
    for rel in filter(None, tracked.split("\0")):
        if (ROOT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, source / rel)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for step in ("Build", "Check the metadata PyPI shows"):
        proc = subprocess.run(
            ["bash", "-e", "-c", _step(step)], cwd=source, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, f"{step}:\n{proc.stdout}\n{proc.stderr}"
        if step.startswith("Check"):
            assert proc.stdout.count("PASSED") == 2, proc.stdout
    return source / "dist"


def test_the_sdist_and_the_wheel_carry_the_version_constant(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"homeops_gen-{__version__}-py3-none-any.whl",
        f"homeops_gen-{__version__}.tar.gz",
    ]


def test_the_wheel_metadata_is_complete(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"homeops_gen-{__version__}.dist-info/METADATA").decode()
        names = archive.namelist()
    metadata = Parser().parsestr(text)
    assert metadata["Name"] == "homeops-gen" and metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata["Summary"] and metadata["Author"] and metadata["Keywords"]
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Programming Language :: Python :: 3.13") for c in classifiers)
    extras = metadata.get_all("Provides-Extra") or []
    assert "validate" in extras
    readme = metadata.get_payload()  # the README: the project's page on PyPI
    assert isinstance(readme, str) and readme.startswith("# homeops-gen")
    assert f"homeops_gen-{__version__}.dist-info/licenses/LICENSE" in names
    assert "homeops_gen/templates/init/cluster.py.j2" in names
    assert "homeops_gen/py.typed" in names


def test_the_sdist_rebuilds_the_same_package(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for rel in ("pyproject.toml", "setup.py", "LICENSE", "README.md", "homeops_gen/__init__.py"):
        assert rel in names, rel
    assert "templates/init/cluster.py.j2" in names and "generators/workflow.py" in names
