"""Root file ``.github/workflows/homeops-gen.yaml``: GitHub Actions checks that every pull
request's generated files are what its ``cluster.py`` generates, and on Renovate's branches
regenerates them and pushes the result, so a version bump lands complete.

Pushes made with the workflow's own ``GITHUB_TOKEN`` start no new workflow run (GitHub
Actions docs, "Triggering a workflow from a workflow"), so the push uses the secret
``HOMEOPS_GEN_TOKEN``: a personal access token or a GitHub App token.
"""

from __future__ import annotations

from typing import Any

import homeops_gen
from homeops_gen.errors import ModelError
from homeops_gen.formats import shell_quote, yaml_file
from homeops_gen.layout import REGENERATION_AUTHOR, WORKFLOW
from homeops_gen.model import Automation
from homeops_gen.project import Project

SCHEMA = "https://json.schemastore.org/github-workflow.json"
TOKEN_SECRET = "HOMEOPS_GEN_TOKEN"
"""The secret holding the token the regeneration commit is pushed with."""
PYTHON = "3.13"
CHECKOUT = "actions/checkout@v6"
SETUP_PYTHON = "actions/setup-python@v6"
RENOVATE_BRANCH_PREFIX = "renovate/"
"""Renovate's default ``branchPrefix``: its pull requests come from branches named so."""
COMMIT_MESSAGE = "chore: regenerate from cluster.py with homeops-gen"


def requirement(automation: Automation) -> str:
    """The pip requirement the workflow installs: this very version of homeops-gen."""
    if automation.install is not None:
        return f"homeops-gen[validate] @ {automation.install}"
    # The version constant, which the package's metadata is tested to carry (reading the
    # metadata costs more than rendering the workflow).
    current = homeops_gen.__version__
    if "+" in current:
        raise ModelError(
            [
                f"automation.install: this homeops-gen is a local build ({current}), so the "
                "workflow cannot install the same version from PyPI; set automation.install to where it can, e.g. "
                "git+https://github.com/OWNER/homeops-gen@v0.1.0, or set "
                "automation.github_actions=False"
            ]
        )
    return f"homeops-gen[validate]=={current}"


def _regenerate_script() -> str:
    return "\n".join(
        [
            f'if [ -z "${TOKEN_SECRET}" ]; then',
            f'  echo "::error::set the secret {TOKEN_SECRET} (a personal access token or GitHub'
            ' App token that may push): pushes with GITHUB_TOKEN start no workflow run"',
            "  exit 1",
            "fi",
            "homeops-gen",
            "git add --all",
            "if git diff --cached --quiet; then",
            '  echo "pushed=false" >> "$GITHUB_OUTPUT"',
            "else",
            "  git -c user.name='github-actions[bot]'"
            f" -c user.email={shell_quote(REGENERATION_AUTHOR)} commit --quiet"
            f" --message {shell_quote(COMMIT_MESSAGE)}",
            "  git push",
            '  echo "pushed=true" >> "$GITHUB_OUTPUT"',
            "fi",
            "",
        ]
    )


SUMMARY_LIMIT = 1_000_000
"""Bytes the review summary may add to a step summary: GitHub refuses one over 1024k (its
error: "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k")."""


