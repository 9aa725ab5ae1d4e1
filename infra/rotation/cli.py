"""``cfinfra rotation status`` and ``cfinfra rotation run``.

Exit codes follow ``cfinfra``: 0 ok; 1 something is overdue or missing (status) or a rotator stopped
(run); 2 invalid manifest or arguments; 3 1Password could not be reached. Imports of the SDKs happen
inside the commands so that ``cfinfra --help`` stays instant.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console import (
    check_output_path,
    err,
    fail_config,
    out,
    print_document,
    wrap,
    write_output,
)
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.config.manifest import SecretEntry
    from infra.rotation.base import RotationContext, Rotator
    from infra.rotation.runner import Outcome
    from infra.rotation.status import StatusRow

app = typer.Typer(
    name="rotation",
    help="Secret rotation: policy status from 1Password, and the automatic rotators.",
    no_args_is_help=True,
    add_completion=False,
    # Never render tracebacks with local variables: a rotator's locals can hold a new secret.
    pretty_exceptions_enable=False,
)


RootOpt = Annotated[
    Path, typer.Option("--root", help="Project directory holding the secrets/ manifest.")
]


def _now() -> datetime:
    """The clock (a function so that tests can fix it)."""
    return datetime.now(UTC)


def load_entries(root: Path) -> list[SecretEntry]:
    """The manifest's entries; bad configuration ends the command (``fail_config``)."""
    from infra.config.loader import load_manifest
    from infra.errors import ConfigError

    try:
        return load_manifest(root)
    except ConfigError as exc:
        raise fail_config(exc) from None


def _entries_of_the_run(root: Path, stack: str) -> tuple[list[SecretEntry], tuple[str, ...]]:
    """Every manifest entry; for a stated run (``CFINFRA_ENVIRONMENT``), those its account reads
    and the vaults it does not (the stack is loaded only then: the manifest alone knows no
    account)."""
    from infra.runtime_config import readable_by_run, run_environment, stated_environment

    stated = stated_environment(os.environ)
    if stated is None:
        return load_entries(root), ()
    from infra.config.loader import load_project
    from infra.errors import ConfigError

    try:
        project = load_project(root, stack)
        _, entries, unreadable = readable_by_run(project, run_environment(project, stated))
    except ConfigError as exc:
        raise fail_config(exc) from None
    return list(entries), unreadable


def _reason(exc: Exception) -> str:
    """The cause in one line, without the source's own prefixes (``1Password: 1Password: …``)."""
    from infra.errors import SecretSourceError

    if isinstance(exc, SecretSourceError):
        return "; ".join(why for _, why in exc.failures)
    return str(exc) or type(exc).__name__


def onepassword_failed(exc: Exception) -> typer.Exit:
    """1Password could not be read: one line, exit 3 (the exit to raise)."""
    err.print(f"1Password could not be read: {_reason(exc)}", markup=False)
    return typer.Exit(ExitCode.SECRETS)


AGES_HINT = (
    "To read the ages, export OP_SERVICE_ACCOUNT_TOKEN: a 1Password service account token that can "
    "list the vaults above (see docs/runbooks/rotate-a-token.md)."
)


