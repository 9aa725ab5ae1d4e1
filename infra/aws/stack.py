"""Everything this stack declares in AWS. (Filled in by the AWS work.)"""

from __future__ import annotations

from infra.config.loader import Project


def declare_aws(project: Project) -> None:
    if project.config.aws is None:
        return
