"""The leak guard reasons on GitHub's access model: each route of issue 27 is refused.

Each test makes the edit an attacker with a pull request (or a hurried reviewer) would make to a
copy of the fixture stack and runs the real `cfinfra validate`: exit 2 (3 for a leak), the file and
key path named, the reason in words. Every one of them passed validation before the
repository-write model (``infra.config.write_access``) and the identity rules existed.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_STACK
from tests.stack_edits import edit_yaml, refused_by_validate

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


edit = edit_yaml


def validate(root: Path) -> str:
    return refused_by_validate(root, FIXTURE_STACK)


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


# --- point 4: environment names are case-insensitive ----------------------------------------------


def test_two_environments_of_one_repository_differing_only_in_case_are_refused(fixture_copy):
    def stack(d):
        envs = d["config"]["cfinfra:github"]["environments"]
        envs["extra"] = {
            "repository": "infrastructure",
            "branches": ["main"],
            "reviewers": ["core"],
        }
        envs["Extra"] = {"repository": "infrastructure"}

    edit(fixture_copy / STACK_FILE, stack)
    out = validate(fixture_copy)
    assert f"{STACK_FILE}: config.cfinfra:github.environments.Extra:" in out
    assert "`Extra` is environment `extra` of infrastructure" in out


def test_a_production_beside_production_is_refused(fixture_copy):
    edit(
        fixture_copy / STACK_FILE,
        lambda d: d["config"]["cfinfra:github"]["environments"].update(
            {"Production": {"repository": "infrastructure"}}
        ),
    )
    out = validate(fixture_copy)
    assert "`Production` is environment `production` of infrastructure" in out


# --- point 5: a provider credential stays critical, core and with its provider --------------------

GITHUB_KEY = "secrets/github-runner-app-key.yaml"


def test_a_relabelled_provider_credential_shared_with_every_repository_is_refused(fixture_copy):
    def relabel(d):
        d.update(sensitivity="public", cleared_for="public")
        d["targets"].append({"kind": "github-org-secret", "name": "APP_KEY", "visibility": "all"})

    edit(fixture_copy / GITHUB_KEY, relabel)
    out = validate(fixture_copy)
    assert (
        f"{GITHUB_KEY}: sensitivity: a credential of the github provider is always `critical`"
        in out
    )
    assert (
        f"{GITHUB_KEY}: cleared_for: a credential of the github provider is cleared for `core`"
        in out
    )
    assert (
        f"{GITHUB_KEY}: targets[1]: a credential of the github provider is delivered to its " in out
    )


def test_a_provider_credential_cleared_wider_than_core_is_refused(fixture_copy):
    edit(fixture_copy / GITHUB_KEY, lambda d: d.update(cleared_for="infra-maintainers"))
    out = validate(fixture_copy)
    assert (
        f"{GITHUB_KEY}: cleared_for: a credential of the github provider is cleared for `core`"
        in out
    )


def test_a_provider_credential_in_a_core_only_org_secret_is_still_refused(fixture_copy):
    edit(
        fixture_copy / GITHUB_KEY,
        lambda d: d["targets"].append(
            {
                "kind": "github-org-secret",
                "name": "APP_KEY",
                "visibility": "selected",
                "repositories": ["admin-requests"],
            }
        ),
    )
    out = validate(fixture_copy)
    assert "not to GitHub org secret APP_KEY" in out


def test_a_provider_credential_shared_through_the_feedstock_azure_group_is_refused(fixture_copy):
    def share(d):
        d.update(sensitivity="internal", cleared_for="feedstocks")
        d["targets"].append(
            {
                "kind": "azure-variable",
                "project": "feedstock-builds",
                "group": "anaconda-org",
                "variable": "GH_APP_KEY",
            }
        )

    edit(fixture_copy / GITHUB_KEY, share)
    out = validate(fixture_copy)
    assert "not to Azure variable feedstock-builds/anaconda-org/GH_APP_KEY" in out


def test_a_provider_credential_authenticates_one_provider(fixture_copy):
    edit(
        fixture_copy / GITHUB_KEY,
        lambda d: d["targets"].append(
            {"kind": "provider-credential", "provider": "heroku", "input": "api_key"}
        ),
    )
    out = validate(fixture_copy)
    assert "authenticates one provider: not also heroku provider credential api_key" in out


def test_the_prod_github_token_relabelled_public_in_an_org_secret_for_all_is_refused(
    project_copy,
):
    # Issue 27's exact route, on the production data: the org owner's token, relabelled.
    path = project_copy / "secrets/gh-pulumi-runner-token.yaml"

    def relabel(d):
        d.update(sensitivity="public", cleared_for="public")
        d["targets"].append({"kind": "github-org-secret", "name": "GH_X", "visibility": "all"})

    edit(path, relabel)
    result = CliRunner().invoke(app, ["validate", "--stack", "prod", "--root", str(project_copy)])
    assert result.exit_code in (2, 3), result.output
    assert "secrets/gh-pulumi-runner-token.yaml: cleared_for:" in result.output
    assert "not to GitHub org secret GH_X" in result.output
