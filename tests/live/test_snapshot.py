"""`cfinfra snapshot`: every managed surface recorded read-only, paginated, without a secret."""

from __future__ import annotations

import json

import responses
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.live.fake_world import PLANTED, FakeApis, b64, world_from_plan

ENV = {
    "GITHUB_TOKEN": "ghs_test-token-0005",
    "HEROKU_API_KEY": "heroku-test-key-0006",
    "AZDO_PERSONAL_ACCESS_TOKEN": "azdo-test-pat-0007",
}


def take_snapshot(tmp_path, world, *extra: str, env=ENV, root=FIXTURE_ROOT, stack=FIXTURE_STACK):
    fake = FakeApis(world)
    out = tmp_path / "snapshot.json"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        result = CliRunner().invoke(
            app,
            ["snapshot", "--output", str(out), "--root", str(root), "--stack", stack, *extra],
            env=env,
        )
    return result, out, fake


def test_a_snapshot_records_every_managed_surface_with_pages_concatenated(tmp_path, fixture_plan):
    world = world_from_plan(fixture_plan)
    # Live, core has more maintainers than one page holds (the data need not know them all).
    maintainers = world["/orgs/example-forge/teams/core/members?role=maintainer"]
    maintainers += [{"login": f"maintainer-{n}"} for n in range(22)]
    result, out, fake = take_snapshot(tmp_path, world)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["_meta"]["org"] == "example-forge"
    for key in (
        "GET /orgs/example-forge",
        "GET /orgs/example-forge/actions/permissions",
        "GET /orgs/example-forge/actions/permissions/selected-actions",
        "GET /orgs/example-forge/hooks",
        "GET /orgs/example-forge/actions/secrets",
        "GET /orgs/example-forge/actions/runner-groups",
        "GET /orgs/example-forge/memberships/ada-owner",
        "GET /orgs/example-forge/teams/core",
        "GET /orgs/example-forge/teams/core/members?role=maintainer",
        "GET /repos/example-forge/staged-recipes",
        "GET /repos/example-forge/staged-recipes/vulnerability-alerts",
        "GET /repos/example-forge/staged-recipes/rulesets",
        "GET /repos/example-forge/staged-recipes/environments",
        "GET /repos/example-forge/staged-recipes/teams",
        "GET /repos/example-forge/webservices/teams",
        "GET /repos/example-forge/.cirun/contents/.access.yml",
        "GET /apps/example-forge-webservices",
        "GET https://api.heroku.com/apps/example-forge/formation",
        "GET https://api.heroku.com/apps/example-forge/config-vars",
        "GET https://dev.azure.com/example-forge/cdt-builds/_apis/distributedtask/variablegroups"
        "?api-version=7.1",
    ):
        assert key in doc, key
    # 24 core maintainers are served 10 per page: the snapshot holds one list of all of them.
    core = doc["GET /orgs/example-forge/teams/core/members?role=maintainer"]
    assert [m["login"] for m in core] == [m["login"] for m in maintainers]
    assert len(core) == 24
    assert any("page=3" in url for url in fake.requests)
    assert doc["GET /repos/example-forge/staged-recipes/vulnerability-alerts"] is True
    # Each managed repository's team grants, as GitHub lists them (the fixture's bot: push).
    [bot] = doc["GET /repos/example-forge/staged-recipes/teams"]
    assert (bot["slug"], bot["permission"], bot["permissions"]["push"]) == ("bot", "push", True)
    assert bot["permissions"]["maintain"] is False
    assert doc["GET https://api.heroku.com/apps/example-forge/config-vars"] == ["GH_TOKEN"]


def test_a_snapshot_never_holds_a_secret_value_and_only_ever_reads(tmp_path, fixture_plan):
    result, out, fake = take_snapshot(tmp_path, world_from_plan(fixture_plan))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for planted in (*PLANTED, *ENV.values()):
        assert planted not in text, planted
        assert planted not in result.output, planted
    group = json.loads(text)[
        "GET https://dev.azure.com/example-forge/feedstock-builds/_apis/distributedtask/"
        "variablegroups?api-version=7.1"
    ]
    assert group["value"][0]["variables"]["BINSTAR_TOKEN"] == {"isSecret": True}
    assert fake.requests  # every one of them a GET (the fake refuses anything else)


def test_requests_are_counted_against_githubs_hourly_budget(tmp_path, fixture_plan):
    result, _, fake = take_snapshot(tmp_path, world_from_plan(fixture_plan))
    github = [u for u in fake.requests if u.startswith("https://api.github.com")]
    assert f"GitHub: {len(github)} requests this run, against 5,000/hour" in result.output
    assert f"({5000 - len(github):,} left in this hour)" in result.output


def test_feedstock_workflows_are_recorded_for_the_actions_audit(tmp_path, fixture_plan):
    world = world_from_plan(fixture_plan)
    base = "/repos/example-forge/numpy-feedstock/contents/.github/workflows"
    world[base] = [{"name": "ci.yml", "type": "file"}]
    # One SHA-pinned action the fixture's declared policy allows, one tag-pinned one it blocks.
    world[f"{base}/ci.yml"] = b64(
        "jobs: {a: {steps: [\n"
        "  {uses: mamba-org/setup-micromamba@0dea6379afdaffa5d528b3d1dabc45da37f443fc},\n"
        "  {uses: actions/checkout@v4}]}}\n"
    )
    result, out, _ = take_snapshot(tmp_path, world, "--feedstock", "numpy")
    assert result.exit_code == 0, result.output
    audit = CliRunner().invoke(
        app,
        [
            "actions-audit",
            str(out),
            "--org",
            "example-forge",
            "--root",
            str(FIXTURE_ROOT),
            "--stack",
            FIXTURE_STACK,
        ],
    )
    assert audit.exit_code == 1, audit.output
    assert "2 `uses:` in 1 files of 1 repositories; 1 blocked" in audit.output
    assert "numpy-feedstock" in audit.output
    assert "actions/checkout@v4" in audit.output
    assert "setup-micromamba" not in audit.output.split("1 blocked", 1)[1]


def test_without_heroku_and_azure_keys_those_surfaces_are_skipped_with_a_note(
    tmp_path, fixture_plan
):
    env = {
        "GITHUB_TOKEN": ENV["GITHUB_TOKEN"],
        "HEROKU_API_KEY": "",
        "AZDO_PERSONAL_ACCESS_TOKEN": "",
    }
    result, out, _ = take_snapshot(tmp_path, world_from_plan(fixture_plan), env=env)
    assert result.exit_code == 0
    assert "note: Heroku: no HEROKU_API_KEY" in result.output
    assert not any(k.startswith("GET https://") for k in json.loads(out.read_text()))


def test_no_github_token_exits_2_before_any_request(tmp_path):
    result, out, fake = take_snapshot(tmp_path, {}, env={"GITHUB_TOKEN": ""})
    assert result.exit_code == 2
    assert fake.requests == []
    assert not out.exists()
