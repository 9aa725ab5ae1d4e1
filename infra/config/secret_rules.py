"""Rules on the secrets manifest, alone and against the stack: small named checks, each with a
one-line "Ensure ..." docstring.

Every rule runs and yields ``Problem``s; none stops the others. Rules never touch the network. They
are registered, with the parts of the data they read, in ``infra.config.rule_table``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator

from infra.config.audience import Audience
from infra.config.base import did_you_mean, repeats
from infra.config.github import (
    REPOSITORIES_DIR,
    WEBHOOKS_DIR,
    BypassKind,
    PusherKind,
    webhook_file,
)
from infra.config.lineage import reach
from infra.config.logins import login_key
from infra.config.manifest import (
    AzureProjectIdTarget,
    AzureVariableTarget,
    GitHubEnvironmentSecretTarget,
    GitHubOrgSecretTarget,
    GitHubWebhookSecretTarget,
    HerokuConfigVarTarget,
    ProviderCredentialTarget,
    SecretEntry,
    Target,
)
from infra.config.rule_inputs import Data
from infra.config.write_access import write_model
from infra.errors import Problem


def _targets(entries: Iterable[SecretEntry]) -> Iterator[tuple[SecretEntry, int, Target]]:
    for entry in entries:
        for i, target in enumerate(entry.secret.targets):
            yield entry, i, target


# --- rules on the manifest alone ------------------------------------------------------------------


def validate_unique_onepassword_reference(data: Data) -> Iterable[Problem]:
    """Ensure no 1Password vault/item/field is declared as two different secrets."""
    entries = data.secrets
    seen: dict[str, str] = {}
    for entry in entries:
        ref = entry.secret.onepassword.uri.lower()
        if ref in seen:
            yield Problem(
                entry.file,
                "onepassword",
                f"{entry.secret.onepassword.uri} is already declared by secret `{seen[ref]}`",
            )
        else:
            seen[ref] = entry.id


def validate_clearance_within_sensitivity(data: Data) -> Iterable[Problem]:
    """Ensure no secret is cleared for a wider audience than its sensitivity allows."""
    entries = data.secrets
    for entry in entries:
        s = entry.secret
        if s.cleared_for.wider_than(s.sensitivity.max_audience):
            yield Problem(
                entry.file,
                "cleared_for",
                f"a `{s.sensitivity}` secret may be cleared for `{s.sensitivity.max_audience}` "
                f"at most, not `{s.cleared_for}`",
            )


def _target_key(target: Target) -> Hashable:
    match target:
        case GitHubOrgSecretTarget(name=name):
            return ("github-org-secret", name)
        case GitHubEnvironmentSecretTarget(environment=env, name=name):
            return ("github-environment-secret", env, name)
        case GitHubWebhookSecretTarget(webhook=hook):
            return ("github-webhook-secret", hook)
        case AzureVariableTarget(project=p, group=g, variable=v):
            return ("azure-variable", p, g, v)
        case AzureProjectIdTarget(project=p):
            return ("azure-project-id", p)
        case HerokuConfigVarTarget(app=a, var=v):
            return ("heroku-config-var", a, v)
        case ProviderCredentialTarget(provider=p, host=h, input=i, environment=e):
            return ("provider-credential", p, h, i, e)
    raise AssertionError(target)  # pragma: no cover


def validate_unique_targets(data: Data) -> Iterable[Problem]:
    """Ensure every target is fed by one secret only.

    A target is an org secret name, a variable, a config var or a webhook.
    """
    entries = data.secrets
    first: dict[Hashable, tuple[SecretEntry, int]] = {}
    for entry, i, target in _targets(entries):
        key = _target_key(target)
        if key in first:
            other, j = first[key]
            where = "earlier in this file" if other is entry else f"by secret `{other.id}`"
            yield Problem(
                entry.file,
                f"targets[{i}]",
                f"{target.label} is already a target {where} (targets[{j}])",
            )
        else:
            first[key] = (entry, i)


def validate_unique_selected_repositories(data: Data) -> Iterable[Problem]:
    """Ensure a selected-visibility org secret lists each repository once."""
    entries = data.secrets
    for entry, i, target in _targets(entries):
        if isinstance(target, GitHubOrgSecretTarget):
            # GitHub names are case-insensitive
            for j, repo, _ in repeats(target.repositories, key=str.casefold):
                yield Problem(
                    entry.file, f"targets[{i}].repositories[{j}]", f"`{repo}` is listed twice"
                )


def validate_no_orphan_secrets(data: Data) -> Iterable[Problem]:
    """Ensure a secret delivered nowhere is at least rotated or documented.

    No orphan manifest entries.
    """
    entries = data.secrets
    issuers = _issuers(entries)
    for entry in entries:
        if entry.id in issuers:
            continue  # read by the rotation job itself (validate_rotation_issuers)
        if not entry.secret.targets and entry.secret.rotation.mode != "automatic":
            yield Problem(
                entry.file,
                "targets",
                "a secret with no targets must be rotated automatically "
                "(its consumer reads 1Password) or issue another secret's tokens; "
                "otherwise remove it from the manifest",
            )


def _issuers(entries: Iterable[SecretEntry]) -> set[str]:
    return {
        issuer
        for e in entries
        if e.secret.rotation.anaconda is not None
        for issuer in (e.secret.rotation.anaconda.issuer, e.secret.rotation.anaconda.issuer_api_key)
    }


def validate_rotation_issuers(data: Data) -> Iterable[Problem]:
    """Ensure an issuer credential exists, is delivered nowhere and is cleared for core only."""
    entries = data.secrets
    by_id = {e.id: e for e in entries}
    for entry in entries:
        anaconda = entry.secret.rotation.anaconda
        if anaconda is None:
            continue
        if anaconda.issuer == anaconda.issuer_api_key:
            yield Problem(
                entry.file,
                "rotation.anaconda.issuer_api_key",
                "the API key (Bearer, creates tokens) and the anaconda.org token (removes them) "
                "are two credentials: name two entries",
            )
        for key, issuer_id in (
            ("issuer", anaconda.issuer),
            ("issuer_api_key", anaconda.issuer_api_key),
        ):
            issuer = by_id.get(issuer_id)
            if issuer is None:
                yield Problem(
                    entry.file,
                    f"rotation.anaconda.{key}",
                    f"no secret `{issuer_id}` in the manifest" + did_you_mean(issuer_id, by_id),
                )
            elif issuer.id == entry.id:
                yield Problem(entry.file, f"rotation.anaconda.{key}", "a token cannot issue itself")
    for issuer_id in sorted(_issuers(entries)):
        issuer = by_id.get(issuer_id)
        if issuer is None:
            continue
        if issuer.secret.targets:
            yield Problem(
                issuer.file,
                "targets",
                "an issuer credential is read only by the rotation job: it takes no targets",
            )
        if issuer.secret.cleared_for is not Audience.CORE:
            yield Problem(
                issuer.file, "cleared_for", "an issuer credential is cleared for `core` only"
            )


def validate_anaconda_owner_is_channel(data: Data) -> Iterable[Problem]:
    """Ensure an anaconda.org token is rotated under the organisation of the channel its
    consumers use it for (minted, delivered and removed under the wrong owner, it would upload to
    the wrong channel and leave the old token valid)."""
    for entry in data.secrets:
        anaconda = entry.secret.rotation.anaconda
        if anaconda is None:
            continue
        for i, use in enumerate(anaconda.used_for):
            if use.channel.casefold() != anaconda.org.casefold():
                yield Problem(
                    entry.file,
                    f"rotation.anaconda.used_for[{i}].channel",
                    f"{use.consumer} uses this token for channel `{use.channel}`, but it is "
                    f"rotated under organisation `{anaconda.org}`: set `org: {use.channel}` "
                    "(one token per channel)",
                )


# --- rules on the manifest against the stack -----------------------------------------------------


def validate_targets_exist(data: Data) -> Iterable[Problem]:
    """Ensure every target names a repository, project, group, app or webhook the stack declares."""
    config = data.config
    entries = data.secrets
    stack_file = data.stack_file
    groups = {(g.project, g.name) for g in config.azure.variable_groups}
    for entry, i, target in _targets(entries):
        path = f"targets[{i}]"
        match target:
            case GitHubOrgSecretTarget(repositories=repos):
                declared = {n.casefold() for n in config.github.repositories}
                for j, repo in enumerate(repos):
                    if repo.casefold() not in declared:  # a case variant: see identity_rules
                        yield Problem(
                            entry.file,
                            f"{path}.repositories[{j}]",
                            f"`{repo}` is not a repository of {REPOSITORIES_DIR}/"
                            + did_you_mean(repo, config.github.repositories),
                        )
            case GitHubWebhookSecretTarget(webhook=hook) if hook not in config.github.webhooks:
                yield Problem(
                    entry.file,
                    f"{path}.webhook",
                    f"`{hook}` is not a webhook of {WEBHOOKS_DIR}/",
                )
            case GitHubEnvironmentSecretTarget(environment=env) if (
                env not in config.github.environments
            ):
                yield Problem(
                    entry.file,
                    f"{path}.environment",
                    f"`{env}` is not in {stack_file} cfinfra:github.environments",
                )
            case AzureVariableTarget(project=p, group=g) if (p, g) not in groups:
                yield Problem(
                    entry.file,
                    path,
                    f"variable group {p}/{g} is not in {stack_file} cfinfra:azure.variable_groups",
                )
            case AzureProjectIdTarget(project=p) if p not in config.azure.projects:
                yield Problem(
                    entry.file,
                    f"{path}.project",
                    f"`{p}` is not in {stack_file} cfinfra:azure.projects",
                )
            case HerokuConfigVarTarget(app=a) if a not in config.heroku.apps:
                yield Problem(
                    entry.file, f"{path}.app", f"`{a}` is not in {stack_file} cfinfra:heroku.apps"
                )


def validate_leak_guard(data: Data) -> Iterable[Problem]:
    """Ensure no secret reaches a wider audience than it is cleared for.

    This is the 2025 incident, refused.
    """
    config = data.config
    entries = data.secrets
    # Without the people files (they failed to load, so validation fails anyway; or a caller that
    # checks a translation) every repository keeps its declared audience.
    writers = write_model(config.github, data.loaded_people)
    for entry, i, target in _targets(entries):
        r = reach(target, config, writers)
        cleared = entry.secret.cleared_for
        if r.audience.wider_than(cleared):
            yield Problem(
                entry.file,
                f"targets[{i}]",
                f"LEAK: secret `{entry.id}` is cleared for `{cleared}` but {target.label} "
                f"reaches `{r.audience}`: {r.why}",
            )


def validate_webhooks(data: Data) -> Iterable[Problem]:
    """Ensure every webhook targets a known repository and verifies TLS.

    Also ensure it has exactly one signing secret.
    """
    config = data.config
    entries = data.secrets
    signed = {
        t.webhook for _, _, t in _targets(entries) if isinstance(t, GitHubWebhookSecretTarget)
    }
    for hook_id, hook in config.github.webhooks.items():
        file = webhook_file(hook_id)
        if hook.repository is not None and hook.repository.casefold() not in {
            n.casefold() for n in config.github.repositories
        }:
            yield Problem(
                file,
                "repository",
                f"`{hook.repository}` is not a repository of {REPOSITORIES_DIR}/"
                + did_you_mean(hook.repository, config.github.repositories),
            )
        if hook.insecure_ssl:
            yield Problem(file, "insecure_ssl", "webhooks must verify TLS")
        if hook_id not in signed:
            yield Problem(
                file,
                "",
                "no secret in secrets/ signs this webhook (add a `github-webhook-secret` target "
                "to the secret that signs it, or remove the webhook)",
            )


def validate_app_bypass_repositories(data: Data) -> Iterable[Problem]:
    """Ensure a GitHub App bypasses rulesets only on repositories this stack declares."""
    github = data.config.github
    for slug, app in sorted(github.rulesets.apps.items()):
        for i, repo in enumerate(app.repositories):
            if repo not in github.repositories:
                yield Problem(
                    data.stack_file,
                    f"config.cfinfra:github.rulesets.apps.{slug}.repositories[{i}]",
                    f"`{repo}` is not a repository of {REPOSITORIES_DIR}/"
                    + did_you_mean(repo, github.repositories),
                )


def validate_direct_pushers_can_bypass(data: Data) -> Iterable[Problem]:
    """Ensure no pull-request ruleset blocks an account that pushes straight to that branch.

    An App bypasses through its `rulesets.apps` entry (an `Integration` actor on the listed
    repositories). A user cannot be a ruleset's bypass actor (GitHub admits Apps, teams,
    repository roles and org admins only), so a user passes only as an org owner with an
    `organization-admin` bypass; any other needs `require_pull_request: false` (deletion and
    force pushes stay refused) or its pushes moved to an App.
    """
    github = data.config.github
    policy = github.rulesets
    owners_bypass = any(b.kind is BypassKind.ORGANIZATION_ADMIN for b in policy.bypass)
    owners = {p.key for p in data.people.owners}
    for name, repo in sorted(github.repositories.items()):
        if not repo.require_pull_request:
            continue
        for i, pusher in enumerate(repo.direct_pushers):
            where = f"{REPOSITORIES_DIR}/{name}.yaml"
            seen = pusher.seen
            if pusher.kind is PusherKind.APP:
                app = policy.apps.get(pusher.account)
                if app is None or name not in app.repositories:
                    yield Problem(
                        where,
                        f"direct_pushers[{i}]",
                        f"the App `{pusher.account}` {seen}, and the pull-request ruleset "
                        f"would refuse it: list `{name}` under "
                        f"cfinfra:github.rulesets.apps.{pusher.account}.repositories",
                    )
            elif not (owners_bypass and login_key(pusher.account) in owners):
                yield Problem(
                    where,
                    f"direct_pushers[{i}]",
                    f"the user `{pusher.account}` {seen}, and the pull-request ruleset would "
                    "refuse it: a user cannot be a bypass actor (only Apps, teams, roles and "
                    "org admins); set `require_pull_request: false` here, or move its pushes "
                    "to an App",
                )


def validate_azure(data: Data) -> Iterable[Problem]:
    """Ensure variable groups are unique, in known projects and non-empty.

    Also ensure every project that is used has an id.
    """
    config = data.config
    entries = data.secrets
    stack_file = data.stack_file
    with_id = {t.project for _, _, t in _targets(entries) if isinstance(t, AzureProjectIdTarget)}
    filled: dict[tuple[str, str], int] = defaultdict(int)
    for _, _, t in _targets(entries):
        if isinstance(t, AzureVariableTarget):
            filled[(t.project, t.group)] += 1
    seen: set[tuple[str, str]] = set()
    for i, group in enumerate(config.azure.variable_groups):
        path = f"config.cfinfra:azure.variable_groups[{i}]"
        key = (group.project, group.name)
        if key in seen:
            yield Problem(
                stack_file, path, f"variable group {group.project}/{group.name} is declared twice"
            )
        seen.add(key)
        if group.project not in config.azure.projects:
            yield Problem(stack_file, f"{path}.project", f"`{group.project}` is not in projects")
        elif group.project not in with_id:
            yield Problem(
                stack_file,
                f"{path}.project",
                f"no secret in secrets/ supplies the id of project `{group.project}` "
                "(add an `azure-project-id` target)",
            )
        if not filled[key]:
            yield Problem(
                stack_file,
                path,
                "no secret in secrets/ fills this variable group (add an `azure-variable` target, "
                "or remove the group)",
            )
