"""A small world for the IAM rotator: moto IAM/STS with signature checks, the 1Password fake, and a
frozen clock that moto's key creation dates follow.

moto runs with IAM authentication enabled (``enable_iam_authentication``), so an STS call signed
with a wrong secret fails with ``SignatureDoesNotMatch``: "the key stored in 1Password works" is
checked for real, not assumed. moto still accepts *inactive* keys, so "works" below means: active in
IAM **and** STS accepts the stored secret.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from infra.config.manifest import Secret, SecretEntry
from infra.rotation.aws_iam import (
    ACCESS_KEY_ID_FIELD,
    SECRET_ACCESS_KEY_FIELD,
    AwsIamAccessKeyRotator,
)
from infra.rotation.base import RotationContext, RotationReport
from tests.fakes.onepassword import FakeClient

REGION = "us-east-1"
VAULT = "pulumi"
ITEM = "cirun-aws-access-key"
USER = "cirun"
USER_PATH = "/cirun/"
MAX_AGE_DAYS = 90
OVERLAP_DAYS = 7
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ALLOW_WHOAMI = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
}


def entry(
    *,
    max_age_days: int = MAX_AGE_DAYS,
    overlap_days: int = OVERLAP_DAYS,
    field: str = "secret-access-key",
) -> SecretEntry:
    """The manifest entry of the cirun key, as ``secrets/cirun-aws-access-key.yaml`` declares it."""
    secret = Secret.model_validate(
        {
            "description": "Access key of the IAM user cirun launches GPU runners with",
            "owner": "core",
            "onepassword": {"vault": VAULT, "item": ITEM, "field": field},
            "sensitivity": "confidential",
            "cleared_for": "core",
            "rotation": {
                "max_age_days": max_age_days,
                "mode": "automatic",
                "rotator": "aws-iam-access-key",
                "aws_iam_user": USER,
                "overlap_days": overlap_days,
            },
        }
    )
    return SecretEntry(id=ITEM, file=f"secrets/{ITEM}.yaml", secret=secret)


class Crash(BaseException):
    """The process dies right here. A BaseException, so no ``except Exception`` clean-up runs."""


def sts_client(key_id: str, secret: str) -> Any:
    return boto3.client(
        "sts", region_name=REGION, aws_access_key_id=key_id, aws_secret_access_key=secret
    )


def flaky(factory: Callable[[str, str], Any], failures: int) -> Callable[[str, str], Any]:
    """An STS factory whose first ``failures`` GetCallerIdentity calls fail like a key IAM has not
    propagated yet (injected on the moto-backed client through botocore's own event hooks)."""
    left = [failures]

    def make(key_id: str, secret: str) -> Any:
        client = factory(key_id, secret)

        def not_yet(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
            if left[0] <= 0:
                return None
            left[0] -= 1
            error = {
                "Error": {
                    "Code": "InvalidClientTokenId",
                    "Message": "The security token included in the request is invalid.",
                },
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
            return AWSResponse("https://sts.amazonaws.com/", 403, {}, None), error

        client.meta.events.register("before-call.sts.GetCallerIdentity", not_yet)
        return client

    return make


@dataclass
class World:
    """IAM (moto), 1Password (fake) and the clock, plus what the test needs to watch them."""

    frozen: Any  # freezegun's FrozenDateTimeFactory
    admin: Any  # IAM client of an admin user (the rotation workflow's role, in production)
    op: FakeClient
    user_arn: str
    sleeps: list[float] = field(default_factory=list)
    secrets_seen: list[str] = field(default_factory=list)
    """Every secret access key created in this world: none may ever be printed or logged."""
    sts_factory: Callable[[str, str], Any] = sts_client
    trace: list[str] = field(default_factory=list)
    """Side effects in order: ``iam:CreateAccessKey``, ``op:items.put``, ..."""
    crash_after: set[int] = field(default_factory=set)
    """1-based positions in ``trace`` after which the process "dies" (raises ``Crash``)."""
    check_invariant: bool = True

    # --- the actors ---

    def rotator(self) -> AwsIamAccessKeyRotator:
        return AwsIamAccessKeyRotator(
            self.op, self.admin, self.sts_factory, sleep=self.sleeps.append
        )

    def run(self, *, deployed: bool = False, dry_run: bool = False, **kw: Any) -> RotationReport:
        """One ``cfinfra rotation run`` (``--deployed`` after a successful ``pulumi up``)."""
        ctx = RotationContext(now=self.now(), dry_run=dry_run, deployed=deployed)
        return asyncio.run(self.rotator().rotate(entry(**kw), ctx))

    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)

    def advance(self, days: float) -> None:
        self.frozen.tick(timedelta(days=days))

    # --- observing the real state ---

    def keys(self) -> dict[str, str]:
        """``{key id: "Active" | "Inactive"}`` as IAM reports it."""
        listed = self.admin.list_access_keys(UserName=USER)["AccessKeyMetadata"]
        return {k["AccessKeyId"]: k["Status"] for k in listed}

    def stored(self) -> tuple[str, str]:
        """(access key id, secret) as 1Password holds them (read directly, not counted)."""
        return (
            self.op.field_value(VAULT, ITEM, ACCESS_KEY_ID_FIELD),
            self.op.field_value(VAULT, ITEM, SECRET_ACCESS_KEY_FIELD),
        )

    def assert_stored_key_works(self) -> None:
        """The invariant: 1Password's key is active in IAM and STS accepts its secret."""
        key_id, secret = self.stored()
        assert self.keys().get(key_id) == "Active", (key_id, self.keys())
        assert sts_client(key_id, secret).get_caller_identity()["Arn"] == self.user_arn

    def converged(self) -> bool:
        """Exactly one key, the stored one, and it works."""
        key_id, _ = self.stored()
        if self.keys() != {key_id: "Active"}:
            return False
        self.assert_stored_key_works()
        return True

    # --- side-effect hooks: record, check the invariant, maybe crash ---

    def install_hooks(self) -> None:
        events = self.admin.meta.events
        for op in ("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"):
            events.register(f"after-call.iam.{op}", self._after_iam)
        put = self.op.items.put

        async def put_and_observe(item: Any) -> Any:
            result = await put(item)
            self._effect("op:items.put")
            return result

        self.op.items.put = put_and_observe  # type: ignore[method-assign]

    def _after_iam(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response.status_code >= 300:
            return  # a refused call changed nothing
        if model.name == "CreateAccessKey":
            self.secrets_seen.append(parsed["AccessKey"]["SecretAccessKey"])
        self._effect(f"iam:{model.name}")

    def _effect(self, label: str) -> None:
        self.trace.append(label)
        if self.check_invariant:
            self.assert_stored_key_works()
        if len(self.trace) in self.crash_after:
            raise Crash(f"crash after side effect #{len(self.trace)} ({label})")


def build_world(frozen: Any, op_seed_updated_at: Any | None = None) -> World:
    """Admin and cirun users and one active key stored in 1Password (the caller enables IAM auth).

    Must run inside ``mock_aws()`` and before ``enable_iam_authentication()`` (the admin key is made
    while requests are not yet checked).
    """
    bootstrap = boto3.client("iam", region_name=REGION)
    bootstrap.create_user(UserName="rotation-admin")
    bootstrap.put_user_policy(
        UserName="rotation-admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL)
    )
    admin_key = bootstrap.create_access_key(UserName="rotation-admin")["AccessKey"]
    user_arn = bootstrap.create_user(UserName=USER, Path=USER_PATH)["User"]["Arn"]
    bootstrap.put_user_policy(
        UserName=USER, PolicyName="whoami", PolicyDocument=json.dumps(ALLOW_WHOAMI)
    )
    first = bootstrap.create_access_key(UserName=USER)["AccessKey"]
    op = FakeClient(
        {
            VAULT: {
                ITEM: {
                    "fields": {
                        ACCESS_KEY_ID_FIELD: {"value": first["AccessKeyId"], "type": "Text"},
                        SECRET_ACCESS_KEY_FIELD: first["SecretAccessKey"],
                    },
                    **({"updated_at": op_seed_updated_at} if op_seed_updated_at else {}),
                }
            }
        }
    )
    admin = boto3.client(
        "iam",
        region_name=REGION,
        aws_access_key_id=admin_key["AccessKeyId"],
        aws_secret_access_key=admin_key["SecretAccessKey"],
    )
    world = World(frozen=frozen, admin=admin, op=op, user_arn=user_arn)
    world.secrets_seen.append(first["SecretAccessKey"])
    return world
