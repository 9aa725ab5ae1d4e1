"""The slice of the 1Password SDK that rotation uses, typed as Protocols, plus item helpers.

Status and rotators accept *any* object with the SDK's surface (``client.vaults.list()``,
``client.items.list/get/put``): tests pass the fake in ``tests/fakes/onepassword.py``, production
passes ``onepassword.Client``. Names match the way secret references do: a vault or item by its id
or by its title (case-insensitively).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from infra.rotation.policy import as_utc

if TYPE_CHECKING:
    from onepassword.types import Item, ItemField, ItemOverview, VaultOverview


VALUE_SET_AT = "value-set-at"
"""The field that dates the *value* (ISO 8601, UTC): written in the same ``items.put`` (or ``op
item edit``) as the value, by the rotators, the add-a-secret and rotate-a-token runbooks and the
one-time ``cfinfra rotation bootstrap-ages``. A secret's age is counted from it, never from the
item's ``updated_at``, which any tag, title or description edit moves. 1Password itself keeps no
per-field timestamp (onepassword-sdk 0.4.2 ``ItemField``: id, title, section, type, value)."""
EXPIRES = "expires"
"""The field holding the date a credential stops working (``YYYY-MM-DD``), recorded when it is
created, for credential kinds whose service does not report it (Azure DevOps PATs, fine-grained
GitHub tokens)."""
SECTION_ID = "cfinfra_rotation"
SECTION_TITLE = "Rotation"


def stamp(moment: datetime) -> str:
    """A ``value-set-at`` value: UTC, seconds, ``+00:00``."""
    return as_utc(moment).isoformat(timespec="seconds")


def parse_stamp(text: object) -> datetime | None:
    """A ``value-set-at`` value (or a service's timestamp) back: any ISO 8601 form, ``Z``
    included; ``None`` for anything else (empty, missing, not a string)."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def parse_expires(text: str) -> date | None:
    """An ``expires`` value (``YYYY-MM-DD``, or a full timestamp), or ``None``."""
    moment = parse_stamp(text)
    if moment is not None:
        return moment.date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class ItemsApi(Protocol):
    async def list(self, vault_id: str, *filters: Any) -> list[ItemOverview]: ...
    async def get(self, vault_id: str, item_id: str) -> Item: ...
    async def put(self, item: Item) -> Item: ...


class SecretsApi(Protocol):
    async def resolve_all(self, secret_references: list[str]) -> Any: ...


class VaultsApi(Protocol):
    async def list(self, params: Any = None) -> list[VaultOverview]: ...


class OnePasswordClient(Protocol):
    """What rotation needs of ``onepassword.Client``. Status resolves only bookkeeping fields
    (``value-set-at``, ``expires``), never a value."""

    @property
    def items(self) -> ItemsApi: ...
    @property
    def secrets(self) -> SecretsApi: ...
    @property
    def vaults(self) -> VaultsApi: ...


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


N = TypeVar("N", bound=_Named)


def matching(candidates: Sequence[N], name: str) -> list[N]:
    """Candidates whose id equals ``name``, else those whose title equals it case-insensitively."""
    by_id = [c for c in candidates if c.id == name]
    if by_id:
        return by_id
    folded = name.casefold()
    return [c for c in candidates if c.title.casefold() == folded]


class ItemNotFound(LookupError):
    """The vault or item a manifest entry names does not exist or is ambiguous."""


async def locate_item(client: OnePasswordClient, vault: str, item: str) -> tuple[str, str]:
    """``(vault_id, item_id)`` of the item a manifest entry names, or ``ItemNotFound``."""
    vaults = matching(await client.vaults.list(), vault)
    if len(vaults) != 1:
        raise ItemNotFound(_not_one("vault", vault, len(vaults)))
    items = matching(await client.items.list(vaults[0].id), item)
    if len(items) != 1:
        raise ItemNotFound(_not_one("item", f"{vault}/{item}", len(items)))
    return vaults[0].id, items[0].id


def _not_one(kind: str, name: str, n: int) -> str:
    if n == 0:
        return f"no {kind} `{name}` (missing, archived, or not shared with the service account)"
    return f"{n} {kind}s match `{name}`: references to it are ambiguous"


def field_by_title(item: Item, title: str) -> ItemField | None:
    """The item's field labelled ``title`` (case-insensitively), if exactly one exists."""
    found = [f for f in item.fields if f.title.casefold() == title.casefold()]
    if len(found) > 1:
        raise ItemNotFound(f"item `{item.title}` has {len(found)} fields labelled `{title}`")
    return found[0] if found else None


def with_fields(
    item: Item,
    values: Mapping[str, tuple[str, str]],
    *,
    section_id: str,
    section_title: str,
) -> Item:
    """A copy of ``item`` with the fields ``{title: (value, field_type)}`` set.

    Existing fields keep their id, type and section (so secret references to them keep resolving);
    missing ones are added to the section ``section_id``, which is created if needed. The input item
    is not modified.
    """
    from onepassword.types import ItemField, ItemFieldType, ItemSection

    fields = [f.model_copy() for f in item.fields]
    sections = list(item.sections)
    taken = {f.id for f in fields}
    for title, (value, field_type) in values.items():
        existing = [f for f in fields if f.title.casefold() == title.casefold()]
        if len(existing) > 1:
            raise ItemNotFound(f"item `{item.title}` has {len(existing)} fields labelled `{title}`")
        if existing:
            existing[0].value = value
            continue
        if not any(s.id == section_id for s in sections):
            sections.append(ItemSection(id=section_id, title=section_title))
        field_id = title
        while field_id in taken:  # field ids are unique within an item
            field_id += "_"
        taken.add(field_id)
        fields.append(
            ItemField(
                id=field_id,
                title=title,
                section_id=section_id,
                field_type=ItemFieldType(field_type),
                value=value,
            )
        )
    return item.model_copy(update={"fields": fields, "sections": sections})
