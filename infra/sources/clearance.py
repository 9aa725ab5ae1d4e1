"""Each secret's clearance as recorded in 1Password itself, checked in real runs.

The manifest says how widely a secret may be delivered (`cleared_for`); a pull request can change
that line. So that widening a secret also needs a change in 1Password, where only vault managers
can make it, every item carries a tag naming its clearance::

    cfinfra:cleared-for=core

and a real run refuses to declare anything when a manifest entry is cleared wider than its item's
tag (or its item has no such tag). The tags are read from the vault listing (``items.list``: one
call per vault, no secret value read). ``cfinfra clearance-tags`` (``infra.switchover``) prints
the one-time commands that tag every item as the manifest clears it today
(docs/runbooks/clearance-tags.md).

The offline plan cannot see 1Password and does not check tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.config.audience import Audience
from infra.config.manifest import SecretEntry

TAG_PREFIX = "cfinfra:cleared-for="


def tag_for(audience: Audience) -> str:
    """The 1Password tag recording clearance for ``audience``."""
    return f"{TAG_PREFIX}{audience}"


def recorded_clearance(tags: Iterable[str]) -> tuple[Audience | None, str | None]:
    """The audience an item's tags clear it for, or ``(None, why)``."""
    values = sorted({t[len(TAG_PREFIX) :] for t in tags if t.startswith(TAG_PREFIX)})
    if not values:
        return None, f"its item has no `{TAG_PREFIX}<audience>` tag"
    if len(values) > 1:
        return None, f"its item has several clearance tags ({', '.join(values)})"
    try:
        return Audience(values[0]), None
    except ValueError:
        return None, f"its item's clearance tag names no audience (`{values[0]}`)"


async def item_tags(client: Any, vault_titles: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """``{(vault title, item title) (case-folded): tags}`` from one listing per vault."""
    wanted = {v.casefold() for v in vault_titles}
    out: dict[tuple[str, str], list[str]] = {}
    for vault in await client.vaults.list():
        if vault.title.casefold() not in wanted:
            continue
        for item in await client.items.list(vault.id):
            key = (vault.title.casefold(), item.title.casefold())
            # Two items with one title: resolution fails on them anyway; keep no tags.
            out[key] = [] if key in out else list(item.tags)
    return out


def clearance_failures(
    entries: Iterable[SecretEntry], tags: dict[tuple[str, str], list[str]]
) -> list[tuple[str, str]]:
    """``(reference, why)`` for every entry cleared wider than 1Password records."""
    failures = []
    for entry in entries:
        ref = entry.secret.onepassword
        cleared = entry.secret.cleared_for
        key = (ref.vault.casefold(), ref.item.casefold())
        if key not in tags:
            failures.append((ref.uri, "no such item in the vault listing"))
            continue
        recorded, why = recorded_clearance(tags[key])
        if recorded is None:
            failures.append(
                (
                    ref.uri,
                    f"`{entry.id}` is cleared for `{cleared}` here, but {why}: tag it "
                    f"`{tag_for(cleared)}` (cfinfra clearance-tags)",
                )
            )
        elif cleared.wider_than(recorded):
            failures.append(
                (
                    ref.uri,
                    f"`{entry.id}` is cleared for `{cleared}` here but only for `{recorded}` in "
                    f"1Password: widening a secret needs its item re-tagged `{tag_for(cleared)}` "
                    "by a vault manager",
                )
            )
    return failures
