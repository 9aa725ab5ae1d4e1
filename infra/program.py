"""The Pulumi program: validated configuration in, resources out.

``declare`` is what both ``pulumi up`` (through ``infra/__main__.py``) and the offline plan run.
The only difference between the two is the secret source handed in: 1Password for real runs,
placeholders for the offline plan. Nothing is declared until configuration is valid and every
secret has resolved.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from infra.config.loader import Project, load_project
from infra.deliveries import SecretValues
from infra.errors import ConfigError, SecretSourceError
from infra.sources import SecretSource


def declare(project: Project, source: SecretSource) -> None:
    """Resolve every secret, then declare every resource of the stack, one domain at a time.

    Each domain creates its own explicit provider; nothing relies on ambient provider configuration.
    """
    from infra.aws.stack import declare_aws
    from infra.azure.stack import declare_azure
    from infra.github.stack import declare_github
    from infra.heroku.stack import declare_heroku
    from infra.runners.stack import declare_runners

    # Resolve first: a missing 1Password item must stop the run before anything is declared.
    # Only delivered secrets: one with no targets (an issuer credential, a key its consumer reads
    # from 1Password) is never read by `pulumi up`.
    values = SecretValues(
        project,
        source.resolve_all(e.secret.onepassword for e in project.secrets if e.secret.targets),
    )
    github_provider = declare_github(project, values)
    declare_azure(project, values)
    declare_heroku(project, values)
    declare_aws(project)
    declare_runners(project, github_provider)


def main() -> None:
    """Entry point for ``pulumi preview``/``up``: 1Password only, never the offline source."""
    from infra.sources.onepassword import OnePasswordSource

    try:
        # The engine runs the program from the project directory, where Pulumi.<stack>.yaml lives.
        project = load_project(Path.cwd(), pulumi.get_stack())
        # The items' clearance tags are checked before any value is resolved.
        declare(project, OnePasswordSource(clearances=project.secrets))
        # Which commit this update deploys: the next deploy's reviewed change set starts there
        # (docs/pipeline.md). Every successful `up` advances it, a hand-run one included.
        from infra.deployment import RECORD_OUTPUT, deployment_record

        pulumi.export(RECORD_OUTPUT, deployment_record(Path.cwd()))
    except (ConfigError, SecretSourceError) as exc:
        # RunError prints its message without a Python traceback and fails the update.
        raise pulumi.RunError(str(exc)) from None
