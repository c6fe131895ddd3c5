"""The first day, as a new user lives it (the README's "Getting started"): init, edit the
values marked CHANGE, generate, commit, and the generated workflow's steps, run here as a
pull request's job runs them, with no false warning on the way."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest
import yaml
from packaging.requirements import Requirement

from homeops_gen import __version__
from homeops_gen.layout import WORKFLOW
from tests.conftest import job_env, pull_request, run

BIN = Path(sys.executable).parent
FORK = f"git+https://github.com/jane/homeops-gen@v{__version__}"


def edit_the_change_values(text: str) -> str:
    """What the starter's comments ask for, as a user with a 192.168.1.0/24 LAN and a Proxmox
    host named atlas does it; Proxmox's own "local" ISO datastore is kept, its marker deleted."""
    age_key = str(pyrage.x25519.Identity.generate().to_public())
    example_key = re.search(r'age_recipients=\["(age1\w+)"\]', text)
    assert example_key
    replacements = [
        ("192.168.10.", "192.168.1."),
        ('"pve"', '"atlas"'),
        ("https://pve.home.arpa:8006/", "https://atlas.lan:8006/"),
        ('vm_datastore="local-lvm"', 'vm_datastore="nvme"'),
        (
            'iso_datastore="local",  # CHANGE: a datastore that holds ISO images',
            'iso_datastore="local",  # Proxmox\'s own',
        ),
        ("vm_id=200 + i", "vm_id=310 + i"),
        ('bucket="home-ops-tofu-state"', 'bucket="jane-home-ops-state"'),
        ("https://github.com/your-name/home-ops", "https://github.com/jane/home-ops"),
        (example_key.group(1), age_key),
        (f"git+https://github.com/OWNER/homeops-gen@v{__version__}", FORK),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _steps(root: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load((root / WORKFLOW).read_text())
    return workflow["jobs"]["homeops-gen"]["steps"]  # type: ignore[no-any-return]


def _run_step(step: dict[str, Any], cwd: Path, env: dict[str, str]) -> str:
    """Run a step's script with bash -e, as GitHub's Linux runners do; ``env`` holds the
    values GitHub's expressions (``${{ ... }}``) would give."""
    literal = {k: v for k, v in step.get("env", {}).items() if "${{" not in v}
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env={**env, **literal},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"{step['name']}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stderr


def test_from_init_to_a_first_ci_run_that_passes(tmp_path: Path) -> None:
    project = tmp_path / "home-ops"
    assert run("init", project).code == 0

    # Generated once before editing: the examples are named, nothing else.
    untouched = run("-C", project)
    assert untouched.code == 0
    warned = {line.split(":")[0] for line in untouched.err.splitlines()}
    assert warned == {"warning[example-value]"}, untouched.err

    model = project / "cluster.py"
    model.write_text(edit_the_change_values(model.read_text()))
    # Then for real: the VMs of the first run never existed (nothing was committed).
    generated = run("-C", project, "generate", "--strict")
    assert generated.code == 0, generated.err
    assert generated.err == "", "no warning on the way"
    assert run("-C", project, "validate", "--strict").code == 0
    assert run("-C", project, "generate", "--check").code == 0

    # The workflow installs this version from where the model says: the user's fork.
    [install] = [s for s in _steps(project) if s.get("name", "").startswith("Install")]
    requirement = Requirement(install["run"].split("pip install ", 1)[1].strip("'"))
    assert (requirement.name, requirement.extras, requirement.url) == (
        "homeops-gen",
        {"validate"},
        FORK,
    )

    # Commit and push, then open a pull request that changes the cluster.
    def more_memory(root: Path) -> None:
        model.write_text(model.read_text().replace("memory_mib=8192", "memory_mib=12288"))
        assert run("-C", root, "generate", "--strict").err == ""

    job, base = pull_request(project, tmp_path, more_memory)

    # The job's steps: checkout and setup-python are this clone and this Python; the install
    # is the package under test; Renovate's regeneration runs on renovate/ branches only.
    env = {**job_env(tmp_path, base), "RENOVATE_BRANCH": "false"}
    ran = []
    for step in _steps(job):
        if "uses" in step or step.get("name", "").startswith("Install"):
            continue
        if step.get("id") == "regenerate":
            assert step["if"] == "env.RENOVATE_BRANCH == 'true'"
            continue
        stderr = _run_step(step, job, env)
        assert "warning[" not in stderr, stderr
        ran.append(step["run"].splitlines()[0])
    assert ran == [
        "homeops-gen generate --check",
        "homeops-gen validate",
        'git fetch --quiet --no-tags --depth=1 origin "$BASE_SHA"',
    ]
    text = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "changed  out/infrastructure/hosts/atlas/terragrunt.hcl (+3 -3)" in text, text
    assert text.endswith("No change: Flux applies the same objects.\n"), "Flux applies no VM"


@pytest.mark.parametrize("command", ["generate", "diff", "validate", "init", "import"])
def test_every_commands_help_describes_that_command(command: str) -> None:
    proc = subprocess.run(
        [str(BIN / "homeops-gen"), command, "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith(f"usage: homeops-gen {command}")
