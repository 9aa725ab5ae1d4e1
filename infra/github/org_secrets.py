"""GitHub Actions organisation secrets, one per ``github-org-secret`` target of the manifest."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumi_github as github

from infra.config.manifest import GitHubOrgSecretTarget, Visibility
from infra.deliveries import Delivery
from infra.github.repositories import RepositoryIds


class OrgSecrets(pulumi.ComponentResource):
    """Every Actions organisation secret, a `selected` one with its repository selection.

    The selection lives on the secret itself (`selected_repository_ids`), never on a separate
    `ActionsOrganizationSecretRepositories`: the provider's Update of the secret (every value
    write: the first `up`, each rotation) PUTs `selected_repository_ids` only when the secret
    carries it, and GitHub reads a PUT without it as "no repositories"
    (docs/provider-behaviour.md PB-1). One writer per selection, in the shape Update honours.

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
            selected = None
            if t.visibility is Visibility.SELECTED:
                selected = [repo_ids.id_of(r) for r in sorted(t.repositories)]
            self.secrets[t.name] = github.ActionsOrganizationSecret(
                f"org-secret-{t.name}",
                secret_name=t.name,
                value=d.value,
                visibility=t.visibility.value,
                selected_repository_ids=selected,
                opts=child,
            )
        self.register_outputs({})
