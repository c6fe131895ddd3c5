"""Rendering: every generator turns the project into ``{relative path: text}``, without I/O."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module, resources
from typing import Any

import jinja2

from homeops_gen.formats import HEADER, hcl_string, hcl_value, nix_string, shell_quote
from homeops_gen.project import Project

Rendered = dict[str, str]
"""Generated files: path relative to the project root -> full text."""

LAYERS = ("infrastructure", "talos", "bootstrap", "kubernetes", "devenv", "sops")
"""The generator modules, in ``homeops_gen.generators`` (the ``generators/`` folder)."""


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: strict about undefined names, filters for each format."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("homeops_gen.templates"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(hcl=hcl_value, hcl_string=hcl_string, sh=shell_quote, nix=nix_string)
    env.globals["header"] = HEADER
    return env


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)


def render(project: Project) -> Rendered:
    """Every generated file of ``project``, sorted by path."""
    files: Rendered = {}
    for layer in LAYERS:
        generate: Callable[[Project], Rendered] = import_module(
            f"homeops_gen.generators.{layer}"
        ).render
        for path, text in generate(project).items():
            if path in files:
                raise AssertionError(f"{path} is generated twice")
            files[path] = text
    # Last: .gitattributes lists every other generated file.
    files.update(import_module("homeops_gen.generators.repository").render(files))
    return dict(sorted(files.items()))
