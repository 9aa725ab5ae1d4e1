"""``cfinfra drift-report``: the scheduled drift workflow's view of ``pulumi preview --json``.

Exit codes are the workflow's contract: 0 clean, 1 drift (or engine errors: we cannot vouch for a
stack the engine could not read), 2 the input is not a preview at all, or the report cannot be
written (one line, never a traceback: the workflow reads any 1 as drift).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

EXIT_CLEAN = 0
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2


def drift_report(
    preview: Annotated[
        Path,
        typer.Argument(help="File holding the stdout of `pulumi preview --refresh --json`."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the Markdown report here instead of stdout (`-`: stdout)."
        ),
    ] = None,
) -> None:
    """Report drift from a `pulumi preview --json` file: exit 0 clean, 1 drift, 2 bad input."""
    from infra.drift.report import PreviewFormatError, parse_preview, render_markdown, summary_line

    try:
        text = preview.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        typer.echo(f"error: cannot read {preview}: {reason}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        report = parse_preview(text)
    except PreviewFormatError as exc:
        typer.echo(f"error: {preview}: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None

    markdown = render_markdown(report)
    if output is None or str(output) == "-":
        typer.echo(markdown, nl=False)
    else:
        try:
            output.write_text(markdown, encoding="utf-8")
        except OSError as exc:
            # Exit 2, not a traceback's 1: drift.yml reads 1 as "drift".
            reason = exc.strerror or str(exc)
            typer.echo(f"error: cannot write {output}: {reason}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        typer.echo(summary_line(report), err=True)
    raise typer.Exit(EXIT_CLEAN if report.is_clean else EXIT_DRIFT)
