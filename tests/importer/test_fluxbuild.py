"""What Flux applies, built in memory: checked against kubectl kustomize and Flux's rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from homeops_gen.importer.fluxbuild import FluxTree, build_flux_tree, key_of
from homeops_gen.importer.report import Report
from homeops_gen.importer.source import Source, load_yaml

KUBECTL = shutil.which("kubectl") or str(Path(sys.executable).with_name("kubectl"))

FOLDERS: dict[str, dict[str, str]] = {
    "namespace transformer and a shared component": {
        "kustomization.yaml": "namespace: media\ncomponents: [./common]\nresources: [./app.yaml, ./rb.yaml]\n",
        "app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: other}\n"
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\n",
        "rb.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
        "metadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n"
        "subjects:\n- {kind: ServiceAccount, name: default, namespace: x}\n"
        "- {kind: ServiceAccount, name: other, namespace: x}\n",
        "common/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "resources: [./ns.yaml]\n",
        "common/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n"
        "  annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}\n",
    },
    "patches by target and by identity, lists merged by name": {
        "kustomization.yaml": "resources: [./deploy.yaml]\nnamePrefix: p-\n"
        "commonAnnotations: {team: media}\n"
        "patches:\n- target: {kind: Deployment, name: 'we.*'}\n  patch: |\n"
        "    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: _}\n"
        "    spec:\n      template:\n        spec:\n          containers:\n"
        "          - {name: app, image: 'app:2'}\n"
        "- path: ./replicas.yaml\n",
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n"
        "      - {name: app, image: 'app:1'}\n      - {name: side, image: 'side:1'}\n",
        "replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {replicas: 3}\n",
    },
    "ConfigMap and Secret generators, with and without the hash suffix": {
        "kustomization.yaml": "namespace: media\n"
        "generatorOptions:\n  labels: {team: media}\n"
        "configMapGenerator:\n"
        "- name: settings\n  literals: ['TZ=Europe/Paris', 'QUOTED=\"a b\"', 'EQ=x=y']\n"
        "  files: [./config.yaml, renamed.conf=./other.conf]\n  envs: [./app.env]\n"
        "- name: plain\n  literals: [A=1]\n  options:\n    disableNameSuffixHash: true\n"
        "    annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\n"
        "secretGenerator:\n- name: creds\n  literals: [user=admin, 'pass=s3cr&t<>']\n"
        "- name: tls\n  type: kubernetes.io/tls\n  files: [tls.crt=./other.conf, tls.key=./other.conf]\n",
        "config.yaml": "key: value\nlist: [1, 2]\n",
        "other.conf": "setting = on\n",
        "app.env": "# comment\nLOG_LEVEL=debug\n  INDENTED=yes\nEMPTY=\n",
    },
    "YAML only kustomize reads": {
        "kustomization.yaml": "resources: [./cm.yaml]\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
        "data:\n  a: &v one\n  b: *v\n  c: &v two\n  d: *v\n  e: =\n",
    },
}


def _build(tmp_path: Path, files: dict[str, str]) -> FluxTree:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    source = Source({f"app/{rel}": text.encode() for rel, text in files.items()}, Report())
    return build_flux_tree(source, "app")


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_the_build_is_kubectl_kustomizes(name: str, tmp_path: Path) -> None:
    tree = _build(tmp_path, FOLDERS[name])
    out = subprocess.run(
        [KUBECTL, "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    expected = {key_of(d): d for d in load_yaml(out.stdout)}
    assert {k: b.data for k, b in tree.objects.items()} == expected
    # Only references to renamed objects are left to kustomize (none in these folders).
    assert [u for u in tree.unbuilt if not u[2].startswith("references")] == []


def _flux(spec: dict[str, Any], files: dict[str, str]) -> FluxTree:
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {"path": "./app", **spec},
    }
    sources = {"root/ks.yaml": yaml.safe_dump(ks).encode()}
    sources.update({rel: text.encode() for rel, text in files.items()})
    return build_flux_tree(Source(sources, Report()), "root")


def test_flux_adds_target_namespace_components_and_common_metadata() -> None:
    tree = _flux(
        {
            "targetNamespace": "media",
            "components": ["../comp"],
            "commonMetadata": {"labels": {"app.kubernetes.io/name": "app"}},
        },
        {
            "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
            "comp/kustomization.yaml": "kind: Component\nresources: [./extra.yaml]\n",
            "comp/extra.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\n",
        },
    )
    for key in (("ConfigMap", "media", "cm"), ("Secret", "media", "extra")):
        assert tree.objects[key].data["metadata"]["labels"] == {"app.kubernetes.io/name": "app"}


def test_post_build_substitutes_as_flux_does() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '${APP}'}\n"
        "data: {a: '${APP}', b: '${MISSING:=fallback}', c: '$${APP}', d: '${MISSING}',"
        " e: '${EMPTY:-x}', f: '${EMPTY-x}', n: '${COUNT}'}\n"
        "spec:\n  replicas: ${COUNT}\n  empty: ${MISSING}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n"
        "  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\ndata: {a: '${APP}'}\n"
    )
    tree = _flux(
        {"postBuild": {"substitute": {"APP": "radarr", "EMPTY": "", "COUNT": "3"}}},
        {"app/cm.yaml": text},
    )
    data = tree.objects[("ConfigMap", "", "radarr")].data["data"]
    assert data == {
        "a": "radarr",
        "b": "fallback",
        "c": "${APP}",
        "d": "",
        "e": "x",
        "f": "",
        "n": "3",
    }
    assert tree.objects[("ConfigMap", "", "raw")].data["data"] == {"a": "${APP}"}


def test_a_variable_of_a_secret_is_left_as_written() -> None:
    tree = _flux(
        {"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "cluster-secrets"}]}},
        {
            "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '${DOMAIN}'}\n"
        },
    )
    assert tree.objects[("ConfigMap", "", "cm")].data["data"] == {"a": "${DOMAIN}"}
    assert any("substituteFrom Secret cluster-secrets" in what for _, what, _ in tree.unbuilt)


def test_a_cycle_of_components_is_reported_not_followed() -> None:
    source = Source(
        {
            "k/kustomization.yaml": b"components: [./c]\n",
            "k/c/kustomization.yaml": b"kind: Component\ncomponents: [../c]\n",
        },
        Report(),
    )
    tree = build_flux_tree(source, "k")
    assert tree.unbuilt == [
        ("k/c/kustomization.yaml", "kustomization", "refers to itself (a cycle)")
    ]
