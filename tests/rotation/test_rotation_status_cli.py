"""``cfinfra rotation status``: exit codes, the Markdown file, and one listing call per vault."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.cli import app
from tests.fakes.onepassword import FakeClient

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
runner = CliRunner()


def write_secret(root: Path, secret_id: str, vault: str = "pulumi", max_age: int = 180) -> None:
    folder = root / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    name = secret_id.upper().replace("-", "_")
    (folder / f"{secret_id}.yaml").write_text(
        f"description: {secret_id} for tests\n"
        "owner: core\n"
        f"onepassword: {{vault: {vault}, item: {secret_id}, field: credential}}\n"
        "sensitivity: internal\n"
        "cleared_for: core\n"
        f"rotation: {{max_age_days: {max_age}, mode: manual}}\n"
        "targets:\n"
        f"- {{kind: github-org-secret, name: {name}, visibility: selected, "
        "repositories: [staged-recipes]}\n",
        encoding="utf-8",
    )


def aged(days: float) -> dict[str, Any]:
    """An item whose value was set ``days`` ago (``value-set-at``) and that was edited just now
    (a tag, a title): only the former counts."""
    set_at = (NOW - timedelta(days=days)).isoformat(timespec="seconds")
    return {
        "fields": {
            "credential": "sekrit-value-123",
            "value-set-at": {"value": set_at, "type": "Text", "section": "Rotation"},
        },
        "updated_at": NOW,
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for secret_id in ("prod-binstar-token", "heroku-api-key", "azure-token"):
        write_secret(tmp_path, secret_id)
    write_secret(tmp_path, "windows-signing-endpoint", vault="signing")
    return tmp_path


@pytest.fixture
def op(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    """The fake, handed out wherever the CLI authenticates; the CLI's clock fixed at ``NOW``."""
    fake = FakeClient(
        {
            "pulumi": {
                "prod-binstar-token": aged(200),  # overdue (180 d policy)
                "heroku-api-key": aged(10),
                "azure-token": aged(170),  # due soon
            },
            "signing": {"windows-signing-endpoint": aged(3)},
        }
    )

    async def authenticate(token: str | None = None) -> FakeClient:
        return fake

    monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
    monkeypatch.setattr("infra.rotation.cli._now", lambda: NOW)
    return fake


def invoke(*args: str | Path) -> Any:
    return runner.invoke(app, ["rotation", "status", *map(str, args)])


def test_an_overdue_item_exits_1_and_is_named(project: Path, op: FakeClient) -> None:
    result = invoke("--root", project)
    assert result.exit_code == 1
    assert "needs rotation or repair: prod-binstar-token (overdue)" in result.stderr
    assert "1 overdue, 0 expiring, 0 missing, 1 due-soon, 2 ok" in result.stdout


def test_exactly_one_listing_call_per_vault(project: Path, op: FakeClient) -> None:
    invoke("--root", project)
    assert op.calls["vaults.list"] == 1
    assert op.calls["items.list"] == 2  # vaults `pulumi` and `signing`, 4 secrets
    listed = sorted(args[0] for method, args in op.call_log if method == "items.list")
    assert listed == sorted([op.vault_id("pulumi"), op.vault_id("signing")])
    assert op.calls["items.get"] == op.calls["secrets.resolve"] == 0
    assert op.calls["secrets.resolve_all"] == 1  # the `value-set-at` fields only


