"""People and teams of the GitHub organisation, as data files under ``data/github/``.

The layout mirrors conda-forge/governance (``teams/core.csv``: one person per row), so a governance
change and its effect on GitHub are the same kind of edit:

- ``owners.csv`` and ``members.csv`` (``name,github``): the org members this stack manages, by role;
- ``teams.yaml``: each managed team's description, privacy, parent and protection, by slug;
- ``teams/<slug>.csv`` (``name,github[,role]``): a team's members; ``role`` is ``member`` (the
  default, also for an empty cell) or ``maintainer``.

Feedstock maintainer teams are out of scope (the webservices bot owns them), so the org's thousands
of other members are neither listed nor touched. Problems name their file and ``row N.column``,
where N is the line number an editor shows (the header is line 1).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError, field_validator

from infra.config.base import (
    Description,
    GitHubLogin,
    Kebab,
    Model,
    RepoName,
    enum_field,
    validate,
)
from infra.config.folder import load_files
from infra.config.logins import KnownLogins, login_key
from infra.config.secretscan import credential_problems
from infra.config.yamlio import display_path, has_control_characters, load_yaml, read_text
from infra.errors import Problem

PEOPLE_DIR = Path("data/github")
CORE = "core"
EMERITUS = "emeritus-core"
ADOPTED_FILE = "adopted.yaml"

_LOGIN: TypeAdapter[str] = TypeAdapter(GitHubLogin)
_SLUG: TypeAdapter[str] = TypeAdapter(Kebab)
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class TeamRole(StrEnum):
    """A person's role in a team: maintainers can add and remove members."""

    MEMBER = "member"
    MAINTAINER = "maintainer"


class TeamPrivacy(StrEnum):
    """`closed` teams are visible to every org member (and can be @mentioned); `secret` ones not."""

    CLOSED = "closed"
    SECRET = "secret"  # noqa: S105 - a team privacy, not a password


class PersonRow(Model):
    """One row of `owners.csv`, `members.csv` or a team file."""

    name: PersonName
    """The person's (or bot's) name, for readers."""
    github: str
    """Their GitHub login."""

    @field_validator("github")
    @classmethod
    def _login(cls, login: str) -> str:
        try:
            return _LOGIN.validate_python(login)
        except ValidationError:
            raise ValueError(
                "not a GitHub login (1-39 letters, digits or single hyphens, "
                "not starting or ending with a hyphen)"
            ) from None


class TeamMemberRow(PersonRow):
    """One row of a team file."""

    role: TeamRole = enum_field(default=TeamRole.MEMBER)
    """`member` or `maintainer`."""


class TeamSpec(Model):
    """A team of `data/github/teams.yaml`. Example:

    ```yaml
    core:
      description: The governing body of conda-forge
      privacy: closed
      protect: true
    help-python-c: {description: Reviewers of Python and C feedstocks, parent: help-python}
    ```
    """

    description: Description | None = None
    """The team's description on GitHub. Omitted: not managed (kept as set on GitHub)."""
    name: PersonName | None = None
    """The team's display name; defaults to its slug (the file name)."""
    privacy: TeamPrivacy = enum_field(default=TeamPrivacy.CLOSED)
    """`closed` (visible, GitHub's default for a parent or child team) or `secret`."""
    parent: Kebab | None = None
    """Slug of the parent team, when this is a nested team."""
    protect: bool = False
    """Refuse to delete the team (and its memberships) from the stack; members can still leave."""


class AdoptedPeople(Model):
    """`data/github/adopted.yaml`: the memberships recorded as existing on GitHub, with their
    evidence. While `people.adopt` is on, only these (and only these teams) are imported; anyone
    else listed is new and is invited (created), because an import of a membership that does not
    exist fails the `up`. Example:

    ```yaml
    evidence: cfinfra snapshot of 2026-11-30 (GET /orgs/conda-forge/memberships/<login>)
    org: [beckermr, BastianZim]
    teams:
      core: [beckermr]
    ```
    """

    evidence: Description
    """Where the list comes from: a read-only snapshot (its file and date) or a public record."""
    org: list[GitHubLogin] = []
    """Logins that are members of the organisation (either role)."""
    teams: dict[Kebab, list[GitHubLogin]] = {}
    """Per team slug, the logins in it; a slug listed (even with nobody) means the team exists."""
    repositories: dict[RepoName, list[Kebab]] = {}
    """Per repository, the teams GitHub shows holding a grant on it (`GET /repos/{org}/{repo}/
    teams`): a declared grant (`teams` of the repository's file) is imported only if it is
    here. Repository names compare ignoring case."""


