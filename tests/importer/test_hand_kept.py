"""A hand-kept repository with its own layout (tests/fixtures/import-sources/hand-kept)
imports with a report, and what the model generates holds the same cluster."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest

from homeops_gen.importer.source import hcl_literal
from tests.conftest import FIXTURES, Result, run, tree, yaml_documents

HAND_KEPT = FIXTURES / "import-sources" / "hand-kept"
APPS = HAND_KEPT / "kubernetes" / "apps"


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The hand-kept repository imported and generated (a copy: SOURCE is never touched)."""
    base = tmp_path_factory.mktemp("hand-kept")
    source = base / "source"
    shutil.copytree(HAND_KEPT, source)
    before = tree(source)
    project = base / "project"
    result = run("import", source, "-C", project)
    assert result.code == 0, result.err
    assert tree(source) == before
    generated = run("-C", project)
    assert generated.code == 0, generated.err
    return project, result


def _yaml(path: Path) -> Any:
    return yaml_documents(path.read_text())[0]


def test_nodes_ips_and_versions_are_kept(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    source = _yaml(HAND_KEPT / "talos" / "talconfig.yaml")
    out = _yaml(project / "out" / "talos" / "talconfig.yaml")

    for key in ("clusterName", "talosVersion", "kubernetesVersion", "endpoint"):
        assert out[key] == source[key]
    assert out["allowSchedulingOnControlPlanes"] is source["allowSchedulingOnMasters"] is True
    keep = ("hostname", "ipAddress", "controlPlane", "installDisk", "nodeLabels", "schematic")
    assert [{k: n[k] for k in keep} for n in out["nodes"]] == [
        {k: n[k] for k in keep} for n in source["nodes"]
    ]


def test_vm_sizes_are_kept(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    unit = "infrastructure/hosts/hypnos/terragrunt.hcl"
    source = hcl_literal(hcl2.loads((HAND_KEPT / unit).read_text()))["inputs"]["nodes"]
    out = hcl_literal(hcl2.loads((project / "out" / unit).read_text()))["inputs"]

    # The VMs take their Talos nodes' names, in the same order.
    assert [
        (vm["vm_id"], vm["cores"], vm["memory_mib"], vm["disk_gib"]) for vm in out["nodes"].values()
    ] == [(vm["id"], vm["cpu_cores"], vm["ram_dedicated"], vm["disk_size_gb"]) for vm in source]
    assert out["vm_datastore"] == "vms1" and out["proxmox_node"] == "hypnos"
    assert out["proxmox_endpoint"] == "https://hypnos.zorilla-snares.ts.net:8006/"


def test_apps_chart_versions_and_values_are_kept(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    out_apps = project / "out" / "kubernetes" / "apps"
    for namespace, app in (
        ("kube-system", "cilium"),
        ("flux-system", "flux-operator"),
        ("network", "cloudflare-dns"),
    ):
        source = _yaml(APPS / namespace / app / "app" / "helmrelease.yaml")
        out = _yaml(out_apps / namespace / app / "app" / "helmrelease.yaml")
        assert out["spec"].get("values", {}) == source["spec"]["values"], app
    assert _yaml(out_apps / "kube-system/cilium/app/ocirepository.yaml")["spec"]["ref"] == {
        "tag": "1.18.4"
    }
    chart = _yaml(out_apps / "network/cloudflare-dns/app/helmrelease.yaml")["spec"]["chart"]
    assert (chart["spec"]["chart"], chart["spec"]["version"]) == ("external-dns", "1.19.0")
    instance = _yaml(out_apps / "flux-system/flux-instance/app/helmrelease.yaml")
    source_instance = _yaml(APPS / "flux-system/flux-instance/app/helmrelease.yaml")
    sync = instance["spec"]["values"]["instance"]["sync"]
    assert sync == {**source_instance["spec"]["values"]["instance"]["sync"], "path": sync["path"]}
    assert sync["path"] == "out/kubernetes/flux/cluster"


def test_manifests_and_secrets_are_copied_byte_for_byte(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    out_apps = project / "out" / "kubernetes" / "apps"
    for source, out in (
        # A custom resource goes to the app's second Kustomization, after the release.
        ("kube-system/cilium/app/networking.yaml", "kube-system/cilium/resources/networking.yaml"),
        (
            "network/cloudflare-dns/app/cloudflare-api-token.sops.yaml",
            "network/cloudflare-dns/app/cloudflare-api-token.sops.yaml",
        ),
        (
            "network/cloudflare-dns/app/network-policy.yaml",
            "network/cloudflare-dns/app/network-policy.yaml",
        ),
    ):
        assert (out_apps / out).read_bytes() == (APPS / source).read_bytes()


def test_bootstrap_installs_the_same_apps(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    source = _yaml(HAND_KEPT / "bootstrap" / "helmfile.apps.yaml")
    out = _yaml(project / "out" / "bootstrap" / "helmfile.yaml")

    def releases(helmfile: Any) -> list[tuple[str, str, str]]:
        return [(r["name"], r["chart"], str(r["version"])) for r in helmfile["releases"]]

    assert releases(out) == releases(source)


def test_the_report_names_every_gap_and_guess(adopted: tuple[Path, Result]) -> None:
    _, result = adopted
    changed, unmapped = result.out.split("mapped with a change", 1)[1].split("\nnot mapped")
    for expected in (
        "VM k8s-controlplane-1 (matched to Talos node controlplane by a partial name (a guess))",
        "VM k8s-worker-1 (matched to Talos node workload by order (a guess",
        "node network (not stated anywhere; guessed 192.168.2.0/24)",
        "app cilium (kept as a plain App with its values, not cilium(): it lacks",
        "sync path kubernetes/flux/cluster (Flux syncs the generated tree",
        "flux-instance chartRef OCIRepository/flux-instance (the chart source is not in the tree",
    ):
        assert expected in changed
    for expected in (
        "kubernetes/apps/kube-system/coredns/ks.yaml: Kustomization coredns (not in the tree",
        "bootstrap/helmfile.crds.yaml: release cloudflare-dns (CRDs only)",
        "talos/talsecret.sops.yaml: SOPS file (talhelper's cluster secrets",
    ):
        assert expected in unmapped


def test_guesses_are_commented_in_cluster_py(adopted: tuple[Path, Result]) -> None:
    project, _ = adopted
    text = (project / "cluster.py").read_text()
    assert "# guessed: the smallest /24 or wider network holding every node IP" in text
    assert "from homeops_gen.apps import flux_instance, flux_operator" in text
    # Each node is named after its Talos hostname; its VM keeps the name it has in Proxmox.
    assert 'name="controlplane"' in text and 'vm_name="k8s-controlplane-1"' in text
