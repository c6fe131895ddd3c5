"""Root files: devenv.nix scripts and .env.example."""

from __future__ import annotations

import re

import pytest

from tests.conftest import MODELS, rendered

SCRIPTS = [
    "infra-plan",
    "infra-apply",
    "talos-gen",
    "talos-encrypt",
    "talos-apply",
    "talos-upgrade",
    "k8s-upgrade",
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
    assert "cd out/bootstrap && helmfile sync" in devenv
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
