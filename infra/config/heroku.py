"""``cfinfra:heroku``: Heroku apps, their dyno formation and their config vars."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from infra.config.audience import Audience
from infra.config.base import EnvName, Kebab, Model, enum_field

# Procfile process types: letters, digits, `_` and `-` (Heroku's own rule), e.g. `web`, `worker`.
ProcessType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,29}$")]


class HerokuRegion(StrEnum):
    """Heroku Common Runtime regions (`us` is Heroku's default)."""

    US = "us"
    EU = "eu"


class DynoSize(StrEnum):
    """Heroku dyno sizes (Common Runtime). Heroku reports them capitalised (`Standard-1X`); the
    provider compares sizes case-insensitively."""

    ECO = "eco"
    BASIC = "basic"
    STANDARD_1X = "standard-1x"
    STANDARD_2X = "standard-2x"
    PERFORMANCE_M = "performance-m"
    PERFORMANCE_L = "performance-l"
    PERFORMANCE_L_RAM = "performance-l-ram"
    PERFORMANCE_XL = "performance-xl"
    PERFORMANCE_2XL = "performance-2xl"


class Formation(Model):
    """How many dynos of which size run one process type. Example:

    ```yaml
    web: {size: standard-1x, quantity: 1}
    ```
    """

    size: DynoSize = enum_field()
    """The dyno size."""
    quantity: int = Field(ge=0, le=100)
    """How many dynos run (0 stops the process type)."""


# GitHub App ids are public numbers (they appear in every installation URL).
GitHubAppId = Annotated[int, Field(gt=0)]


class HerokuApp(Model):
    """A Heroku app, adopted (imported) rather than created. Example:

    ```yaml
    conda-forge:
      audience: core
      region: us
      formation: {web: {size: standard-1x, quantity: 1}}
      github_app_ids: {CF_WEBSERVICES_APP_ID: 123456}
      vars: {LOG_LEVEL: info}
    ```
    Sensitive config vars come from the manifest (`heroku-config-var` targets).
    """

    audience: Audience = enum_field(default=Audience.CORE)
    """Who can read the app's config vars (its collaborators, the webservices operators)."""
    region: HerokuRegion = enum_field(default=HerokuRegion.US)
    """The app's region. Adoption copies the live value (a region change would recreate the app)."""
    formation: dict[ProcessType, Formation] = Field(default_factory=dict)
    """Dyno formation by process type. Process types left out are not managed."""
    github_app_ids: dict[EnvName, GitHubAppId | None] = Field(default_factory=dict)
    """Config vars holding a GitHub App's id, set in the clear. `null` means *not yet confirmed*:
    the var stays as it was set by hand until an admin fills in the id (the program warns)."""
    vars: dict[EnvName, str] = Field(default_factory=dict)
    """Other non-secret config vars, set in the clear."""

    @model_validator(mode="after")
    def _one_source_per_var(self) -> HerokuApp:
        both = sorted(self.github_app_ids.keys() & self.vars.keys())
        if both:
            raise ValueError(f"set in both `github_app_ids` and `vars`: {', '.join(both)}")
        return self

    @property
    def plain_vars(self) -> dict[str, str]:
        """Every non-secret config var this stack sets, sorted (unconfirmed app ids left out)."""
        ids = {k: str(v) for k, v in self.github_app_ids.items() if v is not None}
        return dict(sorted({**self.vars, **ids}.items()))

    @property
    def unconfirmed_vars(self) -> list[str]:
        """App-id vars whose value an admin has not confirmed yet (left unmanaged)."""
        return sorted(k for k, v in self.github_app_ids.items() if v is None)


class HerokuConfig(Model):
    """Heroku apps by name."""

    apps: dict[Kebab, HerokuApp] = Field(default_factory=dict)
    """Apps by name."""
