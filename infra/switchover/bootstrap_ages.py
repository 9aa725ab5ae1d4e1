"""``cfinfra rotation bootstrap-ages`` (switch-over): date every value once, from today's
``updated_at``.

One-time: before this project, nothing recorded when a value was set, so the best evidence is
when each item last changed *today*. Run it before anything else edits the items (the clearance
tags, a description): afterwards only a change of a value moves its ``value-set-at``. An item
that already has a ``value-set-at`` is left alone, so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from infra.config.manifest import SecretEntry
from infra.rotation.op_items import (
    SECTION_ID,
    SECTION_TITLE,
    VALUE_SET_AT,
    OnePasswordClient,
    field_by_title,
    locate_item,
    parse_stamp,
    stamp,
    with_fields,
)
from infra.rotation.policy import as_utc


async def bootstrap_ages(
    client: OnePasswordClient, entries: Sequence[SecretEntry], *, apply: bool
) -> list[str]:
    """One line per item: dated now (``apply``), would be dated, or already dated."""
    lines = []
    seen: set[tuple[str, str]] = set()
    for entry in sorted(entries, key=lambda e: e.id):
        ref = entry.secret.onepassword
        key = (ref.vault.casefold(), ref.item.casefold())
        if key in seen:
            continue
        seen.add(key)
        vault_id, item_id = await locate_item(client, ref.vault, ref.item)
        item = await client.items.get(vault_id, item_id)
        found = field_by_title(item, VALUE_SET_AT)
        where = f"{ref.vault}/{ref.item}"
        if found is not None and parse_stamp(found.value) is not None:
            lines.append(f"{where}: already dated {found.value}")
            continue
        when = stamp(as_utc(item.updated_at))
        if apply:
            dated = with_fields(
                item,
                {VALUE_SET_AT: (when, "Text")},
                section_id=SECTION_ID,
                section_title=SECTION_TITLE,
            )
            await client.items.put(dated)
            lines.append(f"{where}: dated {when} (its updated_at)")
        else:
            lines.append(f"{where}: would date {when} (its updated_at)")
    return lines
