"""Render a ``DiffReport`` as the Markdown of a pull-request comment.

Three promises, each tested:

* **No secret value, ever.** Field changes flagged secret carry no values (``infra.diff.compare``);
  secrets are described by their 1Password reference and audiences only. The finished comment is
  a ``document`` of ``infra.markdown``: its masking pass takes every credential-looking string out
  of names, property paths, logins, 1Password references and error reports too.
* **Same input, same bytes.** Everything is sorted, nothing depends on time or the machine, so a
  workflow can edit its comment in place and the output is snapshot-tested.
* **Fits in a comment.** GitHub refuses comments over 65,536 characters. Sections with many
  entries fold into ``<details>``; above ``BUDGET`` the longest sections lose their last entries
  (with a note) until the comment fits. The summary, the removal guard and the risks are never cut.
  (The masking pass runs after the cut; ``[secret]`` is at most 4 characters longer than what it
  replaces, and the budget leaves GitHub's limit 5,536 characters of room.)

Every string from a plan is put in a code span or escaped, so a crafted name cannot inject Markdown,
HTML or @-mentions into the comment.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from infra.config.secretscan import looks_like_credential
from infra.diff.access import (
    DERIVED,
    FROM_JSON,
    NOT_APPLIED,
    Grant,
    PersonChange,
    RoleChange,
    Scope,
    SecretChange,
    SecretOp,
    TargetChange,
    TargetOp,
)
from infra.diff.compare import (
    MISSING,
    SECRET_SIG_KEY,
    FieldChange,
    FieldKind,
    Op,
    ResourceChange,
    is_secret,
)
from infra.diff.repos import RepoEvent, repository_events
from infra.diff.risks import DiffReport, few, risks
from infra.exitcodes import LEAK_PREFIX
from infra.markdown import Document, code, document, fence_for, fenced, text, unified_diff
from infra.plan.model import SECRET, PlannedResource
from infra.resource_types import holds_no_cloud_state

BUDGET = 60_000
"""Characters; GitHub's limit is 65,536 and the workflow adds a little around the comment."""
FOLD_ITEMS = 25
"""Sections with more entries than this fold into ``<details>``."""
MAX_VALUE = 120
"""Characters of one rendered value; the plan JSON has the rest."""
MAX_INPUTS = 400
"""Characters of a created resource's one-line input summary."""
MARKER = "<!-- cfinfra-diff:{stack} -->"
"""Lets the workflow find and edit its own comment."""

MINUS = "\N{MINUS SIGN}"
"""Removed grants and list items: a real minus sign, so `-` never starts a Markdown list."""

# --- sections and the budget ---------------------------------------------------------------------


@dataclass
class Section:
    """A titled list of entries. ``keep`` sections are never folded or cut."""

    title: str
    items: list[str]
    keep: bool = False
    lead: str = ""
    """A paragraph before the entries (not cut)."""
    open: str = ""
    close: str = ""
    """Lines around the entries, e.g. a code fence (kept balanced when entries are cut)."""
    dropped: int = 0
    noun: str = "entries"
    budget: int = BUDGET
    """The comment's budget, quoted in the note that replaces dropped entries."""

    def render(self) -> str:
        parts = [f"### {self.title}", ""]
        if self.lead:
            parts += [self.lead, ""]
        body = (
            ([self.open] if self.open else []) + self.items + ([self.close] if self.close else [])
        )
        if self.dropped:
            body += [
                "",
                f"_… and {self.dropped:,} more {self.noun} not shown: the comment is capped at "
                f"{self.budget:,} characters. Run `cfinfra diff` locally for the full diff._",
            ]
        fold = not self.keep and (len(self.items) > FOLD_ITEMS or self.dropped)
        if fold:
            shown = len(self.items) + self.dropped
            parts += [f"<details><summary>Show {shown:,} {self.noun}</summary>", ""]
            parts += body
            parts += ["", "</details>"]
        else:
            parts += body
        return "\n".join(parts) + "\n"


