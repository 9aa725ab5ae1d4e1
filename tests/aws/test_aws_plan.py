"""The plan declares the AWS footprint: state backend, keyless CI, cirun pool, budget."""

from __future__ import annotations

import pytest

from infra.aws.policies import GITHUB_OIDC_URL, STS_AUDIENCE
from infra.plan.fakes import FAKE_AWS_ACCOUNT_ID
from tests.aws.aws_helpers import (
    ACCESS_KEY_T,
    ALIAS_T,
    BUCKET_POLICY_T,
    BUCKET_T,
    BUDGET_T,
    ENCRYPTION_T,
    GITHUB,
    KEY_T,
    LIFECYCLE_T,
    OIDC_T,
    PUBLIC_ACCESS_T,
    ROLE_POLICY_T,
    ROLE_T,
    USER_POLICY_T,
    USER_T,
    VERSIONING_T,
    actions,
    is_read_only,
    one,
    policy,
    statement,
)

BUCKET = "example-forge-pulumi-state"
REPO = "example-forge/infrastructure"


# --- state backend --------------------------------------------------------------------------------


def test_state_bucket_is_versioned_kms_encrypted_and_private(fixture_plan):
    assert one(fixture_plan, BUCKET_T).inputs["bucket"] == BUCKET
    versioning = one(fixture_plan, VERSIONING_T).inputs
    assert versioning == {"bucket": BUCKET, "versioningConfiguration": {"status": "Enabled"}}
    (rule,) = one(fixture_plan, ENCRYPTION_T).inputs["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "<kms_key_arn:state-key>"}
    block = one(fixture_plan, PUBLIC_ACCESS_T).inputs
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[f] is True for f in flags)


