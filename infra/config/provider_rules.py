"""Rules on the providers' own credentials: each provider the program builds gets exactly one
complete credential from the manifest (``provider-credential`` targets), so a real run never falls
back to environment variables, ``gh auth token`` or anonymous access. Registered in
``infra.config.rule_table``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from infra.config.audience import Audience, Sensitivity
from infra.config.manifest import (
    CREDENTIAL_SETS,
    CredentialAccess,
    CredentialKind,
    ProviderCredentialTarget,
    ProviderKind,
    SecretEntry,
)
from infra.config.rule_inputs import Data
from infra.config.runners import HostKind
from infra.errors import Problem

_Key = tuple[ProviderKind, str | None, str | None]
"""(provider, OpenStack host, run environment: None for the deploy)."""
_Given = dict[_Key, list[tuple[SecretEntry, int, str]]]

# Where each always-built provider is configured in the stack file (for messages).
_STACK_KEY = {
    ProviderKind.GITHUB: "config.cfinfra:github",
    ProviderKind.AZUREDEVOPS: "config.cfinfra:azure",
    ProviderKind.HEROKU: "config.cfinfra:heroku",
}


def _given(entries: Iterable[SecretEntry]) -> _Given:
    given: _Given = defaultdict(list)
    for entry in entries:
        for i, target in enumerate(entry.secret.targets):
            if isinstance(target, ProviderCredentialTarget):
                given[(target.provider, target.host, target.environment)].append(
                    (entry, i, target.input)
                )
    return given


def _sets_text(provider: ProviderKind) -> str:
    return " or ".join("{" + ", ".join(sorted(s)) + "}" for s in CREDENTIAL_SETS[provider])


def _check(key: _Key, file: str, path: str, given: _Given) -> Iterable[Problem]:
    provider, host, run = key
    inputs = frozenset(name for _, _, name in given.get(key, ()))
    what = f"the {provider} provider" + (f" of host `{host}`" if host else "")
    what += f" in `{run}` runs" if run else ""
    if not inputs:
        yield Problem(
            file,
            path,
            f"no manifest secret authenticates {what}: add `provider-credential` targets "
            f"for {_sets_text(provider)} (a real run never falls back to the environment)",
        )
    elif inputs not in CREDENTIAL_SETS[provider]:
        entry, i, _ = given[key][0]
        yield Problem(
            entry.file,
            f"targets[{i}]",
            f"{what} gets {{{', '.join(sorted(inputs))}}}: give exactly one of "
            f"{_sets_text(provider)}",
        )


def run_environments(data: Data) -> tuple[str, str]:
    """The deploy environment and the read-only environment (``StackConfig.run_environments``)."""
    return data.config.run_environments


def validate_provider_credentials(data: Data) -> Iterable[Problem]:
    """Ensure the GitHub, Azure DevOps and Heroku providers each get exactly one complete
    credential from the manifest for the deploy, and one for read-only runs."""
    given = _given(data.secrets)
    _, read_only = run_environments(data)
    for provider, path in _STACK_KEY.items():
        for run in (None, read_only):
            yield from _check((provider, None, run), data.stack_file, path, given)


def validate_openstack_credentials(data: Data) -> Iterable[Problem]:
    """Ensure every current OpenStack host's provider gets a complete application credential from
    the manifest, and no credential names a host that is not current."""
    given = _given(data.secrets)
    current = {
        e.id: e.file
        for e in data.runners.hosts
        if e.host.kind is HostKind.OPENSTACK and e.host.decommissioned is None
    }
    _, read_only = run_environments(data)
    for host, file in sorted(current.items()):
        for run in (None, read_only):
            yield from _check((ProviderKind.OPENSTACK, host, run), file, "openstack", given)
    for (provider, named, _run), uses in sorted(given.items(), key=lambda kv: str(kv[0])):
        if provider is ProviderKind.OPENSTACK and named not in current:
            entry, i, _ = uses[0]
            yield Problem(
                entry.file,
                f"targets[{i}].host",
                f"`{named}` is not a current OpenStack host of the runner data",
            )


def validate_provider_credentials_stay_with_their_provider(data: Data) -> Iterable[Problem]:
    """Ensure a provider credential is `critical`, cleared for `core` and delivered to its
    provider only.

    It administers a whole service (the GitHub one is an org owner's): relabelling it, or sharing
    it through an org secret or a variable group, would hand the service to whoever reads those.
    """
    for entry in data.secrets:
        targets = entry.secret.targets
        providers = [t for t in targets if isinstance(t, ProviderCredentialTarget)]
        if not providers:
            continue
        first = providers[0]
        what = f"a credential of the {first.provider} provider"
        if entry.secret.sensitivity is not Sensitivity.CRITICAL:
            yield Problem(entry.file, "sensitivity", f"{what} is always `critical`")
        if entry.secret.cleared_for is not Audience.CORE:
            yield Problem(entry.file, "cleared_for", f"{what} is cleared for `core` only")
        for i, target in enumerate(targets):
            if not isinstance(target, ProviderCredentialTarget):
                yield Problem(
                    entry.file,
                    f"targets[{i}]",
                    f"{what} is delivered to its provider and nowhere else, not to {target.label}",
                )
            elif (target.provider, target.host) != (first.provider, first.host):
                yield Problem(
                    entry.file,
                    f"targets[{i}]",
                    f"{what} authenticates one provider: not also {target.label}",
                )


# The credential kind each provider input holds: its expiry is then watched (`rotation status`,
# `cfinfra preflight`) instead of silently counting as an opaque value.
PROVIDER_INPUT_KINDS: dict[tuple[ProviderKind, str], frozenset[CredentialKind]] = {
    (ProviderKind.GITHUB, "token"): frozenset(
        {CredentialKind.GITHUB_TOKEN, CredentialKind.GITHUB_FINE_GRAINED_TOKEN}
    ),
    (ProviderKind.GITHUB, "app_auth.pem_file"): frozenset({CredentialKind.GITHUB_APP_PRIVATE_KEY}),
    (ProviderKind.AZUREDEVOPS, "personal_access_token"): frozenset(
        {CredentialKind.AZURE_DEVOPS_PAT}
    ),
    (ProviderKind.HEROKU, "api_key"): frozenset({CredentialKind.HEROKU_API_KEY}),
}


def validate_provider_credential_kinds(data: Data) -> Iterable[Problem]:
    """Ensure a provider credential says what kind of credential it is (`credential_kind`), so
    its expiry is watched: a PAT, a token or a Heroku key never counts as opaque."""
    for entry in data.secrets:
        for target in entry.secret.targets:
            if not isinstance(target, ProviderCredentialTarget):
                continue
            allowed = PROVIDER_INPUT_KINDS.get((target.provider, target.input))
            if allowed and entry.secret.credential_kind not in allowed:
                kinds = " or ".join(f"`{k}`" for k in sorted(allowed))
                yield Problem(
                    entry.file,
                    "credential_kind",
                    f"the {target.provider} provider's `{target.input}` is a {kinds}: set "
                    f"`credential_kind` (now `{entry.secret.credential_kind}`)",
                )


def validate_read_only_runs_hold_read_only_credentials(data: Data) -> Iterable[Problem]:
    """Ensure read-only runs authenticate every provider with a credential that can read and not
    write, and that the deploy's write credentials are readable only by the deploy environment's
    1Password account.

    A preview never writes, yet any step of a job in the read-only environment could use what the
    run resolved. Where environments declare the vaults their 1Password account reads, a write
    credential's vault must be one only the deploy environment's account reads, and every
    credential's vault one its own run's account reads.
    """
    deploy, read_only = run_environments(data)
    envs = data.config.github.environments
    for entry in data.secrets:
        for i, target in enumerate(entry.secret.targets):
            if not isinstance(target, ProviderCredentialTarget):
                continue
            path = f"targets[{i}]"
            if target.environment not in (None, read_only):
                yield Problem(
                    entry.file,
                    f"{path}.environment",
                    f"`{target.environment}` runs no program: a provider credential is for the "
                    f"deploy (omit `environment`) or for `{read_only}` runs",
                )
                continue
            reads = target.environment == read_only
            if reads and target.access is not CredentialAccess.READ:
                yield Problem(
                    entry.file,
                    f"{path}.access",
                    f"a credential of `{read_only}` runs can read and not write: create it "
                    "read-only on the service and declare `access: read`",
                )
            if not reads and target.access is not CredentialAccess.WRITE:
                yield Problem(
                    entry.file,
                    f"{path}.access",
                    "the deploy writes: its credential is `access: write` (a read-only "
                    f"one belongs to `{read_only}` runs: `environment: {read_only}`)",
                )
            vault = entry.secret.onepassword.vault
            run = read_only if reads else deploy
            granted = next(
                (e.onepassword_vaults for n, e in envs.items() if n.casefold() == run.casefold()),
                None,
            )
            if granted is not None and vault.casefold() not in {v.casefold() for v in granted}:
                yield Problem(
                    entry.file,
                    "onepassword.vault",
                    f"`{run}` runs resolve this credential, but their 1Password account reads "
                    f"only {', '.join(f'`{v}`' for v in granted)}: the run could not resolve it",
                )
            if target.access is CredentialAccess.WRITE:
                readers = sorted(
                    n
                    for n, e in envs.items()
                    if n != deploy and vault in (e.onepassword_vaults or [])
                )
                if readers:
                    yield Problem(
                        entry.file,
                        "onepassword.vault",
                        f"a write credential is readable only by the `{deploy}` environment's "
                        f"1Password account, but the accounts of {', '.join(readers)} read vault "
                        f"`{vault}`: keep write credentials in a vault only `{deploy}` reads",
                    )
