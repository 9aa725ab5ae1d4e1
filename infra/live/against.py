"""`cfinfra plan --against SNAPSHOT`: the predicted first `pulumi up`, from a live snapshot.

Every planned resource is matched with its live counterpart in the snapshot, and each declared input
is compared with the live value. Since Pulumi 3.174 an import whose inputs differ is followed by an
update in the same deployment, so each difference is a predicted live change. Each change carries
its blast radius: `organisation` (org settings, Actions policy, org webhooks and secrets, teams),
`repository`, or `person` (memberships).

What cannot be compared is said, never guessed: a secret's value (never readable), a resource type
the snapshot does not cover. What is live but not declared is listed as unmanaged. A recorded body
that is not what the API returns (a list where an object belongs, a `.access.yml` that is not
cirun's shape) is a problem naming the snapshot and the path (exit 2), and so is a snapshot that
records nothing the stack manages: comparing nothing is not "no change".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from infra.config.write_access import PERMISSIONS
from infra.errors import Problem
from infra.live.against_files import read_access, read_yaml
from infra.live.recorded import Snapshot, file_text
from infra.plan.model import Plan, PlannedResource
from infra.resource_types import Blast, blast_radius, holds_no_cloud_state, is_security_relevant

# The blast radii of the one resource-type table (``infra.resource_types``).
ORG, REPO, PERSON = Blast.ORGANISATION.value, Blast.REPOSITORY.value, Blast.PERSON.value
DEPRECATED_ORG_FIELDS = (
    "dependencyGraphEnabledForNewRepositories",
    "dependabotAlertsEnabledForNewRepositories",
    "dependabotSecurityUpdatesEnabledForNewRepositories",
    "secretScanningEnabledForNewRepositories",
    "secretScanningPushProtectionEnabledForNewRepositories",
    "advancedSecurityEnabledForNewRepositories",
)
"""`GET /orgs/{org}` fields GitHub's OpenAPI description marks `deprecated: true`."""


@dataclass(frozen=True)
class Change:
    field: str
    live: Any
    declared: Any


@dataclass
class Prediction:
    """What the first `up` does to one planned resource."""

    resource: PlannedResource
    op: str
    """`same`, `update` (imported, then updated), `create`, `import-missing` (declared as an import,
    not found live: the import fails), `ignored` (differs, but the field is in ignore_changes),
    `pending` (an invitation not accepted yet: the provider finds it, nobody is a member yet)."""
    live: str
    """Where the live counterpart was read (`GET <path>`), or `-`."""
    changes: list[Change] = field(default_factory=list)
    note: str = ""

    @property
    def blast(self) -> str:
        """How far the change reaches: the resource-type table's blast radius of its type."""
        return blast_radius(self.resource.type).value

    @property
    def security_relevant(self) -> bool:
        """Whether what the first `up` changes here is security-relevant: the resource-type
        table's verdict (``infra.resource_types``), as the PR diff and drift triage read it."""
        if self.op not in CHANGING:
            return False
        op = "import" if self.op == "import-missing" else self.op
        fields = {c.field.split(".", 1)[0] for c in self.changes}
        return is_security_relevant(self.resource.type, op, fields)


CHANGING = frozenset({"update", "create", "import-missing"})
"""The predictions in which the first `up` changes something."""


@dataclass
class Report:
    predictions: list[Prediction]
    unmanaged: list[tuple[str, str]]
    """(blast radius, what) live but not declared."""
    not_compared: list[str]
    problems: list[Problem] = field(default_factory=list)
    """What in the snapshot cannot be read as the API's answer: nothing is reported then."""

    @property
    def changing(self) -> list[Prediction]:
        return [p for p in self.predictions if p.op in CHANGING]


