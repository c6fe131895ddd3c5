"""Objects the Flux tree reads by name: each must exist where and when Flux reads it.

Sources (kustomize-controller and helm-controller ``api/v1``/``api/v2``, fluxcd/pkg
``kustomize/kustomize_varsub.go``):

- ``postBuild.substituteFrom`` is read from the Flux Kustomization's own namespace
  (``kustomization.GetNamespace()``), before anything is applied; a missing reference that
  is not ``optional`` fails the reconciliation.
- ``valuesFrom`` of a HelmRelease is read from the release's namespace when helm-controller
  reconciles it; a missing one that is not ``optional`` fails the release.
- ``kubeConfig.secretRef`` of either is read from the object's own namespace.

homeops-gen puts every Flux Kustomization in flux-system and deploys into the app's
namespace (``targetNamespace``), so it knows each object the tree creates, its namespace
and which app's Kustomization applies it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from homeops_gen.deployment import Deployment
from homeops_gen.layout import FLUX_NAMESPACE, SOPS_AGE_SECRET
from homeops_gen.model import App, Cluster
from homeops_gen.problems import Problem, warning
from homeops_gen.rules import MIN_SERVICE_ADDRESSES
from homeops_gen.suggest import did_you_mean

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it

Key = tuple[str, str, str]
"""An object's kind, namespace and name."""

SECRET_MAKERS: dict[tuple[str, str], str] = {
    ("external-secrets.io", "ExternalSecret"): "spec.target.name",
    ("bitnami.com", "SealedSecret"): "metadata.name",
}
"""Custom resources whose operator creates a Secret of the name in the given field
(``spec.target.name`` defaults to the ExternalSecret's own name)."""


@dataclass(frozen=True)
class Reference:
    """One object a Flux object of an app reads by name."""

    path: str
    """The model field naming it, e.g. ``apps[3].release.valuesFrom[0]``."""
    kind: str
    name: str
    namespace: str
    before_apply: bool
    """Whether Flux reads it before the app's own Kustomization applies anything."""
    reader: str
    """Who reads it, in words."""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def references(i: int, app: App) -> Iterator[Reference]:
    """Every non-optional object ``app``'s Flux Kustomization and HelmRelease read by name."""
    ks, hr = app.kustomization, app.release
    ks_reader = "a Flux Kustomization (homeops-gen puts each in flux-system)"
    for j, ref in enumerate(_list(_dict(ks.get("postBuild")).get("substituteFrom"))):
        if isinstance(ref, dict) and not ref.get("optional") and isinstance(ref.get("name"), str):
            path = f"apps[{i}].kustomization.postBuild.substituteFrom[{j}]"
            kind = str(ref.get("kind"))
            yield Reference(path, kind, ref["name"], FLUX_NAMESPACE, True, ks_reader)
    secret = _dict(_dict(ks.get("kubeConfig")).get("secretRef")).get("name")
    if isinstance(secret, str):
        path = f"apps[{i}].kustomization.kubeConfig.secretRef"
        yield Reference(path, "Secret", secret, FLUX_NAMESPACE, True, ks_reader)
    if app.chart is None:
        return
    hr_reader = f"the HelmRelease (in the app's namespace {app.namespace!r})"
    for j, ref in enumerate(_list(hr.get("valuesFrom"))):
        if isinstance(ref, dict) and not ref.get("optional") and isinstance(ref.get("name"), str):
            path = f"apps[{i}].release.valuesFrom[{j}]"
            yield Reference(
                path, str(ref.get("kind")), ref["name"], app.namespace, False, hr_reader
            )
    secret = _dict(_dict(hr.get("kubeConfig")).get("secretRef")).get("name")
    if isinstance(secret, str):
        path = f"apps[{i}].release.kubeConfig.secretRef"
        yield Reference(path, "Secret", secret, app.namespace, False, hr_reader)


