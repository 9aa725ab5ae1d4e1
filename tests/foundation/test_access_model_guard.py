"""The leak guard reasons on GitHub's access model: each route of issue 27 is refused.

Each test makes the edit an attacker with a pull request (or a hurried reviewer) would make to a
copy of the fixture stack and runs the real `cfinfra validate`: exit 2 (3 for a leak), the file and
key path named, the reason in words. Every one of them passed validation before the
repository-write model (``infra.config.write_access``) and the identity rules existed.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_STACK

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


def edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def validate(root: Path) -> str:
    result = CliRunner().invoke(app, ["validate", "--stack", FIXTURE_STACK, "--root", str(root)])
    # 2: invalid configuration; 3: a leak among the problems.
    expected = 3 if "LEAK:" in result.output else 2
    assert result.exit_code == expected, result.output
    assert "Traceback" not in result.output
    return result.output


def nest(root: Path, child: str, parent: str) -> None:
    edit(root / "data/github/teams.yaml", lambda d: d[child].update(parent=parent))


def add_team(root: Path, slug: str, rows: list[tuple[str, str]], **spec) -> None:
    edit(root / "data/github/teams.yaml", lambda d: d.update({slug: {"description": slug, **spec}}))
    lines = ["name,github,role", *(f"{name},{login},{role}" for login, name, role in rows)]
    (root / f"data/github/teams/{slug}.csv").write_text("\n".join(lines) + "\n")


# --- point 2: a child team inherits its parent's repository access --------------------------------


def test_a_team_nested_under_core_is_refused(fixture_copy):
    # help-python's member is not core; nested under core, they inherit core's admin on every
    # sensitive repository (admin-requests and webservices read the production upload token).
    nest(fixture_copy, "help-python", "core")
    out = validate(fixture_copy)
    assert "data/github/teams.yaml: help-python.parent:" in out
    assert "nested under `core`" in out


def test_a_team_nested_under_core_widens_every_repository_core_writes(fixture_copy):
    nest(fixture_copy, "help-python", "core")
    out = validate(fixture_copy)
    assert "LEAK: secret `prod-upload-token`" in out
    assert "cy-member" in out  # the person who could read it, named
    assert "help-python, nested under core (admin)" in out


def test_a_team_nested_two_levels_under_core_is_refused(fixture_copy):
    nest(fixture_copy, "bot", "core")
    nest(fixture_copy, "help-python", "bot")  # already nested under bot in the fixture
    out = validate(fixture_copy)
    assert "help-python.parent:" in out or "bot.parent:" in out
    assert "LEAK: secret `prod-upload-token`" in out
    assert "help-python, nested under core (admin)" in out


# --- point 3: approval by a team that also pushes is no core approval ----------------------------


def _staged_recipes_review(root: Path) -> None:
    add_team(root, "staged-recipes", [("cy-member", "Cy Member", "member")], protect=True)

    def stack(d):
        github = d["config"]["cfinfra:github"]
        github["rulesets"]["review_team"] = "staged-recipes"
        github["environments"]["recipes-deploy"] = {
            "repository": "staged-recipes",
            "branches": ["main"],
            "reviewers": ["staged-recipes"],
        }

    edit(root / STACK_FILE, stack)
    edit(
        root / "secrets/reports-token.yaml",
        lambda d: d["targets"].append(
            {
                "kind": "github-environment-secret",
                "environment": "recipes-deploy",
                "name": "REPORTS_TOKEN",
            }
        ),
    )


def test_an_environment_approved_by_a_non_core_review_team_is_not_core(fixture_copy):
    _staged_recipes_review(fixture_copy)
    out = validate(fixture_copy)
    assert "LEAK: secret `reports-token` is cleared for `core`" in out
    assert "environment recipes-deploy of staged-recipes" in out
    assert "reviewers staged-recipes are not core people only" in out


def test_a_non_core_review_team_gets_admin_on_sensitive_repositories_and_is_counted(
    fixture_copy,
):
    _staged_recipes_review(fixture_copy)
    out = validate(fixture_copy)
    # The review team is granted admin on every sensitive repository: its members write them.
    assert "LEAK: secret `prod-upload-token`" in out
    assert "staged-recipes (admin)" in out


def test_an_environment_of_a_repository_written_outside_core_is_not_core_approved(
    fixture_copy,
):
    # Reviewers are core, but people outside core push what core then approves.
    def stack(d):
        d["config"]["cfinfra:github"]["environments"]["recipes-deploy"] = {
            "repository": "staged-recipes",
            "branches": ["main"],
            "reviewers": ["core"],
        }

    edit(fixture_copy / STACK_FILE, stack)
    edit(
        fixture_copy / "secrets/reports-token.yaml",
        lambda d: d["targets"].append(
            {"kind": "github-environment-secret", "environment": "recipes-deploy", "name": "T"}
        ),
    )
    out = validate(fixture_copy)
    assert "LEAK: secret `reports-token`" in out
    assert "people outside core can push what its reviewers approve" in out
