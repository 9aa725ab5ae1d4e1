"""``cfinfra verify-preview`` and ``cfinfra deploy-guard``: what the deploy workflow runs before
``pulumi up`` (docs/pipeline.md).

Exit codes: 0 go ahead, 1 stop (an unexplained step; the removal guard tripped), 2 unreadable
input or invalid configuration. Never a traceback: every failure is one line on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console import (
    check_output_path,
    fail_config,
    print_document,
    print_text,
    read_input_json,
    write_output,
)
from infra.drift.cli import PreviewStackOpt, RunRootOpt
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.markdown import Document


def _emit(markdown: Document, output: Path | None) -> None:
    """Only a ``Document`` is written: the masking pass has run over it."""
    if output is None:
        print_document(markdown)
    else:
        write_output(output, markdown, "--output")


def verify_preview(
    preview: Annotated[
        Path, typer.Argument(help="File holding the stdout of `pulumi preview --refresh --json`.")
    ],
    reviewed: Annotated[
        list[Path],
        typer.Option(
            "--reviewed",
            help="Reviewed change set (`cfinfra diff --json`); repeat to combine several.",
        ),
    ],
    secret_values: Annotated[
        bool,
        typer.Option(
            "--secret-values",
            help="Also accept updates that change only secret values (delivering a rotation).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the Markdown report here instead of stdout."),
    ] = None,
    stack: PreviewStackOpt = "prod",
    root: RunRootOpt = Path("."),
) -> None:
    """Check a preview against reviewed change sets: 0 all explained, 1 unexplained (or the
    preview did not complete), 2 bad input (a preview of another stack included).

    With `CFINFRA_ENVIRONMENT=read-only`, a provider update of its credential inputs only is
    the read-only run's own (not a change to review); the deploy never sets it."""
    from infra.drift.cli import read_only_credentials
    from infra.pipeline.verify import PreviewError, parse_steps, render, verify
    from infra.plan.changeset import ChangeSet
    from infra.pulumi_formats import parse_preview

    if output is not None:
        check_output_path(output, "--output")
    sets = []
    for path in reviewed:
        doc = read_input_json(path, "change set")
        try:
            sets.append(ChangeSet.from_data(doc))
        except ValueError as exc:
            print_text(f"error: {path}: not a reviewed change set: {exc}", stderr=True)
            raise typer.Exit(ExitCode.INVALID) from None
    doc = read_input_json(preview, "preview")
    try:
        change_set = ChangeSet.merge(sets)
        steps = parse_steps(doc)
    except PreviewError as exc:
        print_text(f"error: {preview}: {exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None
    except ValueError as exc:
        print_text(f"error: the reviewed change sets disagree: {exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None
    _refuse_foreign(preview, doc, stack)
    incomplete = parse_preview(doc).incomplete()
    verdict = verify(
        steps,
        change_set,
        secret_values=secret_values,
        incomplete=incomplete,
        credentials=read_only_credentials(root, stack),
    )
    _emit(render(verdict, change_set), output)
    print_text(
        f"verify-preview: {verdict.checked} changing step(s), {len(verdict.unexplained)} "
        "unexplained",
        stderr=True,
    )
    raise typer.Exit(ExitCode.OK if verdict.ok else ExitCode.FOUND)


def deploy_guard(
    deployed: Annotated[
        Path, typer.Option(help="`pulumi stack export` of the stack as it is deployed now.")
    ],
    stack: Annotated[str, typer.Option("--stack", "-s", help="The stack to plan.")] = "prod",
    allow_removals: Annotated[
        bool,
        typer.Option(
            "--allow-removals",
            help="Reviewed removals: let the guard pass (the workflow input needs the production "
            "approval).",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the Markdown here.")
    ] = None,
    root: Annotated[
        Path, typer.Option(help="The project directory (holding Pulumi.<stack>.yaml).")
    ] = Path("."),
) -> None:
    """The removal guard against what is deployed: 0 pass, 1 tripped, 2 bad input."""
    from infra.diff.guard import GuardPolicy, check_against_deployed, render_guard
    from infra.errors import ConfigError
    from infra.pipeline.deployed import StateError, deployed_plan
    from infra.plan.engine import plan_stack

    if output is not None:
        check_output_path(output, "--output")
    export = read_input_json(deployed, "stack export")
    try:
        base = deployed_plan(export)
    except (ValueError, StateError) as exc:
        print_text(f"error: {deployed}: not a `pulumi stack export`: {exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None
    try:
        head = plan_stack(root, stack)
    except ConfigError as exc:
        raise fail_config(exc, "error: the head cannot be planned") from None
    result = check_against_deployed(base, head, GuardPolicy(allow_removals=allow_removals))
    _emit(render_guard(result), output)
    print_text(result.message(), stderr=True)
    raise typer.Exit(ExitCode.FOUND if result.tripped else ExitCode.OK)


def drift_triage(
    preview: Annotated[
        Path, typer.Argument(help="File holding the stdout of `pulumi preview --refresh --json`.")
    ],
    stack: PreviewStackOpt = "prod",
    root: RunRootOpt = Path("."),
) -> None:
    """Print `clean`, `ordinary` or `security` and the count: may the drift go to a public issue?

    Exit 0 clean, 1 drift (or a preview that did not complete), 2 not a preview of this stack.
    With `CFINFRA_ENVIRONMENT=read-only`, as for `drift-report`: a provider update of its
    credential inputs only is the read-only run's own, not drift.
    """
    from infra.drift.cli import read_only_credentials
    from infra.drift.report import PreviewFormatError, parse_preview
    from infra.pipeline.privacy import DriftClass, classify

    credentials = read_only_credentials(root, stack)
    doc = read_input_json(preview, "preview")
    try:
        report = parse_preview(doc, credentials)
    except PreviewFormatError as exc:
        print_text(f"error: {preview}: {exc}", stderr=True)
        raise typer.Exit(ExitCode.INVALID) from None
    _refuse_foreign(preview, doc, stack)
    drift, count = classify(report)
    print_text(f"{drift.value} {count}")
    raise typer.Exit(ExitCode.OK if drift is DriftClass.CLEAN else ExitCode.FOUND)


def _refuse_foreign(path: Path, doc: Any, stack: str) -> None:
    """Exit 2 unless every URN of the preview is of ``stack`` of this project."""
    from infra.plan.engine import PROJECT_NAME
    from infra.pulumi_formats import FormatError, parse_preview

    try:
        why = parse_preview(doc).foreign(stack, PROJECT_NAME)
    except FormatError as exc:
        why = str(exc)
    if why:
        print_text(f"error: {path}: {why}", stderr=True)
        raise typer.Exit(ExitCode.INVALID)
