"""What Flux would apply from a repository: every Flux Kustomization of the synced tree built as
kustomize-controller builds it, in memory (pure).

From the sync path down, each Flux Kustomization's ``spec.path`` is built like ``kustomize
build`` (resources, ConfigMap and Secret generators, components, the ``namespace:``
transformer, ``patches``, prefixes, labels and annotations), with what
kustomize-controller adds (a generated ``kustomization.yaml`` for a folder without one,
``targetNamespace``, ``spec.components``, ``spec.patches``, ``commonMetadata``, ``namePrefix``
and ``nameSuffix``), then ``postBuild`` substitution where the values are known. The Flux
Kustomizations found are built in turn. What this build does not do (other generators,
JSON 6902 patches, replacements, remote resources, ...) is listed in :attr:`FluxTree.unbuilt`,
never silently dropped.

Sources: kustomize api v0.21.1 (``internal/target/kusttarget.go``: resources, then components,
then the transformers in ``kusttarget_configplugin.go``'s order; ``filters/namespace``: the
Namespace object of ``apiVersion: v1`` takes the namespace as its name, RoleBinding subjects
named ``default`` take it); kyaml ``AssociativeSequenceKeys`` (lists of mappings merge by
``name``); fluxcd kustomize-controller docs ``spec/v1/kustomizations.md`` (generated
kustomization, ``substitute`` over ``substituteFrom``, ``kustomize.toolkit.fluxcd.io/substitute:
disabled``, ``$${VAR}`` escapes).
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from homeops_gen.importer.generators import GENERATORS, GeneratorError, generate
from homeops_gen.importer.source import (
    YAML_SUFFIXES,
    KustomizeLoader,
    Source,
    as_mapping,
    dig,
    listed,
    load_yaml,
)

FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUBSTITUTE = "kustomize.toolkit.fluxcd.io/substitute"

Key = tuple[str, str, str]
"""An object's identity: kind, namespace ("" for none), name."""

CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)
"""Kinds kustomize's built-in schema knows as cluster-scoped (custom kinds count as namespaced,
as in kustomize)."""

_KUSTOMIZE_BUILT = {
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "components",
    "namespace",
    "patches",
    "patchesStrategicMerge",
    "namePrefix",
    "nameSuffix",
    "commonAnnotations",
    "labels",
    "commonLabels",
    "sortOptions",
    "generatorOptions",
    *GENERATORS,
}
_GENERATORS = {"helmCharts", "generators"}
UNSEEN = "makes objects this build does not make"
"""Why a part of a tree is not built when objects Flux applies are hidden behind it."""
_VARIABLE = re.compile(r"\$(\$?)\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])([^}]*))?\}")


@dataclass
class Built:
    """One object Flux applies: its data, the source file, and the Flux Kustomization applying it."""

    data: dict[str, Any]
    file: str
    applied_by: str
    """The name of the Flux Kustomization that applies it."""
    applied_by_key: Key = ("", "", "")
    applied_by_file: str = ""
    generated: str = ""
    """``hashed`` or ``named``: made by a ConfigMap or Secret generator (with or without the
    hash suffix); empty for an object of a file."""

    @property
    def key(self) -> Key:
        return key_of(self.data)


@dataclass
class FluxTree:
    """Every object Flux would apply (by kind, namespace, name) and what could not be built."""

    objects: dict[Key, Built] = field(default_factory=dict)
    unbuilt: list[tuple[str, str, str]] = field(default_factory=list)
    """(file, what, why) for each part of the tree this build could not follow."""
    read: set[str] = field(default_factory=set)
    """The kustomization files (and patch files) the build read."""
    waiting: set[tuple[str, str]] = field(default_factory=set)
    """The ``substituteFrom`` ConfigMaps (namespace, name) not built when they were needed."""
    known: dict[Key, Built] = field(default_factory=dict)
    """Objects of an earlier build, for ``substituteFrom``."""


