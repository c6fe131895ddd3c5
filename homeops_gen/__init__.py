"""homeops-gen: one typed model of a homelab cluster, every layer of its GitOps monorepo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
"""This release's version: the one source (pyproject.toml reads it; --version prints it)."""

if TYPE_CHECKING:
    from homeops_gen.model import *  # noqa: F403 (the model types are the public API)
    from homeops_gen.model import __all__ as __all__


def __getattr__(name: str) -> Any:
    # The model (and pydantic) loads on first use of a model name or of __all__, not when
    # the command line starts (--version and --help never need it). Submodules are
    # lower-case, so importing one never loads the model through here.
    if name == "__all__" or name[:1].isupper():
        from homeops_gen import model

        if name == "__all__":
            return model.__all__
        if name in model.__all__:
            return getattr(model, name)
    raise AttributeError(f"module 'homeops_gen' has no attribute {name!r}")
