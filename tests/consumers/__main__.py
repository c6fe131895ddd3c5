"""``make consumers``: build the real consuming tools and run them on every example model.

Usage: python -m tests.consumers [MODEL ...]   (default: nova and every other fixture)

A tool that cannot be built is reported with the reason and its checks are skipped; such a
skip fails the run unless :data:`CANNOT_RUN_HERE` names it (the README's table of checks
says why, which a test holds to); a generated file a tool rejects fails the run, with the
tool's message and the file. Known
failures (:data:`KNOWN`) are printed with their reason and do not fail the run; one that no
longer fails does, so the list stays true.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from homeops_gen.project import load
from tests.conftest import MODELS, ROOT, SCHEMAS
from tests.consumers import checks
from tests.consumers.charts import CHARTS, gateway_api_crds
from tests.consumers.checks import Problem, Tools, Workspace
from homeops_gen import talos_types_data
from tests import talos_types_gen
from tests.consumers.gobuild import (
    TOOLS,
    GoTool,
    Unbuildable,
    build,
    go_env,
    talos_validator,
    talosctl,
    tools_home,
)

TOOLS_DIR = tools_home()

CANNOT_RUN_HERE: dict[str, str] = {
    "terraform-provider-talos": "the Go module proxy refuses github.com/siderolabs/"
    "terraform-provider-talos at every version asked (v0.8.1 to v0.12.0, @v/list, @latest: "
    "403), and tofu init needs every provider the module requires",
}
"""Skips allowed: a tool key or ``chart NAME VERSION`` pattern -> why it cannot run here. Every
entry is a row of the README's table of checks (tests/test_consumers.py)."""

KNOWN: dict[tuple[str, str], str] = {}
"""Known failures: (check, file pattern) -> why it fails and where it is tracked."""


@dataclass
class Report:
    """What ran: counts, failures, known failures seen, skips."""

    passed: int = 0
    failed: list[Problem] = field(default_factory=list)
    known_seen: set[tuple[str, str]] = field(default_factory=set)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    """Skips no entry of :data:`CANNOT_RUN_HERE` explains: they fail the run."""

    def record(self, label: str, problems: list[Problem]) -> None:
        """Print one check's outcome and count it."""
        self.ran.append(label)
        new = []
        known: dict[tuple[str, str], list[str]] = {}
        for problem in problems:
            key = next(
                (k for k in KNOWN if k[0] == problem.check and fnmatch.fnmatch(problem.file, k[1])),
                None,
            )
            if key is None:
                new.append(problem)
            else:
                known.setdefault(key, []).append(problem.file)
        for key, files in known.items():
            self.known_seen.add(key)
            print(f"  known failure  {key[0]}: {', '.join(files)}\n    why: {KNOWN[key]}")
        if new:
            self.failed += new
            print(f"  FAIL  {label}")
            for problem in new:
                print(checks._indent(str(problem)))
        else:
            self.passed += 1
            print(f"  ok    {label}" + (" (apart from the known failures above)" if known else ""))
        sys.stdout.flush()

    def skip(self, label: str, reason: str, keys: list[str] | None = None) -> None:
        """Print and count a check that could not run because of ``keys`` (tools or charts);
        one that :data:`CANNOT_RUN_HERE` does not explain fails the run."""
        why = [
            next((w for pattern, w in CANNOT_RUN_HERE.items() if fnmatch.fnmatch(k, pattern)), "")
            for k in keys or [label]
        ]
        if all(why):
            self.skipped.append(f"{label}: {reason}")
            print(f"  skip  {label}: {reason}\n    cannot run here: {'; '.join(set(why))}")
        else:
            self.unexplained.append(f"{label}: {reason}")
            print(f"  FAIL  {label} did not run: {reason}")


def build_tools(wanted: list[GoTool]) -> tuple[Tools, dict[str, str]]:
    """Build (or reuse) every Go tool; the built ones by key, the others with the reason."""
    built: Tools = {}
    missing: dict[str, str] = {}
    shown = TOOLS_DIR.relative_to(ROOT) if TOOLS_DIR.is_relative_to(ROOT) else TOOLS_DIR
    print(f"Go tools in {shown}/ (CGO_ENABLED=0, nice -n 10):")
    for tool in wanted:
        key = tool.key
        result = build(tool, TOOLS_DIR)
        if isinstance(result, Unbuildable):
            missing[key] = result.reason
            print(f"  NOT BUILT  {tool.name} {tool.version} ({tool.module}): {result.reason}")
        else:
            built[key] = result.path
            how = "cached" if result.cached else f"built in {result.seconds:.0f}s"
            print(f"  {how:>14}  {tool.name} {tool.version} ({tool.module})")
        sys.stdout.flush()
    return built, missing


