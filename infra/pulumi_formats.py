"""What the Pulumi engine writes: URNs, step ops, preview JSON and stack export, as it writes them.

The one place the project knows Pulumi's formats; every reader of a URN, a preview or a stack
export asks here. Written from the engine's source, pulumi/pulumi at tag ``v3.259.0`` (the newest
tag in the mirror read; the locked SDK is 3.272.0, and none of these files changed in a way that
matters here between the 3.2xx tags read):

- ``sdk/go/common/resource/urn/urn.go`` (``resource/urn.go`` re-exports it): a URN is
  ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``; ``IsValid`` asks only for the
  prefix and at least three ``::``; the name is *everything* after the third ``::`` (it may hold
  ``::`` itself); the qualified type is the parent's qualified type, ``$``, the resource's own
  type (``New``: nothing is prefixed for a child of the root stack); ``Type()`` is the part after
  the last ``$``.
- ``sdk/go/common/tokens/stack_type.go``: ``RootStackType = "pulumi:pulumi:Stack"``.
- ``pkg/resource/deploy/step.go``: the step ops (``OpSame`` ... ``OpExtendParameterize``). The op
  that discards a read resource is spelled ``discard`` (there is no ``read-discard``);
  ``IsReplacementStep`` lists the replacement ops.
- ``pkg/display/json.go``: ``PreviewDigest`` (``config``, ``steps``, ``diagnostics``,
  ``duration``, ``changeSummary``, ``maybeCorrupt``; all ``omitempty``), ``PreviewStep`` (``op``,
  ``urn``, ``provider``, ``oldState``, ``newState``, ``diffReasons``, ``replaceReasons``,
  ``detailedDiff``: ``{path: {kind, inputDiff}}``, written as ``null`` when absent) and
  ``PreviewDiagnostic`` (``urn``, ``prefix``, ``message``, ``severity``).
- ``pkg/backend/display/json.go`` (``ShowPreviewDigest``): a step is recorded at its
  *pre*-event; the root stack's step is always listed; ``same`` steps only with
  ``--show-sames``; non-logical replacement steps (``create-replacement``, ``delete-replaced``)
  only with ``--show-replacement-steps``. A ``refresh`` step is rewritten from its outputs event
  only when that event's op is ``update`` (with a detailed diff) or ``delete``.
- ``pkg/engine/update.go`` (``previewActions.OnResourceStepPost``): the outputs event carries the
  refresh's result op only when the operation *is* a refresh (``isRefresh``, set by
  ``pkg/engine/refresh.go`` alone). So in ``pulumi preview --refresh --json`` every refresh step
  stays ``refresh`` with no diff (its pre-event has none), and drift shows only through the
  program's step that follows (an ``update`` back to the code); ``pulumi refresh --json`` is
  where refresh steps turn into ``update``/``delete``.
- ``sdk/go/common/diag/sink.go``: severities ``debug``, ``info``, ``info#err``, ``warning``,
  ``error``. An ``error`` diagnostic means the preview failed (``GetPreviewFailedError``).
- ``sdk/go/common/apitype/core.go``: ``pulumi stack export`` is ``{"version": 3, "deployment":
  {"manifest", "resources": [ResourceV3]}}``; a resource carries ``urn``, ``type``, ``custom``,
  ``id``, ``inputs``, ``outputs``, ``parent``, ``protect``, ``provider``, ``delete`` (an old
  resource awaiting deletion after its replacement), ``pendingReplacement`` (deleted by a
  delete-before-replace, not yet re-created), ``retainOnDelete``, ``importID``.

Secret values print as ``"[secret]"`` (``MassageSecrets``), or, in a stack export, as an object
tagged with the secret signature (``sdk/go/common/resource/sig``); never walk into one.

Pure: already-parsed JSON in (from ``infra.config.jsonio``), typed values out, ``FormatError``
(one line for the user) when the input is not what the engine writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, TypeGuard

URN_PREFIX: Final = "urn:pulumi:"
NAME_DELIMITER: Final = "::"
TYPE_DELIMITER: Final = "$"
ROOT_STACK_TYPE: Final = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX: Final = "pulumi:providers:"

SECRET_MASK: Final = "[secret]"  # noqa: S105 (the engine's placeholder, not a password)
"""How ``--json`` output prints a secret value."""
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The placeholder for a value known only after the update runs."""
SECRET_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"  # noqa: S105 (public constant)
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 (public constant)


class FormatError(ValueError):
    """The input is not what the engine writes. ``str()`` is one line for the user."""


