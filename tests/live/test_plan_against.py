"""`cfinfra plan --against` predicts the first `up` from a snapshot; `cfinfra adopt --from` makes
the data equal the live state, after which the same snapshot predicts no change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_STACK
from tests.live.fake_world import HEROKU, b64, world_from_plan
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
    # The resource-type table's verdict: a ruleset created, a team's privacy (the description
    # of a repository is not).
    assert re.search(r"resources would change\*\* \(.*; \d+ security-relevant\)\.", report)
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


def test_runner_groups_environments_and_variable_groups_are_compared(tmp_path, project):
    def changed(world):
        groups = world[f"{ORG}/actions/runner-groups"]["runner_groups"]
        (namespace,) = [g for g in groups if g["name"] == "namespace"]
        # A feedstock added by hand to a large-runner group (the provider's Read misses it).
        world[f"{ORG}/actions/runner-groups/{namespace['id']}/repositories"]["repositories"].append(
            {"id": 1, "name": "scipy-feedstock"}
        )
        (production,) = [
            e
            for e in world[f"{REPOS}/infrastructure/environments"]["environments"]
            if e["name"] == "production"
        ]
        production["can_admins_bypass"] = True
        groups = world[
            "https://dev.azure.com/example-forge/cdt-builds/_apis/distributedtask/variablegroups"
            "?api-version=7.1"
        ]["value"]
        groups[0]["variables"] = {}

    result = plan_against(project, snapshot_of(tmp_path, project, changed), tmp_path / "r.md")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[organisation] runners-large-namespace: imported, then updated" in out
    assert "(selectedRepositories)" in out
    assert (
        "example-forge/infrastructure/production: imported, then updated (canAdminsBypass)" in out
    )
    assert "cdt-builds-anaconda-org: imported, then updated (variables)" in out
    report = (tmp_path / "r.md").read_text()
    assert "scipy-feedstock" in report
    not_compared = report.split("### Not compared", 1)[-1]
    for kind in ("actionsRunnerGroup", "repositoryEnvironment", "variableGroup"):
        assert kind not in not_compared


def test_a_snapshot_that_records_nothing_the_stack_manages_is_exit_2_not_no_change(
    tmp_path, project
):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"_meta": {"version": 1, "org": "example-forge"}}))
    result = plan_against(project, empty, tmp_path / "r.md")
    assert result.exit_code == 2, result.output
    assert "records nothing the stack manages in `example-forge`" in result.output
    assert "No change" not in result.output
    assert not (tmp_path / "r.md").exists()


def test_a_snapshot_of_another_org_is_exit_2(tmp_path, project):
    snap = snapshot_of(tmp_path, project)
    doc = json.loads(snap.read_text())
    doc["_meta"]["org"] = "elsewhere"
    snap.write_text(json.dumps(doc))
    result = plan_against(project, snap)
    assert result.exit_code == 2
    assert "_meta.org: a snapshot of `elsewhere`, not of `example-forge`" in result.output


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("- just\n- a list\n", ": expected a mapping with `policies` and `access_control`"),
        (
            "version: 1\npolicies: [{id: p}]\naccess_control: [{resource: r, policies: [p]}]\n",
            ": policies[0].repo: a policy needs a string `repo`",
        ),
        (
            "policies: [{id: p, repo: x-feedstock, users: 3}]\naccess_control: []\n",
            ": policies[0].users: expected a list of strings",
        ),
        ("a: &b [1]\nc: [*b, *b]\n", "anchors (`&name`) are not allowed"),
    ],
    ids=["not-a-mapping", "no-repo", "users-3", "an-alias"],
)
def test_a_live_access_file_cirun_cannot_read_is_one_clear_exit_2(
    tmp_path, project, body, expected
):
    def broken(world):
        world[f"{REPOS}/.cirun/contents/.access.yml"] = b64(body)

    result = plan_against(project, snapshot_of(tmp_path, project, broken), tmp_path / "r.md")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "GET /repos/example-forge/.cirun/contents/.access.yml" in result.output
    assert expected in result.output
    assert not (tmp_path / "r.md").exists()


def test_bodies_of_the_wrong_shape_are_problems_not_tracebacks(tmp_path, fixture_plan):
    from infra.live.against import predict
    from infra.live.recorded import parse_snapshot

    world = world_from_plan(fixture_plan)
    world[f"{ORG}/teams/core/members?role=member"] = {"not": "a list"}
    world[f"{ORG}/actions/runner-groups"] = ["not", "an object"]
    world[f"{REPOS}/infrastructure/environments"] = {"environments": "nope"}
    snap = parse_snapshot({f"GET {k}": v for k, v in world.items()}, "s.json")
    report = predict(fixture_plan, snap, "example-forge")
    shown = [str(p) for p in report.problems]
    assert (
        "s.json: GET /orgs/example-forge/teams/core/members?role=member: expected a list of "
        in ("\n".join(shown))
    )
    assert any("runner-groups: expected `runner_groups`: a list" in p for p in shown)
    assert any("infrastructure/environments: expected `environments`" in p for p in shown)


@pytest.mark.parametrize("where", ["missing/r.md", "."])
def test_a_report_path_that_cannot_be_written_is_exit_2_before_planning(tmp_path, project, where):
    snap = tmp_path / "s.json"
    snap.write_text(json.dumps({"_meta": {}}))
    result = plan_against(project, snap, tmp_path / where)
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert "--report" in result.output


def test_team_grants_are_compared_and_a_live_grant_not_declared_is_listed(tmp_path, project):
    """bot's push on staged-recipes is maintain live; help-python holds an undeclared triage on
    webservices; core's admin grant on admin-requests is gone (it is created again)."""
    from tests.live.fake_world import team_listing

    def grants(world):
        [bot] = world[f"{REPOS}/staged-recipes/teams"]
        bot.update(team_listing("example-forge", "bot", {}, "maintain", bot["id"]))
        world[f"{REPOS}/webservices/teams"].append(
            team_listing("example-forge", "help-python", {}, "triage", 99)
        )
        world[f"{REPOS}/admin-requests/teams"] = []

    snap = snapshot_of(tmp_path, project, grants)
    result = plan_against(project, snap, tmp_path / "report.md")
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert (
        "[repository] example-forge/staged-recipes/bot: imported, then updated (permission)" in out
    )
    assert "[repository] example-forge/admin-requests/core: created" in out
    report = (tmp_path / "report.md").read_text()
    assert (
        "| `example-forge/staged-recipes/bot` | imported, then updated | `permission` |" in report
    )
    assert "`maintain`" in report
    assert "team grant help-python (triage) on webservices" in report.replace("\\", "")
    assert "teamRepository" not in report.split("### Not compared", 1)[-1]


