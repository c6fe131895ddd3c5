"""``make regen``: rewrite every generated file of the project after a change, in order.

1. the compiled templates (a template changed),
2. the README's model reference (a field or its docstring changed),
3. the root ``out/`` and root files from the root ``cluster.py`` (``homeops-gen``),
4. the snapshots of every example model (``pytest --snapshot-update``).

Each test that finds one of these stale says to run ``make regen``.
"""

from __future__ import annotations

import subprocess
import sys

from tools import compiled_templates, readme_reference
from tools.readme_reference import ROOT


def main() -> int:
    """Run every step; the exit code of the first that failed, else 0."""
    for name, changed in (
        ("compiled templates", compiled_templates.rewrite()),
        ("README model reference", readme_reference.rewrite()),
    ):
        print(f"regen: {name}: {'rewritten' if changed else 'current'}", flush=True)
    steps = (
        ("root out/ (homeops-gen)", [sys.executable, "-m", "homeops_gen", "-C", str(ROOT)]),
        (
            "snapshots",
            [sys.executable, "-m", "pytest", "-q", "--snapshot-update", "tests/test_snapshots.py"],
        ),
    )
    for name, command in steps:
        print(f"regen: {name}: {' '.join(command[1:])}", flush=True)
        code = subprocess.run(command, cwd=ROOT, check=False).returncode
        if code and name == "snapshots":
            # A new or renamed model's snapshots are written in the same run that finds the
            # old files stale: the second run sees the settled folder.
            print("regen: snapshots again, now that the files are settled", flush=True)
            code = subprocess.run(command, cwd=ROOT, check=False).returncode
        if code:
            print(f"regen: {name} failed (exit {code})", file=sys.stderr)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
