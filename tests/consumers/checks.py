"""The real consuming tools, run on one model's generated files written to a folder.

Each check returns :class:`Problem` s: the file a tool rejected and the tool's own message.
The checks of the tools installed from PyPI (helm, shellcheck, yamllint, kubectl) run in
``make test`` too (tests/test_consumers.py); the Go-built ones run in ``make consumers``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from homeops_gen import pipeline
from homeops_gen.deployment import Deployment
from homeops_gen.model import Cluster
from tests.conftest import SCHEMAS
from tests.consumers.charts import CHARTS, real_chart, shared_chart
from tests.consumers.gobuild import talos_validator
from tests.consumers.gobuild import talosctl as talosctl_tool

BIN = Path(sys.executable).parent
"""The virtualenv's bin folder: helm, shellcheck, yamllint and kubectl come from PyPI."""

NO_SCHEMA_KINDS = {
    "CiliumLoadBalancerIPPool": "a Cilium CRD; no schema in ../shared/schemas",
    "CiliumL2AnnouncementPolicy": "a Cilium CRD; no schema in ../shared/schemas",
    "CiliumBGPAdvertisement": "a Cilium CRD; no schema in ../shared/schemas",
    "CiliumBGPClusterConfig": "a Cilium CRD; no schema in ../shared/schemas",
    "CiliumBGPPeerConfig": "a Cilium CRD; no schema in ../shared/schemas",
    "ClusterIssuer": "a cert-manager CRD; no schema in ../shared/schemas",
    "Certificate": "a cert-manager CRD; no schema in ../shared/schemas",
    "DNSEndpoint": "an external-dns CRD; no schema in ../shared/schemas",
}
"""Kinds checked by no schema, each by name and why (every other kind must have a schema)."""

FLUX_SCHEMAS = {
    "flux-kustomization-kustomize-v1.json": ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"),
    "flux-helmrelease-helm-v2.json": ("helm.toolkit.fluxcd.io", "v2", "HelmRelease"),
    "flux-ocirepository-source-v1.json": ("source.toolkit.fluxcd.io", "v1", "OCIRepository"),
    "flux-helmrepository-source-v1.json": ("source.toolkit.fluxcd.io", "v1", "HelmRepository"),
    "flux-gitrepository-source-v1.json": ("source.toolkit.fluxcd.io", "v1", "GitRepository"),
    "flux-receiver-notification-v1.json": ("notification.toolkit.fluxcd.io", "v1", "Receiver"),
    "flux-fluxinstance-fluxcd-v1.json": ("fluxcd.controlplane.io", "v1", "FluxInstance"),
}
"""The CRD schemas of ../shared/schemas: file -> (group, version, kind)."""

YAMLLINT_CONFIG = """\
extends: default
rules:
  line-length:
    max: 160
    level: warning
"""
"""yamllint's default rules, with long lines (a URL, a one-line hook command) only a warning."""


@dataclass(frozen=True)
class Problem:
    """A file a tool rejected, with the tool's own message."""

    check: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.file}:\n" + _indent(self.message)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


@dataclass
class Workspace:
    """One model's generated files, written to ``root`` as ``homeops-gen`` would write them."""

    name: str
    root: Path
    files: dict[str, str]
    cluster: Cluster
    user_copies: frozenset[str]
    """Files that are byte-for-byte copies of the project's own files (not generated)."""

    @classmethod
    def create(cls, name: str, project: Path, root: Path) -> Workspace:
        """Build model ``project`` with the public library and write every file under ``root``."""
        built = pipeline.build(project)
        for path, text in built.files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        copies = {
            p.rsplit("/", 1)[-1]
            for a in Deployment(built.project.cluster).apps
            for p in a.user_files
        }
        user = frozenset(p for p in built.files if p.rsplit("/", 1)[-1] in copies)
        return cls(name, root, dict(built.files), built.project.cluster, user)

    def paths(self, *suffixes: str) -> list[str]:
        """Generated files ending with one of ``suffixes``, sorted."""
        return sorted(p for p in self.files if p.endswith(suffixes) and p not in self.user_copies)


