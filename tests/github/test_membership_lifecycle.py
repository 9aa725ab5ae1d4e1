"""Removing someone from the people files demotes them: never an eviction by accident.

The lifecycle that hurt: adopt (import) the org memberships, then drop a member from the data. The
provider decides what the delete does from the *state* the program left, so this models the
state and the provider's Delete from its source (github/resource_github_membership.go@v6.13.0):

- Import is `ImportStatePassthroughContext` then Read, which sets `etag`, `username` and `role`
  only: `downgrade_on_destroy` (not stored by GitHub) is at its schema default, `false`.
- The first `up` (Pulumi >= 3.174) imports, then updates every declared input that differs from
  the imported state; an input in `ignore_changes` keeps the imported value instead.
- Delete reads `downgrade_on_destroy` from state: true: GET the membership and PUT role `member`
  unless already `member` (or gone); false: `DELETE /orgs/{org}/memberships/{username}`, which
  removes the person from the organisation.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.config.loader import load_project
from infra.diff.compare import Op, diff_plans
from infra.plan import engine
from infra.plan.engine import plan_project
from infra.plan.model import PlannedResource
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.github.test_github_people_validation import DATA, rewrite

MEMBERSHIP_T = "github:index/membership:Membership"
ORG = "example-forge"
SCHEMA_DEFAULTS = {"role": "member", "downgradeOnDestroy": False}
"""`github_membership`'s schema defaults (v6.13.0), in Pulumi's camelCase."""


def imported_state(username: str, live_role: str) -> dict[str, Any]:
    """What Read leaves in state after a passthrough import: no `downgrade_on_destroy`."""
    return {"username": username, "role": live_role, "etag": "W/etag"}


def state_after_first_up(
    declared: dict[str, Any], ignored: list[str], imported: dict[str, Any] | None
) -> dict[str, Any]:
    """The state after the `up` that creates (no import) or imports and then updates."""
    if imported is None:
        return dict(declared)
    state = {**SCHEMA_DEFAULTS, **imported}
    for key, value in declared.items():
        if key not in ignored:
            state[key] = value
    return state


def delete_request(state: dict[str, Any], live_role: str) -> str | None:
    """The request `resourceGithubMembershipDelete` sends for this state (None: nothing)."""
    user = state["username"]
    if state.get("downgradeOnDestroy", SCHEMA_DEFAULTS["downgradeOnDestroy"]):
        if live_role == "member":
            return None  # "already 'member'": nothing to do
        return f"PUT /orgs/{ORG}/memberships/{user} role=member"
    return f"DELETE /orgs/{ORG}/memberships/{user}"


def registered(monkeypatch: pytest.MonkeyPatch, root=FIXTURE_ROOT) -> dict[str, Any]:
    """The fixture plan's memberships, with the `ignore_changes` each reached the engine with."""
    ignored: dict[str, list[str]] = {}
    original = engine.RecordingMonitor.RegisterResource

    def record(self: Any, request: Any) -> Any:
        if request.type == MEMBERSHIP_T:
            ignored[request.name] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)
    plan = plan_project(load_project(root, FIXTURE_STACK))
    return {"plan": plan, "ignored": ignored}


def _first_up_states(run: dict[str, Any]) -> dict[str, tuple[PlannedResource, dict[str, Any]]]:
    out = {}
    for r in run["plan"].of_type(MEMBERSHIP_T):
        assert r.import_id, r.name  # the fixture adopts (people.adopt: true)
        imported = imported_state(r.inputs["username"], r.inputs["role"])
        out[r.name] = (r, state_after_first_up(r.inputs, run["ignored"][r.name], imported))
    return out


def test_after_adoption_removing_anyone_from_the_files_demotes_and_never_evicts(monkeypatch):
    states = _first_up_states(registered(monkeypatch))
    assert states
    for name, (r, state) in states.items():
        assert state["downgradeOnDestroy"] is True, name
        request = delete_request(state, live_role=r.inputs["role"])
        if r.inputs["role"] == "admin":
            assert request == f"PUT /orgs/{ORG}/memberships/{r.inputs['username']} role=member"
        else:
            assert request is None, name  # a member stays a member, only unmanaged


def test_the_model_tells_an_ignored_flag_from_a_recorded_one() -> None:
    """The bug this guards against, through the same model: an ignored flag evicts."""
    declared = {"username": "cy-member", "role": "member", "downgradeOnDestroy": True}
    imported = imported_state("cy-member", "member")
    kept_false = state_after_first_up(declared, ["downgradeOnDestroy"], imported)
    assert delete_request(kept_false, "member") == f"DELETE /orgs/{ORG}/memberships/cy-member"
    created = state_after_first_up(declared, [], None)
    assert delete_request(created, "member") is None


def test_a_member_dropped_from_the_data_is_a_delete_that_destroys_nothing(
    monkeypatch, fixture_copy
) -> None:
    base = registered(monkeypatch)
    rewrite(fixture_copy / DATA / "members.csv", "Cy Member,cy-member\n", "")
    rewrite(fixture_copy / DATA / "teams" / "help-python.csv", "Cy Member,cy-member\n", "")
    head = plan_project(load_project(fixture_copy, FIXTURE_STACK))
    [gone] = [c for c in diff_plans(base["plan"], head).changes if c.type == MEMBERSHIP_T]
    assert (gone.op, gone.name) == (Op.DELETE, f"{ORG}/cy-member")
    assert not gone.destroys  # what the diff tells reviewers ...
    _, state = _first_up_states(base)[gone.name]
    assert delete_request(state, live_role="member") is None  # ... is what the provider does
