"""Loading a project: run its ``cluster.py``, check the model, read the files it refers to."""

from __future__ import annotations

import ast
import os
import re
import sys
import typing
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from homeops_gen import messages
from homeops_gen.deployment import Deployment
from homeops_gen.errors import LoadError, ModelError
from homeops_gen.deployment import (
    WEBHOOK_SECRET,
    WEBHOOK_TOKEN_KEY,
    helper_secrets,
    webhook_app,
)
from homeops_gen.examples import example_values, mentions_marker
from homeops_gen.layout import MODEL_FILE, TALSECRET
from homeops_gen.layout import FLUX_NAMESPACE
from homeops_gen.model import ON_CREATE, Base, Cluster
from homeops_gen.references import reference_problems, variable_problems
from homeops_gen.rules import NAMESPACE_RESOURCE, Problem, check_cluster, unsubstituted, warning
from homeops_gen.secrets import (
    ENCRYPT_HOW,
    age_recipients_of,
    credential_problem,
    is_sops_encrypted,
    sops_problem,
)


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
    cluster = _run(path, lines)
    problems = check_cluster(cluster)
    source = path.read_text(encoding="utf-8")
    if mentions_marker(source):
        problems += example_values(cluster, source)
    user_files, file_problems = _read_user_files(root, cluster)
    problems += file_problems
    pull_secret_name, pull_secret_problem = _pull_secret_name(root, cluster)
    if pull_secret_problem:
        problems.append(pull_secret_problem)
    problems += reference_problems(cluster, user_files, pull_secret_name)
    problems += _talos_secrets_recipients(root, cluster)
    problems += variable_problems(cluster, user_files)
    accepted = set(cluster.accept_warnings)
    problems = [p for p in problems if p.error or p.code not in accepted]
    errors = [p for p in problems if p.error or strict]
    # Only a problem needs the lines of the objects it names: no walk of the model otherwise.
    where = _object_lines(cluster, lines) if problems else {}
    if errors:
        raise ModelError([_located(p, cluster, where) for p in errors])
    warnings = tuple(_located(p, cluster, where) for p in problems if not p.error)
    return Project(cluster, user_files, warnings, pull_secret_name)


def _pull_secret_name(root: Path, cluster: Cluster) -> tuple[str | None, Problem | None]:
    """The ``metadata.name`` of ``gitops.pull_secret``: an encrypted Secret for flux-system."""
    rel = cluster.gitops.pull_secret
    if rel is None or not rel.endswith((".sops.yaml", ".sops.yml")):
        return None, None
    if outside := _outside_the_project(root, rel):
        return None, Problem("gitops.pull_secret", outside)
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except FileNotFoundError:
        reason: str | None = f"{rel} does not exist"
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"cannot read {rel}: {exc}"
    else:
        name, reason = _flux_secret_name(rel, text)
        if reason is None:
            reason = _pull_secret_keys(rel, text, cluster.gitops.repository)
        if reason is None:
            return name, recipients_problem("gitops.pull_secret", rel, text, cluster)
    return None, Problem("gitops.pull_secret", str(reason))


def _flux_secret_name(rel: str, text: str) -> tuple[str | None, str | None]:
    """The name of the one encrypted Secret for flux-system in ``text``, or why it is not."""
    if reason := _secret_problem(rel, text):
        return None, reason
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    secret = documents[0] if len(documents) == 1 else None
    if not isinstance(secret, dict) or secret.get("kind") != "Secret":
        return None, f"{rel} must hold exactly one Kubernetes Secret"
    metadata = secret.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name")
    if not isinstance(name, str) or not name or name.startswith("ENC["):
        return None, (
            f"{rel} needs a plain metadata.name (encrypt only data/stringData, as .sops.yaml's "
            "rule does): the FluxInstance names the Secret"
        )
    if metadata.get("namespace") not in (None, FLUX_NAMESPACE):
        return None, (
            f"{rel} is in namespace {metadata.get('namespace')!r}: Flux reads it from "
            f"{FLUX_NAMESPACE!r} (leave metadata.namespace out or set it to flux-system)"
        )
    return name, None


