"""Benchmark: start-up and throughput of `homeops-gen` against the import floor.

The floor is what Python takes to import the libraries homeops-gen is built on
(`python -c 'import pydantic, jinja2, yaml'` in the same virtualenv). Every command
runs in a fresh process, many times, interleaved with the floor so both see the
same machine load; the table gives medians, the spread (min-max) and peak RSS,
and says whether each target holds. Models come from the reference fixture (nova)
and this file's own synthetic generator.

    make bench            # or: python bench/bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import marshal
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOVA = ROOT / "tests" / "fixtures" / "nova" / "cluster.py"
PYTHON = sys.executable
# The installed command, as users run it (python -m homeops_gen where it is not installed).
SCRIPT = Path(PYTHON).with_name("homeops-gen")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [PYTHON, "-m", "homeops_gen"]
FLOOR = [PYTHON, "-c", "import pydantic, jinja2, yaml"]
# Measured under load (load average 16, `bench.py --runs 5 --large-runs 3`): 2.77x and 2.43x for
# generate at 1000 and 3000 apps, 2.05x for --check; the limits leave about half again.
GENERATE_PER_WRITER = 4.0
CHECK_PER_WRITER = 3.0
# The peer of the large figures: a plain Python program writing the same bytes into an empty
# folder (read from one marshal file), so their targets are ratios, not seconds.
PLAIN_WRITER = """
import marshal, os, sys
with open(sys.argv[1], "rb") as blob:
    files = marshal.load(blob)
made = set()
for rel, data in files.items():
    path = os.path.join(sys.argv[2], rel)
    folder = os.path.dirname(path)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    with open(path, "wb") as out:
        out.write(data)
"""


@dataclass(frozen=True)
class Size:
    """A synthetic cluster: how many hosts, nodes and (extra) apps."""

    name: str
    hosts: int
    nodes: int
    apps: int
    namespaces: int = 25


SMALL = Size("~100 files (2 hosts, 4 nodes, 12 apps)", 2, 4, 12, namespaces=4)
APPS_100 = Size("100 apps", 10, 60, 100)
APPS_1000 = Size("1000 apps", 10, 100, 1000)
APPS_3000 = Size("3000 apps", 10, 100, 3000)
IMPORT_REPOSITORY = Size("import", 3, 6, 90, namespaces=10)
"""The repository ``import`` reads: the project this model generates (~500 files)."""
IMPORT_SOURCES = ROOT / "tests" / "fixtures" / "import-sources"


def largest_import_fixture() -> Path:
    """The import fixture with the most files."""
    return max(
        (p for p in IMPORT_SOURCES.iterdir() if p.is_dir()),
        key=lambda p: (sum(1 for f in p.rglob("*") if f.is_file()), p.name),
    )


def bench_imports(
    args: argparse.Namespace, work: Path, floor: Cell, cells: dict[str, Cell], files: dict[str, int]
) -> None:
    """``import`` of the largest import fixture and of a ~500-file repository."""
    fixture = largest_import_fixture()
    name = f"import {fixture.name} (largest import fixture)"
    cells[name], files[name] = bench_import(fixture, args.runs, work, floor)
    repository = new_project(work, synthetic_model(IMPORT_REPOSITORY))
    measure(COMMAND, repository, Cell())
    (repository / "cluster.py").unlink()  # a repository with no model: what import is for
    cells["import ~500 files"], files["import ~500 files"] = bench_import(
        repository, args.large_runs, work, floor
    )


def import_targets(cells: dict[str, Cell], floor: Cell) -> list[Target]:
    """Import (issue 25): a 400-file repository in under 3 s of CPU on these machines, whose
    floor takes 0.10 s of CPU: 30x the floor's CPU; the largest import fixture within 8x."""
    fixture = next(n for n in cells if n.startswith("import") and "largest" in n)
    return [
        Target(f"{fixture} CPU / floor CPU", cells[fixture].cpu_median / floor.cpu_median, 8, "x"),
        Target(
            "import ~500 files CPU / floor CPU",
            cells["import ~500 files"].cpu_median / floor.cpu_median,
            30,
            "x",
        ),
    ]


