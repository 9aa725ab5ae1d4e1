"""Repository ids by name, looked up once per repository per run."""

from __future__ import annotations

import pulumi
import pulumi_github as github


class RepositoryIds:
    """GitHub's numeric ids for the stack's repositories (org secrets select repositories by id)."""

    def __init__(self, org: str, provider: pulumi.ProviderResource):
        self._org = org
        self._provider = provider
        self._ids: dict[str, pulumi.Output[int]] = {}

    def id_of(self, name: str) -> pulumi.Output[int]:
        if name not in self._ids:
            repo = github.get_repository_output(
                full_name=f"{self._org}/{name}",
                opts=pulumi.InvokeOutputOptions(provider=self._provider),
            )
            self._ids[name] = repo.repo_id
        return self._ids[name]
