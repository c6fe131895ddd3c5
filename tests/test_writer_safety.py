"""The writer against hostile or careless inputs: a tampered manifest, symbolic links, two
runs at once, a disk that refuses writes."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from homeops_gen import writer
from homeops_gen.layout import LOCK, MANIFEST
from homeops_gen.writer import TMP_SUFFIX, digest
from tests.conftest import ROOT, run, tree


def _manifest_with(project: Path, entries: dict[str, str]) -> None:
    path = project / MANIFEST
    record = json.loads(path.read_text())
    record["files"].update(entries)
    path.write_text(json.dumps(record, indent=2) + "\n")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of the user's outside the project, as a private key would be."""
    path = tmp_path / "id_ed25519"
    path.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-bytes\n")
    return path


def _entries_pointing_at(nova: Path, victim: Path) -> list[str]:
    return [
        os.path.relpath(victim, nova),  # ../id_ed25519
        str(victim),  # absolute
        ".git/HEAD",
        "cluster.py",
        "out/../cluster.py",
        "out//talos/./talconfig.yaml",
        "out/talos/talsecret.sops.yaml",  # the cluster's secrets: talos-gen makes them
    ]


@pytest.mark.parametrize("index", range(7))
def test_manifest_entry_outside_what_homeops_gen_writes_is_refused(
    nova: Path, victim: Path, index: int
) -> None:
    assert run("-C", nova).code == 0
    (nova / ".git").mkdir()
    (nova / ".git/HEAD").write_text("ref: refs/heads/main\n")
    entry = _entries_pointing_at(nova, victim)[index]
    (nova / "out/talos/talsecret.sops.yaml").write_text("cluster: {}\n")
    target = victim if entry.startswith(("/", "..")) else nova / entry
    content = target.read_text() if target.is_file() else ""
    # The real hash: a plain run would delete it as a file it no longer generates.
    _manifest_with(nova, {entry: digest(content)})
    before, outside = tree(nova), victim.read_bytes()
    for args in ((), ("--check",), ("diff",)):
        result = run("-C", nova, *args)
        assert result.code == 1, (args, result)
        assert repr(entry) in result.err and "Traceback" not in result.err
        assert "secret-bytes" not in result.out + result.err, "diff never shows such a file"
        assert "ref: refs" not in result.out + result.err
    assert tree(nova) == before and victim.read_bytes() == outside


def test_every_root_file_generated_is_one_the_manifest_may_name(nova: Path) -> None:
    from homeops_gen.layout import OUT, ROOT_FILES
    from tests.conftest import MODELS, rendered

    for name in MODELS:
        outside = {p for p in rendered(name) if not p.startswith(f"{OUT}/")}
        assert outside <= set(ROOT_FILES), name


def _outside_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "helmfile.yaml").write_text("mine: true\n")
    return folder


def test_a_symlinked_output_folder_is_refused_and_its_files_are_untouched(
    nova: Path, tmp_path: Path
) -> None:
    elsewhere = _outside_folder(tmp_path)
    (nova / "out").mkdir()
    (nova / "out/bootstrap").symlink_to(elsewhere)
    for args in ((), ("--check",), ("diff",)):
        result = run("-C", nova, *args)
        assert result.code == 1, (args, result.err)
        assert "out/bootstrap: a symbolic link" in result.err, result.err
        assert "new: out/bootstrap/helmfile.yaml" not in result.out
    assert (elsewhere / "helmfile.yaml").read_text() == "mine: true\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["helmfile.yaml"]