@dataclass(frozen=True)
class Person:
    """A listed person: login as written, name, and where the row is."""

    login: str
    name: str
    row: int

    @property
    def key(self) -> str:
        """Logins are case-insensitive: `SylvainCorlay` and `sylvaincorlay` are one account."""
        return login_key(self.login)


@dataclass(frozen=True)
class TeamMember(Person):
    role: TeamRole = TeamRole.MEMBER


@dataclass(frozen=True)
class Team:
    """A team file with its declaration (`spec` is None when `teams.yaml` lacks it)."""

    slug: str
    file: str
    spec: TeamSpec | None
    members: tuple[TeamMember, ...]

    @property
    def display_name(self) -> str:
        return (self.spec.name if self.spec and self.spec.name else None) or self.slug

    def row_of(self, key: str) -> int | None:
        return next((m.row for m in self.members if m.key == key), None)


@dataclass(frozen=True)
class People:
    """Everything under `data/github/`, parsed; rows that failed validation are left out."""

    owners_file: str
    members_file: str
    teams_file: str
    owners: tuple[Person, ...]
    members: tuple[Person, ...]
    specs: Mapping[str, TeamSpec]
    """`teams.yaml`, by slug."""
    teams: Mapping[str, Team] = field(default_factory=dict)
    """Team files, by file stem (a valid slug)."""
    adopted: AdoptedPeople | None = None
    """`adopted.yaml`: what was recorded as existing on GitHub (None: nothing recorded)."""
    adopted_file: str = ""

    def exists_on_github(self, login: str, team: str | None = None) -> bool:
        """Whether the org membership (or, with ``team``, the team membership) of ``login`` is
        recorded as existing; ``login=""`` with a ``team`` asks about the team itself."""
        if self.adopted is None:
            return False
        if team is None:
            return login in KnownLogins(self.adopted.org)
        if team not in self.adopted.teams:
            return False
        return not login or login in KnownLogins(self.adopted.teams[team])

    def grant_exists(self, team: str, repository: str) -> bool:
        """Whether ``team``'s grant on ``repository`` is recorded as existing (both compared
        ignoring case, as GitHub does)."""
        if self.adopted is None:
            return False
        wanted = repository.casefold()
        for repo, teams in self.adopted.repositories.items():
            if repo.casefold() == wanted and team.lower() in {t.lower() for t in teams}:
                return True
        return False

    def declared_teams(self) -> list[Team]:
        """Teams with both a file and a declaration, by slug: the ones the program declares."""
        return [t for slug, t in sorted(self.teams.items()) if t.spec is not None]

    def org_member_keys(self) -> set[str]:
        return {p.key for p in (*self.owners, *self.members)}

    @property
    def logins(self) -> KnownLogins:
        """The org members this stack manages, spelled as in `owners.csv` or `members.csv`: the
        canonical spelling of each login wherever else (a team file) it is written."""
        return KnownLogins(p.login for p in (*self.owners, *self.members))


# --- reading -------------------------------------------------------------------------------------


def _read_csv(
    path: Path, root: Path | None, row_model: type[PersonRow]
) -> tuple[list[tuple[int, PersonRow]], list[Problem]]:
    """Rows of a people file with their line numbers; a bad cell is a problem, never a traceback."""
    shown = display_path(path, root)
    required = ["name", "github"]
    allowed = list(row_model.model_fields)
    raw, found = read_text(path, root)
    if raw is None:
        return [], found
    # A spreadsheet's byte-order mark must not become part of the first column's name.
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    bad = [n for n, line in enumerate(text.split("\n"), 1) if has_control_characters(line)]
    if bad:
        return [], [
            Problem(shown, f"row {n}", "control characters are not allowed (only tab)") for n in bad
        ]
    reader = csv.reader(text.splitlines(), strict=True)
    try:
        table = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        return [], [Problem(shown, f"row {reader.line_num}", f"invalid CSV: {exc}")]
    # Every cell is clear text, as every string of a YAML file: a credential is refused by cell.
    names = table[0][1] if table else []
    leaks = credential_problems({f"row {n}": _cells(names, c) for n, c in table}, shown)
    if leaks:  # a leaking row is left out (the header: the whole file), the others still count
        leaking = {p.path.split(",")[0] for p in leaks}
        if f"row {table[0][0]}" in leaking:
            return [], leaks
        table = [(n, c) for n, c in table if f"row {n}" not in leaking]
    header = table[0][1] if table else None
    if header is None or header[: len(required)] != required or not set(header) <= set(allowed):
        columns = ",".join(allowed)
        return [], [
            Problem(shown, "row 1", f"the header must be `{columns}` (optional columns last)")
        ]
    rows: list[tuple[int, PersonRow]] = []
    problems: list[Problem] = []
    for line, cells in table[1:]:
        if not cells:
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(shown, f"row {line}", f"expected {len(header)} columns, found {len(cells)}")
            )
            continue
        # An empty optional cell means "the default" (a blank `role` is `member`).
        data = {k: v for k, v in zip(header, cells, strict=True) if v != "" or k in required}
        row, found = validate(row_model, data, shown, prefix=(f"row {line}",))
        problems.extend(found)
        if row is not None:
            rows.append((line, row))
    return rows, [*leaks, *problems]


