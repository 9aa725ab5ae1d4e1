"""Azure DevOps variable groups, filled from ``azure-variable`` targets of the manifest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pulumi
import pulumi_azuredevops as azuredevops

from infra.config.azure import AzureConfig
from infra.config.manifest import AzureProjectIdTarget, AzureVariableTarget
from infra.deliveries import Delivery


class VariableGroups(pulumi.ComponentResource):
    """Every variable group of ``cfinfra:azure.variable_groups``, variables sorted by name."""

    def __init__(
        self,
        name: str,
        config: AzureConfig,
        variables: Iterable[Delivery[AzureVariableTarget]],
        project_ids: Iterable[Delivery[AzureProjectIdTarget]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:azure:VariableGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        id_of = {d.target.project: d.value for d in project_ids}
        by_group: dict[tuple[str, str], list[Delivery[AzureVariableTarget]]] = defaultdict(list)
        for d in variables:
            by_group[(d.target.project, d.target.group)].append(d)
        for group in config.variable_groups:
            members = sorted(by_group[(group.project, group.name)], key=lambda d: d.target.variable)
            azuredevops.VariableGroup(
                f"{group.project}-{group.name}",
                project_id=id_of[group.project],
                name=group.name,
                description=group.description,
                allow_access=group.allow_access,
                variables=[
                    azuredevops.VariableGroupVariableArgs(
                        name=d.target.variable, secret_value=d.value, is_secret=True
                    )
                    for d in members
                ],
                opts=child,
            )
        self.register_outputs({})
