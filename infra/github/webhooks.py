"""Organisation and repository webhooks delivering to conda-forge's webservices."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumi_github as github

from infra.config.github import GitHubConfig
from infra.config.manifest import GitHubWebhookSecretTarget
from infra.deliveries import Delivery


class Webhooks(pulumi.ComponentResource):
    """Every webhook of ``cfinfra:github.webhooks``, signed with its manifest secret."""

    def __init__(
        self,
        name: str,
        config: GitHubConfig,
        deliveries: Iterable[Delivery[GitHubWebhookSecretTarget]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:github:Webhooks", name, None, opts)
        # Deleting an org hook silently stops conda-forge's automation: keep it if it leaves the
        # config.
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        secret_of = {d.target.webhook: d.value for d in deliveries}
        for hook_id, hook in sorted(config.webhooks.items()):
            url = f"{config.webhook_base_url}{hook.path}"
            if hook.repository is None:
                github.OrganizationWebhook(
                    f"webhook-{hook_id}",
                    configuration=github.OrganizationWebhookConfigurationArgs(
                        url=url,
                        content_type=hook.content_type.value,
                        insecure_ssl=hook.insecure_ssl,
                        secret=secret_of[hook_id],
                    ),
                    events=sorted(hook.events),
                    active=hook.active,
                    opts=child,
                )
            else:
                github.RepositoryWebhook(
                    f"webhook-{hook_id}",
                    repository=hook.repository,
                    configuration=github.RepositoryWebhookConfigurationArgs(
                        url=url,
                        content_type=hook.content_type.value,
                        insecure_ssl=hook.insecure_ssl,
                        secret=secret_of[hook_id],
                    ),
                    events=sorted(hook.events),
                    active=hook.active,
                    opts=child,
                )
        self.register_outputs({})
