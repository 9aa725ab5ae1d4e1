"""The policy builders on their own: exact conditions, no write in read-only, valid IAM documents.

moto cannot evaluate policies (`simulate_principal_policy` is not implemented), so conditions are
asserted structurally; moto's IAM does check that every document is well-formed.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from infra.aws.policies import (
    Scope,
    cirun_policy,
    deny_insecure_transport,
    deploy_policy,
    environment_subjects,
    github_trust,
    read_only_policy,
    to_json,
)
from tests.aws.aws_helpers import actions, is_read_only, statement

ACCOUNT = "123456789012"
REGION = "us-east-1"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SCOPE = Scope(
    account_id=ACCOUNT,
    region=REGION,
    state_bucket="conda-forge-infra-pulumi-state",
    kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    kms_alias="alias/conda-forge-infra-pulumi",
    oidc_provider_arn=PROVIDER_ARN,
    cirun_user="cirun",
    budget_name="conda-forge-infra-monthly",
)
GPU_TYPES = ["g5.xlarge", "g4dn.xlarge"]
CIRUN = cirun_policy(account_id=ACCOUNT, region=REGION, instance_types=GPU_TYPES, tag_key="cirun")


def test_rendering_is_deterministic_whatever_the_input_order():
    again = cirun_policy(
        account_id=ACCOUNT, region=REGION, instance_types=list(reversed(GPU_TYPES)), tag_key="cirun"
    )
    assert to_json(CIRUN) == to_json(again)
    assert to_json(read_only_policy(SCOPE)) == to_json(read_only_policy(SCOPE))


def test_trust_lists_exact_subjects_with_string_equals_never_wildcards():
    subjects = environment_subjects("conda-forge/infrastructure", "production")
    doc = github_trust(PROVIDER_ARN, subjects)
    condition = doc["Statement"][0]["Condition"]
    assert set(condition) == {"StringEquals"}
    assert condition["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [
            "repo:conda-forge/infrastructure:environment:production"
        ],
    }
    assert "*" not in json.dumps(condition)


def test_a_role_trusts_one_environment_whatever_the_branch_or_event():
    assert environment_subjects("conda-forge/infrastructure", "read-only") == [
        "repo:conda-forge/infrastructure:environment:read-only"
    ]


def test_every_read_only_action_is_a_read():
    granted = actions(read_only_policy(SCOPE))
    assert [a for a in granted if not is_read_only(a)] == []


@pytest.mark.parametrize(
    "action",
    [
        "s3:PutObject",
        "s3:*",
        "*",
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "kms:Encrypt",
        "s3:Get*",
    ],
)
def test_the_write_detector_catches_writes_and_wildcards(action):
    assert not is_read_only(action)


def test_deploy_policy_is_the_read_policy_plus_scoped_writes():
    reads, deploy = read_only_policy(SCOPE), deploy_policy(SCOPE)
    assert deploy["Statement"][: len(reads["Statement"])] == reads["Statement"]
    for s in deploy["Statement"]:
        if s["Resource"] == "*":  # only calls that accept no resource-level permission
            assert s["Action"] == ["kms:ListAliases"]
    roles = statement(deploy, "ManageCiRoles")
    assert roles["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/cfinfra/*"
    assert (
        statement(deploy, "ManageCirunUser")["Resource"]
        == f"arn:aws:iam::{ACCOUNT}:user/cirun/cirun"
    )


def test_state_bucket_policy_denies_plain_http():
    (deny,) = deny_insecure_transport("b")["Statement"]
    assert (deny["Effect"], deny["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )


# --- the cirun user -------------------------------------------------------------------------------


def test_cirun_can_only_launch_allowed_gpu_types_carrying_the_cirun_tag():
    launch = statement(CIRUN, "LaunchAllowedGpuTypesTaggedForCirun")
    assert launch["Action"] == ["ec2:RunInstances"]
    assert launch["Resource"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*"
    assert launch["Condition"] == {
        "StringEquals": {"ec2:InstanceType": ["g4dn.xlarge", "g5.xlarge"]},
        "Null": {"aws:RequestTag/cirun": "false"},
    }
    # The other RunInstances statement covers what an instance is launched *with*, never instances.
    others = statement(CIRUN, "LaunchWithRegionResources")["Resource"]
    assert not any(":instance/" in r for r in others)
    assert all(r.startswith(f"arn:aws:ec2:{REGION}:") for r in others)


def test_cirun_tags_only_at_launch_and_stops_or_terminates_only_tagged_instances():
    tag = statement(CIRUN, "TagOnlyAtLaunch")
    assert tag["Action"] == ["ec2:CreateTags"]
    assert tag["Condition"] == {"StringEquals": {"ec2:CreateAction": "RunInstances"}}
    stop = statement(CIRUN, "StopOrTerminateOnlyCirunInstances")
    assert stop["Action"] == ["ec2:StopInstances", "ec2:TerminateInstances"]
    assert stop["Condition"] == {"Null": {"aws:ResourceTag/cirun": "false"}}


def test_cirun_has_no_other_power():
    unconditioned = {
        a
        for s in CIRUN["Statement"]
        if "Condition" not in s
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert unconditioned == {"ec2:RunInstances"}  # only the launch-with-resources statement
    granted = set(actions(CIRUN))
    assert {a for a in granted if not a.startswith("ec2:Describe")} == {
        "ec2:RunInstances",
        "ec2:CreateTags",
        "ec2:StopInstances",
        "ec2:TerminateInstances",
    }
    assert statement(CIRUN, "DescribeInRegion")["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": REGION}
    }


# --- IAM accepts every document -------------------------------------------------------------------


@mock_aws
def test_iam_accepts_every_policy_document():
    iam = boto3.client("iam", region_name=REGION)
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"]
    )
    for name, subjects in {
        "cfinfra-read-only": environment_subjects("conda-forge/infrastructure", "read-only"),
        "cfinfra-deploy": environment_subjects("conda-forge/infrastructure", "production"),
    }.items():
        iam.create_role(
            RoleName=name,
            Path="/cfinfra/",
            AssumeRolePolicyDocument=to_json(github_trust(PROVIDER_ARN, subjects)),
        )
    iam.put_role_policy(
        RoleName="cfinfra-read-only",
        PolicyName="r",
        PolicyDocument=to_json(read_only_policy(SCOPE)),
    )
    iam.put_role_policy(
        RoleName="cfinfra-deploy", PolicyName="d", PolicyDocument=to_json(deploy_policy(SCOPE))
    )
    iam.create_user(UserName="cirun", Path="/cirun/")
    iam.put_user_policy(UserName="cirun", PolicyName="c", PolicyDocument=to_json(CIRUN))
    # A managed policy goes through moto's full document validator.
    for i, doc in enumerate([read_only_policy(SCOPE), deploy_policy(SCOPE), CIRUN]):
        iam.create_policy(PolicyName=f"check-{i}", PolicyDocument=to_json(doc))
    stored = iam.get_user_policy(UserName="cirun", PolicyName="c")["PolicyDocument"]
    assert stored == CIRUN
