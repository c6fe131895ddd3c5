"""``make e2e``: every model (or PROJECT) applied for real, then the faults it must catch.

Usage: python -m tests.e2e [--project DIR] [--faults-only] [--no-faults] [--keep] [MODEL ...]
(MODEL: a fixture name or ``init``; default: ``init``, nova and every other fixture, then
each fault on nova). Exit 1 when a model does not become Ready or a fault is not caught.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import MODELS, copy_model
from tests.e2e.faults import FAULTS
from tests.e2e.procs import E2EFailure
from tests.e2e.run import Options, Run
from tests.e2e.tools import E2E_TOOLS, build_all

FAULT_MODEL = "nova"


def _project(name: str, dest: Path) -> Path:
    if name == "init":
        proc = subprocess.run(
            [sys.executable, "-m", "homeops_gen", "init", str(dest)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise E2EFailure(f"homeops-gen init failed: {proc.stdout}{proc.stderr}")
        return dest
    return copy_model(name, dest)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e")
    parser.add_argument("models", nargs="*")
    parser.add_argument("--project", type=Path, help="one generated project (its folder)")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--faults-only", action="store_true")
    parser.add_argument("--fault", action="append", default=[], choices=sorted(FAULTS))
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument("--limit", type=float, default=420.0)
    args = parser.parse_args(argv)
    models: list[str] = args.models or ([] if args.project else ["init", *MODELS])
    unknown = [m for m in models if m != "init" and m not in MODELS]
    if unknown:
        print(f"unknown model(s) {', '.join(unknown)}; the models are init, {', '.join(MODELS)}")
        return 2
    if args.faults_only:
        models = []
    faults = args.fault or (
        [] if (args.no_faults or args.project or args.models) else sorted(FAULTS)
    )
    start = time.monotonic()
    print("Go tools (pinned, in ~/.cache/homeops-gen/tools):", flush=True)
    try:
        built = build_all(list(E2E_TOOLS))
    except SystemExit as exc:
        print(exc)
        return 1
    binaries = {name: b.path for name, b in built.items()}
    print(f"tools ready in {time.monotonic() - start:.0f}s", flush=True)
    results: list[tuple[str, str, float]] = []
    runs: list[tuple[str, str, str | None]] = [(m, m, None) for m in models]
    if args.project:
        runs.insert(0, (str(args.project), str(args.project), None))
    runs += [(f"{FAULT_MODEL}+{f}", FAULT_MODEL, f) for f in faults]
    for label, model, fault in runs:
        work = Path(tempfile.mkdtemp(prefix="homeops-gen-e2e-"))
        t0 = time.monotonic()
        try:
            project = work / "project"
            if args.project and label == str(args.project):
                shutil.copytree(args.project, project, ignore=shutil.ignore_patterns(".git", "out"))
            else:
                _project(model, project)
            options = Options(limit=args.limit)
            if fault:
                options = Options(limit=args.limit, fault=FAULTS[fault], change=False, settle=60)
            run = Run(label, project, work, options)
            try:
                result = run.main(binaries)
                if fault:
                    results.append((label, "FAIL: fault not caught", time.monotonic() - t0))
                else:
                    results.append((label, f"ok ({result.objects} Flux objects Ready in "
                                    f"{result.ready_seconds:.0f}s)", result.seconds))  # fmt: skip
            except E2EFailure as exc:
                message = str(exc)
                print(message, flush=True)
                expected = run.expected_failure
                if fault:
                    pattern = re.escape(expected).replace(r"\*", r"[a-z0-9-]+")
                    caught = bool(expected) and re.search(pattern, message) is not None
                    verdict = f"ok (failed naming {expected})" if caught else (
                        f"FAIL: the failure does not name {expected}")  # fmt: skip
                    results.append((label, verdict, time.monotonic() - t0))
                else:
                    results.append(
                        (label, "FAIL: " + message.splitlines()[0][:200], time.monotonic() - t0)
                    )
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
            else:
                print(f"kept {work}")
    print()
    for label, verdict, seconds in results:
        print(f"  {label:45} {seconds:6.0f}s  {verdict}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"e2e: {len(results)} runs in {time.monotonic() - start:.0f}s; "
          f"largest process {peak} MiB")  # fmt: skip
    failed = [r for r in results if not r[1].startswith("ok")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
