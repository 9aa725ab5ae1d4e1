"""CI credentials live in deployment environments declared by the program, never in org secrets."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra.plan.model import Plan
from tests.conftest import FIXTURE_STACK
from tests.stack_edits import edit_yaml, problems_of

ENV_T = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY_T = (
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
)
ENV_SECRET_T = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
ORG_SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
STACK = f"Pulumi.{FIXTURE_STACK}.yaml"
ORG = "example-forge"


def _by_name(plan: Plan, type_: str) -> dict[str, dict]:
    return {r.name: r.inputs for r in plan.of_type(type_)}


def test_production_admits_main_only_and_needs_a_core_approval(fixture_plan: Plan) -> None:
    env = _by_name(fixture_plan, ENV_T)[f"{ORG}/infrastructure/production"]
    assert env["deploymentBranchPolicy"] == {
        "customBranchPolicies": True,
        "protectedBranches": False,
    }
    assert env["reviewers"] == [{"teams": ["<team_id:core>"]}]
    assert env["canAdminsBypass"] is False
    assert env["preventSelfReview"] is True
    policies = _by_name(fixture_plan, POLICY_T)
    assert policies[f"{ORG}/infrastructure/production/branch/main"] == {
        "branchPattern": "main",
        "environment": "production",
        "repository": "infrastructure",
    }
    [resource] = [r for r in fixture_plan.of_type(ENV_T) if r.name.endswith("/production")]
    assert resource.protect


def test_every_credential_of_ci_is_an_environment_secret(fixture_plan: Plan) -> None:
    secrets = {
        (i["repository"], i["environment"], i["secretName"])
        for i in _by_name(fixture_plan, ENV_SECRET_T).values()
    }
    assert secrets == {
        ("infrastructure", "production", "OP_SERVICE_ACCOUNT_TOKEN"),
        ("infrastructure", "read-only", "OP_SERVICE_ACCOUNT_TOKEN_READONLY"),
        ("infrastructure", "read-only", "REPORTS_TOKEN"),  # one secret, two environments
        ("infrastructure", "rotation", "OP_SERVICE_ACCOUNT_TOKEN_ROTATION"),
        ("infrastructure", "rotation", "REPORTS_TOKEN"),
    }
    for inputs in _by_name(fixture_plan, ENV_SECRET_T).values():
        assert inputs["value"] == "[secret]"


def test_no_org_or_repository_secret_can_deploy_production(prod_plan: Plan) -> None:
    """Policy on production: the 1Password tokens of CI reach workflows only through the
    protected deployment environments, never as an org or repository secret."""
    org_secrets = {i["secretName"] for i in _by_name(prod_plan, ORG_SECRET_T).values()}
    assert not {n for n in org_secrets if n.startswith("OP_")}
    assert not prod_plan.of_type("github:index/actionsSecret:ActionsSecret")


def test_a_ci_credential_that_is_also_an_org_secret_is_refused(fixture_copy: Path) -> None:
    path = fixture_copy / "secrets/op-deploy-service-account.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["targets"].append(
        {
            "kind": "github-org-secret",
            "name": "OP_SERVICE_ACCOUNT_TOKEN",
            "visibility": "selected",
            "repositories": ["infrastructure"],
        }
    )
    path.write_text(yaml.safe_dump(doc))
    assert any(
        p.startswith("secrets/op-deploy-service-account.yaml: targets[1]: a secret delivered")
        for p in problems_of(fixture_copy)
    )


def test_the_deploy_environment_must_admit_main_only_with_a_reviewer(fixture_copy: Path) -> None:
    def open_production(d: dict) -> None:
        d["config"]["cfinfra:github"]["environments"]["production"] = {
            "repository": "infrastructure"
        }

    edit_yaml(fixture_copy / STACK, open_production)
    problems = problems_of(fixture_copy)
    assert any(
        "environments.production: `production` holds write credentials" in p for p in problems
    )


def test_a_role_trusting_an_undeclared_environment_is_refused(fixture_copy: Path) -> None:
    edit_yaml(
        fixture_copy / STACK,
        lambda d: d["config"]["cfinfra:github"]["environments"].pop("rotation"),
    )
    problems = problems_of(fixture_copy)
    assert any("github_oidc.rotation_environment: `rotation` is not in" in p for p in problems)
    assert any("targets[0].environment: `rotation` is not in" in p for p in problems)


def test_an_unprotected_environment_of_a_wider_repository_trips_the_leak_guard(
    fixture_copy: Path,
) -> None:
    def move(d: dict) -> None:
        # staged-recipes reaches infra-maintainers, wider than the core the token is cleared for.
        d["config"]["cfinfra:github"]["environments"]["read-only"]["repository"] = "staged-recipes"

    edit_yaml(fixture_copy / STACK, move)
    problems = problems_of(fixture_copy)
    assert any(
        "LEAK: secret `op-read-only-service-account` is cleared for `core`" in p for p in problems
    )
