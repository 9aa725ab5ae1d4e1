"""Infrastructure repositories are adopted, guarded by a branch ruleset, and feed secret ids.

Code tests: they plan the fixture stack (tests/fixtures/stack).
"""

from __future__ import annotations

import pytest

from infra.config.loader import load_project
from infra.errors import ConfigError
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

REPO_T = "github:index/repository:Repository"
RULESET_T = "github:index/repositoryRuleset:RepositoryRuleset"
ALERTS_T = "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts"
TEAM_REPO_T = "github:index/teamRepository:TeamRepository"
SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"


@pytest.fixture(scope="module")
def configured():
    return load_project(FIXTURE_ROOT, FIXTURE_STACK).config.github.repositories


def by_repo(plan, type_token: str, suffix: str = "") -> dict:
    return {
        r.name.split("/", 1)[1].removesuffix(suffix): r  # without the org
        for r in plan.of_type(type_token)
    }


def test_every_infrastructure_repository_is_adopted_never_recreated(fixture_plan, configured):
    repos = by_repo(fixture_plan, REPO_T)
    assert set(repos) == set(configured)
    for name, r in repos.items():
        assert r.import_id == name
        assert r.retain_on_delete, name
        assert r.inputs["archiveOnDestroy"] is True
        assert r.inputs["visibility"] == "public"
        assert r.inputs["name"] == name


def test_sensitive_repositories_are_protected(fixture_plan, configured):
    repos = by_repo(fixture_plan, REPO_T)
    for name, r in repos.items():
        assert r.protect == configured[name].sensitive, name
    assert repos["admin-requests"].protect
    assert not repos["staged-recipes"].protect


def test_repository_settings_come_from_the_config(fixture_plan, configured):
    for name, r in by_repo(fixture_plan, REPO_T).items():
        repo = configured[name]
        assert r.inputs["description"] == repo.description
        assert r.inputs["hasIssues"] == repo.has_issues
        assert r.inputs["deleteBranchOnMerge"] == repo.delete_branch_on_merge
    alerts = by_repo(fixture_plan, ALERTS_T, "/vulnerability-alerts")
    assert set(alerts) == set(configured)
    assert all(a.inputs["enabled"] is True for a in alerts.values())


def test_every_default_branch_refuses_deletion_and_force_push_and_needs_a_pull_request(
    fixture_plan, configured
):
    rulesets = by_repo(fixture_plan, RULESET_T, "/default-branch")
    assert set(rulesets) == set(configured)
    for name, rs in rulesets.items():
        i = rs.inputs
        assert i["repository"] == name
        assert (i["target"], i["enforcement"]) == ("branch", "active")
        assert i["conditions"]["refName"]["includes"] == ["~DEFAULT_BRANCH"]
        assert i["rules"]["deletion"] is True
        assert i["rules"]["nonFastForward"] is True
        assert "pullRequest" in i["rules"], name
        assert {b["actorType"] for b in i["bypassActors"]} >= {
            "OrganizationAdmin",
            "RepositoryRole",
        }


def test_the_webservices_app_bypasses_the_rulesets_of_the_repositories_it_pushes_to(
    fixture_plan, configured
):
    rulesets = by_repo(fixture_plan, RULESET_T, "/default-branch")
    assert set(rulesets) == set(configured)
    bots = {"staged-recipes"}  # cfinfra:github.rulesets.apps of the fixture stack
    for name, rs in rulesets.items():
        apps = [b for b in rs.inputs["bypassActors"] if b["actorType"] == "Integration"]
        if name in bots:
            # The App's id is read from GitHub by slug (unknown publicly), always bypassing.
            assert apps == [
                {
                    "actorType": "Integration",
                    "actorId": "<app_id:example-forge-webservices>",
                    "bypassMode": "always",
                }
            ], name
        else:
            assert apps == [], name


def test_a_known_app_id_is_used_as_is_and_unknown_repositories_are_refused(fixture_copy):
    from infra.plan.engine import plan_stack
    from tests.stack_edits import edit_yaml

    def set_app(app):
        edit_yaml(
            fixture_copy / f"Pulumi.{FIXTURE_STACK}.yaml",
            lambda d: d["config"]["cfinfra:github"]["rulesets"]["apps"].update(
                {"example-forge-webservices": app}
            ),
        )

    set_app({"app_id": 4242, "repositories": ["webservices"]})
    rulesets = by_repo(plan_stack(fixture_copy, FIXTURE_STACK), RULESET_T, "/default-branch")
    (app,) = [b for b in rulesets["webservices"].inputs["bypassActors"] if b.get("actorId") == 4242]
    assert app["actorType"] == "Integration"
    # The App's repositories are exactly the listed ones: staged-recipes' bypass went with it.
    assert all(
        b["actorType"] != "Integration" for b in rulesets["staged-recipes"].inputs["bypassActors"]
    )
    set_app({"repositories": ["no-such-repo"]})
    with pytest.raises(ConfigError) as info:
        load_project(fixture_copy, FIXTURE_STACK)
    (problem,) = [str(p) for p in info.value.problems]
    assert problem == (
        f"Pulumi.{FIXTURE_STACK}.yaml: config.cfinfra:github.rulesets.apps"
        ".example-forge-webservices.repositories[0]: `no-such-repo` is not a repository of "
        "data/github/repositories/"
    )


