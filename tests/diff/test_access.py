"""Per-person access and per-secret audiences, compared plan against plan."""

from __future__ import annotations

import pytest

from infra.diff.access import MEMBERSHIP, Scope, TargetOp, grants, person_changes, secret_changes
from infra.plan.model import Plan, PlannedResource
from tests.diff.helpers import (
    COLLABORATOR_TYPE,
    PROD_TOKEN_GITHUB,
    PROD_TOKEN_HEROKU,
    TEAM,
    TEAM_MEMBERSHIP_TYPE,
    member,
    org_base,
    res,
    secret,
    target,
    team,
    team_member,
    widened_and_owner_removed,
)


def _labels(base: Plan, head: Plan) -> dict[str, list[str]]:
    out = {}
    for p in person_changes(base, head):
        out[p.person] = [f"+{g.label}" for g in p.added] + [f"-{g.label}" for g in p.removed]
        out[p.person] += [f"{c.old.label}->{c.new.label}" for c in p.changed]
    return out


# --- people --------------------------------------------------------------------------------------


def test_promotion_and_new_team_membership_show_per_person() -> None:
    base, head = widened_and_owner_removed()
    assert _labels(base, head) == {
        "alice": ["+core member", "org member->owner"],
        "carol": ["-owner"],
    }


def test_a_demoted_owner_has_lost_owner() -> None:
    base = Plan("prod", [member("bob", "admin")])
    head = Plan("prod", [member("bob", "member")])
    (bob,) = person_changes(base, head)
    assert bob.lost_owner
    assert not bob.gained_owner
    assert not bob.changed[0].promotion


def test_renaming_a_membership_resource_changes_nobody_s_access() -> None:
    base = Plan("prod", [member("bob", "admin")])
    renamed = res(
        "github:index/membership:Membership", "owner-bob", {"username": "bob", "role": "admin"}
    )
    assert person_changes(base, Plan("prod", [renamed])) == ()


def test_login_case_does_not_split_a_person_but_is_not_silent() -> None:
    base = Plan("prod", [member("Bob", "admin")])
    head = Plan("prod", [member("bob", "admin")])
    [bob] = person_changes(base, head)
    assert (bob.person, bob.added, bob.removed, bob.changed) == ("bob", (), (), ())
    assert bob.respelled == ("Bob", "bob")
    assert bob.lost_owner  # the membership is replaced, and the delete acts on that account


@pytest.mark.parametrize(
    ("team_id", "parent", "name"),
    [
        ("<id:team-core>", None, "m1"),  # the offline plan's fake id names the Team resource
        ("team-core", None, "m1"),  # the Team resource's name itself
        ("core", None, "m1"),  # the team's name
        ("12345", "github:index/team:Team::team-core", "m1"),  # a real id, but a Team parent
        ("12345", None, "team-core-alice"),  # a real id, named after the team
    ],
)
def test_team_membership_is_resolved_to_its_team(
    team_id: str, parent: str | None, name: str
) -> None:
    membership = res(
        "github:index/teamMembership:TeamMembership",
        name,
        {"teamId": team_id, "username": "alice", "role": "member"},
        parent=parent,
    )
    held = grants(Plan("prod", [team("core"), team("core-bots"), membership]))
    (grant,) = held.values()
    assert grant.target == "core"


def test_an_unresolvable_team_id_is_shown_raw() -> None:
    membership = team_member("ghost", "alice", team_id="<id:team-ghost>")
    (grant,) = grants(Plan("prod", [membership])).values()
    assert grant.scope is Scope.TEAM
    assert grant.target == "team-ghost"


def test_a_deleted_team_still_resolves_in_the_base() -> None:
    base = Plan("prod", [team("emeritus"), team_member("emeritus", "zoe")])
    assert _labels(base, Plan("prod", [])) == {"zoe": ["-emeritus member"]}


def test_repository_collaborator_access_is_per_person() -> None:
    def collab(permission: str):
        inputs = {"permission": permission, "repository": "staged-recipes", "username": "erin"}
        return res(COLLABORATOR_TYPE, "collab-erin", inputs)

    assert _labels(Plan("prod", [collab("triage")]), Plan("prod", [collab("push")])) == {
        "erin": ["triage on staged-recipes->push on staged-recipes"]
    }


# --- secrets -------------------------------------------------------------------------------------


def test_a_new_target_widens_the_secret() -> None:
    base, head = widened_and_owner_removed()
    (change,) = secret_changes(base, head)
    assert change.secret == "prod-binstar-token"
    assert change.widened
    assert [(t.op, t.new and t.new.audience) for t in change.targets] == [
        (TargetOp.ADDED, "feedstocks")
    ]


def _with_target(audience: str, why: str = "why") -> Plan:
    return Plan("prod", lineage=[secret("s", target("T", audience, why), cleared_for="public")])


