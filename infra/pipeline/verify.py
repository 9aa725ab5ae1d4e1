"""Reviewed is applied: check a real ``pulumi preview --json`` against the reviewed change set.

Every step that changes the cloud (``infra.pulumi_formats.NO_CHANGE_OPS`` and the root stack
aside) must be explained by the reviewed set: the same URN, the same operation, and every
property the engine names as changing (the union of ``detailedDiff``'s paths, ``diffReasons``,
``replaceReasons`` and the inputs that differ between ``oldState`` and ``newState``) among the
reviewed ones. Anything else is *unexplained*: drift, an import update, a provider replacing
what a reviewer saw as an update, a change nobody reviewed. The deploy stops on it.

Values are never read except to tell whether an input is a secret, and never printed: the report
names URNs, operations and property names only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.config.jsonio import parse_json
from infra.drift.credentials import EXPECTED_LINE, CredentialInputs
from infra.markdown import Document, cell, code, document
from infra.plan.changeset import ChangeOp, ChangeSet
from infra.pulumi_formats import (
    NO_CHANGE_OPS,
    FormatError,
    Op,
    PreviewStep,
    is_secret,
    parse_preview,
    parse_urn,
)

#: The engine's operation → the reviewed operation that must explain it.
OPS: dict[str, ChangeOp] = {
    Op.CREATE: ChangeOp.CREATE,
    Op.IMPORT: ChangeOp.CREATE,
    Op.UPDATE: ChangeOp.UPDATE,
    Op.DELETE: ChangeOp.DELETE,
    Op.REPLACE: ChangeOp.REPLACE,
    Op.CREATE_REPLACEMENT: ChangeOp.REPLACE,
    Op.DELETE_REPLACED: ChangeOp.REPLACE,
    Op.IMPORT_REPLACEMENT: ChangeOp.REPLACE,
    Op.REMOVE_PENDING_REPLACE: ChangeOp.REPLACE,
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
    incomplete: str | None = None
    """Why the preview cannot be trusted to list every change (it failed, or never ran the
    program); such a preview never passes, whatever its steps."""
    expected: tuple[Step, ...] = ()
    """A read-only run's provider updates of credential inputs only (``infra.drift.credentials``):
    explained by the run itself, not by a review."""

    @property
    def ok(self) -> bool:
        return not self.unexplained and self.incomplete is None


def changed_properties(step: PreviewStep) -> tuple[str, ...] | None:
    """``PreviewStep.changed_properties``, sorted; None when the engine names none."""
    names = step.changed_properties()
    return tuple(sorted(names)) if names else None


def parse_steps(doc: Any) -> list[Step]:
    """The steps of ``pulumi preview --json`` output (parsed); PreviewError when it is not one."""
    if isinstance(doc, str):
        doc, problems = parse_json(doc, "the preview", expect=None)
        if problems:
            raise PreviewError(problems[0].message)
    try:
        preview = parse_preview(doc)
    except FormatError as exc:
        raise PreviewError(str(exc)) from None
    steps = []
    for raw in preview.steps:
        props = changed_properties(raw)
        old, new = raw.inputs("old"), raw.inputs("new")
        secret_only = bool(props) and all(
            is_secret(new.get(p)) and is_secret(old.get(p)) for p in props or ()
        )
        steps.append(Step(str(raw.urn), raw.op, props, secret_only))
    return steps


def verify(
    steps: list[Step],
    reviewed: ChangeSet,
    *,
    secret_values: bool = False,
    incomplete: str | None = None,
    credentials: CredentialInputs | None = None,
) -> Verdict:
    """Explain every changing step by ``reviewed``; ``secret_values`` also explains updates that
    change nothing but secret values (a rotation being delivered). ``incomplete`` says why the
    preview did not complete (``Preview.incomplete``): the verdict then never passes.
    ``credentials`` is a read-only run's: a provider update of those inputs only is expected."""
    by_urn = reviewed.by_urn()
    checked = explained = 0
    redelivered: list[Step] = []
    expected: list[Step] = []
    unexplained: list[Unexplained] = []
    for step in steps:
        urn = parse_urn(step.urn)
        if step.op in NO_CHANGE_OPS or urn.is_root_stack:
            continue
        checked += 1
        want = OPS.get(step.op)
        change = by_urn.get(step.urn)
        inputs = (credentials or {}).get(urn.provider_package or "", frozenset())
        if step.op == Op.UPDATE and step.properties and set(step.properties) <= inputs:
            expected.append(step)
            explained += 1
            continue
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
    return Verdict(
        checked, explained, tuple(redelivered), tuple(unexplained), incomplete, tuple(expected)
    )


def render(verdict: Verdict, reviewed: ChangeSet) -> Document:
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
    if verdict.expected:
        names = ", ".join(code(s.urn) for s in verdict.expected)
        lines += [f"{EXPECTED_LINE[:1].upper()}{EXPECTED_LINE[1:]} (not a change): {names}.", ""]
    if verdict.incomplete is not None:
        lines += [
            "> [!CAUTION]",
            f"> The preview did not complete: {verdict.incomplete}. The deploy stops here; "
            "fix the preview's errors and run it again.",
            "",
        ]
    if verdict.ok:
        lines.append("Every change the preview shows was reviewed: `pulumi up` may run.")
        return _finish(lines, reviewed)
    if not verdict.unexplained:
        return _finish(lines, reviewed)
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
    return _finish(lines, reviewed)


def _finish(lines: list[str], reviewed: ChangeSet) -> Document:
    """The finished report; the reviewed revisions are its own (commit ids, not secrets)."""
    revisions = {r.strip() for r in f"{reviewed.base},{reviewed.head}".split(",") if r.strip()}
    return document("\n".join(lines) + "\n", allow=revisions)
