"""The apps as deployed: the values, resources and dependencies helper apps derive from the
cluster, and the order they are installed in."""

from __future__ import annotations

import pytest

from homeops_gen import App, Cluster
from homeops_gen.apps import cilium, coredns, flux_instance, flux_operator
from homeops_gen.deployment import Deployment, deep_merge, gateway_api_release
from homeops_gen.model import CiliumHelper
from tests.conftest import loaded
from tests.models import model


def _cluster(apps: list[App] | None = None, **changes: object) -> Cluster:
    data = model(**changes)
    data["apps"] = (
        apps
        if apps is not None
        else [cilium("1.18.4"), flux_operator("0.36.0"), flux_instance("0.36.0")]
    )
    return Cluster.model_validate(data)


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
