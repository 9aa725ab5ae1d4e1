"""Adoption is a switch: off, nothing is imported and GitHub-only flags are no longer ignored."""

from __future__ import annotations

import yaml

from infra.plan.engine import plan_stack


def test_with_adoption_off_people_and_a_new_repository_are_created_not_imported(project_copy):
    stack = project_copy / "Pulumi.prod.yaml"
    data = yaml.safe_load(stack.read_text(encoding="utf-8"))
    gh = data["config"]["cfinfra:github"]
    gh["people"]["adopt"] = False
    stack.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    cfep = project_copy / "data/github/repositories/cfep.yaml"
    cfep.write_text(cfep.read_text(encoding="utf-8") + "adopt: false\n", encoding="utf-8")
    plan = plan_stack(project_copy, "prod")
    for t in ("membership:Membership", "team:Team", "teamMembership:TeamMembership"):
        assert all(r.import_id is None for r in plan.of_type(f"github:index/{t}")), t
    repos = {r.name: r for r in plan.of_type("github:index/repository:Repository")}
    assert repos["conda-forge/cfep"].import_id is None
    assert repos["conda-forge/staged-recipes"].import_id == "staged-recipes"
    # A created team has a real (fake) id, which its memberships then reference.
    (core_member,) = [
        r
        for r in plan.of_type("github:index/teamMembership:TeamMembership")
        if r.name == "conda-forge/core/isuruf"
    ]
    assert core_member.inputs["teamId"] == "<id:conda-forge/core>"
