"""The Go programs the end-to-end run starts, pinned by version and built from the module proxy.

Built through :mod:`tests.consumers.gobuild` (wrapper modules copying the tools' ``replace``
lines) into :func:`~tests.consumers.gobuild.tools_home`, outside the clone.

Usage: python -m tests.e2e.tools [--with-consumers] [NAME ...]   (build, or find built, the
named tools; all by default, and ``make consumers``' fixed ones with --with-consumers; exit 1
when one does not build). Needs only python3 and go: ``.ci/run`` runs it while ``make test``
runs.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.consumers.gobuild import TOOLS as CONSUMER_TOOLS
from tests.consumers.gobuild import Built, GoTool, Substitute, Unbuildable, build, tools_home

K8S_VERSION = "v1.37.2"
K8S_STAGING_VERSION = "v0.37.2"
"""k8s.io/kubernetes replaces its staging modules by folders; the proxy serves them as k8s.io/*."""
ETCD_VERSION = "v3.7.4"
K8S_LDFLAGS = " ".join(
    f"-X k8s.io/{pkg}.{key}={value}"
    for pkg in ("component-base/version", "client-go/pkg/version")
    for key, value in (
        ("gitVersion", K8S_VERSION),
        ("gitMajor", K8S_VERSION.split(".")[0].removeprefix("v")),
        ("gitMinor", K8S_VERSION.split(".")[1]),
        ("gitTreeState", "clean"),
    )
)
"""The version the servers report (what Helm checks charts' kubeVersion against), as
Kubernetes' own build sets it (hack/lib/version.sh); without it they say v0.0.0-master."""

E2E_TOOLS = {
    t.name: t
    for t in (
        GoTool(
            "etcd",
            "go.etcd.io/etcd/server/v3",
            ETCD_VERSION,
            "go.etcd.io/etcd/server/v3",
            "etcd",
            "the API server's store",
            folder_version=ETCD_VERSION,
        ),
        GoTool(
            "kube-apiserver",
            "k8s.io/kubernetes",
            K8S_VERSION,
            "k8s.io/kubernetes/cmd/kube-apiserver",
            "kube-apiserver",
            "the real API server: admission, CRDs, server-side apply the controllers use",
            folder_version=K8S_STAGING_VERSION,
            ldflags=K8S_LDFLAGS,
        ),
        GoTool(
            "kube-controller-manager",
            "k8s.io/kubernetes",
            K8S_VERSION,
            "k8s.io/kubernetes/cmd/kube-controller-manager",
            "kube-controller-manager",
            "service accounts, garbage collection, Deployments -> ReplicaSets -> Pods",
            folder_version=K8S_STAGING_VERSION,
            ldflags=K8S_LDFLAGS,
        ),
        GoTool(
            "kube-scheduler",
            "k8s.io/kubernetes",
            K8S_VERSION,
            "k8s.io/kubernetes/cmd/kube-scheduler",
            "kube-scheduler",
            "places Pods on the fake nodes (taints, node selectors, affinities)",
            folder_version=K8S_STAGING_VERSION,
            ldflags=K8S_LDFLAGS,
        ),
        GoTool(
            "kwok",
            "sigs.k8s.io/kwok",
            "v0.8.0",
            "sigs.k8s.io/kwok/cmd/kwok",
            "kwok",
            "fake nodes (one per model node) that make Pods Running and Ready",
        ),
        GoTool(
            "source-controller",
            "github.com/fluxcd/source-controller",
            "v1.9.6",
            "github.com/fluxcd/source-controller",
            "source-controller",
            "GitRepository and OCIRepository/HelmChart sources from the local servers",
            # the proxy refuses github.com/fluxcd/pkg/artifact v0.18.3, which v1.9.6 requires;
            # it serves v0.18.0 (same minor)
            substitutes=(Substitute("github.com/fluxcd/pkg/artifact", "v0.18.3", "v0.18.0"),),
        ),
        GoTool(
            "kustomize-controller",
            "github.com/fluxcd/kustomize-controller",
            "v1.9.6",
            "github.com/fluxcd/kustomize-controller",
            "kustomize-controller",
            "Kustomizations: dependsOn, substitution, sops decryption, apply",
        ),
        GoTool(
            "helm-controller",
            "github.com/fluxcd/helm-controller",
            "v1.6.4",
            "github.com/fluxcd/helm-controller",
            "helm-controller",
            "HelmReleases: install, valuesFrom, adoption of the bootstrap's releases",
        ),
        GoTool(
            "registry",
            "github.com/distribution/distribution/v3",
            "v3.1.2",
            "github.com/distribution/distribution/v3/cmd/registry",
            "registry",
            "the OCI registry the charts are pushed to",
        ),
        GoTool(
            "helmfile",
            "github.com/helmfile/helmfile",
            "v1.8.0",
            "github.com/helmfile/helmfile",
            "helmfile",
            "helmfile sync of out/bootstrap/helmfile.yaml, hooks included",
        ),
    )
}


BUILD_LANES = 2
"""Builds at once. Go compiles a build's packages on every core, but each link runs on one:
two lanes keep both cores busy. The tools of one module share one lane, so its packages are
compiled once and then found in Go's build cache."""


def _lanes(tools: list[GoTool]) -> list[list[GoTool]]:
    """The tools grouped by module (in order), dealt longest group first over the lanes."""
    groups: dict[str, list[GoTool]] = {}
    for tool in tools:
        groups.setdefault(tool.module, []).append(tool)
    lanes: list[list[GoTool]] = [[] for _ in range(BUILD_LANES)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(lanes, key=len).extend(group)
    return [lane for lane in lanes if lane]


def build_lanes(tools: list[GoTool], quiet: bool = False) -> dict[str, Built | Unbuildable]:
    """Build (or find) ``tools``, :data:`BUILD_LANES` at a time; each one's outcome, printed
    as it comes (``quiet``: only those that did not build)."""
    home = tools_home()
    results: dict[str, Built | Unbuildable] = {}
    printing = threading.Lock()

    def say(text: str) -> None:
        with printing:
            print(text, flush=True)

    def lane(tools: list[GoTool]) -> None:
        for tool in tools:
            start = time.monotonic()
            result = build(tool, home)
            results[tool.name] = result
            if isinstance(result, Built):
                how = "cached" if result.cached else f"built in {result.seconds:.0f}s"
                if not quiet:
                    say(f"  {tool.name} {tool.version}: {how} ({result.path})")
            else:
                say(
                    f"  {tool.name} {tool.version}: DOES NOT BUILD after "
                    f"{time.monotonic() - start:.0f}s:\n    {result.reason}"
                )

    with ThreadPoolExecutor(BUILD_LANES) as pool:
        list(pool.map(lane, _lanes(tools)))
    return results


def build_all(names: list[str], quiet: bool = False) -> dict[str, Built]:
    """Build (or find) the named end-to-end tools; raise SystemExit naming every one that did
    not build."""
    return _built_or_exit(build_lanes([E2E_TOOLS[n] for n in names], quiet))


def _built_or_exit(results: dict[str, Built | Unbuildable]) -> dict[str, Built]:
    failed = [f"{r.tool.name} {r.tool.version}: {r.reason}" for r in results.values()
              if isinstance(r, Unbuildable)]  # fmt: skip
    if failed:
        raise SystemExit("tools that did not build:\n  " + "\n  ".join(failed))
    return {name: r for name, r in results.items() if isinstance(r, Built)}


if __name__ == "__main__":
    args = sys.argv[1:]
    wanted = [E2E_TOOLS[n] for n in [a for a in args if a != "--with-consumers"] or E2E_TOOLS]
    # make consumers reports its own unbuildable tools (some cannot be built here)
    extra = list(CONSUMER_TOOLS.values()) if "--with-consumers" in args else []
    outcome = build_lanes(extra + wanted)
    _built_or_exit({t.name: outcome[t.name] for t in wanted})
