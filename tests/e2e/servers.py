"""The run's local stand-ins for the network: a Git server, a file server, an OCI registry."""

from __future__ import annotations

import os
import ssl
import subprocess
import threading
import urllib.request
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.pki import Pki
from tests.e2e.procs import Supervisor, free_port, wait_until


class _GitHandler(BaseHTTPRequestHandler):
    """Git's smart HTTP protocol, answered by ``git http-backend`` (CGI) for one folder."""

    root: Path

    def _cgi(self) -> None:
        path, _, query = self.path.partition("?")
        body = b""
        if self.command == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "REMOTE_ADDR": "127.0.0.1",
        }
        out = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60
        ).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _cgi
    do_POST = _cgi

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass


@dataclass
class Servers:
    """The in-process HTTP servers (threads), shut down by :meth:`close`."""

    git_url: str
    files_url: str
    files_root: Path
    _servers: list[ThreadingHTTPServer]

    def close(self) -> None:
        """Stop every server."""
        for server in self._servers:
            server.shutdown()
            server.server_close()


def start_http(git_root: Path, files_root: Path, pki: Pki) -> Servers:
    """A Git server (plain HTTP, like a LAN forge) and an HTTPS file server (Helm repos,
    release downloads) signed by the run's CA."""
    handler = type("GitHandler", (_GitHandler,), {"root": git_root})
    git = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    files_root.mkdir(parents=True, exist_ok=True)
    files = ThreadingHTTPServer(
        ("127.0.0.1", free_port()), partial(_QuietFiles, directory=str(files_root))
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert, pki.key)
    files.socket = context.wrap_socket(files.socket, server_side=True)
    for server in (git, files):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return Servers(
        f"http://127.0.0.1:{git.server_address[1]}",
        f"https://127.0.0.1:{files.server_address[1]}",
        files_root,
        [git, files],
    )


def start_registry(sup: Supervisor, binary: Path, work: Path) -> str:
    """The OCI registry (distribution), plain HTTP on 127.0.0.1 (Helm speaks plain HTTP to a
    loopback registry); its host:port."""
    port = free_port()
    config = {
        "version": 0.1,
        "log": {"level": "warn"},
        "storage": {"filesystem": {"rootdirectory": str(work / "registry")}},
        "http": {"addr": f"127.0.0.1:{port}"},
    }
    (work / "registry.yaml").write_text(yaml.safe_dump(config))
    env = {"OTEL_TRACES_EXPORTER": "none"}
    sup.start("registry", [binary, "serve", work / "registry.yaml"], env=env)
    host = f"127.0.0.1:{port}"

    def up() -> bool:
        sup.check_alive()
        with urllib.request.urlopen(f"http://{host}/v2/", timeout=2) as r:
            return bool(r.status == 200)

    wait_until(up, 30, "OCI registry /v2/")
    return host
