"""The prod plan reaches exact parity with conda-forge's three Pulumi YAML projects."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from infra.cli import app
from infra.sources.offline import PLACEHOLDER_PREFIX
from tests.conftest import REPO_ROOT
from tests.foundation.inventory import HEROKU_SENSITIVE_VARS, ORG_SECRETS, ORG_WEBHOOK_URLS

SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
REPOS_T = "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories"
ORG_HOOK_T = "github:index/organizationWebhook:OrganizationWebhook"
REPO_HOOK_T = "github:index/repositoryWebhook:RepositoryWebhook"
VG_T = "azuredevops:index/variableGroup:VariableGroup"
HEROKU_T = "heroku:app/configAssociation:ConfigAssociation"


def test_every_org_secret_of_the_inventory_is_declared_with_its_visibility(prod_plan):
    secrets = {r.inputs["secretName"]: r for r in prod_plan.of_type(SECRET_T)}
    assert set(secrets) == set(ORG_SECRETS)
    for name, repos in ORG_SECRETS.items():
        assert secrets[name].inputs["visibility"] == ("all" if repos is None else "selected")
        assert secrets[name].inputs["value"] == "[secret]"
        assert secrets[name].retain_on_delete, name


def test_selected_secrets_select_exactly_the_inventorys_repositories(prod_plan):
    selections = {
        r.inputs["secretName"]: r.inputs["selectedRepositoryIds"]
        for r in prod_plan.of_type(REPOS_T)
    }
    expected = {n: r for n, r in ORG_SECRETS.items() if r is not None}
    assert set(selections) == set(expected)
    for name, repos in expected.items():
        assert sorted(selections[name]) == sorted(f"<repo_id:conda-forge/{r}>" for r in repos), name


def test_webhooks_match_the_inventory_and_are_signed(prod_plan):
    org_hooks = prod_plan.of_type(ORG_HOOK_T)
    assert {
        h.inputs["configuration"]["url"]: h.inputs["events"] for h in org_hooks
    } == ORG_WEBHOOK_URLS
    (repo_hook,) = prod_plan.of_type(REPO_HOOK_T)
    assert repo_hook.inputs["repository"] == "staged-recipes"
    assert repo_hook.inputs["configuration"]["url"].endswith("/staged-recipes/labeler-hook")
    for hook in [*org_hooks, repo_hook]:
        cfg = hook.inputs["configuration"]
        assert cfg["secret"] == "[secret]"
        assert cfg["contentType"] == "json"
        assert cfg["insecureSsl"] is False


def test_variable_groups_keep_the_production_token_out_of_feedstock_builds(prod_plan):
    groups = {g.name: g for g in prod_plan.of_type(VG_T)}
    assert set(groups) == {"feedstock-builds-anaconda-org", "cdt-builds-anaconda-org"}
    for g in groups.values():
        assert g.inputs["allowAccess"] is True
        assert g.inputs["name"] == "anaconda-org"
    names = {k: [v["name"] for v in g.inputs["variables"]] for k, g in groups.items()}
    assert names == {
        "feedstock-builds-anaconda-org": ["BINSTAR_TOKEN", "STAGING_BINSTAR_TOKEN"],
        "cdt-builds-anaconda-org": ["BINSTAR_TOKEN"],
    }
    lineage = {s.secret: s for s in prod_plan.lineage}
    prod_targets = {t.target for t in lineage["prod-binstar-token"].targets}
    assert "Azure variable cdt-builds/anaconda-org/BINSTAR_TOKEN" in prod_targets
    assert not any("feedstock-builds" in t for t in prod_targets)
    staging_targets = {t.target for t in lineage["staging-binstar-token"].targets}
    assert "Azure variable feedstock-builds/anaconda-org/BINSTAR_TOKEN" in staging_targets


def test_heroku_app_gets_the_eight_sensitive_vars(prod_plan):
    (assoc,) = prod_plan.of_type(HEROKU_T)
    assert set(assoc.inputs["sensitiveVars"]) == HEROKU_SENSITIVE_VARS
    assert set(assoc.inputs["sensitiveVars"].values()) == {"[secret]"}


def test_resources_are_grouped_in_components_with_explicit_providers(prod_plan):
    for r in prod_plan.resources:
        if r.type.startswith(("github:", "azuredevops:", "heroku:")):
            assert r.parent is not None, r.key
            assert r.parent.startswith("cfinfra:"), r.key
    providers = {r.type for r in prod_plan.resources if r.type.startswith("pulumi:providers:")}
    assert {
        "pulumi:providers:github",
        "pulumi:providers:azuredevops",
        "pulumi:providers:heroku",
    } <= providers


@pytest.fixture(scope="module")
def cli_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, str]:
    """`cfinfra plan --json` of prod, run once for the tests that read its output."""
    out = tmp_path_factory.mktemp("cli-plan") / "plan.json"
    result = CliRunner().invoke(app, ["plan", "--root", str(REPO_ROOT), "--json", str(out)])
    assert result.exit_code == 0, result.output
    return result, out.read_text(encoding="utf-8")


def test_plan_json_and_stdout_never_contain_a_placeholder_value(cli_plan):
    result, text = cli_plan
    assert PLACEHOLDER_PREFIX not in text
    assert PLACEHOLDER_PREFIX not in result.output
    doc = json.loads(text)
    assert set(doc) >= {"stack", "resources"}
    assert set(doc["resources"][0]) == {
        "type",
        "name",
        "inputs",
        "protect",
        "retain_on_delete",
        "parent",
        "import_id",
        "urn",
    }
    assert "STAGING_BINSTAR_TOKEN" in result.output or "staging-binstar-token" in result.output


def test_plan_is_deterministic(cli_plan, prod_plan):
    """Two runs of the program (the command's, and the session's) write the same JSON."""
    _, text = cli_plan
    assert text == prod_plan.to_json()
