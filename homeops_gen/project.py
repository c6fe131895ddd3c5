"""Loading a project: run its ``cluster.py``, check the model and the files it refers to, and
keep what those files say beside the model (:class:`Project`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from homeops_gen.deployment import Deployment
from homeops_gen.errors import LoadError, ModelError
from homeops_gen.examples import example_values, mentions_marker
from homeops_gen.layout import MODEL_FILE
from homeops_gen.locations import located, object_lines
from homeops_gen.model import Cluster
from homeops_gen.references import reference_problems, variable_problems
from homeops_gen.rules import check_cluster
from homeops_gen.run_model import run_model
from homeops_gen.user_files import read_pull_secret, read_user_files, talos_secrets_recipients


@dataclass(frozen=True)
class Project:
    """A loaded, valid model plus the user-owned files it refers to (path -> text)."""

    cluster: Cluster
    user_files: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    pull_secret_name: str | None = None
    """The ``metadata.name`` of ``gitops.pull_secret``, read from its file (which the
    FluxInstance names)."""

    @cached_property
    def deployment(self) -> Deployment:
        """The apps as deployed, with what the project's files say (the pull secret's name)."""
        return Deployment(self.cluster, self.pull_secret_name)


def load(root: Path, *, strict: bool = False) -> Project:
    """Run ``root/cluster.py`` and return its validated model.

    Raises :class:`LoadError` when the file cannot run or defines no ``cluster``,
    and :class:`ModelError` listing every ``path: reason`` when the model is invalid.
    With ``strict``, warnings are errors too.
    """
    path = root / MODEL_FILE
    if not path.is_file():
        raise LoadError(
            f"{path}: not found (run homeops-gen in the folder of cluster.py, or use -C)"
        )
    lines: dict[int, int] = {}
    cluster = run_model(path, lines)
    problems = check_cluster(cluster)
    source = path.read_text(encoding="utf-8")
    if mentions_marker(source):
        problems += example_values(cluster, source)
    user_files, file_problems = read_user_files(root, cluster)
    problems += file_problems
    pull_secret_name, pull_secret_problem = read_pull_secret(root, cluster)
    if pull_secret_problem:
        problems.append(pull_secret_problem)
    # one deployment for both checks (each builds its apps only if it needs them)
    deployment = Deployment(cluster, pull_secret_name)
    problems += reference_problems(deployment, user_files)
    problems += talos_secrets_recipients(root, cluster)
    problems += variable_problems(deployment, user_files)
    accepted = set(cluster.accept_warnings)
    problems = [p for p in problems if p.error or p.code not in accepted]
    errors = [p for p in problems if p.error or strict]
    # Only a problem needs the lines of the objects it names: no walk of the model otherwise.
    where = object_lines(cluster, lines) if problems else {}
    if errors:
        raise ModelError([located(p, cluster, where) for p in errors])
    warnings = tuple(located(p, cluster, where) for p in problems if not p.error)
    return Project(cluster, user_files, warnings, pull_secret_name)