def bench_import(source: Path, runs: int, workdir: Path, floor: Cell) -> tuple[Cell, int]:
    """``import SOURCE`` into a new folder ``runs`` times, each next to one of the floor; the
    number of files of the source."""
    cell = Cell()
    for _ in range(runs):
        target = Path(tempfile.mkdtemp(dir=workdir)) / "project"
        measure(FLOOR, workdir, floor)
        measure([*COMMAND, "import", str(source), "-C", str(target)], workdir, cell)
        shutil.rmtree(target.parent)
    return cell, sum(1 for f in source.rglob("*") if f.is_file())


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
                namespace=f"team-{{a % {size.namespaces}}}",
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
class Cell:
    """The samples of one figure: wall seconds and peak RSS (MiB) of each fresh process."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def spread(self) -> str:
        return f"{min(self.seconds):.3f}-{max(self.seconds):.3f}"


def measure(args: list[str], cwd: Path, cell: Cell, expect: int = 0) -> None:
    """Run one fresh process and add its wall time and peak resident memory to ``cell``."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != expect:
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{stderr}")
    cell.seconds.append(seconds)
    cell.cpu.append(usage.ru_utime + usage.ru_stime)
    cell.rss_mib.append(usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def compile_bytecode() -> list[str]:
    """Compile the package's bytecode, as installing it does; the folders compiled.

    pip compiles an installed package's modules. A source tree may have no bytecode (a fresh
    clone, or PYTHONDONTWRITEBYTECODE set), and then every measured run would compile every
    module again, which no installed homeops-gen does."""
    folders = []
    for package in ("homeops_gen", "homeops_gen.generators", "homeops_gen.templates"):
        for folder in importlib.import_module(package).__path__:
            if not compileall.compile_dir(folder, quiet=1):
                raise SystemExit(f"could not compile the modules of {folder}")
            folders.append(folder)
    return folders


def files_and_mtimes(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def save_files(project: Path, blob: Path) -> None:
    """Every file ``generate`` wrote in ``project``, as one marshal file for the plain writer."""
    files = {
        str(p.relative_to(project)): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and p.name != "cluster.py"
    }
    blob.write_bytes(marshal.dumps(files))


def new_project(workdir: Path, model: str) -> Path:
    project = Path(tempfile.mkdtemp(dir=workdir))
    (project / "cluster.py").write_text(model)
    return project


@dataclass
class Figures:
    """One model's cells: ``generate``, ``--check`` and the plain writer of the same bytes."""

    generate: Cell = field(default_factory=Cell)
    check: Cell = field(default_factory=Cell)
    writer: Cell = field(default_factory=Cell)
    files: int = 0


def bench_model(model: str, runs: int, workdir: Path, floor: Cell, check: bool) -> Figures:
    """``generate`` into an empty folder ``runs`` times (and ``--check`` on the result), each
    run next to one of the floor and one of the plain writer of the same files."""
    figures = Figures()
    projects = []
    blob = workdir / "files.marshal"
    for i in range(runs):
        project = new_project(workdir, model)
        projects.append(project)
        measure(FLOOR, project, floor)
        measure(COMMAND, project, figures.generate)
        if check:
            measure([*COMMAND, "generate", "--check"], project, figures.check)
        if i == 0:
            before = files_and_mtimes(project)
            figures.files = len(before) - 1  # cluster.py
            measure(COMMAND, project, Cell())
            if files_and_mtimes(project) != before:
                raise SystemExit("a no-op generate wrote files")
            save_files(project, blob)
        plain = Path(tempfile.mkdtemp(dir=workdir))
        projects.append(plain)
        measure([PYTHON, "-c", PLAIN_WRITER, str(blob), str(plain)], plain, figures.writer)
    # Deleted only now, and flushed: deleting thousands of files between runs would
    # leave the next run waiting on the disk for work that is not its own.
    for project in projects:
        shutil.rmtree(project)
    os.sync()
    return figures


def bench_startup(work: Path, runs: int, floor: Cell) -> dict[str, Cell]:
    """The start-up figures, and generate --check against validate on nova and the starter
    (the project ``homeops-gen init`` writes), each run next to one of the floor."""
    nova = new_project(work, NOVA.read_text())
    measure(COMMAND, nova, Cell())
    starter = Path(tempfile.mkdtemp(dir=work)) / "starter"
    measure([*COMMAND, "init", str(starter)], work, Cell())
    measure(COMMAND, starter, Cell())
    startup = {
        "--version": ([*COMMAND, "--version"], nova),
        "--help": ([*COMMAND, "--help"], nova),
        "nova: generate --check": ([*COMMAND, "generate", "--check"], nova),
        "nova: validate": ([*COMMAND, "validate"], nova),
        "starter: generate --check": ([*COMMAND, "generate", "--check"], starter),
        "starter: validate": ([*COMMAND, "validate"], starter),
    }
    cells = {name: Cell() for name in startup}
    for _ in range(runs):
        for name, (command, project) in startup.items():
            measure(FLOOR, project, floor)
            measure(command, project, cells[name])
    return cells


@dataclass
class Target:
    name: str
    value: float
    limit: float
    unit: str

    @property
    def holds(self) -> bool:
        return self.value <= self.limit


def evaluate(cells: dict[str, Cell], floor: Cell) -> tuple[list[Target], float, float]:
    """Every target from this run's cells, and the CPU seconds per app (100->1000, 1000->3000)."""

    def ratio(name: str) -> float:
        return cells[name].cpu_median / floor.cpu_median

    def cpu(name: str) -> float:
        return cells[name].cpu_median

    def cpu_ratio(name: str, peer: str) -> float:
        return cpu(name) / cpu(peer)

    writer_1000 = "1000 apps: plain writer of the same files"
    writer_3000 = "3000 apps: plain writer of the same files"

    per_app_small = (cpu("1000 apps: generate") - cpu("100 apps: generate")) / 900
    per_app_large = (cpu("3000 apps: generate") - cpu("1000 apps: generate")) / 2000
    targets = [
        Target("nova generate --check / floor", ratio("nova: generate --check"), 2.0, "x"),
        # validate's CPU (its kubectl included) against generate --check's, same project
        Target(
            "nova validate / generate --check",
            cpu_ratio("nova: validate", "nova: generate --check"),
            2.5,
            "x",
        ),
        Target(
            "starter validate / generate --check",
            cpu_ratio("starter: validate", "starter: generate --check"),
            2.5,
            "x",
        ),
        Target("--version / floor", ratio("--version"), 1.3, "x"),
        Target("--help / floor", ratio("--help"), 1.3, "x"),
        Target(f"{SMALL.name} generate / floor", ratio(f"{SMALL.name}: generate"), 2.5, "x"),
        Target(
            "1000 apps generate / plain writer (CPU)",
            cpu_ratio("1000 apps: generate", writer_1000),
            GENERATE_PER_WRITER,
            "x",
        ),
        Target(
            "1000 apps generate --check / plain writer (CPU)",
            cpu_ratio("1000 apps: generate --check", writer_1000),
            CHECK_PER_WRITER,
            "x",
        ),
        Target(
            "3000 apps generate / plain writer (CPU)",
            cpu_ratio("3000 apps: generate", writer_3000),
            GENERATE_PER_WRITER,
            "x",
        ),
        Target(
            "1000 apps peak RSS / nova --check's",
            max(
                max(cells["1000 apps: generate"].rss_mib),
                max(cells["1000 apps: generate --check"].rss_mib),
            )
            / max(cells["nova: generate --check"].rss_mib),
            2.5,
            "x",
        ),
        # Linear: an app costs no more between 1000 and 3000 apps than between 100 and 1000
        # (with a quarter of slack for the noise of the disk).
        Target(
            "linear: CPU ms per app 1000->3000 / 100->1000",
            per_app_large / per_app_small,
            1.25,
            "x",
        ),
    ]
    return targets, per_app_small, per_app_large


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=21, help="runs of each start-up figure (default 21)"
    )
    parser.add_argument(
        "--large-runs", type=int, default=5, help="runs of each 1000/3000-app figure (default 5)"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"command: {' '.join(COMMAND)}")
    print(f"bytecode compiled first, as pip does at install: {', '.join(compile_bytecode())}")
    print("every figure: wall time of a fresh process; generate writes into an empty folder")
    print("floor: python -c 'import pydantic, jinja2, yaml' (run beside every measured command)\n")

    floor = Cell()
    cells: dict[str, Cell] = {}
    files: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="homeops-bench-") as tmp:
        work = Path(tmp)
        cells.update(bench_startup(work, args.runs, floor))
        small = bench_model(synthetic_model(SMALL), args.runs, work, floor, check=False)
        cells[f"{SMALL.name}: generate"], files[SMALL.name] = small.generate, small.files
        for size in (APPS_100, APPS_1000, APPS_3000):
            figures = bench_model(
                synthetic_model(size), args.large_runs, work, floor, check=size != APPS_3000
            )
            files[size.name] = figures.files
            cells[f"{size.name}: generate"] = figures.generate
            if figures.check.seconds:
                cells[f"{size.name}: generate --check"] = figures.check
            cells[f"{size.name}: plain writer of the same files"] = figures.writer
        bench_imports(args, work, floor, cells, files)

    header = (
        f"{'figure':<50} {'median s':>8} {'min-max s':>12} {'x floor':>7} "
        f"{'CPU s':>6} {'CPU x floor':>11} {'peak RSS MiB':>12}"
    )
    print(header)
    print("-" * len(header))
    base = floor.median
    for name, cell in {"floor (import pydantic, jinja2, yaml)": floor, **cells}.items():
        print(
            f"{name:<50} {cell.median:>8.3f} {cell.spread():>12} {cell.median / base:>7.2f} "
            f"{cell.cpu_median:>6.3f} {cell.cpu_median / floor.cpu_median:>11.2f} "
            f"{max(cell.rss_mib):>12.1f}"
        )
    print("(CPU: user + system time of the process, less disturbed by other load than wall time)")
    print()
    for name, count in files.items():  # the synthetic models written, the imports read
        print(f"files {'read' if name.startswith('import') else 'written'}, {name}: {count}")
    print("no-op generate wrote no file: yes (checked on the first run of every model)")
    print(
        "peer (onedr0p/cluster-template's render): not available on this machine, so the "
        "~100-file target is the import-floor one (2.5x)"
    )

    targets, per_app_small, per_app_large = evaluate(cells, floor)
    print()
    print(f"{'target (ratios of CPU medians, this run)':<52} {'measured':>10} {'limit':>8}  holds")
    for target in targets:
        print(
            f"{target.name:<52} {target.value:>9.2f}{target.unit:<1} "
            f"{target.limit:>7.2f}{target.unit:<1}  {'yes' if target.holds else 'NO'}"
        )
    print(
        f"\nCPU ms per app: {per_app_small * 1000:.2f} (100->1000), {per_app_large * 1000:.2f} (1000->3000)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"targets held: {sum(t.holds for t in targets)} of {len(targets)}")


if __name__ == "__main__":
    main()
