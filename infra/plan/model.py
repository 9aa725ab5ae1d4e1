"""The plan's data: what a run declared, in a stable, reviewable, secret-free shape.

``plan.json`` is ``{"version": 3, "stack": ..., "resources": [...], "lineage": [...]}``. ``version``
is the shape's version (``PLAN_VERSION``): a plan without one is version 1 (written before URNs
were recorded), version 2 has no ``ignore_changes``, and a reader refuses a plan newer than it
knows. Each resource has ``type`` (the
Pulumi type token), ``name``, ``inputs`` (secret leaves replaced by ``"[secret]"``), ``protect``,
``retain_on_delete``, ``parent`` (``type::name`` of the parent, or null), ``import_id`` and ``urn``
(``urn:pulumi:<stack>::<project>::<parent types joined with $>$<type>::<name>``, as the engine
computes it, so a plan resource and a ``pulumi preview`` step can be matched). ``ignore_changes``
(the inputs ``pulumi up`` leaves as they are live) is written only for a resource that has any.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from infra.pulumi_formats import NAME_DELIMITER

SECRET = "[secret]"  # noqa: S105 - the mask shown in place of a value, not a credential
PLAN_VERSION = 3
"""The plan JSON's shape: 1 had no ``urn`` (and no ``version`` key), 2 records URNs, 3 records
``ignore_changes``."""


def resource_key(type_: str, name: str) -> str:
    """A resource's identity across plans: ``type::name``, its URN without stack, project and
    parents (a resource keeps it when the stack is renamed or it moves under another parent)."""
    return f"{type_}{NAME_DELIMITER}{name}"


def split_key(key: str) -> tuple[str, str]:
    """``resource_key``'s parts: (type, name)."""
    type_, _, name = key.partition(NAME_DELIMITER)
    return type_, name


@dataclass(frozen=True)
class PlannedResource:
    type: str
    name: str
    inputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    parent: str | None = None
    import_id: str | None = None
    urn: str | None = None
    """The URN the engine gives this resource (null in plans written before URNs were recorded)."""
    ignore_changes: tuple[str, ...] = ()
    """Inputs (top-level names, as in ``inputs``) in the resource's ``ignore_changes``: the engine
    diffs them against the old state's values, so a change here is recorded but never applied."""

    def ignores(self, path: str) -> bool:
        """Whether a change at ``path`` (``content``, ``configuration.url``) is ignored."""
        top = path.split(".", 1)[0].split("[", 1)[0]
        return top in self.ignore_changes

    @property
    def key(self) -> str:
        """Identity across plans (mirrors a URN without stack and project)."""
        return resource_key(self.type, self.name)

    @property
    def service(self) -> str:
        """The provider package: `github`, `aws`, `azuredevops`, ... (`cfinfra` for components)."""
        head = self.type.split(":", 1)[0]
        return self.type.split(":")[2] if head == "pulumi" and self.type.count(":") >= 2 else head


_RESOURCE_FIELDS = tuple(f.name for f in fields(PlannedResource) if f.name != "ignore_changes")


def _resource_doc(r: PlannedResource) -> dict[str, Any]:
    # Not `asdict`: it deep-copies every input only for json to read it once. `ignore_changes`
    # only where there is any: a handful of resources have it.
    doc = {f: getattr(r, f) for f in _RESOURCE_FIELDS}
    if r.ignore_changes:
        doc["ignore_changes"] = list(r.ignore_changes)
    return doc


CASE_INSENSITIVE_INPUTS = {
    "github:index/membership:Membership": frozenset({"username"}),
    "github:index/teamMembership:TeamMembership": frozenset({"username"}),
}
"""Inputs the provider compares ignoring case (`DiffSuppressFunc: caseInsensitive()`, see
docs/provider-behaviour.md): a change of case only is no change on GitHub."""


def case_only_change(type_: str, key: str, old: Any, new: Any) -> bool:
    """Whether two values of the input ``key`` differ in case only, where the provider ignores
    case (so the provider sees no change)."""
    return (
        key in CASE_INSENSITIVE_INPUTS.get(type_, frozenset())
        and isinstance(old, str)
        and isinstance(new, str)
        and old.casefold() == new.casefold()
    )


@dataclass(frozen=True)
class TargetLineage:
    """One place a secret is delivered to, and who can read it there."""

    target: str
    audience: str
    why: str


@dataclass(frozen=True)
class SecretLineage:
    """Where a secret comes from (1Password), how sensitive it is, and everywhere it flows."""

    secret: str
    onepassword: str
    owner: str
    sensitivity: str
    cleared_for: str
    reaches: str
    rotation: str
    targets: list[TargetLineage]


@dataclass
class Plan:
    stack: str
    resources: list[PlannedResource] = field(default_factory=list)
    lineage: list[SecretLineage] = field(default_factory=list)
    """Per secret, sorted by id: its source and every target with the audience it reaches."""

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def to_json(self) -> str:
        doc = {
            "version": PLAN_VERSION,
            "stack": self.stack,
            "resources": [_resource_doc(r) for r in self.resources],
            "lineage": [asdict(s) for s in self.lineage],
        }
        return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls.from_data(json.loads(text))

    @classmethod
    def from_data(cls, doc: Any) -> Plan:
        """A plan from parsed JSON; ValueError (or KeyError, TypeError) if it is none."""
        if not isinstance(doc, dict):
            raise ValueError("a plan is a JSON object")
        version = doc.get("version", 1)
        if not isinstance(version, int) or not 1 <= version <= PLAN_VERSION:
            raise ValueError(
                f"plan JSON version {version!r}: this cfinfra reads versions 1 to {PLAN_VERSION}"
            )
        return cls(
            stack=doc["stack"],
            resources=[
                PlannedResource(**{**r, "ignore_changes": tuple(r.get("ignore_changes", ()))})
                for r in doc["resources"]
            ],
            lineage=[
                SecretLineage(**{**s, "targets": [TargetLineage(**t) for t in s["targets"]]})
                for s in doc.get("lineage", [])
            ],
        )

    @classmethod
    def read(cls, path: Path) -> Plan:
        return cls.from_json(path.read_text(encoding="utf-8"))
