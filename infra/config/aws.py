"""``cfinfra:aws``: the AWS footprint (state backend, keyless CI, cirun GPU pool, budget).

conda-forge used no AWS before this project; every value here is this project's own choice,
documented in `Pulumi.prod.yaml` and `docs/state-backend.md`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from infra.config.base import Model
from infra.config.manifest import IamUserName

AwsRegion = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")]
AccountId = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
# No dots: a dotted bucket name breaks TLS for virtual-hosted-style S3 URLs.
BucketName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
KmsAlias = Annotated[str, StringConstraints(pattern=r"^alias/[A-Za-z0-9/_-]{1,250}$")]
# IAM role and user names share one rule (1-64 of letters, digits and `_+=,.@-`).
IamName = IamUserName
GitHubRepoFullName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
]
GitRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/-]{1,255}$")]
EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,255}$")]
TagKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:/=+@-]{1,128}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class StateBackend(Model):
    """Where Pulumi keeps this stack's state, and the key that encrypts its secrets. Example:

    ```yaml
    state:
      bucket: conda-forge-infra-pulumi-state
      kms_alias: alias/conda-forge-infra-pulumi
      noncurrent_version_days: 90
    ```
    """

    bucket: BucketName
    """The S3 bucket (`pulumi login s3://<bucket>?region=<region>`): versioned and private."""
    kms_alias: KmsAlias
    """Alias of the KMS key: Pulumi's secrets provider (`awskms://<alias>`) and the bucket's key."""
    noncurrent_version_days: int = Field(default=90, gt=0, le=3650)
    """Days an overwritten state file is kept before S3 expires it (how far back one can go)."""

    @field_validator("kms_alias")
    @classmethod
    def _not_aws_managed(cls, value: str) -> str:
        if value.startswith("alias/aws/"):
            raise ValueError("`alias/aws/` is reserved for AWS-managed keys")
        return value


class GitHubOidc(Model):
    """Keyless CI: which GitHub workflows may assume which role. Example:

    ```yaml
    github_oidc:
      repository: conda-forge/infrastructure
      default_branch: main
      read_only_environment: read-only
      deploy_environment: production
      rotation_environment: rotation
    ```
    Each role trusts exactly one deployment environment of the repository (OIDC subject
    `repo:<repository>:environment:<name>`), and each environment is declared in
    `cfinfra:github.environments`: previews and drift checks get the read-only role, `pulumi up`
    the deploy role, the automatic rotators the rotation role.
    """

    repository: GitHubRepoFullName
    """The only repository (`owner/name`) whose workflows may assume the roles."""
    default_branch: GitRef = "main"
    """The only branch the deploy and rotation environments admit (a rule checks their policies)."""
    read_only_environment: EnvironmentName = "read-only"
    """The GitHub environment previews, drift checks and rotation status run in."""
    deploy_environment: EnvironmentName = "production"
    """The GitHub environment `pulumi up` runs in. The role trusts the environment, not a branch;
    the environment (declared in `cfinfra:github.environments`) admits only the default branch and
    needs a reviewer."""
    rotation_environment: EnvironmentName = "rotation"
    """The GitHub environment the automatic rotators run in (writes to 1Password and the cirun
    user's access keys)."""
    read_only_role: IamName = "cfinfra-read-only"
    """Name of the role previews and drift checks assume (no write permission at all)."""
    deploy_role: IamName = "cfinfra-deploy"
    """Name of the role `pulumi up` assumes."""
    rotation_role: IamName = "cfinfra-rotation"
    """Name of the role the automatic rotators assume (the cirun user's access keys only)."""

    @model_validator(mode="after")
    def _distinct_roles(self) -> GitHubOidc:
        roles = [self.read_only_role, self.deploy_role, self.rotation_role]
        if len(set(roles)) != len(roles):
            raise ValueError("`read_only_role`, `deploy_role` and `rotation_role` must differ")
        envs = [self.read_only_environment, self.deploy_environment, self.rotation_environment]
        if len(set(envs)) != len(envs):
            raise ValueError("each role needs an environment of its own")
        return self


class CirunPool(Model):
    """The IAM user cirun launches AWS GPU runners with. Example:

    ```yaml
    cirun:
      user: cirun
    ```
    The instance types it may launch are those of the AWS GPU pool
    (`data/runners/aws-gpu-pool.yaml`), the one place they are stated.
    The user's access key is created and rotated by `infra.rotation` (manifest entry with rotator
    `aws-iam-access-key`), never by Pulumi, so it never lands in the Pulumi state.
    """

    user: IamName = "cirun"
    """The IAM user's name (created under the path `/cirun/`)."""
    tag_key: TagKey = "cirun"
    """The tag every runner instance must carry at launch; the user can stop or terminate only
    instances carrying it. cirun's runner definitions in conda-forge/.cirun must set it."""


class Budget(Model):
    """The monthly cost budget and who is alerted. Example:

    ```yaml
    budget:
      monthly_limit_usd: 500
      alert_emails: [core@example.org]
    ```
    Alerts go out at 50, 80 and 100 % of actual spend and at 100 % of forecast spend.
    """

    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}$")] = (
        "conda-forge-infra-monthly"
    )
    """The budget's name in AWS Budgets."""
    monthly_limit_usd: int = Field(gt=0, le=100_000)
    """The monthly cost limit, whole US dollars."""
    alert_emails: list[Email] = Field(min_length=1, max_length=10)
    """Who gets the alerts (AWS Budgets allows at most 10 e-mail subscribers per notification)."""


class AwsConfig(Model):
    """The AWS account this stack manages. Example:

    ```yaml
    cfinfra:aws:
      region: us-east-1
      state: {bucket: conda-forge-infra-pulumi-state, kms_alias: alias/conda-forge-infra-pulumi}
      github_oidc: {repository: conda-forge/infrastructure}
      cirun: {user: cirun}
      budget: {monthly_limit_usd: 500, alert_emails: [core@example.org]}
    ```
    """

    region: AwsRegion
    """The region every regional resource lives in (the bucket, the key, the runners)."""
    account_id: AccountId | None = None
    """The 12-digit account id. When set, the provider refuses credentials for any other account;
    when omitted, ARNs use the account of the credentials in use (`sts:GetCallerIdentity`)."""
    state: StateBackend
    """The Pulumi state backend."""
    github_oidc: GitHubOidc
    """Keyless CI through GitHub's OIDC provider."""
    cirun: CirunPool
    """The cirun AWS GPU runner pool."""
    budget: Budget
    """Cost guard rails."""
