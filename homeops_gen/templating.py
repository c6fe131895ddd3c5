"""The one Jinja2 environment the generators render their templates with."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

from homeops_gen.formats import HEADER, hcl_string, hcl_value, nix_string, shell_quote


@cache
def environment() -> jinja2.Environment:
    """Strict about undefined names, with an escaping filter for each format."""
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
