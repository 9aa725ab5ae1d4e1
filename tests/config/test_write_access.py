"""The repository-write model: who can write each managed repository, and through which route."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from infra.config.audience import Audience
from infra.config.loader import load_project
from infra.config.write_access import RouteKind, write_model
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK


def _model(root: Path = FIXTURE_ROOT, skip: tuple[str, ...] = ()):
    project = load_project(root, FIXTURE_STACK, skip=skip)
    return project, project.writers()


def test_org_owners_write_every_repository():
    project, model = _model()
    for name in project.config.github.repositories:
        writers = model.writers(name)
        assert writers is not None
        owners = {r.login for r in writers.routes if r.kind is RouteKind.OWNER}
        assert owners == {"ada-owner", "bo-owner"}


def test_the_review_team_administers_sensitive_repositories_only():
    _, model = _model()
    admin = model.writers("admin-requests")
    assert admin is not None
    assert {r.label for r in admin.routes} == {"org owner", "core (admin)"}
    assert [g.repository for g in model.teams["core"]] == [
        ".cirun",
        "admin-requests",
        "infrastructure",
        "webservices",
    ]


def test_repository_names_compare_ignoring_case():
    _, model = _model()
    assert model.writers("Admin-Requests") is model.writers("admin-requests")


def test_a_child_team_inherits_its_parents_repositories_and_its_members_write_them(tmp_path):
    root = tmp_path / "stack"
    shutil.copytree(FIXTURE_ROOT, root)
    teams = root / "data/github/teams.yaml"
    data = yaml.safe_load(teams.read_text())
    data["bot"]["parent"] = "core"  # help-python is nested under bot already
    teams.write_text(yaml.safe_dump(data))
    people_rule = "validate_no_team_nested_under_sensitive_access"
    project = load_project(root, FIXTURE_STACK, skip=(people_rule, "validate_leak_guard"))
    model = project.writers()
    inherited = {(g.repository, g.via, g.inherited) for g in model.teams["help-python"]}
    assert ("admin-requests", "core", True) in inherited
    writers = model.writers("admin-requests")
    assert writers is not None
    assert writers.outside_core() == ["cy-member", "dee-bot"]
    assert [r.label for r in writers.routes_of("CY-member")] == [
        "help-python, nested under core (admin)"
    ]
    assert writers.audience is Audience.INFRA_MAINTAINERS
    assert model.repository_audience("admin-requests", Audience.CORE)[0] is (
        Audience.INFRA_MAINTAINERS
    )
    assert ("admin-requests", writers.routes_of("cy-member")[0]) in model.access_of("Cy-Member")
    # A parent team's effective members include its descendants'.
    assert not model.team_is_core_only("core")


def test_core_only_teams():
    _, model = _model()
    assert model.team_is_core_only("core")
    assert not model.team_is_core_only("bot")
    assert not model.team_is_core_only("no-such-team")


def test_without_people_every_repository_keeps_its_declared_audience():
    project, _ = _model()
    model = write_model(project.config.github, None)
    assert model.repository_audience("admin-requests", Audience.CORE) == (
        Audience.CORE,
        "admin-requests (core)",
    )


def test_a_repository_s_team_grant_reaches_the_team_and_every_team_nested_under_it():
    """The fixture's staged-recipes grants `push` to `bot`; `help-python` is nested under it."""
    _, model = _model()
    staged = model.writers("staged-recipes")
    assert staged is not None
    assert {(r.login, r.label) for r in staged.routes if r.kind is RouteKind.TEAM} == {
        ("ada-owner", "bot (push)"),
        ("dee-bot", "bot (push)"),
        ("cy-member", "help-python, nested under bot (push)"),
    }
    assert staged.outside_core() == ["cy-member", "dee-bot"]
    assert [(g.repository, g.permission, g.via) for g in model.teams["help-python"]] == [
        ("staged-recipes", "push", "bot")
    ]


def test_a_read_only_team_grant_writes_nothing(tmp_path: Path):
    root = shutil.copytree(FIXTURE_ROOT, tmp_path / "fixture")
    path = root / "data/github/repositories/staged-recipes.yaml"
    data = yaml.safe_load(path.read_text())
    data["teams"][0]["permission"] = "triage"
    path.write_text(yaml.safe_dump(data))
    _, model = _model(root)
    staged = model.writers("staged-recipes")
    assert staged is not None
    assert {r.kind for r in staged.routes} == {RouteKind.OWNER}
    assert [(g.repository, g.permission) for g in model.teams["bot"]] == [
        ("staged-recipes", "triage")
    ]
