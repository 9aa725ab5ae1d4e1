"""The manifest's rotation modes, the issuer rules, and the delivery/verification edges."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from infra.config.data import Data
from infra.config.manifest import (
    ANACONDA,
    GitHubWebhookSecretTarget,
    Rotation,
    RotationMode,
    Secret,
    SecretEntry,
)
from infra.config.rules import validate_no_orphan_secrets, validate_rotation_issuers
from infra.rotation.base import RotationError
from infra.rotation.delivery import HttpVerifier, PulumiUpDeliverer
from tests.conftest import REPO_ROOT
from tests.rotation.anaconda_world import prod_project

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
    issuer = by_id["anaconda-org-issuer-token"].secret
    assert issuer.targets == []
    assert issuer.rotation.mode is RotationMode.MANUAL
    assert issuer.rotation.how.startswith("docs/runbooks/rotate-a-token.md#")


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
            {"mode": "manual", "anaconda": {"org": "conda-forge", "issuer": "x"}},
            "`anaconda` is required for rotator `anaconda` and only allowed there",
        ),
        (
            {
                "mode": "automatic",
                "rotator": "anaconda",
                "anaconda": {"org": "conda-forge", "issuer": "x"},
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
        "anaconda": {"org": "conda-forge", "issuer": "issuer"},
    },
    "targets": [{"kind": "github-webhook-secret", "webhook": "hook"}],
}


def test_an_issuer_must_exist_be_delivered_nowhere_and_cleared_for_core_only() -> None:
    token = _entry("token", **TOKEN)
    missing = list(validate_rotation_issuers(Data(loaded_secrets=(token,))))
    assert [p.path for p in missing] == ["rotation.anaconda.issuer"]

    bad_issuer = _entry(
        "issuer",
        sensitivity="internal",
        cleared_for="infra-maintainers",
        targets=[GitHubWebhookSecretTarget(kind="github-webhook-secret", webhook="other")],
    )
    problems = list(validate_rotation_issuers(Data(loaded_secrets=(token, bad_issuer))))
    assert sorted(p.path for p in problems) == ["cleared_for", "targets"]

    issuer = _entry("issuer")
    data = Data(loaded_secrets=(token, issuer))
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
