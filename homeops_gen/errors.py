"""The one error hierarchy: the CLI catches :class:`HomeopsError` and prints its message."""

from __future__ import annotations


class HomeopsError(Exception):
    """Anything the user can fix; the message says what and where."""

    exit_code = 2


class LoadError(HomeopsError):
    """``cluster.py`` could not be run or does not define a ``cluster``."""


class ModelError(HomeopsError):
    """The model is invalid; each problem is a ``path: reason`` line."""

    def __init__(self, problems: list[str], where: str | None = None) -> None:
        self.problems = problems
        at = f" (at {where})" if where else ""
        super().__init__(f"invalid model{at}:\n" + "\n".join(f"  {p}" for p in problems))


class ValidationFailed(HomeopsError):
    """A rendered file would not be accepted by the tool that consumes it."""

    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "generated output failed validation, nothing was written:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


class MissingDependency(HomeopsError):
    """A tool or package a command needs is not installed; the message says how to get it."""

    exit_code = 3


class WriteRefused(HomeopsError):
    """Writing would destroy work the generator does not own."""

    exit_code = 1


class WriteFailed(HomeopsError):
    """The disk refused a read or write (full, read-only, no permission): the message names
    the file and the reason."""


class Busy(HomeopsError):
    """Another run holds the project's lock."""
