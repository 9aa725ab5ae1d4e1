"""What terraform-provider-github v6.13.0 sends for an org secret, and what GitHub makes of it.

A model of the provider's request code, written from its source (docs/provider-behaviour.md,
PB-1..PB-3), so tests can run the lifecycle that hurts (import, first `up`, rotation, selection
change) against the program's planned inputs without the provider binary:

- ``import_state``: ``resourceGithubActionsOrganizationSecretImport`` sets ``secret_name``,
  ``visibility`` and ``selected_repository_ids`` (the live list; ``[]`` unless ``selected``), and
  no value (GitHub never returns one).
- ``update_body``: ``resourceGithubActionsOrganizationSecretUpdate`` builds a
  ``github.EncryptedSecret`` from the planned state; ``selected_repository_ids`` only when
  ``d.GetOk`` finds it (a nil or empty set is "not ok"), and go-github v88 tags ``visibility`` and
  ``selected_repository_ids`` ``omitempty`` (``github/actions_secrets.go``), so an empty list is
  not sent at all.
- ``github_put``: GitHub's answer to ``PUT /orgs/{org}/actions/secrets/{name}``: with visibility
  ``selected``, the selection becomes exactly the ids sent, none sent meaning none
  (external-secrets/external-secrets#6514, terraform-provider-github#842).
- ``repositories_delete``: ``resourceGithubActionsOrganizationSecretRepositoriesDelete`` calls
  ``SetSelectedReposForOrgSecret(..., [])``: the selection is emptied.

Pulumi inputs are camelCase (``selectedRepositoryIds``); the bridge maps them one to one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCHEMA_ARGUMENTS = ("secretName", "value", "visibility", "selectedRepositoryIds")
"""The secret's arguments the program may set (schema at v6.13.0; the rest are computed)."""


def import_state(name: str, live_visibility: str, live_selection: list[Any]) -> dict[str, Any]:
    """The state ``pulumi import`` writes for an existing secret."""
    selection = list(live_selection) if live_visibility == "selected" else []
    return {
        "secretName": name,
        "visibility": live_visibility,
        "selectedRepositoryIds": selection,
        "createdAt": "2024-01-01 00:00:00 +0000 UTC",
        "updatedAt": "2025-01-01 00:00:00 +0000 UTC",
        "remoteUpdatedAt": "2025-01-01 00:00:00 +0000 UTC",
    }


def changed_arguments(state: Mapping[str, Any], inputs: Mapping[str, Any]) -> set[str]:
    """The arguments a preview shows as changed (``selected_repository_ids`` is a set)."""
    changed = set()
    for key in SCHEMA_ARGUMENTS:
        old, new = state.get(key), inputs.get(key)
        if key == "selectedRepositoryIds":
            if set(old or []) != set(new or []):
                changed.add(key)
        elif old != new:
            changed.add(key)
    return changed


def planned(state: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The ``d`` an Update sees: the program's arguments (an omitted one is null), computed
    attributes from state."""
    merged = {k: v for k, v in state.items() if k not in SCHEMA_ARGUMENTS}
    merged.update({k: inputs.get(k) for k in SCHEMA_ARGUMENTS})
    return merged


def update_body(d: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of the Update's ``PUT /orgs/{org}/actions/secrets/{name}``."""
    body: dict[str, Any] = {"key_id": "<org public key id>", "encrypted_value": "<sealed value>"}
    if d.get("visibility"):  # `json:"visibility,omitempty"`
        body["visibility"] = d["visibility"]
    ids = d.get("selectedRepositoryIds")
    if ids:  # d.GetOk (false for an empty set), then `omitempty`
        body["selected_repository_ids"] = sorted(ids)
    return body


def github_put(live_selection: set[Any], body: Mapping[str, Any]) -> set[Any]:
    """The secret's selection after GitHub applies the PUT."""
    if body.get("visibility") != "selected":
        return set()
    return set(body.get("selected_repository_ids", []))


def repositories_delete(live_selection: set[Any]) -> set[Any]:
    """The selection after the Delete of an ``ActionsOrganizationSecretRepositories``."""
    return set()
