"""Small models for tests: a valid base as plain data, and cluster.py files made from it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

DELETE = object()
"""An override value that removes the key."""

DEFAULT_APPS = '[cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0")]'

BASE: dict[str, Any] = {
    "name": "test",
    "versions": {"talos": "v1.11.5", "kubernetes": "v1.33.0"},
    "network": {
        "node_cidr": "192.168.1.0/24",
        "gateway": "192.168.1.1",
        "load_balancer_cidr": "192.168.1.240/28",
    },
    "hosts": [{"name": "pve", "endpoint": "https://pve.lan:8006/", "vm_datastore": "local-lvm"}],
    "nodes": [
        {
            "name": "cp-1",
            "role": "controlplane",
            "host": "pve",
            "vm_id": 100,
            "ip": "192.168.1.10",
            "cores": 2,
            "memory_mib": 4096,
            "disk_gib": 32,
        },
        {
            "name": "cp-2",
            "role": "controlplane",
            "host": "pve",
            "vm_id": 101,
            "ip": "192.168.1.11",
            "cores": 2,
            "memory_mib": 4096,
            "disk_gib": 32,
        },
        {
            "name": "cp-3",
            "role": "controlplane",
            "host": "pve",
            "vm_id": 102,
            "ip": "192.168.1.12",
            "cores": 2,
            "memory_mib": 4096,
            "disk_gib": 32,
        },
        {
            "name": "worker-1",
            "role": "worker",
            "host": "pve",
            "vm_id": 110,
            "ip": "192.168.1.20",
            "cores": 4,
            "memory_mib": 8192,
            "disk_gib": 64,
        },
    ],
    "state": {"bucket": "test-state"},
    "gitops": {"repository": "https://github.com/example/test"},
    "sops": {"age_recipients": ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]},
}


def model(**overrides: Any) -> dict[str, Any]:
    """The base model with top-level keys (or dotted paths such as ``network.gateway``) replaced."""
    data = copy.deepcopy(BASE)
    for dotted, value in overrides.items():
        *parents, last = dotted.split("__")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is DELETE:
            del target[last]
        else:
            target[last] = value
    return data


HELPERS = """
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}


def web(**fields):
    \"\"\"An app with a chart; ``fields`` replace its defaults.\"\"\"
    base = dict(name="web", namespace="web", chart=Chart(url="oci://r.io/web", version="1.0.0"))
    return App(**{**base, **fields})
"""
"""Names the generated cluster.py files can use: a ConfigMap and an app with a chart."""


def write_model(root: Path, data: dict[str, Any] | None = None, apps: str = DEFAULT_APPS) -> Path:
    """A project in ``root`` whose cluster.py builds ``data`` (the base model by default)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "cluster.py").write_text(
        "from homeops_gen import *\n"
        "from homeops_gen.apps import *\n\n"
        f"{HELPERS}\n"
        f"cluster = Cluster.model_validate({{**{(data or BASE)!r}, 'apps': {apps}}})\n"
    )
    return root
