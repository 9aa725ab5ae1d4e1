"""The ``pulumi import --file`` JSON that adopts every pre-existing resource of the offline plan.

Pulumi's import file is ``{"nameTable": {name: urn}, "resources": [{type, name, id, logicalName?,
parent?, provider?}]}``; ``parent`` and ``provider`` name entries of ``nameTable`` (or of
``resources``). The engine builds each URN from the parent's type, the type and the logical name, so
the imported state lines up with what the program registers and the first ``pulumi up`` adopts
instead of creating.

Which id a provider wants is per type (the ``## Import`` section of each provider class's
docstring): a table here, generic over everything else. A type without a rule is assumed *new*
(``pulumi up`` creates it: the AWS footprint, rotation triggers, ...). Providers and components
are not imported: they are created first with ``pulumi up --target`` (no cloud side effects), so the
import can name them by URN. Ids that cannot be known offline (webhook ids, variable group ids,
ruleset ids) come from files the operator produces with the commands printed here and in
``docs/migration.md``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config.loader import Project
from infra.config.yamlio import load_yaml
from infra.plan.engine import PROJECT_NAME
from infra.plan.model import Plan, PlannedResource, split_key
from infra.pulumi_formats import PROVIDER_TYPE_PREFIX, TYPE_DELIMITER, Urn
from infra.resource_types import COMPONENT_PREFIX

_FAKE = re.compile(r"^<(?P<kind>[a-z_]+):(?P<label>.+)>$")


class IdFileError(Exception):
    """An id file is missing or not the JSON object it should be."""


@dataclass(frozen=True)
class IdMaps:
    """Ids that only the live services know, supplied by the operator."""

    webhooks: dict[str, str] = field(default_factory=dict)
    """Org hook URL → id; ``<repo>:<url>`` → id for repository hooks."""
    variable_groups: dict[str, str] = field(default_factory=dict)
    """``<project>/<group>`` (or the plan's resource name) → ``<projectId>/<groupId>``."""
    ids: dict[str, str | None] = field(default_factory=dict)
    """``<type>::<name>`` → import id, or None for "does not exist yet: create it"."""


def _read_map(path: Path | None, *, allow_null: bool = False) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IdFileError(f"{path}: cannot read a JSON object ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise IdFileError(f"{path}: expected a JSON object of name → id")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and allow_null:
            out[key] = None
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            out[key] = str(value)
        else:
            raise IdFileError(f"{path}: the id of `{key}` must be a string or a number")
    return out


def load_id_maps(webhooks: Path | None, variable_groups: Path | None, ids: Path | None) -> IdMaps:
    return IdMaps(
        webhooks=_read_map(webhooks),
        variable_groups=_read_map(variable_groups),
        ids=_read_map(ids, allow_null=True),
    )


@dataclass(frozen=True)
class Miss:
    """No import id for a resource that already exists, and how to find it."""

    reason: str
    hint: str = ""


Resolution = str | Miss


@dataclass
class _Context:
    plan: Plan
    project: Project
    maps: IdMaps
    by_name: dict[str, list[PlannedResource]]

    @property
    def org(self) -> str:
        return self.project.config.github.org

    def referenced(self, value: Any) -> str | None:
        """What a fake plan value stands for: ``<id:NAME>`` → NAME, ``<kind:label>`` → label."""
        m = _FAKE.match(value) if isinstance(value, str) else None
        return m["label"] if m else None

    def team_slug(self, value: Any) -> str | None:
        """A team reference (a Team resource's fake id, or a literal slug/id) as an import key."""
        name = self.referenced(value)
        if name is None:
            return str(value) if isinstance(value, (str, int)) and value != "" else None
        teams = [r for r in self.by_name.get(name, []) if r.type == "github:index/team:Team"]
        return _slug(teams[0].inputs.get("name", name)) if len(teams) == 1 else None


def _slug(name: str) -> str:
    # GitHub's team slug: lower case, runs of anything else turned into single dashes.
    return re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")


def _need(r: PlannedResource, *keys: str) -> Any:
    value: Any = r.inputs
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _plain(r: PlannedResource, *keys: str) -> Resolution:
    value = _need(r, *keys)
    if isinstance(value, (str, int)) and value not in ("", "[secret]", "<unknown>"):
        return str(value)
    return Miss(f"input `{'.'.join(keys)}` is not known offline")


# --- per-type rules -------------------------------------------------------------------------------

_HOOKS_HINT = (
    "gh api --paginate orgs/{org}/hooks --jq '.[] | {{key: .config.url, value: .id}}' "
    "| jq -s from_entries > webhook-ids.json   (then --webhook-ids webhook-ids.json)"
)
_REPO_HOOKS_HINT = (
    "gh api --paginate repos/{org}/{repo}/hooks "
    "--jq '.[] | {{key: (\"{repo}:\" + .config.url), value: .id}}'   (merge into webhook-ids.json)"
)
_GROUPS_HINT = (
    "az pipelines variable-group list --org https://dev.azure.com/{azorg} --project <project> "
    "(see docs/migration.md; then --variable-group-ids variable-group-ids.json)"
)


def _org_webhook(r: PlannedResource, ctx: _Context) -> Resolution:
    url = _need(r, "configuration", "url")
    hook_id = ctx.maps.webhooks.get(url) if isinstance(url, str) else None
    if hook_id is None:
        return Miss(f"the id of the org webhook for {url} is only known to GitHub", _HOOKS_HINT)
    return hook_id


def _repo_webhook(r: PlannedResource, ctx: _Context) -> Resolution:
    url, repo = _need(r, "configuration", "url"), _need(r, "repository")
    hook_id = ctx.maps.webhooks.get(f"{repo}:{url}")
    if hook_id is None:
        hint = _REPO_HOOKS_HINT.replace("{repo}", str(repo))
        return Miss(f"the id of the {repo} webhook for {url} is only known to GitHub", hint)
    return f"{repo}/{hook_id}"


def _variable_group(r: PlannedResource, ctx: _Context) -> Resolution:
    # The project id is a 1Password value (masked in the plan), so match on the stack's groups.
    for group in ctx.project.config.azure.variable_groups:
        if r.name == f"{group.project}-{group.name}":
            found = ctx.maps.variable_groups.get(f"{group.project}/{group.name}")
            if found is not None:
                return found
    found = ctx.maps.variable_groups.get(r.name)
    if found is None:
        return Miss("the project and group ids are only known to Azure DevOps", _GROUPS_HINT)
    return found


def _membership(r: PlannedResource, ctx: _Context) -> Resolution:
    user = _plain(r, "username")
    return user if isinstance(user, Miss) else f"{ctx.org}:{user}"


def _team_member(r: PlannedResource, ctx: _Context, other: str) -> Resolution:
    team = ctx.team_slug(_need(r, "teamId"))
    value = _plain(r, other)
    if team is None:
        return Miss("cannot tell which team `teamId` is")
    return value if isinstance(value, Miss) else f"{team}:{value}"


def _team_members(r: PlannedResource, ctx: _Context) -> Resolution:
    team = ctx.team_slug(_need(r, "teamId"))
    return team if team is not None else Miss("cannot tell which team `teamId` is")


def _branch_protection(r: PlannedResource, ctx: _Context) -> Resolution:
    repo = _need(r, "repositoryId")
    repo = ctx.referenced(repo) or repo
    pattern = _plain(r, "pattern")
    if isinstance(pattern, Miss) or not isinstance(repo, str):
        return Miss("repository or pattern not known offline")
    return f"{repo.split('/')[-1]}:{pattern}"


def _repository_file(r: PlannedResource, ctx: _Context) -> Resolution:
    repo, path = _plain(r, "repository"), _plain(r, "file")
    if isinstance(repo, Miss) or isinstance(path, Miss):
        return Miss("repository or file not known offline")
    branch = _need(r, "branch") or ""
    return f"{repo}:{path.replace(':', '??')}:{branch}"


def _heroku_formation(r: PlannedResource, ctx: _Context) -> Resolution:
    app = ctx.referenced(_need(r, "appId")) or _need(r, "appId")
    kind = _plain(r, "type")
    if not isinstance(app, str) or isinstance(kind, Miss):
        return Miss("app or process type not known offline")
    return f"{app}:{kind}"


def _environment(r: PlannedResource, ctx: _Context) -> Resolution:
    repo, env = _plain(r, "repository"), _plain(r, "environment")
    if isinstance(repo, Miss) or isinstance(env, Miss):
        return Miss("repository or environment not known offline")
    return f"{repo}:{env}"


def _lookup_only(what: str, hint: str) -> Callable[[PlannedResource, _Context], Resolution]:
    def rule(r: PlannedResource, ctx: _Context) -> Resolution:
        return Miss(f"{what} is only known to the service", hint)

    return rule


RULES: dict[str, Callable[[PlannedResource, _Context], Resolution]] = {
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": lambda r, c: _plain(
        r, "secretName"
    ),
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories": (
        lambda r, c: _plain(r, "secretName")
    ),
    "github:index/organizationWebhook:OrganizationWebhook": _org_webhook,
    "github:index/repositoryWebhook:RepositoryWebhook": _repo_webhook,
    "github:index/repository:Repository": lambda r, c: _plain(r, "name"),
    "github:index/team:Team": lambda r, c: (
        _slug(v) if isinstance(v := _plain(r, "name"), str) else v
    ),
    "github:index/membership:Membership": _membership,
    "github:index/teamMembership:TeamMembership": lambda r, c: _team_member(r, c, "username"),
    "github:index/teamRepository:TeamRepository": lambda r, c: _team_member(r, c, "repository"),
    "github:index/teamMembers:TeamMembers": _team_members,
    "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions": (
        lambda r, c: c.org
    ),
    "github:index/organizationSettings:OrganizationSettings": _lookup_only(
        "the organisation's numeric id", "gh api orgs/{org} --jq .id   (then --ids)"
    ),
    "github:index/actionsRunnerGroup:ActionsRunnerGroup": _lookup_only(
        "the runner group id",
        "gh api orgs/{org}/actions/runner-groups --jq '.runner_groups[] | [.name, .id]'   "
        "(then --ids; null if it does not exist yet)",
    ),
    "github:index/organizationRuleset:OrganizationRuleset": _lookup_only(
        "the ruleset id",
        "gh api orgs/{org}/rulesets --jq '.[] | [.name, .id]'   (then --ids; null if new)",
    ),
    "github:index/repositoryRuleset:RepositoryRuleset": _lookup_only(
        "the ruleset id (import id `<repo>:<id>`)",
        "gh api repos/{org}/<repo>/rulesets --jq '.[] | [.name, .id]'   (then --ids; null if new)",
    ),
    "github:index/branchProtection:BranchProtection": _branch_protection,
    # A hand-made environment already exists, and its branch policy may too: its Create is a POST
    # that fails on a policy of the same name (PB-10), so it is adopted, never created blindly.
    "github:index/repositoryEnvironment:RepositoryEnvironment": _environment,
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        _lookup_only(
            "the deployment branch policy id (import id `<repo>:<environment>:<id>`)",
            "gh api repos/{org}/<repo>/environments/<environment>/deployment-branch-policies "
            "--jq '.branch_policies[] | [.name, .id]'   (then --ids; null if it has none)",
        )
    ),
    "github:index/repositoryFile:RepositoryFile": _repository_file,
    "azuredevops:index/variableGroup:VariableGroup": _variable_group,
    "heroku:app/app:App": lambda r, c: _plain(r, "name"),
    "heroku:formation/formation:Formation": _heroku_formation,
}
"""Type token → import id rule, from each provider class's documented ``## Import`` format."""