def _summary_script() -> str:
    """The pull request's review summary: what homeops-gen generates differently from the
    base branch, and what Flux applies before and after, in the job summary."""
    cut = SUMMARY_LIMIT - 100_000
    return "\n".join(
        [
            'git fetch --quiet --no-tags --depth=1 origin "$BASE_SHA"',
            'summary="$RUNNER_TEMP/homeops-gen-summary.md"',
            "{",
            '  echo "## What this pull request changes"',
            "  echo",
            '  echo "### Generated files (homeops-gen diff --base BASE --stat)"',
            "  echo",
            "  echo '```'",
            '  homeops-gen diff --base "$BASE_SHA" --stat',
            "  echo '```'",
            "  echo",
            '  echo "### What Flux applies, before and after (kubectl kustomize of each Flux'
            ' path; homeops-gen diff --base BASE --flux)"',
            "  echo",
            '  homeops-gen diff --base "$BASE_SHA" --flux > "$RUNNER_TEMP/homeops-gen-flux.diff"',
            '  if [ -s "$RUNNER_TEMP/homeops-gen-flux.diff" ]; then',
            "    echo '```diff'",
            '    cat "$RUNNER_TEMP/homeops-gen-flux.diff"',
            "    echo '```'",
            "  else",
            '    echo "No change: Flux applies the same objects."',
            "  fi",
            '} > "$summary"',
            f'if [ "$(wc -c < "$summary")" -le {SUMMARY_LIMIT} ]; then',
            '  cat "$summary" >> "$GITHUB_STEP_SUMMARY"',
            "else",
            f'  head -c {cut} "$summary" >> "$GITHUB_STEP_SUMMARY"',
            "  printf '\\n```\\n\\nCut here: a step summary holds 1024k. "
            "Run homeops-gen diff --base %s --flux for the rest.\\n'"
            ' "$BASE_SHA" >> "$GITHUB_STEP_SUMMARY"',
            "fi",
            "",
        ]
    )


def workflow(project: Project) -> dict[str, Any]:
    """The workflow of ``project``."""
    branch = project.cluster.gitops.branch
    on_renovate = "env.RENOVATE_BRANCH == 'true'"
    not_pushed = "steps.regenerate.outputs.pushed != 'true'"
    return {
        "name": "homeops-gen",
        "on": {"pull_request": {"branches": [branch]}, "push": {"branches": [branch]}},
        "permissions": {"contents": "read"},
        "concurrency": {"group": "homeops-gen-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {
            "homeops-gen": {
                "name": "Generated files match cluster.py",
                "runs-on": "ubuntu-latest",
                "env": {
                    "RENOVATE_BRANCH": (
                        f"${{{{ startsWith(github.head_ref, '{RENOVATE_BRANCH_PREFIX}') && "
                        "github.event.pull_request.head.repo.full_name == github.repository }}"
                    )
                },
                "steps": [
                    {
                        "name": "Check out (Renovate's branch itself, to push to it)",
                        "uses": CHECKOUT,
                        "with": {
                            "ref": f"${{{{ {on_renovate} && github.head_ref || '' }}}}",
                            "token": (
                                f"${{{{ {on_renovate} && secrets.{TOKEN_SECRET} || github.token }}}}"
                            ),
                        },
                    },
                    {"uses": SETUP_PYTHON, "with": {"python-version": PYTHON}},
                    {
                        "name": "Install homeops-gen (the version that generated this workflow)",
                        "run": f"python -m pip install {shell_quote(requirement(project.cluster.automation))}",
                    },
                    {
                        "name": "Regenerate and push (Renovate's branches)",
                        "id": "regenerate",
                        "if": on_renovate,
                        "env": {TOKEN_SECRET: f"${{{{ secrets.{TOKEN_SECRET} }}}}"},
                        "run": _regenerate_script(),
                    },
                    {
                        "name": "Generated files match cluster.py",
                        "if": not_pushed,
                        "run": "homeops-gen generate --check",
                    },
                    {
                        "name": "Validate every generated file",
                        "if": not_pushed,
                        "run": "homeops-gen validate",
                    },
                    {
                        "name": "Summarise the change for review (the job summary)",
                        "if": f"github.event_name == 'pull_request' && {not_pushed}",
                        "env": {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"},
                        "run": _summary_script(),
                    },
                ],
            }
        },
    }


def render(project: Project) -> dict[str, str]:
    """The workflow, unless ``automation.github_actions`` is off."""
    if not project.cluster.automation.github_actions:
        return {}
    return {WORKFLOW: yaml_file(workflow(project), schema=SCHEMA)}
