"""The answers, as plain data (the CLI prints them as a table or as JSON).

Nothing here talks to a service: the answers are what the data files say, which is what
``pulumi up`` makes true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.config.audience import Audience
from infra.config.base import did_you_mean
from infra.config.lineage import reach
from infra.config.loader import Project
from infra.config.logins import KnownLogins, login_key, same_login
from infra.config.manifest import GitHubEnvironmentSecretTarget, GitHubOrgSecretTarget
from infra.config.write_access import WriteModel


class UnknownName(LookupError):
    """A name that is not in the data; the message suggests close ones."""

    def __init__(self, kind: str, name: str, known: list[str]):
        super().__init__(f"no {kind} `{name}`{did_you_mean(name, known)}")


@dataclass(frozen=True)
class TargetReach:
    target: str
    audience: str
    why: str


@dataclass(frozen=True)
class RepositoryWriterList:
    """Everyone who can write one repository a secret is delivered to (so can run a workflow
    that reads it), each with how: the leak guard's repository-write model."""

    repository: str
    writers: list[dict[str, str]]
    """``{"login": ..., "through": "org owner" | "core (admin)" | ...}``, sorted by login."""


@dataclass(frozen=True)
class SecretReaders:
    """Who can read one secret: per target, the audience and why; overall, the widest."""

    secret: str
    sensitivity: str
    cleared_for: str
    reaches: str
    """The widest audience any target reaches (``nobody`` when it is delivered nowhere)."""
    targets: list[TargetReach]
    core_people: list[str]
    """The people of the narrowest audience, `core` (org owners and conda-forge/core members),
    who can read every delivered secret."""
    repository_writers: list[RepositoryWriterList] = field(default_factory=list)
    """Per GitHub repository the secret is delivered to (selected repositories, an
    environment's repository): who can write it, so can read the secret."""


@dataclass(frozen=True)
class LabelUsers:
    """Which feedstocks (and, within them, which people) can run jobs on one runner label."""

    label: str
    cloud: str
    current: bool
    grants: list[dict[str, Any]]


@dataclass(frozen=True)
class PersonAccess:
    login: str
    owner: bool
    member: bool
    teams: list[dict[str, str]]
    audience: str
    """The narrowest audience the person belongs to (what they can read follows from it)."""
    readable_secrets: list[str]
    runner_grants: list[dict[str, Any]] = field(default_factory=list)
    writable_repositories: list[dict[str, str]] = field(default_factory=list)
    """``{"repository": ..., "through": ...}``: the leak guard's repository-write model."""


def _core_logins(project: Project) -> list[str]:
    people = project.people
    if people is None:
        return []
    logins = {p.login for p in people.owners}
    core = people.teams.get("core")
    if core is not None:
        logins |= {m.login for m in core.members}
    return sorted(logins, key=str.lower)


def who_can_read(project: Project, secret_id: str) -> SecretReaders:
    entries = {e.id: e for e in project.secrets}
    entry = entries.get(secret_id)
    if entry is None:
        raise UnknownName("secret", secret_id, list(entries))
    writers = project.writers()
    targets = [
        TargetReach(t.label, str(r.audience), r.why)
        for t in entry.secret.targets
        for r in [reach(t, project.config, writers)]
    ]
    widest = max((Audience(t.audience) for t in targets), key=lambda a: a.rank, default=None)
    repos = sorted(
        {r for t in entry.secret.targets for r in _repositories(t, project)}, key=str.casefold
    )
    return SecretReaders(
        secret=entry.id,
        sensitivity=str(entry.secret.sensitivity),
        cleared_for=str(entry.secret.cleared_for),
        reaches=str(widest) if widest else "nobody",
        targets=targets,
        core_people=_core_logins(project),
        repository_writers=[_writer_list(project, writers, r) for r in repos],
    )


def _repositories(target: Any, project: Project) -> list[str]:
    """The GitHub repositories whose workflows can read ``target``."""
    if isinstance(target, GitHubOrgSecretTarget) and target.repositories:
        return list(target.repositories)
    if isinstance(target, GitHubEnvironmentSecretTarget):
        env = project.config.github.environments.get(target.environment)
        return [env.repository] if env is not None else []
    return []


