"""``cfinfra:github.environments``: the GitHub deployment environments that hold CI credentials.

A credential a workflow needs is an *environment secret*, never an organisation or repository
secret: GitHub hands an environment's secrets only to jobs that name the environment, and only once
the environment's protection rules pass (the deployment branch policy, then the required
reviewers). The AWS roles trust the same environments (their OIDC subject is
``repo:<owner>/<repo>:environment:<name>``), so a job outside the environment gets neither.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from infra.config.audience import Audience
from infra.config.base import Kebab, Model, RepoName

EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,255}$")]
VaultName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", max_length=200)
]
BranchPattern = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/*-]{1,255}$")]


class Environment(Model):
    """One deployment environment of a repository. Example:

    ```yaml
    production:
      repository: infrastructure
      branches: [main]
      reviewers: [core]
    ```
    Omitting `branches` lets every branch of the repository use the environment (pull-request
    previews need that); its secrets then reach whoever can push a branch (the repository's
    audience).
    """

    repository: RepoName
    """The repository (one of `cfinfra:github.repositories`)."""
    branches: list[BranchPattern] | None = Field(default=None, min_length=1)
    """Deployment branch policy: the only branches (name patterns) whose jobs may use the
    environment. Omitted: any branch."""
    reviewers: list[Kebab] = Field(default_factory=list, max_length=6)
    """Teams (slugs from `data/github/`) one of whose members must approve every job that uses the
    environment before it starts and sees a secret. GitHub allows six reviewers."""
    prevent_self_review: bool = True
    """Whoever triggered the run cannot approve it."""
    can_admins_bypass: bool = False
    """Repository admins may skip the protection rules. Off: an owner token alone cannot deploy."""
    wait_timer: int = Field(default=0, ge=0, le=43200)
    """Minutes to wait before a job may start (GitHub's maximum is 30 days)."""
    onepassword_vaults: list[VaultName] | None = None
    """The 1Password vaults the service account whose token is this environment's secret can read
    (as granted in 1Password). Declared, they are checked: a write provider credential's vault
    may be readable by the deploy environment's account only. Omitted: not declared."""

    @model_validator(mode="after")
    def _unique(self) -> Environment:
        for name, values in (("branches", self.branches or []), ("reviewers", self.reviewers)):
            if len(set(values)) != len(values):
                raise ValueError(f"`{name}` lists a value twice")
        return self

    @property
    def protected(self) -> bool:
        """Only listed branches, and a reviewer approves every run."""
        return bool(self.branches) and bool(self.reviewers) and not self.can_admins_bypass

    def audience(
        self, repository_audience: Audience, repository_why: str, non_core_reviewers: list[str]
    ) -> tuple[Audience, str]:
        """Who can read this environment's secrets, and why.

        `core` only when the environment is *core-approved*: only the listed branches get in, every
        run needs an approval, every reviewer team is core people only (``non_core_reviewers``
        lists the others), and nobody outside core can push to the branches it deploys from
        (the repository's audience, who can write it, is `core`): an approver who also pushed the
        code under review is no independent approver. Otherwise whoever can push a branch or a
        workflow there reads them: the repository's audience.
        """
        if self.protected and not non_core_reviewers and repository_audience is Audience.CORE:
            teams = ", ".join(self.reviewers)
            branches = ", ".join(self.branches or [])
            return (
                Audience.CORE,
                f"only jobs on {branches} approved by {teams} run in the environment",
            )
        if not self.protected:
            because = (
                "any branch of the repository, or any run without an approval, may use the "
                "environment"
            )
        elif non_core_reviewers:
            because = f"its reviewers {', '.join(non_core_reviewers)} are not core people only"
        else:
            because = f"people outside core can push what its reviewers approve ({repository_why})"
        return (repository_audience, f"{because} ({repository_audience})")
