"""The IAM user cirun launches conda-forge's AWS GPU runners with.

Its access key is deliberately *not* declared here: the rotation tool (``infra.rotation``, rotator
`aws-iam-access-key`) creates and rotates it and stores it in 1Password. A Pulumi-managed key
would put the secret into the Pulumi state and fight the rotator on every run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from infra.aws.policies import CIRUN_USER_PATH, cirun_policy, to_json
from infra.config.aws import CirunPool


class CirunGpuPool(pulumi.ComponentResource):
    """The cirun IAM user and the only things it may do."""

    def __init__(
        self,
        name: str,
        config: CirunPool,
        instance_types: Sequence[str],
        region: str,
        account_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:aws:CirunGpuPool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # force_destroy stays off: deleting the user fails while the rotator's keys exist, which is
        # the point (cirun would lose its runners without warning).
        self.user = aws.iam.User(f"{name}-user", name=config.user, path=CIRUN_USER_PATH, opts=child)
        policy = pulumi.Output.from_input(account_id).apply(
            lambda account: to_json(
                cirun_policy(
                    account_id=account,
                    region=region,
                    instance_types=instance_types,
                    tag_key=config.tag_key,
                )
            )
        )
        aws.iam.UserPolicy(
            f"{name}-policy",
            user=self.user.name,
            name="cirun-gpu-runners",
            policy=policy,
            opts=child,
        )
        self.register_outputs({"user_arn": self.user.arn})
