"""Deployment environments of infrastructure repositories and the CI credentials inside them.

The `production` environment used to be set by hand and never drift-checked, although the deploy
role's OIDC trust rests on it: its branch policy and reviewers are declared here, and every CI
credential is one of its (or a sibling environment's) secrets, delivered from 1Password.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pulumi
import pulumi_github as github

from infra.config.environments import Environment
from infra.config.manifest import GitHubEnvironmentSecretTarget
from infra.deliveries import Delivery


class Environments(pulumi.ComponentResource):
    """Each environment of `cfinfra:github.environments`, its branch policies and its secrets."""

    def __init__(
        self,
        name: str,
        org: str,
        environments: Mapping[str, Environment],
        deliveries: Iterable[Delivery[GitHubEnvironmentSecretTarget]],
        repositories: Mapping[str, github.Repository],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:github:Environments", name, None, opts)
        self._org = org
        self._team_ids: dict[str, pulumi.Output[int]] = {}
        self.environments: dict[str, github.RepositoryEnvironment] = {}
        for env_name, env in sorted(environments.items()):
            repo = repositories.get(env.repository)
            self.environments[env_name] = self._environment(env_name, env, repo)
        for d in deliveries:
            t = d.target
            env = environments[t.environment]
            environment = self.environments[t.environment]
            github.ActionsEnvironmentSecret(
                f"{org}/{env.repository}/{t.environment}/{t.name}",
                repository=env.repository,
                environment=environment.environment,
                secret_name=t.name,
                value=d.value,
                # Like org secrets: leaving the manifest must not blank a credential a workflow
                # still reads; an admin deletes it once nothing uses it.
                opts=pulumi.ResourceOptions(
                    parent=self, retain_on_delete=True, depends_on=[environment]
                ),
            )
        self.register_outputs({})

    def _environment(
        self, name: str, env: Environment, repo: github.Repository | None
    ) -> github.RepositoryEnvironment:
        full = f"{self._org}/{env.repository}/{name}"
        depends = [repo] if repo is not None else []
        reviewers = None
        if env.reviewers:
            reviewers = [
                github.RepositoryEnvironmentReviewerArgs(
                    teams=[self._team_id(slug) for slug in env.reviewers]
                )
            ]
        policy = None
        if env.branches:
            # Custom branch policies: only the patterns declared below may deploy. GitHub refuses
            # both flags at once.
            policy = github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                protected_branches=False, custom_branch_policies=True
            )
        environment = github.RepositoryEnvironment(
            full,
            repository=env.repository,
            environment=name,
            reviewers=reviewers,
            deployment_branch_policy=policy,
            # Meaningless without reviewers; GitHub stores it only next to them.
            prevent_self_review=env.prevent_self_review if env.reviewers else None,
            can_admins_bypass=env.can_admins_bypass,
            wait_timer=env.wait_timer,
            # Deleting an environment deletes its secrets and the deploy role's only way in.
            opts=pulumi.ResourceOptions(parent=self, protect=True, depends_on=depends),
        )
        for pattern in env.branches or []:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{full}/branch/{pattern}",
                repository=env.repository,
                environment=environment.environment,
                branch_pattern=pattern,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[environment]),
            )
        return environment

    def _team_id(self, slug: str) -> pulumi.Output[int]:
        """A reviewer team's numeric id (environments name reviewers by number), looked up once."""
        if slug not in self._team_ids:
            team = github.get_team_output(
                slug=slug, summary_only=True, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self._team_ids[slug] = team.id.apply(int)
        return self._team_ids[slug]
