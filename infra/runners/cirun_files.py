"""The generated `.cirun.global.yml` and `.access.yml`, committed to the `.cirun` repository."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_github as github

from infra.config.runners import CirunFilesWriter, RunnersConfig

COMMIT_MESSAGE = "Update {file} from conda-forge-infra data/runners"


class CirunFiles(pulumi.ComponentResource):
    """One `RepositoryFile` per generated file, with one writer (docs/migration.md).

    Before the cutover (`cirun_files_writer: admin-requests`) the files are written by
    conda-forge/admin-requests' automation and by hand: they are imported (never created, so never
    overwritten: no `overwrite_on_create`) and their content is in `ignore_changes`, so no `up`
    replaces an edit this program did not make. The rendered content is still declared, so the plan
    shows exactly what the cutover would write. After the cutover (`infrastructure`) the content is
    managed: the data is the source of truth and a hand edit shows up as drift.
    """

    def __init__(
        self,
        name: str,
        settings: RunnersConfig,
        files: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:runners:CirunFiles", name, None, opts)
        adopting = settings.cirun_files_writer is CirunFilesWriter.ADMIN_REQUESTS
        self.files: dict[str, github.RepositoryFile] = {
            path: github.RepositoryFile(
                f"{name}-{path.lstrip('.').replace('.', '-')}",
                repository=settings.cirun_repository,
                branch=settings.cirun_branch,
                file=path,
                content=content,
                # A fixed message: a message that changed every run would show as a diff every run.
                commit_message=COMMIT_MESSAGE.format(file=path),
                overwrite_on_create=False,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    # `<repo>:<path>:<branch>`, the provider's import id.
                    import_=(
                        f"{settings.cirun_repository}:{path}:{settings.cirun_branch}"
                        if adopting
                        else None
                    ),
                    ignore_changes=["content", "commit_message"] if adopting else None,
                    # Leaving the code must not delete the file cirun reads.
                    retain_on_delete=True,
                ),
            )
            for path, content in sorted(files.items())
        }
        self.register_outputs({"files": sorted(self.files)})
