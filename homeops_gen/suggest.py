"""Suggestions for misspelt names: "did you mean ...?"."""

from __future__ import annotations

from collections.abc import Iterable


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The known name most like ``name``, or None when none is close."""
    import difflib  # only a refused model needs it

    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest known name, or ``""``."""
    match = closest(name, choices)
    return f"; did you mean {match!r}?" if match else ""
