"""Everything this stack declares in Azure DevOps."""

from __future__ import annotations

import pulumi
import pulumi_azuredevops as azuredevops

from infra.azure.variable_groups import VariableGroups
from infra.config.loader import Project
from infra.config.manifest import AzureProjectIdTarget, AzureVariableTarget
from infra.deliveries import SecretValues


def declare_azure(project: Project, values: SecretValues) -> None:
    cfg = project.config.azure
    provider = azuredevops.Provider(
        "azuredevops", org_service_url=f"https://dev.azure.com/{cfg.organization}"
    )
    VariableGroups(
        "azure-variable-groups",
        cfg,
        values.of(AzureVariableTarget),
        values.of(AzureProjectIdTarget),
        opts=pulumi.ResourceOptions(provider=provider),
    )