def test_sensitive_repositories_need_a_review_from_core(fixture_plan, configured):
    rulesets = by_repo(fixture_plan, RULESET_T, "/default-branch")
    for name, rs in rulesets.items():
        pr = rs.inputs["rules"]["pullRequest"]
        if configured[name].sensitive:
            (reviewer,) = pr["requiredReviewers"]
            assert reviewer["reviewer"] == {"id": "<team_id:core>", "type": "Team"}
            assert reviewer["minimumApprovals"] == 1
            assert reviewer["filePatterns"] == ["*"]
            assert pr["dismissStaleReviewsOnPush"] is True
        else:
            assert "requiredReviewers" not in pr, name


def test_core_has_access_to_every_repository_it_must_review(fixture_plan, configured):
    grants = {
        r.name.split("/", 1)[1].removesuffix("/core"): r
        for r in fixture_plan.of_type(TEAM_REPO_T)
        if r.name.endswith("/core")
    }
    assert set(grants) == {n for n, r in configured.items() if r.sensitive}
    for g in grants.values():
        assert g.inputs["permission"] == "admin"
        assert g.inputs["teamId"] == "core"


def test_org_secrets_still_select_their_repositories_by_id(fixture_plan):
    assert {s.inputs["secretName"] for s in fixture_plan.of_type(SECRET_T)} == {
        "PROD_UPLOAD_TOKEN",
        "STAGING_UPLOAD_TOKEN",
        "WEBSERVICES_TOKEN",
    }
    selections = [s for s in fixture_plan.of_type(SECRET_T) if "selectedRepositoryIds" in s.inputs]
    assert {s.inputs["secretName"] for s in selections} == {
        "PROD_UPLOAD_TOKEN",
        "WEBSERVICES_TOKEN",
    }
    ids = {i for s in selections for i in s.inputs["selectedRepositoryIds"]}
    assert ids
    assert all(i.startswith("<repo_id:example-forge/") for i in ids)


def test_managed_repositories_are_never_looked_up_through_the_api(monkeypatch, configured):
    """Their ids come from the managed `Repository` resources; only unmanaged ones are looked up."""
    from infra.plan import fakes
    from infra.plan.engine import plan_stack

    looked_up: list[str] = []
    real = fakes.INVOKES["github:index/getRepository:getRepository"]

    def recording(reg, args):
        looked_up.append(args["fullName"])
        return real(reg, args)

    monkeypatch.setitem(fakes.INVOKES, "github:index/getRepository:getRepository", recording)
    plan = plan_stack(FIXTURE_ROOT, FIXTURE_STACK)
    assert len([s for s in plan.of_type(SECRET_T) if "selectedRepositoryIds" in s.inputs]) == 2
    assert not {f"example-forge/{n}" for n in configured} & set(looked_up)


def _looked_up_as(monkeypatch, answer):
    from infra.plan import fakes

    real = fakes.INVOKES["github:index/getRepository:getRepository"]

    def lookup(reg, args):
        found = real(reg, args)
        return answer(found) if args["fullName"] == "example-forge/numpy-feedstock" else found

    monkeypatch.setitem(fakes.INVOKES, "github:index/getRepository:getRepository", lookup)


def test_a_feedstock_github_does_not_know_is_an_error_naming_it(monkeypatch):
    """`getRepository` answers a 404 with an empty id, not an error (v6.13.0): PB-8."""
    from infra.github.repositories import RepositoryNotFound
    from infra.plan.engine import plan_stack

    _looked_up_as(monkeypatch, lambda found: {"id": "", "fullName": found["fullName"]})
    with pytest.raises(RepositoryNotFound, match="example-forge/numpy-feedstock was not found"):
        plan_stack(FIXTURE_ROOT, FIXTURE_STACK)


def test_a_renamed_feedstock_is_an_error_naming_both_names(monkeypatch):
    from infra.github.repositories import RepositoryNotFound
    from infra.plan.engine import plan_stack

    _looked_up_as(monkeypatch, lambda found: {**found, "name": "numpy2-feedstock"})
    with pytest.raises(RepositoryNotFound, match="numpy-feedstock is now numpy2-feedstock"):
        plan_stack(FIXTURE_ROOT, FIXTURE_STACK)


def test_an_archived_repository_keeps_its_ruleset_but_not_its_vulnerability_alerts(fixture_copy):
    """Reading alerts of an archived repository fails every preview (v6.13.0): PB-9."""
    from infra.plan.engine import plan_stack

    path = fixture_copy / "data" / "github" / "repositories" / "staged-recipes.yaml"
    path.write_text(path.read_text() + "archived: true\n")
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    alerts = {r.inputs["repository"] for r in plan.of_type(ALERTS_T)}
    assert "staged-recipes" not in alerts
    assert alerts
    assert "example-forge/staged-recipes" in {r.name for r in plan.of_type(REPO_T)}
    assert "example-forge/staged-recipes/default-branch" in {
        r.name for r in plan.of_type(RULESET_T)
    }
