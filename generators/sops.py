"""Root file ``.sops.yaml``: which age recipients encrypt every secret path the model uses."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from homeops_gen.formats import yaml_file
from homeops_gen.layout import KUBERNETES, TALSECRET
from homeops_gen.model import Cluster
from homeops_gen.project import Project

KUBERNETES_SECRET_FIELDS = "^(data|stringData)$"


def render(project: Project) -> dict[str, str]:
    """``.sops.yaml``."""
    return {".sops.yaml": yaml_file({"creation_rules": creation_rules(project.cluster)})}


def creation_rules(cluster: Cluster) -> list[dict[str, Any]]:
    """The rules, most specific first (SOPS uses the first that matches)."""
    recipients = ",".join(cluster.sops.age_recipients)
    rules: list[dict[str, Any]] = [
        # talhelper's secrets are encrypted whole.
        {"path_regex": f"(^|/){re.escape(TALSECRET)}$", "age": recipients},
    ]
    folders = sorted({posixpath.dirname(p) for app in cluster.apps for p in app.secrets})
    for folder in folders:
        prefix = f"{re.escape(folder)}/" if folder else ""
        rules.append(
            {
                "path_regex": f"(^|/){prefix}[^/]+\\.sops\\.ya?ml$",
                "encrypted_regex": KUBERNETES_SECRET_FIELDS,
                "age": recipients,
            }
        )
    rules.append(
        {
            "path_regex": f"(^|/){re.escape(KUBERNETES)}/.+\\.sops\\.ya?ml$",
            "encrypted_regex": KUBERNETES_SECRET_FIELDS,
            "age": recipients,
        }
    )
    return rules
