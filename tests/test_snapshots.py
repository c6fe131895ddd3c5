"""Snapshots: the bytes of every generated file of every example model, each content once.

Many files are the same in several models (the shared Proxmox module, the Flux objects
of the helper apps). Each distinct content is pinned by one snapshot file, named after
the first model and path (in sorted order) that generate it; every model's file list
names, for each of its files, the snapshot holding its bytes. A file that changes in
one model only therefore changes that model's file list and gets a snapshot of its own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from syrupy.types import SnapshotIndex

from tests.conftest import MODELS, rendered

FOLDER = Path(__file__).parent / "__snapshots__" / "test_snapshots"


class GeneratedFile(SingleFileSnapshotExtension):
    """One readable text file per distinct content, named after its first model and path."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: SnapshotIndex = 0) -> str:
        model = test_location.testname.split("[", 1)[1].rstrip("]")
        return snapshot_name(model, str(index))


def snapshot_name(model: str, path: str) -> str:
    """The snapshot file (without ``.txt``) of ``path`` as ``model`` generates it."""
    return f"{model}__{path.replace('/', '__')}"


@cache
def owners() -> dict[str, tuple[str, str]]:
    """Each distinct content of a generated file -> the first (model, path) generating it."""
    found: dict[str, tuple[str, str]] = {}
    for model in sorted(MODELS):
        for path, text in rendered(model).items():
            found.setdefault(text, (model, path))
    return found


def file_list(model: str) -> str:
    """Every file ``model`` generates, and where another model's snapshot holds its bytes."""
    lines = []
    for path, text in rendered(model).items():
        owner, owner_path = owners()[text]
        if owner == model and owner_path == path:
            lines.append(path)
        elif owner_path == path:
            lines.append(f"{path} (same as {owner})")
        else:
            lines.append(f"{path} (same as {owner}: {owner_path})")
    return "\n".join(lines) + "\n"


@pytest.fixture
def snapshot_file(snapshot: SnapshotAssertion) -> Any:
    return snapshot.use_extension(GeneratedFile)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_generated_files(model: str, snapshot_file: Any) -> None:
    assert file_list(model) == snapshot_file(name="file-list"), "the file set or sharing changed"
    for path, text in rendered(model).items():
        if owners()[text] == (model, path):
            assert text == snapshot_file(name=path)


def test_no_stale_snapshot_files() -> None:
    """Every snapshot file holds a content some model still generates, or a file list."""
    expected = {f"{snapshot_name(*owner)}.txt" for owner in owners().values()}
    expected |= {f"{snapshot_name(model, 'file-list')}.txt" for model in MODELS}
    assert {p.name for p in FOLDER.iterdir()} == expected
