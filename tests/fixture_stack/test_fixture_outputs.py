"""What the fixture stack renders, compared with committed snapshots (`--snapshot-update`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from infra.config.loader import load_project
from infra.errors import ConfigError
from infra.plan.model import PLAN_VERSION
from infra.rotation.render import markdown
from infra.rotation.status import collect_status
from infra.runners.render import ACCESS_FILE, GLOBAL_FILE, render_cirun_files
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.fakes.onepassword import FakeClient

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_the_fixture_plan_json(fixture_plan, json_snapshot) -> None:
    text = fixture_plan.to_json()

    assert text.startswith(f'{{\n  "version": {PLAN_VERSION},')
    assert text == json_snapshot


@pytest.mark.parametrize("name", [GLOBAL_FILE, ACCESS_FILE], ids=["global", "access"])
def test_the_fixture_cirun_files(name: str, yaml_snapshot) -> None:
    runners = load_project(FIXTURE_ROOT, FIXTURE_STACK).runners
    assert runners is not None

    assert render_cirun_files(runners)[name] == yaml_snapshot


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_validation_report_of_a_broken_fixture(fixture_copy: Path, text_snapshot) -> None:
    # The 2025 incident (the production token in a group every feedstock reads), a target naming
    # no repository, a misnamed data file and a value out of its enum: one report, every problem.
    def leak(doc: dict) -> None:
        doc["targets"].append(
            {
                "kind": "azure-variable",
                "project": "feedstock-builds",
                "group": "anaconda-org",
                "variable": "PROD_TOKEN",
            }
        )
        doc["targets"][0]["repositories"].append("no-such-repo")

    _edit(fixture_copy / "secrets/prod-upload-token.yaml", leak)
    (fixture_copy / "data/github/teams/bot.csv").rename(fixture_copy / "data/github/teams/Bot.csv")
    _edit(
        fixture_copy / "data/github/teams.yaml", lambda d: d["help-python"].update(privacy="open")
    )

    with pytest.raises(ConfigError) as exc:
        load_project(fixture_copy, FIXTURE_STACK)

    assert exc.value.report() + "\n" == text_snapshot


def test_the_rotation_status_markdown_of_the_fixture_manifest(md_snapshot) -> None:
    entries = load_project(FIXTURE_ROOT, FIXTURE_STACK).secrets
    ages = {"webservices-token": 400, "prod-upload-token": 170, "cirun-aws-access-key": 10}
    seed = {
        "pulumi": {
            e.secret.onepassword.item: {
                "fields": {
                    e.secret.onepassword.field: "value-never-read",
                    # The value's date, not the item's last edit (a tag today).
                    "value-set-at": (NOW - timedelta(days=ages.get(e.id, 30))).isoformat(),
                    "expires": "2027-06-01",  # read only for the kinds that always expire
                },
                "updated_at": NOW,
            }
            for e in entries
            if e.id != "cdt-builds-project-id"  # missing from 1Password
        }
    }
    rows = asyncio.run(collect_status(FakeClient(seed), list(entries), NOW))

    text = markdown(rows, NOW)

    assert "value-never-read" not in text
    assert text == md_snapshot
