"""Production's plan, tested for policy only: every secret delivered where its manifest entry says,
as a secret, retained on delete; the production token out of feedstock builds; components with
explicit providers; no placeholder anywhere. Never against a copy of production's data: adding a
secret by the runbook keeps these green (tests/foundation/test_runbooks.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from infra.cli import app
from infra.config.audience import Audience
from infra.config.loader import load_project
from infra.sources.offline import PLACEHOLDER_PREFIX
from tests.conftest import REPO_ROOT

SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
ENV_SECRET_T = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
ORG_HOOK_T = "github:index/organizationWebhook:OrganizationWebhook"
REPO_HOOK_T = "github:index/repositoryWebhook:RepositoryWebhook"
VG_T = "azuredevops:index/variableGroup:VariableGroup"
HEROKU_T = "heroku:app/configAssociation:ConfigAssociation"


@pytest.fixture(scope="module")
def prod():
    return load_project(REPO_ROOT, "prod")


def test_every_org_secret_target_is_one_secret_resource_with_its_visibility_and_repositories(
    prod, prod_plan
):
    secrets = {r.inputs["secretName"]: r for r in prod_plan.of_type(SECRET_T)}
    org = prod.config.github.org
    targets = [t for e in prod.secrets for t in e.secret.targets if t.kind == "github-org-secret"]
    assert len(secrets) == len(targets)
    for t in targets:
        r = secrets[t.name]
        assert r.inputs["visibility"] == t.visibility.value, t.name
        assert r.inputs["value"] == "[secret]", t.name
        assert r.retain_on_delete, t.name
        if t.visibility.value == "selected":
            # The selection travels on the secret itself (docs/provider-behaviour.md PB-1).
            repos = sorted(r.inputs["selectedRepositoryIds"])
            assert repos == sorted(f"<repo_id:{org}/{n}>" for n in t.repositories), t.name
        else:
            assert "selectedRepositoryIds" not in r.inputs, t.name


def test_every_environment_heroku_and_azure_target_is_delivered_as_a_secret(prod, prod_plan):
    env = {
        (r.inputs["environment"], r.inputs["secretName"]): r
        for r in prod_plan.of_type(ENV_SECRET_T)
    }
    heroku = {r.name: r.inputs["sensitiveVars"] for r in prod_plan.of_type(HEROKU_T)}
    groups = {r.name: r.inputs["variables"] for r in prod_plan.of_type(VG_T)}
    for e in prod.secrets:
        for t in e.secret.targets:
            if t.kind == "github-environment-secret":
                assert env[(t.environment, t.name)].inputs["value"] == "[secret]", e.id
            elif t.kind == "heroku-config-var":
                (vars_,) = [v for name, v in heroku.items() if t.app in name]
                assert vars_[t.var] == "[secret]", e.id
            elif t.kind == "azure-variable":
                variables = groups[f"{t.project}-{t.group}"]
                (v,) = [v for v in variables if v["name"] == t.variable]
                assert v["isSecret"] is True, e.id
                assert v["secretValue"] == "[secret]", e.id


def test_every_secret_reaches_no_one_wider_than_it_is_cleared_for(prod, prod_plan):
    lineage = {s.secret: s for s in prod_plan.lineage}
    assert set(lineage) == {e.id for e in prod.secrets}
    for e in prod.secrets:
        assert len(lineage[e.id].targets) == len(e.secret.targets), e.id
        for t in lineage[e.id].targets:
            assert not Audience(t.audience).wider_than(e.secret.cleared_for), (e.id, t.target)


def test_webhooks_are_signed_with_a_secret_over_verified_tls(prod_plan):
    hooks = [*prod_plan.of_type(ORG_HOOK_T), *prod_plan.of_type(REPO_HOOK_T)]
    assert hooks
    for hook in hooks:
        cfg = hook.inputs["configuration"]
        assert cfg["secret"] == "[secret]", hook.name
        assert cfg["contentType"] == "json", hook.name
        assert cfg["insecureSsl"] is False, hook.name


def test_the_production_token_never_reaches_feedstock_builds(prod_plan):
    """CVE-2025-31484: the upload token for the conda-forge channel in a group every feedstock
    pipeline reads."""
    lineage = {s.secret: s for s in prod_plan.lineage}
    assert lineage["prod-binstar-token"].targets
    assert not any("feedstock-builds" in t.target for t in lineage["prod-binstar-token"].targets)
    for s in prod_plan.lineage:
        for t in s.targets:
            if t.target.startswith("Azure variable feedstock-builds/"):
                assert Audience(s.cleared_for) in (Audience.FEEDSTOCKS, Audience.PUBLIC), s.secret


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