@app.command(
    epilog="\b\nExamples:\n  cfinfra rotation status\n  cfinfra rotation status --markdown -\n"
    "  cfinfra rotation status --offline"
)
def status(
    root: RootOpt = Path("."),
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", help="Also write the report as Markdown (for a GitHub issue)."),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Do not ask 1Password: list every secret's policy and what would be checked.",
        ),
    ] = False,
    counts_path: Annotated[
        Path | None,
        typer.Option(
            "--counts",
            help="Also write how many secrets are in each state and how many automatic "
            "rotations are in progress, as JSON (numbers only: safe for a public issue).",
        ),
    ] = None,
    stack: Annotated[
        str, typer.Option("--stack", help="The stack whose environments a stated run reads.")
    ] = "prod",
) -> None:
    """Age of every secret against its policy (1Password timestamps only; no secret is read).

    Exit 0 nothing due, 1 something overdue or missing, 2 invalid manifest, 3 1Password could not
    be read (OP_SERVICE_ACCOUNT_TOKEN unset or refused): then the policies are listed offline and
    no age is known. `--offline` lists the policies on purpose and exits 0. A rotation in progress
    (waiting for delivery or for the end of its overlap) is not "due": `--counts` reports it
    (`in-progress`), so that the scheduled workflow runs the rotators to advance it.

    With `CFINFRA_ENVIRONMENT` set (the read-only jobs set it), only the items that run's
    1Password account reads (its environment's `onepassword_vaults` in the stack) are judged;
    the vaults it does not read, by design, are named.
    """
    from infra.rotation.render import markdown as render_markdown
    from infra.rotation.render import notes, summary, table
    from infra.rotation.status import counts, exit_code

    if markdown is not None:
        check_output_path(markdown, "--markdown")
    if counts_path is not None:
        check_output_path(counts_path, "--counts")
    entries, unreadable = _entries_of_the_run(root, stack)
    if unreadable:
        vaults = ", ".join(f"`{v}`" for v in unreadable)
        message = f"not judged: vaults {vaults}, which this run's account does not read, by design"
        out.print(wrap(message, out.width), markup=False)
    now = _now()
    if offline:
        _print_offline(entries)
        _write_offline(entries, markdown, counts_path)
        return
    try:
        rows = asyncio.run(_collect(entries, now))
    except Exception as exc:  # authentication or vault listing failed; SDK messages hold no values
        _print_offline(entries)
        message = f"1Password could not be read ({_reason(exc)}): no age is known. {AGES_HINT}"
        err.print(wrap(message, err.width), markup=False)
        raise typer.Exit(ExitCode.SECRETS) from None
    out.print(table(rows, now))
    for line in notes(rows):
        out.print(line, markup=False)
    out.print(summary(rows))
    started = [r.secret_id for r in rows if r.in_progress]
    if started:
        out.print(f"rotation in progress: {', '.join(started)}", markup=False)
    if markdown is not None:
        write_output(markdown, render_markdown(rows, now), "--markdown")
        out.print(f"wrote {markdown}")
    if counts_path is not None:
        write_output(counts_path, json.dumps(counts(rows), sort_keys=True) + "\n", "--counts")
        out.print(f"wrote {counts_path}")
    failing = [f"{r.secret_id} ({r.state})" for r in rows if r.state.failing]
    if failing:
        err.print(f"needs rotation or repair: {', '.join(failing)}", markup=False)
    raise typer.Exit(exit_code(rows))


@app.command(
    epilog="\b\nExamples:\n  cfinfra rotation plan prod-binstar-token\n"
    "  cfinfra rotation plan prod-binstar-token --stack prod"
)
def plan(
    secret: Annotated[str, typer.Argument(help="The secret's id (its file name in secrets/).")],
    root: RootOpt = Path("."),
    stack: Annotated[
        str, typer.Option("--stack", help="The stack whose targets receive the new values.")
    ] = "prod",
) -> None:
    """The exact steps a rotation of SECRET takes, offline: targets, overlap, failures, people."""
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.rotation.plan import render, rotation_plan
    from infra.rotation.targets import target_urns

    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    entry = next((e for e in project.secrets if e.id == secret), None)
    if entry is None:
        from infra.config.base import did_you_mean

        known = [e.id for e in project.secrets]
        err.print(
            f"error: no secret `{secret}` in the manifest{did_you_mean(secret, known)}",
            markup=False,
        )
        raise typer.Exit(ExitCode.INVALID)
    urns = target_urns(project, [entry])[entry.id] if entry.secret.targets else []
    print_document(render(rotation_plan(project, entry, urns)))


def _write_offline(
    entries: list[SecretEntry], markdown: Path | None, counts_path: Path | None
) -> None:
    """``--offline`` still writes what it was asked to: the policies, and numbers only."""
    from infra.rotation.render import offline_counts, offline_markdown

    if markdown is not None:
        write_output(markdown, offline_markdown(entries), "--markdown")
        out.print(f"wrote {markdown}")
    if counts_path is not None:
        text = json.dumps(offline_counts(entries), sort_keys=True) + "\n"
        write_output(counts_path, text, "--counts")
        out.print(f"wrote {counts_path}")


def _print_offline(entries: list[SecretEntry]) -> None:
    from infra.rotation.render import OFFLINE_NOTE, offline_table

    out.print(offline_table(entries))
    out.print(wrap(OFFLINE_NOTE, out.width), markup=False)


