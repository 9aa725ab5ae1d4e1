"""`cfinfra:github` refuses contradictory settings (model validators and the review-team rule)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.config.github import BypassActor, Repository
from infra.config.github_org import ActionsPolicy, OrgSettings
from infra.config.people import TeamMemberRow


def test_adopting_org_settings_needs_the_org_id():
    with pytest.raises(ValidationError, match="numeric `id`"):
        OrgSettings(adopt=True)


def test_an_unmanaged_billing_email_requires_adoption():
    with pytest.raises(ValidationError, match="must be adopted"):
        OrgSettings(adopt=False)
    assert OrgSettings(adopt=False, billing_email="admin@example.org").billing_email


def test_action_patterns_apply_only_to_a_selected_policy():
    with pytest.raises(ValidationError, match="only when `allowed_actions` is `selected`"):
        ActionsPolicy.model_validate({"allowed_actions": "all", "patterns_allowed": ["a/b@*"]})
    with pytest.raises(ValidationError, match="duplicate patterns"):
        ActionsPolicy.model_validate({"patterns_allowed": ["a/b@*", "a/b@*"]})
    with pytest.raises(ValidationError):
        ActionsPolicy.model_validate({"patterns_allowed": ["not a pattern"]})


def test_bypass_actors_carry_exactly_the_id_their_kind_needs():
    assert (
        BypassActor.model_validate({"kind": "repository-role", "role": "admin"}).role.actor_id == 5
    )
    for bad in (
        {"kind": "repository-role"},
        {"kind": "organization-admin", "role": "admin"},
        {"kind": "integration"},
        {"kind": "organization-admin", "app_id": 1},
    ):
        with pytest.raises(ValidationError):
            BypassActor.model_validate(bad)


def test_a_repository_keeps_at_least_one_merge_method_and_rulesets_name_them():
    with pytest.raises(ValidationError, match="at least one merge method"):
        Repository.model_validate(
            {
                "audience": "core",
                "allow_merge_commit": False,
                "allow_squash_merge": False,
                "allow_rebase_merge": False,
            }
        )
    repo = Repository.model_validate({"audience": "core", "allow_merge_commit": False})
    assert repo.merge_methods == ["squash", "rebase"]


def test_a_blank_role_cell_means_member():
    row = TeamMemberRow.model_validate({"name": "A", "github": "a-b"})
    assert row.role == "member"
    with pytest.raises(ValidationError, match="not a GitHub login"):
        TeamMemberRow.model_validate({"name": "A", "github": "a--b"})
