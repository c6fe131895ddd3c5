"""Ownership, pruning, conflicts and all-or-nothing writes."""

from __future__ import annotations

import re
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from homeops_gen import writer
from homeops_gen.errors import WriteRefused
from homeops_gen.layout import LOCK, MANIFEST
from homeops_gen.writer import TMP_SUFFIX, digest
from tests.conftest import (
    MODELS,
    ROOT,
    commit_all,
    copy_model,
    git,
    on_disk,
    rendered,
    run,
    tree,
)
from tests.test_secrets import ENC

APP_DIR = "out/kubernetes/apps/flux-system/flux-instance"


def _drop_flux_instance(project: Path) -> None:
    model = project / "cluster.py"
    model.write_text(model.read_text().replace('        flux_instance("0.36.0"),\n', ""))


def test_manifest_records_every_generated_file_with_its_hash(nova: Path) -> None:
    run("-C", nova)
    manifest = json.loads((nova / MANIFEST).read_text())["files"]
    assert manifest == {p: digest(t) for p, t in rendered("nova").items()}


def test_removed_app_is_pruned_with_its_empty_folders(nova: Path) -> None:
    run("-C", nova)
    assert (nova / APP_DIR / "ks.yaml").is_file()
    _drop_flux_instance(nova)
    result = run("-C", nova)
    assert result.code == 0, result.err
    assert not (nova / APP_DIR).exists(), "the app's folder must vanish, or Flux keeps running it"
    assert (nova / "out/kubernetes/apps/flux-system/flux-operator/ks.yaml").is_file()
    assert run("-C", nova, "--check").code == 0


def test_pruning_keeps_folders_that_hold_user_files(nova: Path) -> None:
    run("-C", nova)
    (nova / APP_DIR / "NOTES.md").write_text("mine")
    _drop_flux_instance(nova)
    assert run("-C", nova).code == 0
    assert (nova / APP_DIR / "NOTES.md").read_text() == "mine"
    assert not (nova / APP_DIR / "ks.yaml").exists()


def test_hand_edited_file_stops_the_run(nova: Path) -> None:
    run("-C", nova)
    talconfig = nova / "out/talos/talconfig.yaml"
    talconfig.write_text(talconfig.read_text() + "# my tweak\n")
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=4"))
    before = tree(nova)
    result = run("-C", nova)
    assert result.code == 1
    assert "out/talos/talconfig.yaml: edited by hand" in result.err
    assert "cluster.py" in result.err and "--force" in result.err
    assert tree(nova) == before, "nothing is written when any file would lose an edit"
    forced = run("-C", nova, "--force")
    assert forced.code == 0
    assert "# my tweak" not in talconfig.read_text()
    hcl = (nova / "out/infrastructure/hosts/hypnos/terragrunt.hcl").read_text()
    assert re.search(r"^      cores += 4$", hcl, re.M)


def test_hand_edited_file_is_not_pruned(nova: Path) -> None:
    run("-C", nova)
    ks = nova / APP_DIR / "ks.yaml"
    ks.write_text(ks.read_text() + "# keep\n")
    _drop_flux_instance(nova)
    result = run("-C", nova)
    assert result.code == 1
    assert f"{APP_DIR}/ks.yaml: edited by hand" in result.err and "would delete" in result.err
    assert ks.is_file()


def test_check_reports_hand_edits(nova: Path) -> None:
    run("-C", nova)
    apply = nova / "out/talos/apply.sh"
    apply.write_text(apply.read_text() + "echo extra\n")
    result = run("-C", nova, "--check")
    assert result.code == 1
    assert "changed: out/talos/apply.sh (edited by hand)" in result.out


@pytest.mark.parametrize("follow", ["revert", "force"])
def test_check_after_a_hand_edit_says_what_to_do_and_the_advice_works(
    nova: Path, follow: str
) -> None:
    """Both ways ``--check`` offers end with a passing check (a plain run would refuse)."""
    run("-C", nova)
    commit_all(nova)
    apply = nova / "out/talos/apply.sh"
    apply.write_text(apply.read_text() + "echo extra\n")
    result = run("-C", nova, "--check")
    assert result.code == 1
    advice = result.out.splitlines()[-1]
    assert "git checkout -- out/talos/apply.sh" in advice, advice
    assert "homeops-gen --force" in advice, advice
    assert run("-C", nova).code == 1, "a plain run refuses, so --check must not advise it alone"
    if follow == "revert":
        git(nova, "checkout", "--", "out/talos/apply.sh")
    else:
        assert run("-C", nova, "--force").code == 0
    assert run("-C", nova, "--check").code == 0


