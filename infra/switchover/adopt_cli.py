"""``cfinfra adopt --from SNAPSHOT``: compute the live values' edits, validate them, then write.

Nothing is written unless the edited data validates as a whole (a copy is loaded first), and then
every file is written at once (``infra.config.files.write_all``). A live value the credential
scanner flags is refused by that validation and never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import fail_config, print_text
from infra.exitcodes import ExitCode


def adopt(
    source: Annotated[
        Path, typer.Option("--from", help="A snapshot of the live state (`cfinfra snapshot`).")
    ],
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name.")] = "prod",
    root: Annotated[Path, typer.Option("--root", help="Project directory.")] = Path("."),
) -> None:
    """Write the live values of everything managed into the data files (comments and layout kept).

    Prints every value it changed and everything it could not adopt. Running it twice changes
    nothing. Exit 0 done, 2 unreadable snapshot or invalid configuration (before or after: then
    nothing is written).
    """
    from infra.config.files import STACK_PARTS, staged_copy, write_all
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.live.against_cli import read_snapshot
    from infra.switchover.adopt import adopt as adopt_from
    from infra.switchover.adopt import iter_lines

    snap = read_snapshot(source)
    if snap is None:
        raise typer.Exit(ExitCode.INVALID)
    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    result = adopt_from(project, snap)
    changes = result.files.changes()
    try:
        with staged_copy(root, changes, (*STACK_PARTS, project.stack_file)) as copy:
            load_project(copy, stack)
    except ConfigError as exc:
        raise fail_config(exc, "the adopted data does not validate (nothing written):") from None
    write_all(changes)
    if not result.edits:
        print_text(f"nothing to adopt: the data equals {source} for everything compared")
    else:
        print_text(f"adopted {len(result.edits)} values from {source}:")
    for line in iter_lines(result):
        print_text(line)
    for path in sorted(changes):
        print_text(f"wrote {path}")
