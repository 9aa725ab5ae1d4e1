"""``cfinfra:github``: the organisation's settings, Actions policy, people, repositories, webhooks.

Feedstocks (about 25,000 repositories, each with a maintainers team) are out of scope: the
webservices bot owns them, and refreshing them through the API on every run would exceed the rate
limit.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from infra.config.audience import Audience
from infra.config.base import Description, Kebab, Model, RepoName, enum_field, repeated
from infra.config.environments import Environment, EnvironmentName
from infra.config.folder import load_folder
from infra.config.github_org import ActionsPolicy, OrgSettings
from infra.errors import Problem

Event = Annotated[str, StringConstraints(pattern=r"^[a-z_]+$|^\*$")]


class PusherKind(StrEnum):
    """What kind of account pushes: a GitHub App (`<slug>[bot]` in the history) or a user."""

    APP = "app"
    USER = "user"


class DirectPusher(Model):
    """An account that pushes straight to the repository's default branch, not through a pull
    request, as its public history shows. Example:

    ```yaml
    direct_pushers:
      - account: conda-forge-curator
        kind: app
        commits: 104
        sampled: 200
        history: main at ec3298b2 (2026-08-22), git log --first-parent -200 --format=%an
        why: removes each processed request
    ```
    A pull-request ruleset refuses every one of these pushes unless the account can bypass it;
    the rule table refuses such a ruleset (`validate_direct_pushers_can_bypass`).
    """

    account: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")]
    """The App's slug (its `https://github.com/apps/<slug>` page) or the user's login."""
    kind: PusherKind = enum_field()
    """`app` or `user`."""
    commits: int | None = Field(default=None, ge=1)
    """How many of the sampled first-parent commits it pushed directly; `null` when the
    evidence is the pushing code, not a count."""
    sampled: int | None = Field(default=None, ge=1)
    """How many first-parent commits of the default branch were read."""
    history: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    """The evidence: the branch, commit and date read and the command; or the source file."""
    why: Description | None = None
    """What it pushes."""

    @model_validator(mode="after")
    def _commits_within_sample(self) -> DirectPusher:
        if (self.commits is None) != (self.sampled is None):
            raise ValueError("give both `commits` and `sampled`, or neither")
        if self.commits is not None and self.sampled is not None and self.commits > self.sampled:
            raise ValueError("`commits` cannot exceed `sampled`")
        return self

    @property
    def seen(self) -> str:
        """The evidence in words, for messages."""
        if self.commits is None:
            return "pushes directly (its code)"
        return f"pushed {self.commits} of the last {self.sampled} commits directly"


class RepositoryPermission(StrEnum):
    """GitHub's repository permissions, weakest first; `push` and above can write."""

    PULL = "pull"
    TRIAGE = "triage"
    PUSH = "push"
    MAINTAIN = "maintain"
    ADMIN = "admin"


TeamRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", max_length=100)]
"""A managed team's slug; compared ignoring case (GitHub's slugs are lower-case)."""


class TeamAccess(Model):
    """A managed team's permission on the repository, with the evidence that it is meant.
    Example:

    ```yaml
    teams:
      - team: staged-recipes
        permission: push
        evidence: cfinfra snapshot of 2026-12-01 (GET /repos/conda-forge/staged-recipes/teams)
    ```
    Every member of the team, and of every team nested under it, gets the permission; `push`
    and above can run workflows that read the repository's secrets, so the leak guard counts
    them. The review team's `admin` on a `sensitive` repository is declared by the stack itself
    and is not listed here.
    """

    team: TeamRef
    """The team (`data/github/teams.yaml`), by slug."""
    permission: RepositoryPermission = enum_field()
    """`pull`, `triage`, `push`, `maintain` or `admin`."""
    evidence: Description
    """Why the team holds it: a public record, or the snapshot that shows it."""

    @property
    def slug(self) -> str:
        """The team's slug as GitHub spells it (lower-case)."""
        return self.team.lower()


