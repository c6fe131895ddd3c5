"""The README stays true to the code: its model reference is generated from the models'
field docstrings (``tools/readme_reference.py``; ``make regen`` rewrites it), and its code
layout names every module."""

from __future__ import annotations

from tests.conftest import ROOT
from tools.readme_reference import BEGIN, END, README, description, exported, model_reference


def test_every_model_field_is_documented() -> None:
    for model in exported():
        for name in model.model_fields:
            assert description(model, name), f"{model.__name__}.{name} needs a docstring"


def test_readme_model_reference_is_generated_from_the_models() -> None:
    text = README.read_text()
    assert BEGIN in text and END in text, "the README lost its model reference markers"
    current = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert current == model_reference(), "README's model reference is stale: run make regen"


def test_code_layout_names_every_module() -> None:
    text = README.read_text()
    layout = text[text.index("## Code layout") :].split("\n## ", 1)[0]
    assert "compiled_templates/" in layout
    for folder in ("homeops_gen", "generators", "tools"):
        for module in sorted((ROOT / folder).rglob("*.py")):
            generated = module.parent.name == "compiled_templates"  # the folder is named
            if module.name != "__init__.py" and not generated:
                assert module.name in layout, f"README's code layout does not name {module}"
