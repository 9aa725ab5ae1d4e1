"""The GitHub App permissions in docs/provider-credentials.md are complete and minimal.

Complete and minimal against GitHub's published permission data
(data/github/app-permissions.published.json, extracted from github/docs) for every endpoint the
program sends through terraform-provider-github v6.13.0 and every one `cfinfra snapshot` reads.
The endpoint families per resource type below were read in the provider's source
(`github/resource_github_<type>.go@v6.13.0`: each Create/Read/Update/Delete's client call).
"""

from __future__ import annotations

import json
import re

from tests.conftest import REPO_ROOT

PUBLISHED = REPO_ROOT / "data" / "github" / "app-permissions.published.json"
DOC = REPO_ROOT / "docs" / "provider-credentials.md"

ORG, R = "/orgs/{org}", "/repos/{owner}/{repo}"
ENV = f"{R}/environments/{{environment_name}}"
TEAM = f"{ORG}/teams/{{team_slug}}"


def crud(base: str, item: str, *, create: str = "post") -> list[tuple[str, str]]:
    return [(create, base), ("get", item), ("patch", item), ("delete", item)]


ENDPOINTS: dict[str, list[tuple[str, str]]] = {
    "organizationSettings:OrganizationSettings": [("get", ORG), ("patch", ORG)],
    "actionsOrganizationPermissions:ActionsOrganizationPermissions": [
        ("get", f"{ORG}/actions/permissions"),
        ("put", f"{ORG}/actions/permissions"),
        ("get", f"{ORG}/actions/permissions/selected-actions"),
        ("put", f"{ORG}/actions/permissions/selected-actions"),
    ],
    "actionsOrganizationSecret:ActionsOrganizationSecret": [
        ("get", f"{ORG}/actions/secrets/public-key"),
        ("put", f"{ORG}/actions/secrets/{{secret_name}}"),
        ("get", f"{ORG}/actions/secrets/{{secret_name}}"),
        ("delete", f"{ORG}/actions/secrets/{{secret_name}}"),
        ("get", f"{ORG}/actions/secrets/{{secret_name}}/repositories"),
    ],
    "actionsRunnerGroup:ActionsRunnerGroup": [
        *crud(f"{ORG}/actions/runner-groups", f"{ORG}/actions/runner-groups/{{runner_group_id}}"),
        ("get", f"{ORG}/actions/runner-groups/{{runner_group_id}}/repositories"),
        ("put", f"{ORG}/actions/runner-groups/{{runner_group_id}}/repositories"),
    ],
    "organizationWebhook:OrganizationWebhook": crud(f"{ORG}/hooks", f"{ORG}/hooks/{{hook_id}}"),
    "membership:Membership": [
        ("get", f"{ORG}/memberships/{{username}}"),
        ("put", f"{ORG}/memberships/{{username}}"),
        ("delete", f"{ORG}/memberships/{{username}}"),
    ],
    "team:Team": [("post", f"{ORG}/teams"), ("get", TEAM), ("patch", TEAM), ("delete", TEAM)],
    "teamMembership:TeamMembership": [
        (verb, f"{TEAM}/memberships/{{username}}") for verb in ("get", "put", "delete")
    ],
    "teamRepository:TeamRepository": [
        (verb, f"{TEAM}/repos/{{owner}}/{{repo}}") for verb in ("get", "put", "delete")
    ],
    "repository:Repository": [("post", f"{ORG}/repos"), ("get", R), ("patch", R)],
    "repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts": [
        ("get", R),
        *[(verb, f"{R}/vulnerability-alerts") for verb in ("get", "put", "delete")],
    ],
    "repositoryRuleset:RepositoryRuleset": [
        ("post", f"{R}/rulesets"),
        *[(verb, f"{R}/rulesets/{{ruleset_id}}") for verb in ("get", "put", "delete")],
    ],
    "repositoryWebhook:RepositoryWebhook": crud(f"{R}/hooks", f"{R}/hooks/{{hook_id}}"),
    "repositoryFile:RepositoryFile": [
        (verb, f"{R}/contents/{{path}}") for verb in ("get", "put", "delete")
    ],
    "repositoryEnvironment:RepositoryEnvironment": [
        (verb, ENV) for verb in ("get", "put", "delete")
    ],
    "repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": [
        ("post", f"{ENV}/deployment-branch-policies"),
        *[
            (verb, f"{ENV}/deployment-branch-policies/{{branch_policy_id}}")
            for verb in ("get", "put", "delete")
        ],
    ],
    "actionsEnvironmentSecret:ActionsEnvironmentSecret": [
        ("get", f"{ENV}/secrets/public-key"),
        *[(verb, f"{ENV}/secrets/{{secret_name}}") for verb in ("get", "put", "delete")],
    ],
    # data sources
    "getRepository:getRepository": [("get", R)],
    "getTeam:getTeam": [("get", TEAM)],
    "getGithubApp:getGithubApp": [("get", "/apps/{app_slug}")],
}
"""Provider resource (and data source) → the endpoints its CRUD functions call (v6.13.0)."""

