"""The plan sets the organisation's settings and Actions policy from `cfinfra:github`.

Code tests: they plan the fixture stack (tests/fixtures/stack), or a copy of it edited.
"""

from __future__ import annotations

from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_STACK
from tests.stack_edits import edit_yaml

SETTINGS_T = "github:index/organizationSettings:OrganizationSettings"
ACTIONS_T = "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions"
UNKNOWN_SETTINGS = (
    "default_repository_permission",
    "members_can_create_repositories",
    "web_commit_signoff_required",
    "new_repositories",
)
"""The settings nobody outside the org can read: omitted, they are not managed."""


def _edit_github(root, change) -> None:
    edit_yaml(
        root / f"Pulumi.{FIXTURE_STACK}.yaml", lambda d: change(d["config"]["cfinfra:github"])
    )


def test_org_settings_are_adopted_by_org_id_and_protected(fixture_plan):
    (settings,) = fixture_plan.of_type(SETTINGS_T)
    assert settings.protect
    assert settings.import_id == "1000001"
    assert settings.parent == "cfinfra:github:OrgSettings::github-org-settings"


def test_omitted_unknown_settings_are_not_declared(fixture_copy):
    def omit_unknown(gh):
        for key in UNKNOWN_SETTINGS:
            gh["org_settings"].pop(key)
        gh["org_settings"]["twitter_username"] = "exampleforge"

    _edit_github(fixture_copy, omit_unknown)
    (settings,) = plan_stack(fixture_copy, FIXTURE_STACK).of_type(SETTINGS_T)
    i = settings.inputs
    assert (i["name"], i["blog"], i["twitterUsername"]) == (
        "example-forge",
        "https://example-forge.org",
        "exampleforge",
    )
    # Not public, so not guessed: an imported resource with a different value would be updated.
    for unknown in (
        "defaultRepositoryPermission",
        "membersCanCreateRepositories",
        "membersCanCreatePublicRepositories",
        "webCommitSignoffRequired",
        "secretScanningEnabledForNewRepositories",
        "dependencyGraphEnabledForNewRepositories",
    ):
        assert unknown not in i, unknown


def test_declared_unknown_settings_reach_all_of_githubs_switches(fixture_copy):
    def declare(gh):
        s = gh["org_settings"]
        for key in UNKNOWN_SETTINGS:
            s.pop(key)
        s.update(
            default_repository_permission="write",
            members_can_create_repositories=False,
            new_repositories={"secret_scanning": True},
        )

    _edit_github(fixture_copy, declare)
    (settings,) = plan_stack(fixture_copy, FIXTURE_STACK).of_type(SETTINGS_T)
    i = settings.inputs
    assert i["defaultRepositoryPermission"] == "write"
    # One decision ("who may create repositories"), all three of GitHub's switches follow it.
    assert i["membersCanCreateRepositories"] is False
    assert i["membersCanCreatePublicRepositories"] is False
    assert i["membersCanCreatePrivateRepositories"] is False
    assert i["secretScanningEnabledForNewRepositories"] is True
    assert "webCommitSignoffRequired" not in i


def test_an_unknown_billing_email_is_a_placeholder_that_cannot_deliver(fixture_plan):
    (settings,) = fixture_plan.of_type(SETTINGS_T)
    # Left unmanaged: ignored on an adopted resource, and `.invalid` never routes mail anyway.
    assert settings.inputs["billingEmail"].endswith(".invalid")


def test_an_omitted_actions_policy_is_not_declared(fixture_plan, fixture_copy):
    # Unknown (not public): a guessed policy would replace the live one and could stop CI org-wide.
    assert len(fixture_plan.of_type(ACTIONS_T)) == 1
    _edit_github(fixture_copy, lambda gh: gh.pop("actions"))
    assert plan_stack(fixture_copy, FIXTURE_STACK).of_type(ACTIONS_T) == []


def _with_policy(fixture_copy, policy):
    _edit_github(fixture_copy, lambda gh: gh.update(actions=policy))
    (actions,) = plan_stack(fixture_copy, FIXTURE_STACK).of_type(ACTIONS_T)
    return actions


def test_a_declared_actions_policy_is_a_sorted_allow_list(fixture_copy):
    actions = _with_policy(
        fixture_copy,
        {
            "allowed_actions": "selected",
            "sha_pinning_required": False,
            "patterns_allowed": ["mamba-org/setup-micromamba@*", "AkhileshNS/heroku-deploy@*"],
        },
    )
    i = actions.inputs
    assert i["enabledRepositories"] == "all"
    assert i["allowedActions"] == "selected"
    assert i["shaPinningRequired"] is False
    cfg = i["allowedActionsConfig"]
    assert cfg["githubOwnedAllowed"] is True
    assert cfg["verifiedAllowed"] is False
    assert cfg["patternsAlloweds"] == [
        "AkhileshNS/heroku-deploy@*",
        "mamba-org/setup-micromamba@*",
    ]


def test_dropping_the_actions_policy_from_code_never_resets_the_org_to_allow_all(fixture_copy):
    actions = _with_policy(fixture_copy, {"allowed_actions": "all", "sha_pinning_required": False})
    assert actions.retain_on_delete
    assert actions.import_id is None
