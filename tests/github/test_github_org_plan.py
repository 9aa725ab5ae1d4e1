"""The prod plan sets the organisation's settings and Actions policy from `cfinfra:github`."""

from __future__ import annotations

SETTINGS_T = "github:index/organizationSettings:OrganizationSettings"
ACTIONS_T = "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions"


def test_org_settings_are_adopted_by_org_id_and_protected(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    assert settings.protect
    assert settings.import_id == "11897326"
    assert settings.parent == "cfinfra:github:OrgSettings::github-org-settings"


def test_org_settings_carry_the_configured_policy(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    i = settings.inputs
    assert i["defaultRepositoryPermission"] == "read"
    # One decision ("who may create repositories"), all three of GitHub's switches follow it.
    assert i["membersCanCreateRepositories"] is False
    assert i["membersCanCreatePublicRepositories"] is False
    assert i["membersCanCreatePrivateRepositories"] is False
    assert i["webCommitSignoffRequired"] is False
    assert i["secretScanningEnabledForNewRepositories"] is True
    assert i["secretScanningPushProtectionEnabledForNewRepositories"] is True
    assert i["dependencyGraphEnabledForNewRepositories"] is True
    assert (i["name"], i["blog"], i["twitterUsername"]) == (
        "conda-forge",
        "https://conda-forge.org",
        "condaforge",
    )


def test_an_unknown_billing_email_is_a_placeholder_that_cannot_deliver(prod_plan):
    (settings,) = prod_plan.of_type(SETTINGS_T)
    # Left unmanaged: ignored on an adopted resource, and `.invalid` never routes mail anyway.
    assert settings.inputs["billingEmail"].endswith(".invalid")


def test_actions_allow_only_github_owned_and_listed_actions_pinned_by_sha(prod_plan):
    (actions,) = prod_plan.of_type(ACTIONS_T)
    i = actions.inputs
    assert i["enabledRepositories"] == "all"
    assert i["allowedActions"] == "selected"
    assert i["shaPinningRequired"] is True
    cfg = i["allowedActionsConfig"]
    assert cfg["githubOwnedAllowed"] is True
    assert cfg["verifiedAllowed"] is False
    assert "mamba-org/setup-micromamba@*" in cfg["patternsAlloweds"]
    assert cfg["patternsAlloweds"] == sorted(cfg["patternsAlloweds"])


def test_dropping_the_actions_policy_from_code_never_resets_the_org_to_allow_all(prod_plan):
    (actions,) = prod_plan.of_type(ACTIONS_T)
    assert actions.retain_on_delete
    assert actions.import_id is None  # declared to change the policy, not to mirror it
