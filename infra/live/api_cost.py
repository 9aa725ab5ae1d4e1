"""What a refresh of the stack costs in GitHub API requests, estimated per resource type.

`pulumi preview --refresh` (drift, deploy) and `pulumi up --refresh` call each resource's Read
once. The requests one Read makes are read in terraform-provider-github v6.13.0 (the version
pulumi-github 6.15.0 wraps; docs/provider-behaviour.md), function `resourceGithub<Type>Read`.
GitHub's primary rate limit is 5,000 requests an hour per token (`GITHUB_HOURLY_BUDGET`); a
conditional request answered 304 does not count against it, so where a Read sends the stored
ETag (`If-None-Match`) the figure is an upper bound. A list read in pages of 100 costs one request
per page: the estimate counts one page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from infra.live.client import GITHUB_HOURLY_BUDGET
from infra.plan.model import Plan

_G = "github:index/"


@dataclass(frozen=True)
class ReadCost:
    requests: int
    """GET requests one Read makes (one page of each list)."""
    calls: str
    """The go-github calls of the Read, in the order it makes them."""


READ_COST: dict[str, ReadCost] = {
    f"{_G}organizationSettings:OrganizationSettings": ReadCost(1, "Organizations.Get"),
    f"{_G}actionsOrganizationPermissions:ActionsOrganizationPermissions": ReadCost(
        2, "GetActionsPermissions, GetActionsAllowed (selected), ListEnabledReposInOrg (selected)"
    ),
    f"{_G}membership:Membership": ReadCost(1, "Organizations.GetOrgMembership (ETag)"),
    f"{_G}team:Team": ReadCost(1, "Teams.GetTeamByID (ETag)"),
    f"{_G}teamMembership:TeamMembership": ReadCost(1, "Teams.GetTeamMembershipByID (ETag)"),
    f"{_G}teamRepository:TeamRepository": ReadCost(1, "Teams.IsTeamRepoByID (ETag)"),
    f"{_G}repository:Repository": ReadCost(
        2, "Repositories.Get (ETag), GetVulnerabilityAlerts (security_and_analysis returned)"
    ),
    f"{_G}repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts": ReadCost(
        2, "Repositories.GetVulnerabilityAlerts, Repositories.Get"
    ),
    f"{_G}repositoryRuleset:RepositoryRuleset": ReadCost(1, "Repositories.GetRuleset (ETag)"),
    f"{_G}organizationWebhook:OrganizationWebhook": ReadCost(1, "Organizations.GetHook (ETag)"),
    f"{_G}repositoryWebhook:RepositoryWebhook": ReadCost(1, "Repositories.GetHook (ETag)"),
    f"{_G}actionsOrganizationSecret:ActionsOrganizationSecret": ReadCost(
        2, "Actions.GetOrgSecret, ListSelectedReposForOrgSecret (selected)"
    ),
    f"{_G}actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories": ReadCost(
        1, "Actions.ListSelectedReposForOrgSecret"
    ),
    f"{_G}actionsRunnerGroup:ActionsRunnerGroup": ReadCost(
        2, "GetOrganizationRunnerGroup (ETag), ListRepositoryAccessRunnerGroup (skipped on 304)"
    ),
    f"{_G}repositoryFile:RepositoryFile": ReadCost(
        2, "Repositories.GetContents, Repositories.GetCommit"
    ),
    f"{_G}repositoryEnvironment:RepositoryEnvironment": ReadCost(1, "Repositories.GetEnvironment"),
    f"{_G}repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": ReadCost(
        1, "Repositories.GetDeploymentBranchPolicy"
    ),
    f"{_G}actionsEnvironmentSecret:ActionsEnvironmentSecret": ReadCost(1, "Actions.GetEnvSecret"),
}
"""Requests per Read of every GitHub resource type the program declares."""


@dataclass(frozen=True)
class TypeCost:
    type: str
    resources: int
    per_read: int | None
    """None: a type this table does not know (counted as unknown, never as free)."""

    @property
    def requests(self) -> int:
        return self.resources * (self.per_read or 0)


def refresh_cost(plan: Plan) -> list[TypeCost]:
    """Per GitHub resource type of ``plan``: resources and estimated requests, most first."""
    counts = Counter(r.type for r in plan.resources if r.type.startswith(_G))
    rows = [
        TypeCost(t, n, READ_COST[t].requests if t in READ_COST else None) for t, n in counts.items()
    ]
    return sorted(rows, key=lambda c: (-c.requests, c.type))


def render(rows: list[TypeCost], snapshot_requests: int | None = None) -> list[str]:
    """Markdown lines: the refresh's estimate per type against the hourly budget."""
    total = sum(c.requests for c in rows)
    share = total / GITHUB_HOURLY_BUDGET
    lines = [
        "### GitHub API cost",
        "",
        f"A refresh reads {sum(c.resources for c in rows)} GitHub resources: about {total:,} "
        "requests,",
        f"{share:.0%} of its token's {GITHUB_HOURLY_BUDGET:,}/hour budget (an upper bound: "
        "a 304 costs nothing).",
    ]
    if snapshot_requests is not None:
        lines.append(
            f"The selection check made {snapshot_requests:,} requests "
            f"({snapshot_requests / GITHUB_HOURLY_BUDGET:.1%} of the budget)."
        )
    lines += [
        "",
        "| resource type | resources | requests per Read | requests |",
        "|---|--:|--:|--:|",
    ]
    for c in rows:
        per = str(c.per_read) if c.per_read is not None else "unknown"
        short = c.type.removeprefix(_G).split(":", 1)[0]
        lines.append(f"| `{short}` | {c.resources} | {per} | {c.requests:,} |")
    return lines
