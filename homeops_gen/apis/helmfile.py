"""helmfile's ``helmfile.yaml`` (the fields the bootstrap uses)."""

from typing import Any, ClassVar

from pydantic import Field

from homeops_gen.apis import ApiModel, Document


class HelmDefaults(ApiModel):
    """Settings every release inherits."""

    cleanup_on_fail: bool = True
    wait: bool = True
    wait_for_jobs: bool = True
    timeout: int = 600


class Repository(ApiModel):
    """A Helm chart repository."""

    name: str
    url: str


class Hook(ApiModel):
    """A command helmfile runs at a release event."""

    events: list[str]
    command: str
    args: list[str]
    show_logs: bool = Field(default=True, alias="showlogs")


class Release(ApiModel):
    """A Helm release."""

    name: str
    namespace: str
    chart: str
    version: str
    values: list[dict[str, Any]] | None = None
    needs: list[str] | None = None
    hooks: list[Hook] | None = None
    wait: bool | None = None
    """Overrides ``helmDefaults.wait`` for this release."""


class Helmfile(Document):
    """A whole ``helmfile.yaml``."""

    helm_defaults: HelmDefaults = HelmDefaults()
    repositories: list[Repository] | None = None
    releases: list[Release]
    SCHEMA_URL: ClassVar[str] = "https://json.schemastore.org/helmfile"
