"""The stack configuration as the Pulumi engine hands it to the program, and how the offline plan
hands over ``Pulumi.<stack>.yaml`` the same way.

In a real run the engine merges and decrypts the stack's configuration (``Pulumi.<stack>.yaml``,
``--config`` flags, ``pulumi config set --path``, ESC environments) and the language host passes
it to the program through the runtime (``PULUMI_CONFIG``, then ``pulumi.runtime.set_all_config``).
Object values arrive JSON-encoded, as ``pulumi.Config.get_object`` reads them. The program
validates exactly that mapping; the offline plan feeds the runtime from the stack file first, so
both read it one way.

And the run's environment (``CFINFRA_ENVIRONMENT``): which of the manifest's provider credentials
a real run uses, read here for the program and the commands that read its preview alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.config.loader import Project, stack_file_name
from infra.config.manifest import SecretEntry
from infra.config.yamlio import display_path, load_yaml
from infra.errors import ConfigError, Problem


def _decode(value: Any) -> Any:
    """A config value as the engine sends it: objects and lists JSON-encoded, scalars as text."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, dict | list) else value
    return value


def config_from_runtime(stack: str) -> tuple[dict[str, Any], list[Problem]]:
    """Every key the runtime holds (``ns:key`` → decoded value), and the problems with it.

    Stack config holds no secret: values come from 1Password through the manifest. A key the engine
    marks secret (`secure:` in the stack file, `pulumi config set --secret`, an ESC secret) is
    refused without its value being looked at, so it can never reach a clear-text input.
    """
    from pulumi.runtime import config as runtime

    keys = set(runtime.CONFIG.get()) | set(runtime.get_config_env())
    secret = {k for k in keys if runtime.is_config_secret(k)}
    secret |= keys & set(runtime.get_config_secret_keys_env())
    problems = [
        Problem(
            stack_file_name(stack),
            f"config.{key}",
            "is a secret in the stack configuration: secrets come from 1Password through "
            "secrets/, never from stack config",
        )
        for key in sorted(secret)
    ]
    values = {k: _decode(runtime.get_config(k)) for k in sorted(keys - secret)}
    return values, problems


def feed_runtime(config: Mapping[str, Any]) -> None:
    """Hand ``config`` (a stack file's ``config:`` mapping) to the runtime as the engine does."""
    import pulumi

    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    pulumi.runtime.set_all_config(encoded, [])


def read_stack_file_config(root: Path, stack: str) -> dict[str, Any]:
    """The ``config:`` mapping of ``Pulumi.<stack>.yaml``, unvalidated (the program validates it).

    Raises ``ConfigError`` when there is no usable mapping to hand over at all.
    """
    path = root / stack_file_name(stack)
    shown = display_path(path, root)
    if not path.is_file():
        raise ConfigError([Problem(shown, "", f"no stack file for stack `{stack}`")])
    data, problems = load_yaml(path, root)
    if problems:
        raise ConfigError(problems)
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([Problem(shown, "config", "the stack file needs a `config:` mapping")])
    return config


# --------------------------------------------------------------------------------------------------
# The run's environment


RUN_ENVIRONMENT = "CFINFRA_ENVIRONMENT"
"""The deployment environment a real run is in, as its workflow states it: the read-only one
(`read-only`) makes the providers authenticate with the read-only credentials; unset or the deploy
environment, the deploy's. The choice grants nothing: the environment's own 1Password account
decides what resolves (a read-only run's account cannot read the deploy's write credentials)."""


def stated_environment(env: Mapping[str, str]) -> str | None:
    """The environment the run's workflow states (``CFINFRA_ENVIRONMENT``), None when unset.

    The one reader of the variable: the program and the commands that read a read-only run's
    preview (``drift-report``, ``drift-triage``, ``verify-preview``) ask here, and
    ``run_environment`` checks the answer against the stack; nothing guesses it."""
    return env.get(RUN_ENVIRONMENT) or None


def run_environments(project: Project) -> tuple[str, str]:
    """The deploy environment's name and the read-only one's (``StackConfig.run_environments``)."""
    return project.config.run_environments


def run_environment(project: Project, stated: str | None) -> str | None:
    """The manifest's `environment` of the provider credentials this run resolves: None for the
    deploy, the read-only environment's name for a read-only run. Anything else is refused."""
    deploy, read_only = run_environments(project)
    if stated in (None, "", deploy):
        return None
    if stated == read_only:
        return read_only
    raise ConfigError(
        [
            Problem(
                RUN_ENVIRONMENT,
                "",
                f"`{stated}` is neither the deploy environment `{deploy}` nor the read-only "
                f"environment `{read_only}`",
            )
        ]
    )


def readable_by_run(
    project: Project, environment: str | None
) -> tuple[str, tuple[SecretEntry, ...], tuple[str, ...]]:
    """The run's account (the GitHub environment whose 1Password service account it uses), the
    manifest entries that account reads, and the vaults of the others.

    From the environment's ``onepassword_vaults``: a read-only account that cannot read the
    deploy's vault is the design, so the tools that read items with it (``preflight``,
    ``rotation status``) leave those items out and say so, instead of calling them missing.
    Where the environment declares no vaults, it reads every entry."""
    deploy, _ = run_environments(project)
    account = environment or deploy
    envs = {n.casefold(): e for n, e in project.config.github.environments.items()}
    declared = envs[account.casefold()].onepassword_vaults if account.casefold() in envs else None
    if declared is None:
        return account, tuple(project.secrets), ()
    reads = {v.casefold() for v in declared}
    entries = tuple(e for e in project.secrets if e.secret.onepassword.vault.casefold() in reads)
    vaults = {e.secret.onepassword.vault for e in project.secrets}
    return account, entries, tuple(sorted(vaults - {e.secret.onepassword.vault for e in entries}))