def _pull_secret_keys(rel: str, text: str, repository: str) -> str | None:
    """Why Flux could not authenticate with the pull secret's keys, or None.

    SOPS encrypts the values only, so the keys can be read. fluxcd/pkg ``git/options.go``
    (``NewAuthOptions``, ``Validate``): ssh needs ``identity`` and ``known_hosts``; https takes
    ``bearerToken``, or ``username`` and ``password`` (a password without a username is refused),
    or a client certificate (``tls.crt`` and ``tls.key``).
    """
    secret = next(d for d in yaml.safe_load_all(text) if d is not None)
    keys = {
        str(key)
        for field in ("data", "stringData")
        if isinstance(secret.get(field), dict)
        for key in secret[field]
    }
    have = ", ".join(sorted(keys)) or "none"
    if repository.startswith("ssh://"):
        missing = [k for k in ("identity", "known_hosts") if k not in keys]
        if missing:
            return (
                f"{rel} has no {' and no '.join(repr(k) for k in missing)} key (it has: {have}): "
                f"Flux refuses an ssh:// sync without them ('{missing[0]}' is required); add the "
                "deploy key as 'identity' and the server's host keys (ssh-keyscan) as "
                "'known_hosts'"
            )
        return None
    if "password" in keys and "username" not in keys and "bearerToken" not in keys:
        return (
            f"{rel} has 'password' but no 'username' (it has: {have}): Flux refuses it "
            "('password' requires 'username' to be set); add 'username' (for GitHub, any "
            "non-empty name such as git)"
        )
    if "bearerToken" in keys or {"username", "password"} <= keys or {"tls.crt", "tls.key"} <= keys:
        return None
    return (
        f"{rel} has no credentials Flux uses for an https:// repository (it has: {have}): give "
        "'username' and 'password' (a token), or 'bearerToken'"
    )


def _located(problem: Problem, cluster: Cluster, where: dict[str, int]) -> str:
    """The problem, naming the object it is about and its line in cluster.py."""
    steps = re.finditer(r"[A-Za-z_]+(\[\d+\])?", problem.path)
    prefixes = [problem.path[: step.end()] for step in steps]
    path = next((p for p in reversed(prefixes) if p in where), None)
    if problem.line is not None:
        return f"{problem} ({MODEL_FILE}:{problem.line})"
    if path is None:
        return str(problem)
    obj = _object_at(cluster, path)
    name = getattr(obj, "name", None)
    kind = next(c for c in type(obj).__mro__ if Base in c.__bases__).__name__.lower()
    what = f"{kind} {name!r}, " if isinstance(name, str) else ""
    return f"{problem} ({what}{MODEL_FILE}:{where[path]})"


def _object_at(cluster: Cluster, path: str) -> object:
    obj: object = cluster
    for name, index in re.findall(r"([A-Za-z_]+)(?:\[(\d+)\])?", path):
        obj = getattr(obj, name)
        if index:
            obj = obj[int(index)]  # type: ignore[index]
    return obj


def _object_lines(cluster: Cluster, lines: dict[int, int]) -> dict[str, int]:
    """``{path: line}`` of every model object of ``cluster`` built in cluster.py (``nodes[1]``)."""
    found: dict[str, int] = {}

    def visit(obj: object, path: str) -> None:
        if isinstance(obj, Base):
            if path and id(obj) in lines:
                found[path] = lines[id(obj)]
            for name in type(obj).model_fields:
                visit(getattr(obj, name), f"{path}.{name}" if path else name)
        elif isinstance(obj, tuple):
            for i, item in enumerate(obj):
                visit(item, f"{path}[{i}]")

    visit(cluster, "")
    return found


def _run(path: Path, lines: dict[int, int]) -> Cluster:
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

    def record(obj: BaseModel) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != filename:
            frame = frame.f_back  # type: ignore[assignment]
        if frame is not None:
            lines[id(obj)] = frame.f_lineno
            made[type(obj).__name__, frame.f_lineno] += 1

    token = ON_CREATE.set(record)
    try:
        with _model_running():
            exec(code, namespace)
    except ValidationError as exc:
        tree = ast.parse(source)
        position, call, prefix = _failed_item(tree, _user_positions(exc, path), exc.title, made)
        prefix += _helper_prefix(call, exc.title, namespace)
        root = _model_named(exc.title)
        errors = exc.errors()
        skip = messages.superseded(errors, root)
        item = _item_words(prefix, call, position)
        raise ModelError(
            [
                f"{prefix}{_loc(err['loc'])}: {messages.describe(err, root)}"
                f"{item or _item_in_call(call, err['loc'])}"
                for i, err in enumerate(errors)
                if i not in skip
            ],
            where=f"{path}:{position[0]}" if position else None,
        ) from exc
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
    position = _user_position(exc, path)
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


def _model_named(title: str) -> type[BaseModel]:
    """The model type a validation error is about (``Cluster``, ``Node``, ...)."""
    found: list[type[BaseModel]] = [Base]
    for model in found:
        if model.__name__ == title:
            return model
        found.extend(model.__subclasses__())
    return Cluster


