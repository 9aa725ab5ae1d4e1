"""A Heroku app, adopted as it is: its dyno formation and its config vars.

The app already exists and serves every webhook conda-forge receives, so it is imported
(``import_``), never created, and protected against deletion and replacement. Only what this stack
means to manage is compared with the live app; everything else (buildpacks, stack, ACM, config
vars set elsewhere) is ignored, so adopting it changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumiverse_heroku as heroku

from infra.config.heroku import HerokuApp as HerokuAppConfig
from infra.config.manifest import HerokuConfigVarTarget
from infra.deliveries import Delivery

# Properties of the live app this stack does not own. `region` is among them because Heroku cannot
# move an app: a wrong value must never plan a replacement; adoption copies the live one instead.
# Config vars are managed by the ConfigAssociation below, never through the app resource.
UNMANAGED_APP_PROPERTIES = [
    "acm",
    "buildpacks",
    "config_vars",
    "internal_routing",
    "organization",
    "region",
    "sensitive_config_vars",
    "space",
    "stack",
]


class HerokuApp(pulumi.ComponentResource):
    """One Heroku app: adopted, with its formation and its config vars."""

    def __init__(
        self,
        name: str,
        config: HerokuAppConfig,
        sensitive: Iterable[Delivery[HerokuConfigVarTarget]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:heroku:App", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Heroku accepts an app's name as its import id.
        self.app = heroku.app.App(
            name,
            name=name,
            region=config.region.value,
            opts=child.merge(
                pulumi.ResourceOptions(
                    import_=name,
                    protect=True,
                    retain_on_delete=True,
                    ignore_changes=UNMANAGED_APP_PROPERTIES,
                )
            ),
        )
        # The provider wants the app's UUID, not its name; taking it from the managed app (rather
        # than a `get_app` lookup) also orders these after the adoption.
        app_id = self.app.uuid
        for process, formation in sorted(config.formation.items()):
            # A formation always exists for a process type, so it is imported. Since Pulumi 3.174 an
            # import that differs is followed by an update: a wrong size or quantity here resizes
            # the live dynos on the first `up` (`cfinfra plan --against` and the preview show it).
            heroku.formation.Formation(
                f"{name}-{process}",
                app_id=app_id,
                type=process,
                size=formation.size.value,
                quantity=formation.quantity,
                opts=child.merge(
                    pulumi.ResourceOptions(import_=f"{name}:{process}", retain_on_delete=True)
                ),
            )
        if config.unconfirmed_vars:
            # One warning per app, with the fix: a reader must not see the same advice twice.
            unconfirmed = ", ".join(config.unconfirmed_vars)
            pulumi.log.warn(
                f"Heroku app {name}: {unconfirmed} left as set by hand (null under "
                f"cfinfra:heroku.apps.{name}.github_app_ids). To manage them, read each with "
                f"`heroku config:get VAR -a {name}` and put the id in the stack file.",
                resource=self,
            )
        sensitive_vars = {
            d.target.var: d.value for d in sorted(sensitive, key=lambda d: d.target.var)
        }
        heroku.app.ConfigAssociation(
            f"{name}-config",
            app_id=app_id,
            vars=config.plain_vars,
            sensitive_vars=sensitive_vars,
            opts=child.merge(pulumi.ResourceOptions(retain_on_delete=True)),
        )
        # The names, in clear, for the deploy guard: the state keeps `sensitive_vars` as one
        # secret, and dropping a key unsets it on the live app (docs/provider-behaviour.md).
        names = sorted({*config.plain_vars, *sensitive_vars})
        self.register_outputs({"uuid": app_id, "configVarNames": names})
