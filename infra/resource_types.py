"""The one table of resource types: which service, whether drift or change is security-relevant,
and the blast radius of a change.

conda-forge/infrastructure is public: drift that touches who can read a secret, who is in the
organisation or its teams, where webhooks deliver, what CI may assume in AWS, what protects a
branch or an environment, or a provider's own configuration is *security-relevant*: it goes to the
private channel, never to the public drift issue (docs/runbooks/drift.md). ``drift-triage``, the
drift report, the PR diff and ``plan --against`` all read this table, so they cannot disagree; a
test checks that every type the production and fixture plans declare has an entry.

Some types are security-relevant only in some properties (a repository's description is not, its
visibility is): ``security`` is then the set of top-level properties that make a change of it
security-relevant, and any create, delete or replace of it is. A type the table does not know is
treated as the worst case (security-relevant): an error costs a reader a minute, a miss is the 2025
incident again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from infra.pulumi_formats import PROVIDER_TYPE_PREFIX, ROOT_STACK_TYPE


class Blast(StrEnum):
    """How far a change of one resource reaches."""

    ORGANISATION = "organisation"
    """The whole organisation (or the whole account at another service)."""
    REPOSITORY = "repository"
    PERSON = "person"


@dataclass(frozen=True)
class ResourceType:
    service: str
    blast: Blast
    security: bool | frozenset[str]
    """True: every drift or change is security-relevant; a set: those top-level properties (and
    any create, delete or replace); False: never."""
    why: str = ""
    """Why it matters, for the report (when ``security``)."""


def _t(service: str, blast: Blast, security: bool | Iterable[str], why: str = "") -> ResourceType:
    sec = security if isinstance(security, bool) else frozenset(security)
    return ResourceType(service, blast, sec, why)


ORG, REPO, PERSON = Blast.ORGANISATION, Blast.REPOSITORY, Blast.PERSON
_READERS = "who can read a secret, or the secret itself, differs"
_ACCESS = "a person's or team's access differs from the data (unknown or changed)"
_HOOK = "a webhook differs from the code (where, what and with which secret it delivers)"
_PROTECTION = "a ruleset, environment or Actions policy differs (live may be looser)"
_AWS = "what CI or cirun may do in AWS differs"
_PROVIDER = "a provider's own configuration (its credentials, its endpoint) differs"

TYPES: Final[dict[str, ResourceType]] = {
    # GitHub: secrets and who reads them
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": _t(
        "github", ORG, True, _READERS
    ),
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories": (
        _t("github", ORG, True, _READERS)
    ),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": _t(
        "github", REPO, True, _READERS
    ),
    "github:index/actionsSecret:ActionsSecret": _t("github", REPO, True, _READERS),
    "github:index/dependabotOrganizationSecret:DependabotOrganizationSecret": _t(
        "github", ORG, True, _READERS
    ),
    # GitHub: people and teams
    "github:index/membership:Membership": _t("github", PERSON, True, _ACCESS),
    "github:index/teamMembership:TeamMembership": _t("github", PERSON, True, _ACCESS),
    "github:index/team:Team": _t("github", ORG, {"privacy", "parentTeamId", "members"}, _ACCESS),
    "github:index/teamRepository:TeamRepository": _t("github", REPO, True, _ACCESS),
    "github:index/repositoryCollaborator:RepositoryCollaborator": _t(
        "github", PERSON, True, _ACCESS
    ),
    # GitHub: where deliveries go, what protects a branch, an environment, the organisation
    "github:index/organizationWebhook:OrganizationWebhook": _t("github", ORG, True, _HOOK),
    "github:index/repositoryWebhook:RepositoryWebhook": _t("github", REPO, True, _HOOK),
    "github:index/organizationSettings:OrganizationSettings": _t("github", ORG, True, _PROTECTION),
    "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions": _t(
        "github", ORG, True, _PROTECTION
    ),
    "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions": _t(
        "github", REPO, True, _PROTECTION
    ),
    "github:index/actionsRunnerGroup:ActionsRunnerGroup": _t("github", ORG, True, _PROTECTION),
    "github:index/organizationRuleset:OrganizationRuleset": _t("github", ORG, True, _PROTECTION),
    "github:index/repositoryRuleset:RepositoryRuleset": _t("github", REPO, True, _PROTECTION),
    "github:index/branchProtection:BranchProtection": _t("github", REPO, True, _PROTECTION),
    "github:index/repositoryEnvironment:RepositoryEnvironment": _t(
        "github", REPO, True, _PROTECTION
    ),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        _t("github", REPO, True, _PROTECTION)
    ),
    "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts": _t(
        "github", REPO, True, "a repository's vulnerability alerts differ (live may be off)"
    ),
    "github:index/repositoryFile:RepositoryFile": _t(
        "github", REPO, True, "a managed file differs (the .cirun files grant GPU runners)"
    ),
    "github:index/repository:Repository": _t(
        "github",
        REPO,
        {"visibility", "private", "securityAndAnalysis", "allowForking", "template"},
        "a repository's visibility or security settings differ",
    ),
    # AWS
    "aws:iam/role:Role": _t("aws", ORG, True, _AWS),
    "aws:iam/rolePolicy:RolePolicy": _t("aws", ORG, True, _AWS),
    "aws:iam/user:User": _t("aws", ORG, True, _AWS),
    "aws:iam/userPolicy:UserPolicy": _t("aws", ORG, True, _AWS),
    "aws:iam/accessKey:AccessKey": _t("aws", ORG, True, _AWS),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _t("aws", ORG, True, _AWS),
    "aws:kms/key:Key": _t("aws", ORG, True, "the state backend's encryption key differs"),
    "aws:kms/alias:Alias": _t("aws", ORG, True, "the state backend's key alias points elsewhere"),
    "aws:s3/bucketPolicy:BucketPolicy": _t("aws", ORG, True, "who can read the state differs"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _t(
        "aws", ORG, True, "the state bucket may be public"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _t("aws", ORG, True, "the state bucket's encryption differs")
    ),
    "aws:s3/bucket:Bucket": _t("aws", ORG, False),
    "aws:s3/bucketVersioning:BucketVersioning": _t("aws", ORG, False),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _t("aws", ORG, False),
    "aws:budgets/budget:Budget": _t("aws", ORG, False),
    # Azure DevOps, Heroku, OpenStack
    "azuredevops:index/variableGroup:VariableGroup": _t("azuredevops", ORG, True, _READERS),
    "heroku:app/configAssociation:ConfigAssociation": _t("heroku", ORG, True, _READERS),
    "heroku:app/app:App": _t("heroku", ORG, False),
    "heroku:formation/formation:Formation": _t("heroku", ORG, False),
    "openstack:compute/flavor:Flavor": _t("openstack", ORG, False),
}

COMPONENT_PREFIX: Final = "cfinfra:"
"""This project's components: no cloud state of their own, so never drift."""

