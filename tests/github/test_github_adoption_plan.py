"""Adoption is a switch: off, nothing is imported and GitHub-only flags are no longer ignored.

Code tests: they plan a copy of the fixture stack (tests/fixtures/stack).
"""

from __future__ import annotations

import yaml

from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_STACK


def test_with_adoption_off_people_and_a_new_repository_are_created_not_imported(fixture_copy):
    stack = fixture_copy / f"Pulumi.{FIXTURE_STACK}.yaml"
    data = yaml.safe_load(stack.read_text(encoding="utf-8"))
    gh = data["config"]["cfinfra:github"]
    gh["people"]["adopt"] = False
    stack.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    new = fixture_copy / "data/github/repositories/admin-requests.yaml"
    new.write_text(new.read_text(encoding="utf-8") + "adopt: false\n", encoding="utf-8")
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    for t in ("membership:Membership", "team:Team", "teamMembership:TeamMembership"):
        assert plan.of_type(f"github:index/{t}"), t
        assert all(r.import_id is None for r in plan.of_type(f"github:index/{t}")), t
    repos = {r.name: r for r in plan.of_type("github:index/repository:Repository")}
    assert repos["example-forge/admin-requests"].import_id is None
    assert repos["example-forge/staged-recipes"].import_id == "staged-recipes"
    # A created team has a real (fake) id, which its memberships then reference.
    (core_member,) = [
        r
        for r in plan.of_type("github:index/teamMembership:TeamMembership")
        if r.name == "example-forge/core/ada-owner"
    ]
    assert core_member.inputs["teamId"] == "<id:example-forge/core>"