def _helper_prefix(call: ast.Call | None, title: str, namespace: dict[str, object]) -> str:
    """The path inside what a helper returns, when a helper (``cilium(...)``) failed to build
    a nested model: ``chart.`` for the ``Chart`` inside the ``App`` it returns."""
    helper = namespace.get(_call_name(call)) if call is not None else None
    if helper is None or isinstance(helper, type) or not callable(helper):
        return ""
    try:
        returned = typing.get_type_hints(helper).get("return")
    except (NameError, TypeError):
        return ""
    outer = messages.model_class(returned)
    inner = messages.path_to(outer, title) if outer is not None else ""
    return f"{inner}." if inner else ""


def _call_at(tree: ast.AST, position: tuple[int, int | None] | None) -> ast.Call | None:
    """The call written at ``position`` of the parsed source."""
    if position is None:
        return None
    line, column = position
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno == line and node.col_offset == column:
            return node
    return None


def _loc(loc: tuple[int | str, ...]) -> str:
    """``nodes[1].labels['a b']`` for pydantic's ``('nodes', 1, 'labels', 'a b', '[key]')``."""
    text = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        elif i + 1 < len(loc) and loc[i + 1] == "[key]":
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


def _user_position(exc: BaseException, path: Path) -> tuple[int, int | None] | None:
    """The line and column of the innermost call in the user's file on ``exc``'s traceback."""
    import traceback  # only a refused model needs it

    position = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path and frame.lineno is not None:
            position = (frame.lineno, frame.colno)
    return position


Position = tuple[int, int | None]


def _user_positions(exc: BaseException, path: Path) -> list[Position]:
    """The line and column of each call in the user's file on ``exc``'s traceback, outermost
    first."""
    import traceback  # only a refused model needs it

    return [
        (frame.lineno, frame.colno)
        for frame in traceback.extract_tb(exc.__traceback__)
        if Path(frame.filename) == path and frame.lineno is not None
    ]


def _failed_item(
    tree: ast.AST, positions: list[Position], title: str, made: Counter[tuple[str, int]]
) -> tuple[Position | None, ast.Call | None, str]:
    """Where the object that failed to build sits in the cluster: the outermost call of the
    traceback written inside ``Cluster(...)`` (a helper such as ``_node(...)`` in ``nodes=[...]``),
    that call, and its field path (``nodes[2].``). A ``Node(...)`` fails before the cluster
    exists, so pydantic only knows the field inside the node: the call's place in the source
    tells which list entry it is. Else the innermost call, and the type's name (``Node.``)."""
    for position in positions:
        call = _call_at(tree, position)
        found = _path_in_cluster(tree, call, made, title, position) if call else None
        if found is not None:
            return position, call, found or ("" if title == "Cluster" else f"{title}.")
    last = positions[-1] if positions else None
    return last, _call_at(tree, last), "" if last is None or title == "Cluster" else f"{title}."


def _path_in_cluster(
    tree: ast.AST, call: ast.Call, made: Counter[tuple[str, int]], title: str, at: Position
) -> str | None:
    """``nodes[2].`` for a call written in ``Cluster(nodes=[a, b, call])``; None when the call
    is not inside a ``Cluster(...)``. In a list comprehension the item's index is how many
    objects of its type the same line made before it failed."""
    parents = {child: outer for outer in ast.walk(tree) for child in ast.iter_child_nodes(outer)}
    node: ast.AST = call
    parts: list[str] = []
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Call) and _call_name(parent) in _ROOT_CALLS:
            if parent is call:
                return None
            text = "".join(parts).lstrip(".")
            return f"{text}." if text else ""
        if isinstance(parent, ast.ListComp) and node is parent.elt:
            parts.insert(0, f"[{made[title, at[0]]}]")
        else:
            _add_step(parent, node, parts)
        node = parent
    return None


def _item_words(prefix: str, call: ast.Call | None, position: Position | None) -> str:
    """`` (node 'k8s-0', cluster.py:88)`` for an item of a list of the cluster, as rule errors
    name it: its name as written in the call (``name=`` or a helper's first argument)."""
    match = re.fullmatch(r"([a-z_]+)\[\d+\]\.", prefix)
    if match is None or position is None:
        return ""
    kind = match.group(1).rstrip("s")
    name = None
    if call is not None:
        named = [k.value for k in call.keywords if k.arg == "name"]
        if named and isinstance(named[0], ast.Constant):
            name = named[0].value
        elif call.args and isinstance(call.args[0], ast.Constant):
            name = call.args[0].value
    what = f"{kind} {name!r}, " if isinstance(name, str) else ""
    return f" ({what}{MODEL_FILE}:{position[0]})"


