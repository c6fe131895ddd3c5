"""helmfile's ``helmfile.yaml`` (the fields the bootstrap uses)."""

from typing import Any, Required

from typing_extensions import TypedDict

from homeops_gen.apis import document


class HelmDefaults(TypedDict, total=False):
    """Settings every release inherits."""

    cleanupOnFail: Required[bool]
    wait: Required[bool]
    waitForJobs: Required[bool]
    timeout: Required[int]


class Repository(TypedDict, total=False):
    """A Helm chart repository."""

    name: Required[str]
    url: Required[str]


class Hook(TypedDict, total=False):
    """A command helmfile runs at a release event."""

    events: Required[list[str]]
    command: Required[str]
    args: Required[list[str]]
    showlogs: Required[bool]


class Release(TypedDict, total=False):
    """A Helm release."""

    name: Required[str]
    namespace: Required[str]
    chart: Required[str]
    version: Required[str]
    values: list[dict[str, Any]] | None
    needs: list[str] | None
    hooks: list[Hook] | None
    wait: bool | None
    """Overrides ``helmDefaults.wait`` for this release."""


@document("https://json.schemastore.org/helmfile")
class Helmfile(TypedDict, total=False):
    """A whole ``helmfile.yaml``."""

    helmDefaults: Required[HelmDefaults]
    repositories: list[Repository] | None
    releases: Required[list[Release]]
