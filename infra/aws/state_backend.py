"""The Pulumi state backend: a private, versioned, KMS-encrypted S3 bucket and the KMS key.

The key does two jobs: it encrypts the state objects at rest (SSE-KMS) and it is Pulumi's secrets
provider (`awskms://<alias>`). Losing either the bucket or the key loses the stack, so both are
protected and retained on delete: removing them from the program never deletes them in AWS.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.aws.policies import deny_insecure_transport, to_json
from infra.config.aws import StateBackend as StateBackendConfig

# Abandoned multipart uploads are invisible and billed; a state file is small, so a day is plenty.
ABORT_MULTIPART_DAYS = 1
# The longest wait AWS allows between scheduling a key's deletion and deleting it.
KEY_DELETION_WINDOW_DAYS = 30


class StateBackend(pulumi.ComponentResource):
    """The bucket, its guard rails, and the key."""

    def __init__(
        self, name: str, config: StateBackendConfig, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("cfinfra:aws:StateBackend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keep = child.merge(pulumi.ResourceOptions(protect=True, retain_on_delete=True))

        self.key = aws.kms.Key(
            f"{name}-key",
            description="conda-forge-infra: Pulumi secrets provider and state bucket encryption",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            opts=keep,
        )
        # The stack file names the key by this alias (`awskms://alias/...`): deleting it would make
        # the stack's secrets unreadable, so it is kept like the key.
        self.alias = aws.kms.Alias(
            f"{name}-key-alias", name=config.kms_alias, target_key_id=self.key.key_id, opts=keep
        )
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket=config.bucket, opts=keep)
        # `bucket.bucket` (the name) rather than `bucket.id`: same value in AWS, and it orders every
        # setting after the bucket.
        bucket = self.bucket.bucket

        # Public access is blocked before any policy is attached.
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    # One data key per bucket rather than per object: fewer KMS calls, lower cost.
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket,
            policy=to_json(deny_insecure_transport(config.bucket)),
            opts=child.merge(pulumi.ResourceOptions(depends_on=[block])),
        )
        # Versioning keeps every overwritten state; expiring old versions keeps the bucket small
        # while leaving `noncurrent_version_days` of history to restore from.
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket,
            rules=[
                {
                    "id": "expire-noncurrent-state",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {
                        "noncurrent_days": config.noncurrent_version_days
                    },
                    "abort_incomplete_multipart_upload": {
                        "days_after_initiation": ABORT_MULTIPART_DAYS
                    },
                }
            ],
            # S3 refuses a noncurrent-version rule on a bucket whose versioning is not yet enabled.
            opts=child.merge(pulumi.ResourceOptions(depends_on=[versioning])),
        )
        self.register_outputs({"bucket": bucket, "key_arn": self.key.arn, "alias": self.alias.name})
