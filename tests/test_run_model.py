"""Running cluster.py: broken files give a short message pointing at the user's line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run, tree


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "cluster.py").write_text(source)
    return tmp_path


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("cluster = Cluster(\n", ["cluster.py:1", "syntax error"]),
        ("x = 1\nraise RuntimeError('boom')\n", ["cluster.py:2", "RuntimeError: boom"]),
        ("import no_such_module_here\n", ["cluster.py:1", "ModuleNotFoundError"]),
        ("clusters = 1\n", ["defines no variable 'cluster'"]),
        ("cluster = {'name': 'x'}\n", ["'cluster' is a dict", "homeops_gen.Cluster"]),
    ],
)
def test_broken_model_file(
    tmp_path: Path, source: str, words: list[str], debug: bool = False
) -> None:
    root = _project(tmp_path, source)
    before = tree(root)
    result = run("-C", root)
    assert result.code == 2
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 3, "a short message"
    assert tree(root) == before


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    root = _project(tmp_path, "raise RuntimeError('boom')\n")
    result = run("-C", root, "--debug")
    assert result.code == 2
    assert "Traceback" in result.err
