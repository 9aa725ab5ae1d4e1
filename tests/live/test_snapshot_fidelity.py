"""The snapshot reads GitHub as it answers this token: what the token may not see is noted, never
taken as "off" or "empty"; inherited team members and pending invitations are told apart from
members; deprecated org fields that GitHub stops returning are not a change forever."""

from __future__ import annotations

import json

from infra.live.against import predict
from infra.live.recorded import parse_snapshot
from tests.live.fake_world import world_from_plan
from tests.live.test_snapshot import take_snapshot

ORG = "/orgs/example-forge"
REPOS = "/repos/example-forge"


def prediction_of(plan, world, name, kind=""):
    snap = parse_snapshot({f"GET {k}": v for k, v in world.items()}, "s.json")
    report = predict(plan, snap, "example-forge")
    assert report.problems == []
    (pred,) = [
        p for p in report.predictions if p.resource.name == name and p.resource.type.endswith(kind)
    ]
    return pred, report


def test_a_404_of_vulnerability_alerts_without_admin_access_is_not_recorded_as_off(
    tmp_path, fixture_plan
):
    world = world_from_plan(fixture_plan)
    world[f"{REPOS}/webservices"]["permissions"]["admin"] = False
    world[f"{REPOS}/webservices/vulnerability-alerts"] = None  # 404
    world[f"{REPOS}/staged-recipes/vulnerability-alerts"] = None  # 404 with admin access: off
    result, out, _ = take_snapshot(tmp_path, world)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert f"GET {REPOS}/webservices/vulnerability-alerts" not in doc
    assert doc[f"GET {REPOS}/staged-recipes/vulnerability-alerts"] is False
    assert "vulnerability-alerts: 404 without admin access" in " ".join(doc["_meta"]["notes"])
    assert "vulnerability-alerts: 404 without admin access" in result.output


def test_bypass_actors_withheld_from_this_token_are_noted_not_a_change(tmp_path, fixture_plan):
    world = world_from_plan(fixture_plan)
    for path, body in world.items():
        if "/rulesets/" in path:
            del body["bypass_actors"]  # GitHub's answer without write access to the ruleset
    result, out, _ = take_snapshot(tmp_path, world)
    assert "`bypass_actors` not readable with this token" in result.output
    snap = parse_snapshot(json.loads(out.read_text()), "s.json")
    report = predict(fixture_plan, snap, "example-forge")
    rulesets = [p for p in report.predictions if p.resource.type.endswith("RepositoryRuleset")]
    assert rulesets
    for p in rulesets:
        assert p.op == "same"
        assert "bypassActors not readable with this token" in p.note


def test_a_member_inherited_from_a_child_team_is_not_a_member_of_the_parent(fixture_plan):
    world = world_from_plan(fixture_plan)
    maintainers = world[f"{ORG}/teams/core/members?role=maintainer"]
    (bo,) = [m for m in maintainers if m["login"] == "bo-owner"]
    bo["inherited"] = True
    pred, _ = prediction_of(fixture_plan, world, "example-forge/core/bo-owner")
    assert pred.op == "import-missing"
    assert "only through a child team" in pred.note
    same, _ = prediction_of(fixture_plan, world, "example-forge/core/ada-owner")
    assert same.op == "same"


def test_a_pending_org_invitation_is_told_apart_from_a_member(fixture_plan):
    world = world_from_plan(fixture_plan)
    world[f"{ORG}/memberships/cy-member"]["state"] = "pending"
    pred, report = prediction_of(fixture_plan, world, "example-forge/cy-member")
    assert pred.op == "pending"
    assert "invited and has not accepted" in pred.note
    assert pred not in report.changing


def test_a_pending_team_invitation_is_told_apart_from_a_missing_member(fixture_plan):
    world = world_from_plan(fixture_plan)
    world[f"{ORG}/teams/help-python/members?role=member"] = []
    world[f"{ORG}/teams/help-python/invitations"] = [{"login": "Cy-Member", "role": "member"}]
    pred, report = prediction_of(fixture_plan, world, "example-forge/help-python/cy-member")
    assert pred.op == "pending"
    assert pred not in report.changing


def test_deprecated_org_fields_github_no_longer_returns_are_not_a_change(fixture_plan):
    world = world_from_plan(fixture_plan)
    for key in list(world[ORG]):
        if key.endswith("_enabled_for_new_repositories"):
            del world[ORG][key]
    pred, _ = prediction_of(fixture_plan, world, "example-forge", ":OrganizationSettings")
    assert pred.op == "same", pred.changes
    assert pred.note.startswith("not returned by GitHub (deprecated), not compared: ")
    assert pred.note.count("EnabledForNewRepositories") == 6


def test_deprecated_org_fields_still_returned_are_compared(fixture_plan):
    world = world_from_plan(fixture_plan)
    world[ORG]["secret_scanning_enabled_for_new_repositories"] = False
    pred, _ = prediction_of(fixture_plan, world, "example-forge", ":OrganizationSettings")
    assert [c.field for c in pred.changes] == ["secretScanningEnabledForNewRepositories"]
