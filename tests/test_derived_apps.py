"""Values the helper apps derive from the cluster."""

from __future__ import annotations

import pytest

from homeops_gen.apps import cilium
from homeops_gen.deployment import gateway_api_release
from homeops_gen.model import CiliumHelper


@pytest.mark.parametrize(
    ("version", "release"),
    [
        ("1.18.4", "v1.3.0"),
        ("1.19.3", "v1.4.0"),
        ("1.20.2", "v1.6.1"),
        ("1.17.9", "v1.3.0"),
        ("1.21.0", "v1.6.1"),
    ],
)
def test_gateway_api_crds_follow_the_cilium_minor(version: str, release: str) -> None:
    helper = cilium(version).made_by
    assert isinstance(helper, CiliumHelper)
    assert gateway_api_release(helper, version) == release


def test_an_explicit_gateway_api_release_wins() -> None:
    helper = cilium("1.19.3", gateway_api_version="v1.2.1").made_by
    assert isinstance(helper, CiliumHelper)
    assert gateway_api_release(helper, "1.19.3") == "v1.2.1"
