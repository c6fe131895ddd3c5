"""Every hand-written repository of tests/fixtures/import-sources: imported, generated and
compared object by object, with the report's counts adding up to the source's files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run, tree

SOURCES = FIXTURES / "import-sources"


@pytest.mark.parametrize("name", sorted(p.name for p in SOURCES.iterdir() if p.is_dir()))
def test_import_keeps_every_object_or_reports_why(name: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SOURCES / name, source)
    before = tree(source)

    result = run("import", source, "-C", tmp_path / "project")

    assert result.code == 0, result.out + result.err
    assert tree(source) == before
    assert "0 missing or different without a reason" in result.out
    line = next(x for x in result.out.splitlines() if x.startswith("files of the source:"))
    total, parts = line.split(": ", 1)[1].split(" = ")
    assert int(total) == sum(int(p.split()[0]) for p in parts.split(" + ")) == len(before)
    copied = [x.rsplit(" to ", 1)[1] for x in result.out.splitlines() if "byte for byte to " in x]
    assert len(copied) == len(set(copied)), "two sources share a destination"
    assert run("-C", tmp_path / "project").code == 0
    compared = run("compare", source, "-C", tmp_path / "project")
    assert compared.code == 0, compared.out