def run(
    args: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run a tool (``env`` added to ours); its exit code and its output (stdout and stderr)."""
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, proc.stdout


def tool(name: str) -> Path:
    """A tool installed from PyPI into the virtualenv (or on PATH)."""
    path = BIN / name
    if path.exists():
        return path
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (pip install -e '.[test]')")
    return Path(found)


# --- shellcheck ------------------------------------------------------------------------------

NIX_EXEC = re.compile(r'^\s*exec = "((?:[^"\\]|\\.)*)";$', re.MULTILINE)
NIX_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def nix_unescape(body: str) -> str:
    """The value of a double-quoted Nix string's body (``\\n`` ``\\"`` ``\\\\`` ``\\${`` ...)."""
    return re.sub(r"\\(.)", lambda m: NIX_ESCAPES.get(m[1], m[1]), body, flags=re.DOTALL)


def devenv_scripts(text: str) -> list[str]:
    """The shell code of every ``exec = "...";`` of a devenv.nix."""
    return [nix_unescape(m[1]) for m in NIX_EXEC.finditer(text)]


def shellcheck(ws: Workspace) -> list[Problem]:
    """shellcheck on every generated shell script and every devenv script body (bash)."""
    problems = []
    for path in ws.paths(".sh"):
        code, out = run([tool("shellcheck"), "--shell=bash", ws.root / path])
        if code != 0:
            problems.append(Problem("shellcheck", path, out))
    for path in ws.paths("devenv.nix"):
        scripts = devenv_scripts(ws.files[path])
        if not scripts:
            problems.append(Problem("shellcheck", path, 'no `exec = "...";` script found'))
        for body in scripts:
            proc = subprocess.run(
                [str(tool("shellcheck")), "--shell=bash", "-"],
                input=body,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                problems.append(Problem("shellcheck", f"{path} (script: {body})", proc.stdout))
    return problems


# --- yamllint --------------------------------------------------------------------------------


def yamllint(ws: Workspace) -> list[Problem]:
    """yamllint on every generated YAML file: every finding fails (warnings too) except a line
    over 160 characters, which is printed as a note."""
    paths = ws.paths(".yaml", ".yml")
    code, out = run(
        [tool("yamllint"), "--format", "parsable", "-d", YAMLLINT_CONFIG, *paths], cwd=ws.root
    )
    by_file: dict[str, list[str]] = {}
    for line in out.splitlines():
        if "[warning]" in line and line.endswith("(line-length)"):
            print(f"    note: {line}")
        else:
            by_file.setdefault(line.split(":", 1)[0], []).append(line)
    if code not in (0, 1) and not by_file:  # yamllint itself failed
        return [Problem("yamllint", " ".join(paths), out)]
    return [Problem("yamllint", path, "\n".join(lines)) for path, lines in by_file.items()]


# --- helm ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """A release of the bootstrap helmfile."""

    name: str
    namespace: str
    chart: str
    version: str
    values: list[Any]

    @property
    def chart_name(self) -> str:
        """The chart's name: the last segment of an OCI reference or of ``repo/name``."""
        return self.chart.rstrip("/").rsplit("/", 1)[-1]


def releases(ws: Workspace) -> list[Release]:
    """The releases of every generated helmfile."""
    found = []
    for path in ws.paths("helmfile.yaml"):
        for doc in yaml.safe_load_all(ws.files[path]):
            for rel in (doc or {}).get("releases", []):
                found.append(
                    Release(
                        rel["name"],
                        rel["namespace"],
                        rel["chart"],
                        str(rel["version"]),
                        rel.get("values", []),
                    )
                )
    return found


def _values_files(release: Release, folder: Path) -> list[str]:
    args = []
    for i, values in enumerate(release.values):
        path = folder / f"{release.name}-values-{i}.yaml"
        path.write_text(yaml.safe_dump(values))
        args += ["--values", str(path)]
    return args


def helm(
    ws: Workspace,
    rendered: dict[str, str] | None = None,
    missing: list[str] | None = None,
    modules: bool = False,
) -> list[Problem]:
    """``helm lint --strict`` and ``helm template`` of every bootstrap release with its values.

    The packaged charts come from ../shared/charts (and with ``modules``, Cilium's from its Go
    module); a release whose chart is not at hand is not checked and named in ``missing``. The
    rendered manifests go into ``rendered`` (release name -> YAML) for the schema checks.
    """
    problems = []
    kube = ws.cluster.versions.kubernetes
    helmfile = ws.paths("helmfile.yaml")[0]
    with tempfile.TemporaryDirectory() as tmp:
        for rel in releases(ws):
            where = f"{helmfile} (release {rel.name})"
            if modules:
                try:
                    real = real_chart(rel.chart_name, rel.version, Path(tmp), str(tool("helm")))
                except RuntimeError as exc:
                    problems.append(Problem("helm package", where, str(exc)))
                    continue
                chart = real[0] if real else None
            else:
                chart = shared_chart(rel.chart_name, rel.version)
            if chart is None:
                if missing is not None:
                    missing.append(f"{rel.name}: no {rel.chart_name}-{rel.version}.tgz in {CHARTS}")
                continue
            values = _values_files(rel, Path(tmp))
            code, out = run(
                [tool("helm"), "lint", "--strict", chart, "--namespace", rel.namespace,
                 "--kube-version", kube, *values]
            )  # fmt: skip
            if code != 0:
                problems.append(Problem("helm lint --strict", where, out))
            proc = subprocess.run(
                [str(tool("helm")), "template", rel.name, str(chart), "--namespace", rel.namespace,
                 "--kube-version", kube, "--include-crds", *values],
                capture_output=True, text=True,
            )  # fmt: skip
            if proc.returncode != 0:
                problems.append(Problem("helm template", where, proc.stderr))
            elif rendered is not None:
                rendered[rel.name] = proc.stdout
    return problems


def kubernetes_validate(where: str, manifests: str, kube: str) -> list[Problem]:
    """Every object of ``manifests`` against the Kubernetes schemas of version ``kube`` (strict)
    or its Flux schema; kinds with neither must be in :data:`NO_SCHEMA_KINDS`."""
    import jsonschema
    import kubernetes_validate as kv

    flux = {(f"{g}/{v}", k): name for name, (g, v, k) in FLUX_SCHEMAS.items()}
    problems = []
    for doc in yaml.safe_load_all(manifests):
        if not doc:
            continue
        label = f"{where}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in flux:
            schema = crd_schema(SCHEMAS / flux[key], strict=True)
            errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
            problems += [Problem("kubernetes-validate", label, e) for e in errors]
            continue
        try:
            kv.validate(doc, kube.lstrip("v"), strict=True)
        except kv.SchemaNotFoundError:
            if doc.get("kind") not in NO_SCHEMA_KINDS:
                problems.append(Problem("kubernetes-validate", label, "no schema for this kind"))
        except kv.ValidationError as exc:
            problems.append(Problem("kubernetes-validate", label, str(exc)))
    return problems


@cache
def crd_schema(path: Path, strict: bool) -> dict[str, Any]:
    """A CRD's openAPIV3Schema (a JSON file) as a JSON schema; ``strict``: see
    :func:`closed`."""
    schema: dict[str, Any] = json.loads(path.read_text())
    return closed(schema, strict)


def closed(schema: dict[str, Any], strict: bool) -> dict[str, Any]:
    """``schema``, with ``strict`` every object that lists its properties and neither allows
    others nor preserves unknown fields closed (as kubeconform's openapi2jsonschema does for
    -strict)."""

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if (
                strict
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for child in node.values():
                close(child)
        elif isinstance(node, list):
            for child in node:
                close(child)

    close(schema)
    return schema


# --- kustomize (kubectl from PyPI) -----------------------------------------------------------


def flux_paths(ws: Workspace) -> list[str]:
    """Every folder a Flux Kustomization of the output builds (``spec.path``), and the root."""
    folders = set()
    for path in ws.paths(".yaml"):
        for doc in yaml.safe_load_all(ws.files[path]):
            if isinstance(doc, dict) and doc.get("kind") == "Kustomization":
                if doc.get("apiVersion", "").startswith("kustomize.toolkit.fluxcd.io/"):
                    folders.add(os.path.normpath(doc["spec"]["path"]))
            if isinstance(doc, dict) and doc.get("kind") == "FluxInstance":
                folders.add(os.path.normpath(doc["spec"]["sync"]["path"]))
    for instance in releases_values_sync_paths(ws):
        folders.add(instance)
    return sorted(folders)


def releases_values_sync_paths(ws: Workspace) -> Iterator[str]:
    """The sync path a bootstrap flux-instance release is given in its values."""
    for rel in releases(ws):
        for values in rel.values:
            path = (values.get("instance") or {}).get("sync", {}).get("path")
            if path:
                yield os.path.normpath(path)


def kustomize(ws: Workspace, folder: str) -> tuple[str | None, Problem | None]:
    """``kubectl kustomize`` of ``folder`` as Flux applies it: SOPS-encrypted objects without
    their ``sops`` metadata (kustomize-controller decrypts them first); or the problem."""
    code, out = run([tool("kubectl"), "kustomize", ws.root / folder])
    if code != 0:
        return None, Problem("kubectl kustomize", folder, out)
    docs = list(yaml.safe_load_all(out))
    if any(isinstance(d, dict) and "sops" in d for d in docs):
        stripped = [{k: v for k, v in d.items() if k != "sops"} for d in docs if d]
        out = yaml.safe_dump_all(stripped, sort_keys=False)
    return out, None


# --- the Go-built tools ----------------------------------------------------------------------

Tools = dict[str, Path]
"""Built Go tools by name (``talosvalidate-<talos version>`` for the Talos validators)."""

DUMMY_ENV_VALUE = "consumers-check"
"""The value given to every environment variable the generated files read (never a secret)."""


def environment_names(ws: Workspace) -> list[str]:
    """Every variable ``.env.example`` lists (the generated files read these)."""
    return [
        line.split("=", 1)[0]
        for line in ws.files.get(".env.example", "").splitlines()
        if "=" in line and not line.startswith("#")
    ]


def talos(ws: Workspace, tools: Tools) -> list[Problem]:
    """talhelper genconfig --offline-mode (it validates too), then the node configs checked by
    the Talos machinery of the model's own release."""
    talconfig = ws.paths("talconfig.yaml")[0]
    folder = (ws.root / talconfig).parent
    code, secrets = run([tools["talhelper"], "gensecret"], cwd=folder)
    if code != 0:
        return [Problem("talhelper gensecret", talconfig, secrets)]
    (folder / "talsecret.yaml").write_text(secrets)  # throwaway, in the temporary workspace
    out = folder / "clusterconfig"
    code, log = run(
        [tools["talhelper"], "genconfig", "--offline-mode", "--config-file", "talconfig.yaml",
         "--secret-file", "talsecret.yaml", "--out-dir", out, "--talos-mode", "metal"],
        cwd=folder,
    )  # fmt: skip
    if code != 0:
        return [Problem("talhelper genconfig --offline-mode", talconfig, log)]
    configs = sorted(p for p in out.glob("*.yaml") if p.name != "talosconfig")
    if not configs:
        return [Problem("talhelper genconfig --offline-mode", talconfig, "wrote no node config")]
    validator = tools.get(talos_validator(ws.cluster.versions.talos).key)
    if validator is None:
        return []
    problems = []
    for config in configs:
        code, log = run([validator, "metal", config])
        if code != 0 or log.strip():
            where = f"{talconfig} -> {config.relative_to(ws.root)}"
            problems.append(Problem(f"talosvalidate {ws.cluster.versions.talos}", where, log))
    return problems


SOPS_STAND_IN = """\
#!/usr/bin/env bash
# make consumers: the throwaway secrets pass through unencrypted (no age key is at hand)
set -euo pipefail
case "$1" in
  encrypt) cat ;;
  decrypt) cat "${@: -1}" ;;
  *) echo "sops stand-in: unexpected $*" >&2; exit 2 ;;
esac
"""


def talosctl_backend(ws: Workspace, tools: Tools) -> list[Problem]:
    """out/talos/gen.sh with the real talosctl of the model's release (``gen secrets``, ``gen
    config`` with the patches, ``machineconfig patch`` per node), a stand-in sops that passes
    the throwaway secrets through, then ``talosctl validate --strict`` on each, in metal and in
    cloud mode."""
    script = ws.paths("out/talos/gen.sh")[0]
    talosctl = tools[talosctl_tool(ws.cluster.versions.talos).key]
    shims = ws.root / ".consumers-bin"
    shims.mkdir(exist_ok=True)
    (shims / "sops").write_text(SOPS_STAND_IN)
    (shims / "sops").chmod(0o755)
    (shims / "talosctl").symlink_to(talosctl)
    path = f"{shims}{os.pathsep}{os.environ.get('PATH', '')}"
    code, out = run(["bash", ws.root / script], ws.root, {"PATH": path})
    if code != 0:
        return [Problem("out/talos/gen.sh (talosctl gen config)", script, out)]
    configs = [p for p in (ws.root / "out/talos/clusterconfig").glob("*.yaml")]
    if not configs:
        return [Problem("out/talos/gen.sh (talosctl gen config)", script, "wrote no node config")]
    problems = []
    for config in sorted(configs):
        for mode in ("metal", "cloud"):
            code, log = run([talosctl, "validate", "--config", config, "--mode", mode, "--strict"])
            if code != 0:
                where = f"{script} -> {config.relative_to(ws.root)}"
                problems.append(Problem(f"talosctl validate --mode {mode} --strict", where, log))
    return problems


def tofu_fmt(ws: Workspace, tools: Tools) -> list[Problem]:
    """tofu fmt -check on every .tf file; every .hcl file formatted through stdin (tofu fmt
    takes only .tf/.tfvars files by name) must come back unchanged."""
    problems = []
    env = {"TF_CLI_CONFIG_FILE": os.devnull}  # no operator's CLI configuration
    for path in ws.paths(".tf"):
        code, out = run(
            [tools["tofu"], "fmt", "-check", "-diff", "-no-color", ws.root / path], env=env
        )
        if code != 0:
            problems.append(Problem("tofu fmt -check", path, out))
    for path in ws.paths(".hcl"):
        proc = subprocess.run(
            [str(tools["tofu"]), "fmt", "-no-color", "-"],
            input=ws.files[path],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        )
        if proc.returncode != 0 or proc.stdout != ws.files[path]:
            diff = difflib.unified_diff(
                ws.files[path].splitlines(keepends=True),
                proc.stdout.splitlines(keepends=True),
                path,
                "tofu fmt -",
            )
            problems.append(Problem("tofu fmt -check", path, proc.stderr + "".join(diff)))
    return problems


def terragrunt_env(ws: Workspace, tools: Tools) -> dict[str, str]:
    """Terragrunt's environment: no colour, no prompt, our tofu, no operator's CLI config, and a
    placeholder for every variable of .env.example (root.hcl reads them with get_env)."""
    env = {name: DUMMY_ENV_VALUE for name in environment_names(ws)}
    env.update(
        TG_NO_COLOR="true",
        TG_NON_INTERACTIVE="true",
        TG_TF_PATH=str(tools["tofu"]) if "tofu" in tools else "tofu",
        TF_CLI_CONFIG_FILE=os.devnull,
    )
    return env


def terragrunt_fmt(ws: Workspace, tools: Tools) -> list[Problem]:
    """terragrunt hcl format --check on every .hcl file."""
    problems = []
    for path in ws.paths(".hcl"):
        target = ws.root / path
        code, out = run(
            [tools["terragrunt"], "hcl", "format", "--check", "--diff", "--file", target],
            target.parent,
            terragrunt_env(ws, tools),
        )
        if code != 0:
            problems.append(Problem("terragrunt hcl format --check", path, out))
    return problems


PROVIDERS = ("terraform-provider-proxmox", "terraform-provider-talos")
"""The providers the generated module requires, built into filesystem mirrors."""


def _tofu_config(mirrors: list[Path], folder: Path) -> Path:
    config = folder / "tofu.rc"
    blocks = "".join(
        f"  filesystem_mirror {{\n    path = {json.dumps(str(m))}\n  }}\n" for m in mirrors
    )
    config.write_text("provider_installation {\n" + blocks + "}\n")
    return config


def terragrunt_inputs(
    ws: Workspace, tools: Tools, host: str
) -> tuple[dict[str, Any] | None, Problem | None]:
    """A host's inputs as terragrunt resolves them (``render --json``: include, locals and
    get_env evaluated)."""
    folder = ws.root / host
    code, out = run(
        [tools["terragrunt"], "render", "--json", "--write", "--out", "rendered.json"],
        folder,
        terragrunt_env(ws, tools),
    )
    if code != 0:
        return None, Problem("terragrunt render --json", f"{host}/terragrunt.hcl", out)
    rendered = json.loads((folder / "rendered.json").read_text())
    return rendered.get("inputs") or {}, None


def terragrunt_render(ws: Workspace, tools: Tools) -> list[Problem]:
    """terragrunt render --json of every host: its include, locals and get_env resolve."""
    hosts = [p.rsplit("/", 1)[0] for p in ws.paths("/terragrunt.hcl")]
    return [p for host in hosts for p in [terragrunt_inputs(ws, tools, host)[1]] if p is not None]


MOCKED_PLAN = """\
# Written by make consumers: plan with the real provider's schema and validators, its API mocked.
mock_provider "proxmox" {{
{mocks}}}

run "plan" {{
  command = plan
}}
"""
DOWNLOAD_FILE_TYPES = ("proxmox_virtual_environment_download_file", "proxmox_download_file")
"""The bpg resource that downloads the Talos ISO (its long name, and the short alias of 0.100)."""


def mocked_plan(inputs: dict[str, Any]) -> str:
    """A ``tofu test`` file planning the module with the provider mocked. A mocked id is random,
    and the VM's ``file_id`` validator needs a well-formed one, so the ISO download's id has
    the form bpg gives it (``<datastore>:<content type>/<file name>``,
    fwprovider/nodes/resource_download_file.go), on the host's ISO datastore."""
    iso_id = f"{inputs.get('iso_datastore', 'local')}:iso/talos-nocloud-amd64.iso"
    mocks = "".join(
        f'  mock_resource "{kind}" {{\n    defaults = {{\n      id = {json.dumps(iso_id)}\n'
        "    }\n  }\n"
        for kind in DOWNLOAD_FILE_TYPES
    )
    return MOCKED_PLAN.format(mocks=mocks)


def tofu_validate(ws: Workspace, tools: Tools) -> list[Problem]:
    """For each host: tofu init -backend=false (the bpg provider from a filesystem mirror),
    tofu validate, then tofu test planning the module with the host's inputs (from terragrunt)
    as a tfvars file and the provider's API mocked (a real plan needs a Proxmox API)."""
    problems = []
    # each provider's folder above registry.opentofu.org/
    mirrors = [tools[name].parents[5] for name in PROVIDERS]
    hosts = [p.rsplit("/", 1)[0] for p in ws.paths("/terragrunt.hcl")]
    for host in hosts:
        inputs, problem = terragrunt_inputs(ws, tools, host)
        if problem is not None:
            problems.append(problem)
            continue
        assert inputs is not None
        source = terragrunt_source(ws, host)
        with tempfile.TemporaryDirectory() as tmp:
            module = Path(tmp) / "module"
            shutil.copytree(ws.root / source, module)
            tfvars = Path(tmp) / "host.tfvars.json"
            tfvars.write_text(json.dumps(inputs, indent=2))
            env = {
                "TF_CLI_CONFIG_FILE": str(_tofu_config(mirrors, Path(tmp))),  # the mirror only
                "TF_IN_AUTOMATION": "1",
                # root.hcl passes the credentials as TF_VAR_s (extra_arguments)
                "TF_VAR_proxmox_api_token": DUMMY_ENV_VALUE,
                "TF_VAR_proxmox_ssh_user": DUMMY_ENV_VALUE,
            }
            tofu = str(tools["tofu"])
            code, out = run(
                [tofu, "init", "-backend=false", "-input=false", "-no-color"], module, env
            )
            if code != 0:
                problems.append(Problem("tofu init -backend=false", f"{source} (for {host})", out))
                continue
            code, out = run([tofu, "validate", "-no-color"], module, env)
            if code != 0:
                problems.append(Problem("tofu validate", source, out))
                continue
            _warnings("tofu validate", source, out)
            (module / "consumers.tftest.hcl").write_text(mocked_plan(inputs))
            code, out = run([tofu, "test", "-no-color", f"-var-file={tfvars}"], module, env)
            if code != 0:
                where = f"{source} with the inputs of {host}/terragrunt.hcl"
                problems.append(Problem("tofu test (plan, provider mocked)", where, out))
    return problems


def _warnings(check: str, where: str, out: str) -> None:
    """Print a tool's warnings (they do not fail the check)."""
    if "Warning:" in out:
        text = out[out.index("Warning:") :]
        print(
            f"    note: {check} warned on {where}:\n" + _indent(_indent(text.split("Success!")[0]))
        )


def terragrunt_source(ws: Workspace, host: str) -> str:
    """The module folder a host's terragrunt.hcl points ``terraform.source`` at."""
    text = ws.files[f"{host}/terragrunt.hcl"]
    match = re.search(r'^\s*source\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ValueError(f"{host}/terragrunt.hcl has no terraform source")
    return os.path.normpath(f"{host}/{match[1]}")


def _write_schema(folder: Path, group: str, kind: str, version: str, schema: Any) -> None:
    """One CRD version's schema in kubeconform's layout: ``{group}/{kind}_{version}.json``."""
    target = folder / group / f"{kind.lower()}_{version}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(schema))


def kubeconform_schema_dir(folder: Path) -> Path:
    """The Flux CRD schemas of ../shared/schemas in kubeconform's layout, closed like
    openapi2jsonschema's strict mode."""
    for name, (group, version, kind) in FLUX_SCHEMAS.items():
        _write_schema(folder, group, kind, version, crd_schema(SCHEMAS / name, strict=True))
    return folder


def crd_files_schema_dir(files: list[Path], folder: Path) -> Path:
    """The schemas of the CRDs in ``files`` (YAML, as a module holds them) in kubeconform's
    layout, closed as for -strict."""
    for path in files:
        for crd in yaml.safe_load_all(path.read_text()):
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec.get("versions") or []:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema is None:
                    continue
                _write_schema(
                    folder,
                    spec["group"],
                    str(spec["names"]["kind"]),
                    version["name"],
                    closed(schema, strict=True),
                )
    return folder


def kubernetes_schema_dir(kubernetes: str, folder: Path) -> Path:
    """The Kubernetes schemas kubernetes-validate ships for ``kubernetes``' minor (strict), in
    kubeconform's layout ``v{version}-local-strict/{kind}-{group}-{version}.json`` under
    ``folder``, their ``$ref`` to ``/api/_definitions.json`` pointed at that file."""
    import kubernetes_validate

    major, minor = kubernetes.lstrip("v").split(".")[:2]
    name = f"v{major}.{minor}.0-local-strict"
    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / name
    target = folder / name
    if not source.is_dir():
        raise FileNotFoundError(f"kubernetes-validate ships no schemas {name}")
    if not target.is_dir():
        target.mkdir(parents=True)
        definitions = json.dumps((target / "_definitions.json").as_uri())[:-1]  # open quote kept
        for path in source.glob("*.json"):
            text = path.read_text().replace('"/api/_definitions.json', definitions)
            (target / path.name).write_text(text)
    return folder


K8S_LAYOUT = (
    "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/"
    "{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
CRD_LAYOUT = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
"""kubeconform's -schema-location templates of the two kinds of schema folder."""


def kubeconform(
    ws: Workspace, tools: Tools, where: str, manifests: str, schemas: Path
) -> list[Problem]:
    """kubeconform -strict on ``manifests``: the Kubernetes schemas of the model's minor and
    the Flux CRD schemas (both under ``schemas``); only :data:`NO_SCHEMA_KINDS` skipped."""
    major, minor = ws.cluster.versions.kubernetes.lstrip("v").split(".")[:2]
    kube = f"{major}.{minor}.0"  # kubernetes-validate ships the schemas of each minor's .0
    proc = subprocess.run(
        [str(tools["kubeconform"]), "-strict", "-summary", "-output", "text",
         "-kubernetes-version", kube,
         "-schema-location", f"{schemas}/{K8S_LAYOUT}",
         "-schema-location", f"{schemas}/{CRD_LAYOUT}",
         "-skip", ",".join(sorted(NO_SCHEMA_KINDS)), "-"],
        input=manifests, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        return [Problem("kubeconform -strict", where, proc.stdout + proc.stderr)]
    return []