async def _collect(entries: list[SecretEntry], now: datetime) -> list[StatusRow]:
    from infra.rotation.status import collect_status
    from infra.sources.onepassword import authenticate

    client = await authenticate()
    return await collect_status(client, entries, now)


@app.command(
    epilog="\b\nExamples:\n  cfinfra rotation run --dry-run\n"
    "  cfinfra rotation run --secret cirun-aws-access-key"
)
def run(
    root: RootOpt = Path("."),
    secret: Annotated[
        str | None, typer.Option("--secret", help="Only this secret's rotation (its id).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be done; change nothing.")
    ] = False,
    deployed: Annotated[
        bool,
        typer.Option(
            "--deployed",
            help="`pulumi up` has delivered what 1Password holds: superseded keys may be "
            "deactivated. Pass it only on the run right after a successful `pulumi up`.",
        ),
    ] = False,
    emergency: Annotated[
        bool,
        typer.Option(
            "--emergency",
            help="The stored token of --secret LEAKED: replace it, deliver the new one to every "
            "target, and remove the old one as soon as every target holds the new one (no "
            "overlap), all in this run. Prints what was switched when. anaconda.org tokens only; "
            "see docs/runbooks/leaked-token.md.",
        ),
    ] = False,
    stack: Annotated[
        str, typer.Option("--stack", help="The stack whose targets receive the new values.")
    ] = "prod",
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver/--no-deliver",
            help="Deliver a new anaconda.org token with a targeted `pulumi up` (needs the Pulumi "
            "CLI and deploy credentials). --no-deliver leaves delivery to the deploy workflow: "
            "the run only checks the targets and waits until they hold the new token.",
        ),
    ] = True,
    counts_path: Annotated[
        Path | None,
        typer.Option(
            "--counts",
            help="Also write how many rotations advanced, were unchanged or failed, as JSON "
            "(numbers only: safe for a public issue).",
        ),
    ] = None,
) -> None:
    """Advance every automatic rotation with work to do (anaconda.org tokens: delivered too)."""
    # An anaconda.org token is delivered by this command: a targeted `pulumi up` of its targets,
    # then a read-only check of each. Other rotators leave delivery to the `pulumi up` after it.
    from infra.config.manifest import ANACONDA
    from infra.rotation.base import RotationContext
    from infra.rotation.runner import SelectionError, select_automatic

    if counts_path is not None:
        check_output_path(counts_path, "--counts")
    entries = load_entries(root)
    try:
        selected = select_automatic(entries, secret)
    except SelectionError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(ExitCode.INVALID) from None
    if emergency and (secret is None or selected[0].secret.rotation.rotator != ANACONDA):
        err.print(
            "--emergency needs --secret naming an anaconda.org token; for any other secret follow "
            "docs/runbooks/leaked-token.md",
            markup=False,
        )
        raise typer.Exit(ExitCode.INVALID)
    if not selected:
        out.print("no secret is rotated automatically")
        return
    ctx = RotationContext(now=_now(), dry_run=dry_run, deployed=deployed, emergency=emergency)
    # The offline program run that finds the URNs has an event loop of its own: before ours.
    targets = _anaconda_targets(root, stack, selected, deliver)
    try:
        outcomes = asyncio.run(_run(targets, selected, ctx))
    except Exception as exc:  # authentication failed before any rotator ran
        raise onepassword_failed(exc) from None
    _print_outcomes(outcomes, ctx)
    if counts_path is not None:
        text = json.dumps(run_counts(outcomes), sort_keys=True) + "\n"
        write_output(counts_path, text, "--counts")
    raise typer.Exit(ExitCode.FOUND if any(o.error for o in outcomes) else ExitCode.OK)


def run_counts(outcomes: list[Outcome]) -> dict[str, int]:
    """``advanced`` (a step was taken), ``unchanged`` (nothing to do now: not due, or waiting for
    delivery or the end of an overlap), ``failed`` (stopped): numbers only."""
    result = {"advanced": 0, "unchanged": 0, "failed": 0}
    for outcome in outcomes:
        if outcome.error or outcome.report is None:
            result["failed"] += 1
        elif outcome.report.actions:
            result["advanced"] += 1
        else:
            result["unchanged"] += 1
    return result


