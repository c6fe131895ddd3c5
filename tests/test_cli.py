"""The command line, in-process: generate, --check, diff, -C, exit codes."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from homeops_gen import __version__
from homeops_gen.cli import COMMANDS, main
from homeops_gen.layout import MANIFEST
from tests.conftest import on_disk, rendered, run, tree


def test_generate_writes_every_file_and_check_passes(nova: Path) -> None:
    result = run("-C", nova)
    assert result.code == 0, result.err
    expected = rendered("nova")
    for path, text in expected.items():
        assert (nova / path).read_text() == on_disk(path, text), path
    assert (nova / MANIFEST).is_file()
    assert run("-C", nova, "generate", "--check").code == 0
    assert run("-C", nova, "--check").code == 0


def test_generate_is_the_default_command(nova: Path) -> None:
    assert run("-C", nova, "generate").code == 0
    before = tree(nova)
    assert run("-C", nova).code == 0
    assert tree(nova) == before


def test_working_directory_is_the_default_project(
    nova: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(nova)
    assert run().code == 0
    assert (nova / "out" / "talos" / "talconfig.yaml").is_file()


def test_check_names_changed_new_and_removed_files(nova: Path) -> None:
    run("-C", nova)
    talconfig = nova / "out/talos/talconfig.yaml"
    talconfig.write_text(talconfig.read_text().replace("nova", "nova2"))
    (nova / "devenv.nix").unlink()
    before = tree(nova)
    result = run("-C", nova, "--check")
    assert result.code == 1
    assert "changed: out/talos/talconfig.yaml" in result.out
    assert "new: devenv.nix" in result.out
    assert tree(nova) == before, "--check writes nothing"


def test_check_reports_files_that_would_disappear(nova: Path) -> None:
    run("-C", nova)
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace('        flux_instance("0.36.0"),\n', ""))
    result = run("-C", nova, "--check")
    assert result.code == 1
    assert "removed: out/kubernetes/apps/flux-system/flux-instance/ks.yaml" in result.out


def test_diff_prints_a_unified_diff_and_writes_nothing(nova: Path) -> None:
    run("-C", nova)
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=5"))
    before = tree(nova)
    result = run("-C", nova, "diff")
    assert result.code == 0
    assert "--- a/out/infrastructure/hosts/hypnos/terragrunt.hcl" in result.out
    assert "+++ b/out/infrastructure/hosts/hypnos/terragrunt.hcl" in result.out
    assert re.search(r"^-      cores += 3$", result.out, re.M)
    assert re.search(r"^\+      cores += 5$", result.out, re.M)
    assert tree(nova) == before


def test_diff_of_a_fresh_project_shows_new_files(nova: Path) -> None:
    result = run("-C", nova, "diff")
    assert "--- /dev/null" in result.out and "+++ b/out/talos/talconfig.yaml" in result.out


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("-C", tmp_path)
    assert result.code == 2
    assert "cluster.py: not found" in result.err
    assert list(tmp_path.iterdir()) == []


def test_diff_exit_code_reports_differences(nova: Path) -> None:
    assert run("-C", nova, "diff", "--exit-code").code == 1
    assert run("-C", nova).code == 0
    assert run("-C", nova, "diff", "--exit-code").code == 0
    assert run("-C", nova, "diff").code == 0, "without --exit-code, diff succeeds"


@pytest.mark.parametrize(
    "args",
    [
        ["--exit-code"],
        ["generate", "--exit-code"],
        ["validate", "--exit-code"],
        ["generate", "elsewhere"],
        ["diff", "--check"],
        ["validate", "--force"],
        ["init", "--strict"],
        ["import"],
    ],
)
def test_options_that_do_not_go_with_the_command_are_refused(
    nova: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(nova)
    with pytest.raises(SystemExit) as caught:
        main(["-C", str(nova), *args])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "usage: homeops-gen" in err
    assert tree(nova) == before


def test_an_option_of_another_command_names_the_command_it_was_given_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--exit-code"])
    err = capsys.readouterr().err
    assert err.startswith("usage: homeops-gen generate [-h]")
    assert (
        "unrecognized arguments: --exit-code (homeops-gen generate --help lists its options)" in err
    )


HELP_OPTIONS = {
    "generate": ["--check", "--force", "--strict", "-C DIR", "--debug"],
    "diff": ["--exit-code", "--strict", "-C DIR", "--debug"],
    "validate": ["--strict", "--online", "-C DIR", "--debug"],
    "init": ["DIR", "-C DIR", "--debug"],
    "import": ["SOURCE", "--force", "-C DIR", "--debug"],
    "compare": ["SOURCE", "-C DIR", "--debug"],
}
ALL_OPTIONS = {"--check", "--force", "--strict", "--exit-code", "--online"}


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: homeops-gen {command} ")
    for option in HELP_OPTIONS[command]:
        assert option in text, option
    for option in ALL_OPTIONS - set(HELP_OPTIONS[command]):
        assert option not in text, f"{command} --help shows {option}"


def test_the_main_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert all(re.search(rf"^    {c} +\S", text, re.M) for c in COMMANDS), text
    assert "--exit-code" not in text and "--check" in text  # --check only as the default's


@pytest.mark.parametrize(
    "args",
    [
        ["--check"],
        ["--check", "-C", "{nova}"],
        ["-C", "{nova}", "--check"],
        ["generate", "--check", "-C", "{nova}"],
    ],
)
def test_options_go_before_or_after_the_command(
    nova: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(nova)
    result = run(*[a.format(nova=nova) for a in args])
    assert result.code == 1 and "out of date" in result.out, result


def test_validate_command_runs_every_check(nova: Path) -> None:
    result = run("-C", nova, "validate")
    assert result.code == 0, result.err
    assert f"{len(rendered('nova'))} files valid" in result.out
    assert not (nova / "out").exists(), "validate writes nothing"


def test_generated_script_is_executable(nova: Path) -> None:
    run("-C", nova)
    assert os.access(nova / "out/talos/apply.sh", os.X_OK)
    assert not os.access(nova / "out/talos/talconfig.yaml", os.X_OK)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"homeops-gen {__version__}\n"


def test_the_version_constant_is_the_installed_version() -> None:
    """pyproject.toml reads the constant, so the metadata pip installed says the same."""
    from importlib.metadata import version

    assert version("homeops-gen") == __version__


def test_committed_out_is_what_cluster_py_generates() -> None:
    from tests.conftest import ROOT

    result = run("-C", ROOT, "generate", "--check")
    assert result.code == 0, f"run `make generate` and commit out/:\n{result.out}"


def test_missing_kubectl_is_a_missing_tool_not_a_validation_failure(
    nova: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run("validate", "-C", nova)
    assert result.code == 3
    assert "kubectl not found" in result.err and "homeops-gen[validate]" in result.err
    assert "failed validation" not in result.err


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_import_no_pipeline(option: str) -> None:
    """They answer before pydantic, jinja2, PyYAML or any generator is imported."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from homeops_gen.cli import main\n"
        "try:\n"
        f"    main([{option!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['pydantic', 'jinja2', 'yaml', 'homeops_gen.model', 'homeops_gen.pipeline']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
    assert "homeops-gen" in proc.stdout


def test_check_imports_neither_the_importer_nor_the_hcl_parser(nova: Path) -> None:
    """``generate --check`` runs on every save: the importer (black, python-hcl2) waits for
    ``import``, the HCL parser for ``validate``."""
    import subprocess

    script = (
        "import sys\n"
        "from homeops_gen.cli import main\n"
        f"main(['-C', {str(nova)!r}, 'generate'])\n"
        "heavy = ['homeops_gen.importer', 'black', 'hcl2', 'lark']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


def test_the_command_flushes_its_output_and_exit_code_before_ending_at_once(nova: Path) -> None:
    """``run`` skips the interpreter's teardown: what it printed and its code still arrive."""
    import subprocess

    command = [sys.executable, "-m", "homeops_gen", "-C", str(nova), "generate", "--check"]
    stale = subprocess.run(command, capture_output=True, text=True)
    assert stale.returncode == 1
    assert stale.stdout.rstrip().endswith("out of date; run homeops-gen")
    run("-C", nova)
    fresh = subprocess.run(command, capture_output=True, text=True)
    assert (fresh.returncode, fresh.stdout) == (0, "")