def _norm(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _diff(inputs: dict[str, Any], live: dict[str, Any], fields: dict[str, str]) -> list[Change]:
    """Compare declared inputs (camelCase) with live fields (snake_case) that are declared."""
    out = []
    for declared_key, live_key in fields.items():
        if declared_key not in inputs:
            continue  # not declared: not managed (ignored), nothing to change
        declared, current = _norm(inputs[declared_key]), _norm(live.get(live_key))
        if declared != current:
            out.append(Change(declared_key, current, declared))
    return out


class Matcher:
    """Looks up live counterparts in one snapshot for one org."""

    def __init__(self, snapshot: Snapshot, org: str):
        self.snap = snapshot
        self.org = org
        self.problems: list[Problem] = []

    def path(self, suffix: str) -> str:
        return suffix.replace("{org}", self.org)

    def _wrong(self, path: str, expected: str) -> None:
        self.problems.append(Problem(self.snap.file, f"GET {path}", f"expected {expected}"))

    def obj(self, path: str) -> dict[str, Any] | None:
        """The recorded object at ``path``; None when not recorded or null (404)."""
        body = self.snap.get(path)
        if body is None or isinstance(body, dict):
            return body
        self._wrong(path, "a JSON object, as the API returns")
        return None

    def items(self, path: str, key: str | None = None) -> list[dict[str, Any]]:
        """The objects of a recorded list (``key``: the list in `{"total_count", key: [...]}`)."""
        body = self.snap.get(path)
        if body is None:
            return []
        if key is not None:
            body = body.get(key) if isinstance(body, dict) else None
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            self._wrong(path, f"{'`' + key + '`: ' if key else ''}a list of JSON objects")
            return []
        return body

    # --- one function per type ------------------------------------------------------------------

    def org_settings(self, r: PlannedResource) -> Prediction:
        path = self.path("/orgs/{org}")
        live = self.snap.get(path)
        if not isinstance(live, dict):
            return Prediction(r, "not-recorded", "-")
        fields = {
            "name": "name",
            "description": "description",
            "blog": "blog",
            "twitterUsername": "twitter_username",
            "hasOrganizationProjects": "has_organization_projects",
            "hasRepositoryProjects": "has_repository_projects",
            "defaultRepositoryPermission": "default_repository_permission",
            "membersCanCreateRepositories": "members_can_create_repositories",
            "membersCanCreatePublicRepositories": "members_can_create_public_repositories",
            "membersCanCreatePrivateRepositories": "members_can_create_private_repositories",
            "webCommitSignoffRequired": "web_commit_signoff_required",
            "dependencyGraphEnabledForNewRepositories": (
                "dependency_graph_enabled_for_new_repositories"
            ),
            "dependabotAlertsEnabledForNewRepositories": (
                "dependabot_alerts_enabled_for_new_repositories"
            ),
            "dependabotSecurityUpdatesEnabledForNewRepositories": (
                "dependabot_security_updates_enabled_for_new_repositories"
            ),
            "secretScanningEnabledForNewRepositories": (
                "secret_scanning_enabled_for_new_repositories"
            ),
            "secretScanningPushProtectionEnabledForNewRepositories": (
                "secret_scanning_push_protection_enabled_for_new_repositories"
            ),
            "advancedSecurityEnabledForNewRepositories": (
                "advanced_security_enabled_for_new_repositories"
            ),
        }
        inputs = {k: v for k, v in r.inputs.items() if k != "billingEmail"}
        # GitHub marks the six `*_enabled_for_new_repositories` fields deprecated (code security
        # configurations replace them): once it stops returning one, it is not compared.
        gone = sorted(k for k in DEPRECATED_ORG_FIELDS if k in inputs and fields[k] not in live)
        pred = _pred(r, path, _diff({k: inputs[k] for k in inputs if k not in gone}, live, fields))
        if gone:
            pred.note = "not returned by GitHub (deprecated), not compared: " + ", ".join(gone)
        return pred

    def actions(self, r: PlannedResource) -> Prediction:
        path = self.path("/orgs/{org}/actions/permissions")
        live = self.snap.get(path)
        if not isinstance(live, dict):
            return Prediction(r, "not-recorded", "-")
        changes = _diff(
            r.inputs,
            live,
            {
                "enabledRepositories": "enabled_repositories",
                "allowedActions": "allowed_actions",
                "shaPinningRequired": "sha_pinning_required",
            },
        )
        selected = self.snap.get(path + "/selected-actions") or {}
        declared = r.inputs.get("allowedActionsConfig")
        if isinstance(declared, dict):
            changes += _diff(
                declared,
                selected if isinstance(selected, dict) else {},
                {
                    "githubOwnedAllowed": "github_owned_allowed",
                    "verifiedAllowed": "verified_allowed",
                    "patternsAlloweds": "patterns_allowed",
                },
            )
        return _pred(r, f"GET {path}", changes, creates=True)

    def membership(self, r: PlannedResource) -> Prediction:
        login = r.inputs.get("username", "")
        path = self.path(f"/orgs/{{org}}/memberships/{login}")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = self.obj(path)
        if live is None:
            return Prediction(
                r,
                "import-missing" if r.import_id else "create",
                "-",
                note=f"`{login}` is not a member: the first `up` invites them",
            )
        pred = _pred(r, f"GET {path}", _diff(r.inputs, live, {"role": "role"}))
        if live.get("state") == "pending" and not pred.changes:
            pred.op = "pending"
            pred.note = f"`{login}` is invited and has not accepted: not a member yet"
        return pred

    def team(self, r: PlannedResource) -> Prediction:
        slug = r.import_id or r.name.split("/", 1)[-1]
        path = self.path(f"/orgs/{{org}}/teams/{slug}")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = self.obj(path)
        if live is None:
            return Prediction(r, "import-missing" if r.import_id else "create", "-")
        changes = _diff(
            r.inputs, live, {"name": "name", "description": "description", "privacy": "privacy"}
        )
        parent = (live.get("parent") or {}).get("slug") if isinstance(live, dict) else None
        declared_parent = r.inputs.get("parentTeamId")
        declared_slug = declared_parent if isinstance(declared_parent, str) else None
        if (declared_slug or None) != (parent or None):
            changes.append(Change("parentTeamId", parent, declared_slug))
        return _pred(r, f"GET {path}", changes)

    def team_membership(self, r: PlannedResource) -> Prediction:
        slug, login = str(r.inputs.get("teamId")), str(r.inputs.get("username"))
        roles = {}
        inherited = set()
        recorded = False
        for role in ("maintainer", "member"):
            path = self.path(f"/orgs/{{org}}/teams/{slug}/members?role={role}")
            if self.snap.has(path):
                recorded = True
            for m in self.items(path):
                # `inherited: true`: a member of a child team, listed here but not a member of
                # this team (GitHub's list-members-in-org returns both).
                key = str(m.get("login", "")).lower()
                if m.get("inherited"):
                    inherited.add(key)
                else:
                    roles[key] = role
        if not recorded:
            return Prediction(r, "not-recorded", "-")
        where = self.path(f"GET /orgs/{{org}}/teams/{slug}/members?role=...")
        live_role = roles.get(login.lower())
        invited = {
            str(i.get("login", "")).lower()
            for i in self.items(self.path(f"/orgs/{{org}}/teams/{slug}/invitations"))
        }
        if live_role is None and login.lower() in invited:
            return Prediction(
                r, "pending", where, note=f"`{login}` is invited to `{slug}`, not accepted"
            )
        if live_role is None and login.lower() in inherited:
            return Prediction(
                r,
                "import-missing" if r.import_id else "create",
                where,
                note=f"`{login}` is in `{slug}` only through a child team: `up` adds them",
            )
        if live_role is None:
            return Prediction(
                r,
                "import-missing" if r.import_id else "create",
                where,
                note=f"`{login}` is not in `{slug}`: the first `up` adds them",
            )
        return _pred(r, where, _diff(r.inputs, {"role": live_role}, {"role": "role"}))

    def repository(self, r: PlannedResource) -> Prediction:
        name = r.inputs.get("name")
        path = self.path(f"/repos/{{org}}/{name}")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = self.obj(path)
        if live is None:
            return Prediction(r, "import-missing" if r.import_id else "create", "-")
        fields = {
            "description": "description",
            "visibility": "visibility",
            "hasIssues": "has_issues",
            "deleteBranchOnMerge": "delete_branch_on_merge",
            "allowMergeCommit": "allow_merge_commit",
            "allowSquashMerge": "allow_squash_merge",
            "allowRebaseMerge": "allow_rebase_merge",
        }
        return _pred(r, f"GET {path}", _diff(r.inputs, live, fields))

    def team_repository(self, r: PlannedResource) -> Prediction:
        repo = r.inputs.get("repository")
        slug = r.name.rsplit("/", 1)[-1]  # `<org>/<repo>/<team slug>` (infra/github)
        path = self.path(f"/repos/{{org}}/{repo}/teams")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = self.team_grants(str(repo)).get(slug.lower())
        if live is None:
            op = "import-missing" if r.import_id else "create"
            return Prediction(r, op, f"GET {path}", note=f"`{slug}` has no grant here")
        changes = _diff(r.inputs, {"permission": live}, {"permission": "permission"})
        return _pred(r, f"GET {path}", changes)

    def team_grants(self, repo: str) -> dict[str, str]:
        """Lower-cased team slug → its permission on ``repo``, as recorded."""
        return {
            str(t.get("slug", "")).lower(): live_permission(t)
            for t in self.items(self.path(f"/repos/{{org}}/{repo}/teams"))
        }

    def alerts(self, r: PlannedResource) -> Prediction:
        path = self.path(f"/repos/{{org}}/{r.inputs.get('repository')}/vulnerability-alerts")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = {"enabled": bool(self.snap.get(path))}
        return _pred(r, f"GET {path}", _diff(r.inputs, live, {"enabled": "enabled"}))

    def ruleset(self, r: PlannedResource) -> Prediction:
        repo = r.inputs.get("repository")
        listing = self.path(f"/repos/{{org}}/{repo}/rulesets")
        if not self.snap.has(listing):
            return Prediction(r, "not-recorded", "-")
        match = [rs for rs in self.items(listing) if rs.get("name") == r.inputs.get("name")]
        if not match:
            return Prediction(r, "create", f"GET {listing}")
        path = f"{listing}/{match[0].get('id')}"
        live = self.obj(path) or match[0]
        changes = _diff(r.inputs, live, {"enforcement": "enforcement", "target": "target"})
        declared = sorted(
            (b.get("actorType"), self._actor_id(b.get("actorId")), b.get("bypassMode"))
            for b in r.inputs.get("bypassActors", [])
        )
        if "bypass_actors" not in live:
            pred = _pred(r, f"GET {path}", changes)
            pred.note = (
                "bypassActors not readable with this token (GitHub returns them only with write "
                "access to the ruleset): not compared"
            )
            return pred
        current = sorted(
            (b.get("actor_type"), _norm(b.get("actor_id")), b.get("bypass_mode"))
            for b in live.get("bypass_actors") or []
            if isinstance(b, dict)
        )
        if _norm(declared) != _norm(current):
            changes.append(Change("bypassActors", current, declared))
        return _pred(r, f"GET {path}", changes)

    def _actor_id(self, declared: Any) -> Any:
        """A bypass actor id; an App's id read by slug at deploy time comes from the snapshot."""
        if isinstance(declared, str) and declared.startswith("<app_id:"):
            app = self.snap.get(f"/apps/{declared.removeprefix('<app_id:').removesuffix('>')}")
            if isinstance(app, dict) and app.get("id") is not None:
                return app["id"]
        return _norm(declared)

    def _hooks(self, path: str) -> dict[str, dict[str, Any]]:
        return {str((h.get("config") or {}).get("url")): h for h in self.items(path)}

    def webhook(self, r: PlannedResource) -> Prediction:
        repo = r.inputs.get("repository")
        path = self.path(f"/repos/{{org}}/{repo}/hooks" if repo else "/orgs/{org}/hooks")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        config = r.inputs.get("configuration")
        url = config.get("url") if isinstance(config, dict) else None
        live = self._hooks(path).get(str(url))
        if live is None:
            return Prediction(r, "create", f"GET {path}", note=f"no hook for {url}")
        changes = _diff(r.inputs, live, {"events": "events", "active": "active"})
        if isinstance(config, dict):
            live_config = live.get("config") or {}
            if config.get("contentType") != live_config.get("content_type"):
                changes.append(
                    Change(
                        "configuration.contentType",
                        live_config.get("content_type"),
                        config.get("contentType"),
                    )
                )
            live_insecure = str(live_config.get("insecure_ssl", "0")) not in {"0", "False"}
            if bool(config.get("insecureSsl")) != live_insecure:
                changes.append(
                    Change("configuration.insecureSsl", live_insecure, config.get("insecureSsl"))
                )
        return _pred(r, f"GET {path}", changes)

    def org_secret(self, r: PlannedResource) -> Prediction:
        path = self.path("/orgs/{org}/actions/secrets")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        name = r.inputs.get("secretName")
        live = {s.get("name"): s for s in self.items(path, "secrets")}.get(name)
        if live is None:
            return Prediction(r, "create", f"GET {path}")
        changes = _diff(r.inputs, live, {"visibility": "visibility"})
        if "selectedRepositoryIds" in r.inputs:
            # The selection lives on the secret (docs/provider-behaviour.md PB-1).
            repos = self.path(f"/orgs/{{org}}/actions/secrets/{name}/repositories")
            if not self.snap.has(repos):
                return Prediction(r, "not-recorded", "-")
            held = self._repository_names(repos)
            declared = self._declared_repositories(r.inputs["selectedRepositoryIds"])
            if held != declared:
                changes.append(Change("selectedRepositories", held, declared))
        pred = _pred(r, f"GET {path}", changes)
        pred.note = "value not comparable (GitHub never returns it): written again by `up`"
        return pred

    def _repository_names(self, path: str) -> list[str]:
        """The repositories of a recorded selection (`{"total_count", "repositories": [...]}`),
        lower-case: GitHub's repository names compare case-insensitively."""
        return sorted(str(x.get("name")).lower() for x in self.items(path, "repositories"))

    def _declared_repositories(self, ids: Any) -> list[str]:
        """The repositories the plan selects by `<repo_id:ORG/NAME>` (read at deploy time)."""
        prefix = f"<repo_id:{self.org}/".lower()
        return sorted(str(i).lower().removeprefix(prefix).removesuffix(">") for i in ids or [])

    def runner_group(self, r: PlannedResource) -> Prediction:
        listing = self.path("/orgs/{org}/actions/runner-groups")
        if not self.snap.has(listing):
            return Prediction(r, "not-recorded", "-")
        name = str(r.inputs.get("name"))
        groups = self.items(listing, "runner_groups")
        live = {str(g.get("name")).lower(): g for g in groups}.get(name.lower())
        if live is None:
            return Prediction(r, "import-missing" if r.import_id else "create", listing)
        changes = _diff(
            r.inputs,
            live,
            {"visibility": "visibility", "allowsPublicRepositories": "allows_public_repositories"},
        )
        where = f"{listing}/{live.get('id')}/repositories"
        if live.get("visibility") == "selected" or r.inputs.get("visibility") == "selected":
            if not self.snap.has(where):
                return Prediction(r, "not-recorded", "-")
            current = self._repository_names(where)
            declared = self._declared_repositories(r.inputs.get("selectedRepositoryIds"))
            if current != declared:
                changes.append(Change("selectedRepositories", current, declared))
        return _pred(r, f"GET {listing}", changes)

    def _environment(self, repo: Any, name: Any) -> tuple[str, dict[str, Any] | None]:
        path = self.path(f"/repos/{{org}}/{repo}/environments")
        live = {str(e.get("name")).lower(): e for e in self.items(path, "environments")}.get(
            str(name).lower()
        )
        return path, live

    def environment(self, r: PlannedResource) -> Prediction:
        path, live = self._environment(r.inputs.get("repository"), r.inputs.get("environment"))
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        if live is None:
            return Prediction(r, "import-missing" if r.import_id else "create", path)
        rules = {
            str(rule.get("type")): rule
            for rule in live.get("protection_rules") or []
            if isinstance(rule, dict)
        }
        reviewers = rules.get("required_reviewers", {})
        teams, users = [], []
        for rv in reviewers.get("reviewers") or []:
            who = rv.get("reviewer") if isinstance(rv, dict) else None
            if isinstance(who, dict) and rv.get("type") == "Team":
                teams.append(str(who.get("slug")).lower())
            elif isinstance(who, dict) and rv.get("type") == "User":
                users.append(str(who.get("login")).lower())
        policy = live.get("deployment_branch_policy")
        # The provider sends every field on update: an absent input is GitHub's default.
        current = {
            "waitTimer": rules.get("wait_timer", {}).get("wait_timer", 0),
            "canAdminsBypass": live.get("can_admins_bypass", True),
            "preventSelfReview": bool(reviewers.get("prevent_self_review", False)),
            "reviewers": sorted(teams) + sorted(users),
            "deploymentBranchPolicy": {
                "protectedBranches": bool(policy.get("protected_branches")),
                "customBranchPolicies": bool(policy.get("custom_branch_policies")),
            }
            if isinstance(policy, dict)
            else None,
        }
        declared_reviewers: list[str] = []
        for block in r.inputs.get("reviewers") or []:
            for key in ("teams", "users"):
                declared_reviewers += sorted(
                    str(x).lower().split(":", 1)[-1].removesuffix(">") for x in block.get(key, [])
                )
        declared = {
            "waitTimer": r.inputs.get("waitTimer", 0),
            "canAdminsBypass": r.inputs.get("canAdminsBypass", True),
            "preventSelfReview": bool(r.inputs.get("preventSelfReview", False)),
            "reviewers": declared_reviewers,
            "deploymentBranchPolicy": r.inputs.get("deploymentBranchPolicy"),
        }
        changes = _diff(declared, current, {k: k for k in declared})
        return _pred(r, f"GET {path}", changes)

    def environment_policy(self, r: PlannedResource) -> Prediction:
        repo, env = r.inputs.get("repository"), r.inputs.get("environment")
        path = self.path(f"/repos/{{org}}/{repo}/environments/{env}/deployment-branch-policies")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        patterns = {
            (str(b.get("name")), str(b.get("type", "branch")))
            for b in self.items(path, "branch_policies")
        }
        if (str(r.inputs.get("branchPattern")), "branch") not in patterns:
            return Prediction(r, "import-missing" if r.import_id else "create", path)
        return _pred(r, f"GET {path}", [])

    def environment_secret(self, r: PlannedResource) -> Prediction:
        repo, env = r.inputs.get("repository"), r.inputs.get("environment")
        path = self.path(f"/repos/{{org}}/{repo}/environments/{env}/secrets")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        names = {str(x.get("name")).upper() for x in self.items(path, "secrets")}
        if str(r.inputs.get("secretName")).upper() not in names:
            return Prediction(r, "create", path)
        pred = _pred(r, f"GET {path}", [])
        pred.note = "value not comparable (GitHub never returns it): written again by `up`"
        return pred

    def variable_group(self, r: PlannedResource) -> Prediction:
        """An Azure DevOps variable group, found in its project's recorded list: the program names
        the resource `{project}-{group}` (infra/azure/variable_groups.py)."""
        name = str(r.inputs.get("name"))
        for path, _ in self.snap.under("https://dev.azure.com/"):
            project = path.split("/_apis/", 1)[0].rsplit("/", 1)[-1]
            if "/_apis/distributedtask/variablegroups" not in path or r.name != f"{project}-{name}":
                continue
            live = {str(g.get("name")): g for g in self.items(path, "value")}.get(name)
            if live is None:
                return Prediction(r, "import-missing" if r.import_id else "create", path)
            variables = live.get("variables")
            current = {
                "description": live.get("description"),
                "variables": sorted(
                    (str(k), bool((v or {}).get("isSecret")))
                    for k, v in (variables.items() if isinstance(variables, dict) else [])
                ),
            }
            declared = {
                "description": r.inputs.get("description"),
                "variables": sorted(
                    (str(v.get("name")), bool(v.get("isSecret")))
                    for v in r.inputs.get("variables") or []
                ),
            }
            pred = _pred(r, f"GET {path}", _diff(declared, current, {k: k for k in declared}))
            pred.note = "values not comparable (never recorded): written again by `up`"
            return pred
        return Prediction(r, "not-recorded", "-")

    def cirun_file(self, r: PlannedResource) -> Prediction:
        repo, name = r.inputs.get("repository"), r.inputs.get("file")
        path = self.path(f"/repos/{{org}}/{repo}/contents/{name}")
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        text = file_text(self.snap.get(path))
        if text is None:
            return Prediction(r, "import-missing" if r.import_id else "create", "-")
        declared = str(r.inputs.get("content", ""))
        changes = []
        where = f"{self.snap.file}: GET {path}"
        if name == ".access.yml":
            live_g, problems = read_access(text, where)
            decl_g, declared_problems = read_access(declared, f"{r.name} (the plan)")
            self.problems += problems + declared_problems
            if live_g is None or decl_g is None:
                return Prediction(r, "unreadable", f"GET {path}")
            lost = sorted(f"{g[1]} → {g[0]}" for g in live_g - decl_g)
            added = sorted(f"{g[1]} → {g[0]}" for g in decl_g - live_g)
            if lost or added:
                changes.append(Change("content (grants)", lost, added))
        else:
            live_doc, problems = read_yaml(text, where)
            self.problems += problems
            if problems:
                return Prediction(r, "unreadable", f"GET {path}")
            if live_doc != read_yaml(declared, r.name)[0]:
                changes.append(Change("content", "(live file)", "(rendered from data/runners)"))
        pred = _pred(r, f"GET {path}", changes)
        if r.import_id and changes:
            pred.op = "ignored"
            pred.note = (
                "content ignored until the cutover (cirun_files_writer: admin-requests): "
                "the cutover would make these changes"
            )
        return pred

    def formation(self, r: PlannedResource) -> Prediction:
        app = str(r.import_id or "").split(":", 1)[0]
        path = f"https://api.heroku.com/apps/{app}/formation"
        if not self.snap.has(path):
            return Prediction(r, "not-recorded", "-")
        live = {f.get("type"): f for f in self.snap.get(path) or []}.get(r.inputs.get("type"))
        if live is None:
            return Prediction(r, "import-missing", f"GET {path}")
        # Heroku reports sizes capitalised (`Standard-1X`); the provider ignores case.
        live = {**live, "size": str(live.get("size", "")).lower()}
        inputs = {**r.inputs, "size": str(r.inputs.get("size", "")).lower()}
        return _pred(
            r, f"GET {path}", _diff(inputs, live, {"size": "size", "quantity": "quantity"})
        )


def live_permission(team: dict[str, Any]) -> str:
    """A listed team's permission on the repository: the highest of its `permissions` flags
    (what the team can do there), else its `permission` field."""
    flags = team.get("permissions")
    if isinstance(flags, dict):
        held = [p for p in PERMISSIONS if flags.get(p) is True]
        if held:
            return held[-1]
    return str(team.get("permission", ""))


def _pred(
    r: PlannedResource, live: str, changes: list[Change], creates: bool = False
) -> Prediction:
    op = "update" if changes else "same"
    if creates and r.import_id is None and changes:
        op = "update"
    return Prediction(r, op, live if live.startswith("GET") else f"GET {live}", changes)


def _matchers(m: Matcher) -> dict[str, Callable[[PlannedResource], Prediction]]:
    g = "github:index/"
    return {
        f"{g}organizationSettings:OrganizationSettings": m.org_settings,
        f"{g}actionsOrganizationPermissions:ActionsOrganizationPermissions": m.actions,
        f"{g}membership:Membership": m.membership,
        f"{g}team:Team": m.team,
        f"{g}teamMembership:TeamMembership": m.team_membership,
        f"{g}repository:Repository": m.repository,
        f"{g}repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts": m.alerts,
        f"{g}teamRepository:TeamRepository": m.team_repository,
        f"{g}repositoryRuleset:RepositoryRuleset": m.ruleset,
        f"{g}organizationWebhook:OrganizationWebhook": m.webhook,
        f"{g}repositoryWebhook:RepositoryWebhook": m.webhook,
        f"{g}actionsOrganizationSecret:ActionsOrganizationSecret": m.org_secret,
        f"{g}repositoryFile:RepositoryFile": m.cirun_file,
        f"{g}actionsRunnerGroup:ActionsRunnerGroup": m.runner_group,
        f"{g}repositoryEnvironment:RepositoryEnvironment": m.environment,
        f"{g}repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
            m.environment_policy
        ),
        f"{g}actionsEnvironmentSecret:ActionsEnvironmentSecret": m.environment_secret,
        "azuredevops:index/variableGroup:VariableGroup": m.variable_group,
        "heroku:formation/formation:Formation": m.formation,
    }


