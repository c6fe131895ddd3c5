"""Root files for operators without Nix: a ``justfile`` (the scripts of ``devenv.nix`` as just
recipes) and a ``.mise.toml`` pinning the version of every tool they run.

Both come from the same definitions as ``devenv.nix`` (:func:`devenv.scripts`,
:data:`devenv.TOOLS`). just runs a recipe in the justfile's folder, with ``.env`` loaded
(``set dotenv-load``) and the recipe's arguments as ``$@`` (``set positional-arguments``);
mise installs the ``[tools]`` of ``.mise.toml`` from the aqua registry and puts them on
``PATH`` in the project (just manual, "Settings"; mise docs, "Configuration").
"""

from __future__ import annotations

import json

from homeops_gen.formats import HEADER
from homeops_gen.generators.devenv import JUST_ROOT, scripts, tool_version, tools
from homeops_gen.layout import JUSTFILE, MISE_CONFIG
from homeops_gen.model import Cluster
from homeops_gen.project import Project

JUST = ("aqua:casey/just", "1.56.0")
"""just itself, pinned beside the tools (a just release the recipes' syntax works with)."""


def justfile(cluster: Cluster) -> str:
    """Every script of devenv.nix as a recipe taking any arguments."""
    lines = [
        f"# {HEADER}",
        "#",
        "# The operator's scripts (the same as devenv.nix's): `just --list` lists them,",
        "# `just talos-apply NODE` runs one. The tools come from .mise.toml (`mise install`).",
        "",
        "set dotenv-load",
        "set positional-arguments",
        'set shell := ["bash", "-c"]',
    ]
    for script in scripts(cluster, JUST_ROOT):
        body = script.exec.replace("{{", "{{{{")  # just's interpolation starts with {{
        lines += ["", f"# {script.description}", f"{script.name} *args:", f"    @{body}"]
    return "\n".join(lines) + "\n"


def mise_config(cluster: Cluster) -> str:
    """``[tools]``: each tool the recipes run at its pinned version, and just."""
    pins = [(t.mise, tool_version(cluster, t)) for t in tools(cluster) if t.mise is not None]
    lines = [
        f"# {HEADER}",
        "#",
        "# The tools of the justfile's recipes, pinned: `mise install` installs them and",
        "# mise puts them on PATH in this folder. talosctl is at versions.talos and kubectl",
        "# at versions.kubernetes of cluster.py.",
        "",
        "[tools]",
        *(f"{json.dumps(name)} = {json.dumps(version)}" for name, version in [*pins, JUST]),
    ]
    return "\n".join(lines) + "\n"


def render(project: Project) -> dict[str, str]:
    """``justfile`` and ``.mise.toml`` when ``automation.task_runner`` includes just."""
    cluster = project.cluster
    if "just" not in cluster.automation.task_runners:
        return {}
    return {JUSTFILE: justfile(cluster), MISE_CONFIG: mise_config(cluster)}
