"""Every IAM and bucket policy this stack writes, as plain data: pure functions of plain strings.

Components resolve ARNs first and call these inside one ``apply``; tests import them and parse the
JSON the plan recorded. Nothing here imports the provider SDK, so the policies can be read, tested
and diffed on their own. Actions are listed one by one (no wildcards) so that a reviewer sees
exactly what each principal can do, and a test can prove the read-only role has no write action.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Policy = dict[str, Any]
Statement = dict[str, Any]

VERSION = "2012-10-17"
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
"""The audience `aws-actions/configure-aws-credentials` requests; the trust policies require it."""
ROLE_PATH = "/cfinfra/"
"""IAM path of the CI roles: the deploy role may manage roles under this path and no other."""
CIRUN_USER_PATH = "/cirun/"
STATE_PREFIX = ".pulumi/"
"""Pulumi's DIY backend keeps everything (stacks, history, locks, backups) under this prefix."""


def to_json(doc: Policy) -> str:
    """Deterministic JSON: a policy always renders to the same string (stable plans, no diffs)."""
    return json.dumps(doc, sort_keys=True)


def _policy(statements: Iterable[Statement]) -> Policy:
    return {"Version": VERSION, "Statement": list(statements)}


def _allow(
    sid: str, actions: Sequence[str], resources: str | Sequence[str], **condition: Any
) -> Statement:
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources if isinstance(resources, str) else sorted(resources),
    }
    if condition:
        statement["Condition"] = condition
    return statement


@dataclass(frozen=True)
class Scope:
    """What the CI roles' policies refer to, as resolved strings."""

    account_id: str
    region: str
    state_bucket: str
    kms_key_arn: str
    kms_alias: str
    """The alias including its `alias/` prefix."""
    oidc_provider_arn: str
    cirun_user: str
    budget_name: str
    partition: str = "aws"

    @property
    def bucket_arn(self) -> str:
        return bucket_arn(self.state_bucket, self.partition)

    @property
    def state_objects_arn(self) -> str:
        return f"{self.bucket_arn}/{STATE_PREFIX}*"

    @property
    def alias_arn(self) -> str:
        return f"arn:{self.partition}:kms:{self.region}:{self.account_id}:{self.kms_alias}"

    @property
    def roles_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role{ROLE_PATH}*"

    @property
    def cirun_user_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:user{CIRUN_USER_PATH}{self.cirun_user}"

    @property
    def budget_arn(self) -> str:
        return f"arn:{self.partition}:budgets::{self.account_id}:budget/{self.budget_name}"


def bucket_arn(bucket: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{bucket}"


# --- the state bucket -----------------------------------------------------------------------------


def deny_insecure_transport(bucket: str) -> Policy:
    """The state bucket's policy: refuse every request that is not over TLS."""
    arn = bucket_arn(bucket)
    return _policy(
        [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    )


# --- GitHub OIDC trust ----------------------------------------------------------------------------


def environment_subjects(repository: str, environment: str) -> list[str]:
    """The OIDC subject of jobs in one deployment environment, and nothing else.

    A job that names an environment gets the subject `repo:<repository>:environment:<name>`
    whatever its branch or event, so each role trusts exactly one environment and the
    environment's protection rules (branches, reviewers) decide who gets in.
    """
    return [f"repo:{repository}:environment:{environment}"]


def github_trust(oidc_provider_arn: str, subjects: Sequence[str]) -> Policy:
    """Trust GitHub's OIDC tokens for exactly these subjects and the STS audience.

    `StringEquals`, not `StringLike`: no subject needs a wildcard, and a wildcard is how a fork or
    another branch slips in.
    """
    return _policy(
        [
            {
                "Sid": "GitHubActions",
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": sorted(subjects),
                    }
                },
            }
        ]
    )


# --- what the CI roles may do ---------------------------------------------------------------------

# What `pulumi preview --refresh` reads of each resource this stack manages (the provider's Read).
_BUCKET_READS = (
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketTagging",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls",
)
# kms:Decrypt both opens Pulumi's secrets (awskms:// provider) and reads SSE-KMS state objects.
_KEY_READS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
)
_OIDC_READS = ("iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags")
_ROLE_READS = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
)
# ListAccessKeys (ids, status, creation dates; never a secret) lets the weekly rotation status job
# report the cirun key's age with this role (.github/workflows/rotation.yml).
_USER_READS = (
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAccessKeys",
    "iam:ListAttachedUserPolicies",
    "iam:ListUserPolicies",
    "iam:ListUserTags",
)
_BUDGET_READS = ("budgets:ViewBudget", "budgets:ListTagsForResource")


def _read_statements(scope: Scope) -> list[Statement]:
    return [
        _allow("ReadState", ["s3:GetObject"], scope.state_objects_arn),
        _allow("ReadStateBucket", _BUCKET_READS, scope.bucket_arn),
        _allow("ReadStateKey", _KEY_READS, scope.kms_key_arn),
        # ListAliases supports no resource-level permission: "*" is the only resource it accepts.
        _allow("ListKeyAliases", ["kms:ListAliases"], "*"),
        _allow("ReadGitHubOidcProvider", _OIDC_READS, scope.oidc_provider_arn),
        _allow("ReadCiRoles", _ROLE_READS, scope.roles_arn),
        _allow("ReadCirunUser", _USER_READS, scope.cirun_user_arn),
        _allow("ReadBudget", _BUDGET_READS, scope.budget_arn),
    ]


