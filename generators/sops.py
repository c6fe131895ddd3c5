"""Root file ``.sops.yaml``: which age recipients encrypt every secret path the model uses."""

from __future__ import annotations

from homeops_gen.formats import yaml_file
from homeops_gen.layout import SOPS_CONFIG
from homeops_gen.project import Project
from homeops_gen.secrets import creation_rules


def render(project: Project) -> dict[str, str]:
    """``.sops.yaml``."""
    return {SOPS_CONFIG: yaml_file({"creation_rules": creation_rules(project.cluster)})}
