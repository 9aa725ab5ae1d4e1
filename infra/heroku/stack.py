"""Everything this stack declares in Heroku."""

from __future__ import annotations

import pulumi
import pulumiverse_heroku as heroku

from infra.config.loader import Project
from infra.config.manifest import HerokuConfigVarTarget
from infra.deliveries import SecretValues
from infra.heroku.app import HerokuApp


def declare_heroku(project: Project, values: SecretValues) -> None:
    provider = heroku.Provider("heroku")
    deliveries = list(values.of(HerokuConfigVarTarget))
    for app_name, app_cfg in sorted(project.config.heroku.apps.items()):
        sensitive = [d for d in deliveries if d.target.app == app_name]
        HerokuApp(app_name, app_cfg, sensitive, opts=pulumi.ResourceOptions(provider=provider))
