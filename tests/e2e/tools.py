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
import time

from tests.consumers.gobuild import TOOLS as CONSUMER_TOOLS
from tests.consumers.gobuild import Built, GoTool, Substitute, build, tools_home

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


def build_all(names: list[str], quiet: bool = False) -> dict[str, Built]:
    """Build (or find) the named tools; raise SystemExit naming every one that did not build
    (``quiet``: print only those)."""
    built: dict[str, Built] = {}
    failed: list[str] = []
    home = tools_home()
    for name in names:
        tool = E2E_TOOLS[name]
        start = time.monotonic()
        result = build(tool, home)
        if isinstance(result, Built):
            built[name] = result
            how = "cached" if result.cached else f"built in {result.seconds:.0f}s"
            if not quiet:
                print(f"  {name} {tool.version}: {how} ({result.path})", flush=True)
        else:
            failed.append(f"{name} {tool.version}: {result.reason}")
            print(
                f"  {name} {tool.version}: DOES NOT BUILD after {time.monotonic() - start:.0f}s:"
                f"\n    {result.reason}",
                flush=True,
            )
    if failed:
        raise SystemExit("tools that did not build:\n  " + "\n  ".join(failed))
    return built


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--with-consumers" in args:
        args.remove("--with-consumers")
        # make consumers reports its own unbuildable tools (some cannot be built here)
        for tool in CONSUMER_TOOLS.values():
            got = build(tool, tools_home())
            print(
                f"  {tool.name} {tool.version}: "
                + ("ready" if isinstance(got, Built) else f"not built: {got.reason}"),
                flush=True,
            )
    build_all(args or list(E2E_TOOLS))
