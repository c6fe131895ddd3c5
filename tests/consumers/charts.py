"""Real charts and CRDs at hand offline: the packaged charts of ``../shared/charts``, Cilium's
at any version from its Go module (``install/kubernetes/cilium`` of ``github.com/cilium/cilium``)
and the Gateway API CRDs from theirs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import SHARED
from tests.consumers.gobuild import ModuleNotServed, module_dir

CILIUM_MODULE = "github.com/cilium/cilium"
GATEWAY_API_MODULE = "sigs.k8s.io/gateway-api"
GATEWAY_API = re.compile(
    r"https://github\.com/kubernetes-sigs/gateway-api/releases/download/(v[0-9.]+)/"
    r"(standard|experimental)-install\.yaml"
)
"""The Gateway API release manifest a bootstrap hook applies: its CRDs are those of
``config/crd/<channel>`` in the ``sigs.k8s.io/gateway-api`` module at that version."""
CHARTS = SHARED / "charts"


def shared_chart(name: str, version: str) -> Path | None:
    """``NAME-VERSION.tgz`` of ``../shared/charts``, when it is there."""
    path = CHARTS / f"{name}-{version.removeprefix('v')}.tgz"
    return path if path.is_file() else None


def real_chart(name: str, version: str, work: Path, helm: str) -> tuple[Path, str] | None:
    """The packaged chart ``name`` at ``version`` and where it came from; None when neither
    ``../shared/charts`` has it nor (for Cilium) the module proxy serves that version.
    Raises :class:`RuntimeError` when ``helm`` (the path of a helm) cannot package Cilium's
    chart folder."""
    shared = shared_chart(name, version)
    if shared is not None:
        return shared, f"../shared/charts/{shared.name}"
    if name != "cilium":
        return None
    version = version.removeprefix("v")
    try:
        source = module_dir(CILIUM_MODULE, "v" + version) / "install" / "kubernetes" / "cilium"
    except ModuleNotServed:
        return None
    archive = work / f"cilium-{version}.tgz"
    if not archive.is_file():
        dest = work / f"cilium-src-{version}"
        shutil.copytree(source, dest, dirs_exist_ok=True)
        dest.chmod(0o755)  # the module cache is read-only; helm package reads the folder
        proc = subprocess.run(
            [helm, "package", str(dest), "--destination", str(work)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"helm package {dest}: {proc.stderr.strip()}")
    return archive, f"{CILIUM_MODULE}@v{version}"


def gateway_api_crds(text: str) -> list[Path]:
    """The CRD files of the Gateway API release manifests ``text`` downloads (none when the
    module proxy does not serve that version)."""
    files: list[Path] = []
    for version, channel in sorted(set(GATEWAY_API.findall(text))):
        try:
            folder = module_dir(GATEWAY_API_MODULE, version) / "config" / "crd" / channel
        except ModuleNotServed:
            continue
        files += sorted(folder.glob("*.yaml"))
    return files
