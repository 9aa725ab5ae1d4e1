"""Every kind of data file, the model that validates it, and the JSON Schema published for it.

``cfinfra docs`` writes each kind's schema to ``docs/reference/<schema>``, and every data file
starts with a ``# yaml-language-server: $schema=<relative path>`` line naming it, so editors with a
YAML language server validate and complete as you type, against the schema the loader uses.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

from pydantic import BaseModel, RootModel

from infra.config.base import Kebab
from infra.config.github import Repository, Webhook
from infra.config.github_org import ActionsPolicy
from infra.config.manifest import Secret
from infra.config.people import AdoptedPeople, TeamSpec
from infra.config.runners import (
    AwsGpuPool,
    FeedstockAccess,
    Host,
    PolicyDefaults,
    ProvidersFile,
    ResourcesFile,
)
from infra.config.stack import StackFile

SCHEMA_DIR = PurePosixPath("docs/reference")
HEADER_PREFIX = "# yaml-language-server: $schema="


class TeamsFile(RootModel[dict[Kebab, TeamSpec | None]]):
    """`data/github/teams.yaml`: every team this stack manages, by slug (an empty entry takes
    every default)."""


@dataclass(frozen=True)
class FileKind:
    """A kind of data file: where such files live (a glob from the project root) and its model."""

    pattern: str
    model: type[BaseModel]
    schema: str
    """The schema's file name under `docs/reference/`."""
    title: str

    @property
    def schema_path(self) -> PurePosixPath:
        return SCHEMA_DIR / self.schema


KINDS: tuple[FileKind, ...] = (
    FileKind("Pulumi.*.yaml", StackFile, "stack-config.schema.json", "Pulumi.<stack>.yaml"),
    FileKind("secrets/*.yaml", Secret, "secret.schema.json", "A secret (secrets/<id>.yaml)"),
    FileKind(
        "data/github/repositories/*.yaml",
        Repository,
        "repository.schema.json",
        "An infrastructure repository (data/github/repositories/<name>.yaml)",
    ),
    FileKind(
        "data/github/webhooks/*.yaml",
        Webhook,
        "webhook.schema.json",
        "A webhook (data/github/webhooks/<id>.yaml)",
    ),
    FileKind("data/github/teams.yaml", TeamsFile, "teams.schema.json", "data/github/teams.yaml"),
    FileKind(
        "data/github/adopted.yaml",
        AdoptedPeople,
        "adopted.schema.json",
        "Memberships recorded as existing (data/github/adopted.yaml)",
    ),
    FileKind(
        "data/github/actions-policy.proposed.yaml",
        ActionsPolicy,
        "actions-policy.schema.json",
        "A proposed org Actions policy (data/github/actions-policy.proposed.yaml)",
    ),
    FileKind(
        "data/runners/hosts/*.yaml", Host, "host.schema.json", "A runner host (hosts/<id>.yaml)"
    ),
    FileKind(
        "data/runners/access/*.yaml",
        FeedstockAccess,
        "feedstock-access.schema.json",
        "A feedstock's runner access (access/<feedstock>.yaml)",
    ),
    FileKind(
        "data/runners/resources.yaml",
        ResourcesFile,
        "runner-resources.schema.json",
        "data/runners/resources.yaml",
    ),
    FileKind(
        "data/runners/policy-defaults.yaml",
        PolicyDefaults,
        "runner-policy-defaults.schema.json",
        "data/runners/policy-defaults.yaml",
    ),
    FileKind(
        "data/runners/providers.yaml",
        ProvidersFile,
        "runner-providers.schema.json",
        "data/runners/providers.yaml",
    ),
    FileKind(
        "data/runners/aws-gpu-pool.yaml",
        AwsGpuPool,
        "aws-gpu-pool.schema.json",
        "data/runners/aws-gpu-pool.yaml",
    ),
)


def kind_of(path: str | PurePath) -> FileKind | None:
    """The kind of the data file at ``path`` (relative to the project root), if it is one."""
    text = PurePath(path).as_posix()
    return next((k for k in KINDS if fnmatch.fnmatchcase(text, k.pattern)), None)


def schema_header(path: str | PurePath) -> str:
    """The first line a data file at ``path`` (relative to the project root) starts with.

    Empty when ``path`` is no data file kind.
    """
    kind = kind_of(path)
    if kind is None:
        return ""
    relative = os.path.relpath(kind.schema_path, PurePosixPath(PurePath(path).as_posix()).parent)
    return f"{HEADER_PREFIX}{PurePosixPath(relative).as_posix()}\n"
