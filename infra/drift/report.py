"""Parse ``pulumi preview --json`` output and render it as a deterministic drift report.

The report is posted into a public GitHub issue, so two rules shape this module:

* **Nothing secret leaks.** Pulumi already prints secrets as ``"[secret]"``, but a provider that
  forgets to mark a field secret would otherwise put a live credential into the issue. So a property
  is masked when its value contains ``[secret]`` or a Pulumi secret object anywhere, when its name,
  or any key nested in its value, looks sensitive (``secret``, ``token``, ``password``, ``key``,
  ``value``, ``sensitive``), or when any string in it looks like a credential to ``detect-secrets``
  (``infra.config.secretscan``). A secret object (``{"4dabf…": "1b47…", ...}``) is replaced by
  ``[secret]`` as soon as the preview is read: nothing walks into it, and its plaintext is only
  kept long enough to cut it out of diagnostics, which are scanned for credentials too. Masking too
  much costs a reader one click into the run; masking too little costs a rotation.
* **Untrusted text stays text.** URNs, names, types, values and diagnostics come from the cloud
  and the program; they reach the Markdown only through ``infra.markdown`` (code spans and fenced
  blocks that nothing can break out of).
* **Which side is which.** A change reads ``live: X · code: Y`` (a refresh: ``recorded: X ·
  live: Y``), each resource says what ``pulumi up`` would do to it, and security-relevant drift
  (a secret readable more widely, a person's access, a webhook's URL or secret, a ruleset,
  environment or Actions policy) is listed first with the runbook.
* **Same input, same bytes.** Resources, properties and diagnostics are sorted and nothing
  time-dependent (duration, run id) is rendered, so the drift issue is only edited when the drift
  itself changes and the output can be snapshot-tested.

Everything here is pure: text in, data or text out. Reading files and exit codes live in ``cli``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from infra.config.jsonio import parse_json
from infra.config.secretscan import looks_like_credential, redact
from infra.markdown import code, fenced, text

__all__ = [
    "Change",
    "Diagnostic",
    "DriftReport",
    "PreviewFormatError",
    "ResourceDrift",
    "parse_preview",
    "render_markdown",
    "summary_line",
]

#: Pulumi prints secret values as this string in ``--json`` output.
SECRET: Final = "[secret]"  # noqa: S105 (a placeholder, not a password)
#: Pulumi's placeholder for a value only known after the update runs.
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: The key Pulumi uses to tag a serialized secret object (``{sig: secret-sig, "value": ...}``).
_SECRET_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"  # noqa: S105 (public constant)
_SECRET_SIG_VALUE: Final = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 (public constant)
#: Substrings of a property name (or nested key) that make its value unprintable.
SENSITIVE_WORDS: Final = ("secret", "token", "password", "key", "value", "sensitive")
ROOT_STACK_TYPE: Final = "pulumi:pulumi:Stack"

#: Ops that never mean the cloud differs from the program: ``read`` is a ``Resource.get`` lookup
#: that happens on every run. ``refresh`` is only drift when it carries a diff (see ``_is_drift``).
_NEVER_DRIFT_OPS: Final = frozenset({"same", "read", "read-discard", "discard"})
#: A replacement is up to three steps for one URN; the report shows it once, as ``replace``.
_REPLACE_OPS: Final = frozenset({"replace", "create-replacement", "delete-replaced"})
#: Section order: most destructive first, so the scariest change is the first thing a reader sees.
_OP_ORDER: Final = ("delete", "replace", "update", "create", "import", "refresh", "read")
_SEVERITY_ORDER: Final = ("error", "warning")
#: Longer values are cut: the report is a pointer to the problem, the run log has the rest.
MAX_VALUE_CHARS: Final = 200

_MISSING: Final = object()
_COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class PreviewFormatError(ValueError):
    """The input is not ``pulumi preview --json`` output. ``str()`` is one line for the user."""


@dataclass(frozen=True, order=True)
class Change:
    """One changed property of one resource, with printable (already masked) old and new values."""

    path: str
    kind: str
    """Pulumi's diff kind: add, delete, update, each optionally suffixed ``-replace``."""
    old: str | None
    """Rendered old value, ``[secret]`` when masked, ``None`` when absent or unknown to us."""
    new: str | None
    """Rendered new value, ``[secret]`` when masked, ``None`` when absent or unknown to us."""


