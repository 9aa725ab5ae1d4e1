"""One Actions runner group per large-runner provider, open only to the feedstocks granted it."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.runners import RunnerData
from infra.github.repositories import RepositoryIds


class LargeRunnerGroups(pulumi.ComponentResource):
    """Runner groups restricted (`visibility: selected`) to granted feedstocks.

    Feedstocks are public repositories, and GitHub keeps public repositories out of a runner group
    unless the group allows them: `allows_public_repositories` is on, the selection is the gate.
    """

    def __init__(
        self,
        name: str,
        data: RunnerData,
        repo_ids: RepositoryIds,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:runners:LargeRunnerGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.groups: dict[str, github.ActionsRunnerGroup] = {}
        for provider in data.providers:
            feedstocks = data.feedstocks_of_provider(provider.id)
            self.groups[provider.id] = github.ActionsRunnerGroup(
                f"{name}-{provider.id}",
                name=provider.runner_group,
                visibility="selected",
                selected_repository_ids=[repo_ids.id_of(f"{f}-feedstock") for f in feedstocks],
                allows_public_repositories=True,
                opts=child,
            )
        self.register_outputs({"groups": sorted(self.groups)})
