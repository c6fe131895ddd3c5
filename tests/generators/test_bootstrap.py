"""Layer 3: the bootstrap helmfile agrees with the Flux HelmReleases and installs in order."""

from __future__ import annotations

from typing import Any

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from homeops_gen.apps import cilium
from homeops_gen.generators.bootstrap import helmfile
from homeops_gen.model import Cluster
from homeops_gen.generators.bootstrap import APPLY_ATTEMPTS
from homeops_gen.layout import release_dir
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, loaded, rendered


def _helmfile(model: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(rendered(model)["out/bootstrap/helmfile.yaml"])
    return data


@pytest.mark.parametrize("model", sorted(MODELS))
def test_bootstrap_releases_match_their_helmreleases(model: str) -> None:
    files = rendered(model)
    cluster = loaded(model).cluster
    releases = {r["name"]: r for r in _helmfile(model)["releases"]}
    assert set(releases) == {a.name for a in Deployment(cluster).apps if a.bootstrap}
    for app in Deployment(cluster).apps:
        if not app.bootstrap:
            continue
        folder = release_dir(app.namespace, app.name)
        helmrelease = yaml.safe_load(files[f"{folder}/helmrelease.yaml"])
        release = releases[app.name]
        assert release["namespace"] == app.namespace
        assert release.get("values", [{}])[0] == helmrelease["spec"].get("values", {})
        if "chartRef" in helmrelease["spec"]:
            source = yaml.safe_load(files[f"{folder}/ocirepository.yaml"])
            assert release["chart"] == source["spec"]["url"]
            assert release["version"] == source["spec"]["ref"]["tag"]
        else:
            spec = helmrelease["spec"]["chart"]["spec"]
            assert release["chart"].endswith("/" + spec["chart"])
            assert release["version"] == spec["version"]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_releases_come_after_what_they_need(model: str) -> None:
    releases = _helmfile(model)["releases"]
    seen: set[str] = set()
    for release in releases:
        for need in release.get("needs", []):
            assert need in seen, f"{release['name']} needs {need} first"
        seen.add(f"{release['namespace']}/{release['name']}")
    assert releases[0]["name"] == "cilium"


def test_nova_order_and_needs() -> None:
    releases = _helmfile("nova")["releases"]
    assert [r["name"] for r in releases] == ["cilium", "flux-operator", "flux-instance"]
    assert releases[1]["needs"] == ["kube-system/cilium"]
    assert releases[2]["needs"] == ["flux-system/flux-operator"]


def test_coredns_before_flux() -> None:
    names = [r["name"] for r in _helmfile("ha-vip")["releases"]]
    assert names == ["cilium", "coredns", "flux-operator", "flux-instance"]


def test_cilium_pool_is_applied_after_its_crds_exist() -> None:
    cilium = _helmfile("nova")["releases"][0]
    hook = cilium["hooks"][-1]
    assert hook["events"] == ["postsync"] and hook["command"] == "bash"
    script = hook["args"][1]
    assert (
        "--filename=../kubernetes/apps/kube-system/cilium/resources/ciliumloadbalancerippool-pool.yaml"
        in script
    )


@pytest.mark.parametrize(("failures", "code"), [(0, 0), (2, 0), (APPLY_ATTEMPTS, 1)])
def test_resource_hook_retries_until_the_api_accepts(
    tmp_path: Path, failures: int, code: int
) -> None:
    """The hook's script, run by bash with a kubectl that fails ``failures`` times first."""
    script = _helmfile("nova")["releases"][0]["hooks"][-1]["args"][1]
    calls = tmp_path / "calls"
    stubs = {
        "kubectl": f'echo "$*" >> {calls}\n'
        f'[ "$(wc -l < {calls})" -gt {failures} ] || {{ echo "no CRD yet" >&2; exit 1; }}\n',
        "sleep": "exit 0\n",
    }
    for name, body in stubs.items():
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}")
        (tmp_path / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert proc.returncode == code, proc.stderr
    attempts = calls.read_text().splitlines()
    assert len(attempts) == min(failures + 1, APPLY_ATTEMPTS)
    assert all(a.startswith("apply --server-side") for a in attempts)
    if code:
        assert "resources of cilium were not accepted" in proc.stderr


def test_gateway_api_crds_are_applied_before_cilium() -> None:
    [crds, _] = _helmfile("nova")["releases"][0]["hooks"]
    assert crds["events"] == ["presync"] and crds["command"] == "kubectl"
    assert crds["args"][-1] == (
        "--filename=https://github.com/kubernetes-sigs/gateway-api/releases/download/"
        "v1.3.0/standard-install.yaml"
    )


def test_no_pool_no_hook() -> None:
    assert "hooks" not in _helmfile("no-lb-pool")["releases"][0]


def test_https_chart_gets_a_repository() -> None:
    from homeops_gen.generators.bootstrap import helmfile
    from homeops_gen.model import App, Chart, Cluster

    cluster = loaded("many-apps").cluster
    extra = App(
        name="cert-manager-early",
        namespace="cert-manager",
        chart=Chart(url="https://charts.jetstack.io", name="cert-manager", version="1.19.1"),
        bootstrap=True,
    )
    changed = Cluster.model_validate({**cluster.model_dump(), "apps": [*cluster.apps, extra]})
    result = helmfile(changed)
    repositories = result.get("repositories")
    assert repositories is not None
    assert repositories[0]["url"] == "https://charts.jetstack.io"
    assert result["releases"][-1]["chart"] == "cert-manager-early/cert-manager"


def _with_relay(model: str, relay: bool = True) -> Cluster:
    """Model ``model`` with Hubble Relay turned on (or off) in its cilium app."""
    cluster = loaded(model).cluster
    apps = [
        (
            cilium(app.chart.version, values={"hubble": {"relay": {"enabled": relay}}})
            if app.chart is not None and app.chart.chart_name == "cilium"
            else app
        )
        for app in cluster.apps
    ]
    return Cluster(**{**{f: getattr(cluster, f) for f in Cluster.model_fields}, "apps": apps})


def test_cilium_does_not_wait_for_a_relay_that_needs_dns_from_a_later_release() -> None:
    """Relay resolves its peers through cluster DNS, which the CoreDNS release (after Cilium)
    brings: waiting for Cilium's release would stall until the helmfile timeout."""
    releases = {r["name"]: r for r in helmfile(_with_relay("ha-vip"))["releases"]}
    assert releases["cilium"].get("wait") is False
    assert releases["coredns"].get("wait") is None, "CoreDNS still waits: its pods prove the CNI"
    assert [r["name"] for r in helmfile(_with_relay("ha-vip"))["releases"]].index("coredns") > 0
    # Relay off (the chart's default): every release waits.
    assert all(
        r.get("wait") is None for r in helmfile(_with_relay("ha-vip", relay=False))["releases"]
    )
    assert _helmfile("ha-vip")["releases"][0]["wait"] is False  # the fixture runs Relay


def test_without_managed_coredns_cilium_waits_even_with_relay() -> None:
    # Talos' own CoreDNS runs before any release, so Relay finds DNS.
    assert helmfile(_with_relay("no-lb-pool"))["releases"][0].get("wait") is None


def test_a_release_name_is_the_same_in_the_helmfile() -> None:
    from homeops_gen.generators.bootstrap import helmfile
    from homeops_gen.model import App, Chart, Cluster

    cluster = loaded("many-apps").cluster
    extra = App(
        name="certs",
        namespace="cert-manager",
        chart=Chart(url="oci://quay.io/jetstack/charts/cert-manager", version="v1.19.1"),
        release={"releaseName": "cert-manager"},
        bootstrap=True,
    )
    after = App(
        name="issuers",
        namespace="cert-manager",
        chart=Chart(url="oci://r.io/issuers", version="1.0.0"),
        depends_on=["certs"],
        bootstrap=True,
    )
    changed = Cluster.model_validate(
        {**cluster.model_dump(), "apps": [*cluster.apps, extra, after]}
    )
    releases = {r["name"]: r for r in helmfile(changed)["releases"]}
    assert releases["cert-manager"]["version"] == "v1.19.1"
    assert releases["issuers"].get("needs") == ["cert-manager/cert-manager"]
