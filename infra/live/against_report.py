"""The Markdown (a PR comment) and the terminal summary of `cfinfra plan --against`."""

from __future__ import annotations

import json
from typing import Any

from infra.live.against import ORG, PERSON, REPO, Change, Prediction, Report
from infra.markdown import Document, cell, code, document, text

BLAST_ORDER = (ORG, REPO, PERSON)
_OP_WORDS = {
    "update": "imported, then updated",
    "create": "created",
    "import-missing": "import finds nothing",
    "ignored": "differs, ignored until cutover",
}


def _value(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return code(shown)


def _sorted(preds: list[Prediction]) -> list[Prediction]:
    return sorted(preds, key=lambda p: (BLAST_ORDER.index(p.blast), p.resource.key))


def render_markdown(report: Report, stack: str, snapshot: str) -> Document:
    changing = _sorted(report.changing)
    ignored = _sorted([p for p in report.predictions if p.op == "ignored"])
    lines = [f"## Predicted first `pulumi up` of stack {code(stack)} against {code(snapshot)}", ""]
    if not changing:
        lines.append(
            f"**No change**: each of the {len(report.predictions)} compared resources equals its "
            "live counterpart"
            + (
                f"; {len(report.not_compared)} kinds not compared (below)."
                if report.not_compared
                else "."
            )
        )
    else:
        counts = {b: sum(p.blast == b for p in changing) for b in BLAST_ORDER}
        summary = ", ".join(f"{n} {b}-wide" if b == ORG else f"{n} {b}" for b, n in counts.items())
        relevant = sum(p.security_relevant for p in changing)
        if relevant:
            summary += f"; {relevant} security-relevant"
        lines.append(f"**{len(changing)} resources would change** ({summary}).")
    lines.append("")
    for blast in BLAST_ORDER:
        group = [p for p in changing if p.blast == blast]
        if not group:
            continue
        lines += [f"### Blast radius: {blast}", ""]
        lines += ["| resource | what happens | input | live | declared |", "|---|---|---|---|---|"]
        for p in group:
            rows: list[Change | None] = list(p.changes) or [None]
            for c in rows:
                lines.append(
                    "| "
                    + " | ".join(
                        cell(x)
                        for x in (
                            code(p.resource.name),
                            text(_OP_WORDS.get(p.op, p.op)),
                            code(c.field) if c else text(p.note or "-"),
                            _value(c.live) if c else "",
                            _value(c.declared) if c else "",
                        )
                    )
                    + " |"
                )
        lines.append("")
    if ignored:
        lines += ["### Differs but not written before the cutover", ""]
        for p in ignored:
            for c in p.changes:
                lines.append(
                    f"- {code(p.resource.name)} {code(c.field)}: live-only "
                    f"{_value(c.live)}, declared-only {_value(c.declared)}"
                )
        lines.append("")
    pending = _sorted([p for p in report.predictions if p.op == "pending"])
    if pending:
        lines += ["### Invitations not accepted yet (no change; not members yet)", ""]
        lines += [f"- {code(p.resource.name)}: {text(p.note)}" for p in pending]
        lines.append("")
    noted = _sorted([p for p in report.predictions if p.op == "same" and p.note])
    if noted:
        lines += ["### Compared in part", ""]
        lines += [f"- {code(p.resource.name)}: {text(p.note)}" for p in noted]
        lines.append("")
    if report.unmanaged:
        lines += ["### Live but not managed (left as they are)", ""]
        lines += [f"- {text(b)}: {text(what)}" for b, what in report.unmanaged]
        lines.append("")
    if report.not_compared:
        lines += ["### Not compared (not in the snapshot, or not covered)", ""]
        lines += [f"- {code(t)}" for t in report.not_compared]
        lines.append("")
    return document("\n".join(lines))


def summary_lines(report: Report) -> list[str]:
    changing = report.changing
    same = sum(p.op == "same" for p in report.predictions)
    pending = sum(p.op == "pending" for p in report.predictions)
    out = [
        f"compared {len(report.predictions)} resources: {same} unchanged, "
        f"{len(changing)} would change, {len(report.unmanaged)} live but unmanaged"
        + (f", {pending} invitations pending" if pending else "")
    ]
    for p in _sorted(changing):
        fields = ", ".join(c.field for c in p.changes) or p.note or p.op
        out.append(f"  [{p.blast}] {p.resource.name}: {_OP_WORDS.get(p.op, p.op)} ({fields})")
    return out
