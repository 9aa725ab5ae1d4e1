"""Who can write each managed repository, and through which route: the repository-write model.

Whoever can push to a repository can run a workflow there, so they can read every Actions secret
the repository is given and every unprotected environment's secrets. The leak guard's ``reach()``
asks this model; ``who-can``, ``access`` and the pull-request diff's per-person view read the same
answers, so they cannot disagree.

GitHub's access model, as modelled here:

- An **org owner** administers every repository of the organisation (`owners.csv`).
- A **team grant** gives a team a permission on a repository: the review team
  (`rulesets.review_team`) gets `admin` on every `sensitive` repository, which GitHub requires
  before it accepts the team as a required reviewer; and each grant a repository's data file
  lists under `teams` (`push` and above write).
- A **child team inherits** its parent's repository access ("child teams inherit the access
  permissions of the parent team", GitHub docs, *About teams*): a grant to `core` reaches the
  members of every team nested under `core`, however deep.
- A **repository admin** is whoever holds `admin` through one of those routes: they can change the
  repository's environments and rulesets, so they count as writers too.

Only managed people and teams are seen: feedstock teams and outside collaborators are not in the
data, which is why a repository's declared `audience` stays a floor the computed writers can only
widen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from infra.config.audience import Audience
from infra.config.github import GitHubConfig, RepositoryPermission
from infra.config.logins import login_key
from infra.config.people import CORE, People

# GitHub's repository permissions, weakest first (the data's enum); `push` and above can write.
PERMISSIONS = tuple(p.value for p in RepositoryPermission)
WRITE = RepositoryPermission.PUSH.value


def can_write(permission: str) -> bool:
    """Whether a repository permission lets its holder push (unknown ones count as writing)."""
    rank = PERMISSIONS.index(permission) if permission in PERMISSIONS else len(PERMISSIONS)
    return rank >= PERMISSIONS.index(WRITE)


class RouteKind(StrEnum):
    """How a person came to write a repository."""

    OWNER = "owner"
    """An organisation owner: admin of every repository."""
    TEAM = "team"
    """A member of a team holding (directly or through a parent team) a grant on it."""


@dataclass(frozen=True, order=True)
class WriteRoute:
    """One way one person can write one repository."""

    login: str
    """The login as the data spells it."""
    kind: RouteKind
    permission: str
    """`admin`, `maintain` or `push`."""
    team: str | None = None
    """For a team route: the team the person is a member of."""
    via: str | None = None
    """For a team route: the team holding the grant (`team` itself, or an ancestor of it)."""

    @property
    def key(self) -> str:
        """Logins are identities, compared ignoring case."""
        return login_key(self.login)

    @property
    def admin(self) -> bool:
        return self.permission == "admin"

    @property
    def label(self) -> str:
        """E.g. `org owner`, `core (admin)`, `help-python, child of core (admin)`."""
        if self.kind is RouteKind.OWNER:
            return "org owner"
        if self.via != self.team:
            return f"{self.team}, nested under {self.via} ({self.permission})"
        return f"{self.team} ({self.permission})"


@dataclass(frozen=True)
class RepositoryWriters:
    """Everyone who can write one repository, each with every route they have."""

    repository: str
    routes: tuple[WriteRoute, ...]
    core: frozenset[str] = field(repr=False)
    """Lower-cased logins of core people (org owners and conda-forge/core members)."""

    def logins(self) -> list[str]:
        """Every writer's login, once, sorted ignoring case."""
        return _logins(self.routes)

    def admins(self) -> list[str]:
        """Writers holding `admin` (they can change environments and rulesets)."""
        return _logins(r for r in self.routes if r.admin)

    def outside_core(self) -> list[str]:
        """Writers who are not core people."""
        return _logins(r for r in self.routes if r.key not in self.core)

    def routes_of(self, login: str) -> tuple[WriteRoute, ...]:
        return tuple(r for r in self.routes if r.key == login_key(login))

    @property
    def audience(self) -> Audience:
        """`core` when every writer is a core person, else `infra-maintainers` (managed people
        with write access to a shared infrastructure repository)."""
        return Audience.INFRA_MAINTAINERS if self.outside_core() else Audience.CORE


@dataclass(frozen=True, order=True)
class TeamGrant:
    """A team's effective permission on a repository."""

    team: str
    repository: str
    permission: str
    via: str
    """The team holding the grant: the team itself, or the ancestor it inherits from."""

    @property
    def inherited(self) -> bool:
        return self.via != self.team


