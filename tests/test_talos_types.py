"""The generated Talos types table against Talos' own schemas, and the patch check it drives.

The table's minors 1.11 to 1.13 are checked against ../shared/schemas; 1.7 to 1.10 and 1.14
against the machinery in Go's module cache, which `make consumers` fills (without it those
minors are skipped by name, with the command that fetches them).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from homeops_gen import compat, talos_types, talos_types_data
from tests.talos_types_gen import MODULE, RELEASES, render, schema_path, table


@pytest.mark.parametrize("minor", list(RELEASES))
def test_table_matches_the_schema_of_each_minor(minor: str) -> None:
    version = RELEASES[minor]
    path = schema_path(version)
    if path is None:
        pytest.skip(f"no schema of {MODULE}@{version} here (go mod download it)")
    data = path.read_bytes()
    assert talos_types_data.SOURCES[minor] == {
        "machinery": version,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    tab = table(json.loads(data))
    names = talos_types_data.MINORS[minor]
    assert names["kinds"] == tab["kinds"]
    assert {n: talos_types_data.TYPES[k] for n, k in names["defs"].items()} == tab["defs"]


def test_every_supported_talos_minor_has_types() -> None:
    assert [compat.minor(m) for m in RELEASES] == sorted(compat.TALOS)
    assert set(talos_types_data.MINORS) == set(RELEASES)


def test_render_is_deterministic_and_shares_types() -> None:
    one = {"kinds": {"v1alpha1": "A"}, "defs": {"A": ["object", {"x": "string"}]}}
    text = render({"v1.7": ("v1.7.0", "0", one), "v1.8": ("v1.8.0", "1", one)})
    assert text == render({"v1.7": ("v1.7.0", "0", one), "v1.8": ("v1.8.0", "1", one)})
    assert text.count('"x": "string"') == 1


def test_misspelt_field_is_refused_with_the_closest_name() -> None:
    problems = talos_types.check({"machine": {"featurs": {}}}, "v1.13")
    assert problems == [
        (
            "machine.featurs",
            "no field 'featurs' in the v1alpha1 config.machine (Talos v1.13); "
            "did you mean 'features'?",
        )
    ]


def test_unknown_kind_is_refused_with_the_closest_kind() -> None:
    problems = talos_types.check({"apiVersion": "v1alpha1", "kind": "SysctlsConfig"}, "v1.14")
    assert problems == [
        (
            "kind",
            "'SysctlsConfig' is not a config document of Talos v1.14; "
            "did you mean 'SysctlConfig'?",
        )
    ]


def test_a_kind_newer_than_the_contract_is_unknown() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "KubeletConfig", "extraArgs": {"v": "2"}}
    assert talos_types.check(doc, "v1.14") == []
    assert talos_types.check(doc, "v1.13")[0][0] == "kind"


def test_wrong_types_are_refused() -> None:
    patch = {
        "machine": {
            "kubelet": {"extraArgs": {"max-pods": ["a", 1, {"x": 1}]}},
            "sysctls": {"vm.nr_hugepages": 1024},  # an int is a YAML scalar: fine for a string
            "features": {"kubePrism": {"enabled": "yes"}},
            "certSANs": "a.example",
        }
    }
    assert talos_types.check(patch, "v1.13") == [
        ("machine.kubelet.extraArgs.max-pods", "a list is not a string or a list"),
        ("machine.features.kubePrism.enabled", "'yes' is not true or false"),
        ("machine.certSANs", "'a.example' is not a list"),
    ]


def test_strategic_merge_directives_and_nulls_are_accepted() -> None:
    patch = {"machine": {"features": {"$patch": "delete"}, "certSANs": None}}
    assert talos_types.check(patch, "v1.13") == []
    doc = {"apiVersion": "v1alpha1", "kind": "KubeFlannelCNIConfig", "$patch": "delete"}
    assert talos_types.check(doc, "v1.14") == []


def test_a_contract_newer_than_the_table_uses_the_newest_minor() -> None:
    assert talos_types.table_minor("v1.99") == "v1.14"
    assert talos_types.table_minor("v1.5") == "v1.7"
