"""Root files for operators: ``devenv.nix`` (tools and scripts) and ``.env.example``."""

from __future__ import annotations

from dataclasses import dataclass

from homeops_gen import derive
from homeops_gen.formats import shell_quote
from homeops_gen.layout import (
    DEVENV,
    ENV_EXAMPLE,
    BOOTSTRAP,
    CLUSTERCONFIG,
    FLUX_NAMESPACE,
    INFRASTRUCTURE,
    KUBECONFIG,
    SOPS_AGE_SECRET,
    TALCONFIG,
    TALOS_APPLY,
    TALOS_GEN,
    TALOS_UPGRADE,
    TALOSCONFIG,
    TALSECRET,
    TALSECRET_PARTIAL,
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
        DEVENV: render_template(
            "devenv/devenv.nix.j2",
            packages=packages(cluster),
            scripts=scripts(cluster),
            enter_shell=LOAD_DOTENV,
        ),
        ENV_EXAMPLE: render_template(
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


LOAD_DOTENV = 'if [ -f "$DEVENV_ROOT/.env" ]; then set -a; . "$DEVENV_ROOT/.env"; set +a; fi'
"""Read ``.env`` into the shell at start-up, so no value is evaluated into the Nix store."""

S3_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
"""The only variables the S3 backend (and terragrunt's bucket checks) read the keys from."""


def state_credentials(cluster: Cluster) -> list[str]:
    """Commands exporting the model's R2 key variables under the names the S3 backend reads.

    The keys stay in the environment: no generated file and no backend configuration
    terragrunt writes holds them."""
    state = cluster.state
    return [
        f'export {target}="${{{source}:?{source} is not set (see .env.example)}}"'
        for target, source in zip(
            S3_CREDENTIALS, (state.access_key_env, state.secret_key_env), strict=True
        )
        if target != source
    ]


def kube_context(cluster: Cluster) -> str:
    """The context of the kubeconfig talosctl writes for ``cluster``: ``admin@<cluster>``."""
    return f"admin@{cluster.name}"


def _pin_cluster(cluster: Cluster) -> list[str]:
    """Commands that point kubectl and helmfile at this cluster's own kubeconfig and context,
    whatever the operator's current context is."""
    return [
        f'export KUBECONFIG="$DEVENV_ROOT"/{shell_quote(KUBECONFIG)}',
        f"kubectl config use-context {shell_quote(kube_context(cluster))} >/dev/null",
    ]


def _talos_gen(cluster: Cluster) -> Script:
    """``talos-gen`` of the model's Talos backend: the encrypted secrets once, then the configs.

    With talhelper, ``talhelper gensecret`` pipes straight into ``sops encrypt``
    (``--filename-override`` picks the creation rule): plain-text secrets never touch the
    disk, and a failed encryption leaves no file behind, so the next run tries again.
    """
    if cluster.talos.backend == "talosctl":
        return Script(
            "talos-gen",
            "Generate the Talos machine configs with talosctl (creates the secrets once)",
            _at_root(f'{shell_quote(TALOS_GEN)} "$@"'),
        )
    talsecret = shell_quote(TALSECRET)
    partial = shell_quote(TALSECRET_PARTIAL)
    return Script(
        "talos-gen",
        "Generate the Talos machine configs with talhelper (creates the encrypted secrets once)",
        _at_root(
            "set -o pipefail",
            f"if [ ! -f {talsecret} ]; then"
            f" if talhelper gensecret | sops encrypt --filename-override {talsecret} > {partial};"
            f" then mv {partial} {talsecret};"
            f" else rm -f {partial}; echo 'talos-gen: encrypting the Talos secrets failed' >&2;"
            " exit 1; fi; fi",
            f"talhelper genconfig --config-file {shell_quote(TALCONFIG)}"
            f" --secret-file {talsecret} --out-dir {shell_quote(CLUSTERCONFIG)}",
        ),
    )


APPLY_SECRET = "kubectl apply --server-side --field-manager=boot --force-conflicts"
"""How ``boot`` applies a Secret: server-side, so the API keeps no copy of it in a
``kubectl.kubernetes.io/last-applied-configuration`` annotation, as client-side ``apply``
does (kubectl apply --server-side; ``--force-conflicts`` takes over fields an earlier
client-side apply owned)."""


def _boot(cluster: Cluster) -> str:
    """Install the bootstrap apps into this cluster only, with the Secrets Flux needs first."""
    steps = _pin_cluster(cluster)
    pull_secret = cluster.gitops.pull_secret
    if pull_secret is not None or any(app.secrets for app in cluster.apps):
        steps.append(
            f"kubectl create namespace {FLUX_NAMESPACE} --dry-run=client -o yaml"
            " | kubectl apply -f -"
        )
    if pull_secret is not None:
        # Decrypted into a pipe, never onto the disk: the credentials Flux fetches Git with.
        steps.append(
            f"sops decrypt {shell_quote(pull_secret)}"
            f" | {APPLY_SECRET} --namespace {FLUX_NAMESPACE} -f -"
        )
    if any(app.secrets for app in cluster.apps):
        steps += [
            # The key goes from its file through a pipe into the API; nothing is written.
            f"kubectl -n {FLUX_NAMESPACE} create secret generic {SOPS_AGE_SECRET}"
            ' --from-file=age.agekey="${SOPS_AGE_KEY_FILE:?SOPS_AGE_KEY_FILE is not set'
            f' (see .env.example)}}" --dry-run=client -o yaml | {APPLY_SECRET} -f -',
        ]
    steps += [
        f"cd {shell_quote(BOOTSTRAP)}",
        f'helmfile --kube-context {shell_quote(kube_context(cluster))} sync --hide-notes "$@"',
    ]
    return _at_root(*steps)


def scripts(cluster: Cluster) -> list[Script]:
    """The operator's scripts, every path pointing at a generated file."""
    first_cp = shell_quote(cluster.control_planes[0].ip)
    return [
        Script(
            "gen",
            "Regenerate out/ and the root files from cluster.py",
            _at_root('homeops-gen "$@"'),
        ),
        Script(
            "infra-plan",
            "Plan the Proxmox VMs of every host (terragrunt)",
            _at_root(
                *state_credentials(cluster),
                f"cd {shell_quote(INFRASTRUCTURE)}",
                'terragrunt run --all plan "$@"',
            ),
        ),
        Script(
            "infra-apply",
            "Create or update the Proxmox VMs of every host (terragrunt)",
            _at_root(
                *state_credentials(cluster),
                f"cd {shell_quote(INFRASTRUCTURE)}",
                'terragrunt run --all apply "$@"',
            ),
        ),
        _talos_gen(cluster),
        Script(
            "talos-apply",
            "Apply the machine configs to every node, or to NODE...; nodes in maintenance mode get --insecure",
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
            "Bootstrap etcd on the first control plane and fetch the cluster's own kubeconfig",
            _at_root(
                f"export TALOSCONFIG={shell_quote(TALOSCONFIG)}",
                f"talosctl bootstrap --nodes {first_cp} --endpoints {first_cp}",
                # Into its own file (not merged into ~/.kube/config), which boot pins.
                f"talosctl kubeconfig {shell_quote(KUBECONFIG)} --nodes {first_cp}"
                f" --endpoints {first_cp} --force",
            ),
        ),
        Script(
            "boot",
            "Install the bootstrap apps (CNI, Flux) once; Flux takes over from there",
            _boot(cluster),
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
    variables.append(("SOPS_AGE_KEY_FILE", "The age private key file SOPS decrypts with"))
    return variables
