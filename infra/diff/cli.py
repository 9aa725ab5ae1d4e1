"""``cfinfra diff``: what a pull request changes, as a Markdown comment, plus the removal guard.

Exit codes follow ``cfinfra``'s: 0 fine, 1 the removal guard refuses (the Markdown is still written,
so the workflow can post it and then fail), 2 no diff possible (a side does not validate, an
unreadable plan file, an unknown revision, wrong arguments), 3 a plan refuses because a secret value
would reach an input not marked secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.config.jsonio import load_json
from infra.console import (
    check_output_path,
    is_stdout,
    print_document,
    print_text,
    write_output,
)
from infra.exitcodes import ExitCode
from infra.plan.model import Plan

if TYPE_CHECKING:
    from infra.diff.risks import DiffReport
    from infra.markdown import Document

HEAD_LABEL = "the working tree"


def _fail(message: str) -> typer.Exit:
    print_text(f"error: {message}", stderr=True)
    return typer.Exit(ExitCode.INVALID)


def _emit(markdown: Document, output: Path | None) -> None:
    """Only a ``Document`` is written: the masking pass has run over it."""
    if output is None:
        print_document(markdown)
    else:
        write_output(output, markdown, "--output")


def _head_id(root: Path) -> str:
    """The head commit (the working tree is what was planned; CI checks out a clean commit)."""
    from infra.diff.source import RevisionError, resolve_commit

    try:
        return resolve_commit(root, "HEAD")
    except RevisionError:
        return "working tree"


def diff(
    base: Annotated[
        str | None,
        typer.Option(
            help="Git revision that is the base (e.g. origin/main), planned with its own code."
        ),
    ] = None,
    stack: Annotated[str, typer.Option("--stack", "-s", help="The stack to plan.")] = "prod",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the Markdown here instead of stdout (`-`: stdout)."
        ),
    ] = None,
    allow_removals: Annotated[
        bool, typer.Option("--allow-removals", help="Let the removal guard pass (still reported).")
    ] = False,
    max_removal_share: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Share of a resource type a change may delete."),
    ] = 0.2,
    base_plan: Annotated[
        Path | None, typer.Option(help="Compare plan files instead: the base plan JSON.")
    ] = None,
    head_plan: Annotated[
        Path | None, typer.Option(help="The head plan JSON (with --base-plan).")
    ] = None,
    root: Annotated[
        Path, typer.Option(help="The project directory (holding Pulumi.<stack>.yaml).")
    ] = Path("."),
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", help="Also write the reviewed change set (URN, op, properties) here."
        ),
    ] = None,
) -> None:
    """Diff the stack's plan against a base: Markdown for the pull request; exit 1 if guarded."""
    from infra.diff.guard import GuardPolicy
    from infra.diff.markdown import render_markdown
    from infra.diff.risks import build_report

    if output is not None:
        check_output_path(output, "--output")
    use_files = base_plan is not None or head_plan is not None
    if use_files == (base is not None) or (use_files and (base_plan is None or head_plan is None)):
        raise _fail("give either --base REV, or both --base-plan and --head-plan")
    if base_plan is not None and head_plan is not None:
        sides = _from_plan_files(base_plan, head_plan)
    else:
        assert base is not None
        sides = _from_revision(root, stack, base, output)
    if json_out is not None:
        _write_change_set(sides, json_out)
    policy = GuardPolicy(max_share=max_removal_share, allow_removals=allow_removals)
    report = build_report(sides.base, sides.head, policy)
    _emit(render_markdown(report, base_label=sides.base_label, head_label=sides.head_label), output)
    _report_to_terminal(report, output)
    raise typer.Exit(ExitCode.FOUND if report.guard.tripped else ExitCode.OK)


@dataclass(frozen=True)
class Sides:
    """The two plans a diff compares, how the comment names them, and what the change set
    records as their identities."""

    base: Plan
    head: Plan
    base_label: str
    head_label: str
    base_id: str
    head_id: str


