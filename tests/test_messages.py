"""Refusals in the user's words: the field, the bad value, what would be right; never a regular
expression or a pydantic error type."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from homeops_gen import model as model_module
from tests.conftest import MODELS, run


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "cluster.py").write_text(source)
    return tmp_path


def _nova_with(tmp_path: Path, old: str, new: str) -> str:
    source = (MODELS["nova"] / "cluster.py").read_text()
    assert old in source
    result = run("-C", _project(tmp_path, source.replace(old, new, 1)))
    assert result.code == 2
    assert not (tmp_path / "out").exists()
    return result.err


def test_a_malformed_version_says_what_a_version_looks_like(tmp_path: Path) -> None:
    err = _nova_with(tmp_path, 'talos="v1.11.5"', 'talos="latest"')
    assert (
        "  versions.talos: 'latest' is not a Talos version such as v1.11.5 "
        "(or a pre-release such as v1.14.0-rc.1)\n" in err
    )


def test_a_misspelt_field_suggests_the_closest_and_hides_the_missing_one(tmp_path: Path) -> None:
    err = _nova_with(tmp_path, "memory_mib=4096,", "memroy_mib=4096,")
    assert (
        "nodes[0].memroy_mib: unknown field 'memroy_mib' of Node; did you mean 'memory_mib'?" in err
    )
    assert "memory_mib: " not in err.replace("memroy_mib: ", "")


def test_a_helper_argument_names_the_field_it_fills(tmp_path: Path) -> None:
    err = _nova_with(tmp_path, 'cilium("1.18.4")', 'cilium("latest")')
    assert "  apps[0].chart.version: 'latest' is not a chart version such as 1.18.4" in err


def test_rule_errors_name_the_object_and_its_line(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    line = source[: source.index('ip="192.168.2.202"')].count("\n") + 1
    node_line = max(i + 1 for i, text in enumerate(source.splitlines()[:line]) if "Node(" in text)
    err = _nova_with(tmp_path, 'ip="192.168.2.202"', 'ip="10.0.0.1"')
    assert (
        "  nodes[1].ip: 10.0.0.1 is outside node_cidr 192.168.2.0/24 "
        f"(node 'workload', cluster.py:{node_line})"
    ) in err


def _constraints(annotation: Any) -> list[Any]:
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in get_args(annotation):
        found += _constraints(arg)
    return found


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(model_module).values()
        if isinstance(value, type) and issubclass(value, model_module.Base)
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_no_field_reports_a_regular_expression(model: type[BaseModel]) -> None:
    """Pattern checks go through ``matching``, whose message says what is right instead."""
    for name, field in model.model_fields.items():
        for constraint in [*field.metadata, *_constraints(field.annotation)]:
            assert getattr(constraint, "pattern", None) is None, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('name="nova"', 'name="Nova!"'),
        ('node_cidr="192.168.2.0/24"', 'node_cidr="192.168.2.0/33"'),
        ("vm_id=100", "vm_id=5"),
        ('role="controlplane"', 'role="master"'),
        ('bucket="home-ops-remote-state"', 'bucket="Home Ops"'),
        ('branch="main"', 'branch="-x y"'),
        ('install_disk="/dev/sda"', 'install_disk="sda"'),
        ('extensions=["siderolabs/qemu-guest-agent"]', 'extensions=["qemu guest agent"]'),
        ('labels={"physical-location": "nas"}', 'labels={"physical location": "nas"}'),
        ("cores=2", 'cores="two"'),
    ],
)
def test_messages_carry_no_regex_or_error_type(tmp_path: Path, old: str, new: str) -> None:
    err = _nova_with(tmp_path, old, new)
    bad = new.split("=", 1)[1].strip('"{}')
    assert bad.split('"')[0] in err, err
    for jargon in ("pattern", "^", "\\d", "$'", "Value error", "_error", "Extra inputs"):
        assert jargon not in err, err
    assert re.search(r"\n  [a-z_]+[.\[:]", err), err


def test_a_node_made_by_a_helper_keeps_its_index_name_and_line(tmp_path: Path) -> None:
    source = (MODELS["homelab"] / "cluster.py").read_text()
    line = source[: source.index('_node("k8s-1"')].count("\n") + 1
    source = source.replace('memory_mib=16384 if role == "worker" else 8192', "memory_mb=8192")
    err = run("-C", _project(tmp_path, source)).err
    assert (
        "  nodes[0].memory_mb: unknown field 'memory_mb' of Node; did you mean 'memory_mib'? "
        f"(node 'k8s-0', cluster.py:{line - 1})"
    ) in err, err
    assert "Node.memory_mb" not in err


def test_a_node_made_in_a_comprehension_keeps_its_index(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    start, end = source.index("    nodes=[\n"), source.index("    talos=Talos(")
    specs = [
        'dict(name="controlplane", role="controlplane", host="hypnos", vm_id=100, '
        'ip="192.168.2.58", cores=2, memory_mib=4096, disk_gib=48)',
        'dict(name="workload", role="worker", host="hypnos", vm_id=101, '
        'ip="192.168.2.202", cores=3, memory_mib=512, disk_gib=2)',
    ]
    nodes = f"    nodes=[Node(**spec) for spec in [{', '.join(specs)}]],\n"
    err = run("-C", _project(tmp_path, source[:start] + nodes + source[end:])).err
    assert "  nodes[1].disk_gib: 2: input should be greater than or equal to 8" in err, err


def test_a_node_written_as_a_dict_is_named_with_its_line(tmp_path: Path) -> None:
    from tests.models import BASE, model, write_model

    worker = {**BASE["nodes"][3], "memory_mb": 8192}
    err = run("-C", write_model(tmp_path, model(nodes__3=worker))).err
    assert "  nodes[3].memory_mb: unknown field 'memory_mb' of Node; did you mean" in err, err
    assert "(node 'worker-1', cluster.py:" in err, err
