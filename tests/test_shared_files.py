"""Shared root files (.gitignore, .gitattributes): homeops-gen owns a marked block, the user
owns every other line."""

from __future__ import annotations

from pathlib import Path

from homeops_gen.writer import BLOCK_BEGIN, BLOCK_END, owned_block, with_block
from tests.conftest import rendered, run


def test_users_gitignore_lines_survive_every_run(nova: Path) -> None:
    (nova / ".gitignore").write_text("# mine\n/scratch/\n*.local")
    assert run("-C", nova).code == 0
    text = (nova / ".gitignore").read_text()
    assert text.startswith("# mine\n/scratch/\n*.local\n\n" + BLOCK_BEGIN)
    assert owned_block(text) == rendered("nova")[".gitignore"]
    # The user adds a line after the block; the next runs keep it and change nothing.
    (nova / ".gitignore").write_text(text + "/notes/\n")
    assert run("-C", nova).code == 0
    assert (nova / ".gitignore").read_text() == text + "/notes/\n"
    assert run("-C", nova, "--check").code == 0


def test_a_changed_block_is_replaced_in_place(nova: Path) -> None:
    (nova / ".gitattributes").write_text(
        "*.png binary\n" + BLOCK_BEGIN + "stale\n" + BLOCK_END + "*.sh text eol=lf\n"
    )
    check = run("-C", nova, "--check")
    assert check.code == 1 and "changed: .gitattributes" in check.out
    assert run("-C", nova).code == 0
    text = (nova / ".gitattributes").read_text()
    assert text.startswith("*.png binary\n" + BLOCK_BEGIN)
    assert text.endswith(BLOCK_END + "*.sh text eol=lf\n")
    assert "stale" not in text


def test_hand_edit_inside_the_block_is_refused(nova: Path) -> None:
    assert run("-C", nova).code == 0
    path = nova / ".gitignore"
    path.write_text(path.read_text().replace(".terraform/\n", ""))
    before = path.read_text()
    result = run("-C", nova)
    assert result.code == 1
    assert ".gitignore: edited by hand" in result.err
    assert path.read_text() == before
    assert run("-C", nova, "--force").code == 0
    assert ".terraform/\n" in path.read_text()


def test_with_block_round_trips() -> None:
    assert with_block(None, "a\n") == BLOCK_BEGIN + "a\n" + BLOCK_END
    assert with_block("x\n", "a\n") == "x\n\n" + BLOCK_BEGIN + "a\n" + BLOCK_END
    merged = with_block("x\n", "a\n")
    assert with_block(merged, "b\n") == "x\n\n" + BLOCK_BEGIN + "b\n" + BLOCK_END
    assert owned_block(with_block(merged, "b\n")) == "b\n"
    assert with_block(merged, None) == "x\n\n"
    assert owned_block("no block\n") is None