@dataclass(frozen=True)
class WriteModel:
    """Who can write each managed repository, and what each team can reach."""

    repositories: Mapping[str, RepositoryWriters]
    """By repository name as declared (`data/github/repositories/<name>.yaml`)."""
    teams: Mapping[str, tuple[TeamGrant, ...]]
    """By team slug: its effective repository grants, inherited ones included (`via` names the
    ancestor holding the grant, or the team itself)."""
    core: frozenset[str]
    """Lower-cased logins of core people: org owners and conda-forge/core members."""
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """By team slug: lower-cased logins of its effective members (descendant teams' included)."""

    def writers(self, repository: str) -> RepositoryWriters | None:
        """The writers of ``repository`` (GitHub compares names ignoring case)."""
        found = self.repositories.get(repository)
        if found is not None:
            return found
        key = repository.casefold()
        return next((w for n, w in self.repositories.items() if n.casefold() == key), None)

    def team_is_core_only(self, slug: str) -> bool:
        """A declared, non-empty team whose effective members are all core people."""
        members = self.members.get(slug)
        return bool(members) and members is not None and members <= self.core

    def repository_audience(self, repository: str, declared: Audience) -> tuple[Audience, str]:
        """The wider of the repository's declared audience and its writers' audience, and why.

        An undeclared repository counts as `public` (fail closed)."""
        writers = self.writers(repository)
        if writers is None:
            return Audience.PUBLIC, f"`{repository}` is not a declared repository"
        outside = writers.outside_core()
        if outside and Audience.INFRA_MAINTAINERS.wider_than(declared):
            routes = sorted({r.label for r in writers.routes if r.key in set(outside)})
            return (
                Audience.INFRA_MAINTAINERS,
                f"people outside core can write {repository}: {', '.join(outside)} "
                f"(through {'; '.join(routes)})",
            )
        return declared, f"{repository} ({declared})"

    def access_of(self, login: str) -> list[tuple[str, WriteRoute]]:
        """Every (repository, route) through which ``login`` can write, sorted."""
        return sorted(
            (name, route)
            for name, writers in self.repositories.items()
            for route in writers.routes_of(login)
        )


def _logins(routes: Iterable[WriteRoute]) -> list[str]:
    seen: dict[str, str] = {}
    for r in sorted(routes):
        seen.setdefault(r.key, r.login)
    return sorted(seen.values(), key=str.lower)


def declared_team_grants(github: GitHubConfig) -> list[tuple[str, str, str]]:
    """(repository, team slug, permission) for every team grant this stack declares, sorted: the
    one list the program declares `TeamRepository` resources from and the model counts."""
    review = github.rulesets.review_team
    grants = {
        (name, review): "admin" for name, repo in github.repositories.items() if repo.sensitive
    }
    for name, repo in github.repositories.items():
        for access in repo.teams:
            # A rule refuses listing the review team's own grant; the stack's `admin` wins here.
            grants.setdefault((name, access.slug), access.permission.value)
    return sorted((name, team, permission) for (name, team), permission in grants.items())


def ancestors(people: People, slug: str) -> list[str]:
    """The parent chain of ``slug``, nearest first (stops at an unknown team or a cycle)."""
    chain: list[str] = []
    current = people.specs[slug].parent if slug in people.specs else None
    while current is not None and current not in chain and current != slug:
        chain.append(current)
        spec = people.specs.get(current)
        current = spec.parent if spec is not None else None
    return chain


def _core_people(people: People) -> frozenset[str]:
    core = people.teams.get(CORE)
    return frozenset(
        {p.key for p in people.owners} | ({m.key for m in core.members} if core else set())
    )


def write_model(github: GitHubConfig, people: People | None) -> WriteModel:
    """The repository-write model of a stack: owners, declared team grants, inheritance.

    ``people`` is None only when `data/github/` did not load (validation then fails anyway): the
    model then knows no writer and every repository keeps its declared audience."""
    if people is None:
        empty = {n: RepositoryWriters(n, (), frozenset()) for n in github.repositories}
        return WriteModel(empty, {}, frozenset())
    core = _core_people(people)
    slugs = sorted(set(people.specs) | set(people.teams))
    lineage = {slug: ancestors(people, slug) for slug in slugs}
    # Members of a team and of every team nested under it, however deep.
    members: dict[str, dict[str, str]] = {slug: {} for slug in slugs}
    for slug in slugs:
        team = people.teams.get(slug)
        for m in team.members if team else ():
            for holder in (slug, *lineage[slug]):
                members.setdefault(holder, {}).setdefault(m.key, m.login)
    grants = declared_team_grants(github)
    team_grants: dict[str, list[TeamGrant]] = {slug: [] for slug in slugs}
    for repo, holder, permission in grants:
        for slug in slugs:
            if slug == holder or holder in lineage[slug]:
                team_grants[slug].append(TeamGrant(slug, repo, permission, holder))
    routes: dict[str, list[WriteRoute]] = {name: [] for name in github.repositories}
    for name in github.repositories:
        for p in people.owners:
            routes[name].append(WriteRoute(p.login, RouteKind.OWNER, "admin"))
    for slug in slugs:
        team = people.teams.get(slug)
        for grant in team_grants[slug]:
            if grant.repository not in routes or not can_write(grant.permission):
                continue
            for m in team.members if team else ():
                routes[grant.repository].append(
                    WriteRoute(m.login, RouteKind.TEAM, grant.permission, slug, grant.via)
                )
    return WriteModel(
        repositories={
            n: RepositoryWriters(n, tuple(sorted(set(r))), core) for n, r in routes.items()
        },
        teams={slug: tuple(sorted(set(g))) for slug, g in team_grants.items()},
        core=core,
        members={slug: frozenset(m) for slug, m in members.items()},
    )
