"""`cfinfra snapshot`: record the live state of every surface the stack manages, read-only.

The result is one JSON object: `{"GET <path>": decoded body}` (docs/snapshot.md; JSON Schema in
docs/reference/snapshot.schema.json). GitHub paths are relative to `https://api.github.com`; other
services' keys carry their full URL. List endpoints are recorded with their pages concatenated. An
endpoint that answers with a status only (`vulnerability-alerts`: 204 on, 404 off) records `true` or
`false`, and a 404 the token cannot tell from "off" (no admin access) is not recorded, with a note;
an optional resource that does not exist records `null`. What GitHub withholds from this token (a
ruleset's `bypass_actors` without write access to it) is noted, never recorded as empty.

A snapshot never holds a secret value: GitHub never returns Actions secret values; webhook
configurations lose their `secret`; Heroku config vars and Azure DevOps variables are recorded as
names only (and whether each is secret); every key named like a credential is dropped anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config.loader import Project
from infra.live.client import LiveError, ReadOnlyClient

PER_PAGE = "per_page=100"
CREDENTIAL_KEYS = frozenset(
    {"secret", "token", "password", "private_key", "client_secret", "access_token", "pem"}
)
SNAPSHOT_VERSION = 1


def scrub(body: Any) -> Any:
    """Drop every credential-named key, at any depth (webhook `config.secret`, ...)."""
    if isinstance(body, dict):
        return {k: scrub(v) for k, v in body.items() if str(k).lower() not in CREDENTIAL_KEYS}
    if isinstance(body, list):
        return [scrub(v) for v in body]
    return body


@dataclass
class Recorder:
    """Collects responses; a failure of one surface is recorded as a note, never a crash."""

    github: ReadOnlyClient
    org: str
    heroku: ReadOnlyClient | None = None
    azure: ReadOnlyClient | None = None
    responses: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def gh(self, path: str, *, paged: bool = False, optional: bool = False) -> Any:
        query = (("&" if "?" in path else "?") + PER_PAGE) if paged else ""
        try:
            body = self.github.get(path + query, optional=(404,) if optional else ())
        except LiveError as exc:
            self.notes.append(str(exc))
            return None
        self.responses[f"GET {path}"] = scrub(body)
        return body

    def gh_flag(self, path: str, *, can_read_off: bool) -> None:
        """A status-only setting: 204 on; 404 off only where the token can read the setting
        (``can_read_off``), since GitHub answers 404 as well to a token that may not read it."""
        try:
            status = self.github.status(path)
        except LiveError as exc:
            self.notes.append(str(exc))
            return
        if status == 404 and not can_read_off:
            self.notes.append(
                f"GET {path}: 404 without admin access to the repository: not recorded "
                "(GitHub answers 404 both for off and for a token that may not read it)"
            )
            return
        self.responses[f"GET {path}"] = status == 204

    def other(self, client: ReadOnlyClient, path: str, shape: Callable[[Any], Any] = scrub) -> Any:
        try:
            body = client.get(path)
        except LiveError as exc:
            self.notes.append(str(exc))
            return None
        self.responses[f"GET {client.base}{path}"] = shape(body)
        return body


def _names_of_config_vars(body: Any) -> Any:
    """Heroku config vars as their names only."""
    return sorted(body) if isinstance(body, dict) else None


def _variable_group_names(body: Any) -> Any:
    """Azure DevOps variable groups without any variable value."""
    groups = body.get("value", []) if isinstance(body, dict) else []
    shaped = []
    for g in groups if isinstance(groups, list) else []:
        if not isinstance(g, dict):
            continue
        variables = g.get("variables") or {}
        shaped.append(
            {
                "id": g.get("id"),
                "name": g.get("name"),
                "description": g.get("description"),
                "type": g.get("type"),
                "variables": {
                    name: {"isSecret": bool((v or {}).get("isSecret"))}
                    for name, v in sorted(variables.items())
                },
            }
        )
    return {"count": len(shaped), "value": shaped}


def _record_org(r: Recorder) -> None:
    org = r.org
    r.gh(f"/orgs/{org}")
    perms = r.gh(f"/orgs/{org}/actions/permissions")
    if isinstance(perms, dict) and perms.get("allowed_actions") == "selected":
        r.gh(f"/orgs/{org}/actions/permissions/selected-actions")
    if isinstance(perms, dict) and perms.get("enabled_repositories") == "selected":
        r.gh(f"/orgs/{org}/actions/permissions/repositories", paged=True)
    r.gh(f"/orgs/{org}/members?role=admin", paged=True)
    r.gh(f"/orgs/{org}/hooks", paged=True)
    record_selections(r)


def _listed(body: Any, key: str) -> list[dict[str, Any]]:
    items = body.get(key) if isinstance(body, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def record_selections(r: Recorder) -> None:
    """The org secrets and runner groups, and the repositories of each one limited to selected
    repositories: the selections the drift workflow reads live (infra/live/selections.py)."""
    org = r.org
    for s in _listed(r.gh(f"/orgs/{org}/actions/secrets", paged=True), "secrets"):
        if s.get("visibility") == "selected":
            r.gh(f"/orgs/{org}/actions/secrets/{s.get('name')}/repositories", paged=True)
    for g in _listed(r.gh(f"/orgs/{org}/actions/runner-groups", paged=True), "runner_groups"):
        if g.get("visibility") == "selected":
            r.gh(f"/orgs/{org}/actions/runner-groups/{g.get('id')}/repositories", paged=True)


def _record_people(r: Recorder, project: Project) -> None:
    people = project.people
    if people is None:
        return
    for person in sorted({p.login for p in (*people.owners, *people.members)}, key=str.lower):
        r.gh(f"/orgs/{r.org}/memberships/{person}", optional=True)
    for team in people.declared_teams():
        r.gh(f"/orgs/{r.org}/teams/{team.slug}", optional=True)
        for role in ("maintainer", "member"):
            r.gh(f"/orgs/{r.org}/teams/{team.slug}/members?role={role}", paged=True, optional=True)
        # Invited, not yet accepted: not in the member lists, yet the provider's Read finds them.
        r.gh(f"/orgs/{r.org}/teams/{team.slug}/invitations", paged=True, optional=True)


def _record_workflows(r: Recorder, repo: str) -> None:
    listing = r.gh(f"/repos/{r.org}/{repo}/contents/.github/workflows", optional=True)
    for entry in listing if isinstance(listing, list) else []:
        name = str(entry.get("name", ""))
        if entry.get("type") == "file" and name.endswith((".yml", ".yaml")):
            r.gh(f"/repos/{r.org}/{repo}/contents/.github/workflows/{name}")


def _record_environments(r: Recorder, base: str) -> None:
    """A repository's environments, each one's secret names and custom branch policies."""
    listing = r.gh(f"{base}/environments", paged=True, optional=True)
    envs = listing.get("environments") if isinstance(listing, dict) else None
    for env in envs if isinstance(envs, list) else []:
        if not isinstance(env, dict) or not isinstance(env.get("name"), str):
            continue
        at = f"{base}/environments/{env['name']}"
        r.gh(f"{at}/secrets", paged=True)
        policy = env.get("deployment_branch_policy")
        if isinstance(policy, dict) and policy.get("custom_branch_policies"):
            r.gh(f"{at}/deployment-branch-policies", paged=True)


def _record_repositories(r: Recorder, project: Project, feedstocks: Iterable[str]) -> None:
    gh = project.config.github
    for repo in sorted(gh.repositories):
        base = f"/repos/{r.org}/{repo}"
        body = r.gh(base, optional=True)
        if body is None:
            continue
        # `permissions` is the token's own access to the repository (GitHub adds it when
        # authenticated); the alerts setting is readable with admin access only.
        permissions = body.get("permissions") if isinstance(body, dict) else None
        admin = isinstance(permissions, dict) and permissions.get("admin") is True
        r.gh_flag(f"{base}/vulnerability-alerts", can_read_off=admin)
        rulesets = r.gh(f"{base}/rulesets", paged=True)
        for rs in rulesets if isinstance(rulesets, list) else []:
            if isinstance(rs, dict) and rs.get("source_type") == "Repository":
                ruleset = r.gh(f"{base}/rulesets/{rs.get('id')}")
                if isinstance(ruleset, dict) and "bypass_actors" not in ruleset:
                    r.notes.append(
                        f"GET {base}/rulesets/{rs.get('id')}: `bypass_actors` not readable with "
                        "this token (GitHub returns it only with write access to the ruleset)"
                    )
        r.gh(f"{base}/hooks", paged=True, optional=True)
        # The teams granted access: for a public repository GitHub lists a team only where the
        # grant is the team's own (not inherited from a parent), and only teams the token can
        # see (a secret team needs an owner's token or membership).
        r.gh(f"{base}/teams", paged=True)
        _record_environments(r, base)
        _record_workflows(r, repo)
    for feedstock in sorted(set(feedstocks)):
        _record_workflows(r, f"{feedstock}-feedstock")
    for slug in sorted(gh.rulesets.apps):
        r.gh(f"/apps/{slug}", optional=True)
    runners = project.config.runners
    if runners is not None:
        for name in (".access.yml", ".cirun.global.yml"):
            r.gh(f"/repos/{r.org}/{runners.cirun_repository}/contents/{name}", optional=True)


def _record_heroku(r: Recorder, project: Project) -> None:
    if project.config.heroku is None:
        return
    if r.heroku is None:
        r.notes.append("Heroku: no HEROKU_API_KEY, formation and config-var names not recorded")
        return
    for app in sorted(project.config.heroku.apps):
        r.other(r.heroku, f"/apps/{app}/formation")
        r.other(r.heroku, f"/apps/{app}/config-vars", _names_of_config_vars)


def _record_azure(r: Recorder, project: Project) -> None:
    azure = project.config.azure
    if azure is None:
        return
    if r.azure is None:
        r.notes.append("Azure DevOps: no AZDO_PERSONAL_ACCESS_TOKEN, variable groups not recorded")
        return
    for name in sorted(azure.projects):
        r.other(
            r.azure,
            f"/{name}/_apis/distributedtask/variablegroups?api-version=7.1",
            _variable_group_names,
        )


def record(project: Project, recorder: Recorder, feedstocks: Iterable[str] = ()) -> dict[str, Any]:
    """Every surface the stack manages, as `{"GET <path>": body}` plus `_meta`."""
    _record_org(recorder)
    _record_people(recorder, project)
    _record_repositories(recorder, project, feedstocks)
    _record_heroku(recorder, project)
    _record_azure(recorder, project)
    doc: dict[str, Any] = {
        "_meta": {
            "version": SNAPSHOT_VERSION,
            "org": recorder.org,
            "stack": project.stack,
            "notes": recorder.notes,
        }
    }
    doc.update(dict(sorted(recorder.responses.items())))
    return doc


def write_snapshot(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
