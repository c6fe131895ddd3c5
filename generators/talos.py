"""Placeholder until the talos layer is written."""

from homeops_gen.project import Project


def render(project: Project) -> dict[str, str]:
    return {}
