"""A Heroku app's config vars: sensitive ones from the manifest, plain ones from the stack."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumiverse_heroku as heroku

from infra.config.heroku import HerokuApp as HerokuAppConfig
from infra.config.manifest import HerokuConfigVarTarget
from infra.deliveries import Delivery


class HerokuApp(pulumi.ComponentResource):
    """One Heroku app's configuration."""

    def __init__(
        self,
        name: str,
        config: HerokuAppConfig,
        sensitive: Iterable[Delivery[HerokuConfigVarTarget]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:heroku:App", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        app = heroku.app.get_app_output(name=name, opts=pulumi.InvokeOutputOptions(parent=self))
        sensitive_vars = {d.target.var: d.value for d in sorted(sensitive, key=lambda d: d.target.var)}
        heroku.app.ConfigAssociation(
            f"{name}-config",
            app_id=app.id,
            vars=dict(sorted(config.vars.items())),
            sensitive_vars=sensitive_vars,
            opts=child.merge(pulumi.ResourceOptions(retain_on_delete=True)),
        )
        self.register_outputs({})
