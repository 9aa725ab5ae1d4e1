"""Rules on the AWS footprint against the manifest and the runner data (registered in
``infra.config.rule_table``)."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.manifest import AWS_IAM_ACCESS_KEY
from infra.config.rule_inputs import Data
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


def validate_gpu_pool_declared(data: Data) -> Iterable[Problem]:
    """Ensure a stack with a cirun AWS user also has runner data (its GPU pool lives there)."""
    config = data.config
    if config.aws is not None and config.runners is None:
        yield Problem(
            data.stack_file,
            "config.cfinfra:aws.cirun",
            "the cirun user launches the AWS GPU pool of data/runners/aws-gpu-pool.yaml: "
            "declare `cfinfra:runners` too",
        )


def validate_gpu_pool_agrees(data: Data) -> Iterable[Problem]:
    """Ensure the AWS GPU pool exists when the stack declares AWS, in the stack's region."""
    config = data.config
    runners = data.runners
    if config.aws is None:
        return
    pool_file = runners.file(AWS_GPU_POOL_FILE)
    pool = runners.aws_gpu_pool
    if pool is None:
        yield Problem(
            pool_file,
            "",
            "missing: it lists the GPU instance types the cirun user of cfinfra:aws may launch",
        )
    elif pool.region != config.aws.region:
        yield Problem(
            data.stack_file,
            "config.cfinfra:aws.region",
            f"cirun launches in `{pool.region}` ({pool_file})",
        )
