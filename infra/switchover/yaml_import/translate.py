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

from infra.switchover.yaml_import.assemble import (
    azure_config,
    github_config,
    heroku_config,
    secret_document,
    secret_ids,
)
from infra.switchover.yaml_import.handlers import translate_project
from infra.switchover.yaml_import.model import (
    TARGET_KINDS,
    UNKNOWN_AUDIENCE,
    UNKNOWN_CLEARED_FOR,
    UNKNOWN_OWNER,
    UNKNOWN_ROTATION,
    UNKNOWN_SENSITIVITY,
    Finding,
    OpRef,
    State,
    Translation,
    kebab,
)
from infra.switchover.yaml_import.reference import Reference
from infra.switchover.yaml_import.yaml_project import YamlProject

__all__ = [
    "TARGET_KINDS",
    "UNKNOWN_AUDIENCE",
    "UNKNOWN_CLEARED_FOR",
    "UNKNOWN_OWNER",
    "UNKNOWN_ROTATION",
    "UNKNOWN_SENSITIVITY",
    "Finding",
    "OpRef",
    "Translation",
    "kebab",
    "translate",
]


def translate(
    projects: list[YamlProject],
    reference: Reference | None = None,
    azure_projects: dict[str, str] | None = None,
) -> Translation:
    """Translate ``projects`` (order does not matter for the result's content)."""
    state = State(reference=reference or Reference(), azure_projects=dict(azure_projects or {}))
    for project in sorted(projects, key=lambda p: p.name):
        translate_project(project, state)
    github = github_config(state)
    config = {
        "cfinfra:github": github,
        "cfinfra:azure": azure_config(state, github["org"]),
        "cfinfra:heroku": heroku_config(state),
    }
    ids = secret_ids(state)
    secrets = {
        ids[ref]: secret_document(ref, state.targets[ref], state.sources.get(ref, []), state)
        for ref in sorted(state.targets, key=lambda r: ids[r])
    }
    return Translation(
        secrets=secrets,
        config=config,
        sources={ids[ref]: state.sources.get(ref, []) for ref in state.targets},
        untranslated=sorted(set(state.untranslated)),
        assumed=sorted(set(state.assumed)),
    )