class Repository(Model):
    """An infrastructure (non-feedstock) repository: `data/github/repositories/<name>.yaml`, the
    file name being the repository's name. Example (`admin-requests.yaml`):

    ```yaml
    audience: core
    sensitive: true
    description: Requests to archive feedstocks
    ```
    `audience` is who can run code that reads the repository's Actions secrets; the leak guard
    compares it with each secret's `cleared_for`.
    The settings below default to the stated choices; conda-forge's current values are unknown. An
    adopted repository whose settings differ is imported and then *updated* in the same `up`
    (Pulumi >= 3.174): `cfinfra plan --against SNAPSHOT` names each field, and `cfinfra adopt --from
    SNAPSHOT` writes GitHub's values here; change them later in a reviewable pull request.
    """

    audience: Audience = enum_field()
    """Who can run code that reads this repository's Actions secrets (people with write access)."""
    sensitive: bool = False
    """Changes need a review from the review team (`rulesets.review_team`), and the repository is
    protected against deletion from the stack."""
    description: Description | None = None
    """What the repository is for. Omitted: not managed."""
    adopt: bool = True
    """The repository already exists: import it by name instead of creating it. Every infrastructure
    repository exists today; set `false` only for one this stack should create."""
    has_issues: bool = True
    """Issues are enabled."""
    delete_branch_on_merge: bool = True
    """Head branches are deleted once their pull request merges (stale ones pile up otherwise)."""
    allow_merge_commit: bool = True
    """Pull requests may be merged with a merge commit (GitHub's default)."""
    allow_squash_merge: bool = True
    """Pull requests may be squash-merged (GitHub's default)."""
    allow_rebase_merge: bool = True
    """Pull requests may be rebase-merged (GitHub's default)."""
    vulnerability_alerts: bool = True
    """Dependabot vulnerability alerts for the repository's own dependencies."""
    archived: bool = False
    """The repository is (about to be) archived on GitHub. Its vulnerability alerts are then not
    managed: the provider's Read fails on an archived repository and would break every later
    preview (docs/runbooks/archive-a-repository.md says in which order to archive)."""
    require_pull_request: bool = True
    """Changes reach the default branch through pull requests only (bypass actors excepted).
    Deletion and force pushes of the default branch are refused either way."""
    direct_pushers: list[DirectPusher] = Field(default_factory=list)
    """Every account its history shows pushing straight to the default branch, with the
    evidence. With `require_pull_request`, each must be able to bypass the ruleset."""
    teams: list[TeamAccess] = Field(default_factory=list)
    """Managed teams granted a permission on the repository, each with its evidence. Omitted:
    no team grant is declared here (the review team's on a sensitive repository aside)."""

    @field_validator("teams")
    @classmethod
    def _one_grant_per_team(cls, teams: list[TeamAccess]) -> list[TeamAccess]:
        # GitHub holds one permission per team and repository: a second entry would be a second
        # resource fighting the first.
        dupes = repeated([t.slug for t in teams])
        if dupes:
            raise ValueError(f"teams listed twice (ignoring case): {', '.join(dupes)}")
        return teams

    @model_validator(mode="after")
    def _one_merge_method(self) -> Repository:
        if not (self.allow_merge_commit or self.allow_squash_merge or self.allow_rebase_merge):
            raise ValueError("allow at least one merge method")
        return self

    @property
    def merge_methods(self) -> list[str]:
        """Merge methods as rulesets name them, in GitHub's order."""
        allowed = (
            ("merge", self.allow_merge_commit),
            ("squash", self.allow_squash_merge),
            ("rebase", self.allow_rebase_merge),
        )
        return [name for name, on in allowed if on]


class BypassKind(StrEnum):
    """Who may bypass a ruleset."""

    ORGANIZATION_ADMIN = "organization-admin"
    REPOSITORY_ROLE = "repository-role"
    INTEGRATION = "integration"


class RepositoryRole(StrEnum):
    """Repository roles that can be bypass actors (GitHub addresses them by fixed ids)."""

    MAINTAIN = "maintain"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def actor_id(self) -> int:
        return {"maintain": 2, "write": 4, "admin": 5}[self.value]


class BypassMode(StrEnum):
    """When a bypass actor may bypass: always, or only by merging a pull request."""

    ALWAYS = "always"
    PULL_REQUEST = "pull_request"


