"""`cfinfra plan --against` predicts the first `up` from a snapshot; `cfinfra adopt --from` makes
the data equal the live state, after which the same snapshot predicts no change."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from infra.cli import app
from infra.plan.engine import plan_stack
from tests.live.fake_world import HEROKU, world_from_plan
from tests.live.test_snapshot import take_snapshot

ORG = "/orgs/conda-forge"


def plan_against(root, snapshot, report=None):
    args = ["plan", "--root", str(root), "--against", str(snapshot)]
    if report is not None:
        args += ["--report", str(report)]
    return CliRunner().invoke(app, args)


def snapshot_of(tmp_path, root, change=None):
    world = world_from_plan(plan_stack(root, "prod"))
    if change is not None:
        change(world)
    result, out, _ = take_snapshot(tmp_path, world, "--root", str(root))
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
    world["/repos/conda-forge/cfep"]["has_issues"] = False
    world["/repos/conda-forge/status"]["description"] = "Live status page"
    world["/repos/conda-forge/status/vulnerability-alerts"] = None
    world[f"{ORG}/teams/help-go"]["privacy"] = "secret"
    members = world[f"{ORG}/teams/help-r/members?role=member"]
    world[f"{ORG}/teams/help-r/members?role=maintainer"].append(members.pop(0))
    world[f"{HEROKU}/apps/conda-forge/formation"] = [
        {"type": "web", "size": "Standard-2X", "quantity": 2}
    ]
    world["/apps/conda-forge-webservices"]["id"] = 4242


def test_a_snapshot_equal_to_the_plan_predicts_no_change(tmp_path, project_copy):
    snap = snapshot_of(tmp_path, project_copy)
    result = plan_against(project_copy, snap, tmp_path / "report.md")
    assert result.exit_code == 0, result.output
    assert " 0 would change" in result.output
    report = (tmp_path / "report.md").read_text()
    assert "**No change**" in report
    assert "the Actions policy \\(allowed\\_actions: all" in report  # live, not managed


def test_every_predicted_change_names_its_input_and_blast_radius(tmp_path, project_copy):
    def more(world):
        drift(world)
        world["/repos/conda-forge/cfep/rulesets"] = []  # no ruleset yet: created
        world[f"{ORG}/hooks"].append(
            {"id": 9, "active": True, "events": ["push"], "config": {"url": "https://x.example"}}
        )

    snap = snapshot_of(tmp_path, project_copy, more)
    result = plan_against(project_copy, snap, tmp_path / "report.md")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[organisation] conda-forge: imported, then updated (description)" in out
    assert "[repository] conda-forge/cfep: imported, then updated (hasIssues)" in out
    assert "[repository] conda-forge/cfep/default-branch: created" in out
    assert "[repository] conda-forge/status/vulnerability-alerts" in out
    assert "[organisation] conda-forge/help-go: imported, then updated (privacy)" in out
    assert "[person] conda-forge/help-r/" in out
    report = (tmp_path / "report.md").read_text()
    for heading in ("organisation", "repository", "person"):
        assert f"### Blast radius: {heading}" in report
    assert "| `conda-forge/status` | imported, then updated | `description` |" in report
    assert "org webhook" in report
    assert "x.example" in report.replace("\u200b", "").replace("\\", "")
    # The Integration bypass id resolved from the recorded App: no false difference.
    assert "bypassActors" not in report


def test_after_adopt_the_same_snapshot_predicts_no_change_and_adopt_is_idempotent(
    tmp_path, project_copy
):
    snap = snapshot_of(tmp_path, project_copy, drift)
    assert plan_against(project_copy, snap).exit_code == 1

    adopted = CliRunner().invoke(app, ["adopt", "--from", str(snap), "--root", str(project_copy)])
    assert adopted.exit_code == 0, adopted.output
    out = adopted.output
    assert "org_settings.description: A community led" in out
    assert "-> Live description" in out
    assert "cfinfra:github.actions: (not declared) -> {enabled_repositories: all" in out
    assert "data/github/teams/help-r.csv" in out
    assert "formation: {web: {size: standard-1x" not in out  # was not declared before
    stack = (project_copy / "Pulumi.prod.yaml").read_text()
    assert "# The production stack of conda-forge-infra." in stack  # comments kept
    assert "app_id: 4242" in stack

    result = plan_against(project_copy, snap)
    assert result.exit_code == 0, result.output

    again = CliRunner().invoke(app, ["adopt", "--from", str(snap), "--root", str(project_copy)])
    assert again.exit_code == 0
    assert "nothing to adopt" in again.output


def test_an_unreadable_snapshot_exits_2(tmp_path, project_copy):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(["not", "an", "object"]))
    assert plan_against(project_copy, bad).exit_code == 2
    assert (
        CliRunner()
        .invoke(app, ["adopt", "--from", str(bad), "--root", str(project_copy)])
        .exit_code
        == 2
    )
