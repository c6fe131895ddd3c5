"""The real Renovate reads every model's generated ``renovate.json`` as the tests do.

``make renovate`` installs Renovate from npm into ``.tools/renovate`` and runs this: for each
model it generates the project in a temporary Git repository, runs
``renovate --platform=local --dry-run=extract`` (extraction only, no registry is asked), and
compares the dependencies Renovate finds with what the tests' translation of the config
finds (tests/generators/test_renovate.py); ``renovate-config-validator`` must accept the
config. Exit 1 on any difference.

Renovate 41 wants Node.js 22 or newer; on an older Node it runs with
``RENOVATE_X_IGNORE_NODE_WARN=true``, which this sets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from homeops_gen.layout import MODEL_FILE, RENOVATE_CONFIG
from tests.conftest import MODELS, ROOT, copy_model, run
from tests.generators.test_renovate import extract

RENOVATE = ROOT / ".tools" / "renovate" / "node_modules" / ".bin" / "renovate"
VALIDATOR = RENOVATE.with_name("renovate-config-validator")

Found = list[tuple[str, str, str, str]]


def renovate_extract(root: Path) -> tuple[Found, list[str], str]:
    """What the real Renovate extracts from the project at ``root``, the files each manager
    read, and the regular-expression engine it used."""
    env = {
        **os.environ,
        "RENOVATE_X_IGNORE_NODE_WARN": "true",
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "json",
    }
    args = ["--platform=local", "--dry-run=extract", "--onboarding=false"]
    proc = subprocess.run([str(RENOVATE), *args], cwd=root, env=env, capture_output=True, text=True)
    found: Found = []
    matched: list[str] = []
    engine = "unknown"
    for line in proc.stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        message = record.get("msg", "")
        if message.startswith("Matched "):
            matched.append(message)
        if message == "Using RE2 regex engine":
            engine = "RE2"
        if message.startswith("RE2 not usable"):
            engine = "JavaScript RegExp"
        for files in record.get("packageFiles", {}).values():
            for package_file in files:
                for dep in package_file["deps"]:
                    url = (dep.get("registryUrls") or [""])[0].rstrip("/")
                    found.append((dep["datasource"], dep["depName"], url, dep["currentValue"]))
    return sorted(found), sorted(set(matched)), engine


def main() -> int:
    if not RENOVATE.is_file():
        print(f"Renovate not installed at {RENOVATE}: run make renovate", file=sys.stderr)
        return 2
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(MODELS):
            root = copy_model(name, Path(tmp) / name)
            assert run("-C", root).code == 0, name
            git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
            subprocess.run(["git", "init", "--quiet"], cwd=root, check=True)
            subprocess.run(["git", "add", "--all"], cwd=root, check=True)
            subprocess.run([*git, "commit", "--quiet", "-m", "init"], cwd=root, check=True)
            real, matched, engine = renovate_extract(root)
            config = json.loads((root / RENOVATE_CONFIG).read_text())
            ours = sorted(
                (d.datasource, d.dep_name, d.registry_url, d.current_value)
                for d in extract(config, (root / MODEL_FILE).read_text())
            )
            files = {m.rsplit(": ", 1)[1] for m in matched}
            check = subprocess.run(
                [str(VALIDATOR), RENOVATE_CONFIG],
                cwd=root,
                env={**os.environ, "RENOVATE_X_IGNORE_NODE_WARN": "true"},
                capture_output=True,
                text=True,
            )
            valid = check.returncode == 0
            same = real == ours and files <= {MODEL_FILE, RENOVATE_CONFIG} and valid
            failures += not same
            print(
                f"{name}: Renovate ({engine}) found {len(real)}, the tests' translation "
                f"{len(ours)}: {'same' if real == ours else 'DIFFERENT'}; files read: "
                f"{sorted(files)}; renovate-config-validator: {'valid' if valid else 'INVALID'}"
            )
            if not same:
                print(f"  renovate: {real}\n  tests:    {ours}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