@dataclass(frozen=True)
class ResourceDrift:
    """Every step Pulumi planned for one URN, folded into one entry."""

    urn: str
    type: str
    name: str
    op: str
    """The headline op: ``replace`` for any replacement step, otherwise the step's own op."""
    changes: tuple[Change, ...]
    is_drift: bool


@dataclass(frozen=True, order=True)
class Diagnostic:
    """An error or warning the engine reported, optionally about one resource."""

    severity: str
    urn: str
    """Empty when the diagnostic is not about a resource."""
    message: str


@dataclass(frozen=True)
class DriftReport:
    """The parsed preview: what differs, and what the engine complained about."""

    stack: str | None
    project: str | None
    resources: tuple[ResourceDrift, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def drifted(self) -> tuple[ResourceDrift, ...]:
        return tuple(r for r in self.resources if r.is_drift)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def is_clean(self) -> bool:
        """No resource differs and the engine reported no error (an error means we cannot tell)."""
        return not self.drifted and not self.errors

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.op] = counts.get(resource.op, 0) + 1
        return {op: counts[op] for op in sorted(counts, key=_op_rank)}


# --------------------------------------------------------------------------------------------------
# Parsing


def parse_preview(source: str | Mapping[str, Any]) -> DriftReport:
    """Parse the stdout of ``pulumi preview --json`` (text, or JSON already read by the hardened
    reader); ``PreviewFormatError`` if it is not that."""
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
    if not isinstance(data, dict) or not ({"steps", "changeSummary"} & data.keys()):
        raise PreviewFormatError(
            "not `pulumi preview --json` output: "
            "expected an object with `steps` and `changeSummary`"
        )
    steps = _list_field(data, "steps", "the top level")
    diagnostics = _list_field(data, "diagnostics", "the top level")

    by_urn: dict[str, list[Mapping[str, Any]]] = {}
    known: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise PreviewFormatError(f"steps[{index}] is not an object")
        for key in ("op", "urn"):
            if not isinstance(step.get(key), str):
                raise PreviewFormatError(f"steps[{index}] has no string `{key}`")
        _parse_urn(step["urn"], where=f"steps[{index}].urn")
        # Secret objects become `[secret]` before anything reads the states.
        step = {k: _scrub(v, known) if k.endswith("State") else v for k, v in step.items()}
        by_urn.setdefault(step["urn"], []).append(step)

    resources = tuple(
        sorted(
            (
                _fold_steps(urn, urn_steps)
                for urn, urn_steps in by_urn.items()
                if _parse_urn(urn)[2] != ROOT_STACK_TYPE
            ),
            key=lambda r: (_op_rank(r.op), r.type, r.name, r.urn),
        )
    )
    if known:
        resources = tuple(_mask_known(r, known) for r in resources)
    stack, project = None, None
    if by_urn:
        stack, project, _, _ = _parse_urn(min(by_urn))
    return DriftReport(
        stack=stack,
        project=project,
        resources=resources,
        diagnostics=_parse_diagnostics(diagnostics, known),
    )


def _mask_known(resource: ResourceDrift, known: set[str]) -> ResourceDrift:
    """A value that repeats a secret object's plaintext elsewhere, in the clear, is masked too."""
    secrets = [k for k in known if len(k) >= 4]

    def leaks(value: str | None) -> bool:
        return value is not None and any(k in value for k in secrets)

    changes = tuple(
        replace(
            c,
            old=SECRET if leaks(c.old) else c.old,
            new=SECRET if leaks(c.new) else c.new,
        )
        for c in resource.changes
    )
    return replace(resource, changes=changes)


def _scrub(value: Any, known: set[str]) -> Any:
    """``value`` with every Pulumi secret object replaced by ``[secret]``, never walked into.

    The strings a secret object holds are added to ``known`` (raw and JSON-decoded), so the
    diagnostics can be cleaned of them; they are not kept anywhere else.
    """
    if isinstance(value, dict):
        if _SECRET_SIG_KEY in value:
            for inner in value.values():
                if isinstance(inner, str) and inner != _SECRET_SIG_VALUE:
                    known.add(inner)
                    try:
                        decoded = json.loads(inner)
                    except ValueError:
                        continue
                    if isinstance(decoded, str):
                        known.add(decoded)
            return SECRET
        return {k: _scrub(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, known) for v in value]
    return value