def _field(obj: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        obj = _dict(obj).get(key)  # type: ignore[assignment]
    return obj


def _documents(app: App, user_files: Mapping[str, str]) -> list[Any]:
    """The objects ``app`` ships: its resources, then its manifests' and secrets' documents."""
    documents: list[Any] = list(app.resources)
    for path in app.user_files:
        try:
            documents += list(yaml.load_all(user_files.get(path, ""), Loader=LOADER))
        except yaml.YAMLError:
            continue  # refused when the project loads
    return documents


def _app_objects(app: App, user_files: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """The kind and name of each object ``app`` deploys (and each Secret its objects make)."""
    documents = _documents(app, user_files)
    prefix = str(app.kustomization.get("namePrefix") or "")
    suffix = str(app.kustomization.get("nameSuffix") or "")
    for doc in documents:
        if not isinstance(doc, dict):
            continue
        name = _field(doc, "metadata.name")
        kind = doc.get("kind")
        if isinstance(name, str) and isinstance(kind, str):
            yield kind, f"{prefix}{name}{suffix}"
        group = str(doc.get("apiVersion", "")).split("/")[0]
        made = SECRET_MAKERS.get((group, str(kind)))
        if made is not None:
            secret = _field(doc, made) or name
            if isinstance(secret, str):
                yield "Secret", secret


def created_objects(deployment: Deployment, user_files: Mapping[str, str]) -> dict[Key, str | None]:
    """Every object the tree creates (kind, namespace, name) -> the app applying it, or None
    for what ``boot`` creates before Flux starts (the SOPS key, the Git pull secret, named
    ``deployment.pull_secret_name`` in its file)."""
    created: dict[Key, str | None] = {}
    if any(app.secrets for app in deployment.cluster.apps):
        created[("Secret", FLUX_NAMESPACE, SOPS_AGE_SECRET)] = None
    if deployment.pull_secret_name is not None:
        created[("Secret", FLUX_NAMESPACE, deployment.pull_secret_name)] = None
    for app in deployment.apps:
        for kind, name in _app_objects(app, user_files):
            # targetNamespace puts every object of the app in its namespace.
            created.setdefault((kind, app.namespace, name), app.name)
    return created


def _needs(cluster: Cluster) -> dict[str, set[str]]:
    """Each app -> every app it waits for (its depends_on, and theirs)."""
    direct = {a.name: set(a.depends_on) for a in cluster.apps}
    closed: dict[str, set[str]] = {}

    def visit(name: str, seen: frozenset[str]) -> set[str]:
        if name not in closed:
            found: set[str] = set()
            for dep in direct.get(name, ()):
                if dep not in seen:
                    found |= {dep} | visit(dep, seen | {dep})
            closed[name] = found
        return closed[name]

    for name in direct:
        visit(name, frozenset({name}))
    return closed


def reference_problems(deployment: Deployment, user_files: Mapping[str, str]) -> Iterator[Problem]:
    """Each reference of each app resolves to an object made where, and before, it is read."""
    cluster = deployment.cluster
    found = [(app, ref) for i, app in enumerate(cluster.apps) for ref in references(i, app)]
    if not found or cluster.network.service_cidr.num_addresses < MIN_SERVICE_ADDRESSES:
        return
    created = created_objects(deployment, user_files)
    needs = _needs(cluster)
    for app, ref in found:
        yield from _resolve(app, ref, created, needs)


def _resolve(
    app: App, ref: Reference, created: dict[Key, str | None], needs: dict[str, set[str]]
) -> Iterator[Problem]:
    what = f"{ref.kind} {ref.name!r}"
    key = (ref.kind, ref.namespace, ref.name)
    if key not in created:
        elsewhere = sorted(
            (ns, maker)
            for (kind, ns, name), maker in created.items()
            if kind == ref.kind and name == ref.name
        )
        if elsewhere:
            ns, maker = elsewhere[0]
            by = "this app's own Kustomization" if maker == app.name else f"app {maker!r}"
            yield Problem(
                ref.path,
                f"{what} is read by {ref.reader} from namespace {ref.namespace!r}, but {by} "
                f"creates it in {ns!r} (targetNamespace), so Flux never finds it. Create it in "
                f"{ref.namespace!r}: as a secret of an app in namespace {ref.namespace!r} that "
                f"{app.name!r} lists in depends_on",
            )
            return
        names = [name for (kind, ns, name) in created if kind == ref.kind and ns == ref.namespace]
        yield warning(
            "reference-unresolved",
            ref.path,
            f"nothing in the model creates {what} in namespace {ref.namespace!r}, where "
            f"{ref.reader} reads it{did_you_mean(ref.name, names)}: Flux fails until it exists. "
            f"Ship it with an app in {ref.namespace!r} that {app.name!r} depends on, create it "
            "by hand before Flux reconciles, or set optional: true if the app works without it",
        )
        return
    maker = created[key]
    if maker is None or maker in needs.get(app.name, set()):
        return
    if maker == app.name:
        if ref.before_apply:
            yield Problem(
                ref.path,
                f"{what} is created by this app's own Kustomization, but Flux reads "
                "substituteFrom before applying anything, so it fails forever. Move it to its "
                f"own app in {ref.namespace!r} (e.g. App(name='cluster-secrets', "
                f"namespace={ref.namespace!r}, secrets=[...])) and add that app to depends_on",
            )
        return
    yield warning(
        "reference-not-ready",
        ref.path,
        f"{what} is created by app {maker!r}, which {app.name!r} does not depend on: Flux "
        f"fails until {maker!r} has applied it; add {maker!r} to depends_on",
    )


VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=])?")
"""A variable of Flux' postBuild (envsubst): ``${NAME}``; ``${NAME:=default}`` and the like
have a default (a group 2 match)."""