def _cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """A row's cells by column name (by number where the header has none or repeats one)."""
    out: dict[str, str] = {}
    for i, cell in enumerate(cells):
        name = header[i] if i < len(header) and header[i] else str(i + 1)
        out[name if name not in out else str(i + 1)] = cell
    return out


def _people(rows: list[tuple[int, PersonRow]]) -> tuple[Person, ...]:
    return tuple(Person(login=r.github, name=r.name, row=line) for line, r in rows)


def _team_members(rows: list[tuple[int, PersonRow]]) -> tuple[TeamMember, ...]:
    return tuple(
        TeamMember(
            login=r.github,
            name=r.name,
            row=line,
            role=r.role if isinstance(r, TeamMemberRow) else TeamRole.MEMBER,
        )
        for line, r in rows
    )


def _read_specs(path: Path, root: Path) -> tuple[dict[str, TeamSpec], list[Problem]]:
    shown = display_path(path, root)
    if not path.is_file():
        return {}, [Problem(shown, "", "missing: it declares the teams this stack manages")]
    data, problems = load_yaml(path, root)
    if problems:
        return {}, problems
    if not isinstance(data, dict):
        return {}, [Problem(shown, "", "expected a mapping of team slug to team")]
    specs: dict[str, TeamSpec] = {}
    for slug, raw in data.items():
        if not isinstance(slug, str) or not _is_slug(slug):
            problems.append(Problem(shown, str(slug), "a team slug is lower-case words and dashes"))
            continue
        spec, found = validate(TeamSpec, raw if raw is not None else {}, shown, prefix=(slug,))
        problems.extend(found)
        if spec is not None:
            specs[slug] = spec
    return specs, problems


def _is_slug(text: str) -> bool:
    try:
        _SLUG.validate_python(text)
    except ValidationError:
        return False
    return True


def _read_team_file(
    path: Path, root: Path | None
) -> tuple[tuple[TeamMember, ...] | None, list[Problem]]:
    rows, problems = _read_csv(path, root, TeamMemberRow)
    return _team_members(rows), problems


def read_people(root: Path) -> tuple[People | None, list[Problem]]:
    """Parse `data/github/` without cross-file rules. None when the folder is missing."""
    base = root / PEOPLE_DIR
    if not base.is_dir():
        shown = display_path(base, root)
        return None, [Problem(shown, "", "missing: org owners, members and teams live here")]
    problems: list[Problem] = []
    lists: dict[str, tuple[Person, ...]] = {}
    for name in ("owners", "members"):
        path = base / f"{name}.csv"
        if not path.is_file():
            problems.append(Problem(display_path(path, root), "", "missing"))
            lists[name] = ()
            continue
        rows, found = _read_csv(path, root, PersonRow)
        problems.extend(found)
        lists[name] = _people(rows)
    specs, found = _read_specs(base / "teams.yaml", root)
    problems.extend(found)
    entries, found = load_files(base / "teams", _read_team_file, root, what="team", suffix=".csv")
    problems.extend(found)
    teams = {e.id: Team(e.id, e.file, specs.get(e.id), e.value) for e in entries}
    adopted, found = _read_adopted(base / ADOPTED_FILE, root)
    problems.extend(found)
    people = People(
        owners_file=display_path(base / "owners.csv", root),
        members_file=display_path(base / "members.csv", root),
        teams_file=display_path(base / "teams.yaml", root),
        owners=lists["owners"],
        members=lists["members"],
        specs=specs,
        teams=teams,
        adopted=adopted,
        adopted_file=display_path(base / ADOPTED_FILE, root),
    )
    return people, problems


def _read_adopted(path: Path, root: Path) -> tuple[AdoptedPeople | None, list[Problem]]:
    if not path.is_file():
        return None, []
    data, problems = load_yaml(path, root)
    if problems:
        return None, problems
    return validate(AdoptedPeople, data, display_path(path, root))
