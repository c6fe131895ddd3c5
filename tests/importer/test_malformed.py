"""Malformed source files are reported with the file and the reason, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeops_gen.importer import import_tree
from homeops_gen.importer.source import load_yaml
from tests.conftest import FIXTURES, MODELS, copy_model, run, tree

IMPORT_SOURCES = FIXTURES / "import-sources"
SOURCES = sorted(p.name for p in IMPORT_SOURCES.iterdir() if p.is_dir())
TREES: dict[str, dict[str, bytes]] = {}


def source_tree(tmp_path: Path, name: str = "nova") -> dict[str, bytes]:
    """The files of a generated fixture project, or of an import source (read once)."""
    if name not in TREES:
        if name in SOURCES:
            TREES[name] = tree(IMPORT_SOURCES / name)
        else:
            source = copy_model(name, tmp_path / name)
            assert run("-C", source).code == 0
            TREES[name] = tree(source)
    return dict(TREES[name])


TALCONFIG = "out/talos/talconfig.yaml"
UNIT = "out/infrastructure/hosts/hypnos/terragrunt.hcl"
RELEASE = "out/kubernetes/apps/kube-system/cilium/app/helmrelease.yaml"
KS = "out/kubernetes/apps/kube-system/cilium/ks.yaml"
HELMFILE = "out/bootstrap/helmfile.yaml"


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        (TALCONFIG, b"clusterName: [nova\n", "not valid YAML at line"),
        (TALCONFIG, b"- just\n- a list\n", "expected one YAML mapping"),
        (UNIT, b"inputs = {\n  nodes = {\n", "not valid HCL"),
        (RELEASE, b"\xff\xfe not utf-8", "not UTF-8 text"),
        (
            KS,
            b"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec: [\n",
            "not valid YAML",
        ),
        (HELMFILE, b"releases: {\n", "not valid YAML"),
        (".sops.yaml", b"creation_rules: nope\n", "expected a list of rules"),
    ],
)
def test_a_malformed_file_is_reported(
    tmp_path: Path, path: str, content: bytes, reason: str
) -> None:
    files = source_tree(tmp_path)
    files[path] = content

    report = import_tree(files).report

    assert any(e.file == path and reason in e.why for e in report.unmapped), report.text()


def test_a_node_with_a_bad_address_is_reported(tmp_path: Path) -> None:
    files = source_tree(tmp_path)
    files[TALCONFIG] = files[TALCONFIG].replace(b"ipAddress: 192.168.2.202", b"ipAddress: nowhere")

    report = import_tree(files).report

    assert any(
        e.file == TALCONFIG and e.what == "nodes[1]" and "'nowhere' is not an IPv4 address" in e.why
        for e in report.unmapped
    ), report.text()


def test_the_command_reports_a_model_that_does_not_generate_yet(tmp_path: Path) -> None:
    source = copy_model("nova", tmp_path / "source")
    assert run("-C", source).code == 0
    (source / ".sops.yaml").unlink()
    for path in (source / "out").rglob("*.yaml"):
        if "flux-instance" in path.as_posix():
            path.unlink()

    result = run("import", source, "-C", tmp_path / "imported")

    assert result.code == 1
    assert "the imported model does not generate yet" in result.err
    assert "Traceback" not in result.err
    assert "age recipients (no .sops.yaml creation rule with age recipients)" in result.out
    assert (
        "# missing: gitops=GitOps(repository=...)"
        in (tmp_path / "imported" / "cluster.py").read_text()
    )


yaml_data = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from([*sorted(MODELS), *SOURCES]),
    index=st.integers(min_value=0),
    key=st.sampled_from(
        [
            "spec",
            "metadata",
            "nodes",
            "inputs",
            "releases",
            "values",
            "creation_rules",
            "resources",
            "components",
            "patches",
            "namespace",
            "namePrefix",
            "commonAnnotations",
        ]
    ),
    value=yaml_data,
)
def test_any_shape_of_any_file_never_raises(
    tmp_path: Path, name: str, index: int, key: str, value: Any
) -> None:
    files = source_tree(tmp_path, name)
    paths = sorted(p for p in files if p.endswith((".yaml", ".hcl", ".tf")))
    path = paths[index % len(paths)]
    if path.endswith(".yaml"):
        documents = load_yaml(files[path].decode())
        if documents and isinstance(documents[0], dict):
            documents[0][key] = value
        files[path] = yaml.safe_dump_all(documents or [value]).encode()
    else:
        files[path] = files[path].replace(b"= ", f"= {value!r} #".encode(), 1)

    import_tree(files)  # findings go to the report; nothing raises
