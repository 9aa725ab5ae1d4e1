"""Rules that tie names to the identities the services act on.

The leak guard reasons about names; the services act on identities. Where the two can differ, a
rule here makes them agree, so the audience the guard computes is the audience of what is acted on:

- GitHub compares repository names, logins and team slugs case-insensitively: `Staged-Recipes` *is*
  `staged-recipes`. Every GitHub name is declared once ignoring case, and referenced with the
  spelling it was declared with.
- A secret's identity is its 1Password item and field, so the manifest id names the item: pointing
  an entry at another item means renaming the entry with it (and the pull-request diff shows a
  removed and an added secret with their clearances, not an invisible swap).
- An Azure DevOps project's audience comes from its key, the project acted on from the id a
  1Password item holds. So an id source serves exactly one project: a project-id secret has that
  one target, and no two projects read their ids from one item (whatever the field). Two project
  keys can then never resolve to one project through this manifest.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.github import repository_file, webhook_file
from infra.config.manifest import AzureProjectIdTarget, GitHubOrgSecretTarget
from infra.config.people import CORE
from infra.config.rule_inputs import Data
from infra.errors import Problem


def github_key(name: str) -> str:
    """How GitHub compares repository names, logins and team slugs."""
    return name.casefold()


def validate_repository_names_unique_ignoring_case(data: Data) -> Iterable[Problem]:
    """Ensure no two repositories differ only in case (GitHub names are case-insensitive)."""
    first: dict[str, str] = {}
    for name in data.config.github.repositories:
        key = github_key(name)
        if key in first:
            yield Problem(
                repository_file(name),
                "",
                f"`{name}` is `{first[key]}`: GitHub repository names are case-insensitive, "
                "declare it once",
            )
        else:
            first[key] = name


def validate_repository_references_spelled_as_declared(data: Data) -> Iterable[Problem]:
    """Ensure a repository is referenced with the spelling it is declared with."""
    declared: dict[str, str] = {}
    for name in data.config.github.repositories:
        declared.setdefault(github_key(name), name)

    def check(name: str) -> str | None:
        spelled = declared.get(github_key(name))
        if spelled is not None and spelled != name:
            return (
                f"`{name}` is repository `{spelled}` (GitHub names are case-insensitive): "
                f"write `{spelled}` as declared"
            )
        return None

    for entry in data.secrets:
        for i, target in enumerate(entry.secret.targets):
            if not isinstance(target, GitHubOrgSecretTarget):
                continue
            for j, repo in enumerate(target.repositories):
                if why := check(repo):
                    yield Problem(entry.file, f"targets[{i}].repositories[{j}]", why)
    for hook_id, hook in data.config.github.webhooks.items():
        if hook.repository is not None and (why := check(hook.repository)):
            yield Problem(webhook_file(hook_id), "repository", why)
    for env_name, env in data.config.github.environments.items():
        if why := check(env.repository):
            path = f"config.cfinfra:github.environments.{env_name}.repository"
            yield Problem(data.stack_file, path, why)
    runners = data.config.runners
    if runners is not None and (why := check(runners.cirun_repository)):
        yield Problem(data.stack_file, "config.cfinfra:runners.cirun_repository", why)


def validate_secret_id_names_its_item(data: Data) -> Iterable[Problem]:
    """Ensure each manifest id names its 1Password item (`<item>` or `<item>-<field words>`)."""
    for entry in data.secrets:
        item = entry.secret.onepassword.item.casefold()
        if entry.id == item or entry.id.startswith(f"{item}-"):
            continue
        yield Problem(
            entry.file,
            "onepassword.item",
            f"secret `{entry.id}` reads 1Password item `{entry.secret.onepassword.item}`: a "
            "secret's identity is its item, so the file is named after it "
            f"(`{item}.yaml`, or `{item}-<field>.yaml` when the item holds several): to point an "
            "entry at another item, rename the entry with it",
        )


def validate_core_team_not_empty(data: Data) -> Iterable[Problem]:
    """Ensure the core team has members (an empty core leaves nobody to review or administer)."""
    core = data.people.teams.get(CORE)
    if core is not None and not core.members:
        yield Problem(core.file, "", "the core team has no members")


def validate_project_id_serves_one_project(data: Data) -> Iterable[Problem]:
    """Ensure a secret holding an Azure project's id supplies that one project and nothing else."""
    for entry in data.secrets:
        targets = entry.secret.targets
        first = next(
            (t for t in targets if isinstance(t, AzureProjectIdTarget)),
            None,
        )
        if first is None or len(targets) == 1:
            continue
        for i, target in enumerate(targets):
            if target is not first:
                yield Problem(
                    entry.file,
                    f"targets[{i}]",
                    f"secret `{entry.id}` holds the id of project `{first.project}`: an id source "
                    "supplies the id of exactly one project and is delivered nowhere else (a "
                    "second key reading it would act on that project under another audience)",
                )


def validate_project_ids_from_distinct_items(data: Data) -> Iterable[Problem]:
    """Ensure no two Azure projects take their ids from one 1Password item (whatever the field)."""
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in data.secrets:
        projects = [t.project for t in entry.secret.targets if isinstance(t, AzureProjectIdTarget)]
        if not projects:
            continue
        ref = entry.secret.onepassword
        key = (ref.vault.casefold(), ref.item.casefold())
        if key in first and first[key][1] != projects[0]:
            other, project = first[key]
            yield Problem(
                entry.file,
                "onepassword",
                f"item `{ref.vault}/{ref.item}` already holds the id of project `{project}` "
                f"(secret `{other}`): one item, one project",
            )
        else:
            first.setdefault(key, (entry.id, projects[0]))
