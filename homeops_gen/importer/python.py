"""Render the imported model as ``cluster.py`` text: constructor calls, comments where guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import black

from homeops_gen import apps, model


@dataclass
class Call:
    """A call in ``cluster.py``: ``func(*args, **kwargs)``, each keyword on its own line."""

    func: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    """Comment lines written above a keyword (``""``: above the call's first argument)."""
    explode: bool = True
    """Keep one keyword per line (black's magic trailing comma)."""

    def note(self, keyword: str, comment: str) -> None:
        """Add a comment line above ``keyword``."""
        self.comments.setdefault(keyword, []).append(comment)

    def names(self) -> set[str]:
        """Every function this call and the calls in it use."""
        found = {self.func}
        for value in [*self.args, *self.kwargs.values()]:
            found |= _names(value)
        return found


def _names(value: Any) -> set[str]:
    if isinstance(value, Call):
        return value.names()
    if isinstance(value, (list, tuple)):
        return set().union(*(_names(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_names(v) for v in value.values())) if value else set()
    return set()


def expression(value: Any) -> str:
    """Python source for ``value`` (black formats it afterwards)."""
    if isinstance(value, Call):
        parts: list[str] = []
        for comment in value.comments.get("", []):
            parts.append(_comment(comment))
        for arg in value.args:
            parts.append(expression(arg) + ",")
        for key, arg in value.kwargs.items():
            parts.extend(_comment(c) for c in value.comments.get(key, []))
            parts.append(f"{key}={expression(arg)},")
        if not parts:
            return f"{value.func}()"
        if not value.explode and not value.comments:
            return f"{value.func}(" + " ".join(parts).rstrip(",") + ")"
        return f"{value.func}(\n" + "\n".join(parts) + "\n)"
    if isinstance(value, dict):
        items = ", ".join(f"{expression(k)}: {expression(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(expression(v) for v in value) + "]"
    if isinstance(value, (str, bool, int, float)) or value is None:
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} into cluster.py")


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines())


def cluster_file(cluster: Call, docstring: str) -> str:
    """The whole ``cluster.py``: docstring, imports of what it uses, ``cluster = ...``."""
    used = cluster.names()
    types = sorted(n for n in model.__all__ if n in used)
    helpers = sorted(n for n in apps.__all__ if n in used)
    lines = [f'"""{docstring}"""', "", f"from homeops_gen import {', '.join(types)}"]
    if helpers:
        lines.append(f"from homeops_gen.apps import {', '.join(helpers)}")
    lines += ["", f"cluster = {expression(cluster)}", ""]
    mode = black.Mode(line_length=100)
    return black.format_str("\n".join(lines), mode=mode)
