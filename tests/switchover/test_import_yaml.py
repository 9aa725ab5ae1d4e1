"""``cfinfra import-yaml``: conda-forge's three YAML projects in, manifest and stack out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from infra.cli import app
from infra.config.loader import Project, load_project
from infra.config.manifest import GitHubOrgSecretTarget
from infra.switchover.yaml_import.reference import Reference
from infra.switchover.yaml_import.translate import translate
from infra.switchover.yaml_import.yaml_project import load_yaml_project
from tests.conftest import REPO_ROOT
from tests.switchover.adopt_helpers import copy_projects, edit, project_dirs, runner


def run_import(output: Path, *extra: str, projects: Iterable[Path] | None = None) -> object:
    args = ["import-yaml", *map(str, projects or project_dirs()), "--output", str(output), *extra]
    return runner.invoke(app, args)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The three fixture projects imported with --like the repository root, loaded back."""
    out = tmp_path_factory.mktemp("imported")
    result = run_import(out, "--like", str(REPO_ROOT))
    assert result.exit_code == 0, result.output
    from infra.switchover.yaml_import.check import validate_output

    return validate_output(out, "prod", REPO_ROOT)


def yaml_deliveries() -> set[tuple[str, str, str]]:
    """(kind, where, name) of every secret delivery the three YAML projects declare: the oracle,
    read from the fixture projects themselves (never from production's data)."""
    out: set[tuple[str, str, str]] = set()
    for folder in project_dirs():
        doc = yaml.safe_load((folder / "Pulumi.yaml").read_text(encoding="utf-8"))
        for resource in doc.get("resources", {}).values():
            kind, props = resource["type"], resource.get("properties", {})
            if kind == "github:ActionsOrganizationSecret":
                out.add(("github-org-secret", props["visibility"], props["secretName"]))
            elif kind in ("github:OrganizationWebhook", "github:RepositoryWebhook"):
                out.add(("github-webhook-secret", "", props["configuration"]["url"]))
            elif kind == "heroku:app:ConfigAssociation":
                out |= {("heroku-config-var", "", var) for var in props["sensitiveVars"]}
            elif kind == "azuredevops:VariableGroup":
                out |= {("azure-variable", props["name"], v["name"]) for v in props["variables"]}
    return out


def yaml_items() -> set[str]:
    """The 1Password items the YAML projects read."""
    items = set()
    for folder in project_dirs():
        doc = yaml.safe_load((folder / "Pulumi.yaml").read_text(encoding="utf-8"))
        for v in doc.get("variables", {}).values():
            call = v.get("fn::invoke", {}) if isinstance(v, dict) else {}
            if call.get("function") == "onepassword:getItem":
                items.add(call["arguments"]["title"])
    return items


def imported_deliveries(project: Project) -> set[tuple[str, str, str]]:
    """The deliveries of the translated secrets (not of those carried over from --like)."""
    hooks = project.config.github.webhooks
    base = project.config.github.webhook_base_url
    items = yaml_items()
    out: set[tuple[str, str, str]] = set()
    for e in project.secrets:
        if e.secret.onepassword.item not in items:
            continue
        for t in e.secret.targets:
            if isinstance(t, GitHubOrgSecretTarget):
                out.add((t.kind, t.visibility.value, t.name))
            elif t.kind == "github-webhook-secret":
                out.add((t.kind, "", base + hooks[t.webhook].path))
            elif t.kind == "heroku-config-var":
                out.add((t.kind, "", t.var))
            elif t.kind == "azure-variable":
                out.add((t.kind, t.group, t.variable))
            elif t.kind == "github-environment-secret":
                out.add((t.kind, t.environment, t.name))
    return out


# The deploy's 1Password token, an org secret selected for `infrastructure` in the YAML projects,
# becomes a secret of the `production` environment (docs/threat-model.md): only approved deploy
# jobs read it.
MOVED = {
    ("github-org-secret", "selected", "OP_SERVICE_ACCOUNT_TOKEN"): (
        "github-environment-secret",
        "production",
        "OP_SERVICE_ACCOUNT_TOKEN",
    )
}


def test_import_translates_every_secret_delivery_of_the_yaml_projects(imported):
    expected = {MOVED.get(d, d) for d in yaml_deliveries()}
    assert imported_deliveries(imported) == expected


def test_import_selects_each_org_secret_s_repositories_as_the_yaml_projects_do(imported):
    doc = yaml.safe_load((project_dirs()[0].parent / "sync-secrets-gha/Pulumi.yaml").read_text())
    repos = {
        key: v["fn::invoke"]["arguments"]["fullName"].split("/")[1]
        for key, v in doc["variables"].items()
        if v.get("fn::invoke", {}).get("function") == "github:getRepository"
    }
    resources = doc["resources"]
    expected = {}
    for r in resources.values():
        if r["type"] == "github:ActionsOrganizationSecretRepositories":
            secret_key = r["properties"]["secretName"].removeprefix("${").split(".")[0]
            name = resources[secret_key]["properties"]["secretName"]
            refs = r["properties"]["selectedRepositoryIds"]
            if ("github-org-secret", "selected", name) not in MOVED:
                expected[name] = sorted(repos[ref.removeprefix("${").split(".")[0]] for ref in refs)
    items = yaml_items()
    selected = {
        t.name: sorted(t.repositories)
        for e in imported.secrets
        if e.secret.onepassword.item in items
        for t in e.secret.targets
        if isinstance(t, GitHubOrgSecretTarget) and t.visibility.value == "selected"
    }
    assert selected == expected


def test_an_imported_secret_takes_id_clearance_and_owner_from_its_item_in_like(imported):
    like = {e.secret.onepassword.uri: e for e in load_project(REPO_ROOT, "prod").secrets}
    matched = [e for e in imported.secrets if e.secret.onepassword.uri in like]
    assert matched
    for entry in matched:
        twin = like[entry.secret.onepassword.uri]
        assert entry.id == twin.id
        assert (entry.secret.sensitivity, entry.secret.cleared_for, entry.secret.owner) == (
            twin.secret.sensitivity,
            twin.secret.cleared_for,
            twin.secret.owner,
        )


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
