"""homeops-gen diff --base REF, --stat and --flux: what a change does, for its reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeops_gen.cli import main
from tests.conftest import commit_all, copy_model, run


def _committed(tmp_path: Path) -> Path:
    root = copy_model("nova", tmp_path / "nova")
    assert run("-C", root).code == 0
    commit_all(root)
    return root


def _bump_cilium(root: Path) -> None:
    model = root / "cluster.py"
    model.write_text(model.read_text().replace('cilium("1.18.4")', 'cilium("1.18.5")'))


def test_stat_names_each_changed_file_against_a_commit(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    _bump_cilium(root)
    assert run("-C", root).code == 0, "the working tree is regenerated: only --base sees a change"
    assert run("-C", root, "diff", "--stat").out == "no generated file changes\n"
    result = run("-C", root, "diff", "--base", "HEAD", "--stat", "--exit-code")
    assert result.code == 1
    assert result.out.splitlines() == [
        "changed  out/bootstrap/helmfile.yaml (+1 -1)",
        "changed  out/kubernetes/apps/kube-system/cilium/app/ocirepository.yaml (+1 -1)",
        "2 file(s): 0 created, 2 changed, 0 removed (+2 -2 lines)",
    ]


def test_base_diff_shows_created_and_removed_files(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    model = root / "cluster.py"
    model.write_text(model.read_text().replace('        flux_instance("0.36.0"),\n', ""))
    diff = run("-C", root, "diff", "--base", "HEAD").out
    assert "--- a/out/kubernetes/apps/flux-system/flux-instance/ks.yaml\n+++ /dev/null" in diff
    stat = run("-C", root, "diff", "--base", "HEAD", "--stat").out
    assert "removed  out/kubernetes/apps/flux-system/flux-instance/ks.yaml (+0 -" in stat


def test_flux_shows_what_flux_applies_before_and_after(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    _bump_cilium(root)
    for args in (["diff", "--flux"], ["diff", "--base", "HEAD", "--flux"]):
        out = run("-C", root, *args).out
        assert "--- a/out/kubernetes/apps/kube-system/cilium/app\n" in out, out
        assert "-    tag: 1.18.4\n+    tag: 1.18.5\n" in out
        assert "ocirepository.yaml" not in out, "objects, not files"
        assert run("-C", root).code == 0
    assert run("-C", root, "diff", "--flux").out == ""


def test_flux_names_a_kustomization_added_or_removed(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    model = root / "cluster.py"
    model.write_text(model.read_text().replace('        flux_instance("0.36.0"),\n', ""))
    out = run("-C", root, "diff", "--base", "HEAD", "--flux").out
    assert "--- a/out/kubernetes/apps/flux-system/flux-instance/app\n+++ /dev/null\n" in out
    assert "-kind: HelmRelease" in out


def test_an_unknown_base_is_a_clear_error(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    result = run("-C", root, "diff", "--base", "no-such-branch")
    assert result.code == 2
    assert "--base no-such-branch: not a commit of the Git repository" in result.err
    outside = copy_model("nova", tmp_path / "outside")
    assert "not a commit" in run("-C", outside, "diff", "--base", "HEAD").err


def test_stat_and_flux_are_one_or_the_other(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["diff", "--stat", "--flux", "-C", str(tmp_path)])
    assert caught.value.code == 2
