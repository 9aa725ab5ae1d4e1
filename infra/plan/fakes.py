"""What the mock engine answers for resources and invokes: a table by type token.

Fake values are deterministic functions of the request, so plans are stable, and recognisable, so
the plan can show a reader *what* they stand for (``<repo_id:conda-forge/staged-recipes>``) instead
of a meaningless number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any


def fake_int(label: str) -> int:
    return 10_000_000 + int(hashlib.sha256(label.encode()).hexdigest()[:7], 16)


class FakeRegistry:
    """Remembers every fake value handed out, so the plan can render it by what it stands for."""

    def __init__(self) -> None:
        self.labels: dict[Any, str] = {}

    def make_int(self, kind: str, label: str) -> int:
        value = fake_int(f"{kind}:{label}")
        self.labels[value] = f"<{kind}:{label}>"
        return value

    def make_str(self, kind: str, label: str) -> str:
        value = f"<{kind}:{label}>"
        self.labels[value] = value
        return value


InvokeFake = Callable[[FakeRegistry, dict[str, Any]], dict[str, Any]]


def _get_repository(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    full = args.get("fullName") or args.get("full_name") or args.get("name", "")
    # The data source's id is the repository's name (`d.SetId(repoName)`, v6.13.0).
    return {
        "id": full.split("/")[-1],
        "fullName": full,
        "name": full.split("/")[-1],
        "repoId": reg.make_int("repo_id", full),
        "nodeId": reg.make_str("node_id", full),
    }


FAKE_AWS_ACCOUNT_ID = "123456789012"
"""AWS's documentation example: obviously not conda-forge's account (the stack may omit it)."""


def _get_caller_identity(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": FAKE_AWS_ACCOUNT_ID,
        "arn": f"arn:aws:iam::{FAKE_AWS_ACCOUNT_ID}:user/offline-plan",
        "id": FAKE_AWS_ACCOUNT_ID,
        "userId": "AIDAOFFLINEPLAN",
    }


def _get_team(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    slug = args.get("slug", "")
    # The data source reports the numeric team id as a string, as the real one does.
    return {"id": str(reg.make_int("team_id", slug)), "slug": slug, "name": slug, "members": []}


def _get_github_app(reg: FakeRegistry, args: dict[str, Any]) -> dict[str, Any]:
    slug = args.get("slug", "")
    # The data source reports the App's numeric id as a string, as the real one does.
    app_id = reg.make_int("app_id", slug)
    return {"id": str(app_id), "slug": slug, "name": slug, "nodeId": f"A_{app_id}"}


INVOKES: dict[str, InvokeFake] = {
    "github:index/getGithubApp:getGithubApp": _get_github_app,
    "github:index/getRepository:getRepository": _get_repository,
    "github:index/getTeam:getTeam": _get_team,
    "aws:index/getCallerIdentity:getCallerIdentity": _get_caller_identity,
}
"""Invoke token → fake result. Domains add their data sources here."""

ResourceFake = Callable[[FakeRegistry, str, dict[str, Any]], dict[str, Any]]


def _iam_arn(kind: str) -> ResourceFake:
    """IAM ARNs follow from path and name: the fake has the real shape, in the fake account."""

    def fake(reg: FakeRegistry, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        path, iam_name = inputs.get("path", "/"), inputs.get("name", name)
        return {"arn": f"arn:aws:iam::{FAKE_AWS_ACCOUNT_ID}:{kind}{path}{iam_name}"}

    return fake


RESOURCE_OUTPUTS: dict[str, ResourceFake] = {
    # A KMS key's id is random: the plan shows what it stands for.
    "aws:kms/key:Key": lambda reg, name, inputs: {
        "arn": reg.make_str("kms_key_arn", name),
        "keyId": reg.make_str("kms_key_id", name),
    },
    "aws:s3/bucket:Bucket": lambda reg, name, inputs: {
        "arn": f"arn:aws:s3:::{inputs.get('bucket', name)}"
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda reg, name, inputs: {
        "arn": f"arn:aws:iam::{FAKE_AWS_ACCOUNT_ID}:oidc-provider/"
        + str(inputs.get("url", name)).removeprefix("https://")
    },
    "aws:iam/role:Role": _iam_arn("role"),
    "aws:iam/user:User": _iam_arn("user"),
    # Repositories are named by full name (`conda-forge/staged-recipes`), as on GitHub.
    "github:index/repository:Repository": lambda reg, name, inputs: {
        "repoId": reg.make_int("repo_id", name),
        "fullName": name,
        "nodeId": reg.make_str("node_id", name),
    },
    "heroku:app/app:App": lambda reg, name, inputs: {
        "uuid": reg.make_str("heroku_app_uuid", inputs.get("name", name))
    },
}
"""Resource type → extra fake outputs (beyond echoing the inputs).

E.g. a repository's numeric id.
"""
