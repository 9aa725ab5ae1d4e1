"""Resource handlers: one function per YAML resource type, each filling the shared ``State``.

Anything a handler does not understand is reported (``State.miss``), never guessed; values are never
echoed in messages, since they may be secrets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from infra.switchover.yaml_import.model import (
    CONFIG_ASSOCIATION,
    DEFAULT_VARIABLE_GROUP_DESCRIPTION,
    GH_GET_REPOSITORY,
    HARMLESS_OPTIONS,
    HEROKU_GET_APP,
    IGNORED_TYPES,
    OP_GET_ITEM,
    ORG_SECRET,
    ORG_SECRET_REPOS,
    ORG_WEBHOOK,
    REPO_WEBHOOK,
    VARIABLE_GROUP,
    Group,
    Hook,
    OpRef,
    State,
)
from infra.switchover.yaml_import.yaml_project import (
    Invoke,
    YamlProject,
    YamlResource,
    has_interpolation,
    parse_ref,
)


class _Project:
    """Resolution helpers bound to one YAML project."""

    def __init__(self, project: YamlProject, state: State):
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
        Hook(
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
    pj.s.groups.append(Group(project, name, allow, description, project_ref))
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


def translate_project(project: YamlProject, state: State) -> None:
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
