"""Build the Go consumers, pinned by version, into the project's ignored ``.tools/`` folder.

Each tool is built through a small wrapper module of our own: its ``go.mod`` requires the
tool at the pinned version and copies the tool's own ``replace``, ``exclude`` and ``godebug``
lines (which ``go install pkg@version`` refuses), then ``go build`` builds the tool's main
package. A binary already in ``.tools/`` is reused, so a second run builds nothing. Go's
build and module caches stay at their defaults, so later runs on the same machine are warm.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def tools_home() -> Path:
    """Where built tools are kept, by name and version: outside the clone, so a fresh clone on
    the same machine (CI's) finds them (``$HOMEOPS_GEN_TOOLS``, else
    ``~/.cache/homeops-gen/tools``)."""
    env = os.environ.get("HOMEOPS_GEN_TOOLS")
    return Path(env) if env else Path.home() / ".cache" / "homeops-gen" / "tools"


@dataclass(frozen=True)
class Substitute:
    """A dependency the module proxy refuses (403) at the version a tool pins, and the
    nearest version it serves, which the wrapper module builds instead."""

    module: str
    refused: str
    served: str


@dataclass(frozen=True)
class GoTool:
    """A Go program to build: ``package`` of ``module@version``, written to ``binary``."""

    name: str
    module: str
    version: str
    package: str
    binary: str
    proves: str
    source: Path | None = None
    """A folder of the project holding the main package (instead of the module's own)."""
    ldflags: str = ""
    per_version: bool = False
    """Built once per version the models name (its key is ``name-version``)."""
    substitutes: tuple[Substitute, ...] = ()
    """Dependencies the module proxy refuses at the version the tool pins, each built at the
    nearest version it serves instead (a ``replace`` line of the wrapper module)."""
    folder_version: str = ""
    """The published version of the modules the tool's go.mod replaces by folders of its own
    repository (k8s.io/kubernetes' staging modules are published as ``k8s.io/*`` v0.x.y);
    empty: the tool's own version (etcd's, talos' and Flux's api modules)."""

    @property
    def key(self) -> str:
        """The tool's name among the built tools."""
        return f"{self.name}-{self.version}" if self.per_version else self.name

    @property
    def folder(self) -> str:
        """The tool's folder under ``.tools/``: name and version (and source hash)."""
        label = f"{self.name}-{self.version}"
        if self.source is not None or self.ldflags:
            # a binary of other sources or other link flags is another binary
            digest = hashlib.sha256(self.ldflags.encode())
            for path in sorted(self.source.rglob("*.go")) if self.source else []:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
            label += "-" + digest.hexdigest()[:8]
        return label


@dataclass(frozen=True)
class Built:
    """A tool ready to run."""

    tool: GoTool
    path: Path
    seconds: float
    cached: bool


@dataclass(frozen=True)
class Unbuildable:
    """A tool that could not be built, and why (the checks needing it are skipped)."""

    tool: GoTool
    reason: str


BPG_VERSION = "0.112.0"
"""A bpg/proxmox release in the generated module's ``~> 0.112.0`` the module proxy serves
(v0.112.1 and the 0.89 releases are refused)."""
TALOS_PROVIDER_VERSION = "0.11.0"
"""A siderolabs/talos provider release in the generated module's ``~> 0.11.0``."""
TOOLS = {
    t.name: t
    for t in (
        GoTool(
            "talhelper",
            "github.com/budimanjojo/talhelper/v3",
            "v3.1.16",
            "github.com/budimanjojo/talhelper/v3",
            "talhelper",
            "genconfig --offline-mode turns out/talos/talconfig.yaml into node configs "
            "(and validates them, metal mode, strict, with its own Talos machinery)",
        ),
        GoTool(
            "tofu",
            "github.com/opentofu/opentofu",
            "v1.12.6",
            "github.com/opentofu/opentofu/cmd/tofu",
            "tofu",
            "init -backend=false + validate of the proxmox module with each host's inputs; "
            "fmt -check of every .tf",
        ),
        GoTool(
            "terraform-provider-proxmox",
            "github.com/bpg/terraform-provider-proxmox",
            "v" + BPG_VERSION,
            "github.com/bpg/terraform-provider-proxmox",
            # the unpacked layout of an OpenTofu filesystem mirror
            f"registry.opentofu.org/bpg/proxmox/{BPG_VERSION}/linux_amd64/"
            f"terraform-provider-proxmox_v{BPG_VERSION}",
            "the bpg/proxmox provider tofu validate checks every resource and attribute against",
        ),
        GoTool(
            "terraform-provider-talos",
            "github.com/siderolabs/terraform-provider-talos",
            "v" + TALOS_PROVIDER_VERSION,
            "github.com/siderolabs/terraform-provider-talos",
            f"registry.opentofu.org/siderolabs/talos/{TALOS_PROVIDER_VERSION}/linux_amd64/"
            f"terraform-provider-talos_v{TALOS_PROVIDER_VERSION}",
            "the siderolabs/talos provider (the Image Factory schematic) for tofu validate",
        ),
        GoTool(
            "terragrunt",
            "github.com/gruntwork-io/terragrunt",
            "v1.1.3",
            "github.com/gruntwork-io/terragrunt",
            "terragrunt",
            "render --json of each host (include, locals, get_env resolved) gives tofu its "
            "inputs; hcl format --check of every .hcl",
        ),
        GoTool(
            "kubeconform",
            "github.com/yannh/kubeconform",
            "v0.8.0",
            "github.com/yannh/kubeconform/cmd/kubeconform",
            "kubeconform",
            "-strict on every Flux path (kubectl kustomize output) and every bootstrap chart's "
            "rendered objects, against Kubernetes and Flux schemas",
        ),
    )
}


TALOS_SERVED: dict[str, str] = {"v1.14": "v1.14.1"}
"""Talos minor -> the release of it whose modules the proxy serves, built for a model naming
another release of that minor. On 2026-12-06 the proxy served ``github.com/siderolabs/talos``
v1.14.0 and v1.14.1 and ``.../pkg/machinery`` v1.14.1 only (v1.14.0: 404 Not Found; v1.14.2
to v1.14.5: 403 Forbidden, both modules), so a 1.14.4 model is judged by the 1.14.1 tools."""

TALOS_SUBSTITUTES: dict[str, tuple[Substitute, ...]] = {
    "v1.14.1": (
        Substitute("github.com/cosi-project/runtime", "v1.16.3", "v1.16.2"),
        Substitute(
            "github.com/jsimonetti/rtnetlink/v2", "v2.2.1-0.20260802200809-43bafec815b3", "v2.3.0"
        ),
        Substitute("github.com/siderolabs/ethtool", "v0.6.0-sidero", "v0.4.0-sidero"),
    ),
}
"""Talos release -> the dependencies its go.mod pins that the proxy refuses (403), with the
nearest version it serves (cosi-project/runtime v1.16.2 is the newest served below v1.16.3;
rtnetlink v2.3.0 the first tag after the pinned v2.2.1 pseudo-version; siderolabs/ethtool
v0.4.0-sidero the newest served fork tag, v0.5.0-sidero and v0.6.0-sidero refused)."""


def talos_build_version(talos_version: str) -> str:
    """The Talos release built to judge a model of ``talos_version`` (see ``TALOS_SERVED``)."""
    major, minor = talos_version.lstrip("v").split(".")[:2]
    return TALOS_SERVED.get(f"v{major}.{minor}", talos_version)


def talos_validator(talos_version: str) -> GoTool:
    """The project's ``talosvalidate`` built on the Talos machinery of ``talos_version``."""
    version = talos_build_version(talos_version)
    return GoTool(
        "talosvalidate",
        "github.com/siderolabs/talos/pkg/machinery",
        version,
        "homeops-gen.consumers/talosvalidate",
        "talosvalidate",
        "each node config talhelper writes is valid for the model's own Talos release "
        "(configloader + Validate(metal, WithLocal, WithStrict), as talosctl validate --strict)",
        source=HERE / "talosvalidate",
        per_version=True,
        substitutes=TALOS_SUBSTITUTES.get(version, ()),
    )


def talosctl(talos_version: str) -> GoTool:
    """talosctl of the model's Talos release (for the talosctl backend)."""
    version = talos_build_version(talos_version)
    return GoTool(
        "talosctl",
        "github.com/siderolabs/talos",
        version,
        "github.com/siderolabs/talos/cmd/talosctl",
        "talosctl",
        "out/talos/gen.sh (talosctl gen config + machineconfig patch) makes every node config, "
        "and talosctl validate --mode metal --strict accepts each",
        ldflags=f"-X github.com/siderolabs/talos/pkg/machinery/version.Tag={version}",
        per_version=True,
        substitutes=TALOS_SUBSTITUTES.get(version, ()),
    )


def go_env() -> dict[str, str]:
    """The environment of every go command: no cgo, no toolchain download, no workspace, no
    download from anywhere but the module proxy."""
    env = dict(os.environ)
    flags = env.get("GOFLAGS", "").split()
    # the module proxy only: never fall back to fetching a repository itself ("direct")
    proxies = [
        p for p in env.get("GOPROXY", "https://proxy.golang.org").split(",") if p != "direct"
    ]
    env.update(
        GOPROXY=",".join(proxies) or "off",
        CGO_ENABLED="0",
        GOTOOLCHAIN="local",
        GOWORK="off",
        GOFLAGS=" ".join([f for f in flags if not f.startswith("-mod=")] + ["-mod=mod"]),
    )
    return env


def _go(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nice", "-n", "10", "go", *args],
        cwd=cwd,
        env=go_env(),
        capture_output=True,
        text=True,
    )


def _tail(text: str, lines: int = 8) -> str:
    """The last distinct lines of a go command's output (it repeats an error per import)."""
    distinct = list(dict.fromkeys(line.split(": ", 1)[-1] for line in text.strip().splitlines()))
    return "\n".join(distinct[-lines:])


def _module_line(ref: dict[str, str]) -> str:
    return ref["Path"] + (" " + ref["Version"] if ref.get("Version") else "")


def wrapper_gomod(tool: GoTool, upstream: Mapping[str, Any]) -> str:
    """The go.mod of the wrapper module: the tool required, its replace/exclude/godebug copied.

    A module the tool replaces by one of its own folders is required at the tool's version;
    raises ValueError when the folder is not such a module, which the proxy does not serve.
    """
    lines = [f"module homeops-gen.consumers/{tool.name}", "", f"go {upstream['Go']}", ""]
    for debug in upstream.get("Godebug") or []:
        lines.append(f"godebug {debug['Key']}={debug['Value']}")
    lines.append(f"require {tool.module} {tool.version}")
    for rep in upstream.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        if not new.get("Version"):
            # a module of the tool's own repository, in its folder: the proxy serves it as a
            # module of its own, tagged with the tool's version (talos' pkg/machinery)
            folder = new["Path"].removeprefix("./")
            if not tool.folder_version and old["Path"] != f"{tool.module}/{folder}":
                raise ValueError(
                    f"its go.mod replaces {old['Path']} by the folder {new['Path']} "
                    "of its own repository, which the module proxy does not serve"
                )
            new = {"Path": old["Path"], "Version": tool.folder_version or tool.version}
        lines.append(f"replace {_module_line(old)} => {_module_line(new)}")
    lines = _substituted(lines, tool.substitutes)
    for exc in upstream.get("Exclude") or []:
        lines.append(f"exclude {_module_line(exc)}")
    return "\n".join(lines) + "\n"


def _substituted(lines: list[str], substitutes: tuple[Substitute, ...]) -> list[str]:
    """``lines`` with each refused dependency at its served version: a ``replace`` whose target
    is refused is retargeted, any other refused module gets a ``replace`` of its own."""
    for sub in substitutes:
        refused = f"{sub.module} {sub.refused}"
        served = f"{sub.module} {sub.served}"
        targets = [i for i, line in enumerate(lines) if line.endswith(f"=> {refused}")]
        for i in targets:
            lines[i] = lines[i].removesuffix(refused) + served
        if not targets:
            lines.append(f"replace {sub.module} => {served}")
    return lines


def build(tool: GoTool, tools_dir: Path) -> Built | Unbuildable:
    """Build ``tool`` into ``tools_dir`` (or reuse the binary already there). One build of a
    tool at a time: a second process (CI's background build, ``make consumers``) waits for it."""
    tools_dir = tools_dir.resolve()
    target = tools_dir / tool.folder / tool.binary
    if target.is_file():
        return Built(tool, target, 0.0, cached=True)
    if shutil.which("go") is None:
        return Unbuildable(tool, "no go command on PATH")
    (tools_dir / "build").mkdir(parents=True, exist_ok=True)
    with (tools_dir / "build" / f"{tool.folder}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():
            return Built(tool, target, 0.0, cached=True)
        return _build(tool, tools_dir, target)


def _build(tool: GoTool, tools_dir: Path, target: Path) -> Built | Unbuildable:
    start = time.monotonic()
    work = tools_dir / "build" / tool.folder
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    got = _go("mod", "download", "-json", f"{tool.module}@{tool.version}", cwd=work)
    info = json.loads(got.stdout) if got.stdout.strip().startswith("{") else {}
    if got.returncode != 0 or "Error" in info or "GoMod" not in info:
        reason = info.get("Error") or _tail(got.stderr) or "go mod download failed"
        return Unbuildable(
            tool, f"the module proxy did not serve {tool.module}@{tool.version}: {reason}"
        )
    upstream = json.loads(_go("mod", "edit", "-json", info["GoMod"], cwd=work).stdout)
    try:
        (work / "go.mod").write_text(wrapper_gomod(tool, upstream))
    except ValueError as exc:
        return Unbuildable(tool, str(exc))
    if tool.source is not None:
        for path in tool.source.glob("*.go"):
            shutil.copy(path, work / path.name)
    partial = target.with_name(target.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    ldflags = f"-ldflags=-s -w {tool.ldflags}".strip()
    built = _go("build", "-trimpath", ldflags, "-o", str(partial), tool.package, cwd=work)
    if built.returncode != 0:
        return Unbuildable(tool, f"go build {tool.package} failed:\n{_tail(built.stderr)}")
    partial.rename(target)  # only a complete binary counts as built
    return Built(tool, target, time.monotonic() - start, cached=False)


class ModuleNotServed(Exception):
    """The module proxy did not serve a module the checks read files from."""


def module_dir(module: str, version: str) -> Path:
    """The folder of ``module@version`` in Go's module cache (downloaded when missing)."""
    if shutil.which("go") is None:
        raise ModuleNotServed(f"{module}@{version}: no go command on PATH")
    proc = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        env=go_env(),
        timeout=900,
    )
    info = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    if proc.returncode != 0 or "Dir" not in info:
        raise ModuleNotServed(
            f"the module proxy did not serve {module}@{version}: "
            f"{info.get('Error') or proc.stderr.strip()}"
        )
    return Path(info["Dir"])
