"""CI credentials live in deployment environments declared by the program, never in org secrets."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra.plan.model import Plan
from tests.foundation.test_validation import edit_yaml, problems_of

ENV_T = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY_T = (
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
)
ENV_SECRET_T = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
ORG_SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
STACK = "Pulumi.prod.yaml"


def _by_name(plan: Plan, type_: str) -> dict[str, dict]:
    return {r.name: r.inputs for r in plan.of_type(type_)}


def test_production_admits_main_only_and_needs_a_core_approval(prod_plan: Plan) -> None:
    env = _by_name(prod_plan, ENV_T)["conda-forge/infrastructure/production"]
    assert env["deploymentBranchPolicy"] == {
        "customBranchPolicies": True,
        "protectedBranches": False,
    }
    assert env["reviewers"] == [{"teams": ["<team_id:core>"]}]
    assert env["canAdminsBypass"] is False
    assert env["preventSelfReview"] is True
    policies = _by_name(prod_plan, POLICY_T)
    assert policies["conda-forge/infrastructure/production/branch/main"] == {
        "branchPattern": "main",
        "environment": "production",
        "repository": "infrastructure",
    }
    [resource] = [r for r in prod_plan.of_type(ENV_T) if r.name.endswith("/production")]
    assert resource.protect


def test_every_credential_of_ci_is_an_environment_secret(prod_plan: Plan) -> None:
    secrets = {
        (i["environment"], i["secretName"]) for i in _by_name(prod_plan, ENV_SECRET_T).values()
    }
    assert secrets == {
        ("production", "OP_SERVICE_ACCOUNT_TOKEN"),
        ("read-only", "OP_SERVICE_ACCOUNT_TOKEN_READONLY"),
        ("read-only", "PRIVATE_REPORTS_TOKEN"),
        ("rotation", "OP_SERVICE_ACCOUNT_TOKEN_ROTATION"),
        ("rotation", "PRIVATE_REPORTS_TOKEN"),  # the rotators' details go to the private channel
        # Read-only checks that a rotated anaconda.org token reached every target.
        ("rotation", "ROTATION_CHECK_AZDO_TOKEN"),
        ("rotation", "ROTATION_CHECK_GITHUB_TOKEN"),
        ("rotation", "ROTATION_CHECK_HEROKU_API_KEY"),
    }
    for inputs in _by_name(prod_plan, ENV_SECRET_T).values():
        assert inputs["value"] == "[secret]"


def test_no_org_or_repository_secret_can_deploy(prod_plan: Plan) -> None:
    org_secrets = {i["secretName"] for i in _by_name(prod_plan, ORG_SECRET_T).values()}
    assert not {n for n in org_secrets if n.startswith("OP_")}
    assert not prod_plan.of_type("github:index/actionsSecret:ActionsSecret")


def test_a_ci_credential_that_is_also_an_org_secret_is_refused(project_copy: Path) -> None:
    path = project_copy / "secrets/pulumi-1password-service-account.yaml"
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
        p.startswith(
            "secrets/pulumi-1password-service-account.yaml: targets[1]: a secret delivered"
        )
        for p in problems_of(project_copy)
    )


def test_the_deploy_environment_must_admit_main_only_with_a_reviewer(project_copy: Path) -> None:
    def open_production(d: dict) -> None:
        d["config"]["cfinfra:github"]["environments"]["production"] = {
            "repository": "infrastructure"
        }

    edit_yaml(project_copy / STACK, open_production)
    problems = problems_of(project_copy)
    assert any(
        "environments.production: `production` holds write credentials" in p for p in problems
    )


def test_a_role_trusting_an_undeclared_environment_is_refused(project_copy: Path) -> None:
    edit_yaml(
        project_copy / STACK,
        lambda d: d["config"]["cfinfra:github"]["environments"].pop("rotation"),
    )
    problems = problems_of(project_copy)
    assert any("github_oidc.rotation_environment: `rotation` is not in" in p for p in problems)
    assert any("targets[0].environment: `rotation` is not in" in p for p in problems)


def test_an_unprotected_environment_of_a_wider_repository_trips_the_leak_guard(
    project_copy: Path,
) -> None:
    def move(d: dict) -> None:
        d["config"]["cfinfra:github"]["environments"]["read-only"]["repository"] = "miniforge"

    edit_yaml(project_copy / STACK, move)
    problems = problems_of(project_copy)
    assert any(
        "LEAK: secret `pulumi-1password-read-only-service-account` is cleared for `core`" in p
        for p in problems
    )
