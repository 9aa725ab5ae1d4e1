"""A fake of the live APIs at their outermost edge: GitHub's, Heroku's and Azure DevOps' REST
responses, shaped as their documentation shows them, served through `responses` (the real
`requests` stack runs; only the socket is replaced).

`world_from_plan` builds the live state that matches a plan exactly (so a snapshot of it predicts
no change); tests then perturb it. The organisation, the Azure DevOps organisation, the Heroku apps
and the GitHub Apps are the plan's (the fixture stack's `example-forge` or production's). Every
response also carries planted secret values, which a snapshot must never contain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from infra.plan.model import Plan

PLANTED = (
    "planted-webhook-secret-0001",
    "planted-heroku-config-value-0002",
    "planted-azure-variable-value-0003",
    "planted-app-pem-0004",
)
GH = "https://api.github.com"
HEROKU = "https://api.heroku.com"
AZURE_HOST = "https://dev.azure.com"
PAGE = 10  # items per page served, so that lists paginate


def b64(text: str) -> dict[str, Any]:
    return {
        "type": "file",
        "encoding": "base64",
        "content": base64.b64encode(text.encode()).decode(),
    }


PERMISSIONS = ("pull", "triage", "push", "maintain", "admin")


def team_listing(org: str, slug: str, team: dict[str, Any], permission: str, n: int) -> dict:
    """One item of `GET /repos/{owner}/{repo}/teams`: GitHub's `team` schema
    (github/rest-api-description, operation `repos/list-teams`), with the team's permission on
    the repository in `permission` and as the five `permissions` flags (a level implies the
    ones below it)."""
    level = PERMISSIONS.index(permission)
    return {
        "id": n,
        "node_id": f"T_{n}",
        "url": f"https://api.github.com/organizations/1/team/{n}",
        "html_url": f"https://github.com/orgs/{org}/teams/{slug}",
        "name": team.get("name", slug),
        "slug": slug,
        "description": team.get("description"),
        "privacy": team.get("privacy", "closed"),
        "notification_setting": "notifications_enabled",
        "permission": permission,
        "permissions": {p: i <= level for i, p in enumerate(PERMISSIONS)},
        "members_url": f"https://api.github.com/organizations/1/team/{n}/members{{/member}}",
        "repositories_url": f"https://api.github.com/organizations/1/team/{n}/repos",
        "type": "organization",
        "organization_id": 1,
        "parent": None,
    }


def _types(plan: Plan, suffix: str) -> list:
    return [r for r in plan.resources if r.type.endswith(suffix)]


def _provider_input(plan: Plan, package: str, key: str) -> Any:
    (provider,) = [r for r in plan.resources if r.type == f"pulumi:providers:{package}"]
    return provider.inputs[key]


def plan_org(plan: Plan) -> str:
    """The GitHub organisation the plan declares (its GitHub provider's owner)."""
    return str(_provider_input(plan, "github", "owner"))


def world_from_plan(plan: Plan) -> dict[str, Any]:
    """`path (with query) -> body`: the live state equal to what ``plan`` declares."""
    w: dict[str, Any] = {}
    org = plan_org(plan)
    azure = str(_provider_input(plan, "azuredevops", "orgServiceUrl")).rstrip("/")
    (settings,) = _types(plan, ":OrganizationSettings")
    i = settings.inputs
    w[f"/orgs/{org}"] = {
        "login": org,
        "id": 11897326,
        "name": i.get("name"),
        "description": i.get("description"),
        "blog": i.get("blog"),
        "twitter_username": i.get("twitterUsername"),
        "has_organization_projects": i.get("hasOrganizationProjects"),
        "has_repository_projects": i.get("hasRepositoryProjects"),
        "default_repository_permission": "read",
        "members_can_create_repositories": False,
        "members_can_create_public_repositories": False,
        "members_can_create_private_repositories": False,
        "web_commit_signoff_required": False,
        "billing_email": "billing@example.org",
    }
    # The security defaults for new repositories, where the plan declares them.
    for key, value in i.items():
        if key.endswith("ForNewRepositories"):
            w[f"/orgs/{org}"][re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()] = value
    w[f"/orgs/{org}/actions/permissions"] = {
        "enabled_repositories": "all",
        "allowed_actions": "all",
        "sha_pinning_required": False,
    }
    for a in _types(plan, ":ActionsOrganizationPermissions"):
        w[f"/orgs/{org}/actions/permissions"] = {
            "enabled_repositories": a.inputs["enabledRepositories"],
            "allowed_actions": a.inputs["allowedActions"],
            "sha_pinning_required": a.inputs.get("shaPinningRequired", False),
        }
        if "allowedActionsConfig" in a.inputs:
            c = a.inputs["allowedActionsConfig"]
            w[f"/orgs/{org}/actions/permissions/selected-actions"] = {
                "github_owned_allowed": c["githubOwnedAllowed"],
                "verified_allowed": c.get("verifiedAllowed", False),
                "patterns_allowed": c.get("patternsAlloweds", []),
            }
    members = _types(plan, "membership:Membership")
    w[f"/orgs/{org}/members?role=admin"] = [
        {"login": m.inputs["username"], "id": n}
        for n, m in enumerate(members)
        if m.inputs["role"] == "admin"
    ]
    for m in members:
        w[f"/orgs/{org}/memberships/{m.inputs['username']}"] = {
            "state": "active",
            "role": m.inputs["role"],
            "user": {"login": m.inputs["username"]},
        }
    for t in _types(plan, "team:Team"):
        slug = t.import_id
        parent = t.inputs.get("parentTeamId")
        w[f"/orgs/{org}/teams/{slug}"] = {
            "slug": slug,
            "name": t.inputs.get("name"),
            "description": t.inputs.get("description"),
            "privacy": t.inputs.get("privacy"),
            "parent": {"slug": parent} if parent else None,
        }
        for role in ("maintainer", "member"):
            # Each member carries its role and whether it is inherited from a child team.
            w[f"/orgs/{org}/teams/{slug}/members?role={role}"] = [
                {"login": m.inputs["username"], "role": role, "inherited": False}
                for m in _types(plan, "teamMembership:TeamMembership")
                if m.inputs["teamId"] == slug and m.inputs["role"] == role
            ]
        w[f"/orgs/{org}/teams/{slug}/invitations"] = []
    for r in _types(plan, "repository:Repository"):
        name = r.inputs["name"]
        base = f"/repos/{org}/{name}"
        w[base] = {
            "name": name,
            "full_name": f"{org}/{name}",
            "description": r.inputs.get("description"),
            "visibility": "public",
            "has_issues": r.inputs["hasIssues"],
            "delete_branch_on_merge": r.inputs["deleteBranchOnMerge"],
            "allow_merge_commit": r.inputs["allowMergeCommit"],
            "allow_squash_merge": r.inputs["allowSquashMerge"],
            "allow_rebase_merge": r.inputs["allowRebaseMerge"],
            # The token's own access, which GitHub adds for an authenticated caller.
            "permissions": {"admin": True, "maintain": True, "push": True, "pull": True},
        }
        w[f"{base}/vulnerability-alerts"] = 204
        w[f"{base}/hooks"] = []
        w[f"{base}/environments"] = {"total_count": 0, "environments": []}
        w[f"{base}/contents/.github/workflows"] = None
        w[f"{base}/rulesets"] = []
        w[f"{base}/teams"] = []
    teams = {t.import_id or t.name.rsplit("/", 1)[-1]: t for t in _types(plan, "team:Team")}
    for n, g in enumerate(_types(plan, "teamRepository:TeamRepository")):
        slug = g.name.rsplit("/", 1)[-1]
        w[f"/repos/{org}/{g.inputs['repository']}/teams"].append(
            team_listing(org, slug, teams[slug].inputs, g.inputs["permission"], 300 + n)
        )
    for n, rs in enumerate(_types(plan, "repositoryRuleset:RepositoryRuleset")):
        base = f"/repos/{org}/{rs.inputs['repository']}/rulesets"
        summary = {"id": 1000 + n, "name": rs.inputs["name"], "source_type": "Repository"}
        w[base].append(summary)
        w[f"{base}/{1000 + n}"] = {
            **summary,
            "target": rs.inputs["target"],
            "enforcement": rs.inputs["enforcement"],
            "bypass_actors": [
                {
                    # An App's id, which the program reads by slug, is the recorded App's.
                    "actor_id": 4242
                    if str(b.get("actorId")).startswith("<app_id:")
                    else b.get("actorId"),
                    "actor_type": b["actorType"],
                    "bypass_mode": b["bypassMode"],
                }
                for b in rs.inputs["bypassActors"]
            ],
        }
    hooks = []
    for n, h in enumerate(
        _types(plan, "Webhook:OrganizationWebhook") + _types(plan, "Webhook:RepositoryWebhook")
    ):
        cfg = h.inputs["configuration"]
        hook = {
            "id": 500 + n,
            "active": h.inputs["active"],
            "events": h.inputs["events"],
            "config": {
                "url": cfg["url"],
                "content_type": cfg["contentType"],
                "insecure_ssl": "0",
                "secret": PLANTED[0],
            },
        }
        if "repository" in h.inputs:
            w[f"/repos/{org}/{h.inputs['repository']}/hooks"].append(hook)
        else:
            hooks.append(hook)
    w[f"/orgs/{org}/hooks"] = hooks
    secrets = []
    for s in _types(plan, "actionsOrganizationSecret:ActionsOrganizationSecret"):
        name = s.inputs["secretName"]
        secrets.append(
            {
                "name": name,
                "visibility": s.inputs["visibility"],
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2025-01-01T00:00:00Z",
            }
        )
    for s in _types(plan, "actionsOrganizationSecret:ActionsOrganizationSecret"):
        if "selectedRepositoryIds" not in s.inputs:
            continue
        w[f"/orgs/{org}/actions/secrets/{s.inputs['secretName']}/repositories"] = {
            "total_count": len(s.inputs["selectedRepositoryIds"]),
            "repositories": [
                {"name": str(x).removeprefix(f"<repo_id:{org}/").removesuffix(">")}
                for x in s.inputs["selectedRepositoryIds"]
            ],
        }
    w[f"/orgs/{org}/actions/secrets"] = {"total_count": len(secrets), "secrets": secrets}
    groups = [{"id": 1, "name": "Default", "visibility": "all", "default": True}]
    for n, g in enumerate(_types(plan, "actionsRunnerGroup:ActionsRunnerGroup")):
        group = {
            "id": 10 + n,
            "name": g.inputs["name"],
            "visibility": g.inputs["visibility"],
            "allows_public_repositories": g.inputs["allowsPublicRepositories"],
            "default": False,
            "inherited": False,
        }
        groups.append(group)
        w[f"/orgs/{org}/actions/runner-groups/{10 + n}"] = group  # what the provider's Read GETs
        w[f"/orgs/{org}/actions/runner-groups/{10 + n}/repositories"] = {
            "total_count": len(g.inputs["selectedRepositoryIds"]),
            "repositories": [
                {"id": 900 + k, "name": str(x).removeprefix(f"<repo_id:{org}/").removesuffix(">")}
                for k, x in enumerate(g.inputs["selectedRepositoryIds"])
            ],
        }
    w[f"/orgs/{org}/actions/runner-groups"] = {"total_count": len(groups), "runner_groups": groups}
    _environments(plan, org, w)
    for f in _types(plan, "repositoryFile:RepositoryFile"):
        w[f"/repos/{org}/{f.inputs['repository']}/contents/{f.inputs['file']}"] = b64(
            f.inputs["content"]
        )
    # The GitHub Apps the rulesets let bypass, read by slug (`<app_id:SLUG>` in the plan).
    slugs = {
        str(b["actorId"]).removeprefix("<app_id:").removesuffix(">")
        for rs in _types(plan, "repositoryRuleset:RepositoryRuleset")
        for b in rs.inputs["bypassActors"]
        if str(b.get("actorId")).startswith("<app_id:")
    }
    for slug in sorted(slugs):
        w[f"/apps/{slug}"] = {"id": 4242, "slug": slug, "name": slug, "pem": PLANTED[3]}
    for app in _types(plan, "app:App"):
        name = app.inputs["name"]
        # Live as declared, or the usual one standard web dyno when the plan declares none.
        w[f"{HEROKU}/apps/{name}/formation"] = [
            {
                "type": f.inputs["type"],
                "size": f.inputs["size"].title(),
                "quantity": int(f.inputs["quantity"]),
            }
            for f in _types(plan, "formation:Formation")
            if f.inputs["appId"] == f"<heroku_app_uuid:{name}>"
        ] or [{"type": "web", "size": "Standard-1X", "quantity": 1}]
        w[f"{HEROKU}/apps/{name}/config-vars"] = {"GH_TOKEN": PLANTED[1]}
    for g in _types(plan, "variableGroup:VariableGroup"):
        project = g.name.removesuffix(f"-{g.inputs['name']}")
        w[f"{azure}/{project}/_apis/distributedtask/variablegroups?api-version=7.1"] = {
            "count": 1,
            "value": [
                {
                    "id": 7,
                    "name": g.inputs["name"],
                    "description": g.inputs.get("description"),
                    "type": "Vsts",
                    "variables": {
                        v["name"]: {"isSecret": v.get("isSecret", False), "value": PLANTED[2]}
                        for v in g.inputs["variables"]
                    },
                }
            ],
        }
    return w


def _environments(plan: Plan, org: str, w: dict[str, Any]) -> None:
    """The plan's environments as GitHub lists them: protection rules, branch policies, secrets."""
    for e in _types(plan, "repositoryEnvironment:RepositoryEnvironment"):
        repo, name = e.inputs["repository"], e.inputs["environment"]
        rules: list[dict[str, Any]] = []
        if e.inputs.get("waitTimer"):
            rules.append({"id": 1, "type": "wait_timer", "wait_timer": int(e.inputs["waitTimer"])})
        reviewers = [
            {"type": "Team", "reviewer": {"slug": str(t).split(":", 1)[1].removesuffix(">")}}
            for block in e.inputs.get("reviewers", [])
            for t in block.get("teams", [])
        ]
        if reviewers:
            rules.append(
                {
                    "id": 2,
                    "type": "required_reviewers",
                    "prevent_self_review": e.inputs.get("preventSelfReview", False),
                    "reviewers": reviewers,
                }
            )
        policy = e.inputs.get("deploymentBranchPolicy")
        if policy:
            rules.append({"id": 3, "type": "branch_policy"})
        env = {
            "id": len(w),
            "name": name,
            "can_admins_bypass": e.inputs.get("canAdminsBypass", True),
            "protection_rules": rules,
            "deployment_branch_policy": {
                "protected_branches": policy["protectedBranches"],
                "custom_branch_policies": policy["customBranchPolicies"],
            }
            if policy
            else None,
        }
        listing = w.setdefault(
            f"/repos/{org}/{repo}/environments", {"total_count": 0, "environments": []}
        )
        listing["environments"].append(env)
        listing["total_count"] += 1
        base = f"/repos/{org}/{repo}/environments/{name}"
        secrets = [
            {"name": s.inputs["secretName"], "created_at": "2025-01-01T00:00:00Z"}
            for s in _types(plan, "actionsEnvironmentSecret:ActionsEnvironmentSecret")
            if (s.inputs["repository"], s.inputs["environment"]) == (repo, name)
        ]
        w[f"{base}/secrets"] = {"total_count": len(secrets), "secrets": secrets}
        if policy and policy["customBranchPolicies"]:
            branches = [
                {"id": 70 + k, "name": d.inputs["branchPattern"], "type": "branch"}
                for k, d in enumerate(
                    _types(plan, "DeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")
                )
                if (d.inputs["repository"], d.inputs["environment"]) == (repo, name)
            ]
            w[f"{base}/deployment-branch-policies"] = {
                "total_count": len(branches),
                "branch_policies": branches,
            }


class FakeApis:
    """Serves a world through `responses` as GitHub does: lists paginated with `Link` headers,
    an `ETag` on every 200 and a bodiless 304 for a matching `If-None-Match`, the
    `X-RateLimit-*` headers, 401 `Bad credentials` for a token other than `token` (when set),
    and 403 `API rate limit exceeded` with `X-RateLimit-Remaining: 0` once `limit` is spent."""

    RESET = 1_800_000_000
    """The `X-RateLimit-Reset` served (epoch seconds; 2027-01-15 08:00 UTC)."""

    def __init__(self, world: dict[str, Any], token: str | None = None, limit: int = 5000):
        self.world = world
        self.token = token
        self.limit = limit
        self.requests: list[str] = []
        self.used = 0

    def _lookup(self, url: str) -> tuple[str, int]:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        page = int(query.pop("page", "1"))
        query.pop("per_page", None)
        host = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        key = path if host == GH else host + path
        return key, page

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert request.method == "GET", "a snapshot never writes"
        self.requests.append(request.url)
        key, page = self._lookup(request.url)
        headers = {"Content-Type": "application/json"}
        if request.url.startswith(GH):
            if self.token is not None and request.headers.get("Authorization") != (
                f"Bearer {self.token}"
            ):
                # GitHub answers a bad token before counting it, without rate-limit headers.
                return 401, headers, json.dumps({"message": "Bad credentials"})
            spent = self.used >= self.limit
            self.used += 0 if spent else 1
            headers.update(
                {
                    "X-RateLimit-Limit": str(self.limit),
                    "X-RateLimit-Used": str(self.used),
                    "X-RateLimit-Remaining": str(self.limit - self.used),
                    "X-RateLimit-Reset": str(self.RESET),
                    "X-RateLimit-Resource": "core",
                }
            )
            if spent:
                message = "API rate limit exceeded for installation ID 1."
                return 403, headers, json.dumps({"message": message})
        if key not in self.world or self.world[key] is None:
            return 404, headers, json.dumps({"message": "Not Found"})
        body = self.world[key]
        if body == 204:
            return 204, headers, ""
        if isinstance(body, list) and len(body) > PAGE:
            chunk = body[(page - 1) * PAGE : page * PAGE]
            if page * PAGE < len(body):
                sep = "&" if "?" in request.url.split("&page=")[0] else "?"
                nxt = re.sub(r"([?&])page=\d+", "", request.url)
                sep = "&" if "?" in nxt else "?"
                headers["Link"] = f'<{nxt}{sep}page={page + 1}>; rel="next"'
            body = chunk
        text = json.dumps(body)
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
        headers["ETag"] = etag
        if request.headers.get("If-None-Match") == etag:
            return 304, headers, ""
        return 200, headers, text

    def install(self, mock: responses.RequestsMock) -> None:
        for base in (GH, HEROKU, AZURE_HOST):
            mock.add_callback(responses.GET, re.compile(re.escape(base) + r".*"), callback=self)
