"""A model that ends the process, or prints, never makes a run look like it passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run

ENDINGS = {
    "os._exit": "import os\nos._exit(0)\n",
    "posix._exit": "import posix\nposix._exit(0)\n",
    "libc _exit": "import ctypes\nctypes.CDLL(None)._exit(0)\n",
    "SIGKILL": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
}


def _command(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as CI runs it (a fresh process through ``cli.run``)."""
    return subprocess.run(
        [sys.executable, "-m", "homeops_gen", "-C", str(project), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_a_model_ending_the_process_fails_check(nova: Path, ending: str) -> None:
    model = nova / "cluster.py"
    model.write_text(model.read_text() + ENDINGS[ending])
    proc = _command(nova, "generate", "--check")
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "nothing was checked" in proc.stderr or "nothing was generated or checked" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_os_exit_in_the_model_is_a_load_error_naming_its_line(nova: Path) -> None:
    model = nova / "cluster.py"
    text = model.read_text() + "import os\nos._exit(0)\n"
    model.write_text(text)
    result = run("-C", nova, "generate", "--check")
    assert result.code == 2
    assert f"cluster.py:{text.count(chr(10))}: the model called os._exit(0)" in result.err


def test_what_a_model_prints_goes_to_stderr_never_into_the_patch(nova: Path) -> None:
    model = nova / "cluster.py"
    model.write_text(
        "import os, sys\nprint('hello from print')\nos.write(1, b'hello from fd 1\\n')\n"
        "sys.stdout.write('hello from sys.stdout\\n')\n" + model.read_text()
    )
    in_process = run("-C", nova, "diff")
    command = _command(nova, "diff")
    assert command.returncode == 0, command.stderr
    for out, err in ((in_process.out, in_process.err), (command.stdout, command.stderr)):
        assert out.startswith("--- /dev/null"), out[:200]
        assert "hello" not in out
        for line in ("hello from print", "hello from sys.stdout"):
            assert line in err
    assert "hello from fd 1" in command.stderr
