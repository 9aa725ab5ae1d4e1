"""An in-memory ``onepassword.Client`` (onepassword-sdk 0.4.x) for offline tests.

It mirrors the SDK's surface exactly for what this project uses: ``client.secrets.resolve`` /
``resolve_all``, ``client.items.list`` / ``get`` / ``put`` and ``client.vaults.list``, with the same
names, argument names and async-ness (``tests/rotation/test_fake_onepassword.py`` compares the
signatures with the SDK's). Results are the SDK's own pydantic types, built the way the SDK builds
them (``validate_json`` of the core's JSON), so naive-UTC timestamps and aliases behave as in
production. Failures raise plain ``Exception`` where the SDK does, with its messages: resolution
messages and ``put``'s version conflict are the core's own strings; the wording for unknown vault or
item ids and for malformed items is approximated (marked ``approximated``).

Test helpers that are not SDK surface (seeding, ``calls``, ``field_value``) never count as calls.

Seed with a dict ``{vault title: {item title: item}}`` where an item is::

    {"fields": {"credential": "s3cret",                       # concealed, no section
                "access-key-id": {"value": "AKIA...", "type": "Text", "section": "Rotation"}},
     "updated_at": "2024-01-31T00:00:00Z",   # or a datetime; default: the clock
     "created_at": ..., "category": "ApiCredentials", "archived": False,
     "tags": ["cfinfra:cleared-for=core"]}
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from onepassword import Secrets
from onepassword.types import (
    Item,
    ItemListFilter,
    ItemOverview,
    ItemState,
    ResolveAllResponse,
    VaultListParams,
    VaultOverview,
)

Clock = Callable[[], datetime]


def rfc3339(moment: datetime | str) -> str:
    """The timestamp format the SDK's core emits (UTC, microseconds, ``Z``)."""
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fake_id(*parts: str) -> str:
    """A deterministic 26-character lower-case id, shaped like 1Password's."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:26]


@dataclass
class _Stored:
    """An item as the server keeps it: the SDK's JSON (by alias) plus its state."""

    data: dict[str, Any]
    state: ItemState = ItemState.ACTIVE


@dataclass
class _Vault:
    id: str
    title: str
    created_at: str
    items: dict[str, _Stored] = field(default_factory=dict)


