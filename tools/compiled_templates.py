"""The compiled templates (``homeops_gen/compiled_templates/``): ``make regen`` rewrites them,
``tests/test_compiled_templates.py`` fails when one is stale."""

from __future__ import annotations

from pathlib import Path

from homeops_gen import templating

COMPILED = Path(templating.__file__).resolve().parent / "compiled_templates"


def on_disk() -> dict[str, str]:
    """Each compiled module's file name and text, as committed."""
    return {p.name: p.read_text() for p in COMPILED.glob("*.py") if p.name != "__init__.py"}


def rewrite() -> bool:
    """Write every template's current compiled module, drop stale ones; whether any changed."""
    wanted = templating.compiled_modules()
    current = on_disk()
    for stale in set(current) - set(wanted):
        (COMPILED / stale).unlink()
    for file, text in wanted.items():
        if current.get(file) != text:
            (COMPILED / file).write_text(text)
    return current != wanted
