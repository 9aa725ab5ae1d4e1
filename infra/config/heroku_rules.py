"""Rules on the Heroku apps against the manifest (registered in ``infra.config.rules``)."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.manifest import HerokuConfigVarTarget, SecretEntry
from infra.config.stack import StackConfig
from infra.errors import Problem


def validate_heroku_vars_set_once(
    config: StackConfig, entries: list[SecretEntry], stack_file: str
) -> Iterable[Problem]:
    """Ensure no Heroku config var is both a manifest secret and a plain var (one would win)."""
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


HEROKU_RULES = (validate_heroku_vars_set_once,)