def test_markdown_report_is_written_for_an_issue(
    project: Path, op: FakeClient, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    result = invoke("--root", project, "--markdown", report)
    assert result.exit_code == 1
    text = report.read_text(encoding="utf-8")
    assert "Action needed: `prod-binstar-token` (overdue)" in text
    assert "`windows-signing-endpoint`" in text


def test_a_missing_item_exits_1(project: Path, op: FakeClient) -> None:
    write_secret(project, "cf-webservices-token")
    result = invoke("--root", project)
    assert result.exit_code == 1
    assert "cf-webservices-token (missing)" in result.stderr


def test_everything_fresh_exits_0(tmp_path: Path, op: FakeClient) -> None:
    write_secret(tmp_path, "heroku-api-key")
    result = invoke("--root", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "0 overdue, 0 expiring, 0 missing, 0 due-soon, 1 ok" in result.stdout


def test_an_invalid_manifest_exits_2_with_the_full_report(tmp_path: Path, op: FakeClient) -> None:
    write_secret(tmp_path, "heroku-api-key", max_age=0)
    result = invoke("--root", tmp_path)
    assert result.exit_code == 2
    assert "secrets/heroku-api-key.yaml: rotation.max_age_days" in result.stderr
    assert op.calls["vaults.list"] == 0


def test_1password_unreachable_exits_3(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.errors import SecretSourceError

    async def authenticate(token: str | None = None) -> None:
        raise SecretSourceError([("1Password", "OP_SERVICE_ACCOUNT_TOKEN is not set")])

    monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
    result = invoke("--root", project)
    assert result.exit_code == 3
    assert "OP_SERVICE_ACCOUNT_TOKEN is not set" in result.stderr


def test_no_value_is_ever_printed(project: Path, op: FakeClient, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    result = invoke("--root", project, "--markdown", report)
    for text in (result.stdout, result.stderr, report.read_text(encoding="utf-8")):
        assert "sekrit-value-123" not in text


def test_without_a_token_the_policies_are_listed_offline_with_how_to_get_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OP_SERVICE_ACCOUNT_TOKEN", raising=False)
    result = runner.invoke(app, ["rotation", "status", "--root", str(project)], terminal_width=80)
    assert result.exit_code == 3
    for secret_id in ("prod-binstar-token", "heroku-api-key", "windows-signing-endpoint"):
        assert secret_id in result.stdout
    assert "signing/windows-signing-endpoint" in " ".join(result.stdout.split())
    assert "export OP_SERVICE_ACCOUNT_TOKEN" in result.stderr
    assert "1Password: 1Password" not in result.output
    assert "could not be resolved" not in result.output


def test_offline_lists_the_policies_without_asking_1password(project: Path, op: FakeClient) -> None:
    result = invoke("--root", project, "--offline")
    assert result.exit_code == 0, result.output
    assert "180 d" in result.stdout
    assert op.calls["vaults.list"] == 0


def test_the_status_table_fits_80_columns(project: Path, op: FakeClient) -> None:
    result = runner.invoke(app, ["rotation", "status", "--root", str(project)], terminal_width=80)
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "windows-signing-endpoint" in result.stdout


def test_offline_still_writes_the_markdown_and_the_counts_it_was_asked_for(
    project: Path, op: FakeClient, tmp_path: Path
) -> None:
    report, numbers = tmp_path / "out" / "rotation.md", tmp_path / "out" / "counts.json"
    report.parent.mkdir()
    result = invoke("--root", project, "--offline", "--markdown", report, "--counts", numbers)
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert "| `prod-binstar-token` | 180 |" in text
    assert "offline" in text.splitlines()[0]
    assert "its item's `value-set-at`" in text  # Markdown, not escaped text
    assert json.loads(numbers.read_text(encoding="utf-8")) == {
        "automatic": 0,
        "manual": 4,
        "offline": 1,
        "secrets": 4,
    }
    assert op.calls["vaults.list"] == 0


def test_offline_markdown_alone_writes_its_file(
    project: Path, op: FakeClient, tmp_path: Path
) -> None:
    report = tmp_path / "policies.md"
    assert invoke("--root", project, "--offline", "--markdown", report).exit_code == 0
    assert report.is_file()


def _fixture_items(vault: str) -> dict[str, Any]:
    from infra.config.loader import load_manifest
    from tests.conftest import FIXTURE_ROOT

    items: dict[str, Any] = {}
    for entry in load_manifest(FIXTURE_ROOT):
        ref = entry.secret.onepassword
        if ref.vault == vault:
            item = aged(10)
            item["fields"] = {
                **item["fields"],
                ref.field: "sekrit-value-123",
                "expires": {"value": "2030-01-01", "type": "Text", "section": "Rotation"},
            }
            items[ref.item] = item
    return items


@pytest.mark.parametrize(("stated", "code"), [("read-only", 0), (None, 1)])
def test_a_read_only_run_judges_only_what_its_account_reads(
    monkeypatch: pytest.MonkeyPatch, stated: str | None, code: int
) -> None:
    # The read-only account reads vault `pulumi` only: the deploy's write credentials (vault
    # `deploy` in the fixture) do not exist for it. Stated, the run leaves them out and names
    # the vault; unstated, every entry is judged and they are missing.
    from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

    fake = FakeClient({"pulumi": _fixture_items("pulumi")})

    async def authenticate(token: str | None = None) -> FakeClient:
        return fake

    monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
    monkeypatch.setattr("infra.rotation.cli._now", lambda: NOW)
    if stated:
        monkeypatch.setenv("CFINFRA_ENVIRONMENT", stated)
    else:
        monkeypatch.delenv("CFINFRA_ENVIRONMENT", raising=False)
    result = invoke("--root", FIXTURE_ROOT, "--stack", FIXTURE_STACK)
    text = " ".join(result.output.split())
    assert result.exit_code == code, result.output
    assert ("not judged: vaults `deploy`" in text) == bool(stated)
    assert ("azure-runner-token" in text) != bool(stated)
