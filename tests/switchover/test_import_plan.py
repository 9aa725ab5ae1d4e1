"""``cfinfra import-plan``: the `pulumi import --file` JSON of a plan (the fixture stack's; one
policy test: production's, the organisation admins adopt, builds complete and well-formed)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from infra.cli import app
from infra.config.loader import load_project
from infra.plan.model import Plan
from infra.switchover.import_plan import NOT_IMPORTABLE, RULES, IdMaps, build_import_plan
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT
from tests.switchover.adopt_helpers import runner

ORG_SECRET = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
ORG_HOOK = "github:index/organizationWebhook:OrganizationWebhook"
REPO_HOOK = "github:index/repositoryWebhook:RepositoryWebhook"
GROUP = "azuredevops:index/variableGroup:VariableGroup"


def complete_maps(plan: Plan, root: Path = FIXTURE_ROOT, stack: str = FIXTURE_STACK) -> IdMaps:
    """Fake ids for everything only a live service knows; resources without a rule-made id: new."""
    hooks = {}
    for i, r in enumerate(plan.of_type(ORG_HOOK) + plan.of_type(REPO_HOOK)):
        url = r.inputs["configuration"]["url"]
        key = f"{r.inputs['repository']}:{url}" if r.type == REPO_HOOK else url
        hooks[key] = str(100 + i)
    groups = {r.name: f"project-guid/{i}" for i, r in enumerate(plan.of_type(GROUP))}
    first = build_import_plan(plan, load_project(root, stack), IdMaps(hooks, groups))
    return IdMaps(hooks, groups, {n.key: None for n in first.unresolved})


STACK_ARGS = ["--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK]


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURE_ROOT, FIXTURE_STACK)


def test_every_org_secret_is_imported_by_its_name(fixture_plan, project):
    result = build_import_plan(fixture_plan, project, complete_maps(fixture_plan))
    entries = {e.logical_name: e for e in result.entries if e.type == ORG_SECRET}
    assert len(entries) == len(fixture_plan.of_type(ORG_SECRET)) > 1
    for r in fixture_plan.of_type(ORG_SECRET):
        assert entries[r.name].id == r.inputs["secretName"]


def test_absent_ids_are_unresolved_and_the_known_ones_are_still_written(tmp_path, fixture_plan):
    ids = tmp_path / "ids.json"  # only what the admin has: no hand-written null for the rest
    secret = fixture_plan.of_type(ORG_SECRET)[0]
    ids.write_text(json.dumps({secret.key: "SECRET_FROM_IDS"}), encoding="utf-8")
    out = tmp_path / "import.json"
    args = ["import-plan", *STACK_ARGS, "--output", str(out), "--ids", str(ids)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name[secret.name]["id"] == "SECRET_FROM_IDS"
    assert "webhook-autotickbot" not in by_name
    assert "not complete:" in result.output
    assert "before `pulumi up`" in result.output
    assert (
        "UNRESOLVED github:index/organizationWebhook:OrganizationWebhook::webhook-autotickbot"
        in (result.output)
    )
    assert "gh api --paginate orgs/example-forge/hooks" in result.output


def test_id_files_resolve_webhooks_and_variable_groups(tmp_path, fixture_plan):
    maps = complete_maps(fixture_plan)
    files = {}
    for name, data in (
        ("hooks", maps.webhooks),
        ("groups", maps.variable_groups),
        ("ids", maps.ids),
    ):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "import.json"
    args = ["import-plan", *STACK_ARGS, "--output", str(out)]
    args += ["--webhook-ids", str(files["hooks"])]
    args += ["--variable-group-ids", str(files["groups"]), "--ids", str(files["ids"])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in doc["resources"]}
    assert re.fullmatch(r"staged-recipes/\d+", by_name["webhook-staged-recipes-labeler"]["id"])
    assert by_name["webhook-autotickbot"]["id"].isdigit()
    assert by_name["feedstock-builds-anaconda-org"]["id"].startswith("project-guid/")


def _assert_well_formed(result, stack: str) -> None:
    doc = json.loads(result.to_json())
    names = [r["name"] for r in doc["resources"]]
    assert len(names) == len(set(names))
    for r in doc["resources"]:
        assert r["type"]
        assert r["name"]
        assert r["id"]
        for ref in (r.get("parent"), r.get("provider")):
            assert ref is None or ref in doc["nameTable"]
    for urn in doc["nameTable"].values():
        assert urn.startswith(f"urn:pulumi:{stack}::conda-forge-infra::")
    assert set(result.setup_urns) >= set(doc["nameTable"].values())


def test_every_entry_names_type_name_id_and_known_parent_and_provider(fixture_plan, project):
    result = build_import_plan(fixture_plan, project, complete_maps(fixture_plan))
    _assert_well_formed(result, FIXTURE_STACK)


def test_the_production_import_plan_is_complete_and_well_formed(prod_plan):
    # Policy on production (the organisation admins adopt): with the ids only live services know,
    # every pre-existing resource of prod gets a well-formed entry under prod's own URNs.
    maps = complete_maps(prod_plan, REPO_ROOT, "prod")
    result = build_import_plan(prod_plan, load_project(REPO_ROOT, "prod"), maps)
    assert result.entries
    _assert_well_formed(result, "prod")


def test_a_child_urn_chains_its_parent_type(fixture_plan, project):
    result = build_import_plan(fixture_plan, project, complete_maps(fixture_plan))
    table = json.loads(result.to_json())["nameTable"]
    assert table["cfinfra:github:Webhooks::github-webhooks"] == (
        "urn:pulumi:fixture::conda-forge-infra::cfinfra:github:Webhooks::github-webhooks"
    )
    assert table["pulumi:providers:github::github"].endswith("::pulumi:providers:github::github")


def test_heroku_config_is_never_in_the_import_file(fixture_plan, project):
    result = build_import_plan(fixture_plan, project, complete_maps(fixture_plan))
    assert not [e for e in result.entries if e.type in NOT_IMPORTABLE]
    assert [n for n in result.created if n.key.startswith(tuple(NOT_IMPORTABLE))]


def test_null_in_the_ids_file_means_create_not_import(fixture_plan, project):
    key = f"{ORG_SECRET}::{fixture_plan.of_type(ORG_SECRET)[0].name}"
    maps = complete_maps(fixture_plan)
    result = build_import_plan(
        fixture_plan, project, IdMaps(maps.webhooks, maps.variable_groups, {**maps.ids, key: None})
    )
    assert key not in {f"{e.type}::{e.logical_name}" for e in result.entries}
    assert any(n.key == key for n in result.created)


def test_output_is_deterministic(fixture_plan, project):
    maps = complete_maps(fixture_plan)
    assert (
        build_import_plan(fixture_plan, project, maps).to_json()
        == build_import_plan(fixture_plan, project, maps).to_json()
    )


@pytest.mark.parametrize("token", sorted([*RULES, *NOT_IMPORTABLE]))
def test_every_type_with_an_import_rule_exists_in_the_installed_sdks(token):
    package = {
        "github": "pulumi_github",
        "azuredevops": "pulumi_azuredevops",
        "heroku": "pulumiverse_heroku",
    }[token.split(":", 1)[0]]
    spec = importlib.util.find_spec(package)
    assert spec is not None
    assert spec.submodule_search_locations
    folder = Path(spec.submodule_search_locations[0])
    needle = f'"{token}"'
    assert any(needle in p.read_text(encoding="utf-8") for p in Path(folder).rglob("*.py")), token


def test_the_production_environment_and_its_branch_policy_are_adopted_not_posted(prod_plan):
    """A policy's Create is a POST that fails on an existing one (PB-10): adopt it by id."""
    result = build_import_plan(prod_plan, load_project(REPO_ROOT, "prod"), IdMaps({}, {}))
    env_t = "github:index/repositoryEnvironment:RepositoryEnvironment"
    policy_t = (
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
    )
    envs = {e.id for e in result.entries if e.type == env_t}
    assert "infrastructure:production" in envs
    waiting = {n.key: n for n in result.unresolved if n.key.startswith(policy_t)}
    assert f"{policy_t}::conda-forge/infrastructure/production/branch/main" in waiting
    assert all("deployment-branch-policies" in n.hint for n in waiting.values())
