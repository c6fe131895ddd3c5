"""Where in cluster.py a problem is: an object that fails to build is named by its place in
the cluster."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MODELS, run


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "cluster.py").write_text(source)
    return tmp_path


def test_nested_constructor_errors_name_the_list_entry(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    broken = source.replace('ip="192.168.2.202"', 'ip="192.168.2.300"')
    assert broken != source
    result = run("-C", _project(tmp_path, broken))
    assert result.code == 2
    assert "  nodes[1].ip: " in result.err
    assert "IPv4" in result.err


def test_nested_error_in_a_host(tmp_path: Path) -> None:
    source = (MODELS["nova"] / "cluster.py").read_text()
    broken = source.replace('vm_datastore="vms1"', 'vm_datastore="vms1", disk="x"')
    result = run("-C", _project(tmp_path, broken))
    assert "  hosts[0].disk: unknown field 'disk' of ProxmoxHost" in result.err
