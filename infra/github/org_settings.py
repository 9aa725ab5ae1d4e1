"""Organisation-wide settings and the GitHub Actions policy."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.github import GitHubConfig
from infra.config.github_org import AllowedActions

# The provider requires a billing email even when this stack leaves it alone. Left unmanaged, the
# settings are adopted and `billing_email` is ignored, so Pulumi substitutes the imported value
# before the provider ever sees this one; `.invalid` (RFC 2606) could not deliver mail even if it
# leaked.
UNMANAGED_BILLING_EMAIL = "unmanaged@billing-email.invalid"

# Settings this stack does not decide (enterprise-only, Pages, forking of private repositories, the
# contact fields). Ignored so that neither adoption nor an update touches what an owner set by hand.
_UNMANAGED_SETTINGS = [
    "company",
    "email",
    "location",
    "members_can_create_internal_repositories",
    "members_can_create_pages",
    "members_can_create_private_pages",
    "members_can_create_public_pages",
    "members_can_fork_private_repositories",
]
_OPTIONAL_PROFILE = ("billing_email", "name", "description", "blog", "twitter_username")
# Config field (not public, so unset until a snapshot is adopted) -> the provider fields it sets.
_UNKNOWN_UNLESS_SET: dict[str, list[str]] = {
    "default_repository_permission": ["default_repository_permission"],
    "members_can_create_repositories": [
        "members_can_create_repositories",
        "members_can_create_public_repositories",
        "members_can_create_private_repositories",
    ],
    "web_commit_signoff_required": ["web_commit_signoff_required"],
    "new_repositories": [
        "dependency_graph_enabled_for_new_repositories",
        "dependabot_alerts_enabled_for_new_repositories",
        "dependabot_security_updates_enabled_for_new_repositories",
        "secret_scanning_enabled_for_new_repositories",
        "secret_scanning_push_protection_enabled_for_new_repositories",
        "advanced_security_enabled_for_new_repositories",
    ],
}


class OrgSettings(pulumi.ComponentResource):
    """The org's `OrganizationSettings` (protected) and `ActionsOrganizationPermissions`."""

    def __init__(self, name: str, config: GitHubConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cfinfra:github:OrgSettings", name, None, opts)
        self.settings = self._settings(config)
        # No policy in the config: the org's Actions policy is not managed (left as set on GitHub).
        self.actions = self._actions(config) if config.actions is not None else None
        self.register_outputs({})

    def _settings(self, config: GitHubConfig) -> github.OrganizationSettings:
        s = config.org_settings
        sec = s.new_repositories
        ignored = list(_UNMANAGED_SETTINGS)
        ignored += [f for f in _OPTIONAL_PROFILE if getattr(s, f) is None]
        # An org-wide value nobody outside the org can read is not guessed: unset, it is ignored,
        # so the import keeps GitHub's value and no `up` changes it.
        for field, provider_fields in _UNKNOWN_UNLESS_SET.items():
            if getattr(s, field) is None:
                ignored += provider_fields
        return github.OrganizationSettings(
            config.org,
            billing_email=s.billing_email or UNMANAGED_BILLING_EMAIL,
            name=s.name,
            description=s.description,
            blog=s.blog,
            twitter_username=s.twitter_username,
            default_repository_permission=(
                s.default_repository_permission.value if s.default_repository_permission else None
            ),
            # One decision, three switches: GitHub splits repository creation by visibility.
            members_can_create_repositories=s.members_can_create_repositories,
            members_can_create_public_repositories=s.members_can_create_repositories,
            members_can_create_private_repositories=s.members_can_create_repositories,
            web_commit_signoff_required=s.web_commit_signoff_required,
            has_organization_projects=s.has_organization_projects,
            has_repository_projects=s.has_repository_projects,
            dependency_graph_enabled_for_new_repositories=sec.dependency_graph if sec else None,
            dependabot_alerts_enabled_for_new_repositories=sec.dependabot_alerts if sec else None,
            dependabot_security_updates_enabled_for_new_repositories=(
                sec.dependabot_security_updates if sec else None
            ),
            secret_scanning_enabled_for_new_repositories=sec.secret_scanning if sec else None,
            secret_scanning_push_protection_enabled_for_new_repositories=(
                sec.secret_scanning_push_protection if sec else None
            ),
            advanced_security_enabled_for_new_repositories=(sec.advanced_security if sec else None),
            opts=pulumi.ResourceOptions(
                parent=self,
                # Deleting this resource resets the org to GitHub's defaults: never from a diff.
                protect=True,
                import_=str(s.id) if s.adopt else None,
                ignore_changes=ignored,
            ),
        )

    def _actions(self, config: GitHubConfig) -> github.ActionsOrganizationPermissions:
        a = config.actions
        assert a is not None
        allowed_config = None
        if a.allowed_actions is AllowedActions.SELECTED:
            allowed_config = github.ActionsOrganizationPermissionsAllowedActionsConfigArgs(
                github_owned_allowed=a.github_owned_allowed,
                verified_allowed=a.verified_allowed,
                patterns_alloweds=sorted(a.patterns_allowed),
            )
        # Not imported: the provider's import would be followed by an update to these values in the
        # same `up` anyway. Declaring it is a PUT of the whole policy, shown in full in the preview;
        # declare it only with the live policy (adopted from a snapshot) or an audited tightening.
        return github.ActionsOrganizationPermissions(
            config.org,
            enabled_repositories=a.enabled_repositories.value,
            allowed_actions=a.allowed_actions.value,
            allowed_actions_config=allowed_config,
            sha_pinning_required=a.sha_pinning_required,
            # The provider's delete resets the org to "allow every action": leaving the code must
            # not.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
