"""``cfinfra clearance-tags``: print the `op` commands that tag every item with its clearance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import fail_config, out

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
    from infra.sources.clearance import tagging_commands

    try:
        entries = load_manifest(root)
    except ConfigError as exc:
        raise fail_config(exc) from None
    for line in tagging_commands(entries):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
