"""The prod plan sets the organisation's settings and Actions policy from `cfinfra:github`."""

from __future__ import annotations

SETTINGS_T = "github:index/organizationSettings:OrganizationSettings"
ACTIONS_T = "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions"


def test_org_settings_are_adopted_by_org_id_and_protected(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    assert settings.protect
    assert settings.import_id == "11897326"
    assert settings.parent == "cfinfra:github:OrgSettings::github-org-settings"


def test_org_settings_declare_only_public_values(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    i = settings.inputs
    assert (i["name"], i["blog"], i["twitterUsername"]) == (
        "conda-forge",
        "https://conda-forge.org",
        "condaforge",
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


def test_declared_unknown_settings_reach_all_of_githubs_switches(project_copy):
    from infra.plan.engine import plan_stack
    from tests.foundation.test_validation import edit_yaml

    def declare(doc):
        s = doc["config"]["cfinfra:github"]["org_settings"]
        s.update(
            default_repository_permission="read",
            members_can_create_repositories=False,
            new_repositories={"secret_scanning": True},
        )

    edit_yaml(project_copy / "Pulumi.prod.yaml", declare)
    (settings,) = plan_stack(project_copy, "prod").of_type(SETTINGS_T)
    i = settings.inputs
    assert i["defaultRepositoryPermission"] == "read"
    # One decision ("who may create repositories"), all three of GitHub's switches follow it.
    assert i["membersCanCreateRepositories"] is False
    assert i["membersCanCreatePublicRepositories"] is False
    assert i["membersCanCreatePrivateRepositories"] is False
    assert i["secretScanningEnabledForNewRepositories"] is True
    assert "webCommitSignoffRequired" not in i


def test_an_unknown_billing_email_is_a_placeholder_that_cannot_deliver(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    # Left unmanaged: ignored on an adopted resource, and `.invalid` never routes mail anyway.
    assert settings.inputs["billingEmail"].endswith(".invalid")


def test_the_unknown_actions_policy_is_not_declared_in_prod(prod_plan):
    # Not public: a guessed policy would replace the live one and could stop CI org-wide.
    assert prod_plan.of_type(ACTIONS_T) == []


def _with_policy(project_copy, policy):
    from infra.plan.engine import plan_stack
    from tests.foundation.test_validation import edit_yaml

    edit_yaml(
        project_copy / "Pulumi.prod.yaml",
        lambda d: d["config"]["cfinfra:github"].update(actions=policy),
    )
    (actions,) = plan_stack(project_copy, "prod").of_type(ACTIONS_T)
    return actions


def test_a_declared_actions_policy_is_a_sorted_allow_list(project_copy):
    actions = _with_policy(
        project_copy,
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
    assert cfg["patternsAlloweds"] == sorted(cfg["patternsAlloweds"])


def test_dropping_the_actions_policy_from_code_never_resets_the_org_to_allow_all(project_copy):
    actions = _with_policy(project_copy, {"allowed_actions": "all", "sha_pinning_required": False})
    assert actions.retain_on_delete
    assert actions.import_id is None
