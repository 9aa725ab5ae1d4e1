"""Rules over `data/github/`: small named checks, each with a one-line "Ensure ..." docstring.

Every rule runs and yields ``Problem``s with the file and ``row N.github`` (or key) they are about.
Logins compare case-insensitively, as GitHub compares them.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.base import repeats
from infra.config.people import CORE, EMERITUS, Person, TeamRole
from infra.config.rule_inputs import Data
from infra.errors import Problem

MIN_OWNERS = 2


def _duplicates(file: str, people: Iterable[Person]) -> Iterable[Problem]:
    rows = list(people)
    for _, p, first in repeats(rows, key=lambda p: p.key):
        yield Problem(
            file,
            f"row {p.row}, column github",
            f"`{p.login}` is already listed in row {rows[first].row}",
        )


def validate_unique_rows(data: Data) -> Iterable[Problem]:
    """Ensure each file lists a person once (GitHub logins are case-insensitive)."""
    people = data.people
    yield from _duplicates(people.owners_file, people.owners)
    yield from _duplicates(people.members_file, people.members)
    for team in people.teams.values():
        yield from _duplicates(team.file, team.members)


def validate_owner_or_member(data: Data) -> Iterable[Problem]:
    """Ensure nobody is in both owners.csv and members.csv (an owner is a member already)."""
    people = data.people
    owners = {p.key: p for p in people.owners}
    for p in people.members:
        if p.key in owners:
            yield Problem(
                people.members_file,
                f"row {p.row}, column github",
                f"`{p.login}` is an owner ({people.owners_file} row {owners[p.key].row}): "
                "list each person under one role",
            )


def validate_enough_owners(data: Data) -> Iterable[Problem]:
    """Ensure the org keeps at least two owners (one lost account must not orphan the org)."""
    people = data.people
    n = len({p.key for p in people.owners})
    if n < MIN_OWNERS:
        yield Problem(
            people.owners_file,
            "",
            f"the organisation needs at least {MIN_OWNERS} owners, found {n}: "
            "with a single owner, one lost account leaves nobody able to administer it",
        )


def validate_team_files(data: Data) -> Iterable[Problem]:
    """Ensure every team has both a member file and a declaration."""
    people = data.people
    for slug, team in sorted(people.teams.items()):
        if team.spec is None:
            yield Problem(team.file, "", f"team `{slug}` is not declared in {people.teams_file}")
    for slug in sorted(people.specs):
        if slug not in people.teams:
            yield Problem(people.teams_file, slug, f"no member file teams/{slug}.csv for this team")


def validate_team_members_are_org_members(data: Data) -> Iterable[Problem]:
    """Ensure every team member is an org member this stack manages (owners count as members)."""
    people = data.people
    known = people.logins
    for team in people.teams.values():
        for m in team.members:
            if m.login not in known:
                yield Problem(
                    team.file,
                    f"row {m.row}, column github",
                    f"`{m.login}` is not an org member{known.hint(m.login)}: add them to "
                    f"{people.members_file} (or {people.owners_file})",
                )


def validate_core_or_emeritus(data: Data) -> Iterable[Problem]:
    """Ensure nobody is both core and emeritus-core (governance moves people between them)."""
    people = data.people
    core, emeritus = people.teams.get(CORE), people.teams.get(EMERITUS)
    if core is None or emeritus is None:
        return
    for m in emeritus.members:
        row = core.row_of(m.key)
        if row is not None:
            yield Problem(
                emeritus.file,
                f"row {m.row}, column github",
                f"`{m.login}` is also in core ({core.file} row {row}): a person is core or "
                "emeritus-core, not both",
            )


def validate_core_are_owners(data: Data) -> Iterable[Problem]:
    """Ensure every core member is an org owner (governance: core has full rights over the org)."""
    people = data.people
    core = people.teams.get(CORE)
    if core is None:
        return
    owners = {p.key for p in people.owners}
    for m in core.members:
        if m.key not in owners:
            yield Problem(
                core.file,
                f"row {m.row}, column github",
                f"`{m.login}` is core but not in {people.owners_file}: "
                "core members own the organisation",
            )


def validate_owners_maintain_their_teams(data: Data) -> Iterable[Problem]:
    """Ensure an org owner is `maintainer` in every team (GitHub reports no other role)."""
    people = data.people
    owners = {p.key for p in people.owners}
    for team in sorted(people.teams.values(), key=lambda t: t.slug):
        for m in team.members:
            if m.key in owners and m.role is not TeamRole.MAINTAINER:
                yield Problem(
                    team.file,
                    f"row {m.row}, column role",
                    f"`{m.login}` owns the organisation, and GitHub reports an owner as "
                    "`maintainer` in every team: write `maintainer` (a `member` here would be "
                    "changed on every `up` and reported as drift on every check)",
                )


def validate_parent_teams(data: Data) -> Iterable[Problem]:
    """Ensure a parent team is a declared team and parents never form a cycle."""
    people = data.people
    for slug, spec in sorted(people.specs.items()):
        if spec.parent is None:
            continue
        if spec.parent not in people.specs:
            yield Problem(
                people.teams_file, f"{slug}.parent", f"`{spec.parent}` is not a declared team"
            )
            continue
        seen: set[str] = {slug}
        current: str | None = spec.parent
        while current is not None and current in people.specs:
            if current in seen:
                yield Problem(people.teams_file, f"{slug}.parent", "parent teams form a cycle")
                break
            seen.add(current)
            current = people.specs[current].parent


def validate_review_team(data: Data) -> Iterable[Problem]:
    """Ensure the team sensitive repositories need a review from is declared and protected."""
    people = data.people
    config = data.config.github
    slug = config.rulesets.review_team
    spec = people.specs.get(slug)
    if spec is None:
        yield Problem(
            people.teams_file,
            "",
            f"`{slug}` (cfinfra:github.rulesets.review_team) is not declared here",
        )
    elif not spec.protect:
        yield Problem(
            people.teams_file,
            f"{slug}.protect",
            "the review team guards sensitive repositories: set `protect: true` so that deleting "
            "a line cannot delete the team",
        )
