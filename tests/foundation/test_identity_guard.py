"""The leak guard reasons on identities: each route of issue 14 that passed on names is refused.

Each test makes the edit an attacker (or a hurried reviewer) would make to a copy of the fixture
stack (tests/fixtures/stack) and runs the real `cfinfra validate`: exit 2 (3 for a leak), the file
and key path named, the reason in words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_STACK
from tests.stack_edits import edit_yaml, refused_by_validate

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


edit = edit_yaml


def validate(root: Path) -> str:
    return refused_by_validate(root, FIXTURE_STACK)


def _prod_token_to(root: Path, target: dict) -> None:
    edit(root / "secrets/prod-upload-token.yaml", lambda d: d["targets"].append(target))


# --- route 1: a second Azure project key reading the feedstock-builds id ---


def _second_azure_project(root: Path) -> None:
    def stack(d):
        azure = d["config"]["cfinfra:azure"]
        azure["projects"]["cdt-builds-2"] = {"audience": "core"}
        azure["variable_groups"].append(
            {"project": "cdt-builds-2", "name": "anaconda-org", "allow_access": True}
        )

    edit(root / STACK_FILE, stack)
    _prod_token_to(
        root,
        {
            "kind": "azure-variable",
            "project": "cdt-builds-2",
            "group": "anaconda-org",
            "variable": "BINSTAR_TOKEN",
        },
    )


def test_a_second_project_key_cannot_take_its_id_from_another_projects_secret(fixture_copy):
    _second_azure_project(fixture_copy)
    edit(
        fixture_copy / "secrets/feedstock-builds-project-id.yaml",
        lambda d: d["targets"].append({"kind": "azure-project-id", "project": "cdt-builds-2"}),
    )
    out = validate(fixture_copy)
    assert "secrets/feedstock-builds-project-id.yaml: targets[1]:" in out
    assert "supplies the id of exactly one project" in out


@pytest.mark.parametrize("field", ["credential", "username"])
def test_a_second_project_key_cannot_read_another_projects_id_item(fixture_copy, field):
    _second_azure_project(fixture_copy)
    (fixture_copy / "secrets/feedstock-builds-project-id-2.yaml").write_text(
        "description: Id of the Azure DevOps project cdt-builds-2 (not secret)\n"
        "owner: core\n"
        f"onepassword: {{vault: pulumi, item: feedstock-builds-project-id, field: {field}}}\n"
        "sensitivity: public\ncleared_for: core\n"
        "rotation: {max_age_days: 3650, mode: manual}\n"
        "targets:\n- {kind: azure-project-id, project: cdt-builds-2}\n"
    )
    out = validate(fixture_copy)
    # Whichever of the two entries comes second is named; the reason is the shared item.
    assert ": onepassword: " in out
    assert "one item, one project" in out or "is already declared by secret" in out


# --- route 2: swapped 1Password references ---


def test_swapping_1password_items_between_entries_is_refused(fixture_copy):
    def point(item):
        return lambda d: d["onepassword"].update(item=item)

    edit(fixture_copy / "secrets/staging-upload-token.yaml", point("prod-upload-token"))
    edit(fixture_copy / "secrets/prod-upload-token.yaml", point("prod-upload-token-v2"))
    out = validate(fixture_copy)
    assert (
        "secrets/staging-upload-token.yaml: onepassword.item: secret `staging-upload-token`" in out
    )
    assert "secrets/prod-upload-token.yaml: onepassword.item: secret `prod-upload-token`" in out
    assert "rename the entry with it" in out


def test_renaming_an_entry_with_its_item_is_allowed(fixture_copy):
    old = fixture_copy / "secrets/staging-upload-token.yaml"
    new = fixture_copy / "secrets/staging-upload-token-v2.yaml"
    old.rename(new)
    edit(new, lambda d: d["onepassword"].update(item="staging-upload-token-v2"))
    result = CliRunner().invoke(
        app, ["validate", "--stack", FIXTURE_STACK, "--root", str(fixture_copy)]
    )
    assert "staging-upload-token-v2.yaml: onepassword.item" not in result.output


# --- route 3: a case variant of a repository ---


def test_a_case_variant_of_a_declared_repository_is_refused(fixture_copy):
    repos = fixture_copy / "data/github/repositories"
    (repos / "Staged-Recipes.yaml").write_text("audience: core\n")
    edit(
        fixture_copy / "secrets/prod-upload-token.yaml",
        lambda d: d["targets"][0]["repositories"].append("Staged-Recipes"),
    )
    out = validate(fixture_copy)
    assert (
        "data/github/repositories/staged-recipes.yaml: `staged-recipes` is `Staged-Recipes`" in out
    )
    assert "case-insensitive" in out
    # The audience is the wider of the two spellings': GitHub acts on one repository.
    assert "LEAK: secret `prod-upload-token`" in out


def test_a_case_variant_reference_gets_the_audience_of_the_repository_it_names(fixture_copy):
    edit(
        fixture_copy / "secrets/prod-upload-token.yaml",
        lambda d: d["targets"][0]["repositories"].append("STAGED-recipes"),
    )
    out = validate(fixture_copy)
    assert "write `staged-recipes` as declared" in out
    assert "LEAK: secret `prod-upload-token`" in out
    assert "reaches `infra-maintainers`" in out


# --- service-level name rules ---


def test_an_org_secret_named_github_star_is_refused(fixture_copy):
    edit(
        fixture_copy / "secrets/staging-upload-token.yaml",
        lambda d: d["targets"][0].update(name="GITHUB_STAGING_TOKEN"),
    )
    out = validate(fixture_copy)
    assert "GitHub refuses secret names starting with `GITHUB_`" in out


@pytest.mark.parametrize("name", ["..", ".", "tools.git", "Tools.GIT"])
def test_a_repository_name_github_refuses_is_refused(fixture_copy, name):
    (fixture_copy / f"data/github/repositories/{name}.yaml").write_text("audience: core\n")
    out = validate(fixture_copy)
    assert f"data/github/repositories/{name}.yaml: the file name is the repository's id" in out


def test_a_nul_in_a_description_is_refused(fixture_copy):
    path = fixture_copy / "secrets/staging-upload-token.yaml"
    text = path.read_text().replace("description: ", 'description: "nul\\0" #', 1)
    path.write_text(text)
    out = validate(fixture_copy)
    assert "secrets/staging-upload-token.yaml: description: control characters" in out


def test_an_empty_core_team_is_refused(fixture_copy):
    (fixture_copy / "data/github/teams/core.csv").write_text("name,github\n")
    out = validate(fixture_copy)
    assert "data/github/teams/core.csv: the core team has no members" in out


# --- credentials in clear-text inputs ---

GITHUB_TOKEN_LIKE = "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"
AWS_KEY_LIKE = "AKIA" + "IOSFODNN7EXAMPL3"


def test_a_token_pasted_into_a_description_is_refused_without_printing_it(fixture_copy):
    edit(
        fixture_copy / "secrets/staging-upload-token.yaml",
        lambda d: d.update(description=f"Staging token (old one was {GITHUB_TOKEN_LIKE})"),
    )
    out = validate(fixture_copy)
    assert (
        "secrets/staging-upload-token.yaml: description: this value looks like a credential" in out
    )
    assert GITHUB_TOKEN_LIKE not in out


def test_a_credential_in_a_plain_config_var_is_refused(fixture_copy):
    def stack(d):
        app = d["config"]["cfinfra:heroku"]["apps"]["example-forge"]
        app.setdefault("vars", {})["SOME_SETTING"] = AWS_KEY_LIKE

    edit(fixture_copy / STACK_FILE, stack)
    out = validate(fixture_copy)
    assert "cfinfra:heroku.apps.example-forge.vars.SOME_SETTING: this value looks like" in out
    assert AWS_KEY_LIKE not in out


def test_a_credential_in_a_runner_request_is_refused(fixture_copy, tmp_path, monkeypatch):
    request = tmp_path / "request.yml"
    request.write_text(f"action: cirun\nfeedstocks: [numpy]\nnote: {GITHUB_TOKEN_LIKE}\n")
    monkeypatch.chdir(fixture_copy)
    result = CliRunner().invoke(app, ["runners", "apply-request", str(request), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert "note: this value looks like a credential" in result.output
    assert GITHUB_TOKEN_LIKE not in result.output


@pytest.mark.parametrize(
    ("file", "row"),
    [
        ("data/github/members.csv", "{token},mallory"),
        ("data/github/teams/core.csv", "x,{token},member"),
    ],
)
def test_a_credential_in_a_people_file_is_refused_by_cell_without_printing_it(
    fixture_copy, file, row
):
    path = fixture_copy / file
    text = path.read_text()
    path.write_text(text + row.format(token=GITHUB_TOKEN_LIKE) + "\n")
    out = validate(fixture_copy)
    column = "name" if row.startswith("{") else "github"
    line = len(text.splitlines()) + 1
    assert f"{file}: row {line}, column {column}: this value looks like a credential" in out
    assert GITHUB_TOKEN_LIKE not in out


def test_a_control_character_in_a_people_file_is_refused(fixture_copy):
    path = fixture_copy / "data/github/members.csv"
    path.write_text(path.read_text() + "Mallory\x1b[2J,mallory\n")
    out = validate(fixture_copy)
    assert "data/github/members.csv: row " in out
    assert "control characters are not allowed" in out


def test_one_scanner_session_for_a_load_still_refuses_every_file_and_restores_settings(
    fixture_copy,
):
    # `load_project` switches the scanner's settings once for every file (infra.config.secretscan
    # .scanning): a credential in the first file read and one in a later file are both refused,
    # and the process-global scanner settings are what they were before the load.
    from detect_secrets.settings import get_settings

    before = get_settings().json()

    def stack(d):
        app = d["config"]["cfinfra:heroku"]["apps"]["example-forge"]
        app.setdefault("vars", {})["SOME_SETTING"] = AWS_KEY_LIKE

    edit(fixture_copy / STACK_FILE, stack)
    edit(
        fixture_copy / "secrets/staging-upload-token.yaml",
        lambda d: d.update(description=f"Staging token (old one was {GITHUB_TOKEN_LIKE})"),
    )
    out = validate(fixture_copy)
    assert "cfinfra:heroku.apps.example-forge.vars.SOME_SETTING: this value looks like" in out
    assert "secrets/staging-upload-token.yaml: description: this value looks like" in out
    assert AWS_KEY_LIKE not in out
    assert GITHUB_TOKEN_LIKE not in out
    assert get_settings().json() == before