# --------------------------------------------------------------------------------------------------
# URNs


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    """The parents' type chain and the resource's own type, joined with ``$``."""
    name: str

    @property
    def type(self) -> str:
        return self.qualified_type.rsplit(TYPE_DELIMITER, 1)[-1]

    @property
    def is_root_stack(self) -> bool:
        return self.qualified_type == ROOT_STACK_TYPE

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @property
    def provider_package(self) -> str | None:
        """The package of a provider resource (``pulumi:providers:github`` → ``github``)."""
        return self.type.removeprefix(PROVIDER_TYPE_PREFIX) if self.is_provider else None

    def __str__(self) -> str:
        return URN_PREFIX + NAME_DELIMITER.join(
            (self.stack, self.project, self.qualified_type, self.name)
        )


def is_urn(value: object) -> TypeGuard[str]:
    """The engine's ``IsValid``: the prefix and at least three ``::``."""
    return (
        isinstance(value, str) and value.startswith(URN_PREFIX) and value.count(NAME_DELIMITER) >= 3
    )


def parse_urn(value: object, where: str = "the URN") -> Urn:
    """Split a URN as the engine does; ``FormatError`` naming ``where`` if it is none."""
    if not is_urn(value):
        shown = repr(value)[:80] if isinstance(value, str) else type(value).__name__
        raise FormatError(f"{where} is not a Pulumi URN: {shown}")
    stack, project, qualified, name = value[len(URN_PREFIX) :].split(NAME_DELIMITER, 3)
    return Urn(stack, project, qualified, name)


def build_urn(stack: str, project: str, type_: str, name: str, parent_urn: str = "") -> str:
    """The URN the engine gives a resource of ``type_`` named ``name`` under ``parent_urn``
    (``urn.New``: a child of the root stack, or of nothing, carries no parent type)."""
    qualified = type_
    if parent_urn:
        parent = parse_urn(parent_urn, "the parent URN").qualified_type
        if parent != ROOT_STACK_TYPE:
            qualified = f"{parent}{TYPE_DELIMITER}{type_}"
    return str(Urn(stack, project, qualified, name))


def root_stack_urn(stack: str, project: str) -> str:
    """The root stack resource's URN (its name is ``<project>-<stack>``)."""
    return str(Urn(stack, project, ROOT_STACK_TYPE, f"{project}-{stack}"))


# --------------------------------------------------------------------------------------------------
# Step ops


class Op(StrEnum):
    """``pkg/resource/deploy/step.go``: every step op the engine has."""

    SAME = "same"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    CREATE_REPLACEMENT = "create-replacement"
    DELETE_REPLACED = "delete-replaced"
    READ = "read"
    READ_REPLACEMENT = "read-replacement"
    REFRESH = "refresh"
    DISCARD = "discard"
    DISCARD_REPLACED = "discard-replaced"
    REMOVE_PENDING_REPLACE = "remove-pending-replace"
    IMPORT = "import"
    IMPORT_REPLACEMENT = "import-replacement"
    DIFF = "diff"
    EXTEND_PARAMETERIZE = "extend-parameterize"


OPS: Final = frozenset(op.value for op in Op)
NO_CHANGE_OPS: Final = frozenset(
    {Op.SAME, Op.READ, Op.READ_REPLACEMENT, Op.REFRESH, Op.DISCARD, Op.DISCARD_REPLACED}
)
"""Steps that change nothing in the cloud: a lookup, a re-read, forgetting a read resource.
Any other op (``diff`` and ``extend-parameterize`` included) is a change until explained."""
REPLACEMENT_OPS: Final = frozenset(
    {
        Op.REPLACE,
        Op.CREATE_REPLACEMENT,
        Op.DELETE_REPLACED,
        Op.READ_REPLACEMENT,
        Op.DISCARD_REPLACED,
        Op.REMOVE_PENDING_REPLACE,
        Op.IMPORT_REPLACEMENT,
    }
)
"""``IsReplacementStep``: the steps one replacement of one URN is made of."""


# --------------------------------------------------------------------------------------------------
# Property names


def top_level_property(path: str) -> str:
    """The top-level property a ``detailedDiff`` path (``a.b[0]["c.d"]``) is under."""
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def engine_property(sdk_input: str) -> str:
    """The top-level property the engine records for a Python SDK input (``app_auth.pem_file``
    → ``appAuth``, ``personal_access_token`` → ``personalAccessToken``).

    The Python SDKs name a schema property in snake_case and register it under the schema's
    camelCase name (``@pulumi.getter(name="appAuth")`` in ``pulumi_github/provider.py``); a
    provider's object-typed config (``app_auth``) is sent whole, as one JSON string, so its
    fields never appear as paths of their own. ``tests/drift/test_read_only_credentials.py``
    checks this against what the program registers under the mock engine.
    """
    head, *rest = sdk_input.split(".", 1)[0].split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_ABSENT: Final = object()


# --------------------------------------------------------------------------------------------------
# Preview JSON

