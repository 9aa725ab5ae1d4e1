"""What the drift report knows about a preview: resources that differ, and the engine's complaints.

Pure data; ``parse`` builds it from ``pulumi preview --json``, ``render`` turns it into Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from infra.pulumi_formats import top_level_property


class PreviewFormatError(ValueError):
    """The input is not ``pulumi preview --json`` output. ``str()`` is one line for the user."""


#: Section order: most destructive first, so the scariest change is the first thing a reader sees.
OP_ORDER: Final = ("delete", "replace", "update", "create", "import", "refresh", "read")
SEVERITY_ORDER: Final = ("error", "warning")
EXIT_CHANGES: Final = 7
"""``pulumi preview --expect-no-changes``: changes were found (exit codes since 3.227)."""


def op_rank(op: str) -> tuple[int, str]:
    return (OP_ORDER.index(op) if op in OP_ORDER else len(OP_ORDER), op)


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

    @property
    def top_level(self) -> str:
        return top_level_property(self.path)


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
    expected: bool = False
    """A read-only run's provider update that changes nothing but the provider's credential
    inputs (``infra.drift.credentials``): not drift, reported in one line."""


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
    known_secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """Plaintexts the preview held inside secret objects: cut from everything the report prints
    (``infra.markdown.document``), never printed themselves."""
    has_root_stack: bool = True
    """Whether the preview lists the root stack's step (every preview that ran the program does)."""
    pulumi_exit: int | None = None
    """``pulumi preview --expect-no-changes``'s exit status, when the caller passes it."""
    changing: int = 0
    """How many changes the engine counted (``changeSummary``, as ``--expect-no-changes`` counts
    them): what the report must account for when Pulumi exits 7."""

    @property
    def expected(self) -> tuple[ResourceDrift, ...]:
        """A read-only run's credential-only provider updates: not drift."""
        return tuple(r for r in self.resources if r.expected)

    @property
    def unattributed(self) -> bool:
        """Pulumi saw changes (exit 7) that neither the drift nor the expected updates account
        for: Pulumi's verdict wins, it is drift. A report without drift answers for exit 7 only
        when its expected updates are every change the engine counted."""
        if self.pulumi_exit != EXIT_CHANGES or self.drifted or self.incomplete:
            return False
        return not self.expected or self.changing > len(self.expected)

    @property
    def drifted(self) -> tuple[ResourceDrift, ...]:
        return tuple(r for r in self.resources if r.is_drift)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def incomplete(self) -> bool:
        """The engine reported an error, or never ran the program: drift cannot be ruled out."""
        return bool(self.errors) or not self.has_root_stack

    @property
    def is_clean(self) -> bool:
        """No resource differs, the preview completed (an error means we cannot tell), and
        every change Pulumi counted is accounted for."""
        return not self.drifted and not self.incomplete and not self.unattributed

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.op] = counts.get(resource.op, 0) + 1
        return {op: counts[op] for op in sorted(counts, key=op_rank)}
