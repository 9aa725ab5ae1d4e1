"""The typed diff tree of two plans: per resource a create, delete or update with its field changes.

Pure: two ``Plan`` objects in, a ``PlanDiff`` out; no I/O, no Pulumi. Resources are matched by
``PlannedResource.key`` (type and name, like a URN without stack and project), so the cost is
linear in the size of both plans.

Field paths are dotted (``configuration.url``); list items are addressed by index
(``events[2]``), or by their ``name`` when every item of the list on both sides is a mapping with a
unique ``name`` (``variables[BINSTAR_TOKEN].secretValue``), so inserting one variable does not
shift every other one. A list of plain values (``events``, ``selectedRepositoryIds``) is one field
change: the renderer shows what was added and removed.

A field that is ``"[secret]"`` on either side, anywhere inside, is flagged ``secret`` and carries
*no* values at all, so no renderer can show one by mistake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from infra.plan.model import SECRET, Plan, PlannedResource, case_only_change, resource_key
from infra.resource_types import holds_no_cloud_state, is_security_relevant
from infra.sources.offline import PLACEHOLDER_PREFIX


class Op(StrEnum):
    CREATE = "create"
    DELETE = "delete"
    UPDATE = "update"


class FieldKind(StrEnum):
    INPUT = "input"
    """An input of the resource (what the provider receives)."""
    OPTION = "option"
    """A resource option: ``protect``, ``retain_on_delete``, ``parent``, ``import_id``,
    ``ignore_changes``."""


class _Missing:
    """The value of a field that does not exist on one side."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

SECRET_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"  # noqa: S105 - Pulumi's public tag
"""The key that marks a serialized Pulumi secret (``{SECRET_SIG_KEY: <sig>, "plaintext": ...}``)."""
OPTION_FIELDS: Final = ("protect", "retain_on_delete", "parent", "import_id", "ignore_changes")


@dataclass(frozen=True)
class FieldChange:
    path: str
    """Dotted path inside the inputs, or the option's name for ``FieldKind.OPTION``."""
    kind: FieldKind
    old: Any
    """The base value, ``MISSING`` when absent; always ``MISSING`` for a secret field."""
    new: Any
    """The head value, ``MISSING`` when absent; always ``MISSING`` for a secret field."""
    secret: bool = False
    """Secret on either side: ``old``/``new`` are dropped; only presence and secrecy are kept."""
    secret_in_base: bool = False
    secret_in_head: bool = False
    in_base: bool = True
    in_head: bool = True
    ignored: bool = False
    """An input in the head resource's ``ignore_changes``: recorded here, but ``pulumi up`` keeps
    the value it finds (the engine diffs it against the old state's)."""

    @property
    def unmasked(self) -> bool:
        """Secret in the base, present but not secret in the head: a secret may be going plain."""
        return self.secret_in_base and self.in_head and not self.secret_in_head


@dataclass(frozen=True)
class ResourceChange:
    op: Op
    type: str
    name: str
    before: PlannedResource | None
    after: PlannedResource | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def key(self) -> str:
        return resource_key(self.type, self.name)

    @property
    def protected(self) -> bool:
        """Protected on either side: Pulumi refuses to delete it until someone unprotects it."""
        return bool((self.before and self.before.protect) or (self.after and self.after.protect))

    @property
    def destroys(self) -> bool:
        """A deletion that removes the object in the cloud, not only from Pulumi's state.

        ``retain_on_delete`` only forgets it; a GitHub ``Membership`` with ``downgradeOnDestroy``
        demotes the person to member instead of removing them from the org.
        """
        r = self.before
        if self.op is not Op.DELETE or r is None:
            return False
        if holds_no_cloud_state(r.type):
            return False
        return not (r.retain_on_delete or r.inputs.get("downgradeOnDestroy") is True)

    @property
    def properties(self) -> frozenset[str]:
        """The top-level inputs the change touches (``configuration`` of ``configuration.url``);
        a resource option (``protect``) is none."""
        inputs = (f.path for f in self.fields if f.kind is FieldKind.INPUT)
        return frozenset(path.split(".", 1)[0].split("[", 1)[0] for path in inputs)

    @property
    def security_relevant(self) -> bool:
        """The resource-type table's verdict (``infra.resource_types``), the one drift triage,
        the drift report and ``plan --against`` read: a reviewer sees the same line drawn."""
        return is_security_relevant(self.type, self.op.value, self.properties)

    moved: str | None = None
    """For a delete or create caused by a URN change of the same type and name (a new parent):
    the URN (or parent) on the other side. Pulumi deletes the old URN and creates the new one
    unless an alias says they are one resource, so the guard counts both."""

    @property
    def reparented(self) -> bool:
        """Half of a URN change: without an alias Pulumi deletes and recreates the resource."""
        return self.moved is not None