def _item_in_call(call: ast.Call | None, loc: tuple[int | str, ...]) -> str:
    """`` (node 'cp-1', cluster.py:12)`` for an error at ``nodes[0]...`` of a ``Cluster(...)`` or
    ``Cluster.model_validate({...})`` call whose list is written out in the source."""
    if call is None or len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
        return ""
    fields: dict[str, ast.expr] = {k.arg: k.value for k in call.keywords if k.arg}
    if call.args and isinstance(call.args[0], ast.Dict):
        fields |= _dict_fields(call.args[0])
    items = fields.get(loc[0])
    if not isinstance(items, (ast.List, ast.Tuple)) or loc[1] >= len(items.elts):
        return ""
    item = items.elts[loc[1]]
    if isinstance(item, ast.Call):
        named = [k.value for k in item.keywords if k.arg == "name"]
    elif isinstance(item, ast.Dict):
        named = [v for k, v in zip(item.keys, item.values, strict=True) if _is(k, "name")]
    else:
        return ""
    name = named[0].value if named and isinstance(named[0], ast.Constant) else None
    what = f"{loc[0].rstrip('s')} {name!r}, " if isinstance(name, str) else ""
    return f" ({what}{MODEL_FILE}:{item.lineno})"


def _dict_fields(given: ast.Dict) -> dict[str, ast.expr]:
    """The constant keys of a dict literal and their values, ``**{...}`` unpacked."""
    fields: dict[str, ast.expr] = {}
    for key, value in zip(given.keys, given.values, strict=True):
        if key is None and isinstance(value, ast.Dict):
            fields |= _dict_fields(value)
        elif isinstance(key, ast.Constant):
            fields[str(key.value)] = value
    return fields


