"""Where generated files go, relative to the project root (the folder of ``cluster.py``),
and the names of the Flux objects other objects refer to.

Every path another layer refers to (a sync path, a script, a hook's file) is
built from these names, so the references and the files cannot drift apart.
"""

from __future__ import annotations

OUT = "out"
INFRASTRUCTURE = f"{OUT}/infrastructure"
TALOS = f"{OUT}/talos"
BOOTSTRAP = f"{OUT}/bootstrap"
KUBERNETES = f"{OUT}/kubernetes"
APPS = f"{KUBERNETES}/apps"
COMPONENTS = f"{KUBERNETES}/components"
FLUX_SYNC_PATH = f"{KUBERNETES}/flux/cluster"
"""The path the FluxInstance syncs: the root Kustomization lives here."""

HELMFILE = f"{BOOTSTRAP}/helmfile.yaml"
"""The bootstrap helmfile."""

MANIFEST = f"{OUT}/.homeops-gen.json"
"""The record of every file the generator wrote, with its content hash."""

LOCK = f"{OUT}/.homeops-gen.lock"
"""Held (``flock``) by a run for as long as it reads and writes the project, beside the
manifest; it names the process holding it, and is removed when the run ends."""

MODEL_FILE = "cluster.py"
"""The model, at the project root: the one file the user edits."""

JUSTFILE = "justfile"
"""The operator's scripts as just recipes (``Automation.task_runner`` with ``"just"``)."""
MISE_CONFIG = ".mise.toml"
"""The tools of the justfile's recipes, each at a pinned version, for mise."""

GITIGNORE = ".gitignore"
GITATTRIBUTES = ".gitattributes"
BLOCK_FILES = (GITIGNORE, GITATTRIBUTES)
"""Root files shared with the user: homeops-gen owns only a marked block in each, and
every line outside it is the user's."""

DEVENV = "devenv.nix"
ENV_EXAMPLE = ".env.example"
SOPS_CONFIG = ".sops.yaml"

SECRETS_FOLDER = "secrets"
"""Where the README tells users to keep their encrypted Secrets (``secrets/*.sops.yaml``)."""

TALSECRET = f"{TALOS}/talsecret.sops.yaml"
"""The cluster secrets (a ``talosctl gen secrets`` bundle, which talhelper reads too), encrypted
with SOPS (made by ``talos-gen``, never by us)."""

TALCONFIG = f"{TALOS}/talconfig.yaml"
"""talhelper's configuration (the talhelper backend)."""
TALOS_APPLY = f"{TALOS}/apply.sh"
"""``talos-apply``: applies every node's machine config."""
TALOS_GEN = f"{TALOS}/gen.sh"
"""``talos-gen`` of the talosctl backend: secrets bundle once, then every node's machine config."""
TALOS_UPGRADE = f"{TALOS}/upgrade.sh"
"""``talos-upgrade`` and ``k8s-upgrade``: ``upgrade.sh talos`` / ``upgrade.sh kubernetes``."""
TALOS_VERSIONS = f"{TALOS}/versions.yaml"
"""The Talos and Kubernetes versions and the version contract the output was made for: what
``generate`` compares a version change with."""

CLUSTERCONFIG = f"{TALOS}/clusterconfig"
"""Where ``talos-gen`` writes machine configs and talosconfig (secret: not committed)."""

KUBECONFIG = f"{CLUSTERCONFIG}/kubeconfig"
"""The cluster's own kubeconfig (``talos-bootstrap`` writes it; ``boot`` uses only it)."""

TALOSCONFIG = f"{CLUSTERCONFIG}/talosconfig"
"""The talosctl client config ``talos-gen`` writes beside the machine configs."""

TALSECRET_PARTIAL = f"{TALSECRET}.partial"
"""Where ``talos-gen`` lets sops write the encrypted secrets before renaming them into place."""

RUNTIME_FILES = (TALSECRET, TALSECRET_PARTIAL, CLUSTERCONFIG)
"""Files and folders under ``out/`` that the operator's tools create, which scripts may name."""


def app_dir(namespace: str, name: str) -> str:
    """The folder of one app's Flux Kustomization: ``out/kubernetes/apps/<ns>/<app>``."""
    return f"{APPS}/{namespace}/{name}"


APP_FOLDER = "app"
"""The folder of an app's own Flux Kustomization: its release, sources, manifests and secrets."""

RESOURCES_FOLDER = "resources"
"""The folder of an app's custom resources, applied by a second Flux Kustomization once the
first is Ready: the CRDs its chart installs exist by then."""


def resources_kustomization(app_name: str) -> str:
    """The name of the Flux Kustomization applying an app's custom resources."""
    return f"{app_name}-{RESOURCES_FOLDER}"


def release_dir(namespace: str, name: str) -> str:
    """The folder that Kustomization deploys: the app's release, sources and extra files."""
    return f"{app_dir(namespace, name)}/{APP_FOLDER}"


KUSTOMIZATION_FILE = "kustomization.yaml"
HELMRELEASE_FILE = "helmrelease.yaml"
CHART_SOURCE_KINDS = ("OCIRepository", "HelmRepository")
"""The Flux sources a release's chart comes from (``oci://`` or ``https://`` charts)."""


def source_file(kind: str) -> str:
    """The file of a chart source in the release folder: ``ocirepository.yaml``, ..."""
    return f"{kind.lower()}.yaml"


RELEASE_FILES = frozenset(
    {KUSTOMIZATION_FILE, HELMRELEASE_FILE, *(source_file(k) for k in CHART_SOURCE_KINDS)}
)
"""The names homeops-gen writes in every release folder: an app's own files need others."""


FLUX_NAMESPACE = "flux-system"
"""Where Flux runs, and where every Flux Kustomization of the tree lives."""

FLUX_SOURCE = "flux-system"
"""The GitRepository (and Kustomization) the FluxInstance creates for its sync."""

ROOT_KUSTOMIZATION = "cluster-apps"
"""The Flux Kustomization over ``out/kubernetes/apps``."""

SOPS_AGE_SECRET = "sops-age"
"""The Secret in flux-system holding the age key Flux decrypts SOPS files with."""

RENOVATE_CONFIG = "renovate.json"
"""The Renovate config: the first name Renovate looks for, so no other config file shadows it."""

WORKFLOW = ".github/workflows/homeops-gen.yaml"
"""The GitHub Actions workflow that checks pull requests and regenerates Renovate's."""

REGENERATION_AUTHOR = "41898282+github-actions[bot]@users.noreply.github.com"
"""The Git author email of the workflow's regeneration commits (GitHub Actions' bot), which
the Renovate config ignores so Renovate keeps updating its branch after them."""


ROOT_FILES = (
    DEVENV,
    JUSTFILE,
    MISE_CONFIG,
    ENV_EXAMPLE,
    SOPS_CONFIG,
    GITIGNORE,
    GITATTRIBUTES,
    RENOVATE_CONFIG,
    WORKFLOW,
)
"""Every file homeops-gen may write outside ``out/``: a manifest entry naming anything else
(outside ``out/``) is refused, so a tampered manifest cannot reach other files."""
