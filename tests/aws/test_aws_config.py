"""`cfinfra:aws` is validated before anything is declared: bad values are refused with a path."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.config.aws import AwsConfig
from infra.config.aws_gpu import KNOWN_GPU_INSTANCE_TYPES
from infra.config.loader import load_project
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT
from tests.stack_edits import edit_yaml, problems_of

STACK = f"Pulumi.{FIXTURE_STACK}.yaml"
AWS = "config.cfinfra:aws"
POOL = "data/runners/aws-gpu-pool.yaml"
T4 = {"gpu_model": "NVIDIA T4", "gpus": 1, "gpu_memory_gb": 16, "vcpus": 4, "ram_gb": 16}


def edit_aws(root, change) -> None:
    edit_yaml(root / STACK, lambda d: change(d["config"]["cfinfra:aws"]))


def test_the_aws_section_is_read_as_written_and_the_account_may_be_left_out():
    aws = load_project(FIXTURE_ROOT, FIXTURE_STACK).config.aws
    assert aws is not None
    assert (aws.region, aws.state.bucket, aws.state.kms_alias) == (
        "us-east-1",
        "example-forge-pulumi-state",
        "alias/example-forge-pulumi",
    )
    assert aws.account_id is None  # not given: ARNs use the caller's account
    assert aws.budget.monthly_limit_usd == 500


def edit_pool(root, change) -> None:
    edit_yaml(root / POOL, change)


@pytest.mark.parametrize("limit", [0, -5])
def test_budget_limit_must_be_positive(fixture_copy, limit):
    edit_aws(fixture_copy, lambda a: a["budget"].update(monthly_limit_usd=limit))
    (problem,) = problems_of(fixture_copy)
    assert problem.startswith(
        f"{STACK}: {AWS}.budget.monthly_limit_usd: Input should be greater than 0"
    )


def test_every_type_of_the_production_pool_is_a_known_gpu_instance_type():
    """Policy on production: cirun may launch only GPU types this program knows the size of."""
    runners = load_project(REPO_ROOT, "prod").runners
    assert runners is not None
    assert runners.aws_gpu_pool is not None
    assert set(runners.aws_gpu_pool.instance_types) <= KNOWN_GPU_INSTANCE_TYPES


def test_unknown_instance_type_is_refused_by_name(fixture_copy):
    edit_pool(fixture_copy, lambda p: p["instance_types"].update({"m5.xlarge": T4}))
    problems = problems_of(fixture_copy)
    assert any(
        p.startswith(f"{POOL}: instance_types.m5.xlarge (the key): not a known AWS GPU")
        for p in problems
    ), problems


def test_misspelt_size_of_a_gpu_family_names_the_sizes(fixture_copy):
    edit_pool(fixture_copy, lambda p: p["instance_types"].update({"g5.xlarg": T4}))
    problems = problems_of(fixture_copy)
    assert any(
        "instance_types.g5.xlarg" in p and "sizes: xlarge, 2xlarge" in p for p in problems
    ), problems


def test_every_problem_in_the_aws_section_is_reported_at_once(fixture_copy):
    def break_everything(a):
        a["account_id"] = "1234"
        a["region"] = "moon"
        a["state"]["kms_alias"] = "alias/aws/s3"
        a["cirun"]["user"] = "bad name!"
        a["budget"]["alert_emails"] = []
        a["github_oidc"]["deploy_role"] = a["github_oidc"].get(
            "read_only_role", "cfinfra-read-only"
        )

    edit_aws(fixture_copy, break_everything)
    paths = {p.split(": ")[1] for p in problems_of(fixture_copy)}
    assert {
        f"{AWS}.account_id",
        f"{AWS}.region",
        f"{AWS}.state.kms_alias",
        f"{AWS}.cirun.user",
        f"{AWS}.budget.alert_emails",
        f"{AWS}.github_oidc",
    } <= paths


def test_unknown_key_in_the_aws_section_is_refused(fixture_copy):
    edit_aws(fixture_copy, lambda a: a["budget"].update(monthly_limit=10))
    assert any(f"{AWS}.budget.monthly_limit: Extra inputs" in p for p in problems_of(fixture_copy))


def test_a_typed_account_id_is_accepted():
    aws = load_project(FIXTURE_ROOT, FIXTURE_STACK).config.aws
    assert aws is not None
    data = aws.model_dump()
    assert (
        AwsConfig.model_validate({**data, "account_id": "210987654321"}).account_id
        == "210987654321"
    )
    with pytest.raises(ValidationError):
        AwsConfig.model_validate(
            {**data, "account_id": 210987654321}
        )  # strict: a YAML number is refused


# --- rules against the manifest and the runner data -----------------------------------------------


def test_the_cirun_users_key_must_be_rotated_by_the_manifest(fixture_copy):
    (fixture_copy / "secrets" / "cirun-aws-access-key.yaml").unlink()
    (problem,) = problems_of(fixture_copy)
    assert problem.startswith(f"{STACK}: {AWS}.cirun.user: no secret in secrets/ rotates")


def test_a_key_rotation_for_an_undeclared_iam_user_is_refused(fixture_copy):
    edit_aws(fixture_copy, lambda a: a["cirun"].update(user="cirun-gpu"))
    problems = problems_of(fixture_copy)
    assert any(
        p.startswith("secrets/cirun-aws-access-key.yaml: rotation.aws_iam_user: no IAM user")
        for p in problems
    ), problems
    assert any(f"{AWS}.cirun.user: no secret in secrets/ rotates" in p for p in problems), problems


def test_the_gpu_pool_must_be_in_the_stacks_region(fixture_copy):
    edit_aws(fixture_copy, lambda a: a.update(region="eu-west-1"))
    problems = problems_of(fixture_copy)
    assert f"{STACK}: {AWS}.region: cirun launches in `us-east-1` ({POOL})" in problems


def test_instance_types_are_stated_once_in_the_gpu_pool(fixture_copy):
    edit_aws(fixture_copy, lambda a: a["cirun"].update(instance_types=["g4dn.xlarge"]))
    problems = problems_of(fixture_copy)
    assert any(p.startswith(f"{STACK}: {AWS}.cirun.instance_types: Extra inputs") for p in problems)


def test_a_stack_with_aws_needs_the_gpu_pool(fixture_copy):
    (fixture_copy / POOL).unlink()
    problems = problems_of(fixture_copy)
    assert any(p.startswith(f"{POOL}: missing: it lists the GPU instance types") for p in problems)


def test_a_stack_without_aws_declares_no_aws_but_then_rotating_a_cirun_key_is_refused(fixture_copy):
    edit_yaml(fixture_copy / STACK, lambda d: d["config"].pop("cfinfra:aws"))
    (problem,) = problems_of(fixture_copy)
    assert problem.startswith("secrets/cirun-aws-access-key.yaml: rotation.aws_iam_user:")
    assert "declares no AWS account" in problem
