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

MANIFEST = f"{OUT}/.homeops-gen.json"
"""The record of every file the generator wrote, with its content hash."""

MODEL_FILE = "cluster.py"
"""The model, at the project root: the one file the user edits."""

GITIGNORE = ".gitignore"
GITATTRIBUTES = ".gitattributes"
BLOCK_FILES = (GITIGNORE, GITATTRIBUTES)
"""Root files shared with the user: homeops-gen owns only a marked block in each, and
every line outside it is the user's."""

TALSECRET = f"{TALOS}/talsecret.sops.yaml"
"""talhelper's cluster secrets, encrypted with SOPS (made by ``talos-gen``, never by us)."""

CLUSTERCONFIG = f"{TALOS}/clusterconfig"
"""Where ``talhelper genconfig`` writes machine configs and talosconfig (secret: not committed)."""

RUNTIME_FILES = (TALSECRET, CLUSTERCONFIG)
"""Files and folders under ``out/`` that the operator's tools create, which scripts may name."""


def app_dir(namespace: str, name: str) -> str:
    """The folder of one app's Flux Kustomization: ``out/kubernetes/apps/<ns>/<app>``."""
    return f"{APPS}/{namespace}/{name}"


FLUX_NAMESPACE = "flux-system"
"""Where Flux runs, and where every Flux Kustomization of the tree lives."""

FLUX_SOURCE = "flux-system"
"""The GitRepository (and Kustomization) the FluxInstance creates for its sync."""

ROOT_KUSTOMIZATION = "cluster-apps"
"""The Flux Kustomization over ``out/kubernetes/apps``."""

SOPS_AGE_SECRET = "sops-age"
"""The Secret in flux-system holding the age key Flux decrypts SOPS files with."""
