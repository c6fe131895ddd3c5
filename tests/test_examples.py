"""warning[example-value]: the starter's # CHANGE values left in a model, by field and line."""

from __future__ import annotations

import re
from pathlib import Path

from homeops_gen.examples import _fields
from homeops_gen.project import load
from homeops_gen.starter import starter_model
from tests.conftest import run, tree

WARNING = re.compile(
    r"^warning\[example-value\]: (\S+): (.+) is the starter's example: .* \(cluster\.py:(\d+)\)$"
)


def _warnings(stderr: str) -> list[tuple[str, str, int]]:
    found = []
    for line in stderr.splitlines():
        if "example-value" in line:
            match = WARNING.match(line)
            assert match, line
            found.append((match.group(1), match.group(2), int(match.group(3))))
    return found


def _started(tmp_path: Path, name: str = "lab") -> Path:
    assert run("init", tmp_path / name).code == 0
    return tmp_path / name


def test_an_untouched_starter_warns_once_per_example_value_at_its_line(tmp_path: Path) -> None:
    root = _started(tmp_path)
    lines = (root / "cluster.py").read_text().splitlines()
    result = run("-C", root)
    assert result.code == 0, result.err
    found = _warnings(result.err)
    for field, _, line in found:
        name = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
        written = lines[line - 1]
        assert f"{name}=" in written, (field, written)
        assert "# CHANGE" in written or lines[line - 2].strip().startswith("# CHANGE"), field
    # every marker's line (or the line under a comment marker) has its warnings
    marked = {
        i + 2 if line.strip().startswith("#") else i + 1
        for i, line in enumerate(lines)
        if "# CHANGE" in line
    }
    assert marked == {line for _, _, line in found}
    values = {field: value for field, value, _ in found}
    assert values["state.bucket"] == "'lab-tofu-state'"
    assert values["gitops.repository"] == "'https://github.com/your-name/home-ops'"
    assert values["nodes[2].ip"] == "192.168.10.23"
    assert values["automation.install"].startswith("'git+https://github.com/OWNER/homeops-gen@v")
    # a marked field of the nodes' comprehension: one warning per node
    nodes = len(load(root).cluster.nodes)
    per_node = {f for f, _, _ in found if f.startswith("nodes[")}
    assert per_node == {f"nodes[{i}].{k}" for i in range(nodes) for k in ("vm_id", "ip")}


def test_strict_refuses_an_example_value_and_writes_nothing(tmp_path: Path) -> None:
    root = _started(tmp_path)
    before = tree(root)
    result = run("-C", root, "generate", "--strict")
    assert result.code == 2
    assert "warning[example-value]: gitops.repository:" in result.err
    assert tree(root) == before


def test_a_changed_value_or_a_removed_marker_ends_its_warning(tmp_path: Path) -> None:
    root = _started(tmp_path)
    model = root / "cluster.py"
    text = model.read_text()
    text = text.replace("https://github.com/your-name/home-ops", "https://github.com/jane/home-ops")
    # "local" is Proxmox's own ISO datastore: right as it is, once looked at.
    text = text.replace(
        'iso_datastore="local",  # CHANGE: a datastore that holds ISO images',
        'iso_datastore="local",',
    )
    model.write_text(text)
    fields = {field for field, _, _ in _warnings(run("-C", root).err)}
    assert "gitops.repository" not in fields and "hosts[0].iso_datastore" not in fields
    assert "hosts[0].vm_datastore" in fields


def test_an_example_key_among_others_is_still_an_example(tmp_path: Path) -> None:
    root = _started(tmp_path)
    model = root / "cluster.py"
    text = model.read_text()
    example = re.search(r'age_recipients=\["(age1[a-z0-9]+)"\]', text)
    assert example
    mine = "age1uufdnvkw0darvl867yuk58dd80k7yynag27r2au4vua9hc28y4zsal98g4"
    model.write_text(text.replace(f'"{example.group(1)}"', f'"{mine}", "{example.group(1)}"'))
    found = [(f, v) for f, v, _ in _warnings(run("-C", root).err) if f == "sops.age_recipients"]
    assert found == [("sops.age_recipients", repr(example.group(1)))]


def test_fields_written_another_way_are_still_found(tmp_path: Path) -> None:
    """Nodes as a literal list instead of the starter's comprehension: each node's field is
    found at its own line."""
    root = _started(tmp_path)
    model = root / "cluster.py"
    text = model.read_text()
    start = text.index("    nodes=[\n")
    end = text.index("    talos=Talos(")
    nodes = "".join(
        f'        Node(name="lab-{i + 1}", role="controlplane", host="pve",\n'
        f"             vm_id={200 + i},  # CHANGE\n"
        f'             ip="192.168.10.{21 + i}", cores=4, memory_mib=8192, disk_gib=64),\n'
        for i in range(3)
    )
    model.write_text(text[:start] + "    nodes=[\n" + nodes + "    ],\n" + text[end:])
    lines = model.read_text().splitlines()
    found = {f: line for f, _, line in _warnings(run("-C", root).err)}
    for i in range(3):
        assert f"vm_id={200 + i}," in lines[found[f"nodes[{i}].vm_id"] - 1]
    # ip is written without a marker here: the value was looked at
    assert "nodes[0].ip" not in found


def test_a_model_without_markers_is_not_compared() -> None:
    from tests.conftest import ROOT

    text = (ROOT / "tests/fixtures/nova/cluster.py").read_text()
    assert "CHANGE" not in text
    assert _warnings(run("-C", ROOT / "tests/fixtures/nova", "diff").err) == []


def test_the_starter_is_the_one_source_of_the_examples() -> None:
    """Each marked field of the starter is a field the checks compare; no other list."""
    source = starter_model("lab")
    marked = [path for path, (_, is_marked) in _fields(source).items() if is_marked]
    assert len(marked) == source.count("# CHANGE"), "each marker marks one field"
    assert ("gitops", "repository") in marked and ("nodes", None, "vm_id") in marked


def test_a_name_too_long_for_the_starters_names_still_gets_its_warnings(tmp_path: Path) -> None:
    """The starter derives node names (name-1) and the bucket from the cluster's name; a
    name of 63 characters makes node names too long, and the examples are still found."""
    root = _started(tmp_path)
    model = root / "cluster.py"
    long_name = "a" * 63
    text = model.read_text().replace('name="lab"', f'name="{long_name}"', 1)
    model.write_text(text.replace('name=f"lab-{i + 1}"', 'name=f"n-{i + 1}"'))
    result = run("-C", root)
    assert result.code == 0, result.err
    fields = {field for field, _, _ in _warnings(result.err)}
    assert "gitops.repository" in fields and "nodes[0].vm_id" in fields
