"""Talos machine-config documents (the subset homeops-gen writes).

Typed documents (Talos 1.12+) carry ``apiVersion: v1alpha1`` and their ``kind``; the
v1alpha1 ``machine``/``cluster`` settings of a patch are plain data.
"""

from __future__ import annotations

from typing import Literal

from homeops_gen.apis import ApiModel


class Document(ApiModel):
    """A typed machine-config document."""

    api_version: Literal["v1alpha1"] = "v1alpha1"


class HostnameConfig(Document):
    """The node's static hostname (``auto: off`` turns the generated one off)."""

    kind: Literal["HostnameConfig"] = "HostnameConfig"
    auto: Literal["off"] = "off"
    hostname: str


class Nameserver(ApiModel):
    """One DNS server."""

    address: str


class ResolverConfig(Document):
    """The node's DNS servers."""

    kind: Literal["ResolverConfig"] = "ResolverConfig"
    nameservers: list[Nameserver]


class LinkSelector(ApiModel):
    """A CEL expression over a physical link's status."""

    match: str


class LinkAliasConfig(Document):
    """A stable name for the one physical link a selector matches."""

    kind: Literal["LinkAliasConfig"] = "LinkAliasConfig"
    name: str
    selector: LinkSelector


class Address(ApiModel):
    """A static address with its prefix length."""

    address: str


class LinkRoute(ApiModel):
    """A route through a link (no destination: the default route)."""

    gateway: str


class LinkConfig(Document):
    """Static addresses and routes of a link."""

    kind: Literal["LinkConfig"] = "LinkConfig"
    name: str
    addresses: list[Address]
    routes: list[LinkRoute] | None = None


class Layer2VIPConfig(Document):
    """A shared virtual IP announced on a link by one control plane at a time."""

    kind: Literal["Layer2VIPConfig"] = "Layer2VIPConfig"
    name: str
    link: str


class SecurityProfileConfig(Document):
    """Talos 1.14+ security profile: whether workloads run isolated (sandboxd)."""

    kind: Literal["SecurityProfileConfig"] = "SecurityProfileConfig"
    workload_isolation: bool
