"""Root files ``.gitignore`` and ``.gitattributes``: a repository that is safe to push, whose
generated files fold in code review.

Both files are shared with the user: homeops-gen owns a marked block in each
(:data:`homeops_gen.layout.BLOCK_FILES`), and the writer keeps every other line.
"""

from __future__ import annotations

from collections.abc import Iterable

from homeops_gen.layout import BLOCK_FILES, CLUSTERCONFIG, GITATTRIBUTES, GITIGNORE, MANIFEST, OUT
from homeops_gen.templating import render_template


def gitignore() -> str:
    """The generated block of ``.gitignore`` (also what ``init`` starts a project with)."""
    return render_template("repository/gitignore.j2", clusterconfig=CLUSTERCONFIG)


def render(generated: Iterable[str]) -> dict[str, str]:
    """``.gitignore`` and ``.gitattributes`` for a project that generates ``generated``."""
    outside = sorted(p for p in generated if not p.startswith(f"{OUT}/") and p not in BLOCK_FILES)
    patterns = [f"/{OUT}/**", *(f"/{p}" for p in outside)]
    return {
        GITIGNORE: gitignore(),
        GITATTRIBUTES: render_template(
            "repository/gitattributes.j2", generated=patterns, manifest=MANIFEST
        ),
    }