SNAPSHOT: list[tuple[str, str]] = [
    # infra/live/snapshot.py, every `r.gh(...)` (read only)
    ("get", ORG),
    ("get", f"{ORG}/actions/permissions"),
    ("get", f"{ORG}/actions/permissions/selected-actions"),
    ("get", f"{ORG}/actions/permissions/repositories"),
    ("get", f"{ORG}/members"),
    ("get", f"{ORG}/hooks"),
    ("get", f"{ORG}/actions/secrets"),
    ("get", f"{ORG}/actions/secrets/{{secret_name}}/repositories"),
    ("get", f"{ORG}/actions/runner-groups"),
    ("get", f"{ORG}/actions/runner-groups/{{runner_group_id}}/repositories"),
    ("get", f"{ORG}/memberships/{{username}}"),
    ("get", TEAM),
    ("get", f"{TEAM}/members"),
    ("get", f"{TEAM}/invitations"),
    ("get", f"{R}/contents/{{path}}"),
    ("get", f"{R}/environments"),
    ("get", f"{ENV}/secrets"),
    ("get", f"{ENV}/deployment-branch-policies"),
    ("get", R),
    ("get", f"{R}/vulnerability-alerts"),
    ("get", f"{R}/rulesets"),
    ("get", f"{R}/rulesets/{{ruleset_id}}"),
    ("get", f"{R}/hooks"),
    ("get", "/apps/{app_slug}"),
]

NOT_NEEDED = {("contents", "workflows")}
"""(listed together with, not needed): the program writes `.cirun` files, never a workflow."""

DOC_NAMES = {
    "Organization: Administration": "organization_administration",
    "Organization: Members": "members",
    "Organization: Secrets": "organization_secrets",
    "Organization: Self-hosted runners": "organization_self_hosted_runners",
    "Organization: Webhooks": "organization_hooks",
    "Repository: Actions": "actions",
    "Repository: Administration": "administration",
    "Repository: Contents": "contents",
    "Repository: Environments": "environments",
    "Repository: Secrets": "secrets",
    "Repository: Metadata": "metadata",
    "Repository: Webhooks": "repository_hooks",
}
LEVEL = {"read": 1, "write": 2}


def published() -> dict:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def required(endpoints: list[tuple[str, str]], data: dict) -> tuple[dict[str, str], list[str]]:
    """Permission → least access the endpoints need; and every endpoint the data does not know."""
    listed = {(e["verb"], e["path"]): e["permissions"] for e in data["published"]}
    unlisted = {(e["verb"], e["path"]) for e in data["not_in_published_data"]["endpoints"]}
    granted = data["not_in_published_data"]["granted_through"]
    need: dict[str, str] = {}
    unknown = []

    def add(permission: str, access: str) -> None:
        if LEVEL[access] > LEVEL.get(need.get(permission, ""), 0):
            need[permission] = access

    for endpoint in sorted(set(endpoints)):
        if endpoint in unlisted:
            if endpoint[1].startswith(TEAM):
                add(granted["permission"], "write" if endpoint[0] != "get" else "read")
            continue
        perms = listed.get(endpoint)
        if perms is None:
            unknown.append(" ".join(endpoint))
            continue
        names = {p["permission"] for p in perms}
        for p in perms:
            if any((other, p["permission"]) in NOT_NEEDED for other in names):
                continue
            add(p["permission"], p["access"])
    return need, unknown


def documented() -> dict[str, str]:
    section = DOC.read_text(encoding="utf-8").split("### Permissions the program needs", 1)[1]
    rows = re.findall(
        r"^\| (Organization|Repository): ([^|]+?) \| (Read and write|Read) \|", section, re.M
    )
    return {
        DOC_NAMES[f"{scope}: {name}"]: "write" if access == "Read and write" else "read"
        for scope, name, access in rows
    }


def all_endpoints() -> list[tuple[str, str]]:
    return [e for family in ENDPOINTS.values() for e in family] + SNAPSHOT


def test_the_published_data_names_its_source_commit_and_date():
    data = published()
    assert "server-to-server-permissions.json" in data["source"]
    assert re.fullmatch(r"[0-9a-f]{40}", data["source_commit"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["read_on"])


def test_every_endpoint_the_program_and_snapshot_use_is_in_the_published_data():
    _, unknown = required(all_endpoints(), published())
    assert unknown == []


def test_every_github_type_the_prod_plan_declares_has_its_endpoints_listed(prod_plan):
    types = {
        r.type.split("/", 1)[1] for r in prod_plan.resources if r.type.startswith("github:index/")
    }
    assert types <= set(ENDPOINTS), sorted(types - set(ENDPOINTS))


def test_the_documented_app_permissions_are_complete_and_minimal():
    need, _ = required(all_endpoints(), published())
    assert documented() == need


def test_environment_secrets_need_environments_and_secrets_write():
    need, _ = required(ENDPOINTS["actionsEnvironmentSecret:ActionsEnvironmentSecret"], published())
    assert need == {"environments": "write", "secrets": "write"}


def test_reading_environments_and_branch_policies_needs_actions_read():
    reads = [e for e in SNAPSHOT if "/environments" in e[1] and not e[1].endswith("/secrets")]
    assert required(reads, published())[0] == {"actions": "read"}


def test_a_missing_permission_in_the_doc_is_caught():
    need, _ = required(all_endpoints(), published())
    fewer = dict(need)
    del fewer["environments"]
    assert fewer != need


def test_the_program_writes_no_workflow_file(prod_plan):
    """Why Workflows is not needed: every `RepositoryFile` is outside .github/workflows."""
    files = [
        r.inputs["file"] for r in prod_plan.of_type("github:index/repositoryFile:RepositoryFile")
    ]
    assert files
    assert not [f for f in files if f.startswith(".github/workflows")]