def _anaconda_targets(
    root: Path, stack: str, selected: list[SecretEntry], deliver: bool
) -> tuple[Path | None, str, Any, dict[str, list[str]]] | None:
    """``(root, stack, project, URNs by secret id)`` when an anaconda.org token is selected; the
    root is ``None`` when delivery is left to the deploy workflow (no URNs needed then)."""
    from infra.config.loader import load_project
    from infra.config.manifest import ANACONDA
    from infra.errors import ConfigError
    from infra.rotation.targets import target_urns

    mine = [e for e in selected if e.secret.rotation.rotator == ANACONDA]
    if not mine:
        return None
    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    if not deliver:
        return None, stack, project, {}
    return root, stack, project, target_urns(project, mine)


async def _run(
    targets: tuple[Path | None, str, Any, dict[str, list[str]]] | None,
    selected: list[SecretEntry],
    ctx: RotationContext,
) -> list[Outcome]:
    import boto3

    from infra.config.manifest import ANACONDA, AWS_IAM_ACCESS_KEY
    from infra.rotation.aws_iam import AwsIamAccessKeyRotator, default_sts_factory
    from infra.rotation.runner import run_rotations
    from infra.sources.onepassword import authenticate

    client = await authenticate()
    session = boto3.session.Session()
    region = session.region_name or "us-east-1"
    anaconda: list[Rotator] = []

    def rotator_for(name: str) -> Rotator | None:
        if name == AWS_IAM_ACCESS_KEY:
            return AwsIamAccessKeyRotator(
                client, session.client("iam"), default_sts_factory(region)
            )
        if name == ANACONDA and targets is not None:
            if not anaconda:
                anaconda.append(_anaconda_rotator(client, *targets))
            return anaconda[0]
        return None

    return await run_rotations(selected, rotator_for, ctx)


def _anaconda_rotator(
    client: Any, root: Path | None, stack: str, project: Any, urns: dict[str, list[str]]
) -> Rotator:
    """The anaconda.org rotator wired to this project: issuer from 1Password, delivery by a
    targeted `pulumi up` of the URNs the offline program run found, HTTPS checks of the targets."""
    from pydantic import SecretStr

    from infra.rotation.anaconda import AnacondaTokenRotator, Wiring
    from infra.rotation.anaconda_api import BinstarApi
    from infra.rotation.delivery import HttpVerifier, PulumiUpDeliverer

    by_id = {e.id: e for e in project.secrets}

    async def issuer_for(issuer_id: str) -> SecretStr:
        return SecretStr(await client.secrets.resolve(by_id[issuer_id].secret.onepassword.uri))

    wiring = Wiring(
        issuer_for=issuer_for,
        urns_for=lambda entry: urns[entry.id],
        deliverer=None
        if root is None
        else PulumiUpDeliverer(
            root, stack, on_output=lambda line: out.print(line.rstrip(), markup=False)
        ),
        verifier=HttpVerifier(project.config),
    )
    return AnacondaTokenRotator(client, BinstarApi(), wiring)


def _print_outcomes(outcomes: list[Outcome], ctx: RotationContext) -> None:
    delivered_needed = False
    for outcome in outcomes:
        rotation = outcome.entry.secret.rotation
        target = f" (IAM user {rotation.aws_iam_user})" if rotation.aws_iam_user else ""
        if rotation.anaconda is not None:
            target = f" (anaconda.org organisation {rotation.anaconda.org})"
        out.print(f"{outcome.entry.id}: {rotation.rotator}{target}", markup=False)
        if outcome.error:
            err.print(f"  stopped: {outcome.error}", markup=False)
            continue
        assert outcome.report is not None
        for action in outcome.report.actions:
            out.print(f"  - {action}", markup=False)
        for note in outcome.report.notes:
            out.print(f"  note: {note}", markup=False)
        if not outcome.report.actions and not outcome.report.notes:
            out.print("  nothing to do", markup=False)
        # An anaconda.org rotation says itself how it is delivered (in this run, or a note).
        delivered_needed |= outcome.report.stored_new_value and rotation.anaconda is None
    if ctx.dry_run:
        out.print("dry run: nothing was changed")
    elif delivered_needed:
        out.print(
            "1Password holds new values: run `pulumi up` to deliver them, "
            "then `cfinfra rotation run --deployed`"
        )
