"""The plan declares the org members, teams and team memberships of `data/github/`.

Code tests plan the fixture stack (tests/fixtures/stack); one policy test reads production.
"""

from __future__ import annotations

import csv

import yaml

from tests.conftest import FIXTURE_ROOT

MEMBERSHIP_T = "github:index/membership:Membership"
TEAM_T = "github:index/team:Team"
TEAM_MEMBER_T = "github:index/teamMembership:TeamMembership"
ORG = "example-forge"
DATA = FIXTURE_ROOT / "data" / "github"
EXPECTED_TEAMS = {"core", "emeritus-core", "bot", "help-python"}


def logins(path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [row["github"] for row in csv.DictReader(f)]


def test_the_listed_teams_are_declared_and_nothing_else(fixture_plan):
    teams = {r.name.removeprefix(f"{ORG}/"): r for r in fixture_plan.of_type(TEAM_T)}
    specs = yaml.safe_load((DATA / "teams.yaml").read_text())
    assert set(teams) == EXPECTED_TEAMS == set(specs)
    for slug, team in teams.items():
        assert team.import_id == slug  # adopted by slug, never recreated
        assert team.retain_on_delete, slug
        assert team.inputs["privacy"] == specs[slug].get("privacy", "closed"), slug
    assert teams["bot"].inputs["privacy"] == "secret"


def test_every_team_holds_exactly_the_people_of_its_file(fixture_plan):
    held: dict[str, set[str]] = {}
    for r in fixture_plan.of_type(TEAM_MEMBER_T):
        _, slug, login = r.name.split("/")
        assert r.inputs["username"] == login
        held.setdefault(slug, set()).add(login)
    for slug in EXPECTED_TEAMS:
        assert held[slug] == set(logins(DATA / "teams" / f"{slug}.csv")), slug


def test_owners_are_admins_and_protected_members_are_plain_members(fixture_plan):
    roles = {r.inputs["username"]: r for r in fixture_plan.of_type(MEMBERSHIP_T)}
    owners, members = logins(DATA / "owners.csv"), logins(DATA / "members.csv")
    assert owners
    assert members
    assert set(roles) == {*owners, *members}
    for login in owners:
        assert roles[login].inputs["role"] == "admin"
        assert roles[login].protect, login
    for login in members:
        assert roles[login].inputs["role"] == "member"
        assert not roles[login].protect, login
    for r in roles.values():
        # Leaving the files demotes, never evicts: the person may still maintain feedstocks.
        assert r.inputs["downgradeOnDestroy"] is True
        assert r.import_id == f"{ORG}:{r.inputs['username']}"


def test_the_core_team_and_its_memberships_are_protected_and_other_teams_are_not(fixture_plan):
    for team in fixture_plan.of_type(TEAM_T):
        assert team.protect == (team.name == f"{ORG}/core"), team.name
    for m in fixture_plan.of_type(TEAM_MEMBER_T):
        assert m.protect == m.name.startswith(f"{ORG}/core/"), m.name


def test_team_memberships_point_at_their_team_and_are_adopted(fixture_plan):
    roles = set()
    for m in fixture_plan.of_type(TEAM_MEMBER_T):
        _, slug, login = m.name.split("/")
        assert m.inputs["teamId"] == slug  # an adopted team's id is its import id offline
        assert m.import_id == f"{slug}:{login}"
        roles.add(m.inputs["role"])
    # A blank role cell (dee-bot in bot.csv) and a missing role column are both `member`.
    assert roles == {"member", "maintainer"}


def test_people_resources_live_in_the_people_component(fixture_plan):
    for t in (MEMBERSHIP_T, TEAM_T, TEAM_MEMBER_T):
        for r in fixture_plan.of_type(t):
            assert r.parent == "cfinfra:github:People::github-people", r.key


def test_every_team_membership_of_an_org_owner_is_maintainer(fixture_plan):
    # GitHub reports an owner as `maintainer` in every team; `member` would change on every `up`.
    owners = {
        m.inputs["username"].lower()
        for m in fixture_plan.of_type(MEMBERSHIP_T)
        if m.inputs["role"] == "admin"
    }
    of_owners = [
        m for m in fixture_plan.of_type(TEAM_MEMBER_T) if m.inputs["username"].lower() in owners
    ]
    # ada-owner in core and bot, bo-owner in core.
    assert sorted(m.name for m in of_owners) == [
        f"{ORG}/bot/ada-owner",
        f"{ORG}/core/ada-owner",
        f"{ORG}/core/bo-owner",
    ]
    assert {m.inputs["role"] for m in of_owners} == {"maintainer"}


# --- policy on production data ---


def test_the_production_bots_are_org_members(prod_plan):
    # Policy: the accounts conda-forge's automation runs as must stay org members.
    members = {r.inputs["username"] for r in prod_plan.of_type(MEMBERSHIP_T)}
    assert {"conda-forge-admin", "conda-forge-daemon", "regro-cf-autotick-bot"} <= members