def _list_field(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """A list-valued field; Go's encoder writes an empty slice as ``null`` or leaves it out."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PreviewFormatError(f"`{key}` in {where} is not a list")
    return value


def _parse_urn(urn: str, where: str = "urn") -> tuple[str, str, str, str]:
    """``urn:pulumi:<stack>::<project>::<parent$type>::<name>`` → (stack, project, type, name)."""
    prefix = "urn:pulumi:"
    parts = urn[len(prefix) :].split("::", 3) if urn.startswith(prefix) else []
    if len(parts) != 4:
        raise PreviewFormatError(f"{where} is not a Pulumi URN: {urn[:80]!r}")
    stack, project, qualified_type, name = parts
    # The qualified type chains parent component types with `$`; the resource's own is the last.
    return stack, project, qualified_type.rsplit("$", 1)[-1], name


def _fold_steps(urn: str, steps: list[Mapping[str, Any]]) -> ResourceDrift:
    _, _, type_, name = _parse_urn(urn)
    ops = {step["op"] for step in steps}
    op = "replace" if ops & _REPLACE_OPS else min(ops, key=_op_rank)
    changes: dict[str, Change] = {}
    # Most significant step first: an update's "program vs. cloud" diff wins over a refresh's
    # "cloud vs. state" diff of the same property, whatever order the engine printed them in.
    for step in sorted(steps, key=lambda s: _op_rank(s["op"])):
        for change in _step_changes(step):
            # A replacement's steps repeat the same diff; keep one per property.
            changes.setdefault(change.path, change)
    ordered = tuple(sorted(changes.values()))
    return ResourceDrift(
        urn=urn,
        type=type_,
        name=name,
        op=op,
        changes=ordered,
        is_drift=_is_drift(op, ordered),
    )


def _is_drift(op: str, changes: tuple[Change, ...]) -> bool:
    if op in _NEVER_DRIFT_OPS:
        return False
    if op == "refresh":
        # `--refresh` may list resources it merely re-read; only a refresh that changed state is
        # a difference between the cloud and what Pulumi last recorded.
        return bool(changes)
    return True


def _step_changes(step: Mapping[str, Any]) -> Iterable[Change]:
    old_state = _mapping(step.get("oldState"))
    new_state = _mapping(step.get("newState"))
    refresh = step["op"] == "refresh"
    detailed = step.get("detailedDiff")
    if isinstance(detailed, dict) and detailed:
        for path, diff in detailed.items():
            diff = _mapping(diff)
            kind = str(diff.get("kind", "update"))
            # inputDiff=false means Pulumi compared the old *outputs* with the new inputs.
            old_first = "inputs" if diff.get("inputDiff", True) and not refresh else "outputs"
            yield _change(
                str(path),
                kind,
                old=_MISSING if kind.startswith("add") else _lookup(old_state, path, old_first),
                new=_MISSING
                if kind.startswith("delete")
                else _lookup(new_state, path, "outputs" if refresh else "inputs"),
            )
        return
    replace = {str(p) for p in _list_field(step, "replaceReasons", "a step")}
    reasons = {str(p) for p in _list_field(step, "diffReasons", "a step")} | replace
    first = "outputs" if refresh else "inputs"
    for path in reasons:
        yield _change(
            path,
            "update-replace" if path in replace else "update",
            old=_lookup(old_state, path, first),
            new=_lookup(new_state, path, first),
        )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _lookup(state: Mapping[str, Any], path: str, first: str) -> Any:
    """Find ``path`` in a state's inputs or outputs (``first`` first); ``_MISSING`` if absent."""
    segments = _split_path(path)
    if segments is None:
        return _MISSING
    for section in (first, "outputs" if first == "inputs" else "inputs"):
        value: Any = state.get(section)
        for segment in segments:
            if value == SECRET:
                break  # a secret parent makes every child secret: stop here, it renders masked
            in_dict = isinstance(value, dict) and isinstance(segment, str) and segment in value
            in_list = isinstance(value, list) and isinstance(segment, int) and segment < len(value)
            if in_dict or in_list:
                value = value[segment]
            else:
                value = _MISSING
                break
        if value is not _MISSING:
            return value
    return _MISSING


def _split_path(path: str) -> list[str | int] | None:
    """Split a Pulumi property path (``a.b[0]["c.d"]``); ``None`` when it cannot be parsed."""
    segments: list[str | int] = []
    buf = ""
    i = 0
    decoder = json.JSONDecoder()
    while i < len(path):
        char = path[i]
        if char == ".":
            if buf:
                segments.append(buf)
            buf, i = "", i + 1
        elif char == "[":
            if buf:
                segments.append(buf)
            buf = ""
            if path.startswith('["', i):
                try:
                    key, end = decoder.raw_decode(path, i + 1)
                except json.JSONDecodeError:
                    return None
                if not path.startswith("]", end):
                    return None
                segments.append(str(key))
                i = end + 1
            else:
                end = path.find("]", i)
                if end == -1:
                    return None
                token = path[i + 1 : end]
                segments.append(int(token) if token.isdigit() else token)
                i = end + 1
        else:
            buf, i = buf + char, i + 1
    if buf:
        segments.append(buf)
    return segments


def _change(path: str, kind: str, *, old: Any, new: Any) -> Change:
    if _is_sensitive(path, old, new):
        return Change(
            path,
            kind,
            old=None if old is _MISSING else SECRET,
            new=None if new is _MISSING else SECRET,
        )
    return Change(path, kind, old=_render_value(old), new=_render_value(new))


def _is_sensitive(path: str, *values: Any) -> bool:
    return (
        _sensitive_name(path)
        or any(_contains_sensitive(v) for v in values)
        or any(_looks_like_credential(path, v) for v in values)
    )


def _looks_like_credential(path: str, value: Any) -> bool:
    """Any string inside ``value`` that ``detect-secrets`` takes for a credential."""
    if isinstance(value, str):
        return looks_like_credential(value, path)
    if isinstance(value, dict):
        return any(_looks_like_credential(f"{path}.{k}", v) for k, v in value.items())
    if isinstance(value, list):
        return any(_looks_like_credential(path, v) for v in value)
    return False


def _sensitive_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_WORDS)


