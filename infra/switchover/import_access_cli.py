"""``cfinfra runners import-access``: the live `.access.yml` into `data/runners/access/`, once.

Computed, validated on a copy of the runner data, then written all at once; a policy whose `repo`
is not a plain feedstock name (``../../../secrets/x-feedstock``) is refused and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import fail_problems, print_text
from infra.runners.cli import DataDir, load_data


def import_access_cmd(
    access_yml: Annotated[Path, typer.Argument(help="conda-forge/.cirun's live `.access.yml`.")],
    global_yml: Annotated[
        Path | None,
        typer.Option("--global", help="conda-forge/.cirun's live `.cirun.global.yml` (notes)."),
    ] = None,
    data_dir: DataDir = Path("data/runners"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show the result; write nothing.")
    ] = False,
) -> None:
    """Make `access/` grant exactly what the live `.access.yml` does (every kept grant, and every
    dropped one named)."""
    from infra.config.files import staged_copy, write_all
    from infra.config.loader import load_runner_data
    from infra.switchover.import_access import (
        access_changes,
        import_access,
        read_live_yaml,
        sorted_lines,
    )

    data = load_data(data_dir)
    doc, problems = read_live_yaml(access_yml, Path.cwd())
    global_doc = None
    if global_yml is not None:
        global_doc, found = read_live_yaml(global_yml, Path.cwd())
        problems += found
        if not isinstance(global_doc, dict):
            global_doc = {}
    if problems:
        fail_problems(problems)
    result, problems = import_access(doc, data, str(access_yml), global_doc)
    if problems:
        fail_problems(problems)
    changes, removed, problems = access_changes(data, data_dir / "access", result)
    if problems:
        fail_problems(problems)
    feedstocks = len(result.access)
    print_text(
        f"{result.policies} live policies, {result.grants} grants (policy x label): "
        f"kept {result.kept} in {sum(len(g) for g in result.access.values())} grants of "
        f"{feedstocks} feedstocks; dropped {result.grants - result.kept}"
    )
    for line in sorted_lines(result.dropped):
        print_text(f"  dropped  {line}")
    for line in result.notes:
        print_text(f"  note     {line}")
    if dry_run:
        print_text("dry run: nothing written")
        return
    # The new data must load and pass every rule before anything is written.
    root, rel = _root_of(data_dir)
    with staged_copy(root, changes, [rel]) as copy:
        _, problems = load_runner_data(copy / rel, copy)
    if problems:
        fail_problems(problems)
    write_all(changes)
    for line in removed:
        print_text(f"  removed  {line}")
    for path, text in sorted(changes.items()):
        print_text(f"{'wrote' if text is not None else 'deleted'} {path}")


def _root_of(data_dir: Path) -> tuple[Path, str]:
    """(root, data_dir relative to it): the working directory, as messages name files from it."""
    cwd, resolved = Path.cwd().resolve(), data_dir.resolve()
    root = cwd if resolved.is_relative_to(cwd) else resolved.parent
    return root, resolved.relative_to(root).as_posix()