NOT_IMPORTABLE: dict[str, str] = {
    "heroku:app/configAssociation:ConfigAssociation": (
        "pulumiverse_heroku cannot import it (its sensitive/plain split is the provider's own); "
        "`pulumi up` creates it by setting the same values again"
    ),
}
"""Types that exist already but whose provider documents that they cannot be imported."""


# --- the file -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    type: str
    name: str
    id: str
    logical_name: str
    parent: str | None
    provider: str | None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": self.type, "name": self.name, "id": self.id}
        if self.logical_name != self.name:
            doc["logicalName"] = self.logical_name
        if self.parent:
            doc["parent"] = self.parent
        if self.provider:
            doc["provider"] = self.provider
        return doc


@dataclass(frozen=True, order=True)
class Note:
    key: str
    reason: str
    hint: str = ""


@dataclass
class ImportPlan:
    stack: str
    entries: list[Entry]
    name_table: dict[str, str]
    setup_urns: list[str]
    """Providers and components, created first by ``pulumi up --target`` (no cloud side effects)."""
    created: list[Note]
    """Not in the file: ``pulumi up`` creates them (new, or not importable)."""
    unresolved: list[Note]
    """Pre-existing resources without an import id (left out, `up` would create duplicates)."""

    def to_json(self) -> str:
        doc = {
            "nameTable": dict(sorted(self.name_table.items())),
            "resources": [e.to_json() for e in self.entries],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def report(self) -> list[str]:
        """Human-readable summary: deterministic, one finding per line."""
        lines = [f"stack {self.stack}: {len(self.entries)} resources to import"]
        for type_, count in sorted(Counter(e.type for e in self.entries).items()):
            lines.append(f"  {count:4d}  {type_}")
        if self.setup_urns:
            lines.append("\nfirst create providers and components (no cloud side effects):")
            targets = " ".join(f"--target '{urn}'" for urn in self.setup_urns)
            lines.append(f"  pulumi up --stack {self.stack} {targets}")
        if self.created:
            lines.append(f"\nnot in the file ({len(self.created)}), by type and reason:")
            groups: dict[tuple[str, str], list[str]] = {}
            for note in self.created:
                type_, name = split_key(note.key)
                # Group "adopted by import (x)" notes: the id differs per resource, the reason not.
                reason = note.reason
                if "`import` option" in reason:
                    reason = reason.split(" (", 1)[0]
                groups.setdefault((type_, reason), []).append(name)
            for (type_, reason), names in sorted(groups.items()):
                shown = ", ".join(names[:3]) + (
                    f", … {len(names) - 3} more" if len(names) > 3 else ""
                )
                lines.append(f"  {len(names):4d}  {type_}: {reason} [{shown}]")
        if self.unresolved:
            lines.append("")
            lines.extend(f"UNRESOLVED {n.key}: {n.reason}" for n in self.unresolved)
            hints = sorted({n.hint for n in self.unresolved if n.hint})
            if hints:
                lines.append("UNRESOLVED ids can be found with:")
                lines.extend(f"UNRESOLVED   {h}" for h in hints)
        return lines


def project_name(root: Path) -> str:
    data, problems = load_yaml(root / "Pulumi.yaml", root)
    name = data.get("name") if isinstance(data, dict) and not problems else None
    return name if isinstance(name, str) else PROJECT_NAME


def _urn(r: PlannedResource, by_key: dict[str, PlannedResource], stack: str, project: str) -> str:
    chain = [r.type]
    parent = r.parent
    while parent is not None and parent in by_key:
        chain.insert(0, by_key[parent].type)
        parent = by_key[parent].parent
    return str(Urn(stack, project, TYPE_DELIMITER.join(chain), r.name))


def _is_component(r: PlannedResource) -> bool:
    return r.type.startswith(COMPONENT_PREFIX)


def build_import_plan(plan: Plan, project: Project, maps: IdMaps) -> ImportPlan:
    """Resolve an import id for every pre-existing custom resource of ``plan``."""
    by_key = {r.key: r for r in plan.resources}
    by_name: dict[str, list[PlannedResource]] = {}
    for r in plan.resources:
        by_name.setdefault(r.name, []).append(r)
    ctx = _Context(plan, project, maps, by_name)
    proj = project_name(project.root)
    hint_vars = {"org": ctx.org, "azorg": project.config.azure.organization}
    providers: dict[str, list[PlannedResource]] = {}
    for r in plan.resources:
        if r.type.startswith(PROVIDER_TYPE_PREFIX):
            providers.setdefault(r.type.removeprefix(PROVIDER_TYPE_PREFIX), []).append(r)

    resolved: list[tuple[PlannedResource, str]] = []
    created: list[Note] = []
    unresolved: list[Note] = []
    for r in plan.resources:
        if r.type.startswith(PROVIDER_TYPE_PREFIX) or _is_component(r):
            continue
        if r.key in maps.ids:
            given = maps.ids[r.key]
            if given is None:
                created.append(Note(r.key, "declared new in --ids"))
            else:
                resolved.append((r, given))
            continue
        if r.import_id:
            created.append(
                Note(r.key, f"adopted by the program's own `import` option ({r.import_id})")
            )
            continue
        if r.type in NOT_IMPORTABLE:
            created.append(Note(r.key, NOT_IMPORTABLE[r.type]))
            continue
        rule = RULES.get(r.type)
        if rule is None:
            created.append(Note(r.key, "no import rule for this type: assumed new"))
            continue
        outcome = rule(r, ctx)
        if isinstance(outcome, Miss):
            hint = outcome.hint.format(**hint_vars) if outcome.hint else ""
            unresolved.append(Note(r.key, outcome.reason, hint))
        else:
            resolved.append((r, outcome))

    name_table: dict[str, str] = {}
    counts = Counter(r.name for r, _ in resolved)
    entries = []
    for r, import_id in resolved:
        parent = None
        if r.parent is not None and r.parent in by_key:
            parent = r.parent
            name_table[parent] = _urn(by_key[parent], by_key, plan.stack, proj)
        provider = None
        package = r.type.split(":", 1)[0]
        candidates = providers.get(package, [])
        if len(candidates) == 1:
            provider = candidates[0].key
            name_table[provider] = _urn(candidates[0], by_key, plan.stack, proj)
        elif len(candidates) > 1:
            unresolved.append(Note(r.key, f"{len(candidates)} `{package}` providers: which one?"))
            continue
        name = r.name if counts[r.name] == 1 else r.key
        entries.append(Entry(r.type, name, import_id, r.name, parent, provider))

    # A targeted component needs its own parents to exist too: create the whole chain.
    setup_keys: set[str] = set()
    for key in name_table:
        current: str | None = key
        while current is not None and current in by_key:
            setup_keys.add(current)
            current = by_key[current].parent
    setup = sorted(
        (_urn(by_key[k], by_key, plan.stack, proj) for k in setup_keys),
        key=lambda urn: (urn.count("$"), urn),
    )
    return ImportPlan(
        stack=plan.stack,
        entries=sorted(entries, key=lambda e: (e.type, e.logical_name)),
        name_table=name_table,
        setup_urns=setup,
        created=sorted(set(created)),
        unresolved=sorted(set(unresolved)),
    )