def _from_plan_files(base_plan: Path, head_plan: Path) -> Sides:
    from infra.markdown import code

    plans: list[Plan] = []
    for path in (base_plan, head_plan):
        doc, problems = load_json(path)
        if problems:
            raise _fail(f"cannot read plan {problems[0]}")
        try:
            plans.append(Plan.from_data(doc))
        except (ValueError, KeyError, TypeError) as exc:
            raise _fail(f"cannot read plan {path}: {exc}") from None
    base, head = plans
    return Sides(
        base, head, code(str(base_plan)), code(str(head_plan)), str(base_plan), str(head_plan)
    )


def _refused(exc: Exception, stack: str, side: str, base: str, output: Path | None) -> typer.Exit:
    """One side cannot be planned: the comment says why (the full report), exit 2 or 3."""
    from infra.diff.markdown import render_invalid
    from infra.diff.source import BaseRefused
    from infra.errors import ConfigError
    from infra.markdown import code
    from infra.plan.mask import SecretLeakError

    if isinstance(exc, ConfigError):
        text, leak = exc.report(), ExitCode.of_config_error(exc) is ExitCode.SECRETS
    elif isinstance(exc, BaseRefused):
        text, leak = exc.report, exc.leak
    else:
        text, leak = str(exc), isinstance(exc, SecretLeakError)
    _emit(
        render_invalid(
            stack,
            text,
            side=side,
            label="leak-guard" if leak else "invalid-config",
            base_label=code(base),
            head_label=HEAD_LABEL,
        ),
        output,
    )
    print_text(f"error: the {side} cannot be planned\n{text}", stderr=True)
    return typer.Exit(ExitCode.SECRETS if leak else ExitCode.INVALID)


def _from_revision(root: Path, stack: str, base: str, output: Path | None) -> Sides:
    """The working tree (head) and ``base``, each planned with its own code."""
    from infra.diff.source import (
        BaseRefused,
        RevisionError,
        has_own_code,
        plan_revision,
        plan_tree,
        resolve_commit,
        same_code,
    )
    from infra.errors import ConfigError
    from infra.markdown import code
    from infra.plan.engine import plan_stack
    from infra.plan.mask import SecretLeakError

    try:  # a mistyped revision should fail before seconds of planning
        commit = resolve_commit(root, base)
    except RevisionError as exc:
        raise _fail(str(exc)) from None
    side = "head"  # planned first: if both sides are broken, the head's problems matter
    try:
        if has_own_code(root) and not same_code(root):
            # Another checkout: its own code plans it, as the base's plans the base.
            head, _ = plan_tree(root, stack, label="head")
        else:
            head = plan_stack(root, stack)
        side = "base"
        found = plan_revision(root, stack, commit)
    except RevisionError as exc:
        raise _fail(str(exc)) from None
    except (ConfigError, SecretLeakError, BaseRefused) as exc:
        raise _refused(exc, stack, side, base, output) from None
    base_label = f"{code(base)} ({code(found.commit[:12])})"
    if found.stack_missing:
        base_label += ", where the stack does not exist yet"
    else:
        base_label += f", planned with {found.how}"
    return Sides(found.plan, head, base_label, HEAD_LABEL, found.commit, _head_id(root))


def _write_change_set(sides: Sides, json_out: Path) -> None:
    from infra.plan.changeset import build_change_set

    change_set = build_change_set(
        sides.base, sides.head, base_label=sides.base_id, head_label=sides.head_id
    )
    try:
        change_set.write(json_out)
    except ValueError as exc:
        raise _fail(f"cannot write the change set: {exc}") from None


def _report_to_terminal(report: DiffReport, output: Path | None) -> None:
    from infra.diff.risks import risks
    from infra.markdown import plain

    print_text("no changes" if report.is_empty else f"{report.summary()}", stderr=True)
    if output is not None and not is_stdout(output):
        # The comment is in the file; the terminal gets what to look at first.
        for risk in risks(report):
            print_text(f"  risk {risk.label}: {plain(risk.detail)}", stderr=True)
        print_text(f"wrote {output}", stderr=True)
    if report.guard.violated:
        print_text(report.guard.message(), stderr=True)
