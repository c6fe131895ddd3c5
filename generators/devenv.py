"""Root files for operators: ``devenv.nix`` (tools and scripts) and ``.env.example``."""

from __future__ import annotations

from dataclasses import dataclass

from homeops_gen import derive
from homeops_gen.formats import shell_quote
from homeops_gen.layout import (
    BOOTSTRAP,
    CLUSTERCONFIG,
    FLUX_NAMESPACE,
    INFRASTRUCTURE,
    SOPS_AGE_SECRET,
    TALCONFIG,
    TALOS_APPLY,
    TALOS_GEN,
    TALOS_UPGRADE,
    TALOSCONFIG,
    TALSECRET,
)
from homeops_gen.model import Cluster
from homeops_gen.project import Project
from homeops_gen.templating import render_template

PACKAGES = (
    "age",
    "fluxcd",
    "git",
    "helmfile",
    "kubectl",
    "kubernetes-helm",
    "opentofu",
    "sops",
    "talhelper",
    "talosctl",
    "terragrunt",
)


@dataclass(frozen=True)
class Script:
    """A devenv script: its name, a one-line description and the shell it runs."""

    name: str
    description: str
    exec: str


def render(project: Project) -> dict[str, str]:
    """``devenv.nix`` and ``.env.example``."""
    cluster = project.cluster
    return {
        "devenv.nix": render_template(
            "devenv/devenv.nix.j2", packages=packages(cluster), scripts=scripts(cluster)
        ),
        ".env.example": render_template(
            "devenv/env.example.j2", variables=environment_variables(cluster)
        ),
    }


def packages(cluster: Cluster) -> tuple[str, ...]:
    """The tools the scripts run: talhelper only for the talhelper backend."""
    if cluster.talos.backend == "talhelper":
        return PACKAGES
    return tuple(p for p in PACKAGES if p != "talhelper")


def _at_root(*commands: str) -> str:
    return " && ".join(['cd "$DEVENV_ROOT"', *commands])


def scripts(cluster: Cluster) -> list[Script]:
    """The operator's scripts, every path pointing at a generated file."""
    talsecret = shell_quote(TALSECRET)
    boot = [f"cd {shell_quote(BOOTSTRAP)}", 'helmfile sync --hide-notes "$@"']
    if any(app.secrets for app in cluster.apps):
        boot = [
            f"kubectl create namespace {FLUX_NAMESPACE} --dry-run=client -o yaml | kubectl apply -f -",
            f"kubectl -n {FLUX_NAMESPACE} create secret generic {SOPS_AGE_SECRET}"
            ' --from-file=age.agekey="$SOPS_AGE_KEY_FILE" --dry-run=client -o yaml'
            " | kubectl apply -f -",
            *boot,
        ]
    return [
        Script(
            "gen",
            "Regenerate out/ and the root files from cluster.py",
            _at_root('homeops-gen "$@"'),
        ),
        Script(
            "infra-plan",
            "Plan the Proxmox VMs of every host (terragrunt)",
            _at_root(f"cd {shell_quote(INFRASTRUCTURE)}", 'terragrunt run --all plan "$@"'),
        ),
        Script(
            "infra-apply",
            "Create or update the Proxmox VMs of every host (terragrunt)",
            _at_root(f"cd {shell_quote(INFRASTRUCTURE)}", 'terragrunt run --all apply "$@"'),
        ),
        _talos_gen(cluster),
        Script(
            "talos-encrypt",
            "Encrypt the Talos secrets file with SOPS",
            _at_root(f"sops --encrypt --in-place {talsecret}"),
        ),
        Script(
            "talos-apply",
            "Apply the machine configs to every node (--insecure for maintenance mode)",
            _at_root(f'{shell_quote(TALOS_APPLY)} "$@"'),
        ),
        Script(
            "talos-upgrade",
            "Upgrade Talos node by node (control planes one at a time) to the model's version",
            _at_root(f'{shell_quote(TALOS_UPGRADE)} talos "$@"'),
        ),
        Script(
            "k8s-upgrade",
            "Upgrade Kubernetes to the model's version (talosctl upgrade-k8s)",
            _at_root(f'{shell_quote(TALOS_UPGRADE)} kubernetes "$@"'),
        ),
        Script(
            "talos-bootstrap",
            "Bootstrap etcd on the first control plane and fetch the kubeconfig",
            _at_root(
                f"export TALOSCONFIG={shell_quote(TALOSCONFIG)}",
                f"talosctl bootstrap --nodes {shell_quote(cluster.control_planes[0].ip)}"
                f" --endpoints {shell_quote(cluster.control_planes[0].ip)}",
                f"talosctl kubeconfig --nodes {shell_quote(cluster.control_planes[0].ip)}"
                f" --endpoints {shell_quote(cluster.control_planes[0].ip)} --force",
            ),
        ),
        Script(
            "boot",
            "Install the bootstrap apps (CNI, Flux) once; Flux takes over from there",
            _at_root(*boot),
        ),
    ]


def environment_variables(cluster: Cluster) -> list[tuple[str, str]]:
    """Every variable the outputs read, with what it is for."""
    state = cluster.state
    variables = [
        (state.account_id_env, "Cloudflare account id (R2 endpoint of the OpenTofu state)"),
        (state.access_key_env, "R2 access key id for the state bucket"),
        (state.secret_key_env, "R2 secret access key for the state bucket"),
    ]
    for host in cluster.hosts:
        names = derive.host_credentials(host)
        variables.append(
            (names["api_token"], f"Proxmox API token of {host.name} (user@realm!id=secret)")
        )
        variables.append(
            (names["ssh_user"], f"SSH user on {host.name} for uploads (default {host.ssh_user})")
        )
    variables.append(("SOPS_AGE_KEY_FILE", "The age private key file SOPS decrypts with"))
    return variables


def _talos_gen(cluster: Cluster) -> Script:
    """``talos-gen`` of the model's Talos backend."""
    if cluster.talos.backend == "talosctl":
        return Script(
            "talos-gen",
            "Generate the Talos machine configs with talosctl (creates the secrets once)",
            _at_root(f'{shell_quote(TALOS_GEN)} "$@"'),
        )
    talsecret = shell_quote(TALSECRET)
    return Script(
        "talos-gen",
        "Generate the Talos machine configs with talhelper (creates the secrets once)",
        _at_root(
            f"if [ ! -f {talsecret} ]; then talhelper gensecret > {talsecret}"
            f" && sops --encrypt --in-place {talsecret}; fi",
            f"talhelper genconfig --config-file {shell_quote(TALCONFIG)}"
            f" --secret-file {talsecret} --out-dir {shell_quote(CLUSTERCONFIG)}",
        ),
    )
