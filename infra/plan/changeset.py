"""The reviewed change set: what a reviewed diff says `pulumi up` may do, resource by resource.

``cfinfra diff --base REV --json PATH`` writes it; ``cfinfra verify-preview`` checks a real
``pulumi preview`` against it. The shape is small and versioned::

    {"version": 1, "base": "<commit or file>", "head": "<commit or file>",
     "changes": [{"urn": URN, "op": "create"|"update"|"delete"|"replace",
                  "properties": [top-level input names]}]}

Offline, a change is ``create`` (the URN is new), ``delete`` (the URN is gone) or ``update`` (a
top-level input differs); ``replace`` is only ever known to the engine (a provider decides which
inputs force a new resource), so a reviewed ``update`` never explains a ``replace``: the deploy
stops and a person looks (docs/pipeline.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from infra.plan.model import Plan, PlannedResource, case_only_change
from infra.pulumi_formats import Urn, is_urn

CHANGE_SET_VERSION = 1


class ChangeOp(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"


@dataclass(frozen=True)
class Change:
    urn: str
    op: ChangeOp
    properties: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"urn": self.urn, "op": self.op.value, "properties": list(self.properties)}


@dataclass(frozen=True)
class ChangeSet:
    base: str
    head: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def by_urn(self) -> dict[str, Change]:
        return {c.urn: c for c in self.changes}

    def to_json(self) -> str:
        doc = {
            "version": CHANGE_SET_VERSION,
            "base": self.base,
            "head": self.head,
            "changes": [c.to_dict() for c in self.changes],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> ChangeSet:
        """Parse strictly: a malformed change set must never explain anything (ValueError)."""
        return cls.from_data(json.loads(text))

    @classmethod
    def from_data(cls, doc: Any) -> ChangeSet:
        """A change set from parsed JSON (``infra.config.jsonio``); ValueError if it is none."""
        if not isinstance(doc, dict) or not isinstance(doc.get("changes"), list):
            raise ValueError("not a change set: expected an object with a `changes` list")
        version = doc.get("version", CHANGE_SET_VERSION)
        if version != CHANGE_SET_VERSION:
            raise ValueError(f"change set version {version!r} (this cfinfra reads 1)")
        changes = []
        for i, c in enumerate(doc["changes"]):
            if not isinstance(c, dict):
                raise ValueError(f"changes[{i}] is not an object")
            urn, props = c.get("urn"), c.get("properties", [])
            if not is_urn(urn):
                raise ValueError(f"changes[{i}].urn is not a URN")
            if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
                raise ValueError(f"changes[{i}].properties is not a list of names")
            try:
                op = ChangeOp(str(c.get("op")))
            except ValueError:
                raise ValueError(
                    f"changes[{i}].op {c.get('op')!r} is not one of "
                    f"{', '.join(o.value for o in ChangeOp)}"
                ) from None
            changes.append(Change(urn, op, tuple(props)))
        return cls(str(doc.get("base", "")), str(doc.get("head", "")), tuple(changes))

    @classmethod
    def read(cls, path: Path) -> ChangeSet:
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def merge(cls, sets: list[ChangeSet]) -> ChangeSet:
        """Several reviewed sets as one: per URN, the union of properties; differing ops are kept
        apart by refusing to merge them (ValueError), since one URN has one op per deploy."""
        merged: dict[str, Change] = {}
        for s in sets:
            for c in s.changes:
                seen = merged.get(c.urn)
                if seen is None:
                    merged[c.urn] = c
                elif seen.op is not c.op:
                    raise ValueError(f"{c.urn} is reviewed both as {seen.op} and as {c.op}")
                else:
                    props = tuple(sorted(set(seen.properties) | set(c.properties)))
                    merged[c.urn] = Change(c.urn, c.op, props)
        bases = ", ".join(s.base for s in sets)
        heads = ", ".join(s.head for s in sets)
        return cls(bases, heads, tuple(merged[u] for u in sorted(merged)))


def _urns(plan: Plan, project: str) -> dict[str, str]:
    """Each resource's URN by key: the recorded one, else the engine's rule applied to the plan's
    own parent links (a base planned by code older than the ``urn`` field)."""
    by_key = {r.key: r for r in plan.resources}
    out: dict[str, str] = {}

    def chain(r: PlannedResource, seen: frozenset[str]) -> str:
        if r.parent is None or r.parent in seen or r.parent not in by_key:
            return r.type
        return f"{chain(by_key[r.parent], seen | {r.key})}${r.type}"

    for r in plan.resources:
        out[r.key] = r.urn or str(Urn(plan.stack, project, chain(r, frozenset()), r.name))
    return out


def build_change_set(
    base: Plan,
    head: Plan,
    *,
    base_label: str,
    head_label: str,
    project: str = "conda-forge-infra",
) -> ChangeSet:
    """Every resource the head creates, deletes or whose top-level inputs it changes."""
    base_urns, head_urns = _urns(base, project), _urns(head, project)
    before = {base_urns[r.key]: r for r in base.resources}
    after = {head_urns[r.key]: r for r in head.resources}
    changes: list[Change] = []
    for urn in sorted(before.keys() | after.keys()):
        old, new = before.get(urn), after.get(urn)
        if old is None:
            assert new is not None
            changes.append(Change(urn, ChangeOp.CREATE, tuple(sorted(new.inputs))))
        elif new is None:
            changes.append(Change(urn, ChangeOp.DELETE, tuple(sorted(old.inputs))))
        else:
            keys = old.inputs.keys() | new.inputs.keys()
            changed = sorted(
                k
                for k in keys
                if old.inputs.get(k) != new.inputs.get(k)
                and not case_only_change(new.type, k, old.inputs.get(k), new.inputs.get(k))
            )
            if changed:
                changes.append(Change(urn, ChangeOp.UPDATE, tuple(changed)))
    return ChangeSet(base_label, head_label, tuple(changes))
