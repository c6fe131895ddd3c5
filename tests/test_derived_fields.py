"""The "homeops-gen derives this" lists of :mod:`homeops_gen.derived_fields` against what the generators
write, for every fixture: a part the generators write that no list names would let a user's
option or patch override it silently; a list entry no generator writes is stale."""

from __future__ import annotations

from typing import Any

import pytest

from homeops_gen.generators.kubernetes import (
    APP_KUSTOMIZATION_DEFAULTS,
    HELMRELEASE_DEFAULTS,
    chart_objects,
    flux_kustomization,
    resources_flux_kustomization,
)
from homeops_gen.generators.talos import own_patches
from homeops_gen.derived_fields import (
    KUSTOMIZATION_DERIVED,
    RELEASE_DERIVED,
    TALOS_DERIVED,
    TALOS_DOCUMENTS_DERIVED,
    TALOS_EXTENDED,
    derived_path,
    leaf_paths,
    talos_document_paths,
)
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, loaded

KUSTOMIZATION_USER_MERGED = {"wait", "commonMetadata"}
"""Kustomization fields homeops-gen writes that an app's own ``kustomization`` may still set:
``wait`` (refused where something depends on it: rules ``_must_wait``) and ``commonMetadata``
(its labels merge with the app's name label)."""


def _covered(path: tuple[str, ...], *tables: dict[tuple[str, ...], str]) -> bool:
    return any(
        len(path) >= len(key) and derived_path(path, key) for table in tables for key in table
    )


def _talos_paths(name: str) -> list[tuple[str, ...]]:
    """Every leaf of every patch the Talos generator writes of its own for model ``name``."""
    paths: list[tuple[str, ...]] = []
    for patch in own_patches(loaded(name).cluster):
        paths += talos_document_paths(patch) if "kind" in patch else leaf_paths(patch)
    return paths


@pytest.mark.parametrize("name", MODELS)
def test_talos_lists_name_everything_homeops_gen_writes(name: str) -> None:
    for path in _talos_paths(name):
        named = _covered(path, TALOS_DERIVED, TALOS_DOCUMENTS_DERIVED, TALOS_EXTENDED)
        assert named, (
            f"{name}: the Talos generator writes {'.'.join(path)}, which neither "
            "derived_fields.TALOS_DERIVED, TALOS_DOCUMENTS_DERIVED nor TALOS_EXTENDED names"
        )


def test_talos_document_lists_have_no_stale_entry() -> None:
    written = [p for name in MODELS for p in _talos_paths(name)]
    for table in (TALOS_DOCUMENTS_DERIVED, TALOS_EXTENDED):
        for key in table:
            assert any(_covered(p, {key: ""}) for p in written), f"no fixture writes {key}"


def _kustomization_keys(name: str) -> list[set[str]]:
    """The spec fields of every Flux Kustomization model ``name``'s apps get, their own
    ``kustomization`` options left out."""
    cluster = loaded(name).cluster
    specs = []
    for app in Deployment(cluster).apps:
        bare = app.model_copy(update={"kustomization": {}})
        deps = list(app.depends_on)
        specs.append(flux_kustomization(bare, wait=True, dependencies=deps)["spec"])
        specs.append(resources_flux_kustomization(bare, wait=True)["spec"])
    return [set(spec) for spec in specs]


@pytest.mark.parametrize("name", MODELS)
def test_kustomization_derived_names_what_the_generator_derives(name: str) -> None:
    allowed = {*KUSTOMIZATION_DERIVED, *APP_KUSTOMIZATION_DEFAULTS, *KUSTOMIZATION_USER_MERGED}
    for keys in _kustomization_keys(name):
        assert (
            keys <= allowed
        ), f"{name}: not in derived_fields.KUSTOMIZATION_DERIVED: {keys - allowed}"


def test_kustomization_derived_has_no_stale_entry() -> None:
    written = set().union(*(k for name in MODELS for k in _kustomization_keys(name)))
    assert set(KUSTOMIZATION_DERIVED) <= written


@pytest.mark.parametrize("name", MODELS)
def test_release_derived_names_what_the_generator_derives(name: str) -> None:
    allowed = {*RELEASE_DERIVED, *HELMRELEASE_DEFAULTS, "interval"}
    for app in Deployment(loaded(name).cluster).apps:
        if app.chart is None:
            continue
        spec: dict[str, Any] = dict(
            chart_objects(app.model_copy(update={"release": {}}))[1]["spec"]
        )
        assert (
            set(spec) <= allowed
        ), f"{name}: not in derived_fields.RELEASE_DERIVED: {set(spec) - allowed}"