_UNKNOWN = ResourceType("unknown", ORG, True, "a resource type this project does not know")


def lookup(type_: str) -> ResourceType:
    """The table's entry; providers, components and the root stack by their prefix; the worst
    case for a type the table does not know."""
    if type_ in TYPES:
        return TYPES[type_]
    if type_.startswith(PROVIDER_TYPE_PREFIX):
        return ResourceType("pulumi", ORG, True, _PROVIDER)
    if type_.startswith(COMPONENT_PREFIX) or type_ == ROOT_STACK_TYPE:
        return ResourceType(type_.split(":")[0], ORG, False)
    return _UNKNOWN


def holds_no_cloud_state(type_: str) -> bool:
    """A component, a provider instance or the root stack: records of Pulumi's own, nothing at a
    service, so deleting one destroys nothing and there is nothing live to compare it with."""
    return type_.startswith((COMPONENT_PREFIX, PROVIDER_TYPE_PREFIX)) or type_ == ROOT_STACK_TYPE


def is_known(type_: str) -> bool:
    return lookup(type_) is not _UNKNOWN


def service(type_: str) -> str:
    return lookup(type_).service


def blast_radius(type_: str) -> Blast:
    return lookup(type_).blast


_REWRITES: Final = frozenset({"create", "delete", "replace", "import"})


def is_security_relevant(type_: str, op: str, properties: Iterable[str]) -> bool:
    """Whether a change (or drift) of a resource of ``type_`` is security-relevant: ``op`` is the
    headline op, ``properties`` the top-level properties it touches."""
    security = lookup(type_).security
    if isinstance(security, bool):
        return security
    return op in _REWRITES or bool(security & set(properties))
