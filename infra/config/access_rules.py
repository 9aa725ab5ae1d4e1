"""Rules on who can write what (the repository-write model, ``infra.config.write_access``).

Registered in ``infra.config.rule_table``. The leak guard already counts every writer a route adds;
these rules refuse the routes themselves, so a later, innocent-looking edit (one more member of a
nested team) cannot widen an audience without a validation error naming the route.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.audience import Audience
from infra.config.github import repository_file
from infra.config.rule_inputs import Data
from infra.config.write_access import ancestors, can_write, write_model
from infra.errors import Problem


def validate_no_team_nested_under_sensitive_access(data: Data) -> Iterable[Problem]:
    """Ensure no team is nested under a team that can write a sensitive or core-only repository.

    On GitHub a child team inherits its parent's repository access, so every member of the child
    (and of its own children) would write what the parent writes.
    """
    people, github = data.people, data.config.github
    model = write_model(github, people)

    def guarded(repo: str) -> bool:
        declared = github.repositories.get(repo)
        return declared is not None and (declared.sensitive or declared.audience is Audience.CORE)

    for slug in sorted(people.specs):
        for ancestor in ancestors(people, slug):
            repos = sorted(
                g.repository
                for g in model.teams.get(ancestor, ())
                if g.via == ancestor and can_write(g.permission) and guarded(g.repository)
            )
            if repos:
                yield Problem(
                    people.teams_file,
                    f"{slug}.parent",
                    f"`{slug}` is nested under `{ancestor}`, which can write "
                    f"{', '.join(repos)}: a child team inherits its parent's repository access "
                    f"on GitHub, so every member of `{slug}` would write them; nest it under a "
                    "team without that access",
                )
                break


def validate_repository_team_grants(data: Data) -> Iterable[Problem]:
    """Ensure every team a repository grants access to is a managed team, and that the review
    team's grant on a sensitive repository is not listed a second time."""
    people, github = data.people, data.config.github
    declared = {t.slug for t in people.declared_teams()}
    review = github.rulesets.review_team
    for name, repo in sorted(github.repositories.items()):
        for i, access in enumerate(repo.teams):
            where = f"teams[{i}].team"
            if access.slug not in declared:
                yield Problem(
                    repository_file(name),
                    where,
                    f"`{access.team}` is not a team of data/github (teams.yaml and "
                    "teams/<slug>.csv): only a managed team's members are known, so the leak "
                    "guard could not count who writes here",
                )
            elif repo.sensitive and access.slug == review:
                yield Problem(
                    repository_file(name),
                    where,
                    f"`{access.team}` is the review team: the stack already gives it `admin` on "
                    "every sensitive repository; remove this entry",
                )
