"""``cfinfra import-yaml``: conda-forge's three YAML projects in, manifest and stack out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from infra.cli import app
from infra.config.loader import Project, load_project
from infra.config.manifest import GitHubOrgSecretTarget
from infra.switchover.yaml_import.reference import Reference
from infra.switchover.yaml_import.translate import TARGET_KINDS, translate
from infra.switchover.yaml_import.yaml_project import load_yaml_project
from tests.conftest import REPO_ROOT
from tests.switchover.adopt_helpers import copy_projects, edit, project_dirs, runner

ADDED_AFTER_MIGRATION: frozenset[str] = frozenset()
"""Manifest secrets (ids) with YAML-owned targets that the three YAML projects never had. A secret
added to the prod manifest after the switch belongs here; until then the fixtures mirror prod."""


def run_import(output: Path, *extra: str, projects: Iterable[Path] | None = None) -> object:
    args = ["import-yaml", *map(str, projects or project_dirs()), "--output", str(output), *extra]
    return runner.invoke(app, args)


def owned_pairs(project: Project) -> set[tuple[str, str]]:
    """(1Password reference, target) for every target of a kind the YAML projects own."""
    return {
        (e.secret.onepassword.uri, t.model_dump_json())
        for e in project.secrets
        if e.id not in ADDED_AFTER_MIGRATION
        for t in e.secret.targets
        if t.kind in TARGET_KINDS
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The three fixture projects imported with --like the repository root, loaded back."""
    out = tmp_path_factory.mktemp("imported")
    result = run_import(out, "--like", str(REPO_ROOT))
    assert result.exit_code == 0, result.output
    from infra.switchover.yaml_import.check import validate_output

    return validate_output(out, "prod", REPO_ROOT)


@pytest.fixture(scope="module")
def prod() -> Project:
    return load_project(REPO_ROOT, "prod")


def test_import_reproduces_every_secret_and_target_of_the_prod_manifest(imported, prod):
    missing = owned_pairs(prod) - owned_pairs(imported)
    extra = owned_pairs(imported) - owned_pairs(prod)
    hint = "(a secret added to prod after the switch: list it in ADDED_AFTER_MIGRATION)"
    assert not missing, f"in prod but not imported: {sorted(missing)} {hint}"
    assert not extra, f"imported but not in prod: {sorted(extra)}"


def test_import_reproduces_the_repository_list_of_every_org_secret(imported, prod):
    def repos(project: Project) -> dict[str, list[str]]:
        return {
            t.name: t.repositories
            for e in project.secrets
            for t in e.secret.targets
            if isinstance(t, GitHubOrgSecretTarget)
        }

    assert repos(imported) == repos(prod)


def test_import_reproduces_webhooks_variable_groups_and_apps(imported, prod):
    assert imported.config.github.webhooks == prod.config.github.webhooks
    assert imported.config.github.webhook_base_url == prod.config.github.webhook_base_url
    assert imported.config.azure.variable_groups == prod.config.azure.variable_groups
    assert imported.config.azure.projects == prod.config.azure.projects
    assert imported.config.heroku.apps.keys() == prod.config.heroku.apps.keys()


def test_import_keeps_ids_clearance_and_audiences_from_like(imported, prod):
    assert {e.id for e in imported.secrets} == {e.id for e in prod.secrets}
    for entry in imported.secrets:
        twin = next(e for e in prod.secrets if e.id == entry.id)
        assert (entry.secret.sensitivity, entry.secret.cleared_for, entry.secret.owner) == (
            twin.secret.sensitivity,
            twin.secret.cleared_for,
            twin.secret.owner,
        )
    assert imported.config.github.repositories == prod.config.github.repositories


def test_production_token_in_feedstock_builds_is_refused_naming_secret_and_target(tmp_path):
    projects = copy_projects(tmp_path / "yaml")
    edit(
        projects / "sync-secrets-azure" / "Pulumi.yaml",
        "        - name: BINSTAR_TOKEN\n          secretValue: ${staging-binstar-token.credential}",
        "        - name: BINSTAR_TOKEN\n          secretValue: ${prod-binstar-token.credential}",
    )
    result = run_import(tmp_path / "out", "--like", str(REPO_ROOT), projects=project_dirs(projects))
    assert result.exit_code == 3, result.output
    assert "LEAK: secret `prod-binstar-token`" in result.output
    assert "Azure variable feedstock-builds/anaconda-org/BINSTAR_TOKEN" in result.output


def test_without_like_every_secret_is_narrowest_and_every_audience_widest(tmp_path):
    projects = [load_yaml_project(p)[0] for p in project_dirs()]
    result = translate(
        [p for p in projects if p is not None],
        azure_projects={
            "azure-feedstock-project-id": "feedstock-builds",
            "azure-cdt-builds-project-id": "cdt-builds",
        },
    )
    assert {(d["sensitivity"], d["cleared_for"]) for d in result.secrets.values()} == {
        ("critical", "core")
    }
    github, azure = result.config["cfinfra:github"], result.config["cfinfra:azure"]
    audiences = [r["audience"] for r in github["repositories"].values()]
    audiences += [p["audience"] for p in azure["projects"].values()]
    audiences += [a["audience"] for a in result.config["cfinfra:heroku"]["apps"].values()]
    assert set(audiences) == {"public"}
    assert not result.untranslated


def test_without_like_the_leak_guard_still_names_every_delivery(tmp_path):
    result = run_import(
        tmp_path / "out",
        "--azure-project",
        "azure-feedstock-project-id=feedstock-builds",
        "--azure-project",
        "azure-cdt-builds-project-id=cdt-builds",
    )
    assert result.exit_code == 3, result.output
    assert "LEAK: secret `staging-binstar-token`" in result.output


def test_without_like_an_azure_project_it_cannot_name_is_reported_not_guessed(tmp_path):
    projects = [load_yaml_project(p)[0] for p in project_dirs()]
    result = translate([p for p in projects if p is not None])
    assert result.config["cfinfra:azure"]["variable_groups"] == []
    assert any("azure-feedstock-project-id" in f.message for f in result.untranslated)


def test_import_refuses_to_mix_with_an_existing_manifest(tmp_path):
    out = tmp_path / "out"
    assert run_import(out, "--like", str(REPO_ROOT)).exit_code == 0
    again = run_import(out, "--like", str(REPO_ROOT))
    assert again.exit_code == 2
    assert "--overwrite" in again.output
    assert run_import(out, "--like", str(REPO_ROOT), "--overwrite").exit_code == 0


def test_output_does_not_depend_on_the_order_of_projects(tmp_path):
    reference = Reference.load(REPO_ROOT, "prod")
    loaded = [load_yaml_project(p)[0] for p in project_dirs()]
    projects = [p for p in loaded if p is not None]
    first = translate(projects, reference)
    second = translate(list(reversed(projects)), reference)
    assert first == second


def test_an_invalid_like_project_is_refused(tmp_path):
    (tmp_path / "like").mkdir()
    result = run_import(tmp_path / "out", "--like", str(tmp_path / "like"))
    assert result.exit_code == 2
    assert "--like" in result.output