def key_of(data: dict[str, Any]) -> Key:
    """``data``'s kind, namespace and name."""
    metadata = as_mapping(data.get("metadata"))
    return (
        str(data.get("kind", "")),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
    )


def build_flux_tree(source: Source, sync_path: str | None) -> FluxTree:
    """What Flux applies when it syncs ``sync_path`` of ``source`` (the root Kustomization
    ``flux-system`` the FluxInstance makes); without a sync path, from every Flux Kustomization
    of the source.

    A ``substituteFrom`` ConfigMap that another Kustomization applies is in the cluster once
    that one is applied, whatever the order: when the first build met one before it was built,
    the tree is built again with the first build's objects known."""
    tree = _build_once(source, sync_path, {})
    if any((("ConfigMap", *ref) in tree.objects) for ref in tree.waiting):
        tree = _build_once(source, sync_path, tree.objects)
    return tree


def _build_once(source: Source, sync_path: str | None, known: dict[Key, Built]) -> FluxTree:
    tree = FluxTree(known=known)
    root = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "flux-system", "namespace": "flux-system"},
        "spec": {"path": sync_path, "prune": True},
    }
    queue: list[tuple[dict[str, Any], str]] = [(root, "")]
    if sync_path is None:
        queue = [
            (doc, path)
            for path in source.files
            if path.endswith(YAML_SUFFIXES)
            for doc in _flux_kustomizations(source, path)
        ]
    seen: set[Key] = set()
    while queue:
        ks, file = queue.pop(0)
        if key_of(ks) in seen:
            continue
        seen.add(key_of(ks))
        for built in _build_kustomization(source, tree, ks, file):
            if built.key in tree.objects and tree.objects[built.key].data != built.data:
                tree.unbuilt.append(
                    (
                        built.file,
                        "/".join(built.key),
                        f"also applied by {tree.objects[built.key].applied_by}",
                    )
                )
            tree.objects[built.key] = built
            if _is_flux_kustomization(built.data):
                queue.append((built.data, built.file))
    return tree


def _flux_kustomizations(source: Source, path: str) -> list[dict[str, Any]]:
    text = source.text(path)
    if text is None or FLUX_KUSTOMIZE not in text:
        return []
    return [d for d in source.yaml(path) or [] if isinstance(d, dict) and _is_flux_kustomization(d)]


def _is_flux_kustomization(data: dict[str, Any]) -> bool:
    return data.get("kind") == "Kustomization" and str(data.get("apiVersion", "")).startswith(
        FLUX_KUSTOMIZE
    )


@dataclass
class _Resource:
    data: dict[str, Any]
    file: str
    generated: str = ""


