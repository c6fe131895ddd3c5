"""Checks only the network can answer, for ``homeops-gen validate --online``: every chart
version exists in its repository, and the Talos Image Factory builds the model's Talos
release, its extensions, schematics and installer images. Nothing else in homeops-gen
touches the network.

Protocols, from their sources:

- OCI registries (OCI distribution spec): ``GET /v2/<name>/tags/list`` (paged by a ``Link``
  header), ``HEAD /v2/<name>/manifests/<tag>``; a ``401`` names a token endpoint in
  ``WWW-Authenticate: Bearer realm=...,service=...,scope=...`` that gives anonymous pull
  tokens. Helm pushes chart version ``1.2.3+meta`` as tag ``1.2.3_meta``.
- Helm repositories: ``<url>/index.yaml``, ``entries.<chart>[].version``.
- Talos Image Factory (siderolabs/image-factory ``internal/frontend/http``): ``GET /versions``,
  ``GET /version/<v>/extensions/official`` (``[{"name": "siderolabs/..."}]``),
  ``GET /schematics/<id>`` (404: not registered), and an OCI registry under ``/v2``.

A registry or repository on a loopback address (127.0.0.0/8, localhost, ::1) is spoken to
over plain HTTP, as Docker treats loopback registries as insecure by default; every other
over HTTPS.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from homeops_gen import cross_layer
from homeops_gen.deployment import Deployment
from homeops_gen.errors import ValidationFailed
from homeops_gen.model import App, Cluster
from homeops_gen.suggest import did_you_mean
from homeops_gen.validate import CheckRun

FACTORY = f"https://{cross_layer.IMAGE_FACTORY}"
"""The Image Factory the generated layers use."""

TIMEOUT_SECONDS = 15.0
"""How long one request may take."""

MAX_PAGES = 50
"""How many pages of a registry's tag list are read at most."""

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


class Unreachable(Exception):
    """A request that got no usable answer (refused, timed out, a server error)."""


def base_url(host: str) -> str:
    """``https://host``, or ``http://host`` for a loopback host (a local stand-in or mirror)."""
    name = urllib.parse.urlsplit(f"//{host}").hostname or host
    try:
        loopback = ipaddress.ip_address(name).is_loopback
    except ValueError:
        loopback = name == "localhost"
    return f"{'http' if loopback else 'https'}://{host}"


@dataclass
class Client:
    """HTTP GET/HEAD with the registries' anonymous token flow; tokens kept per scope."""

    tokens: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def get(
        self, url: str, *, head: bool = False, accept: str | None = None
    ) -> tuple[int, bytes, Any]:
        """The status, body and headers of ``url`` (a 4xx is an answer; the rest raises)."""
        status, body, headers = self._once(url, head, accept, self.tokens.get(_origin(url)))
        challenge = headers.get("WWW-Authenticate", "") if headers else ""
        if status == 401 and challenge.lower().startswith("bearer "):
            token = self._token(challenge)
            self.tokens[_origin(url)] = token
            status, body, headers = self._once(url, head, accept, token)
        return status, body, headers

    def _once(
        self, url: str, head: bool, accept: str | None, token: str | None
    ) -> tuple[int, bytes, Any]:
        request = urllib.request.Request(url, method="HEAD" if head else "GET")
        request.add_header("User-Agent", "homeops-gen")
        if accept:
            request.add_header("Accept", accept)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return response.status, b"" if head else response.read(), response.headers
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise Unreachable(f"{url}: HTTP {exc.code}") from exc
            return exc.code, exc.read() if not head else b"", exc.headers
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(f"{url}: {reason}") from exc

    def _token(self, challenge: str) -> str:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        realm = fields.pop("realm", "")
        if not realm:
            raise Unreachable(f"a registry asked for a token without a realm: {challenge}")
        query = urllib.parse.urlencode(
            {k: v for k, v in fields.items() if k in ("service", "scope")}
        )
        status, body, _ = self._once(f"{realm}?{query}" if query else realm, False, None, None)
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if status != 200 or not isinstance(token, str):
            raise Unreachable(f"{realm}: no anonymous token (HTTP {status})")
        return token


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 2)[0]}"


def oci_tags(client: Client, reference: str) -> list[str]:
    """Every tag of ``registry/name`` (an ``oci://`` reference without its scheme)."""
    host, _, name = reference.partition("/")
    url: str | None = f"{base_url(host)}/v2/{name}/tags/list"
    tags: list[str] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        status, body, headers = client.get(url)
        if status == 404:
            raise LookupError(f"{reference} does not exist in its registry (HTTP 404)")
        if status != 200:
            raise Unreachable(f"{url}: HTTP {status}")
        data = json.loads(body or b"{}")
        tags += [t for t in data.get("tags") or [] if isinstance(t, str)]
        url = _next_page(url, headers.get("Link", "") if headers else "")
    return tags


def _next_page(url: str, link: str) -> str | None:
    match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link)
    return urllib.parse.urljoin(url, match.group(1)) if match else None


