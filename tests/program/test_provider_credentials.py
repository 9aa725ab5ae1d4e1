"""Provider credentials are manifest entries: validated, delivered as secret inputs, and covered by
the lineage and the rotation status like every other secret."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.loader import load_manifest, load_project
from infra.errors import ConfigError
from infra.plan.engine import plan_stack
from infra.rotation.policy import RotationState
from infra.rotation.status import collect_status
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.fakes.onepassword import FakeClient

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"
# The fixture authenticates GitHub as an App, the other providers with one token each.
APP_IDS = ("github-runner-app-id", "github-runner-app-installation-id", "github-runner-app-key")
OPENSTACK_IDS = ("gpu-cloud-credential-id", "gpu-cloud-credential-secret")
CREDENTIAL_IDS = ("azure-runner-token", "heroku-runner-key", *APP_IDS, *OPENSTACK_IDS)


def _entry(
    root: Path, secret_id: str, target: dict[str, Any], sensitivity: str = "critical"
) -> None:
    doc = {
        "description": f"{secret_id} for tests",
        "owner": "core",
        "onepassword": {"vault": "pulumi", "item": secret_id, "field": "credential"},
        "sensitivity": sensitivity,
        "cleared_for": "core",
        "rotation": {"max_age_days": 365, "mode": "manual"},
        "targets": [target],
    }
    (root / "secrets" / f"{secret_id}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def _github_token(root: Path) -> None:
    _entry(
        root,
        "github-token",
        {"kind": "provider-credential", "provider": "github", "input": "token"},
    )


def _problems(root: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_project(root, FIXTURE_STACK)
    return str(caught.value)


def test_a_provider_without_a_credential_is_a_validation_error(fixture_copy):
    (fixture_copy / "secrets" / "heroku-runner-key.yaml").unlink()
    report = _problems(fixture_copy)
    assert (
        f"{STACK_FILE}: config.cfinfra:heroku: no manifest secret authenticates the heroku "
        "provider" in report
    )
    assert "never falls back to the environment" in report


def test_a_token_and_an_app_at_once_or_half_an_app_are_refused(fixture_copy):
    _github_token(fixture_copy)
    assert (
        "the github provider gets {app_auth.id, app_auth.installation_id, app_auth.pem_file, "
        "token}: give exactly one of" in _problems(fixture_copy)
    )
    (fixture_copy / "secrets" / "github-token.yaml").unlink()
    (fixture_copy / "secrets" / "github-runner-app-key.yaml").unlink()
    assert "gets {app_auth.id, app_auth.installation_id}: give exactly one of" in _problems(
        fixture_copy
    )


def test_an_input_the_provider_does_not_take_is_refused(fixture_copy):
    _entry(
        fixture_copy,
        "stray",
        {"kind": "provider-credential", "provider": "heroku", "input": "token"},
    )
    assert "`token` is not a credential input of the heroku provider (one of: api_key)" in (
        _problems(fixture_copy)
    )


def test_an_openstack_credential_for_a_host_that_is_not_current_is_refused(fixture_copy):
    for part in ("id", "secret"):
        target = {
            "kind": "provider-credential",
            "provider": "openstack",
            "host": "old-gpu-server",  # decommissioned
            "input": f"application_credential_{part}",
        }
        _entry(fixture_copy, f"old-gpu-server-{part}", target)
    assert "`old-gpu-server` is not a current OpenStack host" in _problems(fixture_copy)


def test_the_credentials_of_a_decommissioned_openstack_host_are_refused(fixture_copy):
    host = fixture_copy / "data" / "runners" / "hosts" / "gpu-cloud.yaml"
    host.write_text(host.read_text(encoding="utf-8") + "decommissioned: 2026-05-01\n")
    problems = [p for p in _problems(fixture_copy).splitlines() if "targets[0].host" in p]
    # One problem for the deploy's credential and one for the read-only runs'.
    assert [p.split(": ", 1)[1] for p in problems] == [
        "targets[0].host: `gpu-cloud` is not a current OpenStack host of the runner data"
    ] * 2
    read_only = ("gpu-cloud-read-only-credential-id", "gpu-cloud-read-only-credential-secret")
    files = {f"secrets/{s}.yaml" for s in (*OPENSTACK_IDS, *read_only)}
    assert {p.split(": ")[0] for p in problems} <= files


def test_a_github_app_is_passed_to_the_provider_as_one_secret_input(monkeypatch):
    # The SDK copies GITHUB_TOKEN into `token` when the program passes none; the provider then
    # prefers `app_auth`. Keep the ambient one out so the recorded inputs are the program's alone
    # (hence a plan of its own, not the session's).
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    [provider] = plan_stack(FIXTURE_ROOT, FIXTURE_STACK).of_type("pulumi:providers:github")
    assert provider.inputs["appAuth"] == "[secret]"
    assert provider.inputs["owner"] == "example-forge"
    assert "token" not in provider.inputs


def test_the_lineage_lists_each_provider_credential_as_reaching_core_only(fixture_plan):
    lineage = {s.secret: s for s in fixture_plan.lineage}
    targets = {}
    for secret_id in CREDENTIAL_IDS:
        (target,) = lineage[secret_id].targets
        assert lineage[secret_id].reaches == "core"
        targets[secret_id] = target.target
    assert targets == {
        "azure-runner-token": "azuredevops provider credential personal_access_token",
        "heroku-runner-key": "heroku provider credential api_key",
        "github-runner-app-id": "github provider credential app_auth.id",
        "github-runner-app-installation-id": "github provider credential app_auth.installation_id",
        "github-runner-app-key": "github provider credential app_auth.pem_file",
        "gpu-cloud-credential-id": (
            "openstack provider of host gpu-cloud credential application_credential_id"
        ),
        "gpu-cloud-credential-secret": (
            "openstack provider of host gpu-cloud credential application_credential_secret"
        ),
    }


def test_rotation_status_covers_the_provider_credentials():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    entries = [e for e in load_manifest(FIXTURE_ROOT) if e.id in CREDENTIAL_IDS]
    seed: dict[str, dict[str, Any]] = {}
    for e in entries:
        seed.setdefault(e.secret.onepassword.vault, {})[e.secret.onepassword.item] = {
            "fields": {
                "credential": "never-read",
                "value-set-at": (now - timedelta(days=400)).isoformat(),
                "expires": "2027-06-01",  # the PAT's, recorded when it was created
            },
            "updated_at": now,
        }
    rows = asyncio.run(collect_status(FakeClient(seed), entries, now))
    assert sorted(r.secret_id for r in rows) == sorted(CREDENTIAL_IDS)
    assert {r.state for r in rows} == {RotationState.OVERDUE}


def test_a_provider_credential_must_say_its_kind_so_its_expiry_is_watched(
    fixture_copy: Path,
) -> None:
    path = fixture_copy / "secrets" / "azure-runner-token.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("credential_kind: azure-devops-pat\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_project(fixture_copy, "fixture")
    report = raised.value.report()
    assert "secrets/azure-runner-token.yaml" in report
    assert "credential_kind" in report
    assert "`azure-devops-pat`" in report