class BypassActor(Model):
    """One actor allowed to bypass the default-branch rules. Example:

    ```yaml
    - {kind: organization-admin}
    - {kind: repository-role, role: admin}
    - {kind: integration, app_id: 123456, mode: always}
    ```
    """

    kind: BypassKind = enum_field()
    """Org owners, a repository role, or a GitHub App."""
    role: RepositoryRole | None = enum_field(default=None)
    """For `repository-role`: the role."""
    app_id: int | None = Field(default=None, gt=0)
    """For `integration`: the GitHub App's id (public, in the app's settings URL)."""
    mode: BypassMode = enum_field(default=BypassMode.ALWAYS)
    """When the actor may bypass."""

    @model_validator(mode="after")
    def _fields_match_kind(self) -> BypassActor:
        if (self.kind is BypassKind.REPOSITORY_ROLE) != (self.role is not None):
            raise ValueError("`role` is required for, and only for, kind `repository-role`")
        if (self.kind is BypassKind.INTEGRATION) != (self.app_id is not None):
            raise ValueError("`app_id` is required for, and only for, kind `integration`")
        return self


class AppBypass(Model):
    """A GitHub App that pushes straight to the default branch of some repositories. Example:

    ```yaml
    apps:
      conda-forge-webservices:
        app_id: null          # unknown: looked up by slug (`GET /apps/<slug>`) at deploy time
        repositories: [feedstock-outputs, feedstocks]
    ```
    The key is the App's slug (its `https://github.com/apps/<slug>` page). Its rulesets on the
    listed repositories get an `Integration` bypass actor; elsewhere it bypasses nothing.
    """

    app_id: int | None = Field(default=None, gt=0)
    """The App's numeric id. `null` while it is not known here: the program then reads it from
    GitHub by slug (`getGithubApp`), so a wrong guess can never lock the App out; a slug GitHub
    does not know fails the preview instead of declaring a ruleset without the App."""
    repositories: list[RepoName] = Field(min_length=1)
    """Repositories (of `repositories`) whose default branch the App pushes to."""
    mode: BypassMode = enum_field(default=BypassMode.ALWAYS)
    """When the App may bypass (`always`: bots push directly)."""

    @field_validator("repositories")
    @classmethod
    def _unique_repositories(cls, repos: list[str]) -> list[str]:
        dupes = repeated(repos)
        if dupes:
            raise ValueError(f"listed twice: {', '.join(dupes)}")
        return repos


class RulesetPolicy(Model):
    """The ruleset every infrastructure repository gets on its default branch. Example:

    ```yaml
    rulesets:
      review_team: core
      bypass: [{kind: organization-admin}]
    ```
    Every default branch refuses deletion and force pushes and takes changes through pull requests;
    a `sensitive` repository also needs an approving review from `review_team`.
    """

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = (
        "cfinfra: default branch"
    )
    """The ruleset's name on GitHub (marks it as managed here, next to any hand-made ones)."""
    review_team: Kebab = "core"
    """Team whose approval a `sensitive` repository's pull requests need (from `data/github`)."""
    required_approvals: int = Field(default=0, ge=0, le=10)
    """Approving reviews every pull request needs, from anyone with write access. 0: a pull
    request is required but may be merged by its author (a sensitive repository still needs the
    review team)."""
    bypass: list[BypassActor] = Field(
        default_factory=lambda: [BypassActor(kind=BypassKind.ORGANIZATION_ADMIN)]
    )
    """Actors that may bypass the rules: automation that pushes straight to a default branch must be
    one of them, or its pushes are refused."""
    apps: dict[Kebab, AppBypass] = Field(default_factory=dict)
    """GitHub Apps (by slug) that may bypass the rules on the repositories they push to."""


class PeopleSettings(Model):
    """How the people and teams of `data/github/` are applied. Example:

    ```yaml
    people: {adopt: true}
    ```
    """

    adopt: bool = True
    """Import existing org memberships, teams and team memberships instead of creating them, so the
    first run creates nothing that exists. An imported role GitHub disagrees with is *changed* by
    the same `up` (Pulumi >= 3.174), so check `cfinfra plan --against SNAPSHOT` first. Turn it off
    once the stack's state holds them: from then on a newly listed person is invited (someone not
    yet in the org has nothing to import)."""


class ContentType(StrEnum):
    """Payload encoding GitHub uses for a webhook."""

    JSON = "json"
    FORM = "form"