SEVERITIES: Final = ("debug", "info", "info#err", "warning", "error")


@dataclass(frozen=True)
class PropertyDiff:
    kind: str
    """add, add-replace, delete, delete-replace, update, update-replace."""
    input_diff: bool


@dataclass(frozen=True)
class PreviewStep:
    op: str
    urn: Urn
    detailed_diff: Mapping[str, PropertyDiff] | None
    diff_reasons: tuple[str, ...]
    replace_reasons: tuple[str, ...]
    old_state: Mapping[str, Any] | None
    new_state: Mapping[str, Any] | None
    raw: Mapping[str, Any] = field(repr=False)
    """The step as the engine wrote it (secret values are ``[secret]`` or signature objects)."""

    def inputs(self, side: str) -> Mapping[str, Any]:
        """``old`` or ``new`` inputs (empty when the engine wrote no state)."""
        state = self.old_state if side == "old" else self.new_state
        value = state.get("inputs") if state is not None else None
        return value if isinstance(value, dict) else {}

    def changed_properties(self) -> frozenset[str]:
        """Every top-level property the engine names as changing: the union of
        ``detailedDiff``'s paths, ``diffReasons``, ``replaceReasons`` and every input that
        differs between the old and the new state. Empty when it names none (it does not say:
        ``Registry.Diff`` turns a provider's unknown answer into "some change" with no keys)."""
        names = {top_level_property(p) for p in self.detailed_diff or ()}
        names |= {top_level_property(p) for p in (*self.diff_reasons, *self.replace_reasons)}
        if self.old_state is not None and self.new_state is not None:
            old, new = self.inputs("old"), self.inputs("new")
            differ = old.keys() | new.keys()
            names |= {k for k in differ if old.get(k, _ABSENT) != new.get(k, _ABSENT)}
        return frozenset(names)

    def changes_only(self, properties: frozenset[str]) -> bool:
        """An ``update`` whose every changed property is among ``properties`` (and which names
        at least one). A step that names none, or is anything but an update (a replacement of a
        provider replaces everything it manages), never qualifies."""
        changed = self.changed_properties()
        return self.op == Op.UPDATE and bool(changed) and changed <= properties


@dataclass(frozen=True)
class PreviewDiagnostic:
    severity: str
    urn: str
    """Empty when the diagnostic is about no resource."""
    message: str


