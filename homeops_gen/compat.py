"""Which versions work together: the Talos and Cilium support matrices.

Talos: the "Support Matrix" page of each Talos release's documentation.
Cilium: "Kubernetes Compatibility" of each release's documentation: listed
Kubernetes versions are e2e tested; older ones have no Cilium support, newer
ones depend on Kubernetes' backward compatibility.
"""

from __future__ import annotations

import re

Minor = tuple[int, int]

TALOS_KUBERNETES: dict[Minor, tuple[Minor, Minor]] = {
    (1, 7): ((1, 25), (1, 30)),
    (1, 8): ((1, 26), (1, 31)),
    (1, 9): ((1, 27), (1, 32)),
    (1, 10): ((1, 28), (1, 33)),
    (1, 11): ((1, 29), (1, 34)),
    (1, 12): ((1, 30), (1, 35)),
    (1, 13): ((1, 31), (1, 36)),
}
"""Talos minor -> the oldest and newest Kubernetes minor it supports."""

CILIUM_KUBERNETES: dict[Minor, tuple[Minor, Minor]] = {
    (1, 18): ((1, 30), (1, 33)),
}
"""Cilium minor -> the oldest and newest Kubernetes minor its e2e tests cover."""


def minor(version: str) -> Minor:
    """``(major, minor)`` of ``v1.11.5`` or ``1.18.4``."""
    match = re.match(r"^v?(\d+)\.(\d+)", version)
    if not match:
        raise ValueError(f"not a version: {version!r}")
    return int(match.group(1)), int(match.group(2))


def show(version: Minor) -> str:
    """``1.34`` for ``(1, 34)``."""
    return f"{version[0]}.{version[1]}"
