"""``cfinfra clearance-tags``: print the `op` commands that tag every item with its clearance."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console import fail_config, out

if TYPE_CHECKING:
    from infra.config.audience import Audience
    from infra.config.manifest import SecretEntry

RootOpt = Annotated[
    Path,
    typer.Option("--root", help="Project directory holding secrets/."),
]


def clearance_tags(root: RootOpt = Path(".")) -> None:
    """Print one `op item edit` line per 1Password item the manifest reads, tagging it with the
    clearance the manifest gives it today (the widest, for an item read by several entries).

    Real runs refuse a secret cleared wider than its item's tag: run these once, as a manager of
    the vault, before the first such run (docs/runbooks/clearance-tags.md). Offline: reads only
    secrets/.
    """
    from infra.config.loader import load_manifest
    from infra.errors import ConfigError

    try:
        entries = load_manifest(root)
    except ConfigError as exc:
        raise fail_config(exc) from None
    for line in tagging_commands(entries):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def tagging_commands(entries: Iterable[SecretEntry]) -> list[str]:
    """The one-time `op` commands that record today's clearances in 1Password.

    An item several entries read (one per field) is tagged with the widest of their clearances.
    """
    from infra.sources.clearance import tag_for

    widest: dict[tuple[str, str], Audience] = {}
    for entry in entries:
        ref = entry.secret.onepassword
        key = (ref.vault, ref.item)
        cleared = entry.secret.cleared_for
        if key not in widest or cleared.wider_than(widest[key]):
            widest[key] = cleared
    return [
        f"op item edit '{item}' --vault '{vault}' --tags '{tag_for(audience)}'"
        for (vault, item), audience in sorted(widest.items())
    ]