def helm_versions(client: Client, repository: str, chart: str) -> list[str]:
    """Every version of ``chart`` in the Helm repository at ``repository`` (its index.yaml)."""
    parts = urllib.parse.urlsplit(repository)
    url = f"{base_url(parts.netloc)}{parts.path.rstrip('/')}/index.yaml"
    status, body, _ = client.get(url)
    if status != 200:
        raise LookupError(f"{url}: HTTP {status}, not a Helm repository index")
    try:
        index = yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise LookupError(f"{url} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    entries = (index or {}).get("entries") or {}
    if chart not in entries:
        known = sorted(entries)
        raise LookupError(f"{repository} has no chart {chart!r}{did_you_mean(chart, known)}")
    return [str(e.get("version")) for e in entries[chart] if isinstance(e, dict)]


def chart_problems(client: Client, i: int, app: App) -> Iterator[str]:
    """Whether ``app``'s chart version is published where its chart is."""
    chart = app.chart
    assert chart is not None
    where = f"apps[{i}].chart.version"
    try:
        if chart.is_oci:
            versions = [
                t.replace("_", "+") for t in oci_tags(client, chart.url.removeprefix("oci://"))
            ]
        else:
            versions = helm_versions(client, chart.url, chart.chart_name)
    except LookupError as exc:
        yield f"apps[{i}].chart: {exc}"
        return
    if chart.version not in versions:
        newest = sorted(versions, key=_version_key)[-3:]
        yield (
            f"{where}: {chart.version} is not a published version of {chart.url}"
            f"{did_you_mean(chart.version, versions) or '.'} Newest: {', '.join(newest) or 'none'}"
        )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def talos_problems(
    client: Client, cluster: Cluster, factory: str, schematics: dict[str, bool]
) -> Iterator[str]:
    """The Image Factory builds the model's Talos release, extensions, schematics, installers;
    ``schematics`` gets each schematic id and whether the factory has it registered."""
    talos = cluster.versions.talos
    status, body, _ = client.get(f"{factory}/versions")
    versions = json.loads(body) if status == 200 else None
    if not isinstance(versions, list):
        raise Unreachable(f"{factory}/versions: HTTP {status}, no list of Talos versions")
    if talos not in versions:
        yield (
            f"versions.talos: the Image Factory builds no Talos {talos}"
            f"{did_you_mean(talos, versions) or '.'} (it builds {', '.join(versions[-3:])}, ...)"
        )
        return
    status, body, _ = client.get(f"{factory}/version/{talos}/extensions/official")
    listed = json.loads(body) if status == 200 else None
    if not isinstance(listed, list):
        raise Unreachable(f"{factory}/version/{talos}/extensions/official: HTTP {status}")
    official = {str(e.get("name")) for e in listed if isinstance(e, dict)}
    seen: set[str] = set()
    for i, node in enumerate(cluster.nodes):
        extensions = cluster.talos.node_extensions(node)
        where = "talos.extensions" if node.extensions is None else f"nodes[{i}].extensions"
        for j, name in enumerate(extensions):
            if name not in official and f"{where}[{j}]" not in seen:
                seen.add(f"{where}[{j}]")
                yield (
                    f"{where}[{j}]: {name!r} is not an official extension the Image Factory "
                    f"builds for Talos {talos}{did_you_mean(name, official) or '.'}"
                )
        schematic = cross_layer.schematic_id(extensions)
        if schematic not in schematics:
            schematics[schematic] = False
            yield from _installer(client, factory, cluster, i, schematics)


def _installer(
    client: Client, factory: str, cluster: Cluster, i: int, schematics: dict[str, bool]
) -> Iterator[str]:
    """Node ``i``'s installer image exists, once its schematic is registered (until then the
    factory accepts it when its extensions are official, which the caller checks)."""
    node = cluster.nodes[i]
    schematic = cross_layer.schematic_id(cluster.talos.node_extensions(node))
    status, _, _ = client.get(f"{factory}/schematics/{schematic}")
    if status == 404:
        return  # not registered yet: the infrastructure layer registers it before the download
    if status != 200:
        raise Unreachable(f"{factory}/schematics/{schematic}: HTTP {status}")
    schematics[schematic] = True
    image = cross_layer.installer_image(cluster, node)
    name, _, tag = image.removeprefix(f"{cross_layer.IMAGE_FACTORY}/").rpartition(":")
    status, _, _ = client.get(
        f"{factory}/v2/{name}/manifests/{tag}", head=True, accept=MANIFEST_TYPES
    )
    if status != 200:
        yield (
            f"nodes[{i}]: the installer image {image} of {node.name!r} does not exist "
            f"(HTTP {status}); check versions.talos and the node's extensions"
        )


def check(cluster: Cluster, factory: str | None = None) -> list[CheckRun]:
    """Ask the registries, repositories and the Image Factory; raise :class:`ValidationFailed`
    listing what does not exist (or could not be asked), else say what was asked."""
    client = Client()
    problems: list[str] = []
    charts = 0
    for i, app in enumerate(Deployment(cluster).apps):
        if app.chart is None:
            continue
        charts += 1
        try:
            problems += chart_problems(client, i, app)
        except Unreachable as exc:
            problems.append(f"apps[{i}].chart: could not check {app.chart.url}: {exc}")
    schematics: dict[str, bool] = {}
    try:
        problems += talos_problems(client, cluster, factory or FACTORY, schematics)
    except Unreachable as exc:
        problems.append(f"versions.talos: could not ask the Image Factory: {exc}")
    if problems:
        raise ValidationFailed(problems)
    return [
        CheckRun("online_charts", True, f"{charts} chart versions found in their registries"),
        CheckRun(
            "online_talos",
            True,
            f"the Image Factory ({factory or FACTORY}) builds Talos {cluster.versions.talos} "
            f"and every extension; {sum(schematics.values())} schematic(s) registered, their "
            f"installer images found; {len(schematics) - sum(schematics.values())} not "
            "registered yet (the infrastructure layer registers them; their extensions are "
            f"official, so the factory accepts them); {client.requests} requests",
        ),
    ]