def _writer_list(project: Project, model: WriteModel, repository: str) -> RepositoryWriterList:
    found = model.writers(repository)
    routes = found.routes if found is not None else ()
    through: dict[str, tuple[str, list[str]]] = {}
    for r in routes:
        _, labels = through.setdefault(r.key, (r.login, []))
        if r.label not in labels:
            labels.append(r.label)
    return RepositoryWriterList(
        found.repository if found is not None else repository,
        [
            {"login": login, "through": " and ".join(labels)}
            for login, labels in sorted(through.values(), key=lambda x: x[0].casefold())
        ],
    )


def _grant_row(feedstock: str, grant: Any) -> dict[str, Any]:
    who: list[str] = []
    if grant.users:
        who += grant.users
    if grant.roles:
        who += [f"role:{r}" for r in grant.roles]
    if grant.users_from_json:
        who.append(f"users from {grant.users_from_json}")
    return {
        "feedstock": feedstock,
        "grant": grant.name or "",
        "labels": list(grant.resources),
        "who": who or ["the policy's default roles"],
        "pull_request": grant.pull_request,
    }


def who_can_use(project: Project, label: str) -> LabelUsers:
    data = project.runners
    resource = data.resource(label) if data is not None else None
    if data is None or resource is None:
        known = [r.label for r in data.resources] if data is not None else []
        raise UnknownName("runner label", label, known)
    grants = [
        _grant_row(entry.feedstock, grant)
        for entry in sorted(data.access, key=lambda e: e.feedstock)
        for grant in entry.access.cirun
        if label in grant.resources
    ]
    return LabelUsers(label, str(resource.cloud), data.is_current(resource), grants)


def _grant_logins(project: Project) -> list[str]:
    """Every login named in a runner grant, as the grant spells it."""
    data = project.runners
    if data is None:
        return []
    return [u for e in data.access for g in e.access.cirun for u in g.users or []]


def access_of(project: Project, login: str) -> PersonAccess:
    """What ``login`` can do; anyone holding any grant (an org role, a team, a runner grant) is
    answered, whether or not they are an org member."""
    people = project.people
    members = people.logins if people is not None else KnownLogins([])
    known = KnownLogins([*members, *_grant_logins(project)])
    canonical = known.canonical(login)
    if canonical is None:
        raise UnknownName("person with any grant", login, list(known))
    key = login_key(login)
    owner = people is not None and any(p.key == key for p in people.owners)
    teams = [
        {"team": slug, "role": str(m.role)}
        for slug, team in sorted(people.teams.items() if people is not None else [])
        for m in team.members
        if m.key == key
    ]
    core = owner or any(t["team"] == "core" for t in teams)
    # Everyone in the org can get a feedstock build to run; core and owners reach everything;
    # someone outside the org reads what the public reads.
    if core:
        audience = Audience.CORE
    elif canonical in members:
        audience = Audience.FEEDSTOCKS
    else:
        audience = Audience.PUBLIC
    model = project.writers()
    through: dict[str, list[str]] = {}
    for repo, route in model.access_of(canonical):
        if route.label not in through.setdefault(repo, []):
            through[repo].append(route.label)
    writable = {r.casefold() for r in through}
    readable = sorted(
        e.id
        for e in project.secrets
        for r in [who_can_read(project, e.id)]
        if (r.reaches != "nobody" and not audience.wider_than(Audience(r.reaches)))
        # and whatever is delivered to a repository they can write (they run its workflows)
        or any(w.repository.casefold() in writable for w in r.repository_writers)
    )
    grants = []
    if project.runners is not None:
        grants = [
            _grant_row(entry.feedstock, grant)
            for entry in sorted(project.runners.access, key=lambda e: e.feedstock)
            for grant in entry.access.cirun
            if any(same_login(u, login) for u in grant.users or [])
        ]
    return PersonAccess(
        login=canonical,
        owner=owner,
        member=canonical in members and not owner,
        teams=teams,
        audience=str(audience),
        readable_secrets=readable,
        runner_grants=grants,
        writable_repositories=[
            {"repository": repo, "through": " and ".join(labels)}
            for repo, labels in sorted(through.items(), key=lambda x: x[0].casefold())
        ],
    )