def _contains_sensitive(value: Any) -> bool:
    if value is _MISSING:
        return False
    if isinstance(value, str):
        return SECRET in value
    if isinstance(value, dict):
        return any(
            k == _SECRET_SIG_KEY or _sensitive_name(str(k)) or _contains_sensitive(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_contains_sensitive(v) for v in value)
    return False


def _render_value(value: Any) -> str | None:
    if value is _MISSING:
        return None
    text = json.dumps(_replace_unknowns(value), sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def _replace_unknowns(value: Any) -> Any:
    if value == UNKNOWN:
        return "(known after apply)"
    if isinstance(value, dict):
        return {k: _replace_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_unknowns(v) for v in value]
    return value


def _parse_diagnostics(items: list[Any], known: set[str]) -> tuple[Diagnostic, ...]:
    found: set[Diagnostic] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            raise PreviewFormatError(f"diagnostics[{index}] has no string `message`")
        severity = str(item.get("severity", ""))
        if severity not in _SEVERITY_ORDER:
            continue  # info and debug output is noise in an issue
        message = _ANSI.sub("", _COLOR_TAG.sub("", item["message"])).strip()
        # Providers quote request bodies and URLs in errors: cut known secrets and anything the
        # scanner takes for a credential.
        message = redact(message, known, mask=SECRET)
        found.add(Diagnostic(severity, str(item.get("urn") or ""), message))
    return tuple(sorted(found, key=lambda d: (_SEVERITY_ORDER.index(d.severity), d.urn, d.message)))


def _op_rank(op: str) -> tuple[int, str]:
    return (_OP_ORDER.index(op) if op in _OP_ORDER else len(_OP_ORDER), op)


# --------------------------------------------------------------------------------------------------
# Security-relevant drift

RUNBOOK: Final = "docs/runbooks/drift.md"
"""Named, not linked: a relative link does not resolve in an issue body."""

_VISIBILITY_WIDTH: Final = {"selected": 0, "private": 1, "all": 2}
_PEOPLE_TYPES: Final = (
    "membership:Membership",
    "teamMembership:TeamMembership",
    "team:Team",
    "repositoryCollaborator:RepositoryCollaborator",
    "teamRepository:TeamRepository",
)
_TEAM_ACCESS: Final = frozenset({"privacy", "parentTeamId", "members"})
_WEBHOOK_TYPES: Final = (
    "organizationWebhook:OrganizationWebhook",
    "repositoryWebhook:RepositoryWebhook",
)
_PROTECTION_WORDS: Final = (
    "Ruleset",
    "BranchProtection",
    "Environment",
    "ActionsOrganizationPermissions",
    "ActionsRepositoryPermissions",
    "organizationSettings:OrganizationSettings",
    "ActionsRunnerGroup",
)
_SECRET_TYPES: Final = (
    "actionsOrganizationSecret:",
    "actionsOrganizationSecretRepositories:",
    "actionsSecret:",
    "actionsEnvironmentSecret:",
    "dependabotOrganizationSecret:",
    "variableGroup:VariableGroup",
    "configAssociation:ConfigAssociation",
)


def security_concerns(resource: ResourceDrift) -> list[str]:
    """Why this drift matters for security (empty when it does not): Markdown, one per reason.

    Errs towards flagging: a false alarm costs a reader a minute, a missed one is the 2025
    incident again (a secret's visibility switched to ``all`` by hand).
    """
    if not resource.is_drift:
        return []
    t = resource.type
    out: list[str] = []
    if any(t.endswith(w) or w in t for w in _SECRET_TYPES):
        for c in resource.changes:
            base = c.path.split("[", 1)[0].split(".", 1)[0]
            if base == "visibility":
                live, code_ = _json_str(c.old), _json_str(c.new)
                if _VISIBILITY_WIDTH.get(live, 3) > _VISIBILITY_WIDTH.get(code_, 3):
                    out.append(
                        f"secret readable more widely live ({code(live)}) "
                        f"than in code ({code(code_)})"
                    )
                else:
                    out.append("secret visibility differs from code")
            elif base in ("selectedRepositoryIds", "repositories", "allowAccess"):
                wider = c.kind.startswith("delete") or (
                    base == "allowAccess" and _json_str(c.old) == "true"
                )
                out.append(
                    "readable live by repositories or pipelines the code does not allow"
                    if wider
                    else "the repositories or pipelines that can read a secret differ"
                )
            elif c.old == SECRET or c.new == SECRET:
                out.append("a secret's live value or settings differ from 1Password and code")
        if resource.op in ("create", "replace", "delete"):
            out.append(f"a secret's delivery would be {_verb(resource.op)} by `up`")
    if any(t.endswith(w) for w in _PEOPLE_TYPES):
        paths = {c.path.split("[", 1)[0].split(".", 1)[0] for c in resource.changes}
        if not t.endswith("team:Team") or paths & _TEAM_ACCESS or resource.op != "update":
            out.append("a person's or team's access differs from the data (unknown or changed)")
    if any(t.endswith(w) for w in _WEBHOOK_TYPES):
        touched = [c.path for c in resource.changes if _webhook_sensitive(c.path)]
        if touched or resource.op in ("create", "replace", "delete"):
            out.append("a webhook's URL or secret differs from the code")
    if any(w in t for w in _PROTECTION_WORDS):
        out.append("a ruleset, environment or Actions policy differs (live may be looser)")
    return list(dict.fromkeys(out))


def _webhook_sensitive(path: str) -> bool:
    lowered = path.lower()
    return any(w in lowered for w in ("url", "secret", "configuration", "insecure"))


def _json_str(value: str | None) -> str:
    if value is None:
        return "(not set)"
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _verb(op: str) -> str:
    return {"create": "created", "replace": "replaced", "delete": "deleted"}.get(op, op)


# --------------------------------------------------------------------------------------------------
# Rendering

#: What ``pulumi up`` would do, per headline op: the reader's next question after "what differs".
UP_WOULD: Final = {
    "delete": "live but no longer in the code: `up` would delete it",
    "replace": "`up` would delete and re-create it (replace) to match the code",
    "update": "`up` would set the live values back to the code's",
    "create": "in the code but not live (deleted outside Pulumi?): `up` would create it",
    "import": "`up` would import the live resource into the state",
    "refresh": "changed outside Pulumi in properties the code does not set: `up` leaves it",
    "read": "a lookup: `up` changes nothing",
}


def summary_line(report: DriftReport) -> str:
    """One line for logs: ``clean`` or what differs."""
    if report.is_clean:
        return "clean: no drift"
    if not report.drifted:
        return f"error: the preview reported {len(report.errors)} error diagnostic(s)"
    parts = [f"{len(report.drifted)} resource(s) drifted"]
    parts += [", ".join(f"{n} {op}" for op, n in report.op_counts().items() if n)]
    flagged = sum(bool(security_concerns(r)) for r in report.drifted)
    if flagged:
        parts.append(f"{flagged} security-relevant")
    if report.errors:
        parts.append(f"{len(report.errors)} error diagnostic(s)")
    return "drift: " + "; ".join(p for p in parts if p)


def render_markdown(report: DriftReport) -> str:
    """The report as GitHub-flavoured Markdown, ending in exactly one newline."""
    where = (
        f"stack {code(report.stack)} of project {code(report.project)}"
        if report.stack and report.project
        else "the stack"
    )
    lines = ["# Pulumi drift report", ""]
    drifted, errors = len(report.drifted), len(report.errors)
    if report.is_clean:
        lines.append(f"**No drift.** The cloud matches the program for {where}.")
    elif not drifted:
        lines.append(
            f"**Preview failed** for {where}: the engine reported {errors} error(s), "
            "so drift cannot be ruled out."
        )
    else:
        also = f", and the engine reported {errors} error(s)" if errors else ""
        lines.append(
            f"**Drift detected** in {where}: {drifted} resource(s) differ from the program{also}."
        )
        lines += [
            "",
            "Each change reads **live** (what the cloud holds now) · **code** (what `main` "
            "declares); a refresh reads **recorded** (the last state) · **live**.",
        ]

    flagged = [(r, security_concerns(r)) for r in report.drifted]
    flagged = [(r, why) for r, why in flagged if why]
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

    if report.resources:
        lines += ["", "## Summary", "", "| Operation | Resources | Drifted |", "|---|---:|---:|"]
        for op, count in report.op_counts().items():
            drift = sum(r.is_drift for r in report.resources if r.op == op)
            lines.append(f"| {text(op)} | {count} | {drift} |")
        lines += ["", "## Resources"]
        for op in report.op_counts():
            lines += ["", f"### {text(op)}", ""]
            for resource in (r for r in report.resources if r.op == op):
                lines += _render_resource(resource)

    if report.diagnostics:
        lines += ["", "## Diagnostics", ""]
        for diagnostic in report.diagnostics:
            lines += _render_diagnostic(diagnostic)
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_resource(resource: ResourceDrift) -> list[str]:
    if resource.is_drift:
        note = f": {UP_WOULD[resource.op]}" if resource.op in UP_WOULD else ""
    else:
        note = " (not drift)"
    lines = [f"- {code(resource.name)} ({code(resource.type)}){note}"]
    refresh = resource.op == "refresh"
    for change in resource.changes:
        lines.append(f"  - {_render_change(change, refresh=refresh)}")
    return lines


NOT_SET: Final = "(not set)"


def _render_change(change: Change, *, refresh: bool = False) -> str:
    """``path: live: X · code: Y``; for a refresh ``path: recorded: X · live: Y``."""
    base, _, replace = change.kind.partition("-")
    suffix = " (forces replacement)" if replace == "replace" else ""
    old = code(change.old) if change.old is not None else None
    new = code(change.new) if change.new is not None else None
    if base == "add":
        old = old or NOT_SET
    elif base == "delete":
        new = new or NOT_SET
    first, second = ("recorded", "live") if refresh else ("live", "code")
    shown = f"{first}: {old or '(unknown)'} · {second}: {new or '(unknown)'}"
    return f"{code(change.path)}: {shown}{suffix}"


def _render_diagnostic(diagnostic: Diagnostic) -> list[str]:
    subject = ""
    if diagnostic.urn:
        try:
            _, _, type_, name = _parse_urn(diagnostic.urn)
            subject = f" on {code(name)} ({code(type_)})"
        except PreviewFormatError:
            subject = f" on {code(diagnostic.urn)}"
    severity = text(diagnostic.severity)
    return [f"- **{severity}**{subject}:", "", fenced(diagnostic.message, indent="  "), ""]
