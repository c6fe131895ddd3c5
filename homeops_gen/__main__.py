"""``python -m homeops_gen``."""

from homeops_gen.cli import run

run()
