"""The one Jinja2 environment the generators render their templates with.

Compiling a template (Jinja's lexer, parser and code generator, then Python's
``compile``) costs about as much as the rest of a ``generate --check`` on nova, and
the templates only change with homeops-gen itself. So each template also ships
compiled, as a module of :mod:`homeops_gen.compiled_templates` that Python loads
from its bytecode. A compiled module is used only when its fingerprint (the
template's text, the Jinja2 version and the environment's options) matches the
template being loaded; otherwise the template is compiled from its text, as usual.
``make regen`` (``tools/compiled_templates.py``) writes them, and that test fails when
one is out of date.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from functools import cache
from importlib import import_module, resources
from types import ModuleType
from typing import Any

import jinja2

from homeops_gen.formats import HEADER, hcl_string, hcl_value, nix_string, shell_quote

COMPILED_PACKAGE = "homeops_gen.compiled_templates"


class _Loader(jinja2.FileSystemLoader):
    """Templates from ``templates/``, loaded from their compiled modules when those match."""

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        source, filename, _ = self.get_source(environment, name)
        module = _compiled_module(name)
        if (
            module is None
            or getattr(module, "FINGERPRINT", None) != fingerprint(environment, source)
            # a module serves one environment: its namespace becomes the template's
            or module.__dict__.get("environment", environment) is not environment
        ):
            return super().load(environment, name, globals)
        template: jinja2.Template = environment.template_class.from_module_dict(
            environment, module.__dict__, {} if globals is None else globals
        )
        template.filename = filename  # errors point at the template, not at its module
        return template


@cache
def environment() -> jinja2.Environment:
    """Strict about undefined names, with an escaping filter for each format."""
    env = jinja2.Environment(
        loader=_Loader(str(resources.files("homeops_gen.templates"))),
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


def fingerprint(env: jinja2.Environment, source: str) -> str:
    """What a template's compiled code depends on: its text, the Jinja2 version, and the
    environment options that change the code Jinja generates."""
    options = (
        jinja2.__version__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.autoescape,
        env.optimized,
        sorted(env.extensions),
    )
    return hashlib.sha256(f"{options!r}\n{source}".encode()).hexdigest()


def module_name(template: str) -> str:
    """The compiled module of ``template`` (``talos/gen.sh.j2`` -> ``talos_gen_sh``)."""
    return re.sub(r"\W", "_", template.removesuffix(".j2"))


def _compiled_module(template: str) -> ModuleType | None:
    name = f"{COMPILED_PACKAGE}.{module_name(template)}"
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def compiled_modules() -> dict[str, str]:
    """The text of every template's compiled module, by file name (``<module>.py``)."""
    env = environment()
    modules: dict[str, str] = {}
    for template in env.list_templates(extensions=["j2"]):
        file = f"{module_name(template)}.py"
        if file in modules:
            raise ValueError(f"two templates compile to {file}; rename {template}")
        source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
        code = env.compile(source, template, raw=True, defer_init=True)
        modules[file] = (
            f"# Compiled from templates/{template} by `make regen`;\n"
            "# do not edit (loaded only while the fingerprint matches the template).\n"
            f"FINGERPRINT = {fingerprint(env, source)!r}\n"
            f"{code}\n"
        )
    return modules
