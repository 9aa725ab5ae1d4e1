"""Translate Pulumi YAML projects into this repository's manifest (``secrets/``) and stack config.

Every 1Password item+field the projects deliver becomes one manifest secret; every place it is
delivered becomes a target. What YAML cannot express (owner, sensitivity, clearance, audiences,
descriptions, rotation) comes from ``--like`` (``reference.Reference``); when that is missing the
defaults below apply.

Fail-closed defaults. They are chosen so that an imported secret can never reach *wider* than before
without the leak guard refusing it:

- an unknown secret is `critical`, cleared for `core` only: the narrowest clearance there is;
- an unknown repository, Azure project or Heroku app gets audience `public`: the widest there is
  (and what ``infra.config.lineage.reach`` assumes for anything it does not know).

So with no ``--like`` every delivery trips the leak guard until a person states, in the output, who
really can read each target and what each secret is cleared for. That is the point: the import must
not invent a trust decision.

Anything the translation does not understand is reported as *untranslated* (resource types,
options, properties, interpolations it cannot resolve, literal secret values) instead of being
guessed; values are never echoed in messages, since they may be secrets.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from infra.adopt.reference import Reference
from infra.adopt.yaml_project import Invoke, YamlProject, YamlResource, has_interpolation, parse_ref
from infra.config.azure import VariableGroup

# --- defaults (documented in docs/migration.md) ---------------------------------------------------
UNKNOWN_OWNER = "core"
UNKNOWN_SENSITIVITY = "critical"
UNKNOWN_CLEARED_FOR = "core"
UNKNOWN_ROTATION: dict[str, Any] = {"max_age_days": 180, "mode": "manual"}
UNKNOWN_AUDIENCE = "public"
DEFAULT_VARIABLE_GROUP_DESCRIPTION: str = VariableGroup.model_fields["description"].default

# --- tokens ---------------------------------------------------------------------------------
OP_GET_ITEM = "onepassword:index/getItem:getItem"
GH_GET_REPOSITORY = "github:index/getRepository:getRepository"
HEROKU_GET_APP = "heroku:app/getApp:getApp"
ORG_SECRET = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"  # noqa: S105
ORG_SECRET_REPOS = (
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories"  # noqa: S105
)
ORG_WEBHOOK = "github:index/organizationWebhook:OrganizationWebhook"
REPO_WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"
VARIABLE_GROUP = "azuredevops:index/variableGroup:VariableGroup"
CONFIG_ASSOCIATION = "heroku:app/configAssociation:ConfigAssociation"

IGNORED_TYPES = {
    # The YAML projects read 1Password through this provider; this program uses the 1Password SDK.
    "pulumi:providers:onepassword": "the 1Password provider (this program uses the SDK)",
}
# Options that only steer the old engine; the new program sets its own (retain_on_delete etc.).
HARMLESS_OPTIONS = frozenset(
    {
        "protect",
        "retainOnDelete",
        "deleteBeforeReplace",
        "dependsOn",
        "version",
        "pluginDownloadURL",
    }
)
TARGET_KINDS = (
    "github-org-secret",
    "github-webhook-secret",
    "azure-variable",
    "azure-project-id",
    "heroku-config-var",
)


@dataclass(frozen=True, order=True)
class OpRef:
    """A 1Password vault/item/field: the identity of a manifest secret."""

    vault: str
    item: str
    field: str

    @property
    def uri(self) -> str:
        return f"op://{self.vault}/{self.item}/{self.field}"


@dataclass(frozen=True, order=True)
class Finding:
    """Something not translated, or a default that was assumed. Never holds a value."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Translation:
    secrets: dict[str, dict[str, Any]]
    """Secret id → manifest document (exactly the schema of ``infra.config.manifest.Secret``)."""
    config: dict[str, Any]
    """The ``config:`` mapping of ``Pulumi.<stack>.yaml``."""
    sources: dict[str, list[str]]
    """Secret id → the YAML projects it came from."""
    untranslated: list[Finding]
    assumed: list[Finding]
    stack_extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys of the stack file besides ``config`` (the secrets provider, from --like)."""


def kebab(text: str) -> str:
    """`privateKey` → `private-key`, `My Item` → `my-item`: a valid manifest id or name."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class _Hook:
    path: str
    base: str
    events: list[str]
    repository: str | None
    content_type: str
    insecure_ssl: bool
    active: bool
    secret: OpRef | None
    project: str
    where: str


