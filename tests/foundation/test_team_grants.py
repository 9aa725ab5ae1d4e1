"""Team repository grants (`teams` of a repository's data file) in the repository-write model.

A team granted `push` or above on a repository can run its workflows, so every member of the team
and of every team nested under it can read the secrets delivered there. The leak guard, `who-can`,
`access` and the plan all see the same grants; each hostile edit below runs the real
`cfinfra validate` on a copy of the fixture stack.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.stack_edits import edit_yaml, refused_by_validate

REPOS = "data/github/repositories"
TEAM_REPO_T = "github:index/teamRepository:TeamRepository"
runner = CliRunner()


def grant(root: Path, repo: str, *entries: dict[str, str]) -> None:
    def add(d: dict) -> None:
        d.setdefault("teams", []).extend({"evidence": "a hostile edit", **e} for e in entries)

    edit_yaml(root / f"{REPOS}/{repo}.yaml", add)


def validate(root: Path) -> str:
    return refused_by_validate(root, FIXTURE_STACK)


@pytest.mark.parametrize("spelled", ["bot", "Bot"])
def test_a_push_grant_to_a_non_core_team_where_a_core_secret_is_delivered_is_a_leak(
    fixture_copy: Path, spelled: str
) -> None:
    # admin-requests receives the production upload token (cleared for core); bot's dee-bot and
    # help-python's cy-member (nested under bot) are not core.
    grant(fixture_copy, "admin-requests", {"team": spelled, "permission": "push"})
    out = validate(fixture_copy)
    assert "LEAK: secret `prod-upload-token`" in out
    assert "dee-bot" in out
    assert "cy-member" in out
    assert "bot (push)" in out


def test_a_triage_grant_writes_nothing_and_leaks_nothing(fixture_copy: Path) -> None:
    grant(fixture_copy, "admin-requests", {"team": "bot", "permission": "triage"})
    result = runner.invoke(app, ["validate", "--stack", FIXTURE_STACK, "--root", str(fixture_copy)])
    assert result.exit_code == 0, result.output


def test_a_grant_to_a_team_that_is_not_managed_is_refused(fixture_copy: Path) -> None:
    grant(fixture_copy, "staged-recipes", {"team": "feedstock-maintainers", "permission": "pull"})
    out = validate(fixture_copy)
    assert (
        f"{REPOS}/staged-recipes.yaml: teams[1].team: `feedstock-maintainers` is not a team" in out
    )


def test_a_team_listed_twice_ignoring_case_is_refused(fixture_copy: Path) -> None:
    grant(fixture_copy, "staged-recipes", {"team": "BOT", "permission": "pull"})
    out = validate(fixture_copy)
    assert f"{REPOS}/staged-recipes.yaml: teams:" in out
    assert "teams listed twice (ignoring case): bot" in out


def test_a_permission_github_does_not_know_is_refused(fixture_copy: Path) -> None:
    # `write` is the role GitHub's web pages show; the API and the provider take `push`.
    grant(fixture_copy, "webservices", {"team": "bot", "permission": "write"})
    out = validate(fixture_copy)
    assert f"{REPOS}/webservices.yaml: teams[0].permission" in out


def test_the_review_team_s_own_grant_listed_again_is_refused(fixture_copy: Path) -> None:
    grant(fixture_copy, "webservices", {"team": "core", "permission": "push"})
    out = validate(fixture_copy)
    assert f"{REPOS}/webservices.yaml: teams[0].team: `core` is the review team" in out


def test_a_grant_under_a_team_nested_beneath_it_is_refused_on_a_sensitive_repository(
    fixture_copy: Path,
) -> None:
    """help-python is nested under bot: bot's push on a sensitive repository reaches it."""
    grant(fixture_copy, "webservices", {"team": "bot", "permission": "push"})
    out = validate(fixture_copy)
    assert "data/github/teams.yaml: help-python.parent: `help-python` is nested under `bot`" in out


def test_who_can_and_access_see_a_team_grant_and_its_inheritance() -> None:
    where = ["--stack", FIXTURE_STACK, "--root", str(FIXTURE_ROOT)]
    who = runner.invoke(app, ["who-can", "read", "webservices-token", *where], terminal_width=80)
    assert who.exit_code == 0, who.output
    said = " ".join(who.output.split())  # the console wraps at 80 columns
    assert "as bot (push): dee-bot" in said
    assert "as help-python, nested under bot (push): cy-member" in said
    person = runner.invoke(app, ["access", "CY-MEMBER", *where])
    assert person.exit_code == 0, person.output
    said = " ".join(person.output.split())
    assert "can write: staged-recipes (as help-python, nested under bot (push))" in said
    assert "webservices-token" in said


def test_a_recorded_grant_is_imported_and_an_unrecorded_one_created(fixture_copy: Path) -> None:
    grant(fixture_copy, "staged-recipes", {"team": "emeritus-core", "permission": "triage"})
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    grants = {r.name: r for r in plan.of_type(TEAM_REPO_T)}
    bot = grants["example-forge/staged-recipes/bot"]
    assert bot.inputs["permission"] == "push"
    assert bot.inputs["teamId"] == "bot"  # the Team resource's id: GitHub's numeric id live
    assert bot.import_id == "bot:staged-recipes"  # recorded in adopted.yaml
    emeritus = grants["example-forge/staged-recipes/emeritus-core"]
    assert emeritus.inputs["permission"] == "triage"
    assert emeritus.import_id is None  # not recorded: created (a PUT), never imported


def test_the_pr_diff_labels_a_new_push_grant_that_lets_someone_read_a_secret(
    fixture_copy: Path, fixture_plan, tmp_path: Path
) -> None:
    """emeritus-core's eve-emeritus is not core; staged-recipes receives WEBSERVICES_TOKEN."""
    grant(fixture_copy, "staged-recipes", {"team": "emeritus-core", "permission": "push"})
    head = plan_stack(fixture_copy, FIXTURE_STACK)
    fixture_plan.write(tmp_path / "base.json")
    head.write(tmp_path / "head.json")
    args = ["--base-plan", str(tmp_path / "base.json"), "--head-plan", str(tmp_path / "head.json")]
    result = runner.invoke(app, ["diff", *args])
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "`secret-reader-added`" in md
    [line] = [x for x in md.splitlines() if x.startswith("- ⚠️ `eve-emeritus`")]
    assert "+write on staged-recipes" in line
    assert "reads 1 org secret(s) there: `WEBSERVICES_TOKEN`" in line


def test_a_grant_recorded_in_another_case_is_still_the_recorded_grant(fixture_copy: Path) -> None:
    """GitHub compares repository names and team slugs ignoring case: so does the record."""
    edit_yaml(
        fixture_copy / "data/github/adopted.yaml",
        lambda d: d.update(repositories={"Staged-Recipes": ["bot"]}),
    )
    edit_yaml(
        fixture_copy / f"{REPOS}/staged-recipes.yaml", lambda d: d["teams"][0].update(team="BOT")
    )
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    [bot] = [r for r in plan.of_type(TEAM_REPO_T) if r.name.endswith("/bot")]
    assert bot.name == "example-forge/staged-recipes/bot"  # the URN keeps the slug's spelling
    assert bot.import_id == "bot:staged-recipes"
