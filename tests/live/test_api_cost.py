"""The refresh's GitHub API cost, estimated per resource type from the provider's Reads."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.cli import app
from infra.live.api_cost import READ_COST, refresh_cost, render
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK


def test_every_github_type_the_prod_plan_declares_has_a_read_cost(prod_plan):
    types = {r.type for r in prod_plan.resources if r.type.startswith("github:index/")}
    assert types - set(READ_COST) == set()


def test_the_estimate_is_resources_times_requests_per_read_against_the_hourly_budget(prod_plan):
    rows = refresh_cost(prod_plan)
    total = sum(c.requests for c in rows)
    for c in rows:
        assert c.requests == c.resources * READ_COST[c.type].requests
    lines = render(rows, snapshot_requests=40)
    assert f"about {total:,} requests" in lines[2]
    assert "of its token's 5,000/hour budget" in lines[3]
    assert "made 40 requests (0.8% of the budget)" in lines[4]
    assert all(len(line) <= 80 for line in lines if not line.startswith("|"))
    assert "| `teamMembership` | 84 | 1 | 84 |" in lines


def test_an_unknown_type_is_shown_as_unknown_never_as_free(fixture_plan):
    from dataclasses import replace

    (one,) = [r for r in fixture_plan.resources if r.type.endswith(":OrganizationSettings")]
    odd = replace(one, type="github:index/somethingNew:SomethingNew")
    plan = replace(fixture_plan, resources=[*fixture_plan.resources, odd])
    assert "| `somethingNew` | 1 | unknown | 0 |" in render(refresh_cost(plan))


def test_the_command_prints_the_table(tmp_path):
    out = tmp_path / "cost.md"
    args = ["api-cost", "--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK, "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "### GitHub API cost" in result.output
    assert out.read_text().startswith("### GitHub API cost")
