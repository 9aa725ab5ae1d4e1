"""``cfinfra drift-report``: the scheduled drift workflow's view of ``pulumi preview --json``.

Exit codes are the workflow's contract: 0 clean, 1 drift (or engine errors: we cannot vouch for a
stack the engine could not read), 2 the input is not a preview at all, or the report cannot be
written (one line, never a traceback: the workflow reads any 1 as drift).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console import check_output_path, read_input_json, write_output
from infra.exitcodes import ExitCode


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
    stack: Annotated[
        str, typer.Option("--stack", "-s", help="The stack the preview must be of.")
    ] = "prod",
) -> None:
    """Report drift from a `pulumi preview --json` file: exit 0 clean, 1 drift, 2 bad input."""
    if output is not None:
        check_output_path(output, "--output")
    from infra.drift.report import PreviewFormatError, parse_preview, render_markdown, summary_line

    doc = read_input_json(preview, "preview")
    try:
        report = parse_preview(doc)
    except PreviewFormatError as exc:
        typer.echo(f"error: {preview}: {exc}", err=True)
        raise typer.Exit(ExitCode.INVALID) from None
    if report.stack is not None:
        from infra.plan.engine import PROJECT_NAME
        from infra.pulumi_formats import parse_preview as parse_engine_preview

        foreign = parse_engine_preview(doc).foreign(stack, PROJECT_NAME)
        if foreign:
            typer.echo(f"error: {preview}: {foreign}", err=True)
            raise typer.Exit(ExitCode.INVALID)

    markdown = render_markdown(report)
    if output is None or str(output) == "-":
        typer.echo(markdown, nl=False)
    else:
        write_output(output, markdown, "--output")
        typer.echo(summary_line(report), err=True)
    raise typer.Exit(ExitCode.OK if report.is_clean else ExitCode.FOUND)
