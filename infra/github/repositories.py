"""Infrastructure repositories: adopted (imported, never recreated), with a branch ruleset."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_github as github

from infra.config.github import BypassActor, BypassKind, GitHubConfig, Repository
from infra.config.write_access import declared_team_grants

# Repository settings this stack does not decide. Ignored so that adopting a repository (an import
# that differs is followed by an update, Pulumi >= 3.174) and later updates leave what maintainers
# set by hand alone.
_UNMANAGED = [
    "allow_auto_merge",
    "allow_forking",
    "allow_update_branch",
    "archived",
    "auto_init",
    "default_branch",
    "gitignore_template",
    "has_discussions",
    "has_downloads",
    "has_projects",
    "has_wiki",
    "homepage_url",
    "is_template",
    "license_template",
    "merge_commit_message",
    "merge_commit_title",
    "pages",
    "private",
    "security_and_analysis",
    "squash_merge_commit_message",
    "squash_merge_commit_title",
    "template",
    "topics",
    # Managed by its own resource (the argument on Repository is deprecated).
    "vulnerability_alerts",
    "web_commit_signoff_required",
]
ALL_FILES = ["*"]


class Repositories(pulumi.ComponentResource):
    """Each repository of `cfinfra:github.repositories`, its alerts, team grants and
    default-branch ruleset.

    ``teams`` are the managed teams' resources by slug; ``grant_exists(team, repository)`` says
    whether a grant is recorded as existing on GitHub (`data/github/adopted.yaml`), so that only
    those are imported.
    """

    def __init__(
        self,
        name: str,
        config: GitHubConfig,
        teams: Mapping[str, github.Team],
        grant_exists: Callable[[str, str], bool] = lambda team, repo: False,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:github:Repositories", name, None, opts)
        self._config = config
        self._teams = dict(teams)
        self._review_team = self._teams.get(config.rulesets.review_team)
        self._grant_exists = grant_exists
        self._grants: dict[str, list[tuple[str, str]]] = {}
        for repo_name, team, permission in declared_team_grants(config):
            self._grants.setdefault(repo_name, []).append((team, permission))
        self._reviewer_id: pulumi.Output[int] | None = None
        self._app_ids: dict[str, pulumi.Output[int]] = {}
        self.repositories: dict[str, github.Repository] = {}
        for repo_name, repo in sorted(config.repositories.items()):
            self.repositories[repo_name] = self._repository(repo_name, repo)
        self.register_outputs({})

    def _repository(self, name: str, repo: Repository) -> github.Repository:
        full = f"{self._config.org}/{name}"
        ignored = list(_UNMANAGED)
        if repo.description is None:
            ignored.append("description")
        if repo.adopt:
            # GitHub does not store this flag, so an import can never match it; retain_on_delete
            # below already keeps the repository when it leaves the config.
            ignored.append("archive_on_destroy")
        resource = github.Repository(
            full,
            name=name,
            description=repo.description,
            visibility="public",
            has_issues=repo.has_issues,
            delete_branch_on_merge=repo.delete_branch_on_merge,
            allow_merge_commit=repo.allow_merge_commit,
            allow_squash_merge=repo.allow_squash_merge,
            allow_rebase_merge=repo.allow_rebase_merge,
            archive_on_destroy=True,
            opts=pulumi.ResourceOptions(
                parent=self,
                import_=name if repo.adopt else None,
                ignore_changes=ignored,
                # Dropping a repository from the config stops managing it; it is never deleted
                # or archived by a diff. Sensitive ones cannot even leave state without
                # unprotecting.
                retain_on_delete=True,
                protect=repo.sensitive,
            ),
        )
        if not repo.archived:
            # Not on an archived repository: the provider's Read errors there (v6.13.0; fixed
            # only after it, #3553), which would fail every later preview (PB-9). Leaving the
            # program drops it from state without a call (retain_on_delete).
            github.RepositoryVulnerabilityAlerts(
                f"{full}/vulnerability-alerts",
                repository=resource.name,
                enabled=repo.vulnerability_alerts,
                opts=pulumi.ResourceOptions(
                    parent=self, import_=name if repo.adopt else None, retain_on_delete=True
                ),
            )
        # The review team's `admin` on a sensitive repository is among the grants: GitHub accepts
        # a required reviewer only if the team can access the repository (core has full rights
        # over every conda-forge repository, governance), so the ruleset waits for them.
        depends = self._team_grants(full, name, resource)
        self._ruleset(full, repo, resource, depends)
        return resource

    def _team_grants(
        self, full: str, name: str, resource: github.Repository
    ) -> list[pulumi.Resource]:
        grants: list[pulumi.Resource] = []
        for team, permission in self._grants.get(name, []):
            holder = self._teams.get(team)
            if holder is None:  # only when data/github did not load: validation fails anyway
                continue
            adopt = self._config.people.adopt and self._grant_exists(team, name)
            grants.append(
                github.TeamRepository(
                    f"{full}/{team}",
                    # The team's numeric id, as the provider's Read stores it after an import:
                    # a slug here would differ from the imported state and `team_id` forces a
                    # replacement (docs/provider-behaviour.md PB-15).
                    team_id=holder.id,
                    repository=resource.name,
                    permission=permission,
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        # Only what is recorded as existing: importing a grant that does not
                        # exist fails the `up` (the Read clears the id on a 404).
                        import_=f"{team}:{name}" if adopt else None,
                    ),
                )
            )
        return grants

    def _ruleset(
        self,
        full: str,
        repo: Repository,
        resource: github.Repository,
        depends: list[pulumi.Resource],
    ) -> github.RepositoryRuleset:
        policy = self._config.rulesets
        repo_name = full.split("/", 1)[1]
        pull_request = None
        if repo.require_pull_request:
            reviewers = None
            if repo.sensitive and self._review_team is not None:
                reviewers = [
                    github.RepositoryRulesetRulesPullRequestRequiredReviewerArgs(
                        file_patterns=ALL_FILES,
                        minimum_approvals=1,
                        reviewer=github.RepositoryRulesetRulesPullRequestRequiredReviewerReviewerArgs(
                            id=self._review_team_id(), type="Team"
                        ),
                    )
                ]
            pull_request = github.RepositoryRulesetRulesPullRequestArgs(
                required_approving_review_count=policy.required_approvals,
                allowed_merge_methods=repo.merge_methods,
                required_reviewers=reviewers,
                # On a sensitive repository an approval covers exactly what was reviewed.
                dismiss_stale_reviews_on_push=repo.sensitive,
                require_last_push_approval=repo.sensitive,
            )
        return github.RepositoryRuleset(
            f"{full}/default-branch",
            name=policy.name,
            repository=resource.name,
            target="branch",
            enforcement="active",
            conditions=github.RepositoryRulesetConditionsArgs(
                ref_name=github.RepositoryRulesetConditionsRefNameArgs(
                    includes=["~DEFAULT_BRANCH"], excludes=[]
                )
            ),
            rules=github.RepositoryRulesetRulesArgs(
                deletion=True, non_fast_forward=True, pull_request=pull_request
            ),
            bypass_actors=[_bypass(b) for b in policy.bypass] + self._app_bypass(repo_name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

    def _app_bypass(self, repo_name: str) -> list[github.RepositoryRulesetBypassActorArgs]:
        """`Integration` bypass actors of the GitHub Apps that push to this repository."""
        actors = []
        for slug, app in sorted(self._config.rulesets.apps.items()):
            if repo_name not in app.repositories:
                continue
            actors.append(
                github.RepositoryRulesetBypassActorArgs(
                    actor_type="Integration",
                    actor_id=app.app_id if app.app_id is not None else self._app_id(slug),
                    bypass_mode=app.mode.value,
                )
            )
        return actors

    def _app_id(self, slug: str) -> pulumi.Output[int]:
        """An App's numeric id read from GitHub by slug (public), once per run."""
        if slug not in self._app_ids:
            app = github.get_github_app_output(
                slug=slug, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self._app_ids[slug] = app.id.apply(int)
        return self._app_ids[slug]

    def _review_team_id(self) -> pulumi.Output[int]:
        """The review team's numeric id, looked up once (rulesets name reviewers by number)."""
        if self._reviewer_id is None:
            assert self._review_team is not None
            team = github.get_team_output(
                slug=self._config.rulesets.review_team,
                # Members and repositories are not needed: one request, whatever the team's size.
                summary_only=True,
                opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[self._review_team]),
            )
            self._reviewer_id = team.id.apply(int)
        return self._reviewer_id


