"""``make e2e``: every model (or PROJECT) applied for real, then the faults it must catch.

Usage: python -m tests.e2e [--project DIR] [--no-faults] [--faults-only] [--fault NAME]
[--keep] [--limit SECONDS] [MODEL ...]   (MODEL: a fixture name or ``init``, the starter;
default: ``init``, nova and every other fixture, then each fault on nova). Exit 1 when a
model does not become Ready or a fault is not caught, naming the object.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import MODELS, copy_model
from tests.e2e.faults import FAULTS
from tests.e2e.procs import E2EFailure, raise_interrupt
from tests.e2e.run import Options, Run
from tests.e2e.tools import E2E_TOOLS, build_all

FAULT_MODEL = "nova"
DEFAULT_JOBS = 3
"""Runs at once: a run waits on its controllers most of the time (measured in the README)."""


@dataclass(frozen=True)
class Planned:
    """One run: its label, the model (or project folder) and the fault made, if any."""

    label: str
    model: str
    fault: str = ""
    project: Path | None = None


def _project(planned: Planned, dest: Path) -> Path:
    """The project of a run, as its user would have it before ``homeops-gen``."""
    if planned.project is not None:
        shutil.copytree(
            planned.project,
            dest,
            ignore=shutil.ignore_patterns(".git", "out", ".venv", ".devenv", ".tools"),
        )
        return dest
    if planned.model == "init":
        proc = subprocess.run(
            [sys.executable, "-m", "homeops_gen", "init", str(dest)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise E2EFailure(f"homeops-gen init failed: {proc.stdout}{proc.stderr}")
        return dest
    return copy_model(planned.model, dest)


def run_one(planned: Planned, binaries: dict[str, Path], limit: float, keep: bool) -> str:
    """Make one run; its verdict (``ok ...`` or ``FAIL: ...``)."""
    work = Path(tempfile.mkdtemp(prefix="homeops-gen-e2e-"))
    options = Options(limit=limit)
    if planned.fault:
        options = Options(limit=limit, fault=FAULTS[planned.fault], change=False, settle=60)
    run = Run(planned.label, work / "project", work, options)
    try:
        _project(planned, run.project)
        result = run.main(binaries)
    except E2EFailure as exc:
        message = str(exc)
        print(message, flush=True)
        if not planned.fault:
            return "FAIL: " + message.splitlines()[0][:200]
        expected = run.expected_failure
        pattern = re.escape(expected).replace(r"\*", r"[a-z0-9-]+")
        if expected and re.search(pattern, message):
            return f"ok (failed naming {expected})"
        return f"FAIL: the failure does not name {expected or 'the faulted object'}"
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if planned.fault:
        return f"FAIL: {run.expected_failure} became Ready: the fault was not caught"
    return (
        f"ok ({result.objects} Flux objects Ready after {result.ready_seconds:.0f}s; "
        f"processes {result.peak_mib} MiB at most)"
    )


def plan(args: argparse.Namespace) -> list[Planned]:
    """The runs the arguments ask for."""
    runs: list[Planned] = []
    if args.project:
        runs.append(Planned(str(args.project), "", project=args.project.resolve()))
    elif not args.faults_only:
        runs += [Planned(m, m) for m in args.models or ["init", *MODELS]]
    everything = not (args.project or args.models or args.no_faults)
    for fault in args.fault or (sorted(FAULTS) if everything else []):
        runs.append(Planned(f"{FAULT_MODEL}+{fault}", FAULT_MODEL, fault))
    return runs


def _child_argv(planned: Planned, args: argparse.Namespace, verdict: Path) -> list[str]:
    """The command line of one run in a process of its own (``--one``)."""
    argv = [sys.executable, "-m", "tests.e2e", "--one", "--verdict-file", str(verdict),
            "--limit", str(args.limit)]  # fmt: skip
    if args.keep:
        argv.append("--keep")
    if planned.project is not None:
        return [*argv, "--project", str(planned.project)]
    if planned.fault:
        return [*argv, "--faults-only", "--fault", planned.fault]
    return [*argv, "--no-faults", planned.model]


def _run_all(
    runs: list[Planned], args: argparse.Namespace, binaries: dict[str, Path]
) -> list[tuple[str, str, float]]:
    """Every run, ``args.jobs`` at a time, each in a process of its own (its own environment
    and control plane); a run's log is printed whole when it ends, then its verdict."""
    if args.jobs <= 1 or len(runs) <= 1:
        results = []
        for planned in runs:
            t0 = time.monotonic()
            verdict = run_one(planned, binaries, args.limit, args.keep)
            results.append((planned.label, verdict, time.monotonic() - t0))
        return results
    scratch = Path(tempfile.mkdtemp(prefix="homeops-gen-e2e-jobs-"))
    pending = list(enumerate(runs))
    running: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
    done: dict[int, tuple[str, str, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < args.jobs:
                i, planned = pending.pop(0)
                with (scratch / f"{i}.log").open("wb") as log:
                    proc = subprocess.Popen(
                        _child_argv(planned, args, scratch / f"{i}.verdict"),
                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    )  # fmt: skip
                running[i] = (proc, time.monotonic())
            for i, (proc, t0) in list(running.items()):
                if proc.poll() is None:
                    continue
                del running[i]
                verdict_file = scratch / f"{i}.verdict"
                verdict = (
                    verdict_file.read_text()
                    if verdict_file.is_file()
                    else f"FAIL: the run's process exited with {proc.returncode}"
                )
                sys.stdout.write((scratch / f"{i}.log").read_text(errors="replace"))
                print(f"=> {runs[i].label}: {verdict}", flush=True)
                done[i] = (runs[i].label, verdict, time.monotonic() - t0)
            time.sleep(0.5)
    finally:
        for proc, _ in running.values():
            proc.terminate()  # its Supervisor stops the run's processes
        for proc, _ in running.values():
            proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    return [done[i] for i in sorted(done)]


def main(argv: list[str]) -> int:
    """Build the tools, make every run, print the summary; 1 when one failed."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e")
    parser.add_argument("models", nargs="*")
    parser.add_argument("--project", type=Path, help="one generated project (its folder)")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--faults-only", action="store_true")
    parser.add_argument("--fault", action="append", default=[], choices=sorted(FAULTS))
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument("--limit", type=float, default=420.0, help="seconds to become Ready")
    parser.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, help=f"runs at once (default {DEFAULT_JOBS})"
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verdict-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [m for m in args.models if m != "init" and m not in MODELS]
    if unknown:
        print(f"unknown model(s) {', '.join(unknown)}; the models are init, {', '.join(MODELS)}")
        return 2
    if args.project and not (args.project / "cluster.py").is_file():
        print(f"PROJECT={args.project}: no cluster.py there (the folder of a homeops-gen project)")
        return 2
    if args.one:
        return _one(args)
    start = time.monotonic()
    print("Go tools (pinned, in ~/.cache/homeops-gen/tools):", flush=True)
    try:
        built = build_all(list(E2E_TOOLS))
    except SystemExit as exc:
        print(exc)
        return 1
    binaries = {name: b.path for name, b in built.items()}
    print(f"tools ready in {time.monotonic() - start:.0f}s", flush=True)
    signal.signal(signal.SIGTERM, raise_interrupt)  # stop the runs' processes on the way out
    try:
        runs = plan(args)
        results = _run_all(runs, args, binaries)
        results = _again(runs, results, args, binaries)
    except KeyboardInterrupt:
        # each run's processes were stopped on the way out (Supervisor)
        print("\ninterrupted: every process of the run was stopped")
        return 130
    print()
    for label, verdict, seconds in results:
        print(f"  {label:45} {seconds:6.0f}s  {verdict}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    failed = [r for r in results if not r[1].startswith("ok")]
    print(
        f"e2e: {len(results) - len(failed)} passed, {len(failed)} failed, in "
        f"{time.monotonic() - start:.0f}s with {args.jobs} at once; largest process {peak} MiB"
    )
    return 1 if failed else 0


def _again(
    runs: list[Planned],
    results: list[tuple[str, str, float]],
    args: argparse.Namespace,
    binaries: dict[str, Path],
) -> list[tuple[str, str, float]]:
    """Each failed run made once more, its first failure kept in the verdict: a fault fails
    twice, and a run that fails only once is printed as a flake (``FLAKY``), not hidden."""
    failed = [i for i, (_, verdict, _) in enumerate(results) if not verdict.startswith("ok")]
    if not failed:
        return results
    print(f"\n{len(failed)} run(s) failed; each is made once more", flush=True)
    second = _run_all([runs[i] for i in failed], args, binaries)
    merged = list(results)
    for i, (label, verdict, seconds) in zip(failed, second, strict=True):
        first = results[i][1]
        if verdict.startswith("ok"):
            verdict = f"{verdict}; FLAKY: the first try said {first[:160]}"
        merged[i] = (label, verdict, results[i][2] + seconds)
    return merged


def _one(args: argparse.Namespace) -> int:
    """One run in this process (started by :func:`_run_all`): its verdict to the file."""
    (planned,) = plan(args)
    binaries = {name: b.path for name, b in build_all(list(E2E_TOOLS), quiet=True).items()}
    verdict = run_one(planned, binaries, args.limit, args.keep)
    args.verdict_file.write_text(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