def read_only_policy(scope: Scope) -> Policy:
    """Previews and drift checks: read the state and every managed resource; write nothing at all.

    A preview takes no lock on an S3 backend and writes no history (only `up`, `refresh` and
    `destroy` do), so the state needs `s3:GetObject` and nothing more.
    """
    return _policy(_read_statements(scope))


def deploy_policy(scope: Scope) -> Policy:
    """`pulumi up` for this stack: the reads, plus writes scoped to the resources the stack manages.

    Deliberately absent: deleting the bucket, its policy or the key (they are protected; an admin
    does that by hand), creating KMS keys (that needs `Resource: "*"`; an admin bootstraps the key
    once), and access keys of anyone but the cirun user.
    """
    writes = [
        # Lock files are deleted at the end of every update; history and backups are written.
        _allow("WriteState", ["s3:PutObject", "s3:DeleteObject"], scope.state_objects_arn),
        _allow(
            "ManageStateBucket",
            [
                "s3:CreateBucket",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            scope.bucket_arn,
        ),
        # GenerateDataKey: writing an object to an SSE-KMS bucket needs a data key from its key.
        _allow(
            "ManageStateKey",
            [
                "kms:EnableKeyRotation",
                "kms:GenerateDataKey",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateKeyDescription",
            ],
            scope.kms_key_arn,
        ),
        # Creating or moving an alias is authorised on both the alias and the key it points to.
        _allow(
            "ManageStateKeyAlias",
            ["kms:CreateAlias", "kms:UpdateAlias"],
            [scope.alias_arn, scope.kms_key_arn],
        ),
        _allow(
            "ManageGitHubOidcProvider",
            [
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:CreateOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
            ],
            scope.oidc_provider_arn,
        ),
        _allow(
            "ManageCiRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRolePolicy",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            scope.roles_arn,
        ),
        _allow(
            "ManageCirunUser",
            [
                "iam:CreateUser",
                "iam:DeleteUserPolicy",
                "iam:PutUserPolicy",
                "iam:TagUser",
                "iam:UntagUser",
            ],
            scope.cirun_user_arn,
        ),
        _allow(
            "ManageBudget",
            ["budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"],
            scope.budget_arn,
        ),
    ]
    return _policy([*_read_statements(scope), *writes])


def rotation_policy(scope: Scope) -> Policy:
    """`cfinfra rotation run`: the reads, plus the cirun user's access keys and nothing else.

    Pulumi declares no access key; the rotator creates, deactivates and deletes them, from the
    `rotation` environment, with this role. The deploy role cannot touch access keys at all.
    """
    rotate = _allow(
        "RotateCirunAccessKey",
        ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey"],
        scope.cirun_user_arn,
    )
    return _policy([*_read_statements(scope), rotate])


# --- the cirun GPU pool ---------------------------------------------------------------------------

_EC2_DESCRIBES = (
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeKeyPairs",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSpotInstanceRequests",
    "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcs",
)


def cirun_policy(
    *,
    account_id: str,
    region: str,
    instance_types: Sequence[str],
    tag_key: str,
    partition: str = "aws",
) -> Policy:
    """What cirun's IAM user may do: launch allowed GPU types tagged for cirun, tag only at launch,
    stop or terminate only instances carrying the tag, and describe things. Nothing else.

    `RunInstances` is authorised once per resource it touches (the instance, its image, subnet,
    volumes, ...); the instance-type and request-tag conditions exist only for the instance
    resource, so the instance gets its own conditioned statement and the others are allowed
    plainly, in the region only.
    """
    ec2 = f"arn:{partition}:ec2:{region}"
    instances = f"{ec2}:{account_id}:instance/*"
    tagged_at_launch = [
        instances,
        f"{ec2}:{account_id}:network-interface/*",
        f"{ec2}:{account_id}:spot-instances-request/*",
        f"{ec2}:{account_id}:volume/*",
    ]
    return _policy(
        [
            _allow(
                "DescribeInRegion",
                _EC2_DESCRIBES,
                "*",  # EC2 describe calls support no resource-level permission
                StringEquals={"aws:RequestedRegion": region},
            ),
            _allow(
                "LaunchAllowedGpuTypesTaggedForCirun",
                ["ec2:RunInstances"],
                instances,
                StringEquals={"ec2:InstanceType": sorted(instance_types)},
                # Null false = the tag is present in the request.
                Null={f"aws:RequestTag/{tag_key}": "false"},
            ),
            _allow(
                "LaunchWithRegionResources",
                ["ec2:RunInstances"],
                [
                    f"{ec2}::image/*",
                    f"{ec2}::snapshot/*",
                    f"{ec2}:{account_id}:key-pair/*",
                    f"{ec2}:{account_id}:network-interface/*",
                    f"{ec2}:{account_id}:security-group/*",
                    f"{ec2}:{account_id}:spot-instances-request/*",
                    f"{ec2}:{account_id}:subnet/*",
                    f"{ec2}:{account_id}:volume/*",
                ],
            ),
            _allow(
                "TagOnlyAtLaunch",
                ["ec2:CreateTags"],
                tagged_at_launch,
                StringEquals={"ec2:CreateAction": "RunInstances"},
            ),
            _allow(
                "StopOrTerminateOnlyCirunInstances",
                ["ec2:StopInstances", "ec2:TerminateInstances"],
                instances,
                Null={f"aws:ResourceTag/{tag_key}": "false"},
            ),
        ]
    )