def _chart_key(release: str) -> str:
    """``chart NAME VERSION`` of a release whose chart is missing (``rel: no NAME-VERSION.tgz``)."""
    found = re.search(r"no (\S+)-([^-\s]+)\.tgz", release)
    return f"chart {found.group(1)} {found.group(2)}" if found else release


def check_model(name: str, tools: Tools, missing: dict[str, str], report: Report) -> None:
    """Every check on model ``name``."""
    print(f"\n{name} ({MODELS[name].relative_to(ROOT)}/cluster.py)")
    with tempfile.TemporaryDirectory(prefix=f"consumers-{name}-") as tmp:
        ws = Workspace.create(name, MODELS[name], Path(tmp))

        def need(label: str, names: list[str], run: Callable[[], list[Problem]]) -> None:
            absent = [n for n in names if n not in tools]
            if absent:
                report.skip(
                    label,
                    "; ".join(f"{n} not built ({missing.get(n, 'not requested')})" for n in absent),
                    absent,
                )
            else:
                report.record(label, run())

        report.record("shellcheck (out/talos/apply.sh, devenv scripts)", checks.shellcheck(ws))
        report.record("yamllint (every YAML file)", checks.yamllint(ws))

        if CHARTS.is_dir():
            rendered: dict[str, str] = {}
            missing_charts: list[str] = []
            problems = checks.helm(ws, rendered, missing_charts, modules=True)
            report.record("helm lint --strict + helm template (bootstrap releases)", problems)
            for release in missing_charts:
                report.skip("helm lint + template of release", release, [_chart_key(release)])
            kube = ws.cluster.versions.kubernetes
            problems = [
                p for rel, text in rendered.items()
                for p in checks.kubernetes_validate(f"helm template {rel}", text, kube)
            ]  # fmt: skip
            report.record("kubernetes-validate (bootstrap releases' objects)", problems)
        else:
            report.skip("helm (bootstrap releases)", f"no packaged charts at {CHARTS}")
            rendered = {}

        crds = Path(tmp) / ".kubeconform-schemas"
        if SCHEMAS.is_dir():
            checks.kubeconform_schema_dir(crds)
            checks.kubernetes_schema_dir(ws.cluster.versions.kubernetes, crds)
            helmfiles = "\n".join(ws.files[p] for p in ws.paths("helmfile.yaml"))
            checks.crd_files_schema_dir(gateway_api_crds(helmfiles), crds)

            def flux_paths() -> list[Problem]:
                problems = []
                for folder in checks.flux_paths(ws):
                    out, problem = checks.kustomize(ws, folder)
                    problems += (
                        [problem]
                        if problem
                        else checks.kubeconform(ws, tools, folder, out or "", crds)
                    )
                for rel, text in rendered.items():
                    problems += checks.kubeconform(ws, tools, f"helm template {rel}", text, crds)
                return problems

            need(
                "kubeconform -strict (every Flux path, bootstrap objects)",
                ["kubeconform"],
                flux_paths,
            )
        else:
            report.skip("kubeconform", f"no Flux CRD schemas at {SCHEMAS}")

        talos = ws.cluster.versions.talos
        if ws.paths("talconfig.yaml"):
            need(
                f"talhelper genconfig + talosvalidate {talos_validator(talos).version}",
                ["talhelper", talos_validator(talos).key],
                lambda: checks.talos(ws, tools),
            )
        else:
            need(
                f"out/talos/gen.sh (talosctl {talosctl(talos).version} gen config) + "
                "talosctl validate --strict (metal, cloud)",
                [talosctl(talos).key],
                lambda: checks.talosctl_backend(ws, tools),
            )
        need(
            "tofu fmt -check (every .tf; every .hcl through stdin)",
            ["tofu"],
            lambda: checks.tofu_fmt(ws, tools),
        )
        need(
            "terragrunt hcl format --check (every .hcl)",
            ["terragrunt"],
            lambda: checks.terragrunt_fmt(ws, tools),
        )
        need(
            "terragrunt render --json (each host: include, locals, get_env resolved)",
            ["terragrunt"],
            lambda: checks.terragrunt_render(ws, tools),
        )
        need(
            "tofu init -backend=false + validate + test (plan, API mocked) with each host's inputs",
            ["tofu", *checks.PROVIDERS, "terragrunt"],
            lambda: checks.tofu_validate(ws, tools),
        )