def test_a_recorded_team_grant_missing_live_is_an_import_that_fails(tmp_path, project):
    snap = snapshot_of(tmp_path, project, lambda w: w.update({f"{REPOS}/staged-recipes/teams": []}))
    result = plan_against(project, snap, tmp_path / "report.md")
    assert result.exit_code == 1, result.output
    report = (tmp_path / "report.md").read_text()
    assert "`example-forge/staged-recipes/bot`" in report
    assert "`bot` has no grant here" in report.replace("\\", "")


def test_adopt_takes_a_declared_grant_s_live_permission_and_names_an_undeclared_one(
    tmp_path, project
):
    from tests.live.fake_world import team_listing

    def grants(world):
        [bot] = world[f"{REPOS}/staged-recipes/teams"]
        bot.update(team_listing("example-forge", "bot", {}, "maintain", bot["id"]))
        world[f"{REPOS}/webservices/teams"].append(
            team_listing("example-forge", "help-python", {}, "triage", 99)
        )

    snap = snapshot_of(tmp_path, project, grants)
    result = adopt_from(project, snap)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((project / "data/github/repositories/staged-recipes.yaml").read_text())
    assert data["teams"][0]["team"] == "bot"
    assert data["teams"][0]["permission"] == "maintain"
    assert data["teams"][0]["evidence"]  # kept
    said = " ".join(result.output.split())
    assert "team `help-python` holds `triage` on webservices on GitHub" in said
    webservices = yaml.safe_load(
        (project / "data/github/repositories/webservices.yaml").read_text()
    )
    assert "teams" not in webservices  # an access decision: named, never written
    again = plan_against(project, snap)
    assert "staged-recipes/bot" not in again.output
