"""Layer 3: the one-time bootstrap ``helmfile.yaml`` (``out/bootstrap``).

It installs the bootstrap apps (CNI, DNS, Flux) in dependency order with exactly
the chart, version and values of their HelmReleases, so when Flux takes over it
finds nothing to change.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from homeops_gen import cross_layer
from homeops_gen.apis import document_file
from homeops_gen.apis.helmfile import HelmDefaults, Helmfile, Hook, Release, Repository
from homeops_gen.formats import shell_quote
from homeops_gen.deployment import Deployment
from homeops_gen.layout import BOOTSTRAP, HELMFILE, app_dir
from homeops_gen.model import App, Cluster
from homeops_gen.project import Project
from homeops_gen.releases import (
    folders,
    helm_chart,
    release_name,
    release_values,
    resource_file,
    user_file_name,
)

APPLY_ATTEMPTS = 60
APPLY_DELAY_SECONDS = 5
HELM_DEFAULTS: HelmDefaults = {
    "cleanupOnFail": True,
    "wait": True,
    "waitForJobs": True,
    "timeout": 600,
}
"""What every release does: wait (jobs too) up to ten minutes, and clean up a failed upgrade."""


def render(project: Project) -> dict[str, str]:
    """``out/bootstrap/helmfile.yaml``, when the model has bootstrap apps."""
    if not project.deployment.bootstrap_apps:
        return {}
    made = helmfile(project.cluster, project.user_files, project.deployment)
    return {HELMFILE: document_file(Helmfile)(made)}


def helmfile(
    cluster: Cluster,
    user_files: Mapping[str, str] | None = None,
    deployment: Deployment | None = None,
) -> Helmfile:
    """The bootstrap helmfile of ``cluster`` (its apps as ``deployment`` deploys them: the
    model's alone unless given)."""
    user_files = user_files or {}
    deployment = deployment or Deployment(cluster)
    repositories: list[Repository] = []
    releases: list[Release] = []
    for app in deployment.bootstrap_apps:
        assert app.chart is not None, "bootstrap apps have a chart (rules.app_shapes)"
        chart, repository = helm_chart(app)
        if repository is not None:
            repositories.append({"name": app.name, "url": repository})
        values = release_values(app)
        releases.append(
            {
                "name": release_name(app),
                "namespace": app.namespace,
                "chart": chart,
                "version": app.chart.version,
                "values": [values] if values else None,
                "needs": [
                    f"{deployment.app(dep).namespace}/{release_name(deployment.app(dep))}"
                    for dep in app.depends_on
                ]
                or None,
                "hooks": [*_crd_hooks(app), *_resource_hooks(app, user_files)] or None,
                "wait": False if waits_for_later_release(cluster, app) else None,
            }
        )
    return {
        "helmDefaults": HELM_DEFAULTS,
        "repositories": repositories or None,
        "releases": releases,
    }


def waits_for_later_release(cluster: Cluster, app: App) -> bool:
    """Whether waiting for ``app`` to be ready would stall the bootstrap.

    Hubble Relay (off by default) resolves the agents' peer service through cluster DNS;
    with Talos' CoreDNS disabled, DNS exists only once the CoreDNS release, which comes
    after Cilium (its pods need the CNI), is installed. Helm would wait for a Relay that
    cannot become ready, so Cilium's release does not wait; CoreDNS' release waits for its
    pods, which proves Cilium works, and Relay recovers once DNS answers.
    """
    relay = app.values.get("hubble", {}).get("relay", {}).get("enabled") is True
    hubble = app.values.get("hubble", {}).get("enabled", True) is not False
    return (
        app.chart is not None
        and app.chart.chart_name == "cilium"
        and relay
        and hubble
        and cross_layer.uses_managed_coredns(cluster)
    )


def resource_paths(app: App, user_files: Mapping[str, str]) -> list[str]:
    """The app's extra manifests, relative to the helmfile (helmfile runs hooks from its folder).

    Secrets are left to Flux, which decrypts them; the helmfile never sees plain text.
    """
    base = posixpath.relpath(app_dir(app.namespace, app.name), BOOTSTRAP)
    placement = folders(app, user_files)
    names = [resource_file(r) for r in app.resources]
    names += [user_file_name(p) for p in app.manifests]
    return [f"{base}/{placement[name]}/{name}" for name in names]


def _crd_hooks(app: App) -> list[Hook]:
    """The CRD stage: CRDs the chart needs are applied before it installs."""
    if not app.crds:
        return []
    args = ["apply", "--server-side", "--field-manager=bootstrap"]
    return [
        {
            "events": ["presync"],
            "command": "kubectl",
            "args": [*args, *(f"--filename={u}" for u in app.crds)],
            "showlogs": True,
        }
    ]


def _resource_hooks(app: App, user_files: Mapping[str, str]) -> list[Hook]:
    """Apply the app's extra manifests once the API accepts them.

    Their kinds (e.g. Cilium's IP pool) are often CRDs the release's operator
    registers only after it starts, so the apply is retried until it succeeds.
    """
    paths = resource_paths(app, user_files)
    if not paths:
        return []
    apply = " ".join(
        [
            "kubectl apply --server-side --field-manager=kustomize-controller",
            f"--namespace={shell_quote(app.namespace)}",
            *(f"--filename={shell_quote(p)}" for p in paths),
        ]
    )
    script = (
        f"for attempt in $(seq {APPLY_ATTEMPTS}); do "
        f"{apply} && exit 0; sleep {APPLY_DELAY_SECONDS}; done; "
        f"echo 'resources of {app.name} were not accepted' >&2; exit 1"
    )
    return [{"events": ["postsync"], "command": "bash", "args": ["-c", script], "showlogs": True}]
