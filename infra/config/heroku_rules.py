"""Rules on the Heroku apps against the manifest (registered in ``infra.config.rule_table``)."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.manifest import HerokuConfigVarTarget
from infra.config.rule_inputs import Data
from infra.errors import Problem


def validate_heroku_vars_set_once(data: Data) -> Iterable[Problem]:
    """Ensure no Heroku config var is both a manifest secret and a plain var (one would win)."""
    config = data.config
    entries = data.secrets
    stack_file = data.stack_file
    for entry in entries:
        for i, target in enumerate(entry.secret.targets):
            if not isinstance(target, HerokuConfigVarTarget):
                continue
            app = config.heroku.apps.get(target.app)
            if app is not None and target.var in {*app.vars, *app.github_app_ids}:
                yield Problem(
                    entry.file,
                    f"targets[{i}].var",
                    f"`{target.var}` is also a plain var of app `{target.app}` in {stack_file}",
                )
