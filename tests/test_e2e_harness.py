"""The parts of ``make e2e``'s harness that need no Go: what it serves, rewrites and faults.

The run itself (``make e2e``) needs the Go-built control plane; these pin its inputs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_model, loaded
from homeops_gen.generators.devenv import kube_context
from tests.e2e import controlplane, sources
from tests.e2e.faults import FAULTS
from tests.e2e.pki import Pki
from tests.e2e.procs import E2EFailure, Supervisor
from tests.e2e.run import _generate

REGISTRY = "127.0.0.1:5000"
FILES = "https://127.0.0.1:5001"
GIT = "http://127.0.0.1:5002/project.git"


@pytest.fixture(scope="module")
def nova(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_model("nova", tmp_path_factory.mktemp("e2e") / "nova")
    _generate(project)
    return project


def test_scan_finds_every_chart_and_download(nova: Path) -> None:
    needs = sources.scan(nova)
    cluster = loaded("nova").cluster
    assert {(c.name, c.version) for c in needs.charts} == {
        (a.chart.url.rsplit("/", 1)[-1], str(a.chart.version)) for a in cluster.apps if a.chart
    }
    assert [v for v in needs.downloads.values()] == [("standard", "v1.3.0")]


def test_rewrites_change_urls_only(nova: Path, tmp_path: Path) -> None:
    """Every document after the rewrites is the generated one once the local URLs are mapped
    back, apart from ``insecure: true`` on the local registry's sources."""
    repo = tmp_path / "repo"
    shutil.copytree(nova, repo)
    needs = sources.scan(nova)
    table = sources.rewrites(needs, REGISTRY, FILES, loaded("nova").cluster.gitops.repository, GIT)
    done = sources.apply_rewrites(repo, table, REGISTRY)
    assert done, "nothing rewritten"
    changed = 0
    for path in sorted((nova / "out").rglob("*.yaml")):
        after = (repo / path.relative_to(nova)).read_text()
        if after == path.read_text():
            continue
        changed += 1
        back = after.replace(f"oci://{REGISTRY}/", "oci://")
        for old, new in table.items():
            back = back.replace(new, old)
        docs = list(yaml.safe_load_all(back))
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") in {"OCIRepository", "HelmRepository"}:
                assert doc["spec"].pop("insecure") is True
        assert docs == list(yaml.safe_load_all(path.read_text())), path
    assert changed == len({line.split(":", 1)[0] for line in done})


def test_kwok_nodes_are_the_models_nodes() -> None:
    cluster = loaded("nova").cluster
    nodes = controlplane.node_objects(cluster)
    assert [n["metadata"]["name"] for n in nodes] == [n.name for n in cluster.nodes]
    for node, obj in zip(cluster.nodes, nodes, strict=True):
        assert node.labels.items() <= obj["metadata"]["labels"].items()
        tainted = bool(obj["spec"]["taints"])
        assert tainted == (
            node.role == "controlplane" and not cluster.talos.allow_scheduling_on_control_planes
        )


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_edits_the_object_it_names(nova: Path, tmp_path: Path, fault: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(nova, project)
    named = FAULTS[fault](project)
    kind, _, name = named.partition(" ")
    name = name.rsplit("/", 1)[-1]
    edited = [
        p for p in (project / "out").rglob("*.yaml") if p.read_text() != _original(nova, project, p)
    ]
    assert any(
        isinstance(d, dict)
        and d.get("kind") == kind
        and (d.get("metadata") or {}).get("name") == name
        for p in edited
        for d in yaml.safe_load_all(p.read_text())
    ), f"{fault} did not edit {named}"


def _original(nova: Path, project: Path, path: Path) -> str:
    source = nova / path.relative_to(project)
    return source.read_text() if source.is_file() else ""


def test_a_run_fails_at_once_when_another_process_of_the_run_exits(tmp_path: Path) -> None:
    """helmfile waits on the control plane: a scheduler that died must not cost its timeout."""
    with Supervisor(tmp_path) as sup:
        sup.start("kube-scheduler", ["sh", "-c", "echo 'no configuration has been provided'"])
        started = time.monotonic()
        with pytest.raises(E2EFailure, match="kube-scheduler exited with 0") as failure:
            sup.run("helmfile", ["sleep", "60"], {}, tmp_path, timeout=120)
        assert time.monotonic() - started < 30
        assert "no configuration has been provided" in str(failure.value)
        assert sup.procs["helmfile"].poll() is None  # stopped with the rest, by the Supervisor
    assert sup.procs == {}


def test_the_kubeconfig_names_the_context_of_the_generated_scripts(tmp_path: Path) -> None:
    """Written once, before any process reads it (a later rewrite raced their start)."""
    cluster = loaded("nova").cluster
    pki = Pki(*(tmp_path / name for name in ("ca", "cert", "key", "sa_key", "sa_pub")))
    controlplane.write_kubeconfig(
        tmp_path / "kubeconfig", "https://127.0.0.1:1", "t", pki, kube_context(cluster)
    )
    config = yaml.safe_load((tmp_path / "kubeconfig").read_text())
    assert config["current-context"] == kube_context(cluster)
    assert [c["name"] for c in config["contexts"]] == [kube_context(cluster)]
