"""The model's own behaviour: defaults, derived properties, app resolution and ordering."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest
from pydantic import ValidationError

from homeops_gen import App, Chart, Cluster
from homeops_gen.apps import cilium, coredns, deep_merge, flux_instance, flux_operator
from homeops_gen.deployment import Deployment
from tests.conftest import MODELS, loaded
from tests.models import model


def _cluster(apps: list[App] | None = None, **changes: object) -> Cluster:
    data = model(**changes)
    data["apps"] = (
        apps
        if apps is not None
        else [cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0")]
    )
    return Cluster.model_validate(data)


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


def test_dependency_order_puts_dependencies_first_and_keeps_model_order() -> None:
    names = [a.name for a in Deployment(loaded("many-apps").cluster).apps_in_dependency_order()]
    assert names.index("cert-manager") < names.index("envoy-gateway") < names.index("external-dns")
    assert names.index("kube-prometheus-stack") < names.index("grafana")
    assert names.index("external-dns") < names.index("grafana")
    assert names[:3] == ["cilium", "flux-operator", "flux-instance"]


def test_cilium_values_come_from_the_network() -> None:
    app = Deployment(_cluster()).app("cilium")
    assert app.values["k8sServiceHost"] == "localhost" and app.values["k8sServicePort"] == 7445
    assert app.values["kubeProxyReplacement"] is True
    assert app.values["ipv4NativeRoutingCIDR"] == "10.42.0.0/16"
    pool = next(r for r in app.resources if r["kind"] == "CiliumLoadBalancerIPPool")
    assert pool["spec"]["blocks"] == [{"cidr": "192.168.1.240/28"}]
    # The pool is on the node LAN, so Cilium announces it with ARP.
    assert app.values["l2announcements"] == {"enabled": True}
    assert any(r["kind"] == "CiliumL2AnnouncementPolicy" for r in app.resources)


def test_pool_outside_the_node_network_is_not_announced_with_l2() -> None:
    app = Deployment(_cluster(network__load_balancer_cidr="10.50.0.0/24")).app("cilium")
    assert "l2announcements" not in app.values
    assert [r["kind"] for r in app.resources] == ["CiliumLoadBalancerIPPool"]


def test_no_pool_means_no_pool_resources() -> None:
    network = dict(model()["network"])
    del network["load_balancer_cidr"]
    assert Deployment(_cluster(network=network)).app("cilium").resources == ()


def test_user_values_override_derived_ones() -> None:
    apps = [
        cilium("1.18.4", values={"operator": {"replicas": 3}, "hubble": {"enabled": True}}),
        flux_operator("0.36.0"),
        flux_instance("0.36.0"),
    ]
    values = Deployment(_cluster(apps)).app("cilium").values
    assert values["operator"] == {"replicas": 3}
    assert values["hubble"] == {"enabled": True}
    assert values["k8sServicePort"] == 7445


def test_coredns_uses_the_cluster_dns_address_and_depends_on_cilium() -> None:
    apps = [cilium("1.18.4"), coredns("1.45.0"), flux_operator("0.36.0"), flux_instance("0.36.0")]
    cluster = _cluster(apps, network__service_cidr="10.96.0.0/12")
    dns = Deployment(cluster).app("coredns")
    assert dns.values["service"]["clusterIP"] == "10.96.0.10"
    assert dns.depends_on == ("cilium",)
    assert Deployment(cluster).app("flux-operator").depends_on == ("cilium", "coredns")


def test_flux_instance_syncs_the_generated_tree_from_gitops() -> None:
    cluster = _cluster(gitops={"repository": "https://git.example.com/ops.git", "branch": "prod"})
    sync = Deployment(cluster).app("flux-instance").values["instance"]["sync"]
    assert sync == {
        "kind": "GitRepository",
        "url": "https://git.example.com/ops.git",
        "ref": "refs/heads/prod",
        "path": "out/kubernetes/flux/cluster",
        "interval": "1m",
    }
    assert Deployment(cluster).app("flux-instance").depends_on == ("flux-operator",)


def test_deep_merge() -> None:
    assert deep_merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"c": 3}, "d": {"x": 1}}) == {
        "a": {"b": 1, "c": 3},
        "d": {"x": 1},
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


def test_helper_apps_record_their_helper_and_options() -> None:
    app = cilium("1.18.4", l2_announcements=False, gateway_api=False)
    assert type(app) is App
    assert app.model_dump()["made_by"] == {
        "helper": "cilium",
        "gateway_api": False,
        "gateway_api_version": None,
        "l2_announcements": False,
    }
    assert flux_instance("0.36.0").model_dump()["made_by"] == {"helper": "flux-instance"}
    deployed = Deployment(_cluster([app, flux_operator("0.36.0"), flux_instance("0.36.0")])).app(
        "cilium"
    )
    assert deployed.made_by is None, "a deployed app carries its derived values, once"
    assert "gatewayAPI" not in deployed.values and deployed.crds == ()
