"""Everything this stack declares in AWS: state backend, keyless CI, cirun GPU pool, budget."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.aws.budget import CostGuard
from infra.aws.cirun import CirunGpuPool
from infra.aws.github_ci import GitHubCi
from infra.aws.state_backend import StateBackend
from infra.config.aws import AwsConfig
from infra.config.loader import Project


def _provider(config: AwsConfig) -> aws.Provider:
    # With a configured account id, credentials for any other account are refused before anything
    # is read or written: a mis-set AWS profile cannot deploy into the wrong account.
    return aws.Provider(
        "aws",
        region=config.region,
        allowed_account_ids=[config.account_id] if config.account_id else None,
        default_tags={"tags": {"ManagedBy": "pulumi", "Repository": config.github_oidc.repository}},
    )


def _account_id(config: AwsConfig, provider: aws.Provider) -> pulumi.Output[str]:
    """The configured account id, or else the account of the credentials in use."""
    if config.account_id is not None:
        return pulumi.Output.from_input(config.account_id)
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    return identity.account_id


def declare_aws(project: Project) -> None:
    config = project.config.aws
    if config is None:
        return
    provider = _provider(config)
    opts = pulumi.ResourceOptions(provider=provider)
    account_id = _account_id(config, provider)
    state = StateBackend("state", config.state, opts=opts)
    GitHubCi("github-ci", config, account_id=account_id, kms_key_arn=state.key.arn, opts=opts)
    pool = project.runners.aws_gpu_pool if project.runners else None
    if pool is None:  # refused by validate_gpu_pool_declared / validate_gpu_pool_agrees
        raise AssertionError("a validated stack with cfinfra:aws has an AWS GPU pool")
    CirunGpuPool(
        "cirun",
        config.cirun,
        instance_types=pool.allowed_instance_types,
        region=config.region,
        account_id=account_id,
        opts=opts,
    )
    CostGuard("budget", config.budget, opts=opts)