def test_state_bucket_refuses_requests_without_tls(fixture_plan):
    doc = policy(one(fixture_plan, BUCKET_POLICY_T))
    (deny,) = doc["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == "*"
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(deny["Resource"]) == {f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"}


def test_noncurrent_state_versions_expire_after_the_configured_days(fixture_plan):
    (rule,) = one(fixture_plan, LIFECYCLE_T).inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}


def test_kms_key_rotates_and_is_named_by_the_alias_pulumi_uses(fixture_plan):
    assert one(fixture_plan, KEY_T).inputs["enableKeyRotation"] is True
    alias = one(fixture_plan, ALIAS_T).inputs
    assert alias == {
        "name": "alias/example-forge-pulumi",
        "targetKeyId": "<kms_key_id:state-key>",
    }


@pytest.mark.parametrize("type_token", [BUCKET_T, KEY_T, ALIAS_T])
def test_bucket_key_and_alias_are_protected_and_survive_removal(fixture_plan, type_token):
    resource = one(fixture_plan, type_token)
    assert resource.protect
    assert resource.retain_on_delete


# --- keyless CI -----------------------------------------------------------------------------------


def test_github_oidc_provider_is_declared_for_sts(fixture_plan):
    assert one(fixture_plan, OIDC_T).inputs == {
        "url": GITHUB_OIDC_URL,
        "clientIdLists": [STS_AUDIENCE],
    }


def _trust_condition(plan, name: str) -> dict:
    doc = policy(one(plan, ROLE_T, name), "assumeRolePolicy")
    (trust,) = doc["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    provider = f"arn:aws:iam::{FAKE_AWS_ACCOUNT_ID}:oidc-provider/{GITHUB}"
    assert trust["Principal"] == {"Federated": provider}
    return trust["Condition"]


def test_deploy_role_admits_only_the_production_environment(fixture_plan):
    assert _trust_condition(fixture_plan, "github-ci-deploy") == {
        "StringEquals": {
            f"{GITHUB}:aud": STS_AUDIENCE,
            f"{GITHUB}:sub": [f"repo:{REPO}:environment:production"],
        }
    }


def test_read_only_and_rotation_roles_admit_their_environment_only(fixture_plan):
    for role, env in (("read-only", "read-only"), ("rotation", "rotation")):
        assert _trust_condition(fixture_plan, f"github-ci-{role}") == {
            "StringEquals": {
                f"{GITHUB}:aud": STS_AUDIENCE,
                f"{GITHUB}:sub": [f"repo:{REPO}:environment:{env}"],
            }
        }


def test_read_only_role_has_no_write_action(fixture_plan):
    doc = policy(one(fixture_plan, ROLE_POLICY_T, "github-ci-read-only-policy"))
    granted = actions(doc)
    assert granted, "the read-only role must be able to read something"
    writes = [a for a in granted if not is_read_only(a)]
    assert writes == []
    assert actions(doc, "Deny") == []


def test_read_only_role_can_read_state_and_decrypt_its_secrets(fixture_plan):
    doc = policy(one(fixture_plan, ROLE_POLICY_T, "github-ci-read-only-policy"))
    assert statement(doc, "ReadState")["Resource"] == f"arn:aws:s3:::{BUCKET}/.pulumi/*"
    key = statement(doc, "ReadStateKey")
    assert "kms:Decrypt" in key["Action"]
    assert key["Resource"] == "<kms_key_arn:state-key>"


def test_deploy_role_can_write_state_but_never_delete_protected_things(fixture_plan):
    doc = policy(one(fixture_plan, ROLE_POLICY_T, "github-ci-deploy-policy"))
    granted = set(actions(doc))
    assert {
        "s3:PutObject",
        "s3:DeleteObject",
        "iam:PutUserPolicy",
        "budgets:ModifyBudget",
    } <= granted
    assert not any("*" in a for a in granted)
    forbidden = {
        "s3:DeleteBucket",
        "s3:DeleteBucketPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:CreateKey",
        "kms:DeleteAlias",
        "iam:DeleteUser",
        "iam:DeleteRole",
        "iam:AttachRolePolicy",
    }
    assert granted.isdisjoint(forbidden)


def test_only_the_cirun_users_access_key_can_be_rotated_and_only_by_the_rotation_role(fixture_plan):
    key_actions = {"iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey"}
    cirun = f"arn:aws:iam::{FAKE_AWS_ACCOUNT_ID}:user/cirun/cirun"
    rotation = policy(one(fixture_plan, ROLE_POLICY_T, "github-ci-rotation-policy"))
    scoped = [s for s in rotation["Statement"] if key_actions & set(s["Action"])]
    assert [(set(s["Action"]), s["Resource"]) for s in scoped] == [(key_actions, cirun)]
    for other in ("read-only", "deploy"):
        doc = policy(one(fixture_plan, ROLE_POLICY_T, f"github-ci-{other}-policy"))
        assert key_actions.isdisjoint(actions(doc)), other
    read_only = policy(one(fixture_plan, ROLE_POLICY_T, "github-ci-read-only-policy"))
    # The read-only role sees key ages for the rotation status job.
    assert "iam:ListAccessKeys" in statement(read_only, "ReadCirunUser")["Action"]


def test_ci_roles_live_under_their_own_path(fixture_plan):
    roles = {r.name: r.inputs for r in fixture_plan.of_type(ROLE_T)}
    assert {n: (i["name"], i["path"]) for n, i in roles.items()} == {
        "github-ci-read-only": ("cfinfra-read-only", "/cfinfra/"),
        "github-ci-deploy": ("cfinfra-deploy", "/cfinfra/"),
        "github-ci-rotation": ("cfinfra-rotation", "/cfinfra/"),
    }


# --- cirun GPU pool -------------------------------------------------------------------------------


def test_cirun_user_has_its_policy_and_no_pulumi_managed_access_key(fixture_plan):
    assert one(fixture_plan, USER_T).inputs == {"name": "cirun", "path": "/cirun/"}
    assert one(fixture_plan, USER_POLICY_T).inputs["user"] == "cirun"
    # The rotation tool owns the key: a Pulumi AccessKey would put the secret into the state.
    assert fixture_plan.of_type(ACCESS_KEY_T) == []


def test_cirun_may_launch_exactly_the_pools_instance_types(fixture_plan):
    doc = policy(one(fixture_plan, USER_POLICY_T))
    launch = statement(doc, "LaunchAllowedGpuTypesTaggedForCirun")
    assert launch["Condition"]["StringEquals"]["ec2:InstanceType"] == [
        "g4dn.xlarge",
        "g5.xlarge",
    ]
    assert launch["Resource"] == f"arn:aws:ec2:us-east-1:{FAKE_AWS_ACCOUNT_ID}:instance/*"


# --- budget ---------------------------------------------------------------------------------------


def test_monthly_cost_budget_alerts_at_50_80_100_actual_and_100_forecast(fixture_plan):
    budget = one(fixture_plan, BUDGET_T).inputs
    assert (budget["budgetType"], budget["timeUnit"]) == ("COST", "MONTHLY")
    assert (budget["limitAmount"], budget["limitUnit"]) == ("500", "USD")
    alerts = {(n["notificationType"], n["threshold"]) for n in budget["notifications"]}
    assert alerts == {("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)}
    for n in budget["notifications"]:
        assert n["thresholdType"] == "PERCENTAGE"
        assert n["comparisonOperator"] == "GREATER_THAN"
        assert n["subscriberEmailAddresses"] == ["security@example-forge.org"]


# --- structure ------------------------------------------------------------------------------------


def test_every_aws_resource_sits_in_a_component_and_the_aws_provider_is_explicit(fixture_plan):
    aws = [r for r in fixture_plan.resources if r.type.startswith("aws:")]
    assert aws
    for r in aws:
        assert (r.parent or "").startswith("cfinfra:aws:"), r.key
    assert fixture_plan.of_type("pulumi:providers:aws")
