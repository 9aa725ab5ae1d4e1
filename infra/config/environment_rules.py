"""Rules on deployment environments, the CI credentials in them and the AWS roles that trust them
(registered in ``infra.config.rule_table``)."""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.manifest import GitHubEnvironmentSecretTarget, GitHubOrgSecretTarget
from infra.config.rule_inputs import Data
from infra.errors import Problem


def validate_environments(data: Data) -> Iterable[Problem]:
    """Ensure every environment belongs to a declared repository."""
    config, stack_file = data.config, data.stack_file
    for name, env in config.github.environments.items():
        if env.repository not in config.github.repositories:
            yield Problem(
                stack_file,
                f"config.cfinfra:github.environments.{name}.repository",
                f"`{env.repository}` is not in cfinfra:github.repositories",
            )


def validate_environment_names_unique_per_repository(data: Data) -> Iterable[Problem]:
    """Ensure no two environments of one repository differ only in case.

    GitHub environment names are case-insensitive: `Production` *is* `production`, and whichever
    is applied last would set the one environment's protection rules.
    """
    first: dict[tuple[str, str], str] = {}
    for name, env in data.config.github.environments.items():
        key = (env.repository.casefold(), name.casefold())
        if key in first:
            yield Problem(
                data.stack_file,
                f"config.cfinfra:github.environments.{name}",
                f"`{name}` is environment `{first[key]}` of {env.repository}: GitHub environment "
                "names are case-insensitive, declare it once",
            )
        else:
            first[key] = name


def validate_ci_credentials_in_environments(data: Data) -> Iterable[Problem]:
    """Ensure a secret delivered to an environment goes nowhere else a workflow could read it.

    An environment secret is only as protected as its least protected copy: the same value in an
    org secret would reach every workflow of the selected repositories, on any branch, unapproved.
    """
    for entry in data.secrets:
        targets = entry.secret.targets
        if not any(isinstance(t, GitHubEnvironmentSecretTarget) for t in targets):
            continue
        for i, target in enumerate(targets):
            if isinstance(target, GitHubOrgSecretTarget):
                yield Problem(
                    entry.file,
                    f"targets[{i}]",
                    "a secret delivered to a deployment environment must not also be an org "
                    "secret (any branch of any selected repository could read it unapproved)",
                )


def validate_oidc_environments(data: Data) -> Iterable[Problem]:
    """Ensure each AWS role trusts a declared environment of the trusted repository, and that the
    deploy and rotation environments admit only the default branch and need a reviewer."""
    config, stack_file = data.config, data.stack_file
    if config.aws is None:
        return
    oidc = config.aws.github_oidc
    org, _, repo = oidc.repository.partition("/")
    base = "config.cfinfra:aws.github_oidc"
    roles = (
        ("read_only_environment", oidc.read_only_environment, False),
        ("deploy_environment", oidc.deploy_environment, True),
        ("rotation_environment", oidc.rotation_environment, True),
    )
    for key, name, must_protect in roles:
        env = config.github.environments.get(name)
        if env is None:
            yield Problem(
                stack_file,
                f"{base}.{key}",
                f"`{name}` is not in cfinfra:github.environments (the role would trust an "
                "environment nobody declares, with protection rules nobody reviews)",
            )
            continue
        if (config.github.org, env.repository) != (org, repo):
            yield Problem(
                stack_file,
                f"{base}.{key}",
                f"environment `{name}` belongs to {config.github.org}/{env.repository}, "
                f"not to {oidc.repository}",
            )
        if must_protect and (env.branches != [oidc.default_branch] or not env.protected):
            yield Problem(
                stack_file,
                f"config.cfinfra:github.environments.{name}",
                f"`{name}` holds write credentials: it must admit only "
                f"`branches: [{oidc.default_branch}]`, need `reviewers` and not let admins bypass",
            )
