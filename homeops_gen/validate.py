"""Checks of rendered output before anything is written: each file must parse in its format."""

from __future__ import annotations

from collections.abc import Callable

import yaml

from homeops_gen.errors import ValidationFailed

Check = Callable[[dict[str, str]], list[str]]


def parse_yaml(rendered: dict[str, str]) -> list[str]:
    """Every ``.yaml`` file parses (all documents)."""
    problems = []
    for path, text in rendered.items():
        if path.endswith((".yaml", ".yml")):
            try:
                list(yaml.safe_load_all(text))
            except yaml.YAMLError as exc:
                problems.append(f"{path}: not valid YAML: {exc}")
    return problems


def parse_hcl(rendered: dict[str, str]) -> list[str]:
    """Every ``.hcl`` and ``.tf`` file parses with python-hcl2."""
    import hcl2  # imported here: only this check needs the parser

    problems = []
    for path, text in rendered.items():
        if path.endswith((".hcl", ".tf")):
            try:
                hcl2.loads(text)
            except Exception as exc:  # the parser raises several unrelated types
                problems.append(f"{path}: not valid HCL: {exc}")
    return problems


FAST_CHECKS: list[Check] = [parse_yaml, parse_hcl]
"""In-process checks ``generate`` runs before writing."""


def validate(rendered: dict[str, str], checks: list[Check] | None = None) -> None:
    """Raise :class:`ValidationFailed` listing every problem the checks find."""
    problems: list[str] = []
    for check in FAST_CHECKS if checks is None else checks:
        problems.extend(check(rendered))
    if problems:
        raise ValidationFailed(problems)


ALL_CHECKS: list[Check] = [*FAST_CHECKS]
"""Every check ``homeops-gen validate`` runs, the external tools' included."""
