"""While adopting, only what is recorded as existing is imported (data/github/adopted.yaml).

An import of a membership that does not exist fails the first `up` (Read answers 404 and the
provider drops it: resource_github_membership.go@v6.13.0, `resourceGithubMembershipRead`). So a
person listed in the CSV files but not recorded in `adopted.yaml` is new: invited (created), and
the diff says "Added" because Pulumi will create it. Code tests on the fixture stack.
"""

from __future__ import annotations

from pathlib import Path

from infra.config.loader import load_project
from infra.diff import build_report, render_markdown
from infra.plan.engine import plan_project
from infra.plan.model import Plan
from tests.conftest import FIXTURE_STACK
from tests.github.test_github_people_validation import DATA, append, rewrite

MEMBERSHIP_T = "github:index/membership:Membership"
TEAM_T = "github:index/team:Team"
TEAM_MEMBER_T = "github:index/teamMembership:TeamMembership"
ORG = "example-forge"


def _by_name(plan: Plan, type_: str) -> dict[str, str | None]:
    return {r.name: r.import_id for r in plan.of_type(type_)}


def _add_newcomer(root: Path) -> None:
    append(root / DATA / "members.csv", "Nia Newcomer,Nia-Newcomer")
    append(root / DATA / "teams" / "help-python.csv", "Nia Newcomer,nia-newcomer")


def test_a_person_new_to_the_org_is_invited_not_imported(fixture_plan, fixture_copy):
    _add_newcomer(fixture_copy)
    head = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    members, teams = _by_name(head, MEMBERSHIP_T), _by_name(head, TEAM_MEMBER_T)
    assert members[f"{ORG}/nia-newcomer"] is None
    assert teams[f"{ORG}/help-python/nia-newcomer"] is None
    # Everyone recorded is still imported, as before.
    assert members[f"{ORG}/cy-member"] == f"{ORG}:cy-member"
    assert teams[f"{ORG}/help-python/cy-member"] == "help-python:cy-member"
    md = render_markdown(build_report(fixture_plan, head))
    added = md[md.index("Added (") :]
    assert f"`{ORG}/nia-newcomer`" in added
    assert "imported as" not in added  # created, as the diff says


def test_a_recorded_membership_the_diff_adds_is_shown_as_an_import(fixture_copy):
    rewrite(fixture_copy / DATA / "members.csv", "Cy Member,cy-member\n", "")
    rewrite(fixture_copy / DATA / "teams" / "help-python.csv", "Cy Member,cy-member\n", "")
    rewrite(fixture_copy / DATA / "adopted.yaml", "  help-python:\n  - cy-member\n", "")
    rewrite(fixture_copy / DATA / "adopted.yaml", "- cy-member\n", "")
    base = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    append(fixture_copy / DATA / "members.csv", "Cy Member,cy-member")
    rewrite(fixture_copy / DATA / "adopted.yaml", "org:\n", "org:\n- cy-member\n")
    head = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    md = render_markdown(build_report(base, head))
    assert f"`{ORG}/cy-member` (imported as `{ORG}:cy-member`: exists, not created)" in md


def test_a_team_not_recorded_is_created_not_imported(fixture_copy):
    rewrite(fixture_copy / DATA / "adopted.yaml", "  help-python:\n  - cy-member\n", "")
    head = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    assert _by_name(head, TEAM_T)[f"{ORG}/help-python"] is None
    assert _by_name(head, TEAM_MEMBER_T)[f"{ORG}/help-python/cy-member"] is None
    assert _by_name(head, TEAM_T)[f"{ORG}/core"] == "core"


def test_a_recorded_login_the_files_no_longer_list_is_inert(fixture_copy):
    """Removing someone from the files needs no second edit: an unused entry imports nothing."""
    rewrite(fixture_copy / DATA / "members.csv", "Cy Member,cy-member\n", "")
    rewrite(fixture_copy / DATA / "teams" / "help-python.csv", "Cy Member,cy-member\n", "")
    head = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    assert f"{ORG}/cy-member" not in _by_name(head, MEMBERSHIP_T)
