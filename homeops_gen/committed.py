"""Files as the last commit (Git's ``HEAD``) holds them: what was reviewed and applied, as
opposed to what an earlier run left in the working tree."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path


def committed_texts(root: Path, paths: Iterable[str], ref: str = "HEAD") -> dict[str, str]:
    """The text at ``ref`` (the last commit by default) of each of ``paths`` (relative to
    ``root``) that is committed there.

    Empty when ``root`` is in no Git repository, nothing is committed yet, or git is not
    installed: then nothing was committed to compare with. One ``git cat-file --batch``
    reads every file.
    """
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    # "HEAD:./PATH" is relative to the folder git runs in (gitrevisions(7)), so a project
    # in a subfolder of its repository reads its own files.
    request = "".join(f"{ref}:./{rel}\n" for rel in wanted).encode()
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "cat-file", "--batch"],
            input=request,
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:  # not a repository
        return {}
    return _parse_batch(proc.stdout, wanted)


def is_commit(root: Path, ref: str) -> bool:
    """Whether ``ref`` names a commit of the Git repository ``root`` is in."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--quiet", "--verify", f"{ref}^{{commit}}"],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def _parse_batch(data: bytes, wanted: list[str]) -> dict[str, str]:
    """``git cat-file --batch`` output, one entry per requested path, in order: a header
    ``<oid> <type> <size>`` and the object's bytes, or ``<request> missing``."""
    texts: dict[str, str] = {}
    at = 0
    for rel in wanted:
        end = data.find(b"\n", at)
        if end < 0:
            break
        header = data[at:end].split()
        at = end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue  # missing (not committed), or ambiguous
        size = int(header[2])
        if header[1] == b"blob":
            texts[rel] = data[at : at + size].decode("utf-8", errors="replace")
        at += size + 1  # the content, then a newline
    return texts
