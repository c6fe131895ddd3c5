"""The pre-commit hook other repositories use: it runs the installed command, and the README
shows a configuration with this version's tag."""

from __future__ import annotations

import re
import tomllib

import yaml

from homeops_gen import __version__
from tests.conftest import ROOT


def test_the_hook_runs_the_check_through_the_installed_command() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["id"] == "homeops-gen-check"
    # language: python installs this repository as a package and runs its console script.
    assert hook["language"] == "python"
    command, *args = hook["entry"].split()
    assert command in scripts and args == ["generate", "--check"]
    assert hook["pass_filenames"] is False and hook["always_run"] is True


def test_the_readme_pins_the_hook_to_this_versions_tag() -> None:
    version = __version__
    readme = (ROOT / "README.md").read_text()
    [block] = [b for b in readme.split("```yaml\n")[1:] if "homeops-gen-check" in b]
    config = yaml.safe_load(block.split("```")[0])
    [repo] = config["repos"]
    assert repo["rev"] == f"v{version}"
    assert [h["id"] for h in repo["hooks"]] == ["homeops-gen-check"]
    assert re.search(rf"rev: v{re.escape(version)}", (ROOT / ".pre-commit-hooks.yaml").read_text())
