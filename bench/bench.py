"""Benchmark: wall time and peak memory of `homeops-gen generate` and `generate --check`.

Builds synthetic models with its own small generator (not the test fixtures),
runs every command in a fresh process several times, and prints a table of the
median and worst wall time and the peak RSS, plus the 1000-app/100-app ratio.

    make bench            # or: python bench/bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "homeops_gen"]


@dataclass(frozen=True)
class Size:
    """A synthetic cluster: how many hosts, nodes and (extra) apps."""

    name: str
    hosts: int
    nodes: int
    apps: int


SIZES = [
    Size("10 hosts / 60 nodes / 100 apps", 10, 60, 100),
    Size("10 hosts / 100 nodes / 1000 apps", 10, 100, 1000),
]


def synthetic_model(size: Size) -> str:
    """The text of a cluster.py for ``size`` (control planes: 3, the rest workers)."""
    return f"""
from homeops_gen import App, Chart, Cluster, GitOps, Network, Node, ProxmoxHost, RemoteState, Sops, Talos, Versions
from homeops_gen.apps import cilium, coredns, flux_instance, flux_operator

HOSTS = {size.hosts}
NODES = {size.nodes}
APPS = {size.apps}

cluster = Cluster(
    name="bench",
    versions=Versions(talos="v1.11.5", kubernetes="v1.33.4"),
    network=Network(node_cidr="10.10.0.0/16", gateway="10.10.0.1", load_balancer_cidr="10.10.255.0/24"),
    endpoint="10.10.0.5",
    hosts=[
        ProxmoxHost(name=f"pve-{{h}}", endpoint=f"https://pve-{{h}}.lan:8006/", vm_datastore="local-lvm")
        for h in range(HOSTS)
    ],
    nodes=[
        Node(
            name=f"node-{{n}}",
            role="controlplane" if n < 3 else "worker",
            host=f"pve-{{n % HOSTS}}",
            vm_id=1000 + n,
            ip=f"10.10.{{1 + n // 200}}.{{10 + n % 200}}",
            cores=4,
            memory_mib=8192,
            disk_gib=64,
            labels={{"topology.kubernetes.io/zone": f"zone-{{n % 3}}"}},
        )
        for n in range(NODES)
    ],
    talos=Talos(extensions=["siderolabs/qemu-guest-agent", "siderolabs/iscsi-tools"]),
    state=RemoteState(bucket="bench-state"),
    gitops=GitOps(repository="https://github.com/example/bench"),
    sops=Sops(age_recipients=["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]),
    apps=[
        cilium("1.18.4"),
        coredns("1.45.0"),
        flux_operator("0.36.0"),
        flux_instance("0.36.0"),
        *(
            App(
                name=f"app-{{a}}",
                namespace=f"team-{{a % 25}}",
                chart=Chart(url=f"oci://registry.example.com/charts/app-{{a}}", version="1.2.3"),
                values={{
                    "replicaCount": 1 + a % 3,
                    "image": {{"repository": f"registry.example.com/app-{{a}}", "tag": "v1.0.0"}},
                    "ingress": {{"enabled": True, "hosts": [f"app-{{a}}.example.com"]}},
                }},
                depends_on=[f"app-{{a - 1}}"] if a % 10 else [],
                resources=[
                    {{
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {{"name": f"app-{{a}}-settings"}},
                        "data": {{"LOG_LEVEL": "info"}},
                    }}
                ],
            )
            for a in range(APPS)
        ),
    ],
)
"""


@dataclass
class Sample:
    seconds: float
    peak_rss_mib: float


def measure(args: list[str], cwd: Path, expect: int = 0) -> Sample:
    """Run one fresh process; its wall time and peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != expect:
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{stderr}")
    return Sample(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def files_and_mtimes(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def bench(name: str, model: str, runs: int, workdir: Path) -> dict[str, list[Sample]]:
    """Median/worst inputs for ``generate`` (fresh folder each run) and ``--check``."""
    results: dict[str, list[Sample]] = {"generate": [], "generate --check": []}
    projects = workdir / name.split()[0]
    for i in range(runs):
        project = projects / str(i)
        project.mkdir(parents=True)
        (project / "cluster.py").write_text(model)
        results["generate"].append(measure(COMMAND, project))
        results["generate --check"].append(measure([*COMMAND, "generate", "--check"], project))
        if i == 0:
            before = files_and_mtimes(project)
            measure(COMMAND, project)
            if files_and_mtimes(project) != before:
                raise SystemExit(f"{name}: a no-op generate wrote files")
    # Deleted only now, and flushed: deleting thousands of files between runs would
    # leave the next run waiting on the disk for work that is not its own.
    shutil.rmtree(projects)
    os.sync()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per model and command")
    args = parser.parse_args()
    models = [("nova", (ROOT / "cluster.py").read_text())]
    models += [(s.name, synthetic_model(s)) for s in SIZES]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"runs per cell: {args.runs}; fresh process each; generate writes into an empty folder\n")
    header = f"{'model':<34} {'command':<17} {'median s':>9} {'worst s':>8} {'peak RSS MiB':>13}"
    print(header)
    print("-" * len(header))
    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="homeops-bench-") as tmp:
        for name, model in models:
            for command, samples in bench(name, model, args.runs, Path(tmp)).items():
                times = [s.seconds for s in samples]
                median = statistics.median(times)
                medians[f"{name}|{command}"] = median
                peak = max(s.peak_rss_mib for s in samples)
                print(f"{name:<34} {command:<17} {median:>9.3f} {max(times):>8.3f} {peak:>13.1f}")
    print()
    for command in ("generate", "generate --check"):
        small = medians[f"{SIZES[0].name}|{command}"]
        large = medians[f"{SIZES[1].name}|{command}"]
        print(f"{command}: 1000-app / 100-app median time = {large / small:.2f}x")
    print("no-op generate wrote no file: yes (checked on the first run of every model)")
    print(
        "validation mode: the in-process checks generate always runs (YAML/HCL parsing, "
        "terragrunt inputs, cross-references); `homeops-gen validate` adds kubectl and kubernetes-validate"
    )


if __name__ == "__main__":
    main()
