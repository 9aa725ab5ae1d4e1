"""Carry over from ``--like`` everything the YAML projects have no say in.

The YAML projects own org secrets, webhooks, variable groups and Heroku config vars, nothing else.
The stack file has grown sections they never knew (organisation settings, teams, AWS, runners) and
the manifest has secrets they never delivered (automatically rotated keys). An import that dropped
those would not validate, and applied it would destroy them. So the output is the reference
project with the YAML-owned parts replaced:

- secrets: the imported ones; plus every reference secret with no target of a YAML-owned kind
  (verbatim). A reference secret whose YAML-owned targets no project delivers is left out and
  reported: the YAML projects are the truth being adopted.
- stack: the reference's ``config`` with ``cfinfra:github`` org, webhook base URL and webhooks,
  ``cfinfra:azure`` organisation and variable groups replaced; repositories, Azure projects and
  Heroku apps the import found are added where missing (the reference's own entries, and their
  audiences, win); every other key is kept as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from infra.switchover.yaml_import.reference import Reference
from infra.switchover.yaml_import.translate import TARGET_KINDS, Finding, Translation

LIKE = "--like"


def _owned(doc: dict[str, Any]) -> bool:
    return any(t.get("kind") in TARGET_KINDS for t in doc.get("targets") or [])


ENVIRONMENT_SECRET = "github-environment-secret"  # noqa: S105 - a target kind


def _in_environments(doc: dict[str, Any]) -> bool:
    """A CI credential this project moved out of org secrets into deployment environments."""
    return any(t.get("kind") == ENVIRONMENT_SECRET for t in doc.get("targets") or [])


def _merge_config(raw: dict[str, Any], imported: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(raw)
    gh, new_gh = config.setdefault("cfinfra:github", {}), imported["cfinfra:github"]
    if new_gh.get("org"):
        gh["org"] = new_gh["org"]
    repos = gh.setdefault("repositories", {})
    for name, entry in new_gh["repositories"].items():
        repos.setdefault(name, entry)
    if new_gh.get("webhook_base_url"):
        gh["webhook_base_url"] = new_gh["webhook_base_url"]
    gh["webhooks"] = new_gh["webhooks"]

    az, new_az = config.setdefault("cfinfra:azure", {}), imported["cfinfra:azure"]
    az["organization"] = new_az["organization"]
    projects = az.setdefault("projects", {})
    for name, entry in new_az["projects"].items():
        projects.setdefault(name, entry)
    az["variable_groups"] = new_az["variable_groups"]

    apps = config.setdefault("cfinfra:heroku", {}).setdefault("apps", {})
    for name, entry in imported["cfinfra:heroku"]["apps"].items():
        if name not in apps:
            apps[name] = entry
        elif entry.get("vars"):
            apps[name] = {**(apps[name] or {})}
            apps[name]["vars"] = {**(apps[name].get("vars") or {}), **entry["vars"]}
    return config


def carry_over(translation: Translation, reference: Reference) -> Translation:
    """``translation`` completed with what ``reference`` holds beyond the YAML projects' reach."""
    if not reference.raw_stack:
        return translation
    secrets = dict(translation.secrets)
    sources = dict(translation.sources)
    assumed = list(translation.assumed)
    for secret_id, doc in sorted(reference.raw_secrets.items()):
        if secret_id in secrets and _in_environments(doc):
            # The YAML projects deliver it as an org secret; here it lives only in deployment
            # environments (an org secret copy would reach any branch, unapproved).
            secrets[secret_id] = copy.deepcopy(doc)
            sources[secret_id] = [LIKE]
            assumed.append(
                Finding(
                    f"secret {secret_id}",
                    "delivered to deployment environments as in --like, not as the YAML projects' "
                    "org secret (delete that org secret by hand once the environments hold it)",
                )
            )
            continue
        if secret_id in secrets:
            continue
        if _owned(doc):
            assumed.append(
                Finding(
                    f"secret {secret_id}",
                    "in --like, but no YAML project delivers it: left out of the import",
                )
            )
            continue
        secrets[secret_id] = copy.deepcopy(doc)
        sources[secret_id] = [LIKE]
    extra = {k: v for k, v in reference.raw_stack.items() if k != "config"}
    return Translation(
        secrets=dict(sorted(secrets.items())),
        config=_merge_config(reference.raw_stack.get("config") or {}, translation.config),
        sources=sources,
        untranslated=translation.untranslated,
        assumed=sorted(set(assumed)),
        stack_extra=copy.deepcopy(extra),
    )