class Webhook(Model):
    """A webhook delivering events to conda-forge's webservices: `data/github/webhooks/<id>.yaml`.
    Example (`autotickbot.yaml`):

    ```yaml
    path: /autotickbot/payload
    events: [push, pull_request]
    ```
    Org webhooks omit `repository`; a repository webhook names it. Its signing secret is the
    manifest secret with a `github-webhook-secret` target naming this webhook.
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
        dupes = repeated(events)
        if dupes:
            raise ValueError(f"duplicate events: {', '.join(dupes)}")
        return events


class GitHubSettings(Model):
    """The GitHub organisation this stack manages (`cfinfra:github` of the stack file). Its
    repositories and webhooks are data files: `data/github/repositories/<name>.yaml` and
    `data/github/webhooks/<id>.yaml`."""

    org: RepoName
    """The organisation's login, e.g. `conda-forge`."""
    org_settings: OrgSettings
    """Organisation-wide settings."""
    actions: ActionsPolicy | None = None
    """The organisation's GitHub Actions policy. Omitted: not managed (left exactly as set on
    GitHub). An org-wide policy is declared only from evidence: the value adopted from a snapshot
    (`cfinfra adopt --from`), or a tightening that `cfinfra actions-audit` showed blocks nothing."""
    people: PeopleSettings = Field(default_factory=PeopleSettings)
    """How org members and teams (data files under `data/github/`) are applied."""
    rulesets: RulesetPolicy = Field(default_factory=RulesetPolicy)
    """Default-branch rules of the infrastructure repositories."""
    webhook_base_url: Annotated[str, StringConstraints(pattern=r"^https://[a-z0-9.-]+(:[0-9]+)?$")]
    """Scheme and host every webhook path is appended to, e.g. `https://conda-forge.herokuapp.com`."""
    environments: dict[EnvironmentName, Environment] = Field(default_factory=dict)
    """Deployment environments of infrastructure repositories, by name: where CI credentials live
    (manifest targets of kind `github-environment-secret`)."""


class GitHubConfig(GitHubSettings):
    """The organisation with its repositories and webhooks, as the program declares it."""

    repositories: dict[RepoName, Repository] = Field(min_length=1)
    """Infrastructure repositories, by name (`data/github/repositories/<name>.yaml`). Feedstocks are
    out of scope (the webservices bot owns them)."""
    webhooks: dict[Kebab, Webhook] = Field(default_factory=dict)
    """Organisation and repository webhooks, by id (`data/github/webhooks/<id>.yaml`)."""

    @classmethod
    def compose(
        cls,
        settings: GitHubSettings,
        repositories: dict[str, Repository],
        webhooks: dict[str, Webhook],
    ) -> GitHubConfig:
        """The stack file's settings with the data files' entities (each part already validated)."""
        return cls.model_construct(
            **dict(settings), repositories=dict(repositories), webhooks=dict(webhooks)
        )


# --- the data files -------------------------------------------------------------------------------

GITHUB_DIR = "data/github"
REPOSITORIES_DIR = f"{GITHUB_DIR}/repositories"
WEBHOOKS_DIR = f"{GITHUB_DIR}/webhooks"
# GitHub's repository names: letters, digits, `.`, `_`, `-`, at most 100; not `.` or `..`
# (reserved), not ending in `.git` (GitHub drops it, so the name would name another repository).
_REPO_FILE_NAME = re.compile(r"^(?!\.{1,2}\Z)(?!.*\.git\Z)[A-Za-z0-9._-]{1,100}\Z", re.IGNORECASE)


def repository_file(name: str) -> str:
    """Where a repository is declared (as shown in messages)."""
    return f"{REPOSITORIES_DIR}/{name}.yaml"


def webhook_file(hook_id: str) -> str:
    """Where a webhook is declared (as shown in messages)."""
    return f"{WEBHOOKS_DIR}/{hook_id}.yaml"


def read_github_entities(
    root: Path,
) -> tuple[dict[str, Repository], dict[str, Webhook], list[Problem]]:
    """The repositories and webhooks under `data/github/`: one file per entity, named by its id."""
    problems: list[Problem] = []
    if not (root / REPOSITORIES_DIR).is_dir():
        problems.append(
            Problem(REPOSITORIES_DIR, "", "missing: the infrastructure repositories live here")
        )
    repos, found = load_folder(
        root / REPOSITORIES_DIR,
        Repository,
        root,
        what="repository",
        id_pattern=_REPO_FILE_NAME,
        id_rule=(
            "the repository's name on GitHub (letters, digits, `.`, `_`, `-`; not `.` or `..`, "
            "not ending in `.git`)"
        ),
    )
    problems.extend(found)
    hooks, found = load_folder(root / WEBHOOKS_DIR, Webhook, root, what="webhook")
    problems.extend(found)
    return {e.id: e.value for e in repos}, {e.id: e.value for e in hooks}, problems