def _object_keys(deployment: Deployment, user_files: Mapping[str, str]) -> dict[Key, set[str]]:
    """The data keys of each ConfigMap and Secret the tree creates (SOPS leaves keys clear)."""
    keys: dict[Key, set[str]] = {}
    for app in deployment.apps:
        for doc in _documents(app, user_files):
            name = _field(doc, "metadata.name") if isinstance(doc, dict) else None
            if isinstance(name, str) and doc.get("kind") in ("ConfigMap", "Secret"):
                found = keys.setdefault((doc["kind"], app.namespace, name), set())
                for field in ("data", "stringData", "binaryData"):
                    found |= {str(k) for k in _dict(doc.get(field))}
    return keys


def _provided(app: App, keys: dict[Key, set[str]]) -> set[str] | None:
    """The variables ``app``'s postBuild provides, or None when it has none at all or reads
    them from an object whose keys are unknown here (made by hand or by a chart)."""
    post = app.kustomization.get("postBuild")
    if not isinstance(post, dict):
        return None
    names = set(_dict(post.get("substitute")))
    for ref in _list(post.get("substituteFrom")):
        if not isinstance(ref, dict):
            return None
        key = (str(ref.get("kind")), FLUX_NAMESPACE, str(ref.get("name")))
        if key not in keys:
            return None
        names |= keys[key]
    return names


def variable_problems(deployment: Deployment, user_files: Mapping[str, str]) -> Iterator[Problem]:
    """A ``${VARIABLE}`` without a default in an app whose postBuild provides no such variable:
    Flux replaces it with an empty string (fluxcd/pkg ``kustomize/kustomize_varsub.go``, not
    strict). An app without postBuild is ``rules.variables_substituted``' to report."""
    cluster = deployment.cluster
    keys: dict[Key, set[str]] | None = None
    if cluster.network.service_cidr.num_addresses < MIN_SERVICE_ADDRESSES:
        return  # the apps' derived values need a usable range (address_ranges says so)
    for i, app in enumerate(cluster.apps):
        if not isinstance(app.kustomization.get("postBuild"), dict):
            continue
        if keys is None:
            keys = _object_keys(deployment, user_files)
        provided = _provided(app, keys)
        if provided is None:
            continue
        parts = [(f"apps[{i}].values", json.dumps(app.values))]
        parts += [(f"apps[{i}].release", json.dumps(app.release))]
        parts += [(f"apps[{i}].resources[{j}]", json.dumps(r)) for j, r in enumerate(app.resources)]
        parts += [
            (f"apps[{i}].{field}", user_files.get(path, ""))
            for field, path, secret in app.user_file_fields()
            if not secret
        ]
        for path, text in parts:
            missing = sorted(
                {m[1] for m in VARIABLE.finditer(text) if not m[2] and m[1] not in provided}
            )
            if missing:
                sources = ", ".join(sorted(provided)) or "none"
                yield warning(
                    "unsubstituted-variable",
                    path,
                    f"${{{missing[0]}}} is provided by none of the app's postBuild variables "
                    f"(it provides: {sources}){did_you_mean(missing[0], provided)}: Flux "
                    "replaces it with an empty string. Add it to postBuild.substitute or to the "
                    f"object substituteFrom names, or give it a default (${{{missing[0]}:=value}})",
                )
