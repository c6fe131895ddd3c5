"""Properties every generated file has, whatever the layer."""

from __future__ import annotations

import pytest

from homeops_gen.formats import HEADER
from homeops_gen.writer import BLOCK_BEGIN
from tests.conftest import MODELS, generated, on_disk, rendered


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_file_ends_with_one_newline(model: str) -> None:
    for path, text in generated(model).items():
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        assert "\r" not in text and "\t" not in text, path


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_file_says_it_is_generated_from_cluster_py(model: str) -> None:
    for path, text in generated(model).items():
        head = "\n".join(on_disk(path, text).splitlines()[:2])
        assert f"# {HEADER}" in head or head.startswith(BLOCK_BEGIN), path
        assert "cluster.py" in HEADER and "cluster.py" in BLOCK_BEGIN


@pytest.mark.parametrize("model", sorted(MODELS))
def test_paths_are_relative_and_inside_the_project(model: str) -> None:
    for path in rendered(model):
        assert not path.startswith("/") and ".." not in path.split("/"), path
        assert path.startswith("out/") or "/" not in path, path
