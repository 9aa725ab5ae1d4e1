"""Everything this stack declares in Azure DevOps."""

from __future__ import annotations

import pulumi
import pulumi_azuredevops as azuredevops

from infra.azure.variable_groups import VariableGroups
from infra.config.loader import Project
from infra.config.manifest import AzureProjectIdTarget, AzureVariableTarget, ProviderKind
from infra.deliveries import SecretValues


def declare_azure(project: Project, values: SecretValues) -> None:
    cfg = project.config.azure
    # The PAT from the manifest, passed explicitly: never AZDO_PERSONAL_ACCESS_TOKEN or a CLI login.
    provider = azuredevops.Provider(
        "azuredevops",
        org_service_url=f"https://dev.azure.com/{cfg.organization}",
        personal_access_token=values.credential(ProviderKind.AZUREDEVOPS)["personal_access_token"],
    )
    VariableGroups(
        "azure-variable-groups",
        cfg,
        values.of(AzureVariableTarget),
        values.of(AzureProjectIdTarget),
        opts=pulumi.ResourceOptions(provider=provider),
    )
