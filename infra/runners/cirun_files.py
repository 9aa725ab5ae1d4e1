"""The generated `.cirun.global.yml` and `.access.yml`, committed to the `.cirun` repository."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_github as github

from infra.config.runners import RunnersConfig

COMMIT_MESSAGE = "Update {file} from conda-forge-infra data/runners"


class CirunFiles(pulumi.ComponentResource):
    """One `RepositoryFile` per generated file.

    `overwrite_on_create` lets the first `up` take over the files that exist today instead of
    failing; from then on the data is the source of truth and hand edits show up as drift.
    """

    def __init__(
        self,
        name: str,
        settings: RunnersConfig,
        files: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:runners:CirunFiles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.files: dict[str, github.RepositoryFile] = {
            path: github.RepositoryFile(
                f"{name}-{path.lstrip('.').replace('.', '-')}",
                repository=settings.cirun_repository,
                branch=settings.cirun_branch,
                file=path,
                content=content,
                # A fixed message: a message that changed every run would show as a diff every run.
                commit_message=COMMIT_MESSAGE.format(file=path),
                overwrite_on_create=True,
                opts=child,
            )
            for path, content in sorted(files.items())
        }
        self.register_outputs({"files": sorted(self.files)})
