"""A hand-kept bare-metal-style repository (tests/fixtures/import-sources/ridge): several
HelmReleases in one Kustomization, components, a namespace transformer, YAML only kustomize
reads, a bare-metal node, a templated Talos config, a helmfile named otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from homeops_gen.project import load
from tests.conftest import FIXTURES, Result, run, tree

RIDGE = FIXTURES / "import-sources" / "ridge"


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    base = tmp_path_factory.mktemp("ridge")
    source = base / "source"
    shutil.copytree(RIDGE, source)
    before = tree(source)
    result = run("import", source, "-C", base / "project")
    assert tree(source) == before
    return base / "project", result


def test_several_releases_become_apps_and_copies_never_share_a_destination(
    adopted: tuple[Path, Result],
) -> None:
    project, result = adopted
    text = (project / "cluster.py").read_text()
    for name in ("prometheus-operator-crds", "kube-prometheus-stack", "blackbox-exporter"):
        assert f'name="{name}"' in text
    assert 'name="_"' not in text
    copied = [x for x in result.out.splitlines() if "copied byte for byte to" in x]
    targets = [x.rsplit(" to ", 1)[1] for x in copied]
    assert len(targets) == len(set(targets))


def test_a_talos_node_no_vm_runs_becomes_a_bare_metal_node(
    adopted: tuple[Path, Result],
) -> None:
    project, _ = adopted
    cluster = load(project).cluster
    [node] = [n for n in cluster.nodes if n.name == "nuc-01"]
    assert node.is_bare_metal and node.vm_id is None
    assert [n.name for n in cluster.nodes if not n.is_bare_metal]


def test_what_is_not_in_the_model_is_reported(adopted: tuple[Path, Result]) -> None:
    _, result = adopted
    unmapped = result.out.split("\nnot mapped (", 1)[1]
    assert "node nuc-01" not in unmapped
    assert "talos/templates/worker.yaml.j2" in unmapped
    assert "machine.install.disk=/dev/nvme0n1" in unmapped
    assert "bootstrap/00-apps.yaml: release cilium (bootstrap app)" in result.out  # by content


def test_the_source_builds_like_kubectl_kustomize() -> None:
    """The in-Python build of a folder agrees with kubectl kustomize (kustomize v5)."""
    import subprocess

    import yaml

    from homeops_gen.importer.fluxbuild import build_flux_tree, key_of
    from homeops_gen.importer.report import Report
    from homeops_gen.importer.source import Source
    from homeops_gen.writer import read_tree

    kubectl = shutil.which("kubectl") or str(
        Path(__import__("sys").executable).with_name("kubectl")
    )
    folder = "kubernetes/apps/observability"
    out = subprocess.run(
        [kubectl, "kustomize", str(RIDGE / folder)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    expected = {key_of(d): d for d in yaml.safe_load_all(out.stdout) if d}
    built = build_flux_tree(Source(read_tree(RIDGE), Report()), "kubernetes/flux/cluster")
    for key, data in expected.items():
        assert key in built.objects, key
        if key[0] != "Kustomization":
            assert built.objects[key].data == data


def test_the_generated_tree_builds_with_kubectl_kustomize(adopted: tuple[Path, Result]) -> None:
    """Every folder a generated Flux Kustomization builds is accepted by kustomize itself (no
    component path left pointing into the source's layout)."""
    import subprocess
    import sys

    import yaml

    project, _ = adopted
    assert run("-C", project).code == 0
    kubectl = shutil.which("kubectl") or str(Path(sys.executable).with_name("kubectl"))
    paths = [
        doc["spec"]["path"]
        for ks in (project / "out" / "kubernetes" / "apps").rglob("ks.yaml")
        for doc in yaml.safe_load_all(ks.read_text())
        if doc
    ]
    assert len(paths) >= 5
    for path in paths:
        built = subprocess.run(
            [kubectl, "kustomize", str(project / path)], capture_output=True, text=True, timeout=60
        )
        assert built.returncode == 0, f"{path}: {built.stderr}"


def test_compare_names_what_the_project_lost(adopted: tuple[Path, Result], tmp_path: Path) -> None:
    """The comparison can fail: a project that drops an app of the source is named object by
    object, and compare exits 1."""
    project, _ = adopted
    shutil.copytree(project, tmp_path / "project", ignore=shutil.ignore_patterns("out"))
    model = tmp_path / "project" / "cluster.py"
    text = model.read_text()
    start = text.index('        App(\n            name="blackbox-exporter"')
    end = text.index("\n        ),\n", start) + len("\n        ),\n")
    model.write_text(text[:start] + text[end:])

    result = run("compare", RIDGE, "-C", tmp_path / "project")

    assert result.code == 1
    assert "HelmRelease observability/blackbox-exporter" in result.out
    assert "OCIRepository observability/blackbox-exporter" in result.out
    assert "missing or different (not in the report) (2)" in result.out


def test_a_file_import_cannot_read_is_reported_and_counted(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(RIDGE, source)
    (source / "docs").mkdir()
    (source / "docs" / "talconfig-link.yaml").symlink_to(source / "talos" / "talconfig.yaml")

    result = run("import", source, "-C", tmp_path / "project")

    assert "docs/talconfig-link.yaml: file (not read: a symbolic link)" in result.out
    line = next(x for x in result.out.splitlines() if x.startswith("files of the source:"))
    assert line.split(": ", 1)[1].startswith(
        f"{sum(1 for f in RIDGE.rglob('*') if f.is_file()) + 1} = "
    )


def test_an_app_that_cannot_be_mapped_fails_the_import(tmp_path: Path) -> None:
    """A HelmRelease whose chart is nowhere: its file is lost and its object missing; the
    import says both and exits 1 (after writing, so the user can finish by hand)."""
    source = tmp_path / "source"
    shutil.copytree(RIDGE, source)
    app = source / "kubernetes" / "apps" / "observability" / "loki"
    (app / "app").mkdir(parents=True)
    (app / "ks.yaml").write_text(
        (RIDGE / "kubernetes/apps/observability/kube-prometheus-stack/ks.yaml")
        .read_text()
        .replace("kube-prometheus-stack", "loki")
    )
    (app / "app" / "helmrelease.yaml").write_text(
        "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: loki\n"
        "spec:\n  interval: 1h\n  chartRef:\n    kind: OCIRepository\n    name: loki\n"
    )
    (app / "app" / "kustomization.yaml").write_text(
        "---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - ./helmrelease.yaml\n"
    )
    kustomization = source / "kubernetes" / "apps" / "observability" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - ./loki/ks.yaml\n")

    result = run("import", source, "-C", tmp_path / "project")

    assert result.code == 1
    assert "HelmRelease observability/loki" in result.out
    assert "neither mapped nor copied: kubernetes/apps/observability/loki/app/helmrelease.yaml" in (
        result.err
    )


def test_an_app_a_helper_cannot_carry_stays_a_plain_app(tmp_path: Path) -> None:
    """flux-operator with a SOPS file of its own: flux_operator() takes none, so the app stays
    a plain App with the file (and the import says why)."""
    source = tmp_path / "source"
    shutil.copytree(RIDGE, source)
    app = source / "kubernetes" / "apps" / "flux-system" / "flux-operator" / "app"
    secret = FIXTURES / "import-sources/hand-kept/kubernetes/apps/network/cloudflare-dns/app"
    shutil.copy(secret / "cloudflare-api-token.sops.yaml", app / "token.sops.yaml")
    kustomization = app / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - ./token.sops.yaml\n")

    result = run("import", source, "-C", tmp_path / "project")

    assert result.code == 0, result.out + result.err
    text = (tmp_path / "project" / "cluster.py").read_text()
    assert "flux_operator(" not in text
    assert 'secrets=["secrets/flux-system/flux-operator/token.sops.yaml"]' in text
    assert "kept as a plain App, not flux_operator()" in result.out


def test_a_plain_talos_machine_config_is_reported_with_its_values(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(RIDGE, source)
    (source / "talos" / "nodes").mkdir()
    (source / "talos" / "nodes" / "nuc-02.yaml").write_text(
        "version: v1alpha1\nmachine:\n  type: worker\n  install:\n    disk: /dev/sda\n"
        "cluster:\n  clusterName: ridge\n"
    )

    result = run("import", source, "-C", tmp_path / "project")

    assert (
        "talos/nodes/nuc-02.yaml: Talos machine config (not a talconfig.yaml; values read: "
        "version=v1alpha1, machine.type=worker, machine.install.disk=/dev/sda" in result.out
    )


def test_a_generated_name_with_a_hash_suffix_fails_the_import(tmp_path: Path) -> None:
    """A ConfigMap generator with kustomize's hash suffix: the model's resources keep fixed
    names, so the import names the object, says why, and exits 1."""
    source = tmp_path / "source"
    shutil.copytree(RIDGE, source)
    kustomization = source / "kubernetes/apps/kube-system/cilium/app/kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        + "configMapGenerator:\n  - name: cilium-extra\n    literals:\n      - MODE=strict\n"
    )

    result = run("import", source, "-C", tmp_path / "project")

    assert result.code == 1
    assert "ConfigMap kube-system/cilium-extra-" in result.out
    assert "its name carries kustomize's hash suffix" in result.out
