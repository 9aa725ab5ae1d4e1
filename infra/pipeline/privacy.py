"""Which drift must not be written to a public issue.

conda-forge/infrastructure is public: a drift issue saying "PROD_BINSTAR_TOKEN now reaches every
repository" or "an unknown owner appeared" discloses a hole while it is still open. Drift that
touches who can read a secret, who is in the organisation or its teams, where webhooks deliver,
what CI may assume or what an environment protects is *security-relevant*: the public issue only
says that drift exists and where core can read it; the details go to the private channel
(docs/runbooks/drift.md). Everything else stays an ordinary public issue.
"""

from __future__ import annotations

from enum import StrEnum

from infra.pipeline.verify import Step
from infra.pulumi_formats import NO_CHANGE_OPS, parse_urn

#: Resource types whose drift is security-relevant (by type token, every provider version).
SECURITY_TYPES = frozenset(
    {
        # who can read a secret, and the secret itself
        "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
        "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
        "github:index/actionsSecret:ActionsSecret",
        "azuredevops:index/variableGroup:VariableGroup",
        "heroku:app/configAssociation:ConfigAssociation",
        # who is in the organisation, its teams and repositories
        "github:index/membership:Membership",
        "github:index/team:Team",
        "github:index/teamMembership:TeamMembership",
        "github:index/teamRepository:TeamRepository",
        "github:index/repositoryCollaborator:RepositoryCollaborator",
        "github:index/organizationSettings:OrganizationSettings",
        "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions",
        "github:index/actionsRunnerGroup:ActionsRunnerGroup",
        # where deliveries go, what protects a branch or an environment
        "github:index/organizationWebhook:OrganizationWebhook",
        "github:index/repositoryWebhook:RepositoryWebhook",
        "github:index/repositoryRuleset:RepositoryRuleset",
        "github:index/organizationRuleset:OrganizationRuleset",
        "github:index/repositoryEnvironment:RepositoryEnvironment",
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        # what CI and cirun may do in AWS
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/user:User",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:kms/key:Key",
    }
)


class DriftClass(StrEnum):
    CLEAN = "clean"
    ORDINARY = "ordinary"
    SECURITY = "security"


def _type(urn: str) -> str:
    return parse_urn(urn).type


def classify(steps: list[Step]) -> tuple[DriftClass, int]:
    """The class of the drift a refreshed preview shows, and how many resources drifted."""
    changing = [
        s for s in steps if s.op not in NO_CHANGE_OPS and not parse_urn(s.urn).is_root_stack
    ]
    if not changing:
        return DriftClass.CLEAN, 0
    # An operation the engine reports that is no known change is treated as the worst case.
    security = any(
        _type(s.urn) in SECURITY_TYPES or _type(s.urn).startswith("pulumi:providers:")
        for s in changing
    )
    return (DriftClass.SECURITY if security else DriftClass.ORDINARY), len(changing)
