"""``cfinfra rotation bootstrap-ages``: once, date every 1Password item the manifest names.

Switch-over tooling: before this project nothing recorded when a value was set; after this one
run, a value's date is written with the value (docs/runbooks/add-a-secret.md), so the command is
deleted with the rest of ``infra/switchover`` after the cutover. Listed under ``rotation`` by
``infra.cli`` (``LAZY_IN_GROUP``): the weekly rotation module does not import it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from infra.console import print_text
from infra.rotation.cli import RootOpt, load_entries, onepassword_failed


def bootstrap_ages_cmd(
    root: RootOpt = Path("."),
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the fields (default: show what would be).")
    ] = False,
) -> None:
    """Once: give every item the manifest names a `value-set-at` from its updated_at today.

    Ages count from `value-set-at` only; before it existed nothing dated a value. Run it before
    the clearance tags (or any other edit) move the items' updated_at. Items already dated are
    left alone. Needs the write-capable service account for --apply (docs/runbooks/
    rotate-a-token.md). No value is read into the output.
    """
    from infra.sources.onepassword import authenticate
    from infra.switchover.bootstrap_ages import bootstrap_ages

    entries = load_entries(root)

    async def go() -> list[str]:
        return await bootstrap_ages(await authenticate(), entries, apply=apply)

    try:
        lines = asyncio.run(go())
    except Exception as exc:  # the SDK raises plain Exception; its messages hold no values
        raise onepassword_failed(exc) from None
    for line in lines:
        print_text(line)
    if not apply:
        print_text("dry run: nothing was written (pass --apply)")
