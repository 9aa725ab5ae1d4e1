"""``cfinfra:azure``: Azure DevOps projects and the variable groups this stack fills."""

from __future__ import annotations

from pydantic import Field

from infra.config.audience import Audience
from infra.config.base import Description, Kebab, Model, enum_field


class AzureProject(Model):
    """An Azure DevOps project. Example:

    ```yaml
    feedstock-builds: {audience: feedstocks}
    ```
    Its id comes from 1Password (a manifest secret with an `azure-project-id` target). That secret
    supplies this one project's id and is delivered nowhere else, and no other project reads its
    id from the same item: the audience comes from this key, so the id must not come from another
    project's item.
    """

    audience: Audience = enum_field()
    """Who can get a pipeline to run in this project. Every feedstock builds in
    `feedstock-builds`."""
    description: Description | None = None
    """What runs in the project."""


class VariableGroup(Model):
    """A variable group whose secret variables come from the manifest. Example:

    ```yaml
    - {project: cdt-builds, name: anaconda-org, allow_access: true}
    ```
    """

    project: Kebab
    """The project (a key of `projects`)."""
    name: Kebab
    """The group's name."""
    allow_access: bool
    """Every pipeline of the project may read the group (so its audience is the project's)."""
    description: Description = (
        "anaconda-org secrets (provisioned from https://github.com/conda-forge/infrastructure)"
    )
    """Shown in Azure DevOps."""


class AzureConfig(Model):
    """The Azure DevOps organisation."""

    organization: Kebab
    """The organisation, e.g. `conda-forge` (`https://dev.azure.com/<organization>`)."""
    projects: dict[Kebab, AzureProject] = Field(default_factory=dict)
    """Projects by name."""
    variable_groups: list[VariableGroup] = Field(default_factory=list)
    """Variable groups this stack owns."""
