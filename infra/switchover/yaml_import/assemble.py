"""Assembly: collected state → manifest documents and the stack's ``config:`` mapping."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from infra.switchover.yaml_import.model import (
    DEFAULT_VARIABLE_GROUP_DESCRIPTION,
    TARGET_KINDS,
    UNKNOWN_AUDIENCE,
    UNKNOWN_CLEARED_FOR,
    UNKNOWN_OWNER,
    UNKNOWN_ROTATION,
    UNKNOWN_SENSITIVITY,
    OpRef,
    State,
    kebab,
)


def secret_ids(state: State) -> dict[OpRef, str]:
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


def secret_document(
    ref: OpRef, targets: list[dict[str, Any]], sources: list[str], state: State
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


def _single(values: dict[str, str], what: str, state: State) -> str | None:
    if len(values) > 1:
        state.miss(
            ", ".join(sorted(values.values())), f"several {what}: {', '.join(sorted(values))}"
        )
    return sorted(values)[0] if values else None


def github_config(state: State) -> dict[str, Any]:
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


def azure_config(state: State, org: str | None) -> dict[str, Any]:
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


def heroku_config(state: State) -> dict[str, Any]:
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
