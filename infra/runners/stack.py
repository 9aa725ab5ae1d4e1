"""Everything this stack declares for CI runners. (Filled in by the runners work.)"""

from __future__ import annotations

import pulumi_github as github

from infra.config.loader import Project


def declare_runners(project: Project, github_provider: github.Provider) -> None:
    if project.runners is None:
        return
