"""``cfinfra drift-report``: the scheduled drift workflow's view of ``pulumi preview --json``.

Exit codes are the workflow's contract: 0 clean, 1 drift (or engine errors: we cannot vouch for a
stack the engine could not read), 2 the input is not a preview at all, or the report cannot be
written (one line, never a traceback: the workflow reads any 1 as drift).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console import (
    check_output_path,
    fail_config,
    is_stdout,
    print_document,
    print_text,
    read_input_json,
    write_output,
)
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.drift.credentials import CredentialInputs


# The options every command reading a preview shares (drift-report here, drift-triage and
# verify-preview in infra.pipeline.cli): the stack the preview must be of, and where the project
# is when the run states itself read-only.
PreviewStackOpt = Annotated[
    str, typer.Option("--stack", "-s", help="The stack the preview must be of.")
]
RunRootOpt = Annotated[
    Path, typer.Option("--root", help="The project directory (for a read-only run).")
]


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
    stack: PreviewStackOpt = "prod",
    pulumi_exit: Annotated[
        int | None,
        typer.Option(
            "--pulumi-exit",
            help="`pulumi preview --expect-no-changes`'s exit status (0 or 7): changes Pulumi "
            "counted that the report cannot account for are drift.",
        ),
    ] = None,
    root: RunRootOpt = Path("."),
) -> None:
    """Report drift from a `pulumi preview --json` file: exit 0 clean, 1 drift, 2 bad input.

    With `CFINFRA_ENVIRONMENT=read-only` (the read-only run's own switch, as the program reads
    it), a provider update that changes only that provider's credential inputs is expected (the
    run uses the read-only credential, the state holds the deploy's) and is not drift.
    """
    if output is not None:
        check_output_path(output, "--output")
    if pulumi_exit not in (None, 0, 7):
        print_text(
            f"error: --pulumi-exit {pulumi_exit}: only 0 or 7 is a verdict on changes; "
            "any other exit is an error of the preview itself",
            stderr=True,
        )
        raise typer.Exit(ExitCode.INVALID)
    from infra.drift.report import PreviewFormatError, parse_preview, render_markdown, summary_line

    credentials = read_only_credentials(root, stack)
    doc = read_input_json(preview, "preview")
    try:
        report = parse_preview(doc, credentials, pulumi_exit)
    except PreviewFormatError as exc:
        print_text(f"error: {preview}: {exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None
    if report.stack is not None:
        from infra.plan.engine import PROJECT_NAME
        from infra.pulumi_formats import parse_preview as parse_engine_preview

        foreign = parse_engine_preview(doc).foreign(stack, PROJECT_NAME)
        if foreign:
            print_text(f"error: {preview}: {foreign}", stderr=True)
            raise typer.Exit(ExitCode.INVALID)

    markdown = render_markdown(report)
    if output is None or is_stdout(output):
        print_document(markdown)
    else:
        write_output(output, markdown, "--output")
        print_text(summary_line(report), stderr=True)
    raise typer.Exit(ExitCode.OK if report.is_clean else ExitCode.FOUND)


def read_only_credentials(root: Path, stack: str) -> CredentialInputs | None:
    """A read-only run's credential inputs, as ``CFINFRA_ENVIRONMENT`` states the run; exit 2
    listing the problems when the variable names no environment of the stack, or the stack
    does not load (a stated run is never silently read as the deploy's)."""
    from infra.drift.credentials import read_only_run
    from infra.errors import ConfigError

    try:
        return read_only_run(root, stack, os.environ)
    except ConfigError as exc:
        raise fail_config(exc, "error: the read-only run's stack cannot be loaded") from None
