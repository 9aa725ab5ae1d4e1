"""``pulumi preview --json`` → ``DriftReport``: the steps folded per resource, drift told apart.

The engine's format is ``infra.pulumi_formats``. What the report reads from it:

* A replacement is up to three steps for one URN; the report shows it once, as ``replace``.
* ``same``, ``read`` and ``discard`` never mean the cloud differs from the program. In
  ``pulumi preview --refresh`` a ``refresh`` step is recorded before the refresh runs and carries
  no diff (``pkg/backend/display/json.go``, ``pkg/engine/update.go``): drift shows through the
  program's step that follows, an ``update`` (or ``create``, ``delete``) back to the code. A
  refresh step that does carry a diff (``pulumi refresh --json``) is drift too.
* **Same input, same bytes.** Resources, properties and diagnostics are sorted, and nothing
  time-dependent (duration, run id) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from infra.config.jsonio import parse_json
from infra.config.secretscan import redact
from infra.drift.credentials import CredentialInputs
from infra.drift.model import (
    SEVERITY_ORDER,
    Change,
    Diagnostic,
    DriftReport,
    PreviewFormatError,
    ResourceDrift,
    op_rank,
)
from infra.drift.values import MISSING, SECRET, change, lookup, mask_known, scrub
from infra.pulumi_formats import (
    NO_CHANGE_OPS,
    REPLACEMENT_OPS,
    FormatError,
    PreviewStep,
)
from infra.pulumi_formats import parse_preview as parse_engine_preview

_COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_REPLACE_HEADLINE: Final = frozenset(REPLACEMENT_OPS - {"read-replacement", "discard-replaced"})


def parse_preview(
    source: str | Mapping[str, Any],
    credentials: CredentialInputs | None = None,
    pulumi_exit: int | None = None,
) -> DriftReport:
    """Parse the stdout of ``pulumi preview --json`` (text, or JSON already read by the hardened
    reader); ``PreviewFormatError`` if it is not that.

    ``credentials`` is a read-only run's (``infra.drift.credentials.read_only_run``): a provider
    update changing only those inputs is expected, not drift. None (the deploy's run, or a run
    nobody said was read-only): every provider update is drift. ``pulumi_exit`` is the preview's
    own exit status, when known: exit 7 that the report cannot account for is drift."""
    if isinstance(source, str):
        if not source.strip():
            raise PreviewFormatError(
                "the file is empty (did `pulumi preview --json` fail before output?)"
            )
        data, problems = parse_json(source, "the preview", expect=None)
        if problems:
            raise PreviewFormatError(problems[0].message)
    else:
        data = source
    try:
        preview = parse_engine_preview(data)
    except FormatError as exc:
        raise PreviewFormatError(str(exc)) from None

    by_urn: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    steps_of: dict[str, list[PreviewStep]] = {}
    known: set[str] = set()
    for step in preview.steps:
        # Secret objects become `[secret]` before anything reads the states.
        raw = {k: scrub(v, known) if k.endswith("State") else v for k, v in step.raw.items()}
        by_urn.setdefault(str(step.urn), []).append((step.op, raw))
        steps_of.setdefault(str(step.urn), []).append(step)
    root = {str(s.urn) for s in preview.steps if s.urn.is_root_stack}
    folded = [
        _fold_steps(s, by_urn[str(s.urn)], _expected(steps_of[str(s.urn)], credentials))
        for s in _first_per_urn(preview.steps)
    ]
    resources = tuple(
        sorted(
            (r for r in folded if r.urn not in root),
            key=lambda r: (op_rank(r.op), r.type, r.name, r.urn),
        )
    )
    if known:
        resources = tuple(mask_known(r, known) for r in resources)
    stack, project = None, None
    if preview.steps:
        first = min(preview.steps, key=lambda s: str(s.urn)).urn
        stack, project = first.stack, first.project
    return DriftReport(
        stack=stack,
        project=project,
        resources=resources,
        diagnostics=_diagnostics(preview.diagnostics, known),
        known_secrets=frozenset(known),
        has_root_stack=preview.has_root_stack,
        pulumi_exit=pulumi_exit,
        changing=preview.changing_count,
    )


def _expected(steps: list[PreviewStep], credentials: CredentialInputs | None) -> bool:
    """A read-only run's provider update of credential inputs only: every step of the URN
    changes nothing, or is an update naming only credential inputs, and one is such an update.
    A step that names no property (the engine could not say) is never expected."""
    if credentials is None:
        return False
    package = steps[0].urn.provider_package
    inputs = credentials.get(package, frozenset()) if package else frozenset()
    if not inputs:
        return False
    updates = [s for s in steps if s.op not in NO_CHANGE_OPS]
    return bool(updates) and all(s.changes_only(inputs) for s in updates)


def _first_per_urn(steps: Iterable[PreviewStep]) -> list[PreviewStep]:
    seen: dict[str, PreviewStep] = {}
    for s in steps:
        seen.setdefault(str(s.urn), s)
    return list(seen.values())


def _fold_steps(
    first: PreviewStep, steps: list[tuple[str, Mapping[str, Any]]], expected: bool = False
) -> ResourceDrift:
    ops = {op for op, _ in steps}
    op = "replace" if ops & _REPLACE_HEADLINE else min(ops, key=op_rank)
    changes: dict[str, Change] = {}
    # Most significant step first: an update's "program vs. cloud" diff wins over a refresh's
    # diff of the same property, whatever order the engine printed them in.
    for step_op, step in sorted(steps, key=lambda s: op_rank(s[0])):
        for c in _step_changes(step_op, step):
            # A replacement's steps repeat the same diff; keep one per property.
            changes.setdefault(c.path, c)
    ordered = tuple(sorted(changes.values()))
    return ResourceDrift(
        urn=str(first.urn),
        type=first.urn.type,
        name=first.urn.name,
        op=op,
        changes=ordered,
        is_drift=not expected and _is_drift(op, ordered),
        expected=expected,
    )


def _is_drift(op: str, changes: tuple[Change, ...]) -> bool:
    if op == "refresh":
        # Only `pulumi refresh --json` writes a refresh with a diff; without one it re-read.
        return bool(changes)
    return op not in NO_CHANGE_OPS


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _step_changes(op: str, step: Mapping[str, Any]) -> Iterable[Change]:
    old_state = _mapping(step.get("oldState"))
    new_state = _mapping(step.get("newState"))
    detailed = step.get("detailedDiff")
    if isinstance(detailed, dict) and detailed:
        for path, diff in detailed.items():
            diff = _mapping(diff)
            kind = str(diff.get("kind", "update"))
            # inputDiff=false means Pulumi compared the old *outputs* with the new inputs.
            old_first = "inputs" if diff.get("inputDiff", True) else "outputs"
            yield change(
                str(path),
                kind,
                old=MISSING if kind.startswith("add") else lookup(old_state, path, old_first),
                new=MISSING if kind.startswith("delete") else lookup(new_state, path, "inputs"),
            )
        return
    replace = {str(p) for p in step.get("replaceReasons") or ()}
    reasons = {str(p) for p in step.get("diffReasons") or ()} | replace
    for path in reasons:
        yield change(
            path,
            "update-replace" if path in replace else "update",
            old=lookup(old_state, path, "inputs"),
            new=lookup(new_state, path, "inputs"),
        )


def _diagnostics(items: Iterable[Any], known: set[str]) -> tuple[Diagnostic, ...]:
    found: set[Diagnostic] = set()
    for item in items:
        if item.severity not in SEVERITY_ORDER:
            continue  # info and debug output is noise in an issue
        message = _ANSI.sub("", _COLOR_TAG.sub("", item.message)).strip()
        # Providers quote request bodies and URLs in errors: cut known secrets and anything the
        # scanner takes for a credential.
        message = redact(message, known, mask=SECRET)
        found.add(Diagnostic(item.severity, item.urn, message))
    return tuple(sorted(found, key=lambda d: (SEVERITY_ORDER.index(d.severity), d.urn, d.message)))