def unmanaged_of(plan: Plan, m: Matcher) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    types = {r.type for r in plan.resources}
    if "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions" not in types:
        live = m.snap.get(m.path("/orgs/{org}/actions/permissions"))
        if isinstance(live, dict):
            out.append(
                (
                    ORG,
                    f"the Actions policy (allowed_actions: {live.get('allowed_actions')}, "
                    f"sha_pinning_required: {live.get('sha_pinning_required')})",
                )
            )
    declared_hooks = {
        (r.inputs.get("configuration") or {}).get("url")
        for r in plan.resources
        if r.type.endswith("Webhook:OrganizationWebhook")
    }
    for url in sorted(m._hooks(m.path("/orgs/{org}/hooks"))):
        if url not in declared_hooks:
            out.append((ORG, f"org webhook {url}"))
    secrets = m.items(m.path("/orgs/{org}/actions/secrets"), "secrets")
    declared_secrets = {
        r.inputs.get("secretName")
        for r in plan.resources
        if r.type.endswith("actionsOrganizationSecret:ActionsOrganizationSecret")
    }
    for s in secrets:
        if s.get("name") not in declared_secrets:
            out.append((ORG, f"org Actions secret {s.get('name')}"))
    owners = m.items(m.path("/orgs/{org}/members?role=admin"))
    declared_owners = {
        str(r.inputs.get("username")).lower()
        for r in plan.resources
        if r.type == "github:index/membership:Membership" and r.inputs.get("role") == "admin"
    }
    for o in owners:
        if str(o.get("login", "")).lower() not in declared_owners:
            out.append((PERSON, f"org owner {o.get('login')}"))
    declared_groups = {
        str(r.inputs.get("name")).lower()
        for r in plan.resources
        if r.type.endswith("actionsRunnerGroup:ActionsRunnerGroup")
    }
    for g in m.items(m.path("/orgs/{org}/actions/runner-groups"), "runner_groups"):
        if not g.get("default") and str(g.get("name")).lower() not in declared_groups:
            out.append((ORG, f"runner group {g.get('name')} ({g.get('visibility')})"))
    declared_grants = {
        (str(r.inputs.get("repository")).lower(), r.name.rsplit("/", 1)[-1].lower())
        for r in plan.resources
        if r.type.endswith("teamRepository:TeamRepository")
    }
    for repo in sorted(
        str(r.inputs.get("name")) for r in plan.resources if r.type.endswith(":Repository")
    ):
        for slug, permission in sorted(m.team_grants(repo).items()):
            if (repo.lower(), slug) not in declared_grants:
                out.append((REPO, f"team grant {slug} ({permission}) on {repo}"))
    declared_envs = {
        (str(r.inputs.get("repository")).lower(), str(r.inputs.get("environment")).lower())
        for r in plan.resources
        if r.type.endswith("repositoryEnvironment:RepositoryEnvironment")
    }
    for repo in sorted({repo for repo, _ in declared_envs}):
        path = m.path(f"/repos/{{org}}/{repo}/environments")
        for e in m.items(path, "environments"):
            if (repo, str(e.get("name")).lower()) not in declared_envs:
                out.append((REPO, f"environment {repo}/{e.get('name')}"))
    return out


