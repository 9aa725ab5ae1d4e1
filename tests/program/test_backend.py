"""The backend is named in Pulumi.yaml, and no stack falls back to a passphrase."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.config.backend import PULUMI_CLOUD, check_backend
from tests.conftest import FIXTURE_STACK, REPO_ROOT

KMS = "awskms://alias/example-forge-pulumi?region=us-east-1"
STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


def _set_backend(root: Path, url: str | None) -> None:
    path = root / "Pulumi.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if url is None:
        doc.pop("backend", None)
    else:
        doc["backend"] = {"url": url}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _set_stack_keys(root: Path, **keys: str) -> None:
    path = root / STACK_FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update(keys)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--stack", FIXTURE_STACK, "--root", str(root)])
    return result.exit_code, result.output


def test_production_names_pulumi_cloud_and_validates():
    """Policy on production: its state lives in Pulumi Cloud, and no passphrase is configured."""
    doc = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert doc["backend"] == {"url": PULUMI_CLOUD}
    assert check_backend(REPO_ROOT, "prod") == []


def test_a_project_without_a_named_backend_is_refused(fixture_copy):
    _set_backend(fixture_copy, None)
    code, output = _validate(fixture_copy)
    assert code == 2
    assert "Pulumi.yaml: backend.url: the project must name its state backend" in output


def test_a_self_managed_stack_without_a_kms_secrets_provider_is_refused(fixture_copy):
    _set_backend(fixture_copy, "s3://example-forge-pulumi-state?region=us-east-1")
    code, output = _validate(fixture_copy)
    assert code == 2
    assert f"{STACK_FILE}: secretsprovider: a stack on the self-managed backend" in output
    assert "pulumi stack change-secrets-provider" in output

    _set_stack_keys(fixture_copy, secretsprovider=KMS, encryptedkey="AQICAHh...")
    assert _validate(fixture_copy)[0] == 0


def test_the_passphrase_provider_is_refused_on_any_backend(fixture_copy):
    _set_stack_keys(fixture_copy, secretsprovider="passphrase")
    assert check_backend(fixture_copy, FIXTURE_STACK)[0].path == "secretsprovider"
    _set_stack_keys(fixture_copy, secretsprovider=KMS, encryptionsalt="v1:abc")
    code, output = _validate(fixture_copy)
    assert code == 2
    assert f"{STACK_FILE}: encryptionsalt: the passphrase secrets provider is refused" in output
