"""generate and diff warn, from the output committed in Git, when a change will destroy a VM."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from homeops_gen.replacements import _previous_vms
from tests.conftest import commit_all, copy_model, run


def _generated(name: str, tmp_path: Path) -> Path:
    """The project ``name`` generated and committed."""
    root = copy_model(name, tmp_path / name)
    assert run("-C", root).code == 0
    commit_all(root)
    return root


def _edit(root: Path, old: str, new: str) -> None:
    model = root / "cluster.py"
    text = model.read_text()
    assert old in text
    model.write_text(text.replace(old, new, 1))


def _replaced(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning[vm-replaced]")]


def test_renaming_a_node_keeps_its_vm(tmp_path: Path) -> None:
    root = _generated("nova", tmp_path)
    _edit(root, 'name="workload"', 'name="worker"')
    diff = run("-C", root, "diff")
    assert diff.code == 0 and _replaced(diff.err) == []
    # The VM keeps its key (its VM id) and is renamed in place.
    assert re.search(r'^-      vm_name += "workload"$', diff.out, re.MULTILINE)
    assert re.search(r'^\+      vm_name += "worker"$', diff.out, re.MULTILINE)
    assert '"101" = {' in (root / "out/infrastructure/hosts/hypnos/terragrunt.hcl").read_text()


def test_a_vm_id_change_warns_in_diff_and_generate(tmp_path: Path) -> None:
    root = _generated("nova", tmp_path)
    _edit(root, "vm_id=101", "vm_id=111")
    diff = run("-C", root, "diff")
    [line] = _replaced(diff.err)
    assert "VM 101 ('workload' on host 'hypnos') will be destroyed" in line
    assert "vm_id changes from 101 to 111" in line
    assert "If you mean it, add 'vm-replaced' to Cluster(accept_warnings=[...])" in line
    generate = run("-C", root)
    assert generate.code == 0 and _replaced(generate.err) == [line]
    # Written: this run changes no host unit, so the warning is not repeated.
    assert _replaced(run("-C", root, "diff").err) == []
    # Another change of the unit before a commit: still compared with the commit.
    _edit(root, "cores=3", "cores=4")
    assert _replaced(run("-C", root, "diff").err) == [line]
    commit_all(root)
    _edit(root, "cores=4", "cores=5")
    assert _replaced(run("-C", root, "diff").err) == [], "committed: the VM is 111 now"


def test_output_nobody_committed_describes_no_vm(tmp_path: Path) -> None:
    """Generate, edit the model, generate again, with no commit (or no repository): the VMs
    of the first run were never applied from a commit, so none is destroyed."""
    for repository in (False, True):
        root = copy_model("nova", tmp_path / f"repository-{repository}")
        if repository:
            subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
        assert run("-C", root).code == 0
        _edit(root, "vm_id=101", "vm_id=111")
        _edit(root, "vm_id=100", "vm_id=110")
        result = run("-C", root)
        assert result.code == 0 and _replaced(result.err) == [], result.err


def test_a_project_in_a_folder_of_its_repository_reads_its_own_commit(tmp_path: Path) -> None:
    root = copy_model("nova", tmp_path / "repo" / "cluster")
    assert run("-C", root).code == 0
    commit_all(tmp_path / "repo")
    _edit(root, "vm_id=101", "vm_id=111")
    [line] = _replaced(run("-C", root, "diff").err)
    assert "VM 101 ('workload' on host 'hypnos')" in line


def test_units_keyed_by_node_name_are_read_too() -> None:
    old_unit = 'inputs = {\n  nodes = {\n    "workload" = {\n      vm_id = 101\n    }\n  }\n}\n'
    previous = {"out/infrastructure/hosts/hypnos/terragrunt.hcl": old_unit}
    assert _previous_vms(previous) == {("hypnos", 101): "workload"}


def test_a_new_vm_id_or_another_host_warns(tmp_path: Path) -> None:
    root = _generated("ha-vip", tmp_path)
    _edit(root, "vm_id=310 + i", "vm_id=320 + i")
    lines = _replaced(run("-C", root, "diff").err)
    assert len(lines) == 3 and all("vm_id changes from 31" in line for line in lines)
    root = _generated("ha-vip", tmp_path / "moved")
    _edit(
        root,
        'name=f"worker-{i + 1}",\n                role="worker",\n                host=host,',
        'name=f"worker-{i + 1}",\n                role="worker",\n                host=HOSTS[0],',
    )
    lines = _replaced(run("-C", root, "diff").err)
    assert len(lines) == 2 and all("moves to host" in line for line in lines), lines


def test_changes_that_keep_every_vm_do_not_warn(tmp_path: Path) -> None:
    root = _generated("nova", tmp_path)
    _edit(root, "cores=3", "cores=5")
    result = run("-C", root, "diff")
    assert "terragrunt.hcl" in result.out and _replaced(result.err) == []


def test_an_accepted_replacement_is_silent(tmp_path: Path) -> None:
    root = _generated("nova", tmp_path)
    _edit(root, "vm_id=101", "vm_id=111")
    _edit(root, "cluster = Cluster(", 'cluster = Cluster(\n    accept_warnings=["vm-replaced"],')
    assert _replaced(run("-C", root, "diff").err) == []