@dataclass(frozen=True)
class PlanDiff:
    base_stack: str
    head_stack: str
    changes: tuple[ResourceChange, ...]
    """Sorted by (type, name); unchanged resources are dropped."""
    base_counts: Mapping[str, int] = field(default_factory=dict)
    """Resources per type in the base (the denominator of the removal guard's share)."""

    def of_op(self, op: Op) -> list[ResourceChange]:
        return [c for c in self.changes if c.op is op]

    @property
    def counts(self) -> dict[Op, int]:
        tally = Counter(c.op for c in self.changes)
        return {op: tally.get(op, 0) for op in Op}

    @property
    def is_empty(self) -> bool:
        return not self.changes


def _moved(old: PlannedResource, new: PlannedResource) -> bool:
    """The engine identity differs: the URN, or (a plan from before URNs) the parent."""
    if old.urn and new.urn:
        return old.urn != new.urn
    return old.parent != new.parent


def diff_plans(base: Plan, head: Plan) -> PlanDiff:
    """Every resource created, deleted or updated between ``base`` and ``head``.

    Resources are matched by type and name; when the engine identity (the URN, or the parent in
    plans without URNs) differs, the match is a delete plus a create, as Pulumi will do it.
    """
    before = {r.key: r for r in base.resources}
    after = {r.key: r for r in head.resources}
    changes: list[ResourceChange] = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            changes.append(ResourceChange(Op.DELETE, old.type, old.name, old, None))
            continue
        if _moved(old, new):
            changes.append(
                ResourceChange(Op.DELETE, old.type, old.name, old, None, moved=_where(new))
            )
            changes.append(
                ResourceChange(Op.CREATE, new.type, new.name, None, new, moved=_where(old))
            )
            continue
        fields = resource_field_changes(old, new)
        if fields:
            changes.append(ResourceChange(Op.UPDATE, old.type, old.name, old, new, fields))
    for key, new in after.items():
        if key not in before:
            changes.append(ResourceChange(Op.CREATE, new.type, new.name, None, new))
    changes.sort(key=lambda c: (c.type, c.name, c.op is Op.CREATE))
    return PlanDiff(
        base_stack=base.stack,
        head_stack=head.stack,
        changes=tuple(changes),
        base_counts=dict(sorted(Counter(r.type for r in base.resources).items())),
    )


def _where(r: PlannedResource) -> str:
    return r.urn or (f"parent {r.parent}" if r.parent else "no parent")


def resource_field_changes(old: PlannedResource, new: PlannedResource) -> tuple[FieldChange, ...]:
    out: list[FieldChange] = []
    for name in OPTION_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(FieldChange(name, FieldKind.OPTION, a, b))
    inputs: list[FieldChange] = []
    _walk(old.inputs, new.inputs, "", inputs)
    out += [
        replace(f, ignored=True) if new.ignores(f.path) else f
        for f in inputs
        if not case_only_change(new.type, f.path, f.old, f.new)
    ]
    return tuple(out)


def is_secret(value: Any) -> bool:
    """Whether a value holds a secret marker (or, defensively, an offline placeholder) anywhere."""
    if isinstance(value, str):
        return value == SECRET or PLACEHOLDER_PREFIX in value
    if isinstance(value, Mapping):
        # A Pulumi secret object in a hand-made or foreign plan file: never walked into.
        return SECRET_SIG_KEY in value or any(is_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_secret(v) for v in value)
    return False


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _named_items(items: list[Any]) -> dict[str, Any] | None:
    """``{name: item}`` when every item is a mapping with a unique string ``name``, else None."""
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            return None
        if item["name"] in out:
            return None
        out[item["name"]] = item
    return out


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, Mapping | list) for v in value)


def _walk(old: Any, new: Any, path: str, out: list[FieldChange]) -> None:
    if old == new:
        return
    old_secret = old is not MISSING and is_secret(old)
    new_secret = new is not MISSING and is_secret(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            _walk(old.get(key, MISSING), new.get(key, MISSING), _join(path, str(key)), out)
        return
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and not (_is_scalar_list(old) and _is_scalar_list(new))
    ):
        old_named, new_named = _named_items(old), _named_items(new)
        if old_named is not None and new_named is not None:
            for name in sorted(set(old_named) | set(new_named)):
                _walk(
                    old_named.get(name, MISSING),
                    new_named.get(name, MISSING),
                    f"{path}[{name}]",
                    out,
                )
            return
        for i in range(max(len(old), len(new))):
            _walk(
                old[i] if i < len(old) else MISSING,
                new[i] if i < len(new) else MISSING,
                f"{path}[{i}]",
                out,
            )
        return
    if old_secret or new_secret:
        # Values are dropped here, at the source, so no renderer can ever print one.
        out.append(
            FieldChange(
                path,
                FieldKind.INPUT,
                MISSING,
                MISSING,
                secret=True,
                secret_in_base=old_secret,
                secret_in_head=new_secret,
                in_base=old is not MISSING,
                in_head=new is not MISSING,
            )
        )
        return
    out.append(
        FieldChange(
            path, FieldKind.INPUT, old, new, in_base=old is not MISSING, in_head=new is not MISSING
        )
    )
