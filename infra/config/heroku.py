"""``cfinfra:heroku``: Heroku apps and their config vars."""

from __future__ import annotations

from pydantic import Field

from infra.config.audience import Audience
from infra.config.base import EnvName, Kebab, Model, enum_field


class HerokuApp(Model):
    """A Heroku app. Example:

    ```yaml
    conda-forge: {audience: core, vars: {CF_WEBSERVICES_APP_ID: "123"}}
    ```
    Sensitive config vars come from the manifest (`heroku-config-var` targets).
    """

    audience: Audience = enum_field(default=Audience.CORE)
    """Who can read the app's config vars (its collaborators, the webservices operators)."""
    vars: dict[EnvName, str] = Field(default_factory=dict)
    """Non-secret config vars, set in the clear."""


class HerokuConfig(Model):
    """Heroku apps by name."""

    apps: dict[Kebab, HerokuApp] = Field(default_factory=dict)
    """Apps by name."""
