"""The whole ``config:`` of ``Pulumi.<stack>.yaml``, validated before anything is declared.

Only ``cfinfra:*`` keys are allowed: providers are configured explicitly by the program
(credentials come from the environment), so a stray ``github:token`` or a misspelt key is an error,
not a silent no-op.
"""

from __future__ import annotations

from pydantic import Field

from infra.config.aws import AwsConfig
from infra.config.azure import AzureConfig
from infra.config.base import Model
from infra.config.github import GitHubConfig, GitHubSettings, Repository, Webhook
from infra.config.heroku import HerokuConfig
from infra.config.runners import RunnersConfig


class StackFileConfig(Model):
    """The stack's configuration (the `config:` mapping of `Pulumi.<stack>.yaml`)."""

    github: GitHubSettings = Field(alias="cfinfra:github")
    """The GitHub organisation (its repositories and webhooks are files under `data/github/`)."""
    azure: AzureConfig = Field(alias="cfinfra:azure")
    """Azure DevOps: projects and variable groups."""
    heroku: HerokuConfig = Field(alias="cfinfra:heroku")
    """Heroku apps."""
    aws: AwsConfig | None = Field(default=None, alias="cfinfra:aws")
    """The AWS footprint; omitted means the stack declares nothing in AWS."""
    runners: RunnersConfig | None = Field(default=None, alias="cfinfra:runners")
    """CI runners; omitted means the stack declares no runner resources."""


class StackConfig(StackFileConfig):
    """The stack's configuration with the GitHub entities of `data/github/`: what rules and
    components read."""

    github: GitHubConfig = Field(alias="cfinfra:github")
    """The GitHub organisation with its repositories and webhooks."""

    @property
    def run_environments(self) -> tuple[str, str]:
        """The deploy environment and the read-only environment (`cfinfra:aws.github_oidc`, or
        their default names when the stack has no AWS footprint): the two kinds of real run."""
        if self.aws is None:
            return "production", "read-only"
        return self.aws.github_oidc.deploy_environment, self.aws.github_oidc.read_only_environment

    @classmethod
    def compose(
        cls,
        settings: StackFileConfig,
        repositories: dict[str, Repository],
        webhooks: dict[str, Webhook],
    ) -> StackConfig:
        """The stack file's configuration with the data files' repositories and webhooks."""
        github = GitHubConfig.compose(settings.github, repositories, webhooks)
        return cls.model_construct(**{**dict(settings), "github": github})


class StackFile(Model):
    """A `Pulumi.<stack>.yaml` file. Besides `config`, only Pulumi's own secrets-provider keys
    are allowed."""

    config: StackFileConfig
    """The stack's configuration."""
    secretsprovider: str | None = None
    """Pulumi's secrets provider URL (e.g. `awskms://alias/conda-forge-infra-pulumi`)."""
    encryptedkey: str | None = None
    """Pulumi's encrypted data key for the secrets provider."""
    encryptionsalt: str | None = None
    """Pulumi's passphrase salt (passphrase secrets provider only)."""