def _water_level(sizes: list[int], room: int) -> int:
    """The largest cap C with sum(min(size, C)) <= room: short sections stay whole."""
    left = len(sizes)
    for size in sorted(sizes):
        if size * left > room:
            return max(room // left, 0)
        room -= size
        left -= 1
    return max(sizes, default=0)


def _cut(section: Section, cap: int) -> None:
    kept = 0
    for i, item in enumerate(section.items):
        kept += len(item) + 1
        if kept > cap:
            section.dropped += len(section.items) - i
            del section.items[i:]
            return


def _fit(head: str, sections: list[Section], budget: int) -> str:
    """Join the sections; over ``budget``, cut the longest ones' last entries to a common cap.

    Cutting only the single longest section would empty one section while another stays whole;
    a common cap (water-filling) keeps every section's first entries, and sections shorter than
    the cap untouched. Kept sections (summary, guard, risks) are never cut.
    """
    whole = head + "".join(s.render() + "\n" for s in sections)
    if len(whole) <= budget:
        return whole.rstrip("\n") + "\n"
    cuttable = [s for s in sections if not s.keep and s.items]
    for s in cuttable:
        s.budget = budget
    sizes = [sum(len(i) + 1 for i in s.items) for s in cuttable]
    # Everything that is not an entry of a cuttable section, with each section's note and fold.
    fixed = len(whole) - sum(sizes)
    for s in cuttable:
        # The note and the fold a cut adds; counting every entry as dropped bounds its digits.
        fixed += len(replace(s, dropped=len(s.items)).render()) - len(s.render())
    cap = _water_level(sizes, budget - fixed)
    for s in cuttable:
        _cut(s, cap)
    out = (head + "".join(s.render() + "\n" for s in sections)).rstrip("\n") + "\n"
    if len(out) > budget:  # only if the kept sections alone are too long; never expected
        out = out[: budget - 80] + "\n\n_… cut at the comment size limit._\n"
    return out


# --- values --------------------------------------------------------------------------------------


CREDENTIAL = "[hidden: looks like a credential]"
"""Shown instead of a plain value that ``detect-secrets`` takes for a credential."""
SCAN_FROM = 16
"""Characters: shorter plain values are not scanned (tokens are longer; it keeps big diffs fast)."""


def _credential(raw: str) -> bool:
    return len(raw) >= SCAN_FROM and looks_like_credential(raw)


def _raw(v: Any) -> str:
    if is_secret(v):
        return SECRET  # defensive: callers never pass a secret value, and a marker is not a value
    raw = v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
    if _credential(raw):
        # A plan file may come from anywhere (`--base-plan`), and a provider may forget to mark
        # a value secret: the comment is public.
        return CREDENTIAL
    return raw if len(raw) <= MAX_VALUE else raw[: MAX_VALUE - 1] + "…"


def value(v: Any) -> str:
    """A plan value as a code span, cut to ``MAX_VALUE`` characters."""
    return code(_raw(v))


def _flat(prefix: str, v: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(v, dict) and SECRET_SIG_KEY in v:
        out.append((prefix, SECRET))  # a Pulumi secret object: never walked into
    elif isinstance(v, dict) and v:
        for k in sorted(v, key=str):
            _flat(f"{prefix}.{k}" if prefix else str(k), v[k], out)
    elif isinstance(v, list) and v and any(isinstance(x, dict | list) for x in v):
        for i, x in enumerate(v):
            _flat(f"{prefix}[{i}]", x, out)
    else:
        out.append((prefix, v))


def inputs_line(resource: PlannedResource) -> str:
    """``key=value`` spans of a new resource's inputs, whole spans only, up to ``MAX_INPUTS``."""
    pairs: list[tuple[str, Any]] = []
    _flat("", resource.inputs, pairs)
    spans: list[str] = []
    size = 0
    for k, v in pairs:
        span = code(f"{k}={_raw(v)}")
        if spans and size + len(span) > MAX_INPUTS:
            spans.append("…")
            break
        spans.append(span)
        size += len(span) + 2
    return ", ".join(spans)


def _list_delta(old: list[Any], new: list[Any]) -> str:
    before, after = Counter(map(_key, old)), Counter(map(_key, new))
    added = [x for x in dict.fromkeys(map(_key, new)) if after[x] > before[x]]
    removed = [x for x in dict.fromkeys(map(_key, old)) if before[x] > after[x]]
    parts = [f"+{value(json.loads(x))}" for x in added] + [
        f"{MINUS}{value(json.loads(x))}" for x in removed
    ]
    return ", ".join(parts) if parts else "reordered"


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


MAX_DIFF_LINES = 200
"""Lines of one unified diff in the comment; the plan JSON has the rest."""


def as_lines(v: Any) -> str | None:
    """A value worth a unified diff: multi-line text, or a long JSON document pretty-printed."""
    if not isinstance(v, str) or is_secret(v):
        return None
    if "\n" in v.strip("\n"):
        return v
    if len(v) > MAX_VALUE and v.lstrip()[:1] in "{[":
        try:
            return json.dumps(json.loads(v), indent=2, sort_keys=True, ensure_ascii=False)
        except ValueError:
            return None
    return None


def diff_lines(old: Any, new: Any) -> list[str] | None:
    """The fenced unified diff of a multi-line field (old or new may be ``MISSING``), or None."""
    a = "" if old is MISSING else as_lines(old)
    b = "" if new is MISSING else as_lines(new)
    if a is None or b is None or (old is MISSING and new is MISSING):
        return None
    if not (a or b):
        return None
    lines = [f"{x[:1]}{CREDENTIAL}" if _credential(x) else x for x in unified_diff(a, b)]
    more = len(lines) - MAX_DIFF_LINES
    if more > 0:
        lines = [*lines[:MAX_DIFF_LINES], f"… {more:,} more lines (see the plan JSON)"]
    return lines


def _diff_block(lines: list[str], indent: str) -> list[str]:
    return ["", fenced("\n".join(lines), info="diff", indent=indent), ""]


def field_lines(f: FieldChange, indent: str) -> list[str]:
    """A field change as one list line, plus a unified diff block for a multi-line value."""
    lines = diff_lines(f.old, f.new) if not f.secret else None
    if lines is None:
        return [f"{indent}- {field_line(f)}"]
    name = code(f.path)
    added = sum(1 for x in lines[2:] if x.startswith("+"))
    removed = sum(1 for x in lines[2:] if x.startswith("-"))
    what = "added" if f.old is MISSING else "removed" if f.new is MISSING else "changed"
    head = f"{indent}- {name}: {what} (+{added:,} {MINUS}{removed:,} lines){_ignored(f)}"
    return [head, *_diff_block(lines, indent + "  ")]


def _ignored(f: FieldChange) -> str:
    if not f.ignored:
        return ""
    return " — **not applied**: in `ignore_changes`, so `pulumi up` keeps the live value"


def field_line(f: FieldChange) -> str:
    return _field_line(f) + _ignored(f)


def _field_line(f: FieldChange) -> str:
    name = code(f.path) + (" (option)" if f.kind is FieldKind.OPTION else "")
    if f.secret:
        if not f.in_base:
            what = "new secret input"
        elif not f.in_head:
            what = "secret input removed"
        elif f.unmasked:
            what = "**was secret, is no longer secret**"
        elif not f.secret_in_base:
            what = "now secret"
        else:
            what = "secret input restructured"
        return f"{name}: {what} (values not shown)"
    if isinstance(f.old, list) and isinstance(f.new, list):
        return f"{name}: {_list_delta(f.old, f.new)}"
    if f.old is MISSING:
        return f"{name}: added {value(f.new)}"
    if f.new is MISSING:
        return f"{name}: removed (was {value(f.old)})"
    line = f"{name}: {value(f.old)} → {value(f.new)}"
    if f.kind is FieldKind.OPTION and f.path == "parent":
        line += " — the URN changes: without an alias Pulumi deletes and recreates it"
    return line


# --- sections ------------------------------------------------------------------------------------


SECURITY_RELEVANT = "security-relevant"
"""The resource-type table's word for a change core reviews with care
(docs/pull-request-diff.md)."""


def _grouped(changes: list[ResourceChange], entry: Any) -> list[str]:
    """One entry per resource; the first of each type carries the type's line.

    A type whose every change here is security-relevant says so once, on its line; otherwise
    each security-relevant change says so after its name.
    """
    per_type = Counter(c.type for c in changes)
    relevant = Counter(c.type for c in changes if c.security_relevant)
    items: list[str] = []
    last = None
    for c in changes:
        lines = entry(c)
        whole_type = relevant[c.type] == per_type[c.type]
        if c.security_relevant and not whole_type:
            name = f"  - {code(c.name)}"
            lines[0] = f"{name} ({SECURITY_RELEVANT}){lines[0].removeprefix(name)}"
        if c.type != last:
            mark = f", {SECURITY_RELEVANT}" if whole_type else ""
            lines = [f"- {code(c.type)} ({per_type[c.type]:,}{mark})", *lines]
            last = c.type
        items.append("\n".join(lines))
    return items


def _removed_entry(c: ResourceChange) -> list[str]:
    r = c.before
    assert r is not None
    if c.destroys:
        notes = ["**destroyed in the cloud**"]
    elif holds_no_cloud_state(r.type):
        notes = ["nothing in the cloud (a component or a provider)"]
    elif r.retain_on_delete:
        notes = ["kept in the cloud (`retain_on_delete`)"]
    else:
        notes = ["demoted to org member, not removed (`downgrade_on_destroy`)"]
    if r.protect:
        notes.append("**protected**: Pulumi refuses until it is unprotected")
    if c.moved:
        notes.append(f"its URN changes to {code(c.moved)}: without an alias Pulumi deletes it")
    return [f"  - {code(c.name)}: {'; '.join(notes)}"]


def _added_entry(c: ResourceChange) -> list[str]:
    assert c.after is not None
    flags = " (protected)" if c.after.protect else ""
    if c.moved:
        flags += f" (re-created under a new URN, was {code(c.moved)})"
    if c.after.import_id:
        flags += f" (imported as {code(c.after.import_id)}: exists, not created)"
    line = inputs_line(c.after) if c.after.inputs else ""
    out = [f"  - {code(c.name)}{flags}" + (f": {line}" if line else "")]
    for key in sorted(c.after.inputs):
        lines = diff_lines(MISSING, c.after.inputs[key])
        if lines:
            out += [f"    - {code(key)} in full:", *_diff_block(lines, "      ")]
    return out


def _changed_entry(c: ResourceChange) -> list[str]:
    flags = " (protected)" if c.protected else ""
    out = [f"  - {code(c.name)}{flags}"]
    for f in c.fields:
        out += field_lines(f, "    ")
    return out


def _role_change(c: RoleChange) -> str:
    if c.promotion:
        return f"+{text(c.new.shown)} (was {text(c.old.label)})"
    return f"{MINUS}{text(c.old.label)} (now {text(c.new.shown)})"


def _who(person: str) -> str:
    if person.startswith(FROM_JSON):
        return f"everyone listed in {code(person.removeprefix(FROM_JSON))} (`users_from_json`)"
    return code(person)


def _grouped_grants(grants: tuple[Grant, ...], sign: str, removal: bool = False) -> list[str]:
    """One part per grant; the secrets a person gains or loses through write access as one."""
    secrets = [g.target for g in grants if g.scope is Scope.SECRET]
    parts = [
        f"{sign}{text(g.removal_label if removal else g.shown)}"
        for g in grants
        if g.scope is not Scope.SECRET
    ]
    if secrets:
        parts.append(f"{sign}reads {len(secrets):,} org secret(s) there: {few(secrets)}")
    return parts


def person_line(p: PersonChange) -> str:
    owner_change = p.gained_owner or p.lost_owner
    # An owner writes every repository and reads every secret: the owner change says it all.
    added = tuple(g for g in p.added if not (owner_change and g.scope.value in DERIVED))
    removed = tuple(g for g in p.removed if not (owner_change and g.scope.value in DERIVED))
    parts = _grouped_grants(added, "+")
    parts += [_role_change(c) for c in p.changed]
    parts += _grouped_grants(removed, MINUS, removal=True)
    if p.respelled and p.at_risk:
        a, b = p.respelled
        held = ", ".join(text(g.label) for g in p.at_risk)
        parts.append(
            f"**login respelled** {code(a)} → {code(b)}: same GitHub account, but every "
            f"resource named after it is deleted and re-created, and the delete acts on that "
            f"account: at risk until the next deploy: {held}"
        )
    flag = "⚠️ " if p.gained_gpu or p.gained_secrets else ""
    return f"- {flag}{_who(p.person)}: {', '.join(parts)}"


def _target_line(t: TargetChange) -> str:
    label = text(t.target)
    if t.op is TargetOp.ADDED and t.new:
        return f"now also reachable by {code(t.new.audience)} through {label}: {text(t.new.why)}"
    if t.op is TargetOp.REMOVED and t.old:
        return f"no longer delivered to {label} (was {code(t.old.audience)})"
    if t.op is TargetOp.AUDIENCE and t.old and t.new:
        direction = "**wider**" if t.widened else "narrower"
        return (
            f"{label}: audience {code(t.old.audience)} → {code(t.new.audience)} ({direction}): "
            f"{text(t.new.why)}"
        )
    assert t.old is not None
    assert t.new is not None
    return (
        f"{label}: same audience {code(t.new.audience)}, "
        f"reach was “{text(t.old.why)}”, now “{text(t.new.why)}”"
    )


def secret_entry(s: SecretChange) -> str:
    if s.op is SecretOp.ADDED and s.new:
        where = "; ".join(f"{text(t.target)} ({code(t.audience)})" for t in s.new.targets)
        return (
            f"- {code(s.secret)} (new, {text(s.new.sensitivity)}, cleared for "
            f"{code(s.new.cleared_for)}, from 1Password {code(s.new.onepassword)}): "
            + (f"reaches {where}" if where else "not delivered anywhere")
        )
    if s.op is SecretOp.REMOVED and s.old:
        where = "; ".join(text(t.target) for t in s.old.targets)
        return f"- {code(s.secret)} (removed)" + (
            f": no longer delivered to {where}" if where else ""
        )
    assert s.new is not None
    lines = [
        f"- {code(s.secret)} ({text(s.new.sensitivity)}, cleared for {code(s.new.cleared_for)}):"
    ]
    lines += [f"  - {'⚠️ ' if t.widened else ''}{_target_line(t)}" for t in s.targets]
    if s.onepassword:
        a, b = s.onepassword
        lines.append(f"  - 1Password reference: {code(a)} → {code(b)}")
    if s.cleared_for:
        a, b = s.cleared_for
        lines.append(f"  - cleared for: {code(a)} → {code(b)}")
    if s.sensitivity:
        a, b = s.sensitivity
        lines.append(f"  - sensitivity: {code(a)} → {code(b)}")
    return "\n".join(lines)


_SIGN = {"+": "+", "-": MINUS, "~": "~"}


def _event(e: RepoEvent) -> str:
    if e.kind == "repository":
        what = {"+": "created", "-": "deleted"}.get(e.sign, "settings changed")
        return f"repository {what}" + (f": {code(e.subject)}" if e.subject else "")
    where = f" via {code(e.where)}" if e.where else ""
    pending = f" ({NOT_APPLIED})" if e.pending else ""
    return f"{_SIGN[e.sign]}{text(e.kind)} {code(e.subject)}{where}{pending}"


def repo_entry(events: list[RepoEvent]) -> str:
    """One repository: its events on one line, or one sub-item each when there are several."""
    name = code(events[0].repo)
    if len(events) == 1:
        return f"- {name}: {_event(events[0])}"
    return "\n".join([f"- {name}:", *(f"  - {_event(e)}" for e in events)])


def _pending_lead(report: DiffReport) -> str:
    pending = any(
        g.pending
        for p in report.people
        for g in (*p.added, *p.removed, *(c.new for c in p.changed))
    )
    if not pending:
        return ""
    return (
        "Runner grants marked “not applied” are recorded in the data and in the rendered "
        "`.access.yml`, but the file's content is in `ignore_changes` while admin-requests "
        "writes `.cirun` (`cirun_files_writer: admin-requests`): `pulumi up` does not write "
        "them. They take effect at the cutover (docs/migration.md), or when admin-requests "
        "writes the same grant."
    )


def _guard_section(report: DiffReport) -> Section | None:
    guard = report.guard
    if not guard.violated:
        return None
    items = [f"- {r.describe(guard.policy)}" for r in guard.removals]
    if guard.owners_removed:
        items.append(f"- org owner(s) removed or demoted: {few(list(guard.owners_removed))}")
    if guard.policy.allow_removals:
        lead = "⚠️ **Removal guard overridden** with `--allow-removals`:"
    else:
        lead = (
            "⛔ **Removal guard**: this change deletes more than the guard allows. If that is "
            "intended, re-run with `--allow-removals` (see docs/pull-request-diff.md):"
        )
    return Section("Removal guard", items, keep=True, lead=lead)


def _header(stack: str, base_label: str, head_label: str, summary: str) -> str:
    return (
        f"{MARKER.format(stack=stack)}\n"
        f"## cfinfra diff · stack {code(stack)}\n\n"
        f"Base: {base_label} → head: {head_label}\n\n"
        f"{summary}\n\n"
    )


_FOOTER = Section(
    "About this diff",
    [],
    keep=True,
    lead=(
        "Offline plans of both sides, each computed with its own code and lock file "
        "(`cfinfra diff`), so a change to the code shows up as a change to the plan. "
        "Secret values are never shown: secrets appear only as `[secret]`, "
        "their 1Password reference and their audiences."
    ),
)


def render_markdown(
    report: DiffReport, base_label: str = "base", head_label: str = "head", budget: int = BUDGET
) -> Document:
    labels = risks(report)
    line = f"**{report.summary()}**"
    relevant = sum(c.security_relevant for c in report.resources.changes)
    if relevant:
        line += f" · {relevant:,} {SECURITY_RELEVANT}"
    if labels:
        line += " · risks: " + " ".join(code(r.label) for r in labels)
    if report.is_empty:
        line = "**No changes.** " + line
    head = _header(report.stack, base_label, head_label, line)
    if report.is_empty:
        return document(_fit(head, [_FOOTER], budget))

    sections: list[Section] = []
    guard = _guard_section(report)
    if guard:
        sections.append(guard)
    if labels:
        sections.append(
            Section("Risks", [f"- {code(r.label)}: {r.detail}" for r in labels], keep=True)
        )
    if report.people:
        sections.append(
            Section(
                "Access per person",
                [person_line(p) for p in report.people],
                noun="people",
                lead=_pending_lead(report),
            )
        )
    if report.secrets:
        sections.append(
            Section("Secret audiences", [secret_entry(s) for s in report.secrets], noun="secrets")
        )
    per_repo = repository_events(report.resources)
    if per_repo:
        sections.append(
            Section(
                "Per repository and feedstock",
                [repo_entry(events) for events in per_repo.values()],
                noun="repositories",
            )
        )
    diff = report.resources
    for title, op, entry in (
        ("Removed", Op.DELETE, _removed_entry),
        ("Changed", Op.UPDATE, _changed_entry),
        ("Added", Op.CREATE, _added_entry),
    ):
        changes = diff.of_op(op)
        if changes:
            sections.append(
                Section(f"{title} ({len(changes):,})", _grouped(changes, entry), noun="resources")
            )
    sections.append(_FOOTER)
    return document(_fit(head, sections, budget))


def render_invalid(
    stack: str,
    report_text: str,
    *,
    side: str = "head",
    label: str = "invalid-config",
    base_label: str = "base",
    head_label: str = "head",
    budget: int = BUDGET,
) -> Document:
    """The comment when one side cannot be planned: no diff, the full error report instead.

    ``label`` is ``invalid-config`` for a ``ConfigError`` and ``leak-guard`` when a secret would
    leak: the leak guard's verdict (its problems in the report) or the plan's refusal because a
    secret value reached an input not marked secret.
    """
    if label == "leak-guard" and LEAK_PREFIX in report_text:
        what = f"The {side} gives a secret to an audience wider than it is cleared for"
        risk_line = (
            f"- {code(label)}: the leak guard refuses the {side}: a secret reaches people or "
            "workflows it is not cleared for; nothing can be planned or deployed until it is fixed."
        )
    elif label == "leak-guard":
        what = f"The {side} would leak a secret value"
        risk_line = (
            f"- {code(label)}: a secret value reaches an input not marked secret in the {side}; "
            "the plan refuses to finish."
        )
    else:
        what = (
            "The head does not validate"
            if side == "head"
            else "The base does not plan with its own code"
        )
        risk_line = (
            f"- {code(label)}: `cfinfra` refuses the {side}'s configuration; "
            "nothing can be planned or deployed until it is fixed."
        )
    line = f"**{what}: there is no plan to compare.** · risks: {code(label)}"
    head = _header(stack, base_label, head_label, line)
    risk = Section("Risks", [risk_line], keep=True)
    lines = report_text.splitlines()
    fence = fence_for(report_text)
    errors = Section("Errors", lines, open=f"{fence}text", close=fence, noun="lines")
    if side == "base":
        errors.lead = (
            "The base was planned with its own code, which refuses it as shown. To compare "
            "anyway, plan each side where it works and compare plan files: "
            "`cfinfra diff --base-plan base.json --head-plan head.json`."
        )
    # The report is shown whole unless it alone would burst the comment.
    errors.keep = sum(len(x) + 1 for x in lines) < budget // 2
    return document(_fit(head, [risk, errors], budget))
