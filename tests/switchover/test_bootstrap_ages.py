"""``cfinfra rotation bootstrap-ages``: every item dated once from its updated_at, then never
again by that command; a dry run writes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.rotation.op_items import VALUE_SET_AT
from infra.rotation.status import collect_status
from infra.switchover.bootstrap_ages import bootstrap_ages
from tests.fakes.onepassword import FakeClient
from tests.rotation.test_rotation_status import entry
from tests.rotation.test_rotation_status_cli import write_secret

THEN = datetime(2026, 1, 10, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def seeded() -> FakeClient:
    return FakeClient(
        {"pulumi": {"old": {"fields": {"credential": "v"}, "updated_at": THEN}}},
        clock=lambda: NOW,
    )


def test_a_dry_run_writes_nothing() -> None:
    op = seeded()
    lines = asyncio.run(bootstrap_ages(op, [entry("old")], apply=False))
    assert lines == ["pulumi/old: would date 2026-01-10T00:00:00+00:00 (its updated_at)"]
    assert op.calls["items.put"] == 0


def test_apply_dates_the_item_from_its_updated_at_and_later_edits_do_not_move_the_age() -> None:
    op = seeded()
    asyncio.run(bootstrap_ages(op, [entry("old")], apply=True))
    assert op.field_value("pulumi", "old", VALUE_SET_AT) == "2026-01-10T00:00:00+00:00"
    # The put itself moved updated_at to NOW; the age still runs from January.
    (row,) = asyncio.run(collect_status(op, [entry("old")], NOW))
    assert row.age_days == 142
    again = asyncio.run(bootstrap_ages(op, [entry("old")], apply=True))
    assert again == ["pulumi/old: already dated 2026-01-10T00:00:00+00:00"]
    assert op.calls["items.put"] == 1


@pytest.fixture
def op(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    """The fake, handed out wherever the CLI authenticates."""
    fake = FakeClient(
        {"pulumi": {"old": {"fields": {"credential": "v"}, "updated_at": THEN}}},
        clock=lambda: NOW,
    )

    async def authenticate(token: str | None = None) -> FakeClient:
        return fake

    monkeypatch.setattr("infra.sources.onepassword.authenticate", authenticate)
    return fake


def test_the_command_is_still_rotation_bootstrap_ages(tmp_path: Path, op: FakeClient) -> None:
    write_secret(tmp_path, "old")
    result = CliRunner().invoke(app, ["rotation", "bootstrap-ages", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "pulumi/old: would date 2026-01-10T00:00:00+00:00 (its updated_at)\n"
        "dry run: nothing was written (pass --apply)\n"
    )
    assert op.calls["items.put"] == 0
    listed = CliRunner().invoke(app, ["rotation", "--help"]).stdout
    assert "bootstrap-ages" in listed


def test_a_1password_failure_is_one_line_and_exit_3(tmp_path: Path, monkeypatch) -> None:
    write_secret(tmp_path, "old")

    async def refuse(token: str | None = None) -> None:
        raise RuntimeError("service account token refused")

    monkeypatch.setattr("infra.sources.onepassword.authenticate", refuse)
    result = CliRunner().invoke(app, ["rotation", "bootstrap-ages", "--root", str(tmp_path)])
    assert result.exit_code == 3
    assert result.stderr == "1Password could not be read: service account token refused\n"
