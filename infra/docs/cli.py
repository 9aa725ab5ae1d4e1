"""``cfinfra docs``: regenerate the generated docs, or (``--check``) prove they are current."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import err, fail_config, out
from infra.exitcodes import ExitCode


def docs(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1, naming them, if generated files are stale.")
    ] = False,
    stack: Annotated[
        str, typer.Option("--stack", "-s", help="Stack the inventory shows.")
    ] = "prod",
    root: Annotated[
        Path, typer.Option("--root", help="Project directory (holds Pulumi.yaml and docs/).")
    ] = Path("."),
) -> None:
    """Write docs/reference/ (schemas and their Markdown) and docs/inventory.md from the plan."""
    from infra.docs.render import REGENERATE, render_all, stale_files
    from infra.errors import ConfigError
    from infra.plan.engine import plan_stack

    try:
        plan = plan_stack(root, stack)
    except ConfigError as exc:
        raise fail_config(exc, f"cannot plan stack {stack}:") from None
    files = render_all(root / "docs", plan)
    if check:
        stale = stale_files(files)
        if stale:
            err.print("stale generated docs:", markup=False)
            for path in stale:
                err.print(f"  {path.as_posix()}", markup=False)
            err.print(f"regenerate with: {REGENERATE}", markup=False)
            raise typer.Exit(ExitCode.FOUND)
        out.print(f"{len(files)} generated docs are current", markup=False)
        return
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.print(f"wrote {path.as_posix()}", markup=False)