def predict(plan: Plan, snapshot: Snapshot, org: str) -> Report:
    m = Matcher(snapshot, org)
    table = _matchers(m)
    predictions: list[Prediction] = []
    not_compared: set[str] = set()
    recorded_org = snapshot.meta.get("org")
    if isinstance(recorded_org, str) and recorded_org.lower() != org.lower():
        m.problems.append(
            Problem(snapshot.file, "_meta.org", f"a snapshot of `{recorded_org}`, not of `{org}`")
        )
    for r in plan.resources:
        fn = table.get(r.type)
        if fn is None:
            if not holds_no_cloud_state(r.type):
                not_compared.add(r.type)
            continue
        pred = fn(r)
        if pred.op == "not-recorded":
            not_compared.add(f"{r.type} ({r.name}: not in the snapshot)")
            continue
        predictions.append(pred)
    unmanaged = unmanaged_of(plan, m)
    if not predictions and not m.problems:
        m.problems.append(
            Problem(
                snapshot.file,
                "",
                f"records nothing the stack manages in `{org}`: nothing could be compared "
                "(is it a snapshot of this stack?)",
            )
        )
    return Report(predictions, unmanaged, sorted(not_compared), sorted(set(m.problems)))


def changes_of(report: Report) -> Iterable[Prediction]:
    return (p for p in report.predictions if p.op != "same")
