"""Import of bare-metal nodes and DHCP nodes (fixture bare-metal-mix): what only one file
states comes back from that file."""

from __future__ import annotations

from pathlib import Path

from homeops_gen.project import load
from tests.conftest import copy_model, run


def _import(tmp_path: Path, drop: str | None = None, code: int = 0) -> tuple[Path, str]:
    source = copy_model("bare-metal-mix", tmp_path / "source")
    assert run("-C", source).code == 0
    if drop:
        (source / drop).unlink()
    imported = tmp_path / "imported"
    result = run("import", source, "-C", imported)
    assert result.code == code, result.err
    return imported, result.out + result.err


def test_a_dhcp_vm_keeps_its_ip_from_talos_apply_and_its_dhcp_from_cloud_init(
    tmp_path: Path,
) -> None:
    imported, report = _import(tmp_path)
    [node] = [n for n in load(imported).cluster.nodes if n.name == "worker-2"]
    assert (str(node.ip), node.dhcp, node.host) == ("10.50.0.22", True, "pve")
    assert "out/talos/apply.sh: the nodes' IPs (talos-apply's targets)" in report


def test_without_apply_sh_a_dhcp_vm_s_ip_is_missing_and_said_so(tmp_path: Path) -> None:
    """Nothing else states a DHCP VM's IP: its cloud-init address is ``dhcp``."""
    imported, report = _import(tmp_path, drop="out/talos/apply.sh", code=1)
    text = (imported / "cluster.py").read_text()
    assert 'ip="10.50.0.22"' not in text and 'ip="10.50.0.21"' in text
    assert "nodes[4].ip: Node needs the field 'ip' (node 'worker-2'" in report


def test_nodes_no_vm_runs_come_back_as_bare_metal_nodes(tmp_path: Path) -> None:
    imported, _ = _import(tmp_path)
    cluster = load(imported).cluster
    bare = {n.name: n for n in cluster.nodes if n.is_bare_metal}
    assert sorted(bare) == ["nuc-1", "nuc-2", "nuc-3"]
    assert bare["nuc-1"].bond is not None and bare["nuc-1"].bond.mode == "802.3ad"
    assert bare["nuc-1"].vlan_id == 50 and bare["nuc-2"].mac_address == "58:47:CA:71:0B:20"
    assert str(bare["nuc-3"].install_disk) == "model='Samsung SSD 980*' serial=None size='>= 500GB'"
