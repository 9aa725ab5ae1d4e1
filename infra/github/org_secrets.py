"""GitHub Actions organisation secrets, one per ``github-org-secret`` target of the manifest."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumi_github as github

from infra.config.manifest import GitHubOrgSecretTarget, Visibility
from infra.deliveries import Delivery
from infra.github.repositories import RepositoryIds


class OrgSecrets(pulumi.ComponentResource):
    """Every Actions organisation secret and, for `selected` ones, its repository selection.

    Secrets are `retain_on_delete`: dropping one from the manifest must never blank a secret that a
    workflow still reads; an admin deletes it by hand once nothing uses it.
    """

    def __init__(
        self,
        name: str,
        deliveries: Iterable[Delivery[GitHubOrgSecretTarget]],
        repo_ids: RepositoryIds,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:github:OrgSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        self.secrets: dict[str, github.ActionsOrganizationSecret] = {}
        for d in deliveries:
            t = d.target
            secret = github.ActionsOrganizationSecret(
                f"org-secret-{t.name}",
                secret_name=t.name,
                value=d.value,
                visibility=t.visibility.value,
                opts=child,
            )
            self.secrets[t.name] = secret
            if t.visibility is Visibility.SELECTED:
                github.ActionsOrganizationSecretRepositories(
                    f"org-secret-{t.name}-repositories",
                    secret_name=t.name,
                    selected_repository_ids=[repo_ids.id_of(r) for r in sorted(t.repositories)],
                    opts=child.merge(pulumi.ResourceOptions(depends_on=[secret])),
                )
        self.register_outputs({})
