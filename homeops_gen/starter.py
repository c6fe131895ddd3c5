"""The project ``homeops-gen init`` starts: a realistic small cluster to edit."""

from __future__ import annotations

import re

from homeops_gen import __version__
from homeops_gen.generators.repository import gitignore
from homeops_gen.layout import GITIGNORE, MODEL_FILE
from homeops_gen.templating import render_template

STARTER_VERSIONS = {"talos": "v1.14.4", "kubernetes": "v1.36.3", "cilium": "1.20.2"}
"""The Talos, Kubernetes and Cilium versions a new project starts on.

Kubernetes is 1.36, not 1.37: Cilium 1.20 is e2e tested with 1.33 to 1.36 (cilium v1.20.2
``Documentation/network/kubernetes/compatibility.rst``), Talos 1.14 runs 1.32 to 1.37, and a
Kubernetes past Cilium's tested range is a warning ``--strict`` refuses. v1.36.3 is the newest
1.36 patch the Go module proxy serves (``k8s.io/kubernetes``, 2026-07-22)."""

DEFAULT_NAME = "homelab"


def cluster_name(folder: str) -> str:
    """A cluster name from the project folder's name, when it makes a DNS label."""
    name = re.sub(r"[^a-z0-9-]+", "-", folder.lower()).strip("-")[:40].strip("-")
    return name or DEFAULT_NAME


def starter_model(name: str) -> str:
    """The starter ``cluster.py`` of the cluster ``name``."""
    return render_template(
        "init/cluster.py.j2", cluster_name=name, homeops_gen_version=__version__, **STARTER_VERSIONS
    )


def starter_files(folder: str) -> dict[str, str]:
    """``cluster.py`` and the ``.gitignore`` block of a new project in ``folder``."""
    return {MODEL_FILE: starter_model(cluster_name(folder)), GITIGNORE: gitignore()}


NEXT_STEPS = """\
Next steps:
  1. Edit {model}: every value marked CHANGE is an example (homeops-gen names each
     one left, with its line). automation.install is where your CI installs
     homeops-gen from while it is not on PyPI (see the README, "Getting started").
  2. homeops-gen            # writes out/ and the root files
  3. homeops-gen validate   # needs homeops-gen[validate]
  4. Commit and push, then follow the first-apply guide in the README.
"""
