"""YAML as kustomize reads it: what go-yaml accepts and PyYAML refuses."""

from __future__ import annotations

import pytest
import yaml

from homeops_gen.importer.source import load_yaml


def test_a_redefined_anchor_takes_the_newest_definition() -> None:
    text = "a: &x 1\nb: *x\nc: &x 2\nd: *x\n"
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    assert load_yaml(text) == [{"a": 1, "b": 1, "c": 2, "d": 2}]


def test_a_plain_equals_sign_is_a_string() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load("separator: =\n")
    assert load_yaml("separator: =\nlist: [=, '=']\n") == [{"separator": "=", "list": ["=", "="]}]


def test_what_kustomize_refuses_is_still_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: *undefined\n")
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [1, 2\n")


def test_empty_documents_are_dropped_and_yaml_1_1_scalars_kept() -> None:
    assert load_yaml("---\n---\na: yes\nb: 0o17\n") == [{"a": True, "b": "0o17"}]


def test_hcl_strings_are_unescaped_as_hcl_defines_it() -> None:
    """hashicorp/hcl ``hclsyntax/spec.md``: \\n, \\r, \\t, \\", \\\\, \\uNNNN, \\UNNNNNNNN."""
    from homeops_gen.importer.source import hcl_literal

    text = '"a:\\n  - b\\t\\"c\\" \\\\d \\u00e9\\U0001F600"'
    assert hcl_literal(text) == 'a:\n  - b\t"c" \\d é\U0001f600'