def test_check_names_a_file_in_the_way_and_what_to_do(nova: Path) -> None:
    (nova / "devenv.nix").write_text("{ pkgs, ... }: { }\n")
    result = run("-C", nova, "--check")
    assert "new: devenv.nix" in result.out or "changed: devenv.nix" in result.out
    assert "devenv.nix (not written by homeops-gen)" in result.out
    assert "move devenv.nix out of the way" in result.out and "--force" in result.out


def test_check_of_a_stale_project_without_conflicts_says_run_homeops_gen(nova: Path) -> None:
    result = run("-C", nova, "--check")
    assert result.out.splitlines()[-1].endswith("out of date; run homeops-gen")


def test_file_the_generator_never_wrote_is_not_overwritten(nova: Path) -> None:
    (nova / "devenv.nix").write_text("{ pkgs, ... }: { }\n")
    before = tree(nova)
    result = run("-C", nova)
    assert result.code == 1
    assert "devenv.nix: exists and was not generated by homeops-gen" in result.err
    assert tree(nova) == before
    assert run("-C", nova, "--force").code == 0
    assert (nova / "devenv.nix").read_text() == rendered("nova")["devenv.nix"]


def test_identical_existing_file_is_adopted(nova: Path) -> None:
    devenv = nova / "devenv.nix"
    devenv.write_text(rendered("nova")["devenv.nix"])
    assert run("-C", nova).code == 0
    manifest = json.loads((nova / MANIFEST).read_text())["files"]
    assert manifest["devenv.nix"] == digest(devenv.read_text()), "it is now ours"
    devenv.write_text(devenv.read_text() + "# mine\n")
    assert "devenv.nix (edited by hand)" in run("-C", nova, "--check").out


def test_unmanaged_files_in_out_are_left_alone_and_mentioned(nova: Path) -> None:
    run("-C", nova)
    notes = nova / "out/kubernetes/NOTES.md"
    notes.write_text("my notes\n")
    for args in (("-C", nova), ("-C", nova, "--check")):
        result = run(*args)
        assert result.code == 0
        assert "left alone (not generated by homeops-gen): out/kubernetes/NOTES.md" in result.err
    assert notes.read_text() == "my notes\n"


def test_noop_run_touches_nothing(nova: Path) -> None:
    run("-C", nova)
    old = 1_000_000_000
    for path in (nova / "out").rglob("*"):
        os.utime(path, (old, old))
    os.utime(nova / "devenv.nix", (old, old))
    before = tree(nova)
    result = run("-C", nova)
    assert result.code == 0
    assert "0 created, 0 updated, 0 deleted" in result.out
    assert tree(nova) == before
    assert all(p.stat().st_mtime == old for p in (nova / "out").rglob("*") if p.is_file())
    assert (nova / "devenv.nix").stat().st_mtime == old


def test_plaintext_secret_under_out_fails_generate_and_check(nova: Path) -> None:
    run("-C", nova)
    (nova / "out/talos/talsecret.sops.yaml").write_text("cluster:\n  secret: plain\n")
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=4"))
    before = tree(nova)
    for args in (("-C", nova), ("-C", nova, "--check")):
        result = run(*args)
        assert result.code == 1
        assert "out/talos/talsecret.sops.yaml" in result.err and "plain text" in result.err
    assert tree(nova) == before, "the pending change is not written"


def test_encrypted_secret_under_out_is_fine(nova: Path) -> None:
    run("-C", nova)
    (nova / "out/talos/talsecret.sops.yaml").write_text(
        f"cluster:\n  secret: {ENC}\nsops:\n  mac: {ENC}\n  version: 3.11.0\n"
    )
    assert run("-C", nova, "--check").code == 0
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=4"))
    assert run("-C", nova).code == 0, "generate writes beside an encrypted secret"


def test_unreadable_manifest_is_a_clear_error(nova: Path) -> None:
    run("-C", nova)
    (nova / MANIFEST).write_text("{not json")
    result = run("-C", nova)
    assert result.code == 2
    assert "unreadable manifest" in result.err


KILLER = textwrap.dedent("""
    import os, signal, sys
    writes = 0
    real_replace = os.replace

    def replace_then_die(src, dst):
        global writes
        real_replace(src, dst)
        writes += 1
        if writes == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace_then_die
    from homeops_gen.cli import main
    main(["-C", sys.argv[1]])
    """)


