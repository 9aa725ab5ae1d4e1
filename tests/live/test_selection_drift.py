"""`cfinfra selection-drift`: the drift workflow reads the runner-group and org-secret selections
live, because the provider's refresh can miss them, and reports any difference as
security-relevant drift, with the requests it made and the refresh's estimated cost."""

from __future__ import annotations

import pytest
import responses
from typer.testing import CliRunner

from infra.cli import app
from infra.exitcodes import ExitCode
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.live.fake_world import FakeApis, world_from_plan

ORG = "/orgs/example-forge"
ENV = {"GITHUB_TOKEN": "ghs_test-token-0005", "OP_SERVICE_ACCOUNT_TOKEN": ""}


def selection_drift(world, tmp_path, env=ENV):
    fake = FakeApis(world)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        args = ["selection-drift", "--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK]
        result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "s.md")], env=env)
    return result, fake


def group(world, name):
    (g,) = [g for g in world[f"{ORG}/actions/runner-groups"]["runner_groups"] if g["name"] == name]
    return world[f"{ORG}/actions/runner-groups/{g['id']}/repositories"]["repositories"]


def test_selections_equal_to_the_plan_are_one_line_and_exit_0(tmp_path, fixture_plan):
    result, fake = selection_drift(world_from_plan(fixture_plan), tmp_path)
    assert result.exit_code == ExitCode.OK, result.output
    assert "All 6 selections equal the plan" in (tmp_path / "s.md").read_text()
    assert "selections: 6 compared, 0 differ, 0 live but not declared, 0 not readable" in (
        result.output
    )
    # Only the cheap list endpoints: the two lists, then one per selected group or secret.
    paths = {u.split("?")[0].removeprefix("https://api.github.com") for u in fake.requests}
    assert all(p.startswith(f"{ORG}/actions/") for p in paths), paths
    assert len(fake.requests) == 2 + 3 + 2
    assert f"GitHub: {len(fake.requests)} requests this run, against 5,000/hour" in result.output
    assert f"The selection check made {len(fake.requests)} requests" in result.output
    assert "### GitHub API cost" in (tmp_path / "s.md").read_text()


def test_a_feedstock_added_by_hand_to_a_runner_group_is_security_relevant_drift(
    tmp_path, fixture_plan
):
    world = world_from_plan(fixture_plan)
    group(world, "namespace").append({"id": 77, "name": "scipy-feedstock"})
    result, _ = selection_drift(world, tmp_path)
    assert result.exit_code == ExitCode.FOUND, result.output
    report = (tmp_path / "s.md").read_text()
    assert "**Security-relevant drift**: 1 of 6 selections differ from the plan," in report
    assert "runners-large-namespace" in report
    assert "scipy-feedstock" in report
    # The public run log gets counts only: which repositories may use what stays in the file.
    assert "scipy-feedstock" not in result.output
    assert "1 differ" in result.output


def test_a_widened_secret_selection_and_an_undeclared_secret_are_drift(tmp_path, fixture_plan):
    world = world_from_plan(fixture_plan)
    repos = world[f"{ORG}/actions/secrets/PROD_UPLOAD_TOKEN/repositories"]["repositories"]
    repos.append({"name": "staged-recipes"})
    world[f"{ORG}/actions/secrets"]["secrets"].append({"name": "BY_HAND", "visibility": "all"})
    result, _ = selection_drift(world, tmp_path)
    assert result.exit_code == ExitCode.FOUND, result.output
    report = (tmp_path / "s.md").read_text()
    assert "org-secret-PROD_UPLOAD_TOKEN" in report
    assert "live, not declared: org Actions secret BY\\_HAND" in report


def test_a_selection_the_token_cannot_read_is_not_taken_as_equal(tmp_path, fixture_plan):
    world = world_from_plan(fixture_plan)
    world[f"{ORG}/actions/secrets/WEBSERVICES_TOKEN/repositories"] = None  # 404
    result, _ = selection_drift(world, tmp_path)
    assert result.exit_code == ExitCode.FOUND, result.output
    assert "not readable" in (tmp_path / "s.md").read_text()


def test_without_a_token_it_exits_2_before_any_request(tmp_path, fixture_plan):
    result, fake = selection_drift(
        world_from_plan(fixture_plan),
        tmp_path,
        env={"GITHUB_TOKEN": "", "OP_SERVICE_ACCOUNT_TOKEN": ""},
    )
    assert result.exit_code == ExitCode.INVALID
    assert fake.requests == []


def test_the_group_answers_304_to_its_etag_after_a_repository_is_added_which_is_why_this_runs(
    tmp_path, fixture_plan
):
    """What the provider's refresh sees (PB-501): the group itself is unchanged, so GitHub
    answers its stored ETag with 304 and the Read never lists the repositories."""
    import requests

    world = world_from_plan(fixture_plan)
    (g,) = [
        g
        for g in world[f"{ORG}/actions/runner-groups"]["runner_groups"]
        if g["name"] == "namespace"
    ]
    url = f"https://api.github.com{ORG}/actions/runner-groups/{g['id']}"
    fake = FakeApis(world)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        etag = requests.get(url, timeout=5).headers["ETag"]
        group(world, "namespace").append({"id": 77, "name": "scipy-feedstock"})
        again = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304
    result, _ = selection_drift(world, tmp_path)
    assert result.exit_code == ExitCode.FOUND


@pytest.mark.parametrize(
    ("stated", "asked"),
    [
        ("read-only", ["op://pulumi/github-read-only-token/credential"]),
        # The fixture's deploy authenticates with an App: it has no token to ask for.
        (None, []),
    ],
)
def test_the_token_is_the_stated_runs_own(monkeypatch, stated, asked):
    # In the read-only environment the 1Password account cannot read the deploy's token: the
    # check must ask for the read-only run's, as the program does, never the other run's.
    from infra.config.loader import load_project
    from infra.live.drift_cli import _github_token
    from infra.runtime_config import RUN_ENVIRONMENT
    from infra.sources.onepassword import OnePasswordSource

    seen: list[str] = []

    def resolve_all(self, refs):
        seen.extend(r.uri for r in refs)
        return {r.uri: "resolved" for r in refs}

    monkeypatch.setattr(OnePasswordSource, "resolve_all", resolve_all)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("OP_SERVICE_ACCOUNT_TOKEN", "ops_placeholder")
    if stated:
        monkeypatch.setenv(RUN_ENVIRONMENT, stated)
    else:
        monkeypatch.delenv(RUN_ENVIRONMENT, raising=False)
    token = _github_token(load_project(FIXTURE_ROOT, FIXTURE_STACK))
    assert token == ("resolved" if asked else "")
    assert seen == asked
