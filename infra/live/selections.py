"""Repository selections read live, independently of the provider's refresh.

The runner-group Read of terraform-provider-github v6.13.0 (`resourceGithubActionsRunnerGroupRead`
in `github/resource_github_actions_runner_group.go`) sends the stored ETag as `If-None-Match`
(`etagTransport`, `github/transport.go`) and, when GitHub answers 304 for the group, returns
before listing the group's repositories: a feedstock added by hand to a large-runner group never
shows in `pulumi preview --refresh` (integrations/terraform-provider-github#1310). Who may read an
org secret is the other selection whose drift matters most. So the drift workflow reads both
through the snapshot's recorder (cheap list endpoints: about 2 + one per selected secret or group)
and compares them with the plan through `plan --against`'s matchers. Every difference, and every
runner group or org secret live but not declared, is security-relevant drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from infra.errors import Problem
from infra.live.against import Change, Matcher, Prediction, unmanaged_of
from infra.live.recorded import parse_snapshot
from infra.live.snapshot import Recorder, record_selections
from infra.markdown import Document, cell, code, document, text
from infra.plan.model import Plan

_G = "github:index/"
SELECTION_TYPES = (
    f"{_G}actionsRunnerGroup:ActionsRunnerGroup",
    # The secret carries its own selection (docs/provider-behaviour.md PB-1).
    f"{_G}actionsOrganizationSecret:ActionsOrganizationSecret",
)


@dataclass
class SelectionDrift:
    compared: int = 0
    drifted: list[Prediction] = field(default_factory=list)
    unmanaged: list[str] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    """Selections the token could not read (a note of the recorder): never taken as equal."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.drifted or self.unmanaged or self.not_read)


def check_selections(plan: Plan, recorder: Recorder) -> SelectionDrift:
    """Record the live selections with ``recorder`` and compare them with ``plan``."""
    record_selections(recorder)
    snap = parse_snapshot(
        {f"GET {k.removeprefix('GET ')}": v for k, v in recorder.responses.items()},
        "the live selections",
    )
    m = Matcher(snap, recorder.org)
    table = {
        SELECTION_TYPES[0]: m.runner_group,
        SELECTION_TYPES[1]: m.org_secret,
    }
    result = SelectionDrift(not_read=list(recorder.notes))
    for r in plan.resources:
        fn = table.get(r.type)
        if fn is None:
            continue
        pred = fn(r)
        if pred.op == "not-recorded":
            result.not_read.append(f"{r.name}: not read")
            continue
        result.compared += 1
        if pred.op != "same":
            result.drifted.append(pred)
    result.unmanaged = [
        what
        for _, what in unmanaged_of(plan, m)
        if what.startswith(("runner group ", "org Actions secret "))
    ]
    result.problems = m.problems
    return result


def _listing(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render(result: SelectionDrift, requests: int, after: Sequence[str] = ()) -> Document:
    """Markdown: what differs first; one line when nothing does. ``after``: lines that end the
    report (the refresh's estimated cost), inside its masking pass."""
    lines = ["## Runner-group and org-secret selections (read live)", ""]
    if not result.found:
        lines += [
            f"All {result.compared} selections equal the plan ({requests} GitHub requests;",
            "the refresh cannot see every change here).",
        ]
        return _finish([*lines, ""], after)
    lines += [
        f"**Security-relevant drift**: {len(result.drifted)} of {result.compared} selections "
        "differ from the plan,",
        f"{len(result.unmanaged)} live but not declared ({requests} GitHub requests).",
    ]
    lines.append("")
    if result.drifted:
        lines += ["| resource | input | live | declared |", "|---|---|---|---|"]
        for p in result.drifted:
            rows: list[Change | None] = list(p.changes) or [None]
            for c in rows:
                shown = (
                    (code(c.field), code(_listing(c.live)), code(_listing(c.declared)))
                    if c
                    else (text(p.note or p.op), "", "")
                )
                lines.append(
                    "| " + " | ".join(cell(x) for x in (code(p.resource.name), *shown)) + " |"
                )
        lines.append("")
    lines += [f"- live, not declared: {text(what)}" for what in result.unmanaged]
    lines += [f"- not readable: {text(what)}" for what in result.not_read]
    return _finish([*lines, ""], after)


def _finish(lines: list[str], after: Sequence[str]) -> Document:
    body = "\n".join(lines) + "\n"
    return document(body + "\n" + "\n".join(after) + "\n" if after else body)