@pytest.mark.parametrize("moment", ["first", "middle", "before-manifest"])
def test_killed_run_leaves_old_or_new_files_and_the_next_run_repairs(
    nova: Path, moment: str
) -> None:
    run("-C", nova)
    old = tree(nova)
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace('"nova"', '"nova2"').replace("cores=", "cores=1"))
    new = {p: on_disk(p, t) for p, t in rendered_for(nova).items()}
    writes = sum(1 for p, t in new.items() if old.get(p) != t.encode())
    kill_after = {"first": 1, "middle": writes // 2, "before-manifest": writes}[moment]
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(nova), str(kill_after)], cwd=ROOT, capture_output=True
    )
    assert proc.returncode == -9, proc.stderr
    after = tree(nova)
    changed = [p for p in new if after.get(p) != old.get(p)]
    assert 0 < len(changed) < len(new), "the run was killed between writes"
    for path, data in after.items():
        if path.endswith(TMP_SUFFIX) or path in ("cluster.py", LOCK):
            continue
        assert data in (old.get(path), new.get(path, "").encode()), f"{path} is neither old nor new"
    repaired = run("-C", nova)
    assert repaired.code == 0, repaired.err
    final = tree(nova)
    assert {p: final[p] for p in new} == {p: t.encode() for p, t in new.items()}
    assert not [p for p in final if p.endswith(TMP_SUFFIX)]
    assert LOCK not in final, "the next run takes the lock a killed run left, and removes it"
    assert run("-C", nova, "--check").code == 0


def rendered_for(project: Path) -> dict[str, str]:
    from homeops_gen.pipeline import build

    return build(project).files


def test_fixture_copies_bring_their_files_and_are_independent(tmp_path: Path) -> None:
    a = copy_model("sops-secrets", tmp_path / "a")
    secret = a / "secrets/grafana-admin.sops.yaml"
    original = MODELS["sops-secrets"] / "secrets/grafana-admin.sops.yaml"
    assert secret.read_bytes() == original.read_bytes()
    secret.write_text("changed\n")
    assert original.read_bytes() != secret.read_bytes(), "the fixture itself is untouched"


def test_read_tree_reads_every_file_but_version_control_caches_and_links(tmp_path: Path) -> None:
    (tmp_path / "talos").mkdir()
    (tmp_path / "talos" / "talconfig.yaml").write_bytes(b"clusterName: x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / "hosts" / ".terragrunt-cache").mkdir(parents=True)
    (tmp_path / "hosts" / ".terragrunt-cache" / "main.tf").write_text("x")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "talos" / "talconfig.yaml")

    assert writer.read_tree(tmp_path) == {"talos/talconfig.yaml": b"clusterName: x\n"}


def test_write_new_never_overwrites_a_different_file(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "a.sops.yaml").write_bytes(b"mine")

    with pytest.raises(WriteRefused, match="a.sops.yaml"):
        writer.write_new(tmp_path, {"cluster.py": b"x", "secrets/a.sops.yaml": b"theirs"})

    assert not (tmp_path / "cluster.py").exists()
    assert (tmp_path / "secrets" / "a.sops.yaml").read_bytes() == b"mine"


def test_write_new_leaves_identical_files_and_replaces_only_what_it_may(tmp_path: Path) -> None:
    (tmp_path / "same.yaml").write_bytes(b"same")
    (tmp_path / "cluster.py").write_bytes(b"old")

    written = writer.write_new(
        tmp_path,
        {"same.yaml": b"same", "cluster.py": b"new", "m/new.yaml": b"n"},
        replace=("cluster.py",),
    )

    assert written == ["cluster.py", "m/new.yaml"]
    assert (tmp_path / "cluster.py").read_bytes() == b"new"
    assert not list(tmp_path.rglob(f"*{TMP_SUFFIX}"))


def test_writing_never_flushes_the_whole_machine(
    nova: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sync() -> None:
        raise AssertionError("os.sync() flushes every filesystem of the machine")

    monkeypatch.setattr(os, "sync", no_sync)
    assert run("-C", nova).code == 0
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=", "cores=1"))
    assert run("-C", nova).code == 0


def test_temporaries_of_an_interrupted_run_are_removed(nova: Path) -> None:
    run("-C", nova)
    stale = [
        f".devenv.nix.0123456789abcdef{TMP_SUFFIX}",
        f"{APP_DIR}/.ks.yaml.fedcba9876543210{TMP_SUFFIX}",
    ]
    for rel in stale:
        (nova / rel).write_text("half")
    assert run("-C", nova, "--check").code == 0, "temporaries are not outputs"
    assert run("-C", nova).code == 0
    assert not [rel for rel in stale if (nova / rel).exists()]
