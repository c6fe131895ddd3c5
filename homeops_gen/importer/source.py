"""The source repository as read into memory, parsed on demand; parse errors go to the report."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import hcl2
import yaml
from lark.exceptions import LarkError

from homeops_gen.importer.report import Report

YAML_SUFFIXES = (".yaml", ".yml")

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_VALUE = "tag:yaml.org,2002:value"


class KustomizeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, relaxed where kustomize's YAML library (go-yaml v3) accepts what
    PyYAML refuses: an anchor defined again (later aliases take the newest definition) and a
    plain ``=`` (a string in YAML 1.2; PyYAML resolves it to YAML 1.1's ``value`` type, which
    it cannot construct). Used only for files the fast loader refuses, so both agree elsewhere.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _YAML_VALUE]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.anchors.pop(anchor, None)  # redefined: the new node replaces the old
        return super().compose_node(parent, index)


def load_yaml(text: str) -> list[Any]:
    """The documents of ``text`` as kustomize reads them (empty ones dropped).

    Raises :class:`yaml.YAMLError` for what kustomize refuses too."""
    try:
        documents = list(yaml.load_all(text, Loader=_LOADER))
    except yaml.YAMLError:
        documents = list(yaml.load_all(text, Loader=KustomizeLoader))
    return [d for d in documents if d is not None]


class Source:
    """The files of a source repository (relative path -> bytes); nothing here reads the disk."""

    def __init__(self, files: Mapping[str, bytes], report: Report) -> None:
        self.files = dict(sorted(files.items()))
        self.report = report
        self._texts: dict[str, str | None] = {}
        self._yaml: dict[str, list[Any] | None] = {}
        self._hcl: dict[str, dict[str, Any] | None] = {}

    def named(self, *names: str) -> list[str]:
        """Every file whose name is one of ``names``, shallowest first."""
        found = [p for p in self.files if posixpath.basename(p) in names]
        return sorted(found, key=lambda p: (p.count("/"), p))

    def under(self, folder: str) -> Iterator[str]:
        """Every file below ``folder`` (``""``: all)."""
        prefix = f"{folder.rstrip('/')}/" if folder else ""
        return (p for p in self.files if p.startswith(prefix))

    def text(self, path: str) -> str | None:
        """The file as text, or None (reported once) when it is not UTF-8."""
        if path not in self._texts:
            try:
                self._texts[path] = self.files[path].decode("utf-8")
            except UnicodeDecodeError as exc:
                self.report.skip(path, "file", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
                self._texts[path] = None
        return self._texts[path]

    def yaml(self, path: str) -> list[Any] | None:
        """The file's YAML documents (empty ones dropped), or None (reported once) if malformed."""
        if path not in self._yaml:
            text = self.text(path)
            documents: list[Any] | None = None
            if text is not None:
                try:
                    documents = load_yaml(text)
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    where = f" at line {mark.line + 1}" if mark is not None else ""
                    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                    self.report.skip(path, "file", f"not valid YAML{where}: {problem}")
            self._yaml[path] = documents
        return self._yaml[path]

    def mapping(self, path: str) -> dict[str, Any] | None:
        """The file's single YAML document as a mapping, or None (reported) otherwise."""
        documents = self.yaml(path)
        if documents is None:
            return None
        if len(documents) != 1 or not isinstance(documents[0], dict):
            self.report.skip(path, "file", "expected one YAML mapping")
            return None
        return documents[0]

    def hcl(self, path: str) -> dict[str, Any] | None:
        """The file parsed by python-hcl2, or None (reported once) if malformed."""
        if path not in self._hcl:
            text = self.text(path)
            parsed: dict[str, Any] | None = None
            if text is not None:
                try:
                    parsed = hcl2.loads(text)
                except (LarkError, ValueError) as exc:
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    self.report.skip(path, "file", f"not valid HCL: {first}")
            self._hcl[path] = parsed
        return self._hcl[path]

    @cached_property
    def kubernetes_objects(self) -> dict[str, list[dict[str, Any]]]:
        """Every YAML file outside talhelper's and helmfile's that holds Kubernetes objects."""
        found: dict[str, list[dict[str, Any]]] = {}
        for path in self.files:
            name = posixpath.basename(path)
            if not name.endswith(YAML_SUFFIXES) or name.startswith(("talconfig.", "helmfile")):
                continue
            if name == ".sops.yaml" or "/clusterconfig/" in f"/{path}":
                continue
            text = self.text(path)
            if text is None or "apiVersion" not in text or "kind" not in text:
                continue
            documents = self.yaml(path)
            if documents:
                objects = [d for d in documents if is_object(d)]
                if objects:
                    found[path] = objects
        return found


def listed(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one (malformed input reads as absent)."""
    return value if isinstance(value, list) else []


def as_mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (malformed input reads as absent)."""
    return value if isinstance(value, dict) else {}


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def is_object(document: Any) -> bool:
    """Whether ``document`` is a Kubernetes object (apiVersion, kind, and a name unless it is
    a kustomize file)."""
    if not (
        isinstance(document, dict)
        and isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
    ):
        return False
    if document["apiVersion"].startswith("kustomize.config.k8s.io/"):
        return True
    name = dig(document, "metadata", "name")
    return isinstance(name, str) and bool(name)


_HCL_STRING = re.compile(r'^"(.*)"$', re.S)
_INTERPOLATION = re.compile(r"^\$\{(.*)\}$", re.S)


_HCL_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
"""An escape of an HCL quoted string (the HCL native syntax spec: \\n, \\r, \\t, \\", \\\\,
\\uNNNN, \\UNNNNNNNN)."""
_HCL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    escape = match.group(0)[1:]
    if escape[0] in "uU":
        return chr(int(escape[1:], 16))
    return _HCL_ESCAPES.get(escape, match.group(0))


def hcl_literal(value: Any) -> Any:
    """A python-hcl2 value as plain data: quoted strings unquoted, expressions as ``${...}``."""
    if isinstance(value, str):
        match = _HCL_STRING.match(value)
        if match and "${" not in match.group(1):
            return _HCL_ESCAPE.sub(_unescape, match.group(1))
        return value
    if isinstance(value, list):
        return [hcl_literal(v) for v in value]
    if isinstance(value, dict):
        return {
            hcl_literal(k): hcl_literal(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__", "__inline_comments__")
        }
    return value


def hcl_expression(value: Any) -> str | None:
    """The expression inside ``${...}`` (or None for a literal)."""
    if isinstance(value, str):
        match = _INTERPOLATION.match(value) or _INTERPOLATION.match(value.strip('"'))
        if match:
            return match.group(1).strip()
    return None


def hcl_blocks(parsed: dict[str, Any], kind: str) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """Every ``kind`` block of a parsed HCL file: its labels and its body."""
    for entry in listed(parsed.get(kind)):
        yield from _labelled(entry, [])


def _labelled(entry: Any, labels: list[str]) -> Iterator[tuple[list[str], dict[str, Any]]]:
    if not isinstance(entry, dict):
        return
    if entry.get("__is_block__") or not all(
        isinstance(k, str) and k.startswith('"') for k in entry if not k.startswith("__")
    ):
        yield labels, entry
        return
    for key, body in entry.items():
        if key.startswith("__"):
            continue
        yield from _labelled(body, [*labels, str(hcl_literal(key))])
