"""Helpers for the AWS tests: find resources in a plan and parse the policy JSON they were given.

A plain module (not ``conftest``), imported as ``tests.aws.aws_helpers``.
"""

from __future__ import annotations

import json
from typing import Any

from infra.plan.model import Plan, PlannedResource

BUCKET_T = "aws:s3/bucket:Bucket"
VERSIONING_T = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION_T = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
PUBLIC_ACCESS_T = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY_T = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE_T = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
KEY_T = "aws:kms/key:Key"
ALIAS_T = "aws:kms/alias:Alias"
OIDC_T = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ROLE_T = "aws:iam/role:Role"
ROLE_POLICY_T = "aws:iam/rolePolicy:RolePolicy"
USER_T = "aws:iam/user:User"
USER_POLICY_T = "aws:iam/userPolicy:UserPolicy"
ACCESS_KEY_T = "aws:iam/accessKey:AccessKey"
BUDGET_T = "aws:budgets/budget:Budget"

GITHUB = "token.actions.githubusercontent.com"
READ_VERBS = ("Get", "List", "Describe", "View")
"""An action reads when its verb starts with one of these (kms:Decrypt is the one exception)."""


def one(plan: Plan, type_token: str, name: str | None = None) -> PlannedResource:
    found = [r for r in plan.of_type(type_token) if name is None or r.name == name]
    assert len(found) == 1, (
        f"expected one {type_token} {name or ''}, found {[r.name for r in found]}"
    )
    return found[0]


def policy(resource: PlannedResource, key: str = "policy") -> dict[str, Any]:
    """The policy document a resource was given, parsed from the JSON string in the plan."""
    text = resource.inputs[key]
    assert isinstance(text, str), f"{resource.key}.{key} is not a JSON string"
    return json.loads(text)


def actions(doc: dict[str, Any], effect: str = "Allow") -> list[str]:
    out: list[str] = []
    for statement in doc["Statement"]:
        if statement["Effect"] == effect:
            act = statement["Action"]
            out.extend([act] if isinstance(act, str) else act)
    return out


def statement(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    (found,) = [s for s in doc["Statement"] if s.get("Sid") == sid]
    return found


def is_read_only(action: str) -> bool:
    if "*" in action:
        return False
    service, _, verb = action.partition(":")
    return bool(service) and (verb.startswith(READ_VERBS) or action == "kms:Decrypt")
