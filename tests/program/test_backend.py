"""The backend is named in Pulumi.yaml, and no stack falls back to a passphrase."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.config.backend import PULUMI_CLOUD, check_backend
from tests.conftest import REPO_ROOT

KMS = "awskms://alias/conda-forge-infra-pulumi?region=us-east-1"


def _set_backend(root: Path, url: str | None) -> None:
    path = root / "Pulumi.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if url is None:
        doc.pop("backend", None)
    else:
        doc["backend"] = {"url": url}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _set_stack_keys(root: Path, **keys: str) -> None:
    path = root / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update(keys)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--stack", "prod", "--root", str(root)])
    return result.exit_code, result.output


def test_production_names_pulumi_cloud_and_validates():
    doc = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert doc["backend"] == {"url": PULUMI_CLOUD}
    assert check_backend(REPO_ROOT, "prod") == []


def test_a_project_without_a_named_backend_is_refused(project_copy):
    _set_backend(project_copy, None)
    code, output = _validate(project_copy)
    assert code == 2
    assert "Pulumi.yaml: backend.url: the project must name its state backend" in output


def test_a_self_managed_stack_without_a_kms_secrets_provider_is_refused(project_copy):
    _set_backend(project_copy, "s3://conda-forge-infra-pulumi-state?region=us-east-1")
    code, output = _validate(project_copy)
    assert code == 2
    assert "Pulumi.prod.yaml: secretsprovider: a stack on the self-managed backend" in output
    assert "pulumi stack change-secrets-provider" in output

    _set_stack_keys(project_copy, secretsprovider=KMS, encryptedkey="AQICAHh...")
    assert _validate(project_copy)[0] == 0


def test_the_passphrase_provider_is_refused_on_any_backend(project_copy):
    _set_stack_keys(project_copy, secretsprovider="passphrase")
    assert check_backend(project_copy, "prod")[0].path == "secretsprovider"
    _set_stack_keys(project_copy, secretsprovider=KMS, encryptionsalt="v1:abc")
    code, output = _validate(project_copy)
    assert code == 2
    assert "Pulumi.prod.yaml: encryptionsalt: the passphrase secrets provider is refused" in output
