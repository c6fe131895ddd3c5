"""Safe emission of model values in each output format: YAML, HCL, shell and Nix.

Every string that reaches a generated file passes through one of these, so a
value such as ``yes``, ``${x}`` or ``'; rm -rf /`` is always data, never syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import yaml

HEADER = "Generated from cluster.py by homeops-gen. Do not edit by hand."


class YamlDumper(yaml.SafeDumper):
    """Two-space YAML with indented lists, block scalars for multi-line text, no aliases."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: YamlDumper, value: str) -> yaml.ScalarNode:
    # A block scalar keeps multi-line text readable; PyYAML falls back to a
    # quoted style by itself when the text cannot be a block (e.g. trailing spaces).
    # Unicode line breaks are written unescaped by PyYAML and then read back as
    # plain line breaks, so such text is always double-quoted (escaped).
    style: str | None = "|" if "\n" in value else None
    if any(b in value for b in _UNICODE_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_as_str(dumper: YamlDumper, value: Any) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value))


YAML_1_2_NUMBERS = (
    (
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|0b[01]+)$"),
        list("-+0123456789"),
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+0123456789."),
    ),
)
"""Plain scalars YAML 1.2's core schema (go-yaml, so Helm, Flux and kubectl) reads as numbers
but YAML 1.1 (PyYAML) as strings, such as ``0123``, ``1e3`` or ``0x1F``: written quoted, so a
string stays a string for the Go tools (YAML 1.2.2 spec, 10.3.2 "Tag Resolution")."""


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver, plus :data:`YAML_1_2_NUMBERS`."""


for _tag, _regexp, _first in YAML_1_2_NUMBERS:
    YamlDumper.add_implicit_resolver(_tag, _regexp, _first)
    _Resolver.add_implicit_resolver(_tag, _regexp, _first)

YamlDumper.add_representer(str, _represent_str)
YamlDumper.add_representer(tuple, YamlDumper.represent_list)
for _type in (IPv4Address, IPv4Network):
    YamlDumper.add_representer(_type, _represent_as_str)


def to_yaml(data: Any) -> str:
    """One YAML document body (no ``---``), keys in the order given.

    Byte for byte what :class:`YamlDumper` writes; the common shapes (mappings,
    lists, single-line scalars) take a fast path that asks PyYAML only for the
    style of each distinct scalar, and anything else goes to PyYAML whole.
    """
    if isinstance(data, dict) and data:
        lines: list[str] = []
        try:
            _fast_mapping(data, "", lines)
        except _Unusual:
            return _pyyaml(data)
        return "".join(lines)
    return _pyyaml(data)


def _pyyaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=YamlDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )


class _Unusual(Exception):
    """A shape the fast path does not write exactly like PyYAML."""


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
# No indicator at the start, no flow indicators, spaces, quotes or '#' anywhere, and no
# trailing ':': PyYAML writes such a string plain unless it reads back as another type.
# A leading '.' (paths such as ./app) or digit (addresses, versions) is plain too, except
# '...' (a document end marker); what reads back as a number, a date or '.inf' is caught
# by the resolver check below.
_PLAIN_SAFE = re.compile(r"(?!\.\.\.)[A-Za-z0-9_/.][A-Za-z0-9_./:@+=-]*(?<!:)")
_resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = _Resolver().resolve
_LONGEST_FAST_SCALAR = 1024  # PyYAML folds nothing below its width of 4096


@cache
def _scalar(value: str) -> str:
    """How PyYAML writes the single-line string ``value`` as a block value."""
    if _PLAIN_SAFE.fullmatch(value) and len(value) <= _LONGEST_FAST_SCALAR:
        if _resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str":
            return value
    if (
        "\n" in value
        or len(value) > _LONGEST_FAST_SCALAR
        or any(b in value for b in _UNICODE_BREAKS)
    ):
        raise _Unusual
    text = _pyyaml(value)
    # A plain scalar alone in a document ends with a document-end marker.
    text = text[: -len("\n...\n")] if text.endswith("\n...\n") else text[:-1]
    if "\n" in text:
        raise _Unusual
    return text


# Multi-line text PyYAML writes as a literal block (``|``, or ``|-`` without a final line
# break): printable ASCII, not starting with a space or line break, no space before a
# line break, not ending with a space or two line breaks (those need other hints).
_BLOCK_SAFE = re.compile(r"[!-~][ -~\n]*")


def _block(value: str, indent: str) -> str:
    """How PyYAML writes multi-line ``value`` as a block value whose lines go at ``indent``."""
    if not _BLOCK_SAFE.fullmatch(value) or " \n" in value or value.endswith((" ", "\n\n")):
        raise _Unusual
    hint = "" if value.endswith("\n") else "-"
    lines = value.removesuffix("\n").split("\n")
    return f"|{hint}\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def _value(value: Any, indent: str) -> str | None:
    """The inline text of a scalar or empty collection (a block scalar's lines at ``indent``),
    or None for a nested block."""
    kind = type(value)  # the exact types first: this runs for every value written
    if kind is str:
        return _block(value, indent) if "\n" in value else _scalar(value)
    if kind is dict:
        return None if value else "{}"
    if kind is list or kind is tuple:
        return None if value else "[]"
    return _other_value(value, indent)


def _other_value(value: Any, indent: str) -> str | None:  # noqa: PLR0911 (a return per kind)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if isinstance(value, str):
        return _block(value, indent) if "\n" in value else _scalar(value)
    if isinstance(value, (IPv4Address, IPv4Network)):
        return _scalar(str(value))
    if isinstance(value, (dict, list, tuple)):
        return None if value else ("{}" if isinstance(value, dict) else "[]")
    raise _Unusual  # floats and other types: PyYAML decides


@cache
def _simple_key(key: str) -> str | None:
    """How PyYAML writes ``key``: plain, or single-quoted when it would read back as another
    type (``on`` in a GitHub workflow); None for anything else."""
    if not _PLAIN_KEY.fullmatch(key):
        return None
    try:
        written = _scalar(key)
    except _Unusual:
        return None
    return written if written in (key, f"'{key}'") else None


def _key(key: Any) -> str:
    if type(key) is str and (written := _simple_key(key)) is not None:
        return written
    raise _Unusual


def _fast_mapping(data: dict[Any, Any], indent: str, lines: list[str], first: str = "") -> None:
    prefix = first or indent
    inner = indent + "  "
    for key, value in data.items():
        inline = _value(value, inner)
        if inline is not None:
            lines.append(f"{prefix}{_key(key)}: {inline}\n")
        else:
            lines.append(f"{prefix}{_key(key)}:\n")
            if isinstance(value, dict):
                _fast_mapping(value, inner, lines)
            else:
                _fast_sequence(value, inner, lines)
        prefix = indent


def _fast_sequence(items: list[Any] | tuple[Any, ...], indent: str, lines: list[str]) -> None:
    for item in items:
        inline = _value(item, indent + "  ")
        if inline is not None:
            lines.append(f"{indent}- {inline}\n")
        elif isinstance(item, dict):
            _fast_mapping(item, indent + "  ", lines, first=f"{indent}- ")
        else:
            raise _Unusual  # a list directly inside a list


def sorted_data(data: Any) -> Any:
    """``data`` with every mapping's keys sorted, so user dict order never shows in output."""
    if isinstance(data, Mapping):
        return {k: sorted_data(data[k]) for k in sorted(data, key=str)}
    if isinstance(data, (list, tuple)):
        return [sorted_data(v) for v in data]
    return data


class Generated(str):
    """Generated text that also carries the data it was written from.

    The checks ``generate`` runs read :attr:`data` instead of parsing the text
    back; ``homeops-gen validate`` and the tests parse the text and compare.
    Any string operation returns a plain ``str``: edited text no longer claims its data.
    """

    data: Any

    def __new__(cls, text: str, data: Any) -> Generated:
        self = super().__new__(cls, text)
        self.data = data
        return self


def yaml_file(*documents: Any, schema: str | None = None, comment: str = HEADER) -> Generated:
    """A generated YAML file: header comment, editor schema hint, ``---`` before each document.

    Its :attr:`Generated.data` is the tuple of documents.
    """
    lines = [f"# {line}" for line in comment.splitlines()]
    if schema:
        lines.append(f"# yaml-language-server: $schema={schema}")
    head = "\n".join(lines) + "\n"
    return Generated(head + "".join("---\n" + to_yaml(doc) for doc in documents), documents)


_HCL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_string(value: str | IPv4Address | IPv4Network) -> str:
    """A quoted HCL string literal that stands for exactly ``value``.

    ``${`` and ``%{`` would start an interpolation or a directive; their first
    character is written as a ``\\u`` escape, which HCL decodes after it has
    looked for templates (the doubled ``$${`` form trips some parsers).
    """
    out = []
    text = str(value)
    for i, char in enumerate(text):
        if char in _HCL_ESCAPES:
            out.append(_HCL_ESCAPES[char])
        elif char in "$%" and text[i + 1 : i + 2] == "{":
            out.append(f"\\u{ord(char):04x}")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def hcl_value(value: Any, indent: int = 0) -> str:  # noqa: PLR0911 (one return per kind)
    """A literal HCL value (string, number, bool, null, list or object) in ``terraform fmt`` layout."""
    pad = "  " * indent
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (str, IPv4Address, IPv4Network)):
        return hcl_string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{\n" + "".join(_hcl_attributes(value, indent + 1)) + pad + "}"
    if isinstance(value, Iterable):
        items = list(value)
        if all(not isinstance(i, (Mapping, list, tuple)) for i in items):
            return "[" + ", ".join(hcl_value(i) for i in items) + "]"
        body = "".join(f"{pad}  {hcl_value(i, indent + 1)},\n" for i in items)
        return "[\n" + body + pad + "]"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _hcl_attributes(mapping: Mapping[str, Any], indent: int) -> list[str]:
    """``key = value`` lines aligned as ``terraform fmt`` does: a run of one-line
    attributes shares one column; an attribute whose value spans lines (its first line
    opens a bracket) belongs to no run, so it ends the one before it and stands alone."""
    pad = "  " * indent
    items = [(_hcl_key(k), hcl_value(v, indent)) for k, v in mapping.items()]
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}\n" for k, v in run)
        run.clear()

    for key, text in items:
        if "\n" in text:
            flush()
            lines.append(f"{pad}{key} = {text}\n")
        else:
            run.append((key, text))
    flush()
    return lines


_HCL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _hcl_key(key: str) -> str:
    return key if _HCL_IDENTIFIER.fullmatch(key) else hcl_string(key)


def shell_quote(value: str | IPv4Address) -> str:
    """A POSIX-shell word that stands for exactly ``value``."""
    text = str(value)
    if text and re.fullmatch(r"[A-Za-z0-9_./:@%+=,-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def nix_string(value: str) -> str:
    """A double-quoted Nix string with ``\\``, ``"`` and ``${`` escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return '"' + escaped + '"'
