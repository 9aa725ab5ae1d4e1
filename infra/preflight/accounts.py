"""Preflight checks of the accounts beyond the providers: the anaconda.org issuer (both schemes,
and that it belongs to every organisation it rotates tokens of), the upload tokens' expiry, AWS
(the role, the state bucket and key, the cirun key's age) and the Pulumi stack."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from infra.config.loader import Project
from infra.config.manifest import AWS_IAM_ACCESS_KEY, SecretEntry
from infra.preflight import services
from infra.preflight.checks import Check, Vault, expiry_check, fail, ok
from infra.rotation.anaconda_api import AnacondaApi, IssuerRejected

ISSUER_DOC = "docs/runbooks/rotate-a-token.md#the-anacondaorg-issuer-credentials"
STATE_DOC = "docs/state-backend.md"
PULUMI_ORG = "conda-forge"
PULUMI_TOKEN_ENV = "PULUMI_ACCESS_TOKEN"  # noqa: S105 - a variable's name


def anaconda_checks(
    entries: Sequence[SecretEntry], vault: Vault, api: AnacondaApi, now: datetime, http: Any
) -> list[Check]:
    """Each issuer credential under the scheme its calls need; the token belongs to every
    organisation it must mint under; every upload token still authenticates, and its expiry."""
    rotated = [e for e in entries if e.secret.rotation.anaconda is not None]
    out: list[Check] = []
    issuers = sorted(
        {e.secret.rotation.anaconda.issuer for e in rotated if e.secret.rotation.anaconda}
    )
    keys = sorted(
        {e.secret.rotation.anaconda.issuer_api_key for e in rotated if e.secret.rotation.anaconda}
    )
    for key_id in keys:
        if key_id not in vault.values:
            continue
        probe = services.anaconda_api_key(vault.values[key_id], http)
        out.append(
            ok("anaconda", f"{key_id} (Bearer)", probe.detail)
            if probe.ok
            else fail(
                "anaconda",
                f"{key_id} (Bearer)",
                probe.detail,
                f"replace it ({ISSUER_DOC})",
                secret=True,
            )
        )
    for issuer_id in issuers:
        if issuer_id not in vault.values:
            continue
        try:
            orgs = {o.casefold() for o in api.member_of(vault.values[issuer_id])}
        except IssuerRejected as exc:
            out.append(
                fail(
                    "anaconda",
                    f"{issuer_id} (token)",
                    str(exc),
                    f"replace it ({ISSUER_DOC})",
                    secret=True,
                )
            )
            continue
        out.append(ok("anaconda", f"{issuer_id} (token)", f"member of {len(orgs)} organisations"))
        for entry in rotated:
            anaconda = entry.secret.rotation.anaconda
            assert anaconda is not None
            if anaconda.issuer != issuer_id:
                continue
            what = f"{issuer_id} owns {anaconda.org}"
            out.append(
                ok("anaconda", what, f"for {entry.id}")
                if anaconda.org.casefold() in orgs
                else fail(
                    "anaconda",
                    what,
                    f"the issuer's account is not a member of `{anaconda.org}`",
                    f"add the admin account to `{anaconda.org}` (owners), or use one that is",
                )
            )
    for entry in rotated:
        if entry.id not in vault.values:
            continue
        info = api.token_info(vault.values[entry.id])
        if info is None:
            out.append(
                fail(
                    "anaconda",
                    f"{entry.id} authenticates",
                    "anaconda.org rejects it (401/403)",
                    f"cfinfra rotation run --secret {entry.id}",
                    secret=True,
                )
            )
            continue
        out.append(ok("anaconda", f"{entry.id} authenticates", f"token `{info.name}`"))
        found = expiry_check("anaconda", entry, info.expires_at, now, "anaconda.org `expires`")
        if found is not None:
            out.append(found)
    return out


def aws_checks(project: Project, vault: Vault, session: Any, now: datetime) -> list[Check]:
    """The role in use is one of the stack's; the state bucket and KMS key are readable; the
    cirun key's age (IAM ``CreateDate``) against its policy."""
    from botocore.exceptions import BotoCoreError, ClientError

    config = project.config.aws
    if config is None:
        return [ok("aws", "no AWS in this stack", "nothing to check")]
    out: list[Check] = []
    try:
        arn = session.client("sts").get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError) as exc:
        return [
            fail(
                "aws",
                "role",
                f"STS refuses the credentials: {exc}",
                "aws sso login, or set AWS_PROFILE",
                secret=True,
            )
        ]
    roles = {config.github_oidc.read_only_role, config.github_oidc.deploy_role}
    role = arn.split("/")[1] if ":assumed-role/" in arn else ""
    out.append(
        ok("aws", "role assumed", role)
        if role in roles
        else fail(
            "aws",
            "role assumed",
            f"{arn.split(':')[-1]} is not {' or '.join(sorted(roles))}",
            f"assume {config.github_oidc.read_only_role} ({STATE_DOC})",
        )
    )
    s3 = session.client("s3", region_name=config.region)
    kms = session.client("kms", region_name=config.region)
    for what, call in (
        (f"state bucket {config.state.bucket}", lambda: s3.head_bucket(Bucket=config.state.bucket)),
        (
            f"state key {config.state.kms_alias}",
            lambda: kms.describe_key(KeyId=config.state.kms_alias),
        ),
    ):
        try:
            call()
            out.append(ok("aws", what, "readable"))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            out.append(fail("aws", what, f"not readable ({code})", f"bootstrap it ({STATE_DOC})"))
    for entry in project.secrets:
        rotation = entry.secret.rotation
        if rotation.rotator != AWS_IAM_ACCESS_KEY or rotation.aws_iam_user is None:
            continue
        ref = entry.secret.onepassword
        key_id = vault.extra.get(f"op://{ref.vault}/{ref.item}/access-key-id", "")
        try:
            keys = session.client("iam").list_access_keys(UserName=rotation.aws_iam_user)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            out.append(
                fail(
                    "aws",
                    f"{entry.id} age",
                    f"IAM: {code}",
                    "allow iam:ListAccessKeys to the read-only role",
                )
            )
            continue
        created = [k["CreateDate"] for k in keys["AccessKeyMetadata"] if k["AccessKeyId"] == key_id]
        if not created:
            out.append(
                fail(
                    "aws",
                    f"{entry.id} age",
                    "the stored key is not the user's",
                    f"cfinfra rotation run --secret {entry.id}",
                    secret=True,
                )
            )
            continue
        due = created[0] + timedelta(days=rotation.max_age_days)
        found = expiry_check("aws", entry, due, now, "IAM CreateDate + max age", hard=False)
        if found is not None:
            out.append(found)
    return out


def pulumi_token(env: dict[str, str], home: Path) -> SecretStr | None:
    """``PULUMI_ACCESS_TOKEN``, else the token ``pulumi login`` stored for Pulumi Cloud."""
    if env.get(PULUMI_TOKEN_ENV):
        return SecretStr(env[PULUMI_TOKEN_ENV])
    path = home / ".pulumi" / "credentials.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = (data.get("accessTokens") or {}).get(services.PULUMI_API)
    return SecretStr(token) if isinstance(token, str) and token else None


def pulumi_checks(token: SecretStr, project_name: str, stack: str, http: Any) -> list[Check]:
    probe = services.pulumi_stack(token, PULUMI_ORG, project_name, stack, http)
    if probe.ok:
        return [ok("pulumi", "stack exists", probe.detail)]
    fix = f"pulumi stack init {PULUMI_ORG}/{stack} (README: bootstrap)"
    return [fail("pulumi", "stack exists", probe.detail, fix, secret=probe.rejected)]


def home() -> Path:
    return Path(os.environ.get("HOME", "~")).expanduser()
