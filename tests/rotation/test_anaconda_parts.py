"""The manifest's rotation modes, the issuer rules, and the delivery/verification edges."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from infra.config.manifest import (
    ANACONDA,
    GitHubWebhookSecretTarget,
    Rotation,
    RotationMode,
    Secret,
    SecretEntry,
)
from infra.config.rule_inputs import Data
from infra.config.secret_rules import (
    validate_anaconda_owner_is_channel,
    validate_no_orphan_secrets,
    validate_rotation_issuers,
)
from infra.rotation.base import RotationError
from infra.rotation.delivery import HttpVerifier, PulumiUpDeliverer
from tests.conftest import REPO_ROOT
from tests.rotation.anaconda_world import prod_project

USE = {"consumer": "webservices", "channel": "conda-forge", "evidence": "feedstock_outputs.py"}
ANACONDA_SPEC = {
    "org": "conda-forge",
    "issuer": "issuer",
    "issuer_api_key": "issuer-key",
    "used_for": [USE],
}
UPLOAD_TOKENS = (
    "prod-binstar-token",
    "post-staging-binstar-token",
    "staging-binstar-token",
    "heroku-only-staging-binstar-token",
)


def test_the_four_upload_tokens_are_automatic_with_the_anaconda_rotator() -> None:
    by_id = {e.id: e for e in prod_project().secrets}
    for secret_id in UPLOAD_TOKENS:
        rotation = by_id[secret_id].secret.rotation
        assert rotation.mode is RotationMode.AUTOMATIC
        assert rotation.rotator == ANACONDA
        assert rotation.anaconda is not None
        assert rotation.anaconda.issuer == "anaconda-org-issuer-token"
        assert rotation.anaconda.issuer_api_key == "anaconda-org-issuer-api-key"
    for issuer_id in ("anaconda-org-issuer-token", "anaconda-org-issuer-api-key"):
        issuer = by_id[issuer_id].secret
        assert issuer.targets == []
        assert issuer.rotation.mode is RotationMode.MANUAL
        assert issuer.rotation.how.startswith("docs/runbooks/rotate-a-token.md#")


def test_post_staging_binstar_token_belongs_to_cf_post_staging() -> None:
    by_id = {e.id: e for e in prod_project().secrets}
    anaconda = by_id["post-staging-binstar-token"].secret.rotation.anaconda
    assert anaconda is not None
    assert anaconda.org == "cf-post-staging"
    assert {u.channel for u in anaconda.used_for} == {"cf-post-staging"}


def test_a_token_rotated_under_another_channels_owner_is_refused() -> None:
    spec = {**ANACONDA_SPEC, "used_for": [{**USE, "channel": "cf-post-staging"}]}
    token = _entry("token", **{**TOKEN, "rotation": {**TOKEN["rotation"], "anaconda": spec}})
    problems = list(validate_anaconda_owner_is_channel(Data(loaded_secrets=(token,))))
    assert [p.path for p in problems] == ["rotation.anaconda.used_for[0].channel"]
    assert "set `org: cf-post-staging`" in problems[0].message
    right = _entry("token", **TOKEN)
    assert list(validate_anaconda_owner_is_channel(Data(loaded_secrets=(right,)))) == []


def test_the_api_key_and_the_token_must_be_two_entries() -> None:
    spec = {**ANACONDA_SPEC, "issuer_api_key": "issuer"}
    token = _entry("token", **{**TOKEN, "rotation": {**TOKEN["rotation"], "anaconda": spec}})
    problems = list(validate_rotation_issuers(Data(loaded_secrets=(token, _entry("issuer")))))
    assert [p.path for p in problems] == ["rotation.anaconda.issuer_api_key"]


def _slugs(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in markdown.splitlines()
        if line.startswith("#")
    }


def test_every_manual_secret_names_a_documented_procedure() -> None:
    for entry in prod_project().secrets:
        rotation = entry.secret.rotation
        if rotation.mode is RotationMode.MANUAL:
            path, _, anchor = rotation.how.partition("#")
            assert anchor in _slugs((REPO_ROOT / path).read_text(encoding="utf-8")), entry.id


@pytest.mark.parametrize(
    ("rotation", "message"),
    [
        ({"mode": "automatic", "rotator": "nope"}, "no rotator `nope`"),
        ({"mode": "automatic", "rotator": "anaconda"}, "`anaconda` is required"),
        (
            {"mode": "manual", "anaconda": ANACONDA_SPEC},
            "`anaconda` is required for rotator `anaconda` and only allowed there",
        ),
        (
            {
                "mode": "automatic",
                "rotator": "anaconda",
                "anaconda": ANACONDA_SPEC,
                "procedure": "docs/x.md",
            },
            "`procedure` is for manual rotation",
        ),
    ],
)
def test_rotation_modes_are_checked(rotation: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Rotation.model_validate({"max_age_days": 30, **rotation})


def _entry(secret_id: str, **changes: Any) -> SecretEntry:
    spec: dict[str, Any] = {
        "description": "d",
        "owner": "core",
        "onepassword": {"vault": "pulumi", "item": secret_id, "field": "credential"},
        "sensitivity": "critical",
        "cleared_for": "core",
        "rotation": {"max_age_days": 30, "mode": "manual"},
        **changes,
    }
    return SecretEntry(id=secret_id, file=f"secrets/{secret_id}.yaml", secret=Secret(**spec))


TOKEN = {
    "rotation": {
        "max_age_days": 30,
        "mode": "automatic",
        "rotator": "anaconda",
        "anaconda": ANACONDA_SPEC,
    },
    "targets": [{"kind": "github-webhook-secret", "webhook": "hook"}],
}


def test_an_issuer_must_exist_be_delivered_nowhere_and_cleared_for_core_only() -> None:
    token = _entry("token", **TOKEN)
    missing = list(validate_rotation_issuers(Data(loaded_secrets=(token,))))
    assert [p.path for p in missing] == [
        "rotation.anaconda.issuer",
        "rotation.anaconda.issuer_api_key",
    ]

    bad_issuer = _entry(
        "issuer",
        sensitivity="internal",
        cleared_for="infra-maintainers",
        targets=[GitHubWebhookSecretTarget(kind="github-webhook-secret", webhook="other")],
    )
    data = Data(loaded_secrets=(token, bad_issuer, _entry("issuer-key")))
    problems = list(validate_rotation_issuers(data))
    assert sorted(p.path for p in problems) == ["cleared_for", "targets"]

    issuer = _entry("issuer")
    data = Data(loaded_secrets=(token, issuer, _entry("issuer-key")))
    assert list(validate_rotation_issuers(data)) == []
    assert list(validate_no_orphan_secrets(data)) == []  # an issuer needs no targets


def test_a_target_kind_without_a_read_only_check_fails_verification() -> None:
    verifier = HttpVerifier(prod_project().config, env={})
    target = GitHubWebhookSecretTarget(kind="github-webhook-secret", webhook="autotickbot")
    verdict = verifier.verify(target, since=datetime.now(UTC), value=SecretStr("x"))
    assert not verdict.ok
    assert "no read-only check" in verdict.detail


def test_a_missing_check_credential_stops_the_rotation() -> None:
    verifier = HttpVerifier(prod_project().config, env={})
    github = next(
        t for e in prod_project().secrets for t in e.secret.targets if t.kind == "github-org-secret"
    )
    with pytest.raises(RotationError, match="GITHUB_TOKEN is not set"):
        verifier.verify(github, since=datetime.now(UTC), value=SecretStr("x"))


def test_the_targeted_up_never_shows_secrets_and_names_only_the_given_urns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: dict[str, Any] = {}

    class Stack:
        def up(self, **kwargs: Any) -> None:
            calls["up"] = kwargs

    def select_stack(**kwargs: Any) -> Stack:
        calls["select"] = kwargs
        return Stack()

    monkeypatch.setattr("pulumi.automation.select_stack", select_stack)
    entry = next(e for e in prod_project().secrets if e.id == "prod-binstar-token")
    PulumiUpDeliverer(Path("/project"), "prod").deliver(entry, ["urn:a", "urn:b"])
    assert calls["select"] == {"stack_name": "prod", "work_dir": "/project"}
    assert calls["up"]["target"] == ["urn:a", "urn:b"]
    assert calls["up"]["show_secrets"] is False
    assert calls["up"]["target_dependents"] is False
    with pytest.raises(RotationError, match="no resource"):
        PulumiUpDeliverer(Path("/project"), "prod").deliver(entry, [])
