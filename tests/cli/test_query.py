"""`cfinfra who-can` and `cfinfra access`: answers from the leak guard's own `reach()`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from infra.plan.lineage import secret_lineage

REPO_ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--root", str(REPO_ROOT)], terminal_width=80)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT, "prod")


def test_who_can_read_agrees_with_the_plan_lineage_for_every_secret(project):
    from infra.query.answers import who_can_read

    lineage = {s.secret: s.reaches for s in secret_lineage(project)}
    for entry in project.secrets:
        answer = who_can_read(project, entry.id)
        if answer.targets:
            assert answer.reaches == lineage[entry.id], entry.id


def test_who_can_read_names_each_target_its_audience_and_why():
    code, out = invoke("who-can", "read", "staging-binstar-token", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["reaches"] == "feedstocks"
    assert doc["cleared_for"] == "feedstocks"
    assert all(t["why"] for t in doc["targets"])


def test_who_can_read_as_a_table_fits_80_columns():
    code, out = invoke("who-can", "read", "prod-binstar-token")
    assert code == 0, out
    assert "reaches: core" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_an_unknown_secret_is_exit_2_with_suggestions():
    code, out = invoke("who-can", "read", "prod-binstar-tokn")
    assert code == 2
    assert "did you mean `prod-binstar-token`" in out


def test_who_can_use_a_label_lists_the_feedstocks_granted_it():
    code, out = invoke("who-can", "use", "cirun-macos-m4-large", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["current"] is True
    assert "tensorflow" in {g["feedstock"] for g in doc["grants"]}


def test_access_of_a_person_lists_teams_secrets_and_runner_grants():
    code, out = invoke("access", "wolfv", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert "core" in {t["team"] for t in doc["teams"]}
    assert "prod-binstar-token" in doc["readable_secrets"]
    assert "tensorflow" in {g["feedstock"] for g in doc["runner_grants"]}


def test_access_answers_for_someone_outside_the_org_who_holds_a_runner_grant():
    code, out = invoke("access", "PavelZW", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert (doc["login"], doc["owner"], doc["member"]) == ("pavelzw", False, False)
    assert doc["audience"] == "public"
    assert "pixi-pack" in {g["feedstock"] for g in doc["runner_grants"]}


def test_access_answers_for_every_login_named_in_a_runner_grant(project):
    from infra.query.answers import access_of

    named = {u for e in project.runners.access for g in e.access.cirun for u in g.users or []}
    assert len(named) > 5
    for login in sorted(named):
        answer = access_of(project, login)
        assert answer.runner_grants, login


def test_access_of_someone_holding_no_grant_is_exit_2_with_a_suggestion():
    code, out = invoke("access", "wolfvv")
    assert code == 2
    assert "no person with any grant `wolfvv`" in out
    assert "did you mean `wolfv`" in out


def test_who_can_read_a_secret_delivered_to_miniforge_names_who_can_write_miniforge(project):
    code, out = invoke("who-can", "read", "windows-signing-endpoint", "--json")
    assert code == 0, out
    (miniforge,) = json.loads(out)["repository_writers"]
    assert miniforge["repository"] == "miniforge"
    named = [w["login"] for w in miniforge["writers"]]
    # The leak guard's own model, not a second opinion.
    assert named == project.writers().writers("miniforge").logins()
    assert named
    code, text = invoke("who-can", "read", "windows-signing-endpoint")
    assert "can write miniforge" in text
    assert all(login in text for login in named)


def test_who_can_read_never_cuts_an_identifier_at_80_columns(project):
    for secret in ("azure-feedstock-project-id", "certificate-macos-application-base64"):
        code, out = invoke("who-can", "read", secret)
        assert code == 0, out
        assert "…" not in out
        assert max(len(line) for line in out.splitlines()) <= 80


def test_access_names_the_repositories_a_person_can_write_from_the_write_model(project):
    code, out = invoke("access", "jakirkham", "--json")
    assert code == 0, out
    doc = json.loads(out)
    written = {w["repository"] for w in doc["writable_repositories"]}
    assert written == {repo for repo, _ in project.writers().access_of("jakirkham")}
    assert "miniforge" in written
    code, out = invoke("access", "pavelzw", "--json")
    assert json.loads(out)["writable_repositories"] == []
