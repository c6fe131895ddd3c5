"""Running a project's ``cluster.py``: the :class:`Cluster` it defines, the line each model
object was built on, and what the code raised or printed kept out of the command's output."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from homeops_gen.errors import LoadError
from homeops_gen.locations import line_recorder, user_position, validation_error
from homeops_gen.model import ON_CREATE, Cluster


def run_model(path: Path, lines: dict[int, int]) -> Cluster:
    """Run ``path`` (a project's cluster.py) and return the cluster it defines; ``lines`` gets
    the line each model object was built on (by the object's id). Raises :class:`LoadError`
    when the code fails or defines no cluster, ``ModelError`` when a model object is
    invalid."""
    try:
        source = path.read_text(encoding="utf-8")
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise LoadError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read: {exc}") from exc
    namespace: dict[str, object] = {"__name__": "cluster", "__file__": str(path)}
    # Like running a script: modules beside cluster.py can be imported.
    sys.path.insert(0, str(path.parent))
    filename = str(path)

    made: Counter[tuple[str, int]] = Counter()  # (model type, line) -> objects made there
    token = ON_CREATE.set(line_recorder(filename, lines, made))
    try:
        with _model_running():
            exec(code, namespace)
    except ValidationError as exc:
        raise validation_error(exc, path, source, namespace, made) from exc
    except (Exception, SystemExit) as exc:  # the user's code may raise anything
        raise _load_error(exc, path) from exc
    finally:
        ON_CREATE.reset(token)
        sys.path.remove(str(path.parent))
    if "cluster" not in namespace:
        raise LoadError(f"{path}: defines no variable 'cluster' (expected cluster = Cluster(...))")
    cluster = namespace["cluster"]
    if not isinstance(cluster, Cluster):
        raise LoadError(
            f"{path}: 'cluster' is a {type(cluster).__name__}, expected homeops_gen.Cluster"
        )
    return cluster


def _load_error(exc: BaseException, path: Path) -> LoadError:
    """What the user's code raised, at its line in cluster.py."""
    position = user_position(exc, path)
    where = f"{path}:{position[0]}" if position else str(path)
    if isinstance(exc, _EndedProcess):
        return LoadError(f"{where}: {exc}; nothing was generated or checked")
    return LoadError(f"{where}: {type(exc).__name__}: {exc}")


class _EndedProcess(Exception):
    """The model's code called ``os._exit``: the run must fail, not end as if it passed."""


@contextmanager
def _model_running() -> Iterator[None]:
    """While the model's code runs: what it prints goes to stderr (never into ``diff``'s
    patch or ``--check``'s report), and ``os._exit`` raises instead of ending the process.

    (``homeops-gen`` runs in a child process that reports its result, so a model that ends
    the process another way still fails the command: see :func:`homeops_gen.cli.run`.)
    """

    def refuse_exit(code: int) -> NoReturn:
        raise _EndedProcess(f"the model called os._exit({code}) to end the process")

    # os and posix (os._exit is posix._exit), typed loosely to swap a function of each.
    modules: list[Any] = [m for m in (os, sys.modules.get("posix")) if m is not None]
    exits = [(module, module._exit) for module in modules]
    for module in modules:
        module._exit = refuse_exit
    stdout = sys.stdout
    try:
        stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        saved = None
    if saved is not None:
        os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = stdout
        if saved is not None:
            try:
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 1)
            os.close(saved)
        for module, original in exits:
            module._exit = original
