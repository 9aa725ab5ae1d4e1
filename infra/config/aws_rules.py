"""Rules on the AWS footprint against the manifest and the runner data (registered in
``infra.config.rule_table``)."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.data import Data
from infra.config.manifest import AWS_IAM_ACCESS_KEY
from infra.config.runners import AWS_GPU_POOL_FILE
from infra.errors import Problem


def validate_cirun_key_rotated(data: Data) -> Iterable[Problem]:
    """Ensure the cirun IAM user's access key is rotated by exactly one manifest entry, and no IAM
    key rotation names a user this stack does not declare."""
    config = data.config
    entries = data.secrets
    stack_file = data.stack_file
    rotated = [e for e in entries if e.secret.rotation.rotator == AWS_IAM_ACCESS_KEY]
    user = config.aws.cirun.user if config.aws is not None else None
    for entry in rotated:
        if entry.secret.rotation.aws_iam_user != user:
            yield Problem(
                entry.file,
                "rotation.aws_iam_user",
                f"no IAM user of that name in {stack_file} cfinfra:aws (the cirun user is `{user}`)"
                if user
                else f"{stack_file} declares no AWS account (cfinfra:aws)",
            )
    if user is None:
        return
    owners = [e for e in rotated if e.secret.rotation.aws_iam_user == user]
    if not owners:
        yield Problem(
            stack_file,
            "config.cfinfra:aws.cirun.user",
            "no secret in secrets/ rotates this user's access key "
            f"(rotator `{AWS_IAM_ACCESS_KEY}`)",
        )
    for entry in owners[1:]:
        yield Problem(
            entry.file,
            "rotation.aws_iam_user",
            f"the access key of `{user}` is already rotated by secret `{owners[0].id}`",
        )


def validate_gpu_pool_agrees(data: Data) -> Iterable[Problem]:
    """Ensure the cirun IAM user's instance types, region and instance cap are the AWS GPU pool's
    (`data/runners/aws-gpu-pool.yaml`): cirun is never offered a type IAM refuses, nor allowed one
    the runner data does not describe."""
    config = data.config
    runners = data.runners
    stack_file = data.stack_file
    pool = runners.aws_gpu_pool
    if config.aws is None or pool is None:
        return
    pool_file = runners.file(AWS_GPU_POOL_FILE)
    cirun = config.aws.cirun
    here, there = set(cirun.instance_types), set(pool.allowed_instance_types)
    if here != there:
        only_here = ", ".join(sorted(here - there)) or "none"
        only_there = ", ".join(sorted(there - here)) or "none"
        yield Problem(
            stack_file,
            "config.cfinfra:aws.cirun.instance_types",
            f"must equal the instance types of {pool_file} "
            f"(only here: {only_here}; only there: {only_there})",
        )
    if pool.region != config.aws.region:
        yield Problem(
            stack_file,
            "config.cfinfra:aws.region",
            f"cirun launches in `{pool.region}` ({pool_file})",
        )
    if pool.max_instances != cirun.max_instances:
        yield Problem(
            stack_file,
            "config.cfinfra:aws.cirun.max_instances",
            f"must equal max_instances of {pool_file} ({pool.max_instances})",
        )
