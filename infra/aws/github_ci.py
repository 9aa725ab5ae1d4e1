"""Keyless CI: GitHub's OIDC provider in IAM and the two roles workflows assume.

No long-lived AWS key exists for CI. A workflow asks GitHub for an OIDC token and exchanges it for
short-lived credentials; the trust policies admit exactly the subjects in ``infra.aws.policies``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.aws.policies import (
    GITHUB_OIDC_URL,
    ROLE_PATH,
    STS_AUDIENCE,
    Scope,
    deploy_policy,
    environment_subjects,
    github_trust,
    read_only_policy,
    rotation_policy,
    to_json,
)
from infra.config.aws import AwsConfig

# One hour: a preview or an `up` of this stack takes minutes; a leaked token should die soon after.
MAX_SESSION_SECONDS = 3600


class GitHubCi(pulumi.ComponentResource):
    """The OIDC provider and three roles, each trusting one deployment environment: read-only
    (previews, drift), deploy (`pulumi up`) and rotation (the cirun user's access keys)."""

    def __init__(
        self,
        name: str,
        config: AwsConfig,
        account_id: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:aws:GitHubCi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        oidc = config.github_oidc

        # No thumbprint: AWS verifies GitHub's certificate chain itself, and a pinned thumbprint
        # breaks when GitHub rotates its certificate.
        self.provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc-provider",
            url=GITHUB_OIDC_URL,
            client_id_lists=[STS_AUDIENCE],
            opts=child,
        )
        scope = pulumi.Output.all(account_id, kms_key_arn, self.provider.arn).apply(
            lambda v: Scope(
                account_id=v[0],
                region=config.region,
                state_bucket=config.state.bucket,
                kms_key_arn=v[1],
                kms_alias=config.state.kms_alias,
                oidc_provider_arn=v[2],
                cirun_user=config.cirun.user,
                budget_name=config.budget.name,
            )
        )
        self.read_only_role = self._role(
            f"{name}-read-only",
            role_name=oidc.read_only_role,
            description="Previews and drift checks of conda-forge-infra (read-only), from the "
            f"`{oidc.read_only_environment}` environment",
            subjects=environment_subjects(oidc.repository, oidc.read_only_environment),
            policy=scope.apply(lambda s: to_json(read_only_policy(s))),
            child=child,
        )
        environment = oidc.deploy_environment
        self.deploy_role = self._role(
            f"{name}-deploy",
            role_name=oidc.deploy_role,
            description=f"`pulumi up` of conda-forge-infra from the `{environment}` environment",
            subjects=environment_subjects(oidc.repository, oidc.deploy_environment),
            policy=scope.apply(lambda s: to_json(deploy_policy(s))),
            child=child,
        )
        self.rotation_role = self._role(
            f"{name}-rotation",
            role_name=oidc.rotation_role,
            description="Access-key rotation of the cirun user, from the "
            f"`{oidc.rotation_environment}` environment",
            subjects=environment_subjects(oidc.repository, oidc.rotation_environment),
            policy=scope.apply(lambda s: to_json(rotation_policy(s))),
            child=child,
        )
        self.register_outputs(
            {
                "read_only_role_arn": self.read_only_role.arn,
                "deploy_role_arn": self.deploy_role.arn,
                "rotation_role_arn": self.rotation_role.arn,
            }
        )

    def _role(
        self,
        name: str,
        *,
        role_name: str,
        description: str,
        subjects: list[str],
        policy: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> aws.iam.Role:
        role = aws.iam.Role(
            name,
            name=role_name,
            path=ROLE_PATH,
            description=description,
            assume_role_policy=self.provider.arn.apply(
                lambda arn: to_json(github_trust(arn, subjects))
            ),
            max_session_duration=MAX_SESSION_SECONDS,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-policy", role=role.name, name=role_name, policy=policy, opts=child
        )
        return role
