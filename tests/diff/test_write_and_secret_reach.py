"""Per person in the pull-request diff: repository write (from teams, parent teams, ownership)
and, with it, the org secrets delivered to those repositories."""

from __future__ import annotations

from infra.diff.access import (
    MEMBERSHIP,
    ORG_SECRET_SELECTION,
    REPOSITORY,
    TEAM,
    TEAM_MEMBERSHIP,
    TEAM_REPOSITORY,
)
from infra.diff.markdown import render_markdown
from infra.diff.risks import build_report, risks
from infra.plan.model import Plan, PlannedResource


def _r(type_: str, resource: str, **inputs: object) -> PlannedResource:
    return PlannedResource(type_, resource, dict(inputs))


BASE = [
    _r(REPOSITORY, "org/webservices", name="webservices"),
    _r(REPOSITORY, "org/staged-recipes", name="staged-recipes"),
    _r(TEAM, "org/core", name="core"),
    _r(TEAM, "org/help-python", name="help-python", parentTeamId="<id:org/core>"),
    _r(
        TEAM_REPOSITORY,
        "org/webservices/core",
        teamId="core",
        repository="webservices",
        permission="admin",
    ),
    _r(
        ORG_SECRET_SELECTION,
        "org-secret-PROD_TOKEN-repositories",
        secretName="PROD_TOKEN",
        selectedRepositoryIds=["<repo_id:org/webservices>"],
    ),
    _r(
        ORG_SECRET_SELECTION,
        "org-secret-OTHER-repositories",
        secretName="OTHER",
        selectedRepositoryIds=["<repo_id:org/staged-recipes>"],
    ),
    _r(MEMBERSHIP, "org/ada", username="ada", role="admin"),
    _r(MEMBERSHIP, "org/cy", username="cy", role="member"),
]


def _per_person(md: str) -> str:
    return md.split("### Access per person", 1)[1].split("\n### ", 1)[0]


def test_joining_a_team_with_write_access_names_the_repository_and_its_secrets():
    head = [*BASE, _r(TEAM_MEMBERSHIP, "org/core/cy", teamId="<id:org/core>", username="cy")]
    report = build_report(Plan("s", BASE), Plan("s", head))
    line = _per_person(render_markdown(report))
    assert "`cy`" in line
    assert "+write on webservices" in line
    assert "+reads 1 org secret(s) there: `PROD_TOKEN`" in line
    assert "OTHER" not in line
    (risk,) = [r for r in risks(report) if r.label == "secret-reader-added"]
    assert "`PROD_TOKEN`" in risk.detail


def test_a_child_team_inherits_its_parents_repository_write():
    head = [
        *BASE,
        _r(TEAM_MEMBERSHIP, "org/help-python/cy", teamId="<id:org/help-python>", username="cy"),
    ]
    line = _per_person(render_markdown(build_report(Plan("s", BASE), Plan("s", head))))
    assert "+help-python member" in line
    assert "+write on webservices" in line


def test_an_owner_change_is_not_repeated_as_every_repository_and_secret():
    head = [r for r in BASE if r.name != "org/cy"] + [
        _r(MEMBERSHIP, "org/cy", username="cy", role="admin")
    ]
    line = _per_person(render_markdown(build_report(Plan("s", BASE), Plan("s", head))))
    assert "+owner" in line
    assert "write on" not in line
    assert "reads" not in line


def test_a_new_org_member_joining_a_team_is_told_what_they_can_write():
    head = [
        *BASE,
        _r(MEMBERSHIP, "org/zoe", username="zoe", role="member"),
        _r(TEAM_MEMBERSHIP, "org/core/zoe", teamId="<id:org/core>", username="zoe"),
    ]
    line = _per_person(render_markdown(build_report(Plan("s", BASE), Plan("s", head))))
    assert "+org member" in line
    assert "+write on webservices" in line


def test_a_new_repository_is_not_every_owner_gaining_something():
    head = [*BASE, _r(REPOSITORY, "org/new", name="new")]
    assert not build_report(Plan("s", BASE), Plan("s", head)).people
