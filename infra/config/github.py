"""``cfinfra:github``: the GitHub organisation's repositories and webhooks."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from infra.config.audience import Audience
from infra.config.base import Description, Kebab, Model, RepoName, enum_field

Event = Annotated[str, StringConstraints(pattern=r"^[a-z_]+$|^\*$")]


class Repository(Model):
    """An infrastructure (non-feedstock) repository. Example:

    ```yaml
    admin-requests: {audience: core, sensitive: true}
    ```
    """

    audience: Audience = enum_field()
    """Who can run code that reads this repository's Actions secrets (people with write access)."""
    sensitive: bool = False
    """Changes need a review from core (rulesets require it)."""
    description: Description | None = None
    """What the repository is for."""


class ContentType(StrEnum):
    """Payload encoding GitHub uses for a webhook."""

    JSON = "json"
    FORM = "form"


class Webhook(Model):
    """A webhook delivering events to conda-forge's webservices. Example:

    ```yaml
    autotickbot: {path: /autotickbot/payload, events: [push, pull_request]}
    ```
    Org webhooks omit `repository`; a repository webhook names it. Its signing secret is the manifest
    secret with a `github-webhook-secret` target naming this webhook.
    """

    path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9._~/-]*$")]
    """Path below `webhook_base_url`."""
    events: list[Event] = Field(min_length=1)
    """GitHub event names that are delivered."""
    repository: RepoName | None = None
    """For a repository webhook: the repository (one of `repositories`)."""
    content_type: ContentType = enum_field(default=ContentType.JSON)
    """Payload encoding."""
    insecure_ssl: bool = False
    """Must stay false: deliveries carry signed payloads and must verify TLS."""
    active: bool = True
    """Whether GitHub delivers events."""

    @field_validator("events")
    @classmethod
    def _unique_events(cls, events: list[str]) -> list[str]:
        dupes = sorted({e for e in events if events.count(e) > 1})
        if dupes:
            raise ValueError(f"duplicate events: {', '.join(dupes)}")
        return events


class GitHubConfig(Model):
    """The GitHub organisation this stack manages."""

    org: RepoName
    """The organisation's login, e.g. `conda-forge`."""
    repositories: dict[RepoName, Repository] = Field(min_length=1)
    """Infrastructure repositories, by name. Feedstocks are out of scope (the webservices bot owns them)."""
    webhook_base_url: Annotated[str, StringConstraints(pattern=r"^https://[a-z0-9.-]+(:[0-9]+)?$")]
    """Scheme and host every webhook path is appended to, e.g. `https://conda-forge.herokuapp.com`."""
    webhooks: dict[Kebab, Webhook] = Field(default_factory=dict)
    """Organisation and repository webhooks, by id."""
