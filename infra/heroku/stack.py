"""Everything this stack declares in Heroku."""

from __future__ import annotations

import pulumi
import pulumiverse_heroku as heroku

from infra.config.loader import Project
from infra.config.manifest import HerokuConfigVarTarget, ProviderKind
from infra.deliveries import SecretValues
from infra.heroku.app import HerokuApp


def declare_heroku(project: Project, values: SecretValues) -> None:
    provider = heroku.Provider(
        "heroku",
        # The API key from the manifest, passed explicitly: never HEROKU_API_KEY or ~/.netrc.
        api_key=values.credential(ProviderKind.HEROKU)["api_key"],
        # The provider's default copies *every* config var of an app (hand-set ones, add-on
        # URLs) into the App's `all_config_vars`, hence into Pulumi state, which holds manifest
        # secrets only (docs/provider-behaviour.md). Off: state holds the managed vars alone.
        customizations=[heroku.ProviderCustomizationArgs(set_app_all_config_vars_in_state=False)],
    )
    deliveries = list(values.of(HerokuConfigVarTarget))
    for app_name, app_cfg in sorted(project.config.heroku.apps.items()):
        sensitive = [d for d in deliveries if d.target.app == app_name]
        HerokuApp(app_name, app_cfg, sensitive, opts=pulumi.ResourceOptions(provider=provider))
