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
from infra.config.github import GitHubConfig
from infra.config.heroku import HerokuConfig
from infra.config.runners import RunnersConfig


class StackConfig(Model):
    """The stack's configuration (the `config:` mapping of `Pulumi.<stack>.yaml`)."""

    github: GitHubConfig = Field(alias="cfinfra:github")
    """The GitHub organisation: repositories and webhooks."""
    azure: AzureConfig = Field(alias="cfinfra:azure")
    """Azure DevOps: projects and variable groups."""
    heroku: HerokuConfig = Field(alias="cfinfra:heroku")
    """Heroku apps."""
    aws: AwsConfig | None = Field(default=None, alias="cfinfra:aws")
    """The AWS footprint; omitted means the stack declares nothing in AWS."""
    runners: RunnersConfig | None = Field(default=None, alias="cfinfra:runners")
    """CI runners; omitted means the stack declares no runner resources."""


class StackFile(Model):
    """A `Pulumi.<stack>.yaml` file. Besides `config`, only Pulumi's own secrets-provider keys
    are allowed."""

    config: StackConfig
    """The stack's configuration."""
    secretsprovider: str | None = None
    """Pulumi's secrets provider URL (e.g. `awskms://alias/conda-forge-infra-pulumi`)."""
    encryptedkey: str | None = None
    """Pulumi's encrypted data key for the secrets provider."""
    encryptionsalt: str | None = None
    """Pulumi's passphrase salt (passphrase secrets provider only)."""
