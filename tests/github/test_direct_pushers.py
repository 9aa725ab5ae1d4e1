"""Rulesets never lock out the accounts that push straight to a default branch.

Each repository records who pushes directly (`direct_pushers`, counted in its public history);
a pull-request ruleset must let every one of them bypass it, or the rule table refuses it.
"""

from __future__ import annotations

from infra.config.loader import load_project
from tests.conftest import REPO_ROOT
from tests.stack_edits import edit_yaml, problems_of

RULESET_T = "github:index/repositoryRuleset:RepositoryRuleset"
CURATOR_REPOS = (
    "admin-requests",
    "feedstock-outputs",
    "conda-forge-repodata-patches-feedstock",
    "by-the-numbers",
)


def rulesets(plan) -> dict[str, dict]:
    return {
        r.name.split("/")[1]: r.inputs
        for r in plan.of_type(RULESET_T)
        if r.name.endswith("/default-branch")
    }


def app_bypass(ruleset: dict) -> set[str]:
    return {
        str(b["actorId"])
        for b in ruleset["bypassActors"]
        if b["actorType"] == "Integration" and b["bypassMode"] == "always"
    }


def test_conda_forge_curator_bypasses_where_it_pushes(prod_plan):
    by_repo = rulesets(prod_plan)
    for repo in CURATOR_REPOS:
        assert "<app_id:conda-forge-curator>" in app_bypass(by_repo[repo]), repo


def test_every_recorded_app_pusher_bypasses_every_pull_request_ruleset(prod_plan):
    project = load_project(REPO_ROOT, "prod")
    by_repo = rulesets(prod_plan)
    checked = 0
    for name, repo in project.config.github.repositories.items():
        for pusher in repo.direct_pushers:
            if pusher.kind.value == "app" and by_repo[name]["rules"].get("pullRequest"):
                assert f"<app_id:{pusher.account}>" in app_bypass(by_repo[name]), (name, pusher)
                checked += 1
    assert checked >= 4


def test_the_machine_user_conda_forge_admin_keeps_feedstock_outputs_without_a_pr_rule(prod_plan):
    """A user cannot be a bypass actor; its repository takes direct pushes (no force, no delete)."""
    rules = rulesets(prod_plan)["feedstock-outputs"]["rules"]
    assert rules.get("pullRequest") is None
    assert rules["deletion"] is True
    assert rules["nonFastForward"] is True


def test_an_app_pusher_without_bypass_is_refused(project_copy):
    edit_yaml(
        project_copy / "Pulumi.prod.yaml",
        lambda d: d["config"]["cfinfra:github"]["rulesets"]["apps"]["conda-forge-curator"][
            "repositories"
        ].remove("by-the-numbers"),
    )
    assert problems_of(project_copy) == [
        "data/github/repositories/by-the-numbers.yaml: direct_pushers[0]: the App "
        "`conda-forge-curator` pushed 200 of the last 200 commits directly, and the "
        "pull-request ruleset would refuse it: list `by-the-numbers` under "
        "cfinfra:github.rulesets.apps.conda-forge-curator.repositories"
    ]


def test_a_user_pusher_that_is_no_owner_refuses_a_pull_request_ruleset(project_copy):
    path = project_copy / "data" / "github" / "repositories" / "feedstock-outputs.yaml"
    edit_yaml(path, lambda d: d.pop("require_pull_request"))
    (problem,) = problems_of(project_copy)
    assert problem.startswith(
        "data/github/repositories/feedstock-outputs.yaml: direct_pushers[1]: the user "
        "`conda-forge-admin` pushed 20 of the last 200 commits directly"
    )
    assert "a user cannot be a bypass actor" in problem


def test_an_owner_pushing_directly_passes_through_the_org_admin_bypass(project_copy):
    """beckermr (an org owner) pushes to `status`; `organization-admin` covers him, any case."""
    path = project_copy / "data" / "github" / "repositories" / "status.yaml"
    edit_yaml(path, lambda d: d["direct_pushers"][0].update(account="BeckerMR"))
    load_project(project_copy, "prod")
    prod = project_copy / "Pulumi.prod.yaml"
    edit_yaml(
        prod,
        lambda d: d["config"]["cfinfra:github"]["rulesets"].update(
            bypass=[{"kind": "repository-role", "role": "admin"}]
        ),
    )
    problems = problems_of(project_copy)
    assert any("status.yaml: direct_pushers[0]: the user `BeckerMR`" in p for p in problems)
