"""Same model, same bytes: in any process, under any PYTHONHASHSEED."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from tests.conftest import MODELS, ROOT

SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from homeops_gen.pipeline import build
out = {}
for root in sys.argv[1:]:
    files = build(Path(root)).files
    out[root] = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in files.items()}
print(json.dumps(out, sort_keys=True))
"""


def test_output_is_identical_under_different_hash_seeds() -> None:
    roots = [str(p) for p in MODELS.values()]
    digests = set()
    for seed in ("0", "1", "12345", "random"):
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, *roots],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        digests.add(hashlib.sha256(proc.stdout.encode()).hexdigest())
        assert len(json.loads(proc.stdout)) == len(roots)
    assert len(digests) == 1
