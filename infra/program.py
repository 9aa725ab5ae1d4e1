"""The Pulumi program: validated configuration in, resources out.

``declare`` is what both ``pulumi up`` (through ``infra/__main__.py``) and the offline plan run.
The only difference between the two is the secret source handed in: 1Password for real runs,
placeholders for the offline plan. Nothing is declared until configuration is valid and every
secret has resolved.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pulumi

from infra.aws.stack import declare_aws
from infra.azure.stack import declare_azure
from infra.config.loader import Project, load_project
from infra.config.manifest import ProviderCredentialTarget, SecretEntry
from infra.deliveries import SecretValues
from infra.errors import ConfigError, SecretSourceError
from infra.github.ambient import ambient_problems
from infra.github.stack import declare_github
from infra.heroku.stack import declare_heroku
from infra.runners.stack import declare_runners
from infra.runtime_config import RUN_ENVIRONMENT, run_environment, stated_environment
from infra.sources import SecretSource

__all__ = ["RUN_ENVIRONMENT", "declare", "main", "run", "run_environment", "stated_environment"]


def _resolved_in(entry: SecretEntry, environment: str | None) -> bool:
    """Whether a run of ``environment`` resolves ``entry``: every delivered secret, except the
    provider credentials of the other kind of run."""
    targets = entry.secret.targets
    credentials = [t for t in targets if isinstance(t, ProviderCredentialTarget)]
    if credentials and len(credentials) == len(targets):
        return any(t.environment == environment for t in credentials)
    return bool(targets)


def declare(project: Project, source: SecretSource, environment: str | None = None) -> None:
    """Resolve every secret, then declare every resource of the stack, one domain at a time.

    Each domain creates its own explicit provider; nothing relies on ambient provider configuration.
    ``environment`` is the run's (``run_environment``): None for the deploy.
    """
    # Resolve first: a missing 1Password item must stop the run before anything is declared.
    # Only delivered secrets: one with no targets (an issuer credential, a key its consumer reads
    # from 1Password) is never read by `pulumi up`; nor is the other run's provider credential.
    values = SecretValues(
        project,
        source.resolve_all(
            e.secret.onepassword for e in project.secrets if _resolved_in(e, environment)
        ),
        environment,
    )
    github_provider = declare_github(project, values)
    declare_azure(project, values)
    declare_heroku(project, values)
    declare_aws(project)
    declare_runners(project, github_provider, values)


def project_root() -> Path:
    """The directory holding ``Pulumi.yaml``, as the runtime knows it.

    The engine runs the program with ``infra/`` as working directory (``main: infra/``), so the
    working directory is never the answer. The language host passes the root in the runtime
    settings; without it (older CLIs, mocks) the package's own location stands in.
    """
    root = pulumi.get_root_directory()
    return Path(root) if root else Path(__file__).resolve().parent.parent


def run(
    source_for: Callable[[Project], SecretSource],
    environment: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Project:
    """The program body, run the same way by ``pulumi up`` and by the offline plan.

    The stack configuration is the one the engine handed over through the runtime (the offline plan
    feeds it from ``Pulumi.<stack>.yaml`` first), validated with every problem listed at once before
    anything is declared. ``source_for`` gives the secret source for the validated project.
    ``env``, for a real run, is the process environment the providers will read: a variable that
    would retarget one of them stops the run (the offline plan talks to no provider).
    """
    from infra.runtime_config import config_from_runtime

    stack = pulumi.get_stack()
    config, problems = config_from_runtime(stack)
    try:
        project = load_project(project_root(), stack, engine_config=config)
    except ConfigError as exc:
        raise ConfigError([*problems, *exc.problems]) from None
    if env is not None:
        problems += ambient_problems(project.config.github.org, env)
    if problems:
        raise ConfigError(problems)
    declare(project, source_for(project), run_environment(project, environment))
    return project


def main() -> None:
    """Entry point for ``pulumi preview``/``up``: 1Password only, never the offline source."""
    from infra.sources.onepassword import OnePasswordSource

    try:
        # The items' clearance tags are checked before any value is resolved.
        project = run(
            lambda loaded: OnePasswordSource(clearances=loaded.secrets),
            stated_environment(os.environ),
            env=dict(os.environ),
        )
        # Which commit this update deploys: the next deploy's reviewed change set starts there
        # (docs/pipeline.md). Every successful `up` advances it, a hand-run one included.
        from infra.deployment import RECORD_OUTPUT, deployment_record

        pulumi.export(RECORD_OUTPUT, deployment_record(project.root))
    except (ConfigError, SecretSourceError) as exc:
        # RunError prints its message without a Python traceback and fails the update.
        raise pulumi.RunError(str(exc)) from None
