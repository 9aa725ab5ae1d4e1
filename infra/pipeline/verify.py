"""Reviewed is applied: check a real ``pulumi preview --json`` against the reviewed change set.

Every step other than ``same`` (and the read-only ``read``/``refresh`` steps, and the root stack)
must be explained by the reviewed set: the same URN, the same operation, and the properties the
engine says change (``detailedDiff``, else ``diffReasons``) all among the reviewed ones. Anything
else is *unexplained*: drift, an import update, a provider replacing what a reviewer saw as an
update, a change nobody reviewed. The deploy stops on it.

Values are never read except to tell whether an input is a secret, and never printed: the report
names URNs, operations and property names only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.markdown import cell, code
from infra.plan.changeset import ChangeOp, ChangeSet

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Pulumi's signature of a secret value (sdk/go/common/resource/sig), not a credential.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # noqa: S105
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105
MASK = "[secret]"

#: Steps that change nothing in the cloud.
NO_CHANGE = {"same", "read", "refresh", "discard", "read-discard"}
#: The engine's operation → the reviewed operation that must explain it.
OPS = {
    "create": ChangeOp.CREATE,
    "import": ChangeOp.CREATE,
    "update": ChangeOp.UPDATE,
    "delete": ChangeOp.DELETE,
    "replace": ChangeOp.REPLACE,
    "create-replacement": ChangeOp.REPLACE,
    "delete-replaced": ChangeOp.REPLACE,
    "import-replacement": ChangeOp.REPLACE,
}


class PreviewError(ValueError):
    """The preview file is not what ``pulumi preview --json`` writes."""


@dataclass(frozen=True)
class Step:
    urn: str
    op: str
    properties: tuple[str, ...] | None
    """Top-level properties the engine says change; None when it does not say."""
    secret_only: bool
    """Every changed property is a secret value on both sides (a re-delivered value)."""


@dataclass(frozen=True)
class Unexplained:
    step: Step
    why: str


@dataclass(frozen=True)
class Verdict:
    checked: int
    explained: int
    redelivered: tuple[Step, ...]
    unexplained: tuple[Unexplained, ...]

    @property
    def ok(self) -> bool:
        return not self.unexplained


def _is_secret(value: Any) -> bool:
    return value == MASK or (isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG)


def _top_level(path: str) -> str:
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def _inputs(step: dict[str, Any], side: str) -> dict[str, Any]:
    state = step.get(side)
    inputs = state.get("inputs") if isinstance(state, dict) else None
    return inputs if isinstance(inputs, dict) else {}


def parse_steps(text: str) -> list[Step]:
    """The steps of ``pulumi preview --json`` output; PreviewError when it is not one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreviewError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        raise PreviewError("not `pulumi preview --json` output: no `steps` list")
    steps = []
    for i, raw in enumerate(doc["steps"]):
        if not isinstance(raw, dict):
            raise PreviewError(f"steps[{i}] is not an object")
        urn, op = raw.get("urn"), raw.get("op")
        if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
            raise PreviewError(f"steps[{i}].urn is not a URN")
        if not isinstance(op, str):
            raise PreviewError(f"steps[{i}].op is missing")
        detailed, reasons = raw.get("detailedDiff"), raw.get("diffReasons")
        props: tuple[str, ...] | None = None
        if isinstance(detailed, dict) and detailed:
            props = tuple(sorted({_top_level(str(k)) for k in detailed}))
        elif isinstance(reasons, list) and reasons:
            props = tuple(sorted({_top_level(str(k)) for k in reasons}))
        old, new = _inputs(raw, "oldState"), _inputs(raw, "newState")
        secret_only = bool(props) and all(
            _is_secret(new.get(p)) and _is_secret(old.get(p)) for p in props or ()
        )
        steps.append(Step(urn, op, props, secret_only))
    return steps


def _type(urn: str) -> str:
    return urn.split("::")[2].split("$")[-1]


def verify(steps: list[Step], reviewed: ChangeSet, *, secret_values: bool = False) -> Verdict:
    """Explain every changing step by ``reviewed``; ``secret_values`` also explains updates that
    change nothing but secret values (a rotation being delivered)."""
    by_urn = reviewed.by_urn()
    checked = explained = 0
    redelivered: list[Step] = []
    unexplained: list[Unexplained] = []
    for step in steps:
        if step.op in NO_CHANGE or _type(step.urn) == ROOT_STACK_TYPE:
            continue
        checked += 1
        want = OPS.get(step.op)
        change = by_urn.get(step.urn)
        if want is None:
            why = f"the operation `{step.op}` is never reviewed"
        elif want is ChangeOp.UPDATE and secret_values and step.secret_only:
            redelivered.append(step)
            explained += 1
            continue
        elif change is None:
            why = "no reviewed change touches this resource"
        elif change.op is not want:
            why = f"reviewed as `{change.op}`, the engine will `{step.op}` it"
        elif want in (ChangeOp.UPDATE, ChangeOp.REPLACE) and step.properties is None:
            why = "the engine does not say which properties change"
        elif want in (ChangeOp.UPDATE, ChangeOp.REPLACE) and (
            extra := sorted(set(step.properties or ()) - set(change.properties))
        ):
            why = "unreviewed properties: " + ", ".join(extra)
        else:
            explained += 1
            continue
        unexplained.append(Unexplained(step, why))
    return Verdict(checked, explained, tuple(redelivered), tuple(unexplained))


def render(verdict: Verdict, reviewed: ChangeSet) -> str:
    lines = ["## Preview against the reviewed change set", ""]
    lines.append(
        f"Reviewed: {code(reviewed.base)} → {code(reviewed.head)}, "
        f"{len(reviewed.changes)} reviewed change(s). "
        f"The preview changes {verdict.checked} resource(s): {verdict.explained} explained, "
        f"{len(verdict.unexplained)} unexplained."
    )
    lines.append("")
    if verdict.redelivered:
        lines.append(
            f"{len(verdict.redelivered)} update(s) change secret values only (delivery of rotated "
            "values, allowed with `--secret-values`):"
        )
        lines.append("")
        lines += [f"- {code(s.urn)}" for s in verdict.redelivered]
        lines.append("")
    if verdict.ok:
        lines.append("Every change the preview shows was reviewed: `pulumi up` may run.")
        return "\n".join(lines) + "\n"
    lines += [
        "> [!CAUTION]",
        "> The preview would apply changes nobody reviewed: the deploy stops here. "
        "See docs/runbooks/drift.md.",
        "",
        "| resource | op | properties | why |",
        "|---|---|---|---|",
    ]
    for u in verdict.unexplained:
        props = ", ".join(u.step.properties) if u.step.properties else "—"
        row = [code(u.step.urn), code(u.step.op), code(props), code(u.why)]
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"
