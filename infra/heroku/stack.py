"""Everything this stack declares in Heroku."""

from __future__ import annotations

import pulumi
import pulumiverse_heroku as heroku

from infra.config.loader import Project
from infra.config.manifest import HerokuConfigVarTarget, ProviderKind
from infra.deliveries import SecretValues
from infra.heroku.app import HerokuApp


def declare_heroku(project: Project, values: SecretValues) -> None:
    # The API key from the manifest, passed explicitly: never HEROKU_API_KEY or ~/.netrc.
    provider = heroku.Provider("heroku", api_key=values.credential(ProviderKind.HEROKU)["api_key"])
    deliveries = list(values.of(HerokuConfigVarTarget))
    for app_name, app_cfg in sorted(project.config.heroku.apps.items()):
        sensitive = [d for d in deliveries if d.target.app == app_name]
        HerokuApp(app_name, app_cfg, sensitive, opts=pulumi.ResourceOptions(provider=provider))
