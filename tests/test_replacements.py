"""generate and diff warn, from the committed output, when a change will destroy a VM."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_model, run


def _generated(name: str, tmp_path: Path) -> Path:
    root = copy_model(name, tmp_path / name)
    assert run("-C", root).code == 0
    return root


def _edit(root: Path, old: str, new: str) -> None:
    model = root / "cluster.py"
    text = model.read_text()
    assert old in text
    model.write_text(text.replace(old, new, 1))


def _replaced(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning[vm-replaced]")]


def test_renaming_a_node_warns_in_diff_and_generate(tmp_path: Path) -> None:
    root = _generated("nova", tmp_path)
    _edit(root, 'name="workload"', 'name="worker"')
    diff = run("-C", root, "diff")
    assert diff.code == 0
    [line] = _replaced(diff.err)
    assert "VM 101 ('workload' on host 'hypnos') will be destroyed" in line
    assert "renamed to 'worker'" in line
    generate = run("-C", root)
    assert generate.code == 0 and _replaced(generate.err) == [line]
    # Once written, the committed output is the new model: nothing more to warn about.
    assert _replaced(run("-C", root, "diff").err) == []


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
    _edit(root, 'name="workload"', 'name="worker"')
    _edit(root, "cluster = Cluster(", 'cluster = Cluster(\n    accept_warnings=["vm-replaced"],')
    assert _replaced(run("-C", root, "diff").err) == []
