"""The project ``homeops-gen init`` starts: a realistic small cluster to edit."""

from __future__ import annotations

import re

from homeops_gen.generators.repository import gitignore
from homeops_gen.layout import GITIGNORE, MODEL_FILE
from homeops_gen.templating import render_template

STARTER_VERSIONS = {"talos": "v1.14.4", "kubernetes": "v1.35.0"}
"""The Talos and Kubernetes versions a new project starts on."""

DEFAULT_NAME = "homelab"


def cluster_name(folder: str) -> str:
    """A cluster name from the project folder's name, when it makes a DNS label."""
    name = re.sub(r"[^a-z0-9-]+", "-", folder.lower()).strip("-")[:40].strip("-")
    return name or DEFAULT_NAME


def starter_files(folder: str) -> dict[str, str]:
    """``cluster.py`` and the ``.gitignore`` block of a new project in ``folder``."""
    model = render_template(
        "init/cluster.py.j2", cluster_name=cluster_name(folder), **STARTER_VERSIONS
    )
    return {MODEL_FILE: model, GITIGNORE: gitignore()}


NEXT_STEPS = """\
Next steps:
  1. Edit {model}: every value marked CHANGE is an example.
  2. homeops-gen            # writes out/ and the root files
  3. homeops-gen validate   # needs homeops-gen[validate]
  4. Commit and push, then follow the first-apply guide in the README.
"""
