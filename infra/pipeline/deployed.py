"""What is deployed, read from the stack itself, so the removal guard never needs an old commit.

``pulumi stack export`` holds every resource the last ``pulumi up`` left behind, whoever ran it (the
deploy workflow, a rotation, an admin by hand): it advances after every successful update by
construction, and its format does not change with this project's configuration schema. The removal
guard compares the head's plan with it; ``infra.deployment`` records, as a stack output, which
commit the last update ran (the base of the reviewed change set).
"""

from __future__ import annotations

from typing import Any

from infra.plan.model import Plan, PlannedResource, resource_key
from infra.pulumi_formats import FormatError, parse_stack_export, parse_urn


class StateError(ValueError):
    """The file is not a ``pulumi stack export``."""


def deployed_plan(export: Any) -> Plan:
    """The deployed resources as a plan: type, name, URN, parent and (state) inputs.

    The root stack and provider resources are left out: the program's plan does not hold default
    providers, and a provider is never "removed" by a data change. A resource marked ``delete``
    (the old half of a create-before-replace) is already going away; one marked
    ``pendingReplacement`` (deleted by a delete-before-replace, not re-created yet) is counted:
    the program still owns it, and a head that drops it removes it for good. Secret inputs stay
    ciphertext objects (never decrypted: the export is read without ``--show-secrets``).
    """
    try:
        state = parse_stack_export(export)
    except FormatError as exc:
        raise StateError(str(exc)) from None
    stack = ""
    resources = []
    for res in state:
        stack = res.urn.stack
        if res.urn.is_root_stack or res.urn.is_provider or res.delete:
            continue
        parent_key = None
        if res.parent:
            parent = parse_urn(res.parent)
            parent_key = None if parent.is_root_stack else resource_key(parent.type, parent.name)
        inputs = dict(res.inputs)
        outputs = res.raw.get("outputs")
        if res.raw.get("custom") is False and isinstance(outputs, dict):
            # A component has no inputs; what it registered (e.g. a Heroku app's config var
            # names, which the guard needs) is in its outputs.
            inputs = dict(outputs)
        resources.append(
            PlannedResource(
                type=res.type,
                name=res.urn.name,
                inputs=inputs,
                protect=res.protect,
                retain_on_delete=res.retain_on_delete,
                parent=parent_key,
                import_id=None,
                urn=str(res.urn),
            )
        )
    resources.sort(key=lambda r: (r.type, r.name))
    return Plan(stack=stack, resources=resources)
