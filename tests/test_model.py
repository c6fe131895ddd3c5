"""The model's own behaviour: defaults, derived properties, plain data."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest
from pydantic import ValidationError

from homeops_gen import Chart, Cluster
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, loaded
from tests.models import model


def _cluster(**changes: object) -> Cluster:
    return Cluster.model_validate(model(**changes))


def test_model_is_frozen_and_strict() -> None:
    cluster = _cluster()
    with pytest.raises(ValidationError):
        cluster.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Cluster.model_validate({**model(), "colour": "blue"})


def test_endpoint_defaults_to_the_first_control_plane() -> None:
    cluster = _cluster()
    assert cluster.api_address == IPv4Address("192.168.1.10")
    assert cluster.api_url == "https://192.168.1.10:6443"
    assert not cluster.endpoint_is_vip
    vip = _cluster(endpoint="192.168.1.5")
    assert vip.endpoint_is_vip and vip.api_url == "https://192.168.1.5:6443"


def test_nodes_are_split_by_host() -> None:
    cluster = loaded("ha-vip").cluster
    split = {h.name: [n.name for n in cluster.nodes_on(h)] for h in cluster.hosts}
    assert split == {
        "atlas": ["cp-1", "worker-1"],
        "boreas": ["cp-2", "worker-2"],
        "castor": ["cp-3", "worker-3"],
    }


def test_chart_names() -> None:
    assert Chart(url="oci://ghcr.io/x/charts/cilium", version="1.0.0").chart_name == "cilium"
    assert (
        Chart(url="https://charts.jetstack.io", name="cert-manager", version="1.0.0").chart_name
        == "cert-manager"
    )
    with pytest.raises(ValidationError):
        Chart(url="ftp://x", version="1.0.0")
    # The version is the tag exactly as published: cert-manager's has a leading v.
    assert Chart(url="oci://quay.io/jetstack/charts/cert-manager", version="v1.19.1").version == (
        "v1.19.1"
    )
    with pytest.raises(ValidationError, match="exactly as the chart publishes it"):
        Chart(url="oci://x/y", version="1.0")


@pytest.mark.parametrize("interval", ["1 m", "1d", "", "fast"])
def test_sync_interval_is_a_flux_duration(interval: str) -> None:
    from homeops_gen.model import GitOps

    with pytest.raises(ValueError, match="sync_interval"):
        GitOps(repository="https://github.com/example/ops", sync_interval=interval)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_survives_a_round_trip_through_plain_data(name: str) -> None:
    """A stored or sent model is the same cluster: helper apps keep their helper and options
    (what the project's files say, such as the pull secret's name, is the project's)."""
    cluster = loaded(name).cluster
    again = Cluster.model_validate(cluster.model_dump())
    assert again == cluster
    assert Deployment(again).apps == Deployment(cluster).apps
    from_json = Cluster.model_validate_json(cluster.model_dump_json())
    assert from_json == cluster and Deployment(from_json).apps == Deployment(cluster).apps
    assert set(vars(cluster.gitops)) == set(type(cluster.gitops).model_fields), "plain data"