def test_a_wider_audience_widens_and_a_narrower_one_does_not() -> None:
    (wider,) = secret_changes(_with_target("core"), _with_target("infra-maintainers"))
    (narrower,) = secret_changes(_with_target("feedstocks"), _with_target("core"))
    assert wider.widened
    assert not narrower.widened
    assert narrower.targets[0].op is TargetOp.AUDIENCE


def test_same_audience_with_a_new_reason_is_a_reach_change() -> None:
    (change,) = secret_changes(_with_target("core", "a"), _with_target("core", "a, b"))
    assert not change.widened
    assert change.targets[0].op is TargetOp.REACH


def test_an_unknown_audience_counts_as_the_widest() -> None:
    (change,) = secret_changes(_with_target("public"), _with_target("martians"))
    assert change.widened


def test_a_new_onepassword_reference_is_reported_without_any_value() -> None:
    base = Plan("prod", lineage=[secret("s", PROD_TOKEN_GITHUB)])
    head = Plan("prod", lineage=[secret("s", PROD_TOKEN_GITHUB, item="prod-binstar-token-2025")])
    (change,) = secret_changes(base, head)
    assert change.onepassword == (
        "op://pulumi/s/credential",
        "op://pulumi/prod-binstar-token-2025/credential",
    )
    assert not change.widened


def test_a_rotation_policy_change_is_not_an_audience_change() -> None:
    base = Plan("prod", lineage=[secret("s", PROD_TOKEN_GITHUB)])
    head = Plan("prod", lineage=[secret("s", PROD_TOKEN_GITHUB)])
    head.lineage[0] = type(head.lineage[0])(**{**vars(head.lineage[0]), "rotation": "every 7 days"})
    assert secret_changes(base, head) == ()


def test_clearing_a_secret_wider_loosens_the_leak_guard() -> None:
    base = Plan("prod", lineage=[secret("s", PROD_TOKEN_HEROKU, cleared_for="core")])
    head = Plan("prod", lineage=[secret("s", PROD_TOKEN_HEROKU, cleared_for="feedstocks")])
    lowered = Plan("prod", lineage=[secret("s", PROD_TOKEN_HEROKU, sensitivity="internal")])
    assert secret_changes(base, head)[0].guard_loosened
    assert secret_changes(base, lowered)[0].guard_loosened
    assert not secret_changes(head, base)[0].guard_loosened


def test_added_and_removed_secrets_are_listed() -> None:
    base = org_base()
    head = Plan("prod", lineage=[base.lineage[0], secret("new-token", PROD_TOKEN_HEROKU)])
    ops = [(c.secret, c.op.value) for c in secret_changes(base, head)]
    assert ops == [("new-token", "added"), ("staging-binstar-token", "removed")]


def test_real_plan_naming_resolves_a_team_by_slug_or_resource_path() -> None:
    """As the GitHub org work declares them: ``conda-forge/<slug>``, teamId = import id or slug."""
    core = res(TEAM, "conda-forge/core", {"name": "Core Team"}, import_id="core")

    def membership(team_id: str):
        inputs = {"role": "member", "teamId": team_id, "username": "alice"}
        return res(TEAM_MEMBERSHIP_TYPE, "conda-forge/core/alice", inputs, parent="cfinfra:x::p")

    for team_id in ("core", "<id:conda-forge/core>", "4242"):
        (grant,) = grants(Plan("prod", [core, membership(team_id)])).values()
        assert grant.target == "Core Team", team_id


def test_renaming_a_team_is_not_everyone_leaving_it() -> None:
    before = res(TEAM, "conda-forge/core", {"name": "core"})
    after = res(TEAM, "conda-forge/core", {"name": "Core Team"})
    alice = team_member("x", "alice", team_id="<id:conda-forge/core>")
    assert person_changes(Plan("prod", [before, alice]), Plan("prod", [after, alice])) == ()


def test_a_membership_that_downgrades_on_destroy_is_demoted_not_removed() -> None:
    def sticky(login: str, role: str):
        inputs = {"downgradeOnDestroy": True, "role": role, "username": login}
        return res("github:index/membership:Membership", f"conda-forge/{login}", inputs)

    base = Plan("prod", [sticky("bob", "admin"), sticky("erin", "member")])
    removed = {p.person: p.removed[0].removal_label for p in person_changes(base, Plan("prod", []))}
    assert removed == {
        "bob": "owner (demoted to org member)",
        "erin": "org member (no longer managed here; stays in the org)",
    }


def test_a_login_respelled_in_a_resource_that_keeps_its_name_risks_nothing() -> None:
    def owner(login: str) -> PlannedResource:
        return res(MEMBERSHIP, "conda-forge/bob", {"username": login, "role": "admin"})

    assert person_changes(Plan("prod", [owner("Bob")]), Plan("prod", [owner("bob")])) == ()
