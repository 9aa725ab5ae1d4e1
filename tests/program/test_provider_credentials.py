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
from tests.conftest import REPO_ROOT
from tests.fakes.onepassword import FakeClient

CREDENTIAL_IDS = ("azure-pulumi-runner", "gh-pulumi-runner-token", "heroku-pulumi-runner-token")
APP_INPUTS = ("app_auth.id", "app_auth.installation_id", "app_auth.pem_file")


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


def _github_app(root: Path, inputs: tuple[str, ...] = APP_INPUTS) -> None:
    for name in inputs:
        target = {"kind": "provider-credential", "provider": "github", "input": name}
        _entry(root, f"cfinfra-app-{name.split('.')[1].replace('_', '-')}", target)


def _problems(root: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_project(root, "prod")
    return str(caught.value)


def test_a_provider_without_a_credential_is_a_validation_error(project_copy):
    (project_copy / "secrets" / "heroku-pulumi-runner-token.yaml").unlink()
    report = _problems(project_copy)
    assert (
        "Pulumi.prod.yaml: config.cfinfra:heroku: no manifest secret authenticates the heroku "
        "provider" in report
    )
    assert "never falls back to the environment" in report


def test_a_token_and_an_app_at_once_or_half_an_app_are_refused(project_copy):
    _github_app(project_copy)
    assert "the github provider gets {app_auth.id, app_auth.installation_id" in _problems(
        project_copy
    )
    (project_copy / "secrets" / "gh-pulumi-runner-token.yaml").unlink()
    (project_copy / "secrets" / "cfinfra-app-pem-file.yaml").unlink()
    assert "gets {app_auth.id, app_auth.installation_id}: give exactly one of" in _problems(
        project_copy
    )


def test_an_input_the_provider_does_not_take_is_refused(project_copy):
    _entry(
        project_copy,
        "stray",
        {"kind": "provider-credential", "provider": "heroku", "input": "token"},
    )
    assert "`token` is not a credential input of the heroku provider (one of: api_key)" in (
        _problems(project_copy)
    )


def test_an_openstack_credential_for_a_host_that_is_not_current_is_refused(project_copy):
    for part in ("id", "secret"):
        target = {
            "kind": "provider-credential",
            "provider": "openstack",
            "host": "open-gpu-server",  # decommissioned
            "input": f"application_credential_{part}",
        }
        _entry(project_copy, f"ogs-{part}", target)
    assert "`open-gpu-server` is not a current OpenStack host" in _problems(project_copy)


def test_a_github_app_is_passed_to_the_provider_as_one_secret_input(project_copy, monkeypatch):
    # The SDK copies GITHUB_TOKEN into `token` when the program passes none; the provider then
    # prefers `app_auth`. Keep the ambient one out so the recorded inputs are the program's alone.
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    (project_copy / "secrets" / "gh-pulumi-runner-token.yaml").unlink()
    _github_app(project_copy)
    [provider] = plan_stack(project_copy, "prod").of_type("pulumi:providers:github")
    assert provider.inputs["appAuth"] == "[secret]"
    assert provider.inputs["owner"] == "conda-forge"
    assert "token" not in provider.inputs


def test_the_lineage_lists_each_provider_credential_as_reaching_core_only(prod_plan):
    lineage = {s.secret: s for s in prod_plan.lineage}
    for secret_id in CREDENTIAL_IDS:
        (target,) = lineage[secret_id].targets
        assert lineage[secret_id].reaches == "core"
        assert "provider credential" in target.target


def test_rotation_status_covers_the_provider_credentials():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    entries = [e for e in load_manifest(REPO_ROOT) if e.id in CREDENTIAL_IDS]
    seed = {
        "pulumi": {
            e.secret.onepassword.item: {
                "fields": {"credential": "never-read"},
                "updated_at": now - timedelta(days=400),
            }
            for e in entries
        }
    }
    rows = asyncio.run(collect_status(FakeClient(seed), entries, now))
    assert sorted(r.secret_id for r in rows) == sorted(CREDENTIAL_IDS)
    assert {r.state for r in rows} == {RotationState.OVERDUE}
