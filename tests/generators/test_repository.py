"""The generated blocks of .gitignore and .gitattributes."""

from __future__ import annotations

import fnmatch

import pytest

from homeops_gen.layout import CLUSTERCONFIG, MANIFEST
from tests.conftest import MODELS, rendered


@pytest.mark.parametrize("model", sorted(MODELS))
def test_gitattributes_marks_every_generated_file(model: str) -> None:
    files = rendered(model)
    lines = files[".gitattributes"].splitlines()
    patterns = [ln.split()[0].lstrip("/") for ln in lines if "linguist-generated=true" in ln]
    for path in files:
        if path in (".gitignore", ".gitattributes"):
            continue
        assert any(fnmatch.fnmatch(path, p.replace("**", "*")) for p in patterns), path
    assert f"/{MANIFEST} -diff linguist-generated=true" in lines


@pytest.mark.parametrize("model", sorted(MODELS))
def test_gitignore_covers_what_the_stack_leaves_behind(model: str) -> None:
    lines = rendered(model)[".gitignore"].splitlines()
    for entry in (
        ".env",
        ".terragrunt-cache/",
        ".terraform/",
        ".direnv/",
        f"/{CLUSTERCONFIG}/",
        ".venv/",
        "*.tfstate",
    ):
        assert entry in lines, entry
    assert any(line.startswith(".devenv") for line in lines)
    # The example of the credentials is committed; only .env itself is ignored.
    assert ".env.example" not in lines and "*.env*" not in lines
