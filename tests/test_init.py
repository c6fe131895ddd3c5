"""``homeops-gen init``: a starter project that generates and validates as written."""

from __future__ import annotations

from pathlib import Path

from homeops_gen.starter import cluster_name
from homeops_gen.writer import BLOCK_BEGIN
from tests.conftest import run, tree


def test_init_writes_a_starter_that_generates_and_validates(tmp_path: Path) -> None:
    project = tmp_path / "my-lab"
    result = run("init", project)
    assert result.code == 0, result.err
    assert "Next steps" in result.out
    assert "automation.install" in result.out, "init says where CI installs homeops-gen from"
    assert sorted(tree(project)) == [".gitignore", "cluster.py"]
    model = (project / "cluster.py").read_text()
    assert 'name="my-lab"' in model
    assert model.count("# CHANGE") >= 10, "every value a user must change is marked"
    generated = run("-C", project)
    assert generated.code == 0, generated.err
    # Only the examples are warned about (tests/test_first_day.py edits them: then none).
    warnings = [line for line in generated.err.splitlines() if line.startswith("warning[")]
    assert warnings and all(w.startswith("warning[example-value]") for w in warnings), warnings
    assert run("-C", project, "--check").code == 0
    validated = run("-C", project, "validate")
    assert validated.code == 0, validated.err


def test_the_starter_is_on_the_newest_versions_that_work_together() -> None:
    """The newest Cilium line known, and the newest Kubernetes minor both it and the starter's
    Talos support (the starter test above proves the model has no version warning)."""
    from homeops_gen import compat
    from homeops_gen.known_releases import HELPER_CHART_NEWEST
    from homeops_gen.starter import STARTER_VERSIONS

    newest_cilium = max(HELPER_CHART_NEWEST["cilium"], key=compat.minor)
    assert STARTER_VERSIONS["cilium"] == HELPER_CHART_NEWEST["cilium"][newest_cilium]
    talos = compat.TALOS_KUBERNETES[compat.minor(STARTER_VERSIONS["talos"])][1]
    cilium = compat.CILIUM_KUBERNETES[compat.minor(STARTER_VERSIONS["cilium"])][1]
    assert compat.minor(STARTER_VERSIONS["kubernetes"]) == min(talos, cilium)


def test_init_in_the_working_directory(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    assert run("init").code == 0
    assert (tmp_path / "cluster.py").is_file()


def test_init_never_overwrites_a_model(tmp_path: Path) -> None:
    (tmp_path / "cluster.py").write_text("# mine\n")
    result = run("init", tmp_path)
    assert result.code == 1
    assert "already exists" in result.err
    assert tree(tmp_path) == {"cluster.py": b"# mine\n"}


def test_init_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    assert run("init", tmp_path).code == 0
    text = (tmp_path / ".gitignore").read_text()
    assert text.startswith("node_modules/\n\n" + BLOCK_BEGIN)


def test_cluster_name_from_the_folder() -> None:
    assert cluster_name("My_Lab 2") == "my-lab-2"
    assert cluster_name("___") == "homelab"