@dataclass(frozen=True)
class Preview:
    steps: tuple[PreviewStep, ...]
    diagnostics: tuple[PreviewDiagnostic, ...]
    change_summary: Mapping[str, int]
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def errors(self) -> tuple[PreviewDiagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def stacks(self) -> frozenset[tuple[str, str]]:
        """Every ``(stack, project)`` the steps' URNs name."""
        return frozenset((s.urn.stack, s.urn.project) for s in self.steps)

    @property
    def changing_count(self) -> int:
        """How many changes ``--expect-no-changes`` counts: ``changeSummary`` without the ops
        ``HasChanges`` skips (``pkg/engine/update.go``: same, read, discard, read-replacement;
        a refresh step of ``preview --refresh`` is not logical, so it is not in the summary)."""
        skipped = {Op.SAME, Op.READ, Op.DISCARD, Op.READ_REPLACEMENT}
        return sum(n for op, n in self.change_summary.items() if op not in skipped)

    @property
    def has_root_stack(self) -> bool:
        """A preview that ran the program lists the root stack's step (always shown)."""
        return any(s.urn.is_root_stack for s in self.steps)

    def incomplete(self) -> str | None:
        """Why the preview cannot be trusted to list every change, or None when it can."""
        if self.errors:
            return (
                f"the preview reported {len(self.errors)} error diagnostic(s): it did not "
                "complete, so its steps are not every change"
            )
        if not self.has_root_stack:
            return "the preview lists no root stack step: the program did not run to completion"
        return None

    def foreign(self, stack: str, project: str) -> str | None:
        """Why the preview is not one of ``project``'s stack ``stack``, or None when it is."""
        other = sorted(self.stacks - {(stack, project)})
        if other:
            s, p = other[0]
            return f"the preview is of stack {s!r} of project {p!r}, not {stack!r} of {project!r}"
        return None


def _list(doc: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """A list field; Go's encoder leaves an empty slice out (``omitempty``) or writes ``null``."""
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(f"{where}`{key}` is not a list")
    return value


def _names(values: list[Any], where: str) -> tuple[str, ...]:
    if not all(isinstance(v, str) for v in values):
        raise FormatError(f"{where} is not a list of property names")
    return tuple(values)


def _state(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FormatError(f"{where}.{key} is not an object")
    return value


def _step(raw: Any, i: int) -> PreviewStep:
    where = f"steps[{i}]"
    if not isinstance(raw, dict):
        raise FormatError(f"{where} is not an object")
    op = raw.get("op")
    if not isinstance(op, str) or not op:
        raise FormatError(f"{where}.op is missing")
    urn = parse_urn(raw.get("urn"), f"{where}.urn")
    detailed_raw = raw.get("detailedDiff")
    detailed: dict[str, PropertyDiff] | None = None
    if detailed_raw is not None:
        if not isinstance(detailed_raw, dict):
            raise FormatError(f"{where}.detailedDiff is not an object")
        detailed = {}
        for path, diff in detailed_raw.items():
            if not isinstance(diff, dict) or not isinstance(diff.get("kind"), str):
                raise FormatError(f"{where}.detailedDiff has an entry without a `kind`")
            detailed[path] = PropertyDiff(diff["kind"], diff.get("inputDiff") is not False)
    return PreviewStep(
        op=op,
        urn=urn,
        detailed_diff=detailed,
        diff_reasons=_names(_list(raw, "diffReasons", f"{where}."), f"{where}.diffReasons"),
        replace_reasons=_names(
            _list(raw, "replaceReasons", f"{where}."), f"{where}.replaceReasons"
        ),
        old_state=_state(raw, "oldState", where),
        new_state=_state(raw, "newState", where),
        raw=raw,
    )


def _diagnostic(raw: Any, i: int) -> PreviewDiagnostic:
    where = f"diagnostics[{i}]"
    if not isinstance(raw, dict):
        raise FormatError(f"{where} is not an object")
    message, severity, urn = raw.get("message", ""), raw.get("severity", ""), raw.get("urn", "")
    if not isinstance(message, str):
        raise FormatError(f"{where}.message is not a string")
    if not isinstance(severity, str) or (severity and severity not in SEVERITIES):
        raise FormatError(f"{where}.severity is not one of {', '.join(SEVERITIES)}")
    if urn and not is_urn(urn):
        raise FormatError(f"{where}.urn is not a Pulumi URN")
    return PreviewDiagnostic(severity, urn or "", message)


def parse_preview(doc: Any) -> Preview:
    """``pulumi preview --json`` output (parsed JSON) as a ``Preview``; else ``FormatError``."""
    if not isinstance(doc, dict) or not ({"steps", "diagnostics", "changeSummary"} & doc.keys()):
        raise FormatError(
            "not `pulumi preview --json` output: expected an object with `steps`, "
            "`diagnostics` or `changeSummary`"
        )
    summary = doc.get("changeSummary") or {}
    if not isinstance(summary, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in summary.values()
    ):
        raise FormatError("`changeSummary` is not a map of operation → count")
    return Preview(
        steps=tuple(_step(s, i) for i, s in enumerate(_list(doc, "steps", ""))),
        diagnostics=tuple(_diagnostic(d, i) for i, d in enumerate(_list(doc, "diagnostics", ""))),
        change_summary=summary,
        raw=doc,
    )


# --------------------------------------------------------------------------------------------------
# Stack export


@dataclass(frozen=True)
class StateResource:
    urn: Urn
    type: str
    inputs: Mapping[str, Any]
    parent: str
    protect: bool
    retain_on_delete: bool
    delete: bool
    """An old resource kept until its replacement is done: it is going away."""
    pending_replacement: bool
    """Deleted by a delete-before-replace, not yet re-created: still deployed as far as the
    program is concerned (the next ``up`` re-creates it, or removes it for good)."""
    raw: Mapping[str, Any] = field(repr=False)


def parse_stack_export(doc: Any) -> list[StateResource]:
    """``pulumi stack export`` (parsed JSON) → its resources; ``FormatError`` if it is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("deployment"), dict):
        raise FormatError("no `deployment` object")
    out = []
    for i, raw in enumerate(_list(doc["deployment"], "resources", "deployment.")):
        where = f"deployment.resources[{i}]"
        if not isinstance(raw, dict):
            raise FormatError(f"{where} is not an object")
        urn = parse_urn(raw.get("urn"), f"{where}.urn")
        parent = raw.get("parent") or ""
        if parent and not is_urn(parent):
            raise FormatError(f"{where}.parent is not a Pulumi URN")
        inputs = raw.get("inputs")
        out.append(
            StateResource(
                urn=urn,
                type=urn.type,
                inputs=inputs if isinstance(inputs, dict) else {},
                parent=parent,
                protect=raw.get("protect") is True,
                retain_on_delete=raw.get("retainOnDelete") is True,
                delete=raw.get("delete") is True,
                pending_replacement=raw.get("pendingReplacement") is True,
                raw=raw,
            )
        )
    return out


def is_secret(value: Any) -> bool:
    """A value the engine hides: ``[secret]``, or a secret-signature object."""
    return value == SECRET_MASK or (
        isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG
    )
