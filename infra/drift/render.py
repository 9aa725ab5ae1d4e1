"""``DriftReport`` → the Markdown of the drift issue: drift first, and only drift.

* **Only what differs.** A preview of the whole stack lists every resource (a refresh step each);
  the report names the drifted ones, security-relevant drift first with the runbook, and counts
  the rest in one line. It stays under ``MAX_BYTES``, the size the drift workflow posts: past it,
  the remaining resources are counted, not listed (the run log has them).
* **Which side is which.** A change reads ``live: X · code: Y``, and each resource says what
  ``pulumi up`` would do to it.
* **Untrusted text stays text, and nothing secret prints.** Names, types, values and diagnostics
  reach the Markdown only through ``infra.markdown``, and the finished report is its
  ``document`` (the masking pass) with the plaintexts the preview's secret objects held.
* **Same input, same bytes**, so the drift issue is only edited when the drift itself changes.
"""

from __future__ import annotations

from typing import Final

from infra.drift.credentials import EXPECTED_LINE
from infra.drift.model import Change, Diagnostic, DriftReport, ResourceDrift, op_rank
from infra.drift.security import RUNBOOK, security_concerns
from infra.drift.values import NOT_SET
from infra.markdown import Document, code, document, fenced, text
from infra.pulumi_formats import FormatError, parse_urn

UNATTRIBUTED: Final = (
    "pulumi preview reported changes (exit 7) that no resource in this report accounts for; "
    "see the run log"
)
"""Pulumi's verdict wins: changes the report cannot attribute are drift."""

MAX_BYTES: Final = 60_000
"""The drift workflow posts at most this many bytes of the report into the issue."""

#: What ``pulumi up`` would do, per headline op: the reader's next question after "what differs".
UP_WOULD: Final = {
    "delete": "live but no longer in the code: `up` would delete it",
    "replace": "`up` would delete and re-create it (replace) to match the code",
    "update": "`up` would set the live values back to the code's",
    "create": "in the code but not live (deleted outside Pulumi?): `up` would create it",
    "import": "`up` would import the live resource into the state",
    "refresh": "changed outside Pulumi: `pulumi refresh` would record the live values",
}


def summary_line(report: DriftReport) -> str:
    """One line for logs: ``clean`` or what differs."""
    if report.is_clean:
        return "clean: no drift" + (f" ({_expected_line(report)})" if report.expected else "")
    if report.unattributed:
        return f"drift: {UNATTRIBUTED}"
    if not report.drifted:
        if not report.errors:
            return "error: the preview lists no root stack step (it did not run the program)"
        return f"error: the preview reported {len(report.errors)} error diagnostic(s)"
    counts: dict[str, int] = {}
    for r in report.drifted:
        counts[r.op] = counts.get(r.op, 0) + 1
    parts = [f"{len(report.drifted)} resource(s) drifted"]
    parts.append(", ".join(f"{counts[op]} {op}" for op in sorted(counts, key=op_rank)))
    flagged = sum(bool(security_concerns(r)) for r in report.drifted)
    if flagged:
        parts.append(f"{flagged} security-relevant")
    if report.errors:
        parts.append(f"{len(report.errors)} error diagnostic(s)")
    return "drift: " + "; ".join(parts)


