"""Go modules the run reads files from (charts, CRDs, stage configs), from the module proxy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.consumers.gobuild import go_env
from tests.e2e.procs import E2EFailure


def module_dir(module: str, version: str) -> Path:
    """The folder of ``module@version`` in Go's module cache (downloaded when missing)."""
    proc = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        env=go_env(),
        timeout=900,
    )
    info = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    if proc.returncode != 0 or "Dir" not in info:
        raise E2EFailure(
            f"the module proxy did not serve {module}@{version}: "
            f"{info.get('Error') or proc.stderr.strip()}"
        )
    return Path(info["Dir"])
