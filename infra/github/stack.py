"""Everything this stack declares in the GitHub organisation."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.loader import Project
from infra.config.manifest import GitHubOrgSecretTarget, GitHubWebhookSecretTarget
from infra.deliveries import SecretValues
from infra.github.org_secrets import OrgSecrets
from infra.github.repositories import RepositoryIds
from infra.github.webhooks import Webhooks


def declare_github(project: Project, values: SecretValues) -> github.Provider:
    """Declare the org's secrets and webhooks; returns the provider for other domains' GitHub resources."""
    cfg = project.config.github
    provider = github.Provider("github", owner=cfg.org)
    opts = pulumi.ResourceOptions(provider=provider)
    repo_ids = RepositoryIds(cfg.org, provider)
    OrgSecrets("github-org-secrets", values.of(GitHubOrgSecretTarget), repo_ids, opts=opts)
    Webhooks("github-webhooks", cfg, values.of(GitHubWebhookSecretTarget), opts=opts)
    return provider
