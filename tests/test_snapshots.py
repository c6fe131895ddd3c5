"""Snapshots: every generated file of every example model, one snapshot file each."""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from syrupy.types import SnapshotIndex

from tests.conftest import MODELS, rendered


class GeneratedFile(SingleFileSnapshotExtension):
    """One readable text file per generated file, named after the model and the path."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: SnapshotIndex = 0) -> str:
        model = test_location.testname.split("[", 1)[1].rstrip("]")
        return f"{model}__{str(index).replace('/', '__')}"


@pytest.fixture
def snapshot_file(snapshot: SnapshotAssertion) -> Any:
    return snapshot.use_extension(GeneratedFile)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_generated_files(model: str, snapshot_file: Any) -> None:
    files = rendered(model)
    assert "\n".join(files) + "\n" == snapshot_file(name="file-list"), "the file set changed"
    for path, text in files.items():
        assert text == snapshot_file(name=path)


def test_no_stale_snapshot_files() -> None:
    """Every snapshot file belongs to a file some model still generates."""
    from pathlib import Path

    folder = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    expected = {
        f"{model}__{name.replace('/', '__')}.txt"
        for model in MODELS
        for name in ["file-list", *rendered(model)]
    }
    assert {p.name for p in folder.iterdir()} == expected