def check_talos_types(report: Report) -> None:
    """The generated Talos types table against the schema of each machinery release it names,
    fetched into Go's module cache first (the tests read 1.7 to 1.10 and 1.14 from there)."""
    label = "Talos types table == each minor's machinery schema (homeops_gen/talos_types_data.py)"
    if shutil.which("go") is None:
        report.skip(label, "no go command on PATH")
        return
    for version in talos_types_gen.RELEASES.values():
        if talos_types_gen.schema_path(version) is None:
            module = f"{talos_types_gen.MODULE}@{version}"
            fetched = subprocess.run(
                ["nice", "-n", "10", "go", "mod", "download", module],
                capture_output=True,
                text=True,
                env=go_env(),
                cwd=ROOT,
            )
            if fetched.returncode != 0:
                report.skip(label, f"{module}: {fetched.stderr.strip()}")
                return
    tables, _ = talos_types_gen.load_tables()
    problems = [
        Problem(label, f"{minor} ({version})", "differs: run python -m tests.talos_types_gen")
        for minor, version in talos_types_gen.RELEASES.items()
        if talos_types_gen.render({minor: tables[minor]})
        != talos_types_gen.render({minor: _current(minor)})
    ]
    report.record(label, problems)


def _current(minor: str) -> tuple[str, str, dict[str, object]]:
    """One minor's table as the package has it, in the generator's form."""
    names = talos_types_data.MINORS[minor]
    source = talos_types_data.SOURCES[minor]
    defs = {n: talos_types_data.TYPES[k] for n, k in names["defs"].items()}
    return source["machinery"], source["sha256"], {"kinds": names["kinds"], "defs": defs}


def main(argv: list[str]) -> int:
    """Build the tools, check every model, print the summary; 1 when a file was rejected."""
    start = time.monotonic()
    names = argv or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"unknown model(s) {', '.join(unknown)}; the models are {', '.join(MODELS)}")
        return 2
    if shutil.which("go") is None:
        print("no go command on PATH: the Go-built tools are skipped; the PyPI ones still run")
    clusters = [load(MODELS[n]).cluster for n in names]
    wanted = list(TOOLS.values())
    for backend, make in (("talhelper", talos_validator), ("talosctl", talosctl)):
        versions = {c.versions.talos for c in clusters if c.talos.backend == backend}
        # one build per release built (a minor's releases may share one, see TALOS_SERVED)
        wanted += list({make(v).key: make(v) for v in sorted(versions)}.values())
    tools, missing = build_tools(wanted)
    print(f"tools ready in {time.monotonic() - start:.0f}s")
    report = Report()
    check_talos_types(report)
    for name in names:
        check_model(name, tools, missing, report)
    # a known failure of a check that ran and no longer fails is fixed: said loudly, so the
    # entry is removed, without failing the run
    ran = [k for k in KNOWN if any(label.startswith(k[0]) for label in report.ran)]
    stale = [k for k in ran if k not in report.known_seen]
    print()
    for tool_name, reason in missing.items():
        print(f"not built: {tool_name}: {reason}")
    for key in stale:
        print(f"FIXED: known failure {key} no longer fails: remove it from KNOWN in {__file__}")
    for problem in report.failed:
        print(f"rejected: {problem.check}: {problem.file}")
    for line in report.unexplained:
        print(f"did not run (not in CANNOT_RUN_HERE, so it fails): {line}")
    print(f"took {time.monotonic() - start:.0f}s")
    print(
        f"consumers: {report.passed} passed, {len(report.failed)} failed, "
        f"{len(report.unexplained)} did not run, {len(report.skipped)} cannot run here"
    )
    return 1 if report.failed or report.unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