def _bypass(actor: BypassActor) -> github.RepositoryRulesetBypassActorArgs:
    actor_id = None
    if actor.kind is BypassKind.REPOSITORY_ROLE:
        assert actor.role is not None
        actor_id = actor.role.actor_id
    elif actor.kind is BypassKind.INTEGRATION:
        actor_id = actor.app_id
    kinds = {
        BypassKind.ORGANIZATION_ADMIN: "OrganizationAdmin",
        BypassKind.REPOSITORY_ROLE: "RepositoryRole",
        BypassKind.INTEGRATION: "Integration",
    }
    return github.RepositoryRulesetBypassActorArgs(
        actor_type=kinds[actor.kind], actor_id=actor_id, bypass_mode=actor.mode.value
    )


class RepositoryIds:
    """GitHub's numeric ids for repositories by name (org secrets and runner groups select by id).

    A repository this stack manages answers from its `Repository` resource: no lookup, and a
    secret's selection waits for the repository to be adopted. Any other one (a feedstock) is looked
    up once per run with the `getRepository` data source.
    """

    def __init__(
        self,
        org: str,
        provider: pulumi.ProviderResource,
        managed: Mapping[str, github.Repository] | None = None,
    ):
        self._org = org
        self._provider = provider
        self._managed = dict(managed or {})
        self._looked_up: dict[str, pulumi.Output[int]] = {}

    def id_of(self, name: str) -> pulumi.Output[int]:
        if name in self._managed:
            return self._managed[name].repo_id
        if name not in self._looked_up:
            full = f"{self._org}/{name}"
            repo = github.get_repository_output(
                full_name=full, opts=pulumi.InvokeOutputOptions(provider=self._provider)
            )
            self._looked_up[name] = pulumi.Output.all(repo.id, repo.name, repo.repo_id).apply(
                lambda found: found_repo_id(full, *found)
            )
        return self._looked_up[name]


class RepositoryNotFound(pulumi.RunError):
    """A looked-up repository does not exist (or has another name) on GitHub. A `RunError`:
    the engine prints the message, without a Python traceback, and fails the run."""


def found_repo_id(full_name: str, data_id: str | None, name: str | None, repo_id: Any) -> int:
    """The numeric id of ``full_name`` as `getRepository` found it, or a clear error.

    The data source (v6.13.0) answers a 404 with an empty id and no `repo_id` instead of an
    error, and GitHub redirects a renamed repository to its new name: either would put a null or
    a different repository into a runner group's or a secret's selection (PB-8).
    """
    wanted = full_name.split("/", 1)[1]
    if not data_id or not repo_id:
        raise RepositoryNotFound(
            f"repository {full_name} was not found on GitHub (renamed or deleted?): "
            f"remove `{wanted.removesuffix('-feedstock')}` from the data, or fix its name"
        )
    if name and name.lower() != wanted.lower():
        raise RepositoryNotFound(
            f"repository {full_name} is now {name} (renamed): use the new name in the data"
        )
    return int(repo_id)
