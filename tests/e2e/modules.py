"""Go modules the run reads files from (charts, CRDs, stage configs), from the module proxy."""

from __future__ import annotations

from pathlib import Path

from tests.consumers import gobuild
from tests.e2e.procs import E2EFailure


def module_dir(module: str, version: str) -> Path:
    """The folder of ``module@version`` in Go's module cache (downloaded when missing)."""
    try:
        return gobuild.module_dir(module, version)
    except gobuild.ModuleNotServed as exc:
        raise E2EFailure(str(exc)) from None
