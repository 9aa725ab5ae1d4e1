"""What the stack declares for CI runners: flavors, the `.cirun` files, large-runner groups."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.loader import Project
from infra.config.manifest import ProviderKind
from infra.config.runners import HostEntry, HostKind, RunnerData
from infra.deliveries import SecretValues
from infra.github.repositories import RepositoryIds
from infra.runners.cirun_files import CirunFiles
from infra.runners.flavors import HostFlavors
from infra.runners.render import render_cirun_files
from infra.runners.runner_groups import LargeRunnerGroups


def current_openstack_hosts(data: RunnerData) -> list[HostEntry]:
    """Hosts whose flavors this stack declares: OpenStack, not decommissioned."""
    return [
        h for h in data.hosts if h.host.kind is HostKind.OPENSTACK and h.host.decommissioned is None
    ]


def declare_runners(
    project: Project, github_provider: github.Provider, values: SecretValues
) -> None:
    data: RunnerData | None = project.runners
    settings = project.config.runners
    if data is None or settings is None:
        return
    for entry in current_openstack_hosts(data):
        credential = values.credential(ProviderKind.OPENSTACK, entry.id)
        HostFlavors(f"runners-{entry.id}", entry, credential)
    on_github = pulumi.ResourceOptions(provider=github_provider)
    if settings.manage_cirun_files:
        CirunFiles("runners-cirun", settings, render_cirun_files(data), opts=on_github)
    if settings.manage_runner_groups:
        repo_ids = RepositoryIds(project.config.github.org, github_provider)
        LargeRunnerGroups("runners-large", data, repo_ids, opts=on_github)