@dataclass
class _Group:
    project: str
    name: str
    allow_access: bool
    description: str
    project_ref: OpRef


@dataclass
class _State:
    """Everything collected from all projects, in discovery order."""

    reference: Reference
    azure_projects: dict[str, str]
    targets: dict[OpRef, list[dict[str, Any]]] = field(default_factory=dict)
    sources: dict[OpRef, list[str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    repositories: list[str] = field(default_factory=list)
    hooks: list[_Hook] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    apps: dict[str, dict[str, str]] = field(default_factory=dict)
    azure_orgs: dict[str, str] = field(default_factory=dict)
    untranslated: list[Finding] = field(default_factory=list)
    assumed: list[Finding] = field(default_factory=list)

    def miss(self, where: str, message: str) -> None:
        self.untranslated.append(Finding(where, message))

    def assume(self, where: str, message: str) -> None:
        self.assumed.append(Finding(where, message))

    def deliver(self, ref: OpRef, project: str, target: dict[str, Any]) -> None:
        self.targets.setdefault(ref, []).append(target)
        sources = self.sources.setdefault(ref, [])
        if project not in sources:
            sources.append(project)

    def use_repository(self, name: str) -> None:
        if name not in self.repositories:
            self.repositories.append(name)


class _Project:
    """Resolution helpers bound to one YAML project."""

    def __init__(self, project: YamlProject, state: _State):
        self.p = project
        self.s = state
        self.used: set[str] = set()

    def where(self, *parts: str) -> str:
        return f"{self.p.name}: " + ".".join(parts)

    def secret(self, value: Any, where: str) -> OpRef | None:
        """The 1Password item+field ``value`` refers to (``${item.field}``), or None (reported)."""
        ref = parse_ref(value)
        if ref is None:
            what = (
                "an expression it cannot follow" if has_interpolation(value) else "a literal value"
            )
            self.s.miss(where, f"{what}, not a `${{item.field}}` reference to a 1Password item")
            return None
        self.used.add(ref.root)
        var = self.p.variables.get(ref.root)
        if not isinstance(var, Invoke) or var.function != OP_GET_ITEM:
            self.s.miss(where, f"{ref.text} does not name an `onepassword:getItem` variable")
            return None
        title, vault = var.arguments.get("title"), var.arguments.get("vault")
        if not isinstance(title, str) or not isinstance(vault, str) or len(ref.path) != 1:
            self.s.miss(
                where, f"{ref.text}: need a 1Password item by `title` and `vault`, and one field"
            )
            return None
        return OpRef(vault, title, ref.path[0])

    def repository(self, value: Any, where: str, *, literal_ok: bool) -> str | None:
        """The repository ``value`` names, via a `github:getRepository` variable (or by name)."""
        ref = parse_ref(value)
        if ref is None:
            if literal_ok and isinstance(value, str) and not has_interpolation(value):
                return value
            self.s.miss(
                where,
                "cannot tell which repository this is (use a `github:getRepository` variable)",
            )
            return None
        self.used.add(ref.root)
        var = self.p.variables.get(ref.root)
        if not isinstance(var, Invoke) or var.function != GH_GET_REPOSITORY:
            self.s.miss(where, f"{ref.text} does not name a `github:getRepository` variable")
            return None
        full = var.arguments.get("fullName") or var.arguments.get("full_name")
        if isinstance(full, str) and full.count("/") == 1:
            owner, name = full.split("/")
            self.s.owners.setdefault(owner, f"{self.p.name}: variables.{ref.root}")
            return name
        plain = var.arguments.get("name")
        if isinstance(plain, str) and not has_interpolation(plain):
            return plain
        self.s.miss(where, f"{ref.text}: the repository needs a literal `fullName` (`org/name`)")
        return None

    def check_keys(self, res: YamlResource, known: Iterable[str]) -> None:
        for key in sorted(set(res.properties) - set(known)):
            self.s.miss(
                self.where("resources", res.name, "properties", key), "property not carried over"
            )
        for key in sorted(set(res.options) - HARMLESS_OPTIONS):
            self.s.miss(
                self.where("resources", res.name, "options", key), "option not carried over"
            )


# --- resource handlers ----------------------------------------------------------------------------


def _org_secrets(pj: _Project, secrets: list[YamlResource], selections: list[YamlResource]) -> None:
    by_resource: dict[str, str] = {}
    pending: dict[str, tuple[OpRef, dict[str, Any], str]] = {}
    for res in secrets:
        pj.check_keys(
            res, ("secretName", "value", "plaintextValue", "visibility", "selectedRepositoryIds")
        )
        where = pj.where("resources", res.name)
        name = res.properties.get("secretName")
        if not isinstance(name, str) or has_interpolation(name):
            pj.s.miss(f"{where}.properties.secretName", "needs a literal secret name")
            continue
        value_key = "value" if "value" in res.properties else "plaintextValue"
        ref = pj.secret(res.properties.get(value_key), f"{where}.properties.{value_key}")
        visibility = res.properties.get("visibility", "private")
        if visibility not in ("all", "private", "selected"):
            pj.s.miss(f"{where}.properties.visibility", "must be `all`, `private` or `selected`")
            continue
        by_resource[res.name] = name
        target: dict[str, Any] = {
            "kind": "github-org-secret",
            "name": name,
            "visibility": visibility,
        }
        repos = _repository_list(pj, res.properties.get("selectedRepositoryIds"), where)
        if repos:
            target["repositories"] = repos
        if ref is not None:
            pending[name] = (ref, target, where)

    for res in selections:
        pj.check_keys(res, ("secretName", "selectedRepositoryIds"))
        where = pj.where("resources", res.name)
        raw = res.properties.get("secretName")
        sref = parse_ref(raw)
        if sref is not None and sref.root in by_resource and sref.path == ("secretName",):
            name = by_resource[sref.root]
        elif isinstance(raw, str) and not has_interpolation(raw):
            name = raw
        else:
            pj.s.miss(f"{where}.properties.secretName", "does not name an organisation secret here")
            continue
        if name not in pending:
            pj.s.miss(
                where, f"selects repositories for `{name}`, which no translated org secret declares"
            )
            continue
        target = pending[name][1]
        repos = _repository_list(pj, res.properties.get("selectedRepositoryIds"), where)
        target["repositories"] = list(dict.fromkeys([*target.get("repositories", []), *repos]))

    for name, (ref, target, where) in pending.items():
        if target["visibility"] == "selected" and not target.get("repositories"):
            pj.s.miss(
                where, f"`{name}` has visibility `selected` but no repositories could be resolved"
            )
            continue
        if target["visibility"] != "selected" and target.get("repositories"):
            pj.s.miss(
                where, f"`{name}` selects repositories but has visibility `{target['visibility']}`"
            )
            continue
        for repo in target.get("repositories", []):
            pj.s.use_repository(repo)
        pj.s.deliver(ref, pj.p.name, target)


def _repository_list(pj: _Project, raw: Any, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        pj.s.miss(f"{where}.properties.selectedRepositoryIds", "must be a list of repository ids")
        return []
    names = []
    for i, item in enumerate(raw):
        name = pj.repository(
            item, f"{where}.properties.selectedRepositoryIds[{i}]", literal_ok=False
        )
        if name is not None:
            names.append(name)
    return names


def _webhook(pj: _Project, res: YamlResource) -> None:
    repo_hook = res.type == REPO_WEBHOOK
    pj.check_keys(
        res, ("active", "configuration", "events", *(("repository",) if repo_hook else ()))
    )
    where = pj.where("resources", res.name)
    cfg = res.properties.get("configuration")
    if not isinstance(cfg, dict):
        pj.s.miss(f"{where}.properties.configuration", "a webhook needs a `configuration` mapping")
        return
    for key in sorted(set(cfg) - {"url", "contentType", "insecureSsl", "secret"}):
        pj.s.miss(f"{where}.properties.configuration.{key}", "setting not carried over")
    url = cfg.get("url")
    parts = urlsplit(url) if isinstance(url, str) and not has_interpolation(url) else None
    if parts is None or parts.scheme != "https" or parts.query or parts.fragment or not parts.path:
        pj.s.miss(f"{where}.properties.configuration.url", "needs a literal https URL with a path")
        return
    events = res.properties.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        pj.s.miss(f"{where}.properties.events", "needs a literal list of event names")
        return
    repository = None
    if repo_hook:
        repository = pj.repository(
            res.properties.get("repository"), f"{where}.properties.repository", literal_ok=True
        )
        if repository is None:
            return
        pj.s.use_repository(repository)
    secret = None
    if "secret" in cfg:
        secret = pj.secret(cfg["secret"], f"{where}.properties.configuration.secret")
    insecure = cfg.get("insecureSsl", False)
    if isinstance(insecure, str):
        insecure = insecure not in ("0", "false")  # the GitHub API's own spelling
    pj.s.hooks.append(
        _Hook(
            path=parts.path,
            base=f"https://{parts.netloc}",
            events=list(events),
            repository=repository,
            content_type=str(cfg.get("contentType", "json")),
            insecure_ssl=bool(insecure),
            active=bool(res.properties.get("active", True)),
            secret=secret,
            project=pj.p.name,
            where=where,
        )
    )


def _variable_group(pj: _Project, res: YamlResource) -> None:
    pj.check_keys(res, ("projectId", "name", "description", "allowAccess", "variables"))
    where = pj.where("resources", res.name)
    project_ref = pj.secret(res.properties.get("projectId"), f"{where}.properties.projectId")
    name = res.properties.get("name")
    if project_ref is None:
        return
    if not isinstance(name, str) or has_interpolation(name):
        pj.s.miss(f"{where}.properties.name", "needs a literal group name")
        return
    project = pj.s.reference.azure_project_named_by(project_ref.uri) or pj.s.azure_projects.get(
        project_ref.item
    )
    if project is None:
        pj.s.miss(
            f"{where}.properties.projectId",
            f"which Azure DevOps project has its id in 1Password item `{project_ref.item}`? "
            f"Pass --like or --azure-project {project_ref.item}=<project>",
        )
        return
    pj.s.deliver(project_ref, pj.p.name, {"kind": "azure-project-id", "project": project})
    allow = res.properties.get("allowAccess", False)
    description = res.properties.get("description", DEFAULT_VARIABLE_GROUP_DESCRIPTION)
    if (
        not isinstance(allow, bool)
        or not isinstance(description, str)
        or has_interpolation(description)
    ):
        pj.s.miss(
            where, "`allowAccess` must be a literal boolean and `description` a literal string"
        )
        return
    pj.s.groups.append(_Group(project, name, allow, description, project_ref))
    variables = res.properties.get("variables") or []
    if not isinstance(variables, list):
        pj.s.miss(f"{where}.properties.variables", "must be a list")
        return
    for i, var in enumerate(variables):
        at = f"{where}.properties.variables[{i}]"
        if not isinstance(var, dict) or not isinstance(var.get("name"), str):
            pj.s.miss(at, "a variable needs a literal `name`")
            continue
        if "secretValue" not in var or var.get("isSecret") is not True:
            # The stack schema only has secret variables: a plain one would silently vanish.
            pj.s.miss(
                at, f"`{var['name']}` is not a secret variable; only secret variables are managed"
            )
            continue
        for key in sorted(set(var) - {"name", "secretValue", "isSecret"}):
            pj.s.miss(f"{at}.{key}", "setting not carried over")
        ref = pj.secret(var["secretValue"], f"{at}.secretValue")
        if ref is not None:
            pj.s.deliver(
                ref,
                pj.p.name,
                {
                    "kind": "azure-variable",
                    "project": project,
                    "group": name,
                    "variable": var["name"],
                },
            )


def _config_association(pj: _Project, res: YamlResource) -> None:
    pj.check_keys(res, ("appId", "vars", "sensitiveVars"))
    where = pj.where("resources", res.name)
    ref = parse_ref(res.properties.get("appId"))
    var = pj.p.variables.get(ref.root) if ref else None
    app = (
        var.arguments.get("name")
        if isinstance(var, Invoke) and var.function == HEROKU_GET_APP
        else None
    )
    if ref is not None:
        pj.used.add(ref.root)
    if not isinstance(app, str) or has_interpolation(app):
        pj.s.miss(
            f"{where}.properties.appId",
            "needs `${app.id}` of a `heroku:app/getApp:getApp` variable",
        )
        return
    plain = res.properties.get("vars") or {}
    app_vars = pj.s.apps.setdefault(app, {})
    for key, value in plain.items() if isinstance(plain, dict) else []:
        if isinstance(value, str) and not has_interpolation(value):
            app_vars[str(key)] = value
        else:
            pj.s.miss(f"{where}.properties.vars.{key}", "only literal strings are carried over")
    sensitive = res.properties.get("sensitiveVars") or {}
    if not isinstance(sensitive, dict):
        pj.s.miss(f"{where}.properties.sensitiveVars", "must be a mapping")
        return
    for key, value in sensitive.items():
        secret = pj.secret(value, f"{where}.properties.sensitiveVars.{key}")
        if secret is not None:
            pj.s.deliver(
                secret, pj.p.name, {"kind": "heroku-config-var", "app": app, "var": str(key)}
            )


def _translate_project(project: YamlProject, state: _State) -> None:
    pj = _Project(project, state)
    url = project.config.get("azuredevops:orgServiceUrl")
    if isinstance(url, str) and url.rstrip("/").count("/") >= 3:
        state.azure_orgs.setdefault(url.rstrip("/").rsplit("/", 1)[1], project.name)
    owner = project.config.get("github:owner")
    if isinstance(owner, str):
        state.owners.setdefault(owner, f"{project.name}: config.github:owner")

    secrets = [r for r in project.resources.values() if r.type == ORG_SECRET]
    selections = [r for r in project.resources.values() if r.type == ORG_SECRET_REPOS]
    _org_secrets(pj, secrets, selections)
    for res in project.resources.values():
        if res.type in (ORG_SECRET, ORG_SECRET_REPOS) or res.type in IGNORED_TYPES:
            continue
        if res.type in (ORG_WEBHOOK, REPO_WEBHOOK):
            _webhook(pj, res)
        elif res.type == VARIABLE_GROUP:
            _variable_group(pj, res)
        elif res.type == CONFIG_ASSOCIATION:
            _config_association(pj, res)
        else:
            state.miss(
                pj.where("resources", res.name), f"resource type `{res.type}` is not translated"
            )
    for name, var in project.variables.items():
        if name not in pj.used:
            what = var.function if isinstance(var, Invoke) else "a value"
            state.assume(
                pj.where("variables", name), f"never used ({what}): nothing imported from it"
            )


# --- assembly -------------------------------------------------------------------------------------


def _secret_ids(state: _State) -> dict[OpRef, str]:
    """Ids from ``--like``; otherwise the item title, or item+field when an item has several."""
    fields_per_item: dict[tuple[str, str], int] = {}
    for ref in state.targets:
        fields_per_item[(ref.vault, ref.item)] = fields_per_item.get((ref.vault, ref.item), 0) + 1
    ids: dict[OpRef, str] = {}
    # Every id of the reference is taken: its secrets may be carried over beside the imported ones.
    taken: set[str] = {e.id for e in state.reference.secrets}
    for ref in state.targets:
        known = state.reference.secret(ref.uri)
        if known is not None:
            ids[ref] = known.id
            taken.add(known.id)
    for ref in sorted(state.targets):
        if ref in ids:
            continue
        base = kebab(ref.item)
        if fields_per_item[(ref.vault, ref.item)] > 1 or base in taken:
            base = f"{base}-{kebab(ref.field)}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        ids[ref] = candidate
        taken.add(candidate)
    return ids


def _secret_document(
    ref: OpRef, targets: list[dict[str, Any]], sources: list[str], state: _State
) -> dict[str, Any]:
    known = state.reference.secret(ref.uri)
    ordered = sorted(enumerate(targets), key=lambda it: (TARGET_KINDS.index(it[1]["kind"]), it[0]))
    doc: dict[str, Any]
    raw = state.reference.raw_secrets.get(known.id) if known is not None else None
    if raw is not None:
        # Keep the reference's own document (key order, fields this module does not know), with the
        # targets the YAML projects own replaced by what they say; other kinds of target stay.
        doc = copy.deepcopy(raw)
        doc["onepassword"] = {"vault": ref.vault, "item": ref.item, "field": ref.field}
        others = [t for t in raw.get("targets", []) if t.get("kind") not in TARGET_KINDS]
        doc["targets"] = [t for _, t in ordered] + others
        return doc
    if known is not None:
        s = known.secret
        rotation = {"max_age_days": s.rotation.max_age_days, "mode": s.rotation.mode.value}
        rotation.update(s.rotation.model_dump(mode="json", exclude_defaults=True))
        doc = {
            "description": s.description,
            "owner": s.owner,
            "onepassword": {"vault": ref.vault, "item": ref.item, "field": ref.field},
            "sensitivity": s.sensitivity.value,
            "cleared_for": s.cleared_for.value,
            "rotation": rotation,
        }
    else:
        state.assume(
            ref.uri,
            f"not in the --like manifest: owner `{UNKNOWN_OWNER}`, sensitivity "
            f"`{UNKNOWN_SENSITIVITY}`, cleared for `{UNKNOWN_CLEARED_FOR}` (fail-closed defaults)",
        )
        doc = {
            "description": f"Imported from {', '.join(sources)} (1Password item {ref.item}, field "
            f"{ref.field}); say what it can do",
            "owner": UNKNOWN_OWNER,
            "onepassword": {"vault": ref.vault, "item": ref.item, "field": ref.field},
            "sensitivity": UNKNOWN_SENSITIVITY,
            "cleared_for": UNKNOWN_CLEARED_FOR,
            "rotation": dict(UNKNOWN_ROTATION),
        }
    doc["targets"] = [t for _, t in ordered]
    return doc


def _ordered(names: Iterable[str], preferred: list[str]) -> list[str]:
    """``names``: those in ``preferred`` first, in its order, the rest sorted (small diffs)."""
    names = list(dict.fromkeys(names))
    return [n for n in preferred if n in names] + sorted(n for n in names if n not in preferred)


def _single(values: dict[str, str], what: str, state: _State) -> str | None:
    if len(values) > 1:
        state.miss(
            ", ".join(sorted(values.values())), f"several {what}: {', '.join(sorted(values))}"
        )
    return sorted(values)[0] if values else None


def _github_config(state: _State) -> dict[str, Any]:
    ref = state.reference
    org = _single(state.owners, "GitHub organisations", state) or ref.org()
    if org is None:
        state.miss(
            "github", "no GitHub organisation found (config `github:owner` or repository fullName)"
        )
    repositories: dict[str, Any] = {}
    for name in _ordered(state.repositories, ref.repository_order()):
        known = ref.repository(name)
        if known is None:
            state.assume(
                f"repository {name}", f"not in --like: audience `{UNKNOWN_AUDIENCE}` (fail-closed)"
            )
            repositories[name] = {"audience": UNKNOWN_AUDIENCE}
        else:
            repositories[name] = known.model_dump(mode="json", exclude_defaults=True)

    bases: dict[str, int] = {}
    for hook in state.hooks:
        bases[hook.base] = bases.get(hook.base, 0) + 1
    base = sorted(bases, key=lambda b: (-bases[b], b))[0] if bases else None
    webhooks: dict[str, dict[str, Any]] = {}
    for hook in state.hooks:
        if hook.base != base:
            state.miss(hook.where, f"delivers to {hook.base}, not the common base {base}")
            continue
        hook_id = ref.webhook_id(hook.path, hook.repository) or kebab(hook.path)
        if hook_id in webhooks:
            state.miss(hook.where, f"a second webhook with id `{hook_id}` (same path)")
            continue
        entry: dict[str, Any] = {"path": hook.path, "events": hook.events}
        if hook.repository is not None:
            entry["repository"] = hook.repository
        if hook.content_type != "json":
            entry["content_type"] = hook.content_type
        if hook.insecure_ssl:
            entry["insecure_ssl"] = True
        if not hook.active:
            entry["active"] = False
        webhooks[hook_id] = entry
        if hook.secret is not None:
            state.deliver(
                hook.secret, hook.project, {"kind": "github-webhook-secret", "webhook": hook_id}
            )
    out: dict[str, Any] = {"org": org, "repositories": repositories}
    out["webhook_base_url"] = base or (ref.config.github.webhook_base_url if ref.config else None)
    out["webhooks"] = {k: webhooks[k] for k in _ordered(webhooks, ref.webhook_order())}
    return out


def _azure_config(state: _State, org: str | None) -> dict[str, Any]:
    ref = state.reference
    organization = (
        _single(state.azure_orgs, "Azure DevOps organisations", state) or ref.azure_organization()
    )
    if organization is None:
        if state.groups:
            state.miss("azure", "no Azure DevOps organisation (config `azuredevops:orgServiceUrl`)")
        organization = org or "unknown"
    projects: dict[str, Any] = {}
    for name in dict.fromkeys(g.project for g in state.groups):
        known = ref.azure_project(name)
        if known is None:
            state.assume(
                f"azure project {name}",
                f"not in --like: audience `{UNKNOWN_AUDIENCE}` (fail-closed)",
            )
            projects[name] = {"audience": UNKNOWN_AUDIENCE}
        else:
            projects[name] = {"audience": known.audience.value}
            if known.description:
                projects[name]["description"] = known.description
    groups = []
    for g in state.groups:
        entry: dict[str, Any] = {
            "project": g.project,
            "name": g.name,
            "allow_access": g.allow_access,
        }
        if g.description != DEFAULT_VARIABLE_GROUP_DESCRIPTION:
            entry["description"] = g.description
        groups.append(entry)
    return {"organization": organization, "projects": projects, "variable_groups": groups}


def _heroku_config(state: _State) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for name, app_vars in state.apps.items():
        known = state.reference.heroku_app(name)
        if known is None:
            state.assume(
                f"heroku app {name}", f"not in --like: audience `{UNKNOWN_AUDIENCE}` (fail-closed)"
            )
        entry: dict[str, Any] = {"audience": known.audience.value if known else UNKNOWN_AUDIENCE}
        if app_vars:
            entry["vars"] = dict(sorted(app_vars.items()))
        apps[name] = entry
    return {"apps": apps}


def translate(
    projects: list[YamlProject],
    reference: Reference | None = None,
    azure_projects: dict[str, str] | None = None,
) -> Translation:
    """Translate ``projects`` (order does not matter for the result's content)."""
    state = _State(reference=reference or Reference(), azure_projects=dict(azure_projects or {}))
    for project in sorted(projects, key=lambda p: p.name):
        _translate_project(project, state)
    github = _github_config(state)
    config = {
        "cfinfra:github": github,
        "cfinfra:azure": _azure_config(state, github["org"]),
        "cfinfra:heroku": _heroku_config(state),
    }
    ids = _secret_ids(state)
    secrets = {
        ids[ref]: _secret_document(ref, state.targets[ref], state.sources.get(ref, []), state)
        for ref in sorted(state.targets, key=lambda r: ids[r])
    }
    return Translation(
        secrets=secrets,
        config=config,
        sources={ids[ref]: state.sources.get(ref, []) for ref in state.targets},
        untranslated=sorted(set(state.untranslated)),
        assumed=sorted(set(state.assumed)),
    )
