"""homeops-gen: one typed model of a homelab cluster, every layer of its GitOps monorepo."""

from homeops_gen import model
from homeops_gen.model import *  # noqa: F403 (the model types are the public API)

__all__ = model.__all__