def test_a_symlinked_out_folder_gets_not_even_the_lock(nova: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (nova / "out").symlink_to(elsewhere)
    result = run("-C", nova)
    assert result.code == 1 and "out: a symbolic link" in result.err, result.err
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_folder_of_an_earlier_output_is_refused(nova: Path, tmp_path: Path) -> None:
    assert run("-C", nova).code == 0
    elsewhere = _outside_folder(tmp_path)
    apps = nova / "out/kubernetes/apps/flux-system"
    for child in sorted(apps.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    apps.rmdir()
    apps.symlink_to(elsewhere)
    result = run("-C", nova)
    assert result.code == 1
    assert "out/kubernetes/apps/flux-system: a symbolic link" in result.err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["helmfile.yaml"]


def test_a_generated_root_file_that_is_a_symlink_is_refused(nova: Path, tmp_path: Path) -> None:
    dotfile = tmp_path / "dotfiles-sops.yaml"
    dotfile.write_text("creation_rules: []\n")
    (nova / ".sops.yaml").symlink_to(dotfile)
    result = run("-C", nova)
    assert result.code == 1
    assert ".sops.yaml: a symbolic link" in result.err and str(dotfile) in result.err
    assert (nova / ".sops.yaml").is_symlink(), "not silently replaced by a regular file"
    assert dotfile.read_text() == "creation_rules: []\n"


def test_a_lock_held_by_another_run_stops_the_run_naming_its_process(
    nova: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("-C", nova).code == 0
    monkeypatch.setattr(writer, "LOCK_WAIT", 0.2)
    fd = os.open(nova / LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242\n")
        before = tree(nova)
        for args in ((), ("--check",), ("diff",)):
            result = run("-C", nova, *args)
            assert result.code == 2, (args, result)
            assert "process 4242" in result.err and LOCK in result.err
        assert tree(nova) == before
    finally:
        os.close(fd)
    assert run("-C", nova).code == 0, "a lock nobody holds is taken (a killed run leaves it)"
    assert not (nova / LOCK).exists(), "released and removed at the end of the run"


def test_overlapping_runs_each_finish_whole(nova: Path) -> None:
    model = nova / "cluster.py"
    other = nova.parent / "other"
    other.mkdir()
    (other / "cluster.py").write_text(model.read_text().replace("cores=3", "cores=5"))
    code = (
        "import shutil, sys\n"
        "from homeops_gen.cli import main\n"
        "shutil.copy(sys.argv[2], sys.argv[1] + '/cluster.py') if sys.argv[2] != '-' else None\n"
        "sys.exit(main(['-C', sys.argv[1], '--force']))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(nova), "-" if i % 2 else str(other / "cluster.py")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for returncode, err in outcomes:
        assert returncode == 0 and "Traceback" not in err, err
    assert not list(nova.rglob(f"*{TMP_SUFFIX}")) and not (nova / LOCK).exists()
    assert run("-C", nova, "--check").code == 0


def test_a_users_file_named_like_a_temporary_is_kept(nova: Path) -> None:
    assert run("-C", nova).code == 0
    mine = [nova / f"notes{TMP_SUFFIX}", nova / f"out/talos/notes{TMP_SUFFIX}"]
    for path in mine:
        path.write_text("mine\n")
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=4"))
    assert run("-C", nova).code == 0
    assert [p.read_text() for p in mine] == ["mine\n", "mine\n"]


def _error_lines(err: str) -> list[str]:
    """stderr without the model's warnings."""
    return [line for line in err.strip().splitlines() if not line.startswith("warning[")]


def _failing(
    real: Callable[..., Any], error: int, when: Callable[[tuple[Any, ...]], bool]
) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        if when(args):
            raise OSError(error, os.strerror(error))
        return real(*args, **kwargs)

    return fail


@pytest.fixture
def changed_nova(nova: Path) -> Iterator[Path]:
    """nova, generated once, with a model change waiting to be written."""
    assert run("-C", nova).code == 0
    model = nova / "cluster.py"
    model.write_text(model.read_text().replace("cores=3", "cores=4").replace('"nova"', '"nova2"'))
    yield nova


@pytest.mark.parametrize(
    ("function", "error", "reason"),
    [
        ("write", errno.ENOSPC, "No space left on device"),
        ("open", errno.EROFS, "Read-only file system"),
        ("replace", errno.EPERM, "Operation not permitted"),
    ],
)
def test_a_disk_error_is_one_line_naming_the_file_and_leaves_no_temporary(
    changed_nova: Path, monkeypatch: pytest.MonkeyPatch, function: str, error: int, reason: str
) -> None:
    before = tree(changed_nova)
    real = getattr(os, function)
    when = {
        "open": lambda a: TMP_SUFFIX in str(a[0]),
        "write": lambda a: a[0] > 2,  # not stdout or stderr
        "replace": lambda a: True,
    }[function]
    monkeypatch.setattr(os, function, _failing(real, error, when))
    result = run("-C", changed_nova)
    monkeypatch.undo()
    assert result.code == 2, result
    lines = _error_lines(result.err)
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert reason in lines[0] and "cannot write" in lines[0]
    named = lines[0].removeprefix("homeops-gen: ").split(":")[0]
    assert named in before or named.startswith("out/"), lines[0]
    assert TMP_SUFFIX not in lines[0]
    assert not list(changed_nova.rglob(f"*{TMP_SUFFIX}")), "temporary files are cleaned up"
    if function != "replace":
        assert tree(changed_nova) == before, "nothing was renamed into place"
    assert run("-C", changed_nova).code == 0


def test_a_disk_error_in_the_middle_of_renames_says_the_next_run_finishes(
    changed_nova: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = os.replace

    def third_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO), src, None, dst)
        real(src, dst)

    monkeypatch.setattr(os, "replace", third_fails)
    result = run("-C", changed_nova)
    monkeypatch.undo()
    assert result.code == 2 and "next run" in result.err, result.err
    assert os.path.relpath(calls[2], changed_nova) in result.err
    assert not list(changed_nova.rglob(f"*{TMP_SUFFIX}"))
    assert run("-C", changed_nova).code == 0
    assert run("-C", changed_nova, "--check").code == 0


def test_init_on_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", _failing(os.write, errno.ENOSPC, lambda a: a[0] > 2))
    result = run("init", tmp_path / "new")
    monkeypatch.undo()
    assert result.code == 2 and "No space left on device" in result.err
    assert len(_error_lines(result.err)) == 1, result.err
    assert not list((tmp_path / "new").rglob(f"*{TMP_SUFFIX}"))


def _make_unwritable(folder: Path) -> Callable[[], None] | None:
    """Make ``folder`` refuse new files for real: immutable (``chattr +i``, which binds root
    too), or read-only permissions for another user; the undo, or None when neither works."""
    import shutil

    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0:

        def mutable() -> None:
            subprocess.run([chattr, "-i", str(folder)], check=True)

        return mutable
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    return None


def test_an_immutable_folder_is_one_line_and_nothing_changes(changed_nova: Path) -> None:
    """The real thing, not a stand-in: the kernel refuses the temporary file."""
    folder = changed_nova / "out/talos"
    before = tree(changed_nova)
    undo = _make_unwritable(folder)
    if undo is None:
        pytest.skip("running as root where chattr +i is not supported: fault injection above")
    try:
        result = run("-C", changed_nova)
    finally:
        undo()
    assert result.code == 2, result
    lines = _error_lines(result.err)
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert lines[0].startswith("homeops-gen: out/talos/"), lines[0]
    assert "cannot write" in lines[0] and "nothing was changed" in lines[0]
    assert not list(changed_nova.rglob(f"*{TMP_SUFFIX}"))
    assert tree(changed_nova) == before
