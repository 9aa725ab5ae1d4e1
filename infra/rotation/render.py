"""Status rows as a rich table (terminal) and as Markdown (a GitHub issue body)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from rich import box
from rich.table import Table

from infra.config.manifest import SecretEntry
from infra.markdown import Document, cell, code, document, text
from infra.rotation.policy import RotationState, as_utc
from infra.rotation.status import StatusRow

RUNBOOK = "docs/runbooks/rotate-a-token.md"

_STYLE = {
    RotationState.OVERDUE: "bold red",
    RotationState.MISSING: "bold red",
    RotationState.EXPIRING: "bold red",
    RotationState.DUE_SOON: "yellow",
    RotationState.OK: "green",
}


def summary(rows: Sequence[StatusRow]) -> str:
    """E.g. ``1 overdue, 0 missing, 2 due-soon, 39 ok`` (always every state, in urgency order)."""
    counts = Counter(r.state for r in rows)
    return ", ".join(f"{counts[s]} {s}" for s in sorted(RotationState, key=lambda s: s.severity))


def _cells(row: StatusRow) -> tuple[str, str, str]:
    age = "" if row.age_days is None else str(row.age_days)
    due = "" if row.due_on is None else row.due_on.isoformat()
    if row.expires_on is not None and (row.due_on is None or row.expires_on < row.due_on):
        due = f"{row.expires_on.isoformat()} (expires)"
    return age, due, row.note


def table(rows: Sequence[StatusRow], now: datetime) -> Table:
    """A rich table for an 80-column terminal, failing rows first.

    The secret id is never cut (the column does not wrap; the policy column wraps at spaces
    instead). The 1Password item and the owner are in the Markdown report, not here; notes (why
    something is missing) go below the table (see ``notes``).
    """
    out = Table(
        title=f"Secret rotation status, {as_utc(now):%Y-%m-%d %H:%M} UTC",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    out.add_column("status", no_wrap=True)
    out.add_column("secret", no_wrap=True)
    out.add_column("age", justify="right", no_wrap=True)
    out.add_column("due", no_wrap=True)
    out.add_column("policy")
    for row in rows:
        age, due, _ = _cells(row)
        style = _STYLE[row.state]
        out.add_row(f"[{style}]{row.state}[/]", row.secret_id, age, due, row.policy)
    return out


OFFLINE_NOTE = (
    "Checked: when each secret's value was set (its item's `value-set-at`), against its max "
    "age, and the recorded `expires` of the kinds that always expire (overdue, expiring or "
    "missing: exit 1). The item is the secret's id in vault `pulumi` unless shown."
)


def offline_table(entries: Sequence[SecretEntry]) -> Table:
    """Every secret's policy and what ``rotation status`` checks for it, without 1Password."""
    out = Table(
        title="Rotation policies (offline: no age read from 1Password)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    out.add_column("secret", no_wrap=True)
    out.add_column("max age", justify="right", no_wrap=True)
    out.add_column("rotation")
    for entry in sorted(entries, key=lambda e: e.id):
        out.add_row(entry.id, f"{entry.secret.rotation.max_age_days} d", _mode(entry))
    return out


def _mode(entry: SecretEntry) -> str:
    ref, rotation = entry.secret.onepassword, entry.secret.rotation
    mode = str(rotation.mode)
    if rotation.rotator:
        mode += f": {rotation.rotator}"
    if (ref.vault, ref.item) != ("pulumi", entry.id):
        mode += f" (item {ref.vault}/{ref.item})"
    return mode


def offline_markdown(entries: Sequence[SecretEntry]) -> Document:
    """The offline listing as Markdown: every secret's policy, no age (nothing was read)."""
    lines = [
        "## Rotation policies (offline: no age read from 1Password)",
        "",
        OFFLINE_NOTE,  # this module's own Markdown, not outside text: nothing to escape
        "",
        "| secret | max age (days) | rotation | owner |",
        "|---|---:|---|---|",
    ]
    for entry in sorted(entries, key=lambda e: e.id):
        lines.append(
            f"| {cell(code(entry.id))} | {entry.secret.rotation.max_age_days} "
            f"| {cell(text(_mode(entry)))} | {cell(text(entry.secret.owner))} |"
        )
    return document("\n".join(lines) + "\n")


def offline_counts(entries: Sequence[SecretEntry]) -> dict[str, int]:
    """Numbers only, offline: how many secrets and how many of each mode (no state is known)."""
    automatic = sum(e.secret.rotation.rotator is not None for e in entries)
    return {
        "offline": 1,
        "secrets": len(entries),
        "automatic": automatic,
        "manual": len(entries) - automatic,
    }


def notes(rows: Sequence[StatusRow]) -> list[str]:
    """One line per row that carries a note (why it is missing)."""
    return [f"{r.secret_id}: {r.note}" for r in rows if r.note]


def markdown(rows: Sequence[StatusRow], now: datetime) -> Document:
    """A GitHub-flavoured Markdown report: headline, counts, then the table (failing rows first)."""
    failing = [r for r in rows if r.state.failing]
    lines = [
        f"## Secret rotation status, {as_utc(now):%Y-%m-%d} UTC",
        "",
        f"**{summary(rows)}**",
        "",
    ]
    if failing:
        names = ", ".join(f"{code(r.secret_id)} ({r.state})" for r in failing)
        # A relative link would not resolve in an issue body: name the file instead.
        lines += [f"Action needed: {names}. How to rotate: {code(RUNBOOK)}.", ""]
    else:
        lines += ["Nothing is overdue or missing.", ""]
    lines += [
        "| status | secret | 1Password item | age (days) | policy | due | owner | note |",
        "|---|---|---|---:|---|---|---|---|",
    ]
    for row in rows:
        age, due, note = _cells(row)
        state = f"**{row.state}**" if row.state.failing else str(row.state)
        lines.append(
            f"| {state} | {cell(code(row.secret_id))} | {cell(code(row.item))} | {age} "
            f"| {cell(text(row.policy))} | {due} | {cell(text(row.owner))} | {cell(text(note))} |"
        )
    lines.append("")
    lines.append(
        "Policies live in `secrets/<id>.yaml` (`rotation`); ages come from each item's "
        "`value-set-at`, expiry dates from its `expires`."
    )
    return document("\n".join(lines) + "\n")
