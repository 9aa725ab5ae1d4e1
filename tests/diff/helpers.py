"""Hand-built plans for the diff tests: a small GitHub org, secrets with lineage.

The org resources mirror what the GitHub org work declares (``Membership``, ``Team``,
``TeamMembership`` with ``<id:team-...>``-style fake team ids), so the per-person logic is tested
without depending on that work's data files.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from infra.plan.model import Plan, PlannedResource, SecretLineage, TargetLineage

MEMBERSHIP = "github:index/membership:Membership"
TEAM = "github:index/team:Team"
TEAM_MEMBERSHIP = TEAM_MEMBERSHIP_TYPE = "github:index/teamMembership:TeamMembership"
REPOSITORY = "github:index/repository:Repository"
ORG_WEBHOOK = "github:index/organizationWebhook:OrganizationWebhook"
ORG_SECRET = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
COLLABORATOR_TYPE = "github:index/repositoryCollaborator:RepositoryCollaborator"


def res(
    type_: str, name: str, inputs: dict[str, Any] | None = None, **options: Any
) -> PlannedResource:
    return PlannedResource(type=type_, name=name, inputs=inputs or {}, **options)


def member(login: str, role: str = "member") -> PlannedResource:
    return res(MEMBERSHIP, f"member-{login}", {"role": role, "username": login})


def team(slug: str) -> PlannedResource:
    return res(TEAM, f"team-{slug}", {"name": slug, "privacy": "closed"})


def team_member(
    slug: str, login: str, role: str = "member", team_id: str | None = None
) -> PlannedResource:
    return res(
        TEAM_MEMBERSHIP,
        f"team-{slug}-{login}",
        {"role": role, "teamId": team_id or f"<id:team-{slug}>", "username": login},
    )


def repository(name: str, **inputs: Any) -> PlannedResource:
    return res(REPOSITORY, f"repo-{name}", {"name": name, "visibility": "public", **inputs})


def webhook(name: str, path: str, events: list[str]) -> PlannedResource:
    return res(
        ORG_WEBHOOK,
        f"webhook-{name}",
        {
            "active": True,
            "configuration": {
                "contentType": "json",
                "insecureSsl": False,
                "secret": "[secret]",
                "url": f"https://conda-forge.herokuapp.com{path}",
            },
            "events": sorted(events),
        },
        retain_on_delete=True,
    )


def org_secret(name: str) -> PlannedResource:
    return res(
        ORG_SECRET,
        f"org-secret-{name}",
        {"secretName": name, "value": "[secret]", "visibility": "selected"},
        retain_on_delete=True,
    )


def target(label: str, audience: str, why: str) -> TargetLineage:
    return TargetLineage(target=label, audience=audience, why=why)


def secret(
    sid: str,
    *targets: TargetLineage,
    cleared_for: str = "core",
    sensitivity: str = "critical",
    item: str | None = None,
) -> SecretLineage:
    order = ["core", "infra-maintainers", "feedstocks", "public"]
    rank = {a: i for i, a in enumerate(order)}
    reaches = max((t.audience for t in targets), key=lambda a: rank.get(a, 9), default="nobody")
    return SecretLineage(
        secret=sid,
        onepassword=f"op://pulumi/{item or sid}/credential",
        owner="core",
        sensitivity=sensitivity,
        cleared_for=cleared_for,
        reaches=reaches,
        rotation="manual, every 180 days",
        targets=sorted(targets, key=lambda t: t.target),
    )


PROD_TOKEN_GITHUB = target(
    "GitHub org secret PROD_BINSTAR_TOKEN",
    "core",
    "readable by workflows of admin-requests, conda-forge-webservices (core)",
)
PROD_TOKEN_HEROKU = target(
    "Heroku config var conda-forge/PROD_BINSTAR_TOKEN",
    "core",
    "readable by the operators of Heroku app conda-forge (core)",
)


def org_base() -> Plan:
    """A small organisation: two owners, a core team, webhooks, repositories and two secrets."""
    resources = [
        member("alice"),
        member("bob", "admin"),
        member("carol", "admin"),
        member("dave"),
        team("core"),
        team("staged-recipes"),
        team_member("core", "bob", "maintainer"),
        team_member("core", "carol"),
        team_member("staged-recipes", "dave"),
        webhook("autotickbot", "/autotickbot/payload", ["push", "pull_request"]),
        webhook("conda-linting", "/conda-linting/org-hook", ["pull_request", "merge_group"]),
        *(repository(n) for n in ("admin-requests", "conda-forge-webservices", "staged-recipes")),
        org_secret("PROD_BINSTAR_TOKEN"),
        org_secret("STAGING_BINSTAR_TOKEN"),
    ]
    lineage = [
        secret("prod-binstar-token", PROD_TOKEN_GITHUB, PROD_TOKEN_HEROKU, cleared_for="core"),
        secret(
            "staging-binstar-token",
            target(
                "GitHub org secret STAGING_BINSTAR_TOKEN",
                "feedstocks",
                "visibility `all` lets every repository in the org read it, "
                "every feedstock included",
            ),
            cleared_for="feedstocks",
            sensitivity="internal",
        ),
    ]
    return Plan(stack="prod", resources=sorted(resources, key=lambda r: r.key), lineage=lineage)


def widened_and_owner_removed() -> tuple[Plan, Plan]:
    """Base and head of the scenario the issue is about: a secret reaches further, an owner goes."""
    base = org_base()
    head = org_base()
    head.resources = [r for r in head.resources if r.name != "member-carol"]
    head.resources.append(team_member("core", "alice"))
    head.resources = sorted(
        [r if r.name != "member-alice" else member("alice", "admin") for r in head.resources],
        key=lambda r: r.key,
    )
    head.lineage = [
        secret(
            "prod-binstar-token",
            PROD_TOKEN_GITHUB,
            PROD_TOKEN_HEROKU,
            target(
                "Azure variable feedstock-builds/anaconda-org/BINSTAR_TOKEN",
                "feedstocks",
                "`allow_access` lets every pipeline in project feedstock-builds read it, "
                "and feedstock-builds's audience is `feedstocks`",
            ),
            cleared_for="core",
        ),
        head.lineage[1],
    ]
    return base, head


def git(cwd: Path, *args: str) -> str:
    """Run git in a throw-away repository, isolated from the user's and the system's config."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout
