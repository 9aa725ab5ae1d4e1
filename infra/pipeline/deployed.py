"""What is deployed, read from the stack itself, so the removal guard never needs an old commit.

``pulumi stack export`` holds every resource the last ``pulumi up`` left behind, whoever ran it (the
deploy workflow, a rotation, an admin by hand): it advances after every successful update by
construction, and its format does not change with this project's configuration schema. The removal
guard compares the head's plan with it; ``infra.deployment`` records, as a stack output, which
commit the last update ran (the base of the reviewed change set).
"""

from __future__ import annotations

from typing import Any

from infra.plan.model import Plan, PlannedResource

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


class StateError(ValueError):
    """The file is not a ``pulumi stack export``."""


def _type_and_name(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    if len(parts) < 4 or not urn.startswith("urn:pulumi:"):
        raise StateError(f"not a URN: {urn[:120]!r}")
    return parts[2].split("$")[-1], "::".join(parts[3:])


def deployed_plan(export: Any) -> Plan:
    """The deployed resources as a plan: type, name, URN, parent and (state) inputs.

    The root stack and provider resources are left out: the program's plan does not hold default
    providers, and a provider is never "removed" by a data change. Secret inputs stay ciphertext
    objects (never decrypted: the export is read without ``--show-secrets``).
    """
    if not isinstance(export, dict) or not isinstance(export.get("deployment"), dict):
        raise StateError("no `deployment` object")
    deployment = export["deployment"]
    stack = ""
    resources = []
    for i, raw in enumerate(deployment.get("resources") or []):
        if not isinstance(raw, dict) or not isinstance(raw.get("urn"), str):
            raise StateError(f"deployment.resources[{i}] has no URN")
        urn = raw["urn"]
        type_, name = _type_and_name(urn)
        stack = urn.split("::")[0].removeprefix("urn:pulumi:")
        if type_ == ROOT_STACK_TYPE or type_.startswith(PROVIDER_PREFIX):
            continue
        if raw.get("delete") or raw.get("pendingReplacement"):
            continue  # left over from an interrupted replacement: already going away
        parent = raw.get("parent")
        parent_key = None
        if isinstance(parent, str) and parent:
            ptype, pname = _type_and_name(parent)
            parent_key = None if ptype == ROOT_STACK_TYPE else f"{ptype}::{pname}"
        inputs = raw.get("inputs")
        resources.append(
            PlannedResource(
                type=type_,
                name=name,
                inputs=inputs if isinstance(inputs, dict) else {},
                protect=bool(raw.get("protect")),
                retain_on_delete=bool(raw.get("retainOnDelete")),
                parent=parent_key,
                import_id=None,
                urn=urn,
            )
        )
    resources.sort(key=lambda r: (r.type, r.name))
    return Plan(stack=stack, resources=resources)
