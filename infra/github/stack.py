"""Everything this stack declares in the GitHub organisation, one component per concern."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.loader import Project
from infra.config.manifest import (
    GitHubEnvironmentSecretTarget,
    GitHubOrgSecretTarget,
    GitHubWebhookSecretTarget,
    ProviderKind,
)
from infra.deliveries import SecretValues
from infra.github.environments import Environments
from infra.github.org_secrets import OrgSecrets
from infra.github.org_settings import OrgSettings
from infra.github.people import OrgPeople
from infra.github.repositories import Repositories, RepositoryIds
from infra.github.webhooks import Webhooks


def declare_github(project: Project, values: SecretValues) -> github.Provider:
    """Declare the org's settings, people, repositories, secrets and webhooks.

    Returns the provider for other domains' GitHub resources.
    """
    cfg = project.config.github
    provider = github_provider(cfg.org, values)
    opts = pulumi.ResourceOptions(provider=provider)
    OrgSettings("github-org-settings", cfg, opts=opts)
    teams: dict[str, github.Team] = {}
    grant_exists = None
    if project.people is not None:
        people = OrgPeople("github-people", cfg.org, project.people, cfg.people, opts=opts)
        teams = people.teams
        grant_exists = project.people.grant_exists
    repos = Repositories(
        "github-repositories",
        cfg,
        teams,
        grant_exists or (lambda team, repo: False),
        opts=opts,
    )
    repo_ids = RepositoryIds(cfg.org, provider, managed=repos.repositories)
    OrgSecrets("github-org-secrets", values.of(GitHubOrgSecretTarget), repo_ids, opts=opts)
    Webhooks("github-webhooks", cfg, values.of(GitHubWebhookSecretTarget), opts=opts)
    Environments(
        "github-environments",
        cfg.org,
        cfg.environments,
        values.of(GitHubEnvironmentSecretTarget),
        repos.repositories,
        opts=opts,
    )
    return provider


def github_provider(org: str, values: SecretValues) -> github.Provider:
    """The org's provider, authenticated by the manifest's credential: a GitHub App (recommended:
    its own rate limit, least privilege) or a token. Passing one explicitly is what keeps the
    provider from falling back to `GITHUB_TOKEN`, `gh auth token` or anonymous access."""
    cred = values.credential(ProviderKind.GITHUB)
    if "token" in cred:
        return github.Provider("github", owner=org, token=cred["token"])
    app = github.ProviderAppAuthArgs(
        id=cred["app_auth.id"],
        installation_id=cred["app_auth.installation_id"],
        pem_file=cred["app_auth.pem_file"],
    )
    # `owner` is required with App auth. The SDK still copies `GITHUB_TOKEN` into `token` when it
    # is set; the provider ignores it once `app_auth` is given (it mints an installation token).
    return github.Provider("github", owner=org, app_auth=app)
