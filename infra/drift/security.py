"""Which drift is security-relevant, and why: the resource-type table decides, reasons explain.

Whether drift of a resource is security-relevant is ``infra.resource_types`` alone (the same
answer ``drift-triage`` gives, by construction). The reasons below only say *why* in the report's
words: a secret readable more widely, a person's access, a webhook's URL or secret, a ruleset,
environment or Actions policy. Errs towards flagging: a false alarm costs a reader a minute, a
missed one is the 2025 incident again (a secret's visibility switched to ``all`` by hand).
"""

from __future__ import annotations

import json
from typing import Final

from infra.drift.model import ResourceDrift
from infra.drift.values import SECRET
from infra.markdown import code
from infra.resource_types import is_security_relevant, lookup

RUNBOOK: Final = "docs/runbooks/drift.md"
"""Named, not linked: a relative link does not resolve in an issue body."""

_VISIBILITY_WIDTH: Final = {"selected": 0, "private": 1, "all": 2}
_AUDIENCE: Final = frozenset({"selectedRepositoryIds", "repositories", "allowAccess"})


def is_security_drift(resource: ResourceDrift) -> bool:
    """Drift of ``resource`` must stay out of public pages (the resource-type table's answer)."""
    return resource.is_drift and is_security_relevant(
        resource.type, resource.op, (c.top_level for c in resource.changes)
    )


def security_concerns(resource: ResourceDrift) -> list[str]:
    """Why this drift matters for security (empty when it does not): Markdown, one per reason."""
    if not is_security_drift(resource):
        return []
    out: list[str] = []
    for c in resource.changes:
        if c.top_level == "visibility":
            live, code_ = _json_str(c.old), _json_str(c.new)
            if _VISIBILITY_WIDTH.get(live, 3) > _VISIBILITY_WIDTH.get(code_, 3):
                out.append(
                    f"secret readable more widely live ({code(live)}) than in code ({code(code_)})"
                )
            else:
                out.append("secret visibility differs from code")
        elif c.top_level in _AUDIENCE:
            wider = c.kind.startswith("delete") or (
                c.top_level == "allowAccess" and _json_str(c.old) == "true"
            )
            out.append(
                "readable live by repositories or pipelines the code does not allow"
                if wider
                else "the repositories or pipelines that can read a secret differ"
            )
        elif c.old == SECRET or c.new == SECRET:
            out.append("a secret's live value or settings differ from 1Password and code")
    if not out:
        out.append(lookup(resource.type).why or "a security-relevant resource differs")
    if resource.op in ("create", "replace", "delete"):
        out.append(f"`up` would {resource.op} it")
    return list(dict.fromkeys(out))


def _json_str(value: str | None) -> str:
    if value is None:
        return "(not set)"
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value
