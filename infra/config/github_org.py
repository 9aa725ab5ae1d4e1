"""``cfinfra:github.org_settings`` and ``cfinfra:github.actions``: what owners set by hand today.

Values GitHub shows publicly (the profile) are conda-forge's real ones. Values nobody outside the
org can read are *unknown*, and an unknown org-wide value is not guessed: omitted (`null`), it is
not managed and stays exactly as set on GitHub. Since Pulumi 3.174 an import whose declared inputs
differ from the live resource no longer fails: it imports, then *updates* in the same `up`. So a
guess would become a live change; `cfinfra plan --against SNAPSHOT` and the real preview show each
such update, and `cfinfra adopt --from SNAPSHOT` writes the live values here instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from infra.config.base import Model, enum_field, repeated

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=255)]
ProfileText = Annotated[str, StringConstraints(min_length=1, max_length=160)]
# `owner/repo[/path]@ref` with GitHub's wildcards, e.g. `mamba-org/setup-micromamba@*`.
ActionPattern = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_.*-]+/[A-Za-z0-9_.*/-]+(@[A-Za-z0-9_.*/-]+)?$")
]


class RepositoryPermission(StrEnum):
    """The base permission every org member has on every repository."""

    NONE = "none"
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class NewRepositorySecurity(Model):
    """Security features GitHub switches on for every *new* repository (new feedstocks included).
    Example:

    ```yaml
    new_repositories: {dependency_graph: true, secret_scanning: true}
    ```
    conda-forge's real values are unknown; the defaults are the choices stated per field.
    """

    dependency_graph: bool = True
    """Dependency graph (free for public repositories; prerequisite for the alerts below)."""
    dependabot_alerts: bool = False
    """Dependabot alerts. Off by default: on 25,000 feedstocks they would flag vendored sources
    that no feedstock maintainer can fix, and nobody triages them."""
    dependabot_security_updates: bool = False
    """Dependabot security pull requests. Off by default: the autotick bot updates feedstocks."""
    secret_scanning: bool = True
    """Secret scanning (free for public repositories): a leaked token is reported to its issuer."""
    secret_scanning_push_protection: bool = True
    """Push protection: a push containing a recognised token is refused before it is public."""
    advanced_security: bool = False
    """GitHub Advanced Security (paid, private repositories only; conda-forge's are public)."""


class OrgSettings(Model):
    """Organisation-wide settings (`github.OrganizationSettings`). Example:

    ```yaml
    org_settings:
      id: 11897326
      name: conda-forge
      blog: https://conda-forge.org
      members_can_create_repositories: false
    ```
    """

    adopt: bool = True
    """The settings already exist: import them (by `id`) instead of creating them. An import whose
    declared values differ from GitHub's is imported and then updated in the same `up` (Pulumi
    >= 3.174): `cfinfra plan --against SNAPSHOT` and the preview list every such update."""
    id: int | None = Field(default=None, gt=0)
    """The organisation's numeric id (public: `GET /orgs/<org>`), the import id of its settings."""
    billing_email: Email | None = None
    """The billing email. Unknown today: omitted means *not managed* (kept as set on GitHub, which
    needs `adopt`: the provider requires a value, and only an import can keep the current one)."""
    name: ProfileText | None = None
    """Display name of the organisation (public profile). Omitted: not managed."""
    description: ProfileText | None = None
    """Description on the organisation's profile. Omitted: not managed."""
    blog: HttpsUrl | None = None
    """Website link on the profile. Omitted: not managed."""
    twitter_username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,15}$")] | None = (
        None
    )
    """Twitter/X handle on the profile. Omitted: not managed."""
    default_repository_permission: RepositoryPermission | None = enum_field(default=None)
    """Base permission of members on every repository. Not public: omitted means not managed
    (kept as set on GitHub) until a snapshot is adopted."""
    members_can_create_repositories: bool | None = None
    """Whether members (not only owners) may create repositories, public or private. Not public:
    omitted means not managed until a snapshot is adopted."""
    web_commit_signoff_required: bool | None = None
    """Whether commits made in the web UI need a DCO sign-off. Not public: omitted means not
    managed until a snapshot is adopted."""
    has_organization_projects: bool = False
    """Organisation-level Projects (off on conda-forge's public profile)."""
    has_repository_projects: bool = True
    """Repository-level Projects (on on conda-forge's public profile)."""
    new_repositories: NewRepositorySecurity | None = None
    """Security features enabled for new repositories. Not public: omitted means not managed
    until a snapshot is adopted."""

    @model_validator(mode="after")
    def _adoption_needs_an_id(self) -> OrgSettings:
        if self.adopt and self.id is None:
            raise ValueError(
                "`adopt` imports the settings by the organisation's numeric `id`: set it"
            )
        if self.billing_email is None and not self.adopt:
            raise ValueError(
                "without `billing_email` the settings must be adopted (`adopt: true`): the "
                "provider requires a billing email, and only an import keeps the current one"
            )
        return self


class EnabledRepositories(StrEnum):
    """Which repositories may run GitHub Actions at all."""

    ALL = "all"
    NONE = "none"
    SELECTED = "selected"


class AllowedActions(StrEnum):
    """Which actions and reusable workflows may run."""

    ALL = "all"
    LOCAL_ONLY = "local_only"
    SELECTED = "selected"


class ActionsPolicy(Model):
    """The org's GitHub Actions policy (`github.ActionsOrganizationPermissions`). Example:

    ```yaml
    actions:
      allowed_actions: selected
      patterns_allowed: [conda-incubator/setup-miniconda@*, mamba-org/setup-micromamba@*]
      sha_pinning_required: true
    ```
    With `selected`, actions in conda-forge's own repositories are always allowed; GitHub-owned ones
    (`actions/*`, `github/*`) when `github_owned_allowed`; anything else only if a pattern matches.
    """

    enabled_repositories: EnabledRepositories = enum_field(default=EnabledRepositories.ALL)
    """Repositories that may run Actions (`all`: every feedstock builds on Actions)."""
    allowed_actions: AllowedActions = enum_field(default=AllowedActions.SELECTED)
    """Which actions may run."""
    github_owned_allowed: bool = True
    """With `selected`: allow actions published by GitHub (`actions/checkout`, ...)."""
    verified_allowed: bool = False
    """With `selected`: allow every Marketplace action by a verified creator (off: an allow-list is
    narrower, and a verified creator's account can be compromised too)."""
    patterns_allowed: list[ActionPattern] = Field(default_factory=list)
    """With `selected`: further allowed actions, as `owner/repo@ref` patterns (`*` wildcards)."""
    sha_pinning_required: bool = True
    """Actions must be referenced by full commit SHA (a moved tag cannot swap what runs)."""

    @field_validator("patterns_allowed")
    @classmethod
    def _unique_patterns(cls, patterns: list[str]) -> list[str]:
        dupes = repeated(patterns)
        if dupes:
            raise ValueError(f"duplicate patterns: {', '.join(dupes)}")
        return patterns

    @model_validator(mode="after")
    def _selected_options_only_when_selected(self) -> ActionsPolicy:
        selected_only = self.patterns_allowed or self.verified_allowed
        if self.allowed_actions is not AllowedActions.SELECTED and selected_only:
            raise ValueError(
                "`patterns_allowed` and `verified_allowed` apply only when `allowed_actions` "
                "is `selected`"
            )
        return self
