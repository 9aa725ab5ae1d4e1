"""Org memberships, teams and team memberships from `data/github/` (not feedstock teams)."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config.github import PeopleSettings
from infra.config.people import People, Person, Team

OWNER, MEMBER = "admin", "member"


class OrgPeople(pulumi.ComponentResource):
    """Memberships of the listed people, the managed teams and who is in them.

    Only the listed people are managed: the org's thousands of other members (feedstock
    maintainers) are neither read nor touched. Resources are named like their GitHub paths
    (`conda-forge/<login>`, `conda-forge/<team>`, `conda-forge/<team>/<login>`), with the login
    lower-cased, and import ids likewise: GitHub logins ignore case, so respelling a login in any
    file keeps every URN and import id (a new URN is a delete of the old resource, and that
    delete acts on the same account; a new import id is a re-import). The `username` is spelled
    as in `owners.csv` / `members.csv`, wherever else the login is written.
    """

    def __init__(
        self,
        name: str,
        org: str,
        people: People,
        settings: PeopleSettings,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:github:People", name, None, opts)
        self._org = org
        self._adopt = settings.adopt
        self._people = people
        self._logins = people.logins
        self.memberships: dict[str, github.Membership] = {}
        for p in people.owners:
            self._membership(p, OWNER)
        for p in people.members:
            self._membership(p, MEMBER)
        self.teams: dict[str, github.Team] = {}
        for team in _parents_first(people.declared_teams()):
            self._team(team)
        self.register_outputs({})

    def _membership(self, person: Person, role: str) -> None:
        # Moving someone between owners.csv and members.csv keeps the resource (same name): a role
        # change, never a removal and re-invitation.
        self.memberships[person.key] = github.Membership(
            f"{self._org}/{person.key}",
            username=person.login,
            role=role,
            # Dropping someone from the files must not remove them from the org: they may still
            # maintain feedstocks. Deleting the resource demotes them to member instead. The
            # provider's Delete reads this flag from the *state*, and an import leaves it false
            # there (docs/provider-behaviour.md), so it is never in `ignore_changes`: the first
            # `up` updates every imported membership to record it.
            downgrade_on_destroy=True,
            opts=pulumi.ResourceOptions(
                parent=self,
                # An owner leaves only by an explicit, two-step change (unprotect, then remove).
                protect=role == OWNER,
                # Only what is recorded as existing (adopted.yaml): importing a membership that
                # does not exist fails the `up`; a new person is invited (created) instead.
                import_=f"{self._org}:{person.key}" if self._imports(person.login) else None,
            ),
        )

    def _imports(self, login: str, team: str | None = None) -> bool:
        return self._adopt and self._people.exists_on_github(login, team)

    def _team(self, team: Team) -> None:
        spec = team.spec
        assert spec is not None  # declared_teams() yields declared teams only
        parent = self.teams[spec.parent] if spec.parent else None
        ignored = ["ldap_dn", "notification_setting"]
        if spec.description is None:
            ignored.append("description")
        resource = github.Team(
            f"{self._org}/{team.slug}",
            name=team.display_name,
            description=spec.description,
            privacy=spec.privacy.value,
            parent_team_id=parent.id if parent else None,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=spec.protect,
                # Deleting a team drops every repository grant made to it: leaving the files only
                # stops managing it; an owner deletes it by hand if that is really meant.
                retain_on_delete=True,
                import_=team.slug if self._imports("", team.slug) else None,
                ignore_changes=ignored,
            ),
        )
        self.teams[team.slug] = resource
        for m in team.members:
            github.TeamMembership(
                f"{self._org}/{team.slug}/{m.key}",
                team_id=resource.id,
                # Validation has checked every team member is listed as an org member.
                username=self._logins.canonical(m.login) or m.login,
                role=m.role.value,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    protect=spec.protect,
                    import_=f"{team.slug}:{m.key}" if self._imports(m.login, team.slug) else None,
                    # The org membership first: a team cannot hold someone the org does not.
                    depends_on=[self.memberships[m.key]],
                ),
            )


def _parents_first(teams: list[Team]) -> list[Team]:
    """Teams ordered so each parent precedes its children (validation has refused cycles)."""
    by_slug = {t.slug: t for t in teams}
    ordered: list[Team] = []
    placed: set[str] = set()

    def place(team: Team) -> None:
        if team.slug in placed:
            return
        parent = team.spec.parent if team.spec else None
        if parent in by_slug:
            place(by_slug[parent])
        placed.add(team.slug)
        ordered.append(team)

    for team in teams:
        place(team)
    return ordered
