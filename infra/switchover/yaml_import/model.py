"""The data of a translation: identities, findings, the collected state, and the defaults.

The defaults are explained (and their fail-closed reasoning) in
``infra.switchover.yaml_import.translate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from infra.config.azure import VariableGroup
from infra.switchover.yaml_import.reference import Reference

# --- defaults (documented in docs/migration.md) ---------------------------------------------------
UNKNOWN_OWNER = "core"
UNKNOWN_SENSITIVITY = "critical"
UNKNOWN_CLEARED_FOR = "core"
UNKNOWN_ROTATION: dict[str, Any] = {"max_age_days": 180, "mode": "manual"}
UNKNOWN_AUDIENCE = "public"
DEFAULT_VARIABLE_GROUP_DESCRIPTION: str = VariableGroup.model_fields["description"].default

# --- tokens ---------------------------------------------------------------------------------
OP_GET_ITEM = "onepassword:index/getItem:getItem"
GH_GET_REPOSITORY = "github:index/getRepository:getRepository"
HEROKU_GET_APP = "heroku:app/getApp:getApp"
ORG_SECRET = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"  # noqa: S105
ORG_SECRET_REPOS = (
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories"  # noqa: S105
)
ORG_WEBHOOK = "github:index/organizationWebhook:OrganizationWebhook"
REPO_WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"
VARIABLE_GROUP = "azuredevops:index/variableGroup:VariableGroup"
CONFIG_ASSOCIATION = "heroku:app/configAssociation:ConfigAssociation"

IGNORED_TYPES = {
    # The YAML projects read 1Password through this provider; this program uses the 1Password SDK.
    "pulumi:providers:onepassword": "the 1Password provider (this program uses the SDK)",
}
# Options that only steer the old engine; the new program sets its own (retain_on_delete etc.).
HARMLESS_OPTIONS = frozenset(
    {
        "protect",
        "retainOnDelete",
        "deleteBeforeReplace",
        "dependsOn",
        "version",
        "pluginDownloadURL",
    }
)
TARGET_KINDS = (
    "github-org-secret",
    "github-webhook-secret",
    "azure-variable",
    "azure-project-id",
    "heroku-config-var",
)


@dataclass(frozen=True, order=True)
class OpRef:
    """A 1Password vault/item/field: the identity of a manifest secret."""

    vault: str
    item: str
    field: str

    @property
    def uri(self) -> str:
        return f"op://{self.vault}/{self.item}/{self.field}"


@dataclass(frozen=True, order=True)
class Finding:
    """Something not translated, or a default that was assumed. Never holds a value."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Translation:
    secrets: dict[str, dict[str, Any]]
    """Secret id → manifest document (exactly the schema of ``infra.config.manifest.Secret``)."""
    config: dict[str, Any]
    """The ``config:`` mapping of ``Pulumi.<stack>.yaml``."""
    sources: dict[str, list[str]]
    """Secret id → the YAML projects it came from."""
    untranslated: list[Finding]
    assumed: list[Finding]
    stack_extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys of the stack file besides ``config`` (the secrets provider, from --like)."""


def kebab(text: str) -> str:
    """`privateKey` → `private-key`, `My Item` → `my-item`: a valid manifest id or name."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Hook:
    path: str
    base: str
    events: list[str]
    repository: str | None
    content_type: str
    insecure_ssl: bool
    active: bool
    secret: OpRef | None
    project: str
    where: str


@dataclass
class Group:
    project: str
    name: str
    allow_access: bool
    description: str
    project_ref: OpRef


@dataclass
class State:
    """Everything collected from all projects, in discovery order."""

    reference: Reference
    azure_projects: dict[str, str]
    targets: dict[OpRef, list[dict[str, Any]]] = field(default_factory=dict)
    sources: dict[OpRef, list[str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    repositories: list[str] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    apps: dict[str, dict[str, str]] = field(default_factory=dict)
    azure_orgs: dict[str, str] = field(default_factory=dict)
    untranslated: list[Finding] = field(default_factory=list)
    assumed: list[Finding] = field(default_factory=list)

    def miss(self, where: str, message: str) -> None:
        self.untranslated.append(Finding(where, message))

    def assume(self, where: str, message: str) -> None:
        self.assumed.append(Finding(where, message))

    def deliver(self, ref: OpRef, project: str, target: dict[str, Any]) -> None:
        self.targets.setdefault(ref, []).append(target)
        sources = self.sources.setdefault(ref, [])
        if project not in sources:
            sources.append(project)

    def use_repository(self, name: str) -> None:
        if name not in self.repositories:
            self.repositories.append(name)
