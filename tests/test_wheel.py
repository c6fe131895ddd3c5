"""The built wheel works on its own: installed into a new virtualenv that cannot see this
checkout, run from a folder outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE")
PACKAGES = ("homeops_gen", "generators", "templates")


def _wheel(tmp_path: Path) -> tuple[Path, str]:
    """Build the wheel from a copy of the sources (the build leaves the checkout untouched)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, source / name)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    [wheel] = dist.glob("homeops_gen-*.whl")
    return wheel, build.stdout + build.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A new virtualenv with the wheel and its ``validate`` extra; the build's output."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    wheel, log = _wheel(tmp_path)
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[validate]"],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    return venv, log


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    return subprocess.run(
        [str(venv / "bin" / "homeops-gen"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_build_prints_no_packaging_warnings(installed: tuple[Path, str]) -> None:
    _, log = installed
    for warning in ("absent from the `packages` configuration", "SetuptoolsDeprecationWarning"):
        assert warning not in log


def test_the_installed_package_is_the_wheel_not_the_checkout(
    installed: tuple[Path, str], tmp_path: Path
) -> None:
    venv, _ = installed
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import homeops_gen.apis, homeops_gen.generators as g;"
            "print(homeops_gen.__file__); print(g.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    for path in where.stdout.split():
        assert Path(path).is_relative_to(venv), path
        assert not Path(path).is_relative_to(ROOT), path


def test_the_installed_templates_load_compiled(installed: tuple[Path, str], tmp_path: Path) -> None:
    venv, _ = installed
    loaded = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from homeops_gen.templating import environment;"
            "t = environment().get_template('talos/gen.sh.j2');"
            "print(t.root_render_func.__globals__.get('__name__'))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "homeops_gen.compiled_templates.talos_gen_sh"


def test_every_command_works_outside_the_repository(
    installed: tuple[Path, str], tmp_path: Path
) -> None:
    venv, _ = installed
    assert not tmp_path.is_relative_to(ROOT)
    help_ = _run(venv, tmp_path, "--help")
    assert help_.returncode == 0 and "init" in help_.stdout, help_.stderr
    project = tmp_path / "lab"
    init = _run(venv, tmp_path, "init", "lab")
    assert init.returncode == 0, init.stderr
    diff = _run(venv, project, "diff", "--exit-code")
    assert diff.returncode == 1 and "+++ b/out/infrastructure/root.hcl" in diff.stdout, diff.stderr
    generate = _run(venv, project)
    assert generate.returncode == 0, generate.stderr
    assert (project / "out/infrastructure/shared/proxmox/main.tf").is_file()
    check = _run(venv, project, "generate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert _run(venv, project, "diff", "--exit-code").returncode == 0
    validate = _run(venv, project, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "files valid" in validate.stdout
