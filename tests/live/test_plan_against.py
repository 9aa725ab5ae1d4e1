"""`cfinfra plan --against` predicts the first `up` from a snapshot; `cfinfra adopt --from` makes
the data equal the live state, after which the same snapshot predicts no change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_STACK
from tests.live.fake_world import HEROKU, world_from_plan
from tests.live.test_snapshot import take_snapshot

ORG = "/orgs/example-forge"
REPOS = "/repos/example-forge"
APP = "example-forge-webservices"
STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


@pytest.fixture
def project(fixture_copy: Path) -> Path:
    """The fixture stack as production stands before its first `up`: the org's Actions policy and
    the Heroku formation not declared yet, a GitHub App bypassing rulesets by slug, id unknown."""
    path = fixture_copy / STACK_FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    config = doc["config"]
    del config["cfinfra:github"]["actions"]
    del config["cfinfra:heroku"]["apps"]["example-forge"]["formation"]
    assert config["cfinfra:github"]["rulesets"]["apps"][APP]["app_id"] is None
    # The file's own header comment stays: adopt must keep comments.
    header = "".join(line for line in path.read_text().splitlines(True) if line.startswith("#"))
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return fixture_copy


def plan_against(root, snapshot, report=None):
    args = ["plan", "--root", str(root), "--stack", FIXTURE_STACK, "--against", str(snapshot)]
    if report is not None:
        args += ["--report", str(report)]
    return CliRunner().invoke(app, args)


def adopt_from(root, snapshot):
    args = ["adopt", "--from", str(snapshot), "--root", str(root), "--stack", FIXTURE_STACK]
    return CliRunner().invoke(app, args)


def snapshot_of(tmp_path, root, change=None):
    world = world_from_plan(plan_stack(root, FIXTURE_STACK))
    if change is not None:
        change(world)
    result, out, _ = take_snapshot(tmp_path, world, root=root)
    assert result.exit_code == 0, result.output
    return out


def drift(world):
    """Live values the data guessed wrong, on every blast radius."""
    world[ORG]["description"] = "Live description"
    world[f"{ORG}/actions/permissions"] = {
        "enabled_repositories": "all",
        "allowed_actions": "selected",
        "sha_pinning_required": False,
    }
    world[f"{ORG}/actions/permissions/selected-actions"] = {
        "github_owned_allowed": True,
        "verified_allowed": True,
        "patterns_allowed": ["AkhileshNS/heroku-deploy@*"],
    }
    world[f"{REPOS}/staged-recipes"]["has_issues"] = False
    world[f"{REPOS}/webservices"]["description"] = "Live webservices"
    world[f"{REPOS}/webservices/vulnerability-alerts"] = None
    world[f"{ORG}/teams/bot"]["privacy"] = "closed"
    members = world[f"{ORG}/teams/help-python/members?role=member"]
    world[f"{ORG}/teams/help-python/members?role=maintainer"].append(members.pop(0))
    world[f"{HEROKU}/apps/example-forge/formation"] = [
        {"type": "web", "size": "Standard-2X", "quantity": 2}
    ]
    world[f"/apps/{APP}"]["id"] = 4242


def test_a_snapshot_equal_to_the_plan_predicts_no_change(tmp_path, project):
    snap = snapshot_of(tmp_path, project)
    result = plan_against(project, snap, tmp_path / "report.md")
    assert result.exit_code == 0, result.output
    assert " 0 would change" in result.output
    report = (tmp_path / "report.md").read_text()
    assert "**No change**" in report
    assert "the Actions policy \\(allowed\\_actions: all" in report  # live, not managed


def test_every_predicted_change_names_its_input_and_blast_radius(tmp_path, project):
    def more(world):
        drift(world)
        world[f"{REPOS}/staged-recipes/rulesets"] = []  # no ruleset yet: created
        world[f"{ORG}/hooks"].append(
            {"id": 9, "active": True, "events": ["push"], "config": {"url": "https://x.example"}}
        )

    snap = snapshot_of(tmp_path, project, more)
    result = plan_against(project, snap, tmp_path / "report.md")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[organisation] example-forge: imported, then updated (description)" in out
    assert "[repository] example-forge/staged-recipes: imported, then updated (hasIssues)" in out
    assert "[repository] example-forge/staged-recipes/default-branch: created" in out
    assert "[repository] example-forge/webservices/vulnerability-alerts" in out
    assert "[organisation] example-forge/bot: imported, then updated (privacy)" in out
    assert "[person] example-forge/help-python/" in out
    report = (tmp_path / "report.md").read_text()
    for heading in ("organisation", "repository", "person"):
        assert f"### Blast radius: {heading}" in report
    assert "| `example-forge/webservices` | imported, then updated | `description` |" in report
    assert "org webhook" in report
    assert "x.example" in report.replace("\u200b", "").replace("\\", "")
    # The Integration bypass id resolved from the recorded App: no false difference.
    assert "bypassActors" not in report


def test_after_adopt_the_same_snapshot_predicts_no_change_and_adopt_is_idempotent(
    tmp_path, project
):
    snap = snapshot_of(tmp_path, project, drift)
    assert plan_against(project, snap).exit_code == 1

    adopted = adopt_from(project, snap)
    assert adopted.exit_code == 0, adopted.output
    out = adopted.output
    assert "org_settings.description: A fixture organisation" in out
    assert "-> Live description" in out
    assert "cfinfra:github.actions: (not declared) -> {enabled_repositories: all" in out
    assert "data/github/teams/help-python.csv" in out
    assert "formation: {web: {size: standard-1x" not in out  # was not declared before
    stack = (project / STACK_FILE).read_text()
    assert "# The fixture stack: every domain" in stack  # comments kept
    assert "app_id: 4242" in stack

    result = plan_against(project, snap)
    assert result.exit_code == 0, result.output

    again = adopt_from(project, snap)
    assert again.exit_code == 0
    assert "nothing to adopt" in again.output


def test_an_unreadable_snapshot_exits_2(tmp_path, project):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(["not", "an", "object"]))
    assert plan_against(project, bad).exit_code == 2
    assert adopt_from(project, bad).exit_code == 2
