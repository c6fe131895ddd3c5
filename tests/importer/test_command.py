"""The ``import`` command: where it writes, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeops_gen.cli import main

from tests.conftest import copy_model, run, tree


def _generated(tmp_path: Path) -> Path:
    source = copy_model("nova", tmp_path / "source")
    assert run("-C", source).code == 0
    return source


def test_an_existing_cluster_py_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source = _generated(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "cluster.py").write_text("# mine\n")

    result = run("import", source, "-C", target)

    assert result.code == 1
    assert "cluster.py exists" in result.err and "--force" in result.err
    assert tree(target) == {"cluster.py": b"# mine\n"}


def test_force_replaces_cluster_py(tmp_path: Path) -> None:
    source = _generated(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "cluster.py").write_text("# mine\n")

    result = run("import", source, "-C", target, "--force")

    assert result.code == 0, result.err
    assert 'name="nova"' in (target / "cluster.py").read_text()


def test_another_file_in_the_way_is_never_overwritten(tmp_path: Path) -> None:
    source = copy_model("sops-secrets", tmp_path / "source")
    assert run("-C", source).code == 0
    target = tmp_path / "target"
    mine = target / "secrets" / "observability" / "grafana" / "grafana-admin.sops.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine\n")

    result = run("import", source, "-C", target, "--force")

    assert result.code == 1
    assert "grafana-admin.sops.yaml" in result.err
    assert tree(target) == {"secrets/observability/grafana/grafana-admin.sops.yaml": b"mine\n"}


def test_importing_into_the_source_is_refused(tmp_path: Path) -> None:
    source = _generated(tmp_path)
    before = tree(source)

    result = run("import", source, "-C", source / "adopted")

    assert result.code == 1
    assert "inside SOURCE" in result.err
    assert tree(source) == before


def test_import_needs_a_source_and_other_commands_take_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", "-C", str(tmp_path)])
    assert caught.value.code == 2
    assert "the following arguments are required: SOURCE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["diff", str(tmp_path)])  # a folder goes with init and import only
    assert caught.value.code == 2
    assert list(tmp_path.iterdir()) == []


def test_a_missing_source_is_reported(tmp_path: Path) -> None:
    result = run("import", tmp_path / "nowhere", "-C", tmp_path / "target")

    assert result.code == 2
    assert "not a folder" in result.err
    assert not (tmp_path / "target").exists()