def _build_kustomization(
    source: Source, tree: FluxTree, ks: dict[str, Any], file: str
) -> list[Built]:
    """The objects one Flux Kustomization applies."""
    spec = as_mapping(ks.get("spec"))
    name = key_of(ks)[2]
    source_ref = as_mapping(spec.get("sourceRef"))
    if source_ref and source_ref.get("kind") not in (None, "GitRepository"):
        tree.unbuilt.append((file, f"Kustomization {name}", "its source is not this repository"))
        return []
    path = str(spec.get("path") or "").strip()
    folder = posixpath.normpath(path.removeprefix("./").strip("/")) if path else "."
    folder = "" if folder == "." else folder
    if folder and not any(True for _ in source.under(folder)) and folder not in source.files:
        tree.unbuilt.append((file, f"Kustomization {name}", f"path {path} not found"))
        return []
    flux_layer = _flux_layer(tree, spec, name, file)
    builder = _Builder(source, tree)
    own = kustomization_file(source, folder)
    if own is not None:
        resources = builder.kustomization(own, None, flux_layer)
    else:
        resources = builder.apply(
            {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"},
            posixpath.join(folder, "kustomization.yaml"),
            builder.generated(folder),
            flux_layer,
        )
    common = as_mapping(spec.get("commonMetadata"))
    _add_metadata(
        resources, as_mapping(common.get("labels")), as_mapping(common.get("annotations"))
    )
    post_build = as_mapping(spec.get("postBuild"))
    if post_build:
        variables, complete = _variables(tree, post_build, ks, file)
        resources = [_substitute(res, variables, complete) for res in resources]
    else:
        resources = [_Resource(_unstyled(res.data), res.file, res.generated) for res in resources]
    return [Built(res.data, res.file, name, key_of(ks), file, res.generated) for res in resources]


def _flux_layer(tree: FluxTree, spec: dict[str, Any], name: str, file: str) -> dict[str, Any]:
    """What kustomize-controller writes into the folder's kustomization (generated or not)."""
    flux_layer: dict[str, Any] = {
        "components": listed(spec.get("components")),
        "patches": listed(spec.get("patches")),
    }
    if isinstance(spec.get("targetNamespace"), str):
        flux_layer["namespace"] = spec["targetNamespace"]
    for key in ("namePrefix", "nameSuffix"):
        if isinstance(spec.get(key), str):
            flux_layer[key] = spec[key]
    for key in ("patchesStrategicMerge", "patchesJson6902", "images", "replicas"):
        if spec.get(key):
            tree.unbuilt.append((file, f"Kustomization {name} spec.{key}", "not built here"))
    return flux_layer


def _add_metadata(
    resources: list[_Resource],
    labels: dict[str, Any],
    annotations: dict[str, Any],
    templates: bool = False,
) -> None:
    """Add ``labels`` and ``annotations`` to every resource (as strings, as kustomize does);
    with ``templates``, the annotations to its pod templates too (kustomize's
    ``commonAnnotations``; ``internal/konfig/builtinpluginconsts/commonannotations.go``)."""
    for res in resources:
        targets = [res.data.setdefault("metadata", {})]
        if templates and annotations:
            targets += _template_metadata(res.data)
        for metadata in targets:
            for key, values in (("labels", labels), ("annotations", annotations)):
                if values and (key == "annotations" or metadata is targets[0]):
                    metadata[key] = {
                        **as_mapping(metadata.get(key)),
                        **{str(k): str(v) for k, v in values.items()},
                    }


_TEMPLATED = {"ReplicationController", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"}


def _template_metadata(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The metadata mappings of ``data``'s pod (and job) templates, created where missing."""
    kind, group = data.get("kind"), str(data.get("apiVersion", "")).rpartition("/")[0]
    paths: list[tuple[str, ...]] = []
    if kind in _TEMPLATED:
        paths = [("spec", "template")]
    elif group == "batch" and kind == "Job":
        paths = [("spec", "template")]
    elif group == "batch" and kind == "CronJob":
        paths = [("spec", "jobTemplate"), ("spec", "jobTemplate", "spec", "template")]
    found: list[dict[str, Any]] = []
    for path in paths:
        node: Any = data
        for key in (*path, "metadata"):
            if not isinstance(node, dict):
                break
            node = node.setdefault(key, {})
        if isinstance(node, dict):
            found.append(node)
    return found


def _rename(resources: list[_Resource], prefix: str, suffix: str) -> None:
    """kustomize's namePrefix and nameSuffix (never on the kinds its prefix filter skips)."""
    for res in resources:
        if res.data.get("kind") not in _NOT_RENAMED:
            metadata = res.data.setdefault("metadata", {})
            metadata["name"] = f"{prefix}{metadata.get('name', '')}{suffix}"


_NOT_RENAMED = ("CustomResourceDefinition", "APIService", "Namespace")


def _variables(
    tree: FluxTree, post_build: dict[str, Any], ks: dict[str, Any], file: str
) -> tuple[dict[str, str], bool]:
    """The postBuild variables: ``substituteFrom`` in order, ``substitute`` over them; and
    whether all are known (a Secret's or a missing ConfigMap's are not)."""
    variables: dict[str, str] = {}
    complete = True
    _, namespace, name = key_of(ks)
    for ref in listed(post_build.get("substituteFrom")):
        kind, ref_name = dig(ref, "kind"), dig(ref, "name")
        # In the Flux Kustomization's own namespace.
        key = (str(kind), namespace, str(ref_name))
        found = tree.objects.get(key) or tree.known.get(key)
        data = as_mapping(found.data.get("data")) if found and kind == "ConfigMap" else None
        if kind == "ConfigMap" and found is None:
            tree.waiting.add((namespace, str(ref_name)))
        if data is None:
            tree.unbuilt.append(
                (
                    file,
                    f"Kustomization {name} substituteFrom {kind} {ref_name}",
                    "values not known here",
                )
            )
            complete = False
            continue
        variables.update({str(k): str(v) for k, v in data.items()})
    variables.update({str(k): str(v) for k, v in as_mapping(post_build.get("substitute")).items()})
    return variables, complete


class _Plain(str):
    """A plain (unquoted) scalar holding ``${...}``: after substitution its text is read again
    as YAML, as Flux reads the substituted text (``replicas: ${N}`` becomes a number)."""


class _StyledLoader(KustomizeLoader):
    """The kustomize loader, marking plain scalars that hold a variable (:class:`_Plain`)."""

    def construct_yaml_str(self, node: Any) -> Any:
        value = super().construct_yaml_str(node)
        return _Plain(value) if node.style is None and "${" in value else value


_StyledLoader.add_constructor("tag:yaml.org,2002:str", _StyledLoader.construct_yaml_str)


def _substitute(res: _Resource, variables: dict[str, str], complete: bool) -> _Resource:
    """Flux's postBuild substitution of one object (kustomize keeps a scalar's quoting, so a
    quoted ``'${N}'`` stays a string and a plain ``${N}`` is read again)."""
    metadata = as_mapping(res.data.get("metadata"))
    if "disabled" in (
        as_mapping(metadata.get("annotations")).get(SUBSTITUTE),
        as_mapping(metadata.get("labels")).get(SUBSTITUTE),
    ):
        return _Resource(_unstyled(res.data), res.file, res.generated)

    def replace(match: re.Match[str]) -> str:
        escaped, name, operator, default = match.groups()
        if escaped:
            return match.group(0)[1:]  # $${VAR} is written as ${VAR}
        value = variables.get(name)
        if value is None and not complete:
            return match.group(0)  # maybe in a source this build cannot read: kept as written
        if operator and (value is None or (operator.startswith(":") and value == "")):
            return str(default)
        return value or ""  # an unset variable becomes empty (Flux without strict mode)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and "$" in value:
            text = _VARIABLE.sub(replace, value)
            return _reread(text) if isinstance(value, _Plain) else text
        return str(value) if isinstance(value, _Plain) else value

    return _Resource(walk(res.data), res.file, res.generated)


def _reread(text: str) -> Any:
    """A plain scalar's substituted text as YAML reads it (a number, a boolean, null...)."""
    try:
        documents = load_yaml(text)
    except yaml.YAMLError:
        return text
    if not documents:
        return None
    return (
        documents[0] if len(documents) == 1 and not isinstance(documents[0], (dict, list)) else text
    )


def _unstyled(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unstyled(k): _unstyled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unstyled(v) for v in value]
    return str(value) if isinstance(value, _Plain) else value


class _Builder:
    """``kustomize build`` of folders and files of ``source``, as far as it goes."""

    def __init__(self, source: Source, tree: FluxTree) -> None:
        self.source = source
        self.tree = tree
        self.building: list[str] = []
        """The kustomizations being built, outermost first (a cycle is refused, as kustomize
        refuses it)."""

    def note(self, file: str, what: str, why: str) -> None:
        self.tree.unbuilt.append((file, what, why))

    def folder(self, folder: str, referrer: str) -> list[_Resource]:
        """A folder: its kustomization, or what Flux generates for one without."""
        path = kustomization_file(self.source, folder)
        if path is None:
            return self.generated(folder)
        return self.kustomization(path, None)

    def generated(self, folder: str) -> list[_Resource]:
        """Flux's generated kustomization: every manifest below, a sub-folder with its own
        kustomization.yaml as one resource."""
        found: list[_Resource] = []
        prefix = f"{folder}/" if folder else ""
        subfolders: set[str] = set()
        for file in self.source.under(folder):
            rest = file[len(prefix) :]
            if "/" in rest:
                subfolders.add(prefix + rest.split("/", 1)[0])
            elif file.endswith(YAML_SUFFIXES) and not rest.startswith("."):
                found += self.file(file, quiet=True)
        for sub in sorted(subfolders):
            if kustomization_file(self.source, sub) is not None:
                found += self.folder(sub, sub)
            else:
                found += self.generated(sub)
        return found

    def file(self, file: str, quiet: bool = False) -> list[_Resource]:
        documents = self.source.yaml(file)
        text = self.source.text(file) if documents else None
        if text is not None and "${" in text:  # read again, keeping which scalars were plain
            documents = [d for d in yaml.load_all(text, Loader=_StyledLoader) if d is not None]
        if documents is None:
            self.note(file, "file", "not valid YAML")
            return []
        result: list[_Resource] = []
        for doc in documents:
            if isinstance(doc, dict) and doc.get("kind") == "List" and "items" in doc:
                result += [
                    _Resource(copy.deepcopy(i), file) for i in listed(doc["items"]) if _object(i)
                ]
            elif _object(doc):
                if str(doc["apiVersion"]).startswith("kustomize.config.k8s.io/"):
                    continue  # a kustomization among plain manifests: Flux skips it
                result.append(_Resource(copy.deepcopy(doc), file))
            elif not quiet:
                self.note(file, "document", "not a Kubernetes object")
        return result

    def kustomization(
        self,
        path: str,
        accumulated: list[_Resource] | None,
        flux_layer: dict[str, Any] | None = None,
    ) -> list[_Resource]:
        """Build the kustomization (or, with ``accumulated``, apply the component) at ``path``."""
        if path in self.building:
            self.note(path, "kustomization", "refers to itself (a cycle)")
            return accumulated or []
        self.building.append(path)
        try:
            return self._kustomization(path, accumulated, flux_layer)
        finally:
            self.building.pop()

    def _kustomization(
        self,
        path: str,
        accumulated: list[_Resource] | None,
        flux_layer: dict[str, Any] | None,
    ) -> list[_Resource]:
        config = self.source.mapping(path)
        self.tree.read.add(path)
        if config is None:
            self.note(path, "kustomization", "not readable")
            return accumulated or []
        for key in sorted(set(config) - _KUSTOMIZE_BUILT):
            self.note(
                path, key, UNSEEN if key in _GENERATORS else "kustomize feature not built here"
            )
        folder = posixpath.dirname(path)
        resources = list(accumulated or [])
        for entry in listed(config.get("resources")):
            resources += self.resource(path, folder, str(entry))
        resources += self.generated_objects(config, path)
        return self.apply(config, path, resources, flux_layer or {})

    def generated_objects(self, config: dict[str, Any], path: str) -> list[_Resource]:
        """What the kustomization's ConfigMap and Secret generators make (after its resources,
        before its components, as kustomize runs them)."""
        if not any(config.get(key) for key in GENERATORS):
            return []

        def read(file: str) -> str | None:
            self.tree.read.add(file)
            return self.source.text(file) if file in self.source.files else None

        try:
            made = generate(config, posixpath.dirname(path), read)
        except GeneratorError as exc:
            self.note(path, "generator", f"{exc}: {UNSEEN}")
            return []
        if any(g.hashed for g in made):
            self.note(path, "generated names", "references to their hash suffix not built")
        return [_Resource(g.data, path, "hashed" if g.hashed else "named") for g in made]

    def apply(
        self,
        config: dict[str, Any],
        path: str,
        resources: list[_Resource],
        flux_layer: dict[str, Any],
    ) -> list[_Resource]:
        """Components, then the transformers of the kustomization ``config`` at ``path``, with
        what kustomize-controller adds to it (``flux_layer``)."""
        folder = posixpath.dirname(path)
        for entry in [*listed(config.get("components")), *flux_layer.get("components", [])]:
            target = posixpath.normpath(posixpath.join(folder, str(entry)))
            resources = self.component(target, resources, path)
        patches = [
            *listed(config.get("patches")),
            *({"path": p} for p in listed(config.get("patchesStrategicMerge"))),
            *flux_layer.get("patches", []),
        ]
        layer: dict[str, Any] = {
            k: config[k]
            for k in (
                "namespace",
                "namePrefix",
                "nameSuffix",
                "commonLabels",
                "commonAnnotations",
                "labels",
            )
            if k in config
        }
        layer.update({k: v for k, v in flux_layer.items() if k not in ("components", "patches")})
        return self.transform(layer, patches, resources, path)

    def component(
        self, folder: str, accumulated: list[_Resource], referrer: str
    ) -> list[_Resource]:
        path = kustomization_file(self.source, folder)
        if path is None:
            self.note(referrer, f"component {folder}", "not found")
            return accumulated
        return self.kustomization(path, accumulated)

    def resource(self, path: str, folder: str, entry: str) -> list[_Resource]:
        if "://" in entry or entry.startswith(("github.com/", "git@")):
            self.note(path, f"resource {entry}", f"a remote resource: {UNSEEN}")
            return []
        target = posixpath.normpath(posixpath.join(folder, entry))
        if target in self.source.files:
            return self.file(target)
        if kustomization_file(self.source, target) is not None:
            return self.folder(target, path)
        self.note(path, f"resource {entry}", "not found")
        return []

    def transform(
        self,
        layer: dict[str, Any],
        patches: list[Any],
        resources: list[_Resource],
        referrer: str,
    ) -> list[_Resource]:
        """The transformers of one kustomization, in kustomize's order: patches, namespace,
        prefix and suffix, labels, annotations."""
        folder = posixpath.dirname(referrer) if referrer.endswith(KUSTOMIZATION_FILES) else ""
        for patch in patches:
            self.patch(patch, resources, folder, referrer)
        namespace = layer.get("namespace")
        if isinstance(namespace, str) and namespace:
            for res in resources:
                _set_namespace(res.data, namespace)
        prefix, suffix = layer.get("namePrefix"), layer.get("nameSuffix")
        if isinstance(prefix, str) or isinstance(suffix, str):
            _rename(resources, str(prefix or ""), str(suffix or ""))
            self.note(referrer, "namePrefix/nameSuffix", "references to renamed objects not built")
        labels: dict[str, Any] = dict(as_mapping(layer.get("commonLabels")))
        for entry in listed(layer.get("labels")):
            labels.update(as_mapping(dig(entry, "pairs")))
            if dig(entry, "includeSelectors") or dig(entry, "includeTemplates"):
                self.note(referrer, "labels", "selectors and templates not built here")
        if "commonLabels" in layer:
            self.note(referrer, "commonLabels", "selectors not built here")
        _add_metadata(resources, labels, as_mapping(layer.get("commonAnnotations")), True)
        return resources

    def patch(self, patch: Any, resources: list[_Resource], folder: str, referrer: str) -> None:
        entry = patch if isinstance(patch, dict) else {}
        text = entry.get("patch")
        if isinstance(entry.get("path"), str):
            path = posixpath.normpath(posixpath.join(folder, entry["path"]))
            text = self.source.text(path) if path in self.source.files else None
            self.tree.read.add(path)
        if not isinstance(text, str):
            self.note(referrer, "patch", "not found")
            return
        try:
            documents = load_yaml(text)
        except yaml.YAMLError:
            self.note(referrer, "patch", "not valid YAML")
            return
        if isinstance(documents, list) and documents and isinstance(documents[0], list):
            self.note(referrer, "patch", "a JSON 6902 patch: not built here")
            return
        target = as_mapping(entry.get("target"))
        for body in documents:
            if not isinstance(body, dict):
                self.note(referrer, "patch", "a JSON 6902 patch: not built here")
                continue
            for res in resources:
                if _selected(res.data, target, body if not target else None):
                    res.data = merge(res.data, body, keep_identity=bool(target))


def _object(doc: Any) -> bool:
    """Whether ``doc`` has what kustomize needs of an object: apiVersion, kind, metadata."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("apiVersion"), str)
        and isinstance(doc.get("kind"), str)
        and isinstance(doc.get("metadata", {}), dict)
    )


def _set_namespace(data: dict[str, Any], namespace: str) -> None:
    kind = data.get("kind")
    metadata = data.setdefault("metadata", {})
    if kind == "Namespace" and data.get("apiVersion") == "v1":
        metadata["name"] = namespace
    elif kind not in CLUSTER_SCOPED:
        metadata["namespace"] = namespace
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        for subject in listed(data.get("subjects")):
            if isinstance(subject, dict) and subject.get("name") == "default":
                subject["namespace"] = namespace


def _selected(data: dict[str, Any], target: dict[str, Any], body: dict[str, Any] | None) -> bool:
    """Whether a patch with ``target`` (or, without, the patch ``body``'s own identity) applies."""
    api_version = str(data.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    kind, namespace, name = key_of(data)
    if body is not None:
        return (
            key_of(body)[0] == kind
            and key_of(body)[2] == name
            and (not key_of(body)[1] or key_of(body)[1] == namespace)
        )
    for field_name, value in (("group", group), ("version", version), ("kind", kind)):
        if field_name in target and target[field_name] != value:
            return False
    for field_name, value in (("name", name), ("namespace", namespace)):
        if field_name in target and not _matches(str(target[field_name]), value):
            return False
    metadata = as_mapping(data.get("metadata"))
    for field_name, meta in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        if field_name in target:
            have = as_mapping(metadata.get(meta))
            for term in str(target[field_name]).split(","):
                k, _, v = term.partition("=")
                if have.get(k.strip()) != v.strip() if v else k.strip() not in have:
                    return False
    return True


def _matches(pattern: str, value: str) -> bool:
    """kustomize's target name and namespace: a regular expression matching the whole value
    (a pattern Python cannot read is compared as text)."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


def merge(base: Any, patch: Any, keep_identity: bool = False) -> Any:
    """A strategic-merge patch as kustomize applies it to kinds it has no schema for: mappings
    merge, ``null`` deletes, lists of mappings that all have a ``name`` merge by it (kyaml's
    associative key), other lists are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        result = dict(base)
        for key, value in patch.items():
            if keep_identity and key == "metadata" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in ("name", "namespace")}
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = merge(result[key], value)
            else:
                result[key] = value
        return result
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        merged = list(base)
        index = {item["name"]: i for i, item in enumerate(merged)}
        for item in patch:
            if item["name"] in index:
                merged[index[item["name"]]] = merge(merged[index[item["name"]]], item)
            else:
                merged.append(item)
        return merged
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def kustomization_file(source: Source, folder: str) -> str | None:
    """The kustomization file of ``folder`` (kustomize's three names), or None."""
    for name in KUSTOMIZATION_FILES:
        path = posixpath.join(folder, name) if folder else name
        if path in source.files:
            return path
    return None