class _RefError(Exception):
    """One reference failed: ``kind`` is the SDK's error ``type``; ``message`` its text."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


_PARSE_PREFIX = "the secret reference could not be parsed: "
_BAD_FORMAT = (
    'secret reference has invalid format - must be "op://<vault>/<item>/[section/]field'
    '[?attribute=<attribute-value>]"'
)


def _named(candidates: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    by_id = [c for c in candidates if c["id"] == name]
    if by_id:
        return by_id
    return [c for c in candidates if c.get("title", "").casefold() == name.casefold()]


class FakeSecrets:
    """``client.secrets``."""

    validate_secret_reference = staticmethod(Secrets.validate_secret_reference)

    def __init__(self, client: FakeClient):
        self._client = client

    async def resolve(self, secret_reference: str) -> str:
        self._client._count("secrets.resolve", secret_reference)
        try:
            return self._client._resolve(secret_reference)["secret"]
        except _RefError as exc:
            raise Exception(f"error resolving secret reference: {exc.message}") from None

    async def resolve_all(self, secret_references: list[str]) -> ResolveAllResponse:
        self._client._count("secrets.resolve_all", list(secret_references))
        responses: dict[str, Any] = {}
        for ref in secret_references:
            try:
                responses[ref] = {"content": self._client._resolve(ref)}
            except _RefError as exc:
                error: dict[str, Any] = {"type": exc.kind}
                if exc.kind == "parsing":
                    error["message"] = exc.message
                responses[ref] = {"error": error}
        payload = json.dumps({"individualResponses": responses})
        return ResolveAllResponse.model_validate_json(payload)


class FakeItems:
    """``client.items``."""

    def __init__(self, client: FakeClient):
        self._client = client

    async def list(self, vault_id: str, *filters: ItemListFilter) -> list[ItemOverview]:
        self._client._count("items.list", vault_id, *filters)
        vault = self._client._vault(vault_id)
        wanted = {ItemState.ACTIVE}  # the SDK lists active items only unless filtered
        for f in filters:
            wanted = set()
            if f.content.active:
                wanted.add(ItemState.ACTIVE)
            if f.content.archived:
                wanted.add(ItemState.ARCHIVED)
        overviews = []
        for stored in vault.items.values():
            if stored.state not in wanted:
                continue
            d = stored.data
            overviews.append(
                {
                    "id": d["id"],
                    "title": d["title"],
                    "category": d["category"],
                    "vaultId": d["vaultId"],
                    "websites": d["websites"],
                    "tags": d["tags"],
                    "createdAt": d["createdAt"],
                    "updatedAt": d["updatedAt"],
                    "state": stored.state.value,
                }
            )
        return [ItemOverview.model_validate_json(json.dumps(o)) for o in overviews]

    async def get(self, vault_id: str, item_id: str) -> Item:
        self._client._count("items.get", vault_id, item_id)
        stored = self._client._item(vault_id, item_id, "resource not found")  # approximated
        return Item.model_validate_json(json.dumps(stored.data))

    async def put(self, item: Item) -> Item:
        self._client._count("items.put", item.id)
        data = json.loads(json.dumps(item.model_dump(by_alias=True)))  # what the SDK sends
        stored = self._client._item(
            data["vaultId"], data["id"], "item update failed: item couldn't be found"
        )
        if data["version"] != stored.data["version"]:
            raise Exception(
                "data conflict occurred on the server: The submitted item is not up to date. "
                "Refetch the item and retry the request."
            )
        field_ids = [f["id"] for f in data["fields"]]
        if len(field_ids) != len(set(field_ids)):
            raise Exception("bad input passed by the user: duplicate field ids")  # approximated
        section_ids = {s["id"] for s in data["sections"]}
        if any(f.get("sectionId") not in (None, *section_ids) for f in data["fields"]):
            raise Exception(  # approximated
                "bad input passed by the user: no section found with given section ID"
            )
        data["version"] = stored.data["version"] + 1
        data["createdAt"] = stored.data["createdAt"]
        data["updatedAt"] = rfc3339(self._client.clock())
        stored.data = data
        return Item.model_validate_json(json.dumps(data))


class FakeVaults:
    """``client.vaults``."""

    def __init__(self, client: FakeClient):
        self._client = client

    async def list(self, params: VaultListParams | None = None) -> list[VaultOverview]:
        self._client._count("vaults.list", params)
        out = []
        for vault in self._client._vaults.values():
            updated = max([vault.created_at, *(s.data["updatedAt"] for s in vault.items.values())])
            payload = {
                "id": vault.id,
                "title": vault.title,
                "description": "",
                "vaultType": "userCreated",
                "activeItemCount": sum(s.state is ItemState.ACTIVE for s in vault.items.values()),
                "contentVersion": 1 + sum(s.data["version"] for s in vault.items.values()),
                "attributeVersion": 1,
                "createdAt": vault.created_at,
                "updatedAt": updated,
            }
            out.append(VaultOverview.model_validate_json(json.dumps(payload)))
        return out


class FakeClient:
    """Stands in for ``onepassword.Client``; see the module docstring."""

    def __init__(
        self,
        seed: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
        *,
        clock: Clock | None = None,
    ):
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.calls: Counter[str] = Counter()
        self.call_log: list[tuple[str, tuple[Any, ...]]] = []
        self._vaults: dict[str, _Vault] = {}
        self.secrets = FakeSecrets(self)
        self.items = FakeItems(self)
        self.vaults = FakeVaults(self)
        for vault_title, items in (seed or {}).items():
            self.add_vault(vault_title)
            for item_title, spec in items.items():
                self.add_item(vault_title, item_title, **spec)

    # --- seeding and inspection (test helpers; not SDK surface, not counted) ---

    def add_vault(self, title: str) -> str:
        vault_id = fake_id("vault", title)
        self._vaults[vault_id] = _Vault(vault_id, title, rfc3339(self.clock()))
        return vault_id

    def add_item(
        self,
        vault: str,
        title: str,
        *,
        fields: Mapping[str, str | Mapping[str, Any]] | None = None,
        updated_at: datetime | str | None = None,
        created_at: datetime | str | None = None,
        category: str = "ApiCredentials",
        archived: bool = False,
        tags: list[str] | tuple[str, ...] = (),
    ) -> str:
        """Add an item (titles may repeat, as in 1Password). Returns its id."""
        target = self._vault_by_title(vault)
        item_id = fake_id("item", vault, title, str(len(target.items)))
        sections: dict[str, dict[str, str]] = {}
        field_data = []
        for label, spec in (fields or {}).items():
            spec = {"value": spec} if isinstance(spec, str) else dict(spec)
            section = spec.get("section")
            if section is not None:
                sections.setdefault(section, {"id": section, "title": section})
            field_data.append(
                {
                    "id": spec.get("id", label),
                    "title": label,
                    "sectionId": section,
                    "fieldType": spec.get("type", "Concealed"),
                    "value": spec["value"],
                }
            )
        updated = rfc3339(updated_at if updated_at is not None else self.clock())
        data = {
            "id": item_id,
            "title": title,
            "category": category,
            "vaultId": target.id,
            "fields": field_data,
            "sections": list(sections.values()),
            "notes": "",
            "tags": list(tags),
            "websites": [],
            "version": 1,
            "files": [],
            "createdAt": rfc3339(created_at) if created_at is not None else updated,
            "updatedAt": updated,
        }
        Item.model_validate_json(json.dumps(data))  # fail at seeding, not in the code under test
        state = ItemState.ARCHIVED if archived else ItemState.ACTIVE
        target.items[item_id] = _Stored(data, state)
        return item_id

    def vault_id(self, title: str) -> str:
        return self._vault_by_title(title).id

    def item(self, vault: str, title: str) -> Item:
        """The stored item titled ``title`` (first match), as ``items.get`` would return it."""
        for stored in self._vault_by_title(vault).items.values():
            if stored.data["title"] == title:
                return Item.model_validate_json(json.dumps(stored.data))
        raise KeyError(f"{vault}/{title}")

    def field_value(self, vault: str, item: str, label: str) -> str:
        """The stored value of a field (empty string if there is no such field)."""
        for f in self.item(vault, item).fields:
            if f.title == label:
                return f.value
        return ""

    def reset_calls(self) -> None:
        self.calls.clear()
        self.call_log.clear()

    # --- internals shared by the API classes ---

    def _count(self, method: str, *args: Any) -> None:
        self.calls[method] += 1
        self.call_log.append((method, args))

    def _vault_by_title(self, title: str) -> _Vault:
        for vault in self._vaults.values():
            if vault.title == title:
                return vault
        raise KeyError(title)

    def _vault(self, vault_id: str) -> _Vault:
        try:
            return self._vaults[vault_id]
        except KeyError:
            raise Exception("vault couldn't be found") from None  # approximated

    def _item(self, vault_id: str, item_id: str, missing: str) -> _Stored:
        stored = self._vault(vault_id).items.get(item_id)
        if stored is None:
            raise Exception(missing)
        return stored

    def _resolve(self, ref: str) -> dict[str, str]:
        """``{"secret", "itemId", "vaultId"}`` for ``ref``, or ``_RefError`` as the core reports."""
        if not ref.startswith("op://"):
            raise _RefError(
                "parsing", _PARSE_PREFIX + 'secret reference is not prefixed with "op://"'
            )
        body = ref[len("op://") :]
        if "?" in body:  # query parameters (TOTP, SSH formats, attributes) are not modelled
            raise _RefError("parsing", _PARSE_PREFIX + "the fake does not support query parameters")
        parts = body.split("/")
        if len(parts) not in (3, 4) or any(not p for p in parts):
            raise _RefError("parsing", _PARSE_PREFIX + _BAD_FORMAT)
        vault_name, item_name, *section_name, field_name = parts

        vaults = _named([{"id": v.id, "title": v.title} for v in self._vaults.values()], vault_name)
        if not vaults:
            raise _RefError("vaultNotFound", "no vault matched the secret reference query")
        if len(vaults) > 1:
            raise _RefError(
                "tooManyVaults", "more than one vault matched the secret reference query"
            )
        vault = self._vaults[vaults[0]["id"]]

        items = _named([s.data for s in vault.items.values()], item_name)
        active = [d for d in items if vault.items[d["id"]].state is ItemState.ACTIVE]
        if not active and items:
            raise _RefError("other", "item is not in an active state")
        if not active:
            raise _RefError("itemNotFound", "no item matched the secret reference query")
        if len(active) > 1:
            raise _RefError("tooManyItems", "more than one item matched the secret reference query")
        item = active[0]

        fields = item["fields"]
        if section_name:
            sections = _named(item["sections"], section_name[0])
            if not sections:
                raise _RefError("noMatchingSections", "no section matched the secret reference")
            ids = {s["id"] for s in sections}
            fields = [f for f in fields if f.get("sectionId") in ids]
        matched = _named(fields, field_name)
        if not matched:
            raise _RefError("fieldNotFound", "the specified field cannot be found within the item")
        if len(matched) > 1:
            raise _RefError(
                "tooManyMatchingFields", "more than one field matched the secret reference"
            )
        return {"secret": matched[0]["value"], "itemId": item["id"], "vaultId": vault.id}