def render_markdown(report: DriftReport) -> Document:
    """The report as GitHub-flavoured Markdown, ending in exactly one newline."""
    where = (
        f"stack {code(report.stack)} of project {code(report.project)}"
        if report.stack and report.project
        else "the stack"
    )
    drifted, errors = report.drifted, len(report.errors)
    unchanged = len(report.resources) - len(drifted) - len(report.expected)
    rest = f" The other {unchanged} resource(s) in the preview are unchanged." if unchanged else ""
    lines = ["# Pulumi drift report", ""]
    if report.is_clean:
        lines.append(f"**No drift.** The cloud matches the program for {where}.{rest}")
    elif report.unattributed:
        lines += [f"**Drift detected** in {where}.", "", "> [!WARNING]", f"> {UNATTRIBUTED}."]
    elif not drifted:
        reason = (
            f"the engine reported {errors} error(s)"
            if errors
            else "it lists no root stack step (the program did not run)"
        )
        lines.append(f"**Preview failed** for {where}: {reason}, so drift cannot be ruled out.")
    else:
        also = f", and the engine reported {errors} error(s)" if errors else ""
        lines.append(
            f"**Drift detected** in {where}: {len(drifted)} resource(s) differ from the "
            f"program{also}.{rest}"
        )
        lines += [
            "",
            "Each change reads **live** (what the cloud holds now) · **code** (what `main` "
            "declares).",
        ]

    if report.expected:
        lines += ["", _expected_line(report)[:1].upper() + _expected_line(report)[1:] + "."]

    flagged = [(r, why) for r in drifted if (why := security_concerns(r))]
    if flagged:
        lines += [
            "",
            "## ⚠️ Security-relevant drift",
            "",
            f"Treat as a security incident until explained: follow {code(RUNBOOK)} "
            '("Nobody can explain the change").',
            "",
        ]
        for resource, why in flagged:
            lines.append(f"- {code(resource.name)} ({code(resource.type)}): " + "; ".join(why))

    tail = _diagnostics(report.diagnostics)
    budget = MAX_BYTES - 2_000 - _size(lines) - _size(tail)
    if drifted:
        lines += ["", "## Drift"]
        shown = 0
        for op in dict.fromkeys(r.op for r in drifted):
            group = [r for r in drifted if r.op == op]
            section = ["", f"### {text(op)} ({len(group)})", ""]
            for resource in group:
                entry = _render_resource(resource)
                if _size(section) + _size(entry) > budget:
                    break
                section += entry
                shown += 1
            budget -= _size(section)
            lines += section
            if shown < len(drifted) and budget <= 0:
                break
        if shown < len(drifted):
            lines += [
                "",
                f"… and {len(drifted) - shown} more drifted resource(s), left out to fit the "
                "issue: the run log's report lists them all.",
            ]
    lines += tail
    doc = "\n".join(lines).rstrip("\n") + "\n"
    return document(doc, known=report.known_secrets)


def _expected_line(report: DriftReport) -> str:
    """The one plain line for a read-only run's credential-only provider updates: which
    providers, never a value (their inputs are secrets on both sides)."""
    names = ", ".join(code(r.name) for r in report.expected)
    return f"{EXPECTED_LINE} (not drift; provider {names})"


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _render_resource(resource: ResourceDrift) -> list[str]:
    note = f": {UP_WOULD[resource.op]}" if resource.op in UP_WOULD else ""
    lines = [f"- {code(resource.name)} ({code(resource.type)}){note}"]
    lines += [f"  - {_render_change(change)}" for change in resource.changes]
    return lines


def _render_change(change: Change) -> str:
    """``path: live: X · code: Y``."""
    base, _, replace = change.kind.partition("-")
    suffix = " (forces replacement)" if replace == "replace" else ""
    old = code(change.old) if change.old is not None else None
    new = code(change.new) if change.new is not None else None
    if base == "add":
        old = old or NOT_SET
    elif base == "delete":
        new = new or NOT_SET
    shown = f"live: {old or '(unknown)'} · code: {new or '(unknown)'}"
    return f"{code(change.path)}: {shown}{suffix}"


def _diagnostics(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    if not diagnostics:
        return []
    lines = ["", "## Diagnostics", ""]
    for diagnostic in diagnostics:
        lines += _render_diagnostic(diagnostic)
    return lines


def _render_diagnostic(diagnostic: Diagnostic) -> list[str]:
    subject = ""
    if diagnostic.urn:
        try:
            urn = parse_urn(diagnostic.urn)
            subject = f" on {code(urn.name)} ({code(urn.type)})"
        except FormatError:
            subject = f" on {code(diagnostic.urn)}"
    severity = text(diagnostic.severity)
    return [f"- **{severity}**{subject}:", "", fenced(diagnostic.message, indent="  "), ""]