def _is(node: ast.expr | None, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _add_step(parent: ast.AST, node: ast.AST, parts: list[str]) -> None:
    """Prepend to ``parts`` where ``node`` sits in ``parent``: ``[1]``, ``.nodes``, ..."""
    if isinstance(parent, (ast.List, ast.Tuple)) and node in parent.elts:
        parts.insert(0, f"[{parent.elts.index(node)}]")
    elif (left := _list_before(parent, node)) and parts and parts[0].startswith("["):
        # [a, b] + [c]: the right-hand list's indexes continue the left one's.
        parts[0] = f"[{int(parts[0][1:-1]) + len(left.elts)}]"
    elif isinstance(parent, ast.keyword) and parent.arg:
        parts.insert(0, f".{parent.arg}")
    elif isinstance(parent, ast.Dict) and node in parent.values:
        key = parent.keys[parent.values.index(node)]
        if isinstance(key, ast.Constant):
            parts.insert(0, f".{key.value!s}")


_ROOT_CALLS = {"Cluster", "model_validate"}


def _list_before(parent: ast.AST, node: ast.AST) -> ast.List | None:
    """The list literal ``node`` is added to (``[a, b] + node``), or None."""
    if (
        isinstance(parent, ast.BinOp)
        and isinstance(parent.op, ast.Add)
        and parent.right is node
        and isinstance(parent.left, ast.List)
    ):
        return parent.left
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _read_user_files(root: Path, cluster: Cluster) -> tuple[dict[str, str], list[Problem]]:
    """The manifests and secrets the apps ship, read once; each must be what it claims."""
    files: dict[str, str] = {}
    problems: list[Problem] = []
    entries = [
        (f"apps[{i}].{entry}", rel, is_secret, app)
        for i, app in enumerate(cluster.apps)
        for entry, rel, is_secret in app.user_file_fields()
    ]
    webhook = cluster.gitops.webhook
    if webhook is not None:
        # not the Deployment: deriving the other apps' values needs rules not run yet
        entries.append(("gitops.webhook.token", webhook.token, True, webhook_app(cluster, webhook)))
    for where, rel, is_secret, app in entries:
        if outside := _outside_the_project(root, rel):
            problems.append(Problem(where, outside))
            continue
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(where, f"{rel} does not exist"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(where, f"cannot read {rel}: {exc}"))
            continue
        reason = _secret_problem(rel, text) if is_secret else _manifest_problem(rel, text)
        if reason:
            problems.append(Problem(where, reason))
            continue
        if is_secret and (problem := recipients_problem(where, rel, text, cluster)):
            problems.append(problem)
        files[rel] = text
        if not is_secret and (problem := unsubstituted(where, text, app)):
            problems.append(problem)
    problems += _named_secret_problems(cluster, files)
    return files, problems


def _named_secret_problems(cluster: Cluster, files: Mapping[str, str]) -> list[Problem]:
    """The SOPS files generated objects refer to by Secret name and key (a helper's API
    token, the webhook's token) hold exactly that Secret and key."""
    wanted = [
        (f"apps[{i}].made_by.{option}", path, name, key)
        for i, app in enumerate(cluster.apps)
        for option, path, name, key in helper_secrets(app)
    ]
    if cluster.gitops.webhook is not None:
        wanted.append(
            (
                "gitops.webhook.token",
                cluster.gitops.webhook.token,
                WEBHOOK_SECRET,
                WEBHOOK_TOKEN_KEY,
            )
        )
    problems = []
    for where, path, name, key in wanted:
        text = files.get(path)
        if text is None:
            continue  # unreadable: reported where the file is listed
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
        secret = documents[0] if len(documents) == 1 and isinstance(documents[0], dict) else {}
        keys = {
            str(k)
            for field in ("data", "stringData")
            if isinstance(secret.get(field), dict)
            for k in secret[field]
        }
        found = (secret.get("metadata") or {}).get("name")
        if secret.get("kind") != "Secret" or found != name or key not in keys:
            problems.append(
                Problem(
                    where,
                    f"{path} must hold one Secret named {name!r} with the key {key!r} (it holds "
                    f"{'a Secret named ' + repr(found) if secret.get('kind') == 'Secret' else 'no Secret'}"
                    f" with the keys: {', '.join(sorted(keys)) or 'none'}): what is generated "
                    "refers to it by that name and key",
                )
            )
    return problems


def _outside_the_project(root: Path, rel: str) -> str | None:
    """Why ``rel`` (a project path) reaches outside the project through a symbolic link."""
    try:
        real = (root / rel).resolve()
        inside = real.is_relative_to(root.resolve())
    except (OSError, RuntimeError) as exc:  # a loop of links
        return f"{rel} cannot be resolved: {exc}"
    if inside:
        return None
    return (
        f"{rel} is a symbolic link to {real}, outside the project: homeops-gen copies only "
        "files of the repository (copy the file in instead of linking it)"
    )


def _talos_secrets_recipients(root: Path, cluster: Cluster) -> list[Problem]:
    """The Talos secrets ``talos-gen`` encrypted once are still for the model's recipients."""
    try:
        text = (root / TALSECRET).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # not made yet (or unreadable: talos-gen will say so)
    problem = recipients_problem("sops.age_recipients", TALSECRET, text, cluster)
    return [problem] if problem else []


def recipients_problem(where: str, rel: str, text: str, cluster: Cluster) -> Problem | None:
    """A SOPS file encrypted to age recipients other than ``sops.age_recipients``: an error
    when none of them can decrypt it (Flux' key is one of them), else a warning."""
    found = age_recipients_of(text)
    if not found:
        return None  # encrypted with another key type (PGP, KMS): not the model's to judge
    wanted = cluster.sops.age_recipients
    extra = [r for r in found if r not in wanted]
    missing = [r for r in wanted if r not in found]
    if not extra and not missing:
        return None
    fix = f"run sops updatekeys {rel} (the .sops.yaml homeops-gen writes lists the recipients)"
    if not set(found) & set(wanted):
        return Problem(
            where,
            f"{rel} is encrypted to {', '.join(found)}, none of which is in "
            f"sops.age_recipients, so no key the cluster has decrypts it: {fix}",
        )
    parts = [f"also to {', '.join(extra)} (not in sops.age_recipients)"] if extra else []
    parts += [f"not to {', '.join(missing)}"] if missing else []
    return warning(
        "sops-recipients-differ", where, f"{rel} is encrypted {' and '.join(parts)}: {fix}"
    )


def _secret_problem(rel: str, text: str) -> str | None:
    reason = sops_problem(text)
    if reason is None:
        return None
    return f"{rel} is not SOPS-encrypted ({reason}); run: sops encrypt --in-place {rel}"


def _manifest_problem(rel: str, text: str) -> str | None:
    if is_sops_encrypted(text):
        return f"{rel} is SOPS-encrypted: list it under secrets, so Flux decrypts it"
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        return f"{rel} is not valid YAML: {str(exc).splitlines()[0]}"
    if not documents or not all(
        isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in documents
    ):
        return f"{rel} must hold Kubernetes manifests (apiVersion and kind in every document)"
    if any(d["kind"] == "Namespace" and d["apiVersion"] == "v1" for d in documents):
        return f"{rel} holds a Namespace: {NAMESPACE_RESOURCE}"
    if credential := credential_problem(text):
        return f"{rel} holds {credential}: {ENCRYPT_HOW}"
    return None
