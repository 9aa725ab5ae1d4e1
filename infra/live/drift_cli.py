"""`cfinfra selection-drift` (the drift workflow's independent check) and `cfinfra api-cost`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console import (
    RootOpt,
    StackOpt,
    check_output_path,
    err,
    fail_config,
    out,
    write_output,
)
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.config.loader import Project

OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Also write the Markdown here (`-`: stdout).")
]


def _value(x: object) -> str:
    return str(getattr(x, "value", x))


def _github_token(project: Project) -> str:
    """GITHUB_TOKEN, else the stack's own GitHub provider token, resolved from 1Password with
    OP_SERVICE_ACCOUNT_TOKEN exactly as `pulumi preview` resolves it (clearance tags checked):
    the token of the run `CFINFRA_ENVIRONMENT` states (the read-only one in a read-only run,
    whose 1Password account cannot read the deploy's), never the other run's."""
    from infra.runtime_config import run_environment, stated_environment

    token = os.environ.get("GITHUB_TOKEN", "")
    if token or not os.environ.get("OP_SERVICE_ACCOUNT_TOKEN"):
        return token
    environment = run_environment(project, stated_environment(os.environ))
    entries = [
        e
        for e in project.secrets
        for t in e.secret.targets
        if _value(t.kind) == "provider-credential"
        and _value(getattr(t, "provider", "")) == "github"
        and _value(getattr(t, "input", "")) == "token"
        and getattr(t, "environment", None) == environment
    ]
    if not entries:
        return ""
    from infra.sources.onepassword import OnePasswordSource

    ref = entries[0].secret.onepassword
    return OnePasswordSource(clearances=entries[:1]).resolve_all([ref])[ref.uri]


def selection_drift(
    stack: StackOpt = "prod", root: RootOpt = Path("."), output: OutputOpt = None
) -> None:
    """Compare the live runner-group and org-secret repository selections with the plan.

    The refresh cannot be trusted here: the runner-group Read skips the group's repositories when
    GitHub answers 304 for the group (docs/provider-behaviour.md). Reads GITHUB_TOKEN, or the
    stack's GitHub token from 1Password (OP_SERVICE_ACCOUNT_TOKEN). Prints what differs, the
    requests made and the refresh's estimated cost. Exit 0 equal, 1 drift (security-relevant),
    2 invalid, 3 token unresolved, 4 GitHub unavailable.
    """
    from infra.config.loader import load_project
    from infra.errors import ConfigError, SecretSourceError
    from infra.live.api_cost import refresh_cost
    from infra.live.api_cost import render as render_cost
    from infra.live.client import Unavailable, github_client
    from infra.live.selections import check_selections, render
    from infra.live.snapshot import Recorder
    from infra.plan.engine import plan_stack

    if output is not None:
        check_output_path(output, "--output")
    try:
        project = load_project(root, stack)
        plan = plan_stack(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    try:
        token = _github_token(project)
    except ConfigError as exc:
        raise fail_config(exc) from None
    except SecretSourceError as exc:
        err.print(f"selection-drift: {exc}", markup=False)
        raise typer.Exit(ExitCode.SECRETS) from None
    if not token:
        err.print("selection-drift: no GITHUB_TOKEN and no 1Password token to read one with")
        raise typer.Exit(ExitCode.INVALID)
    recorder = Recorder(github=github_client(token), org=project.config.github.org)
    try:
        result = check_selections(plan, recorder)
    except Unavailable as exc:
        err.print(f"selection-drift: {exc}", markup=False)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    if result.problems:
        for problem in result.problems:
            err.print(str(problem), markup=False)
        raise typer.Exit(ExitCode.INVALID)
    requests = recorder.github.rate.requests
    cost_lines = render_cost(refresh_cost(plan), requests)
    cost = "\n".join(cost_lines) + "\n"
    if output is None or str(output) == "-":
        out.print(render(result, requests), markup=False)
    else:
        # Which repositories may read a secret is security-relevant: the details go to the file
        # (the drift workflow keeps it private when anything differs), the log gets counts only.
        write_output(output, render(result, requests, after=cost_lines), "--output")
        out.print(
            f"selections: {result.compared} compared, {len(result.drifted)} differ, "
            f"{len(result.unmanaged)} live but not declared, {len(result.not_read)} not "
            f"readable (details in {output})",
            markup=False,
        )
    out.print(cost, markup=False)
    out.print(recorder.github.rate.summary(), markup=False)
    raise typer.Exit(ExitCode.FOUND if result.found else ExitCode.OK)


def api_cost(stack: StackOpt = "prod", root: RootOpt = Path("."), output: OutputOpt = None) -> None:
    """The GitHub requests a refresh of the stack makes, estimated per resource type, against
    the 5,000/hour budget (offline: from the plan and the provider's Read of each type)."""
    from infra.errors import ConfigError
    from infra.live.api_cost import refresh_cost, render
    from infra.markdown import document
    from infra.plan.engine import plan_stack

    if output is not None:
        check_output_path(output, "--output")
    try:
        plan = plan_stack(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    text = document("\n".join(render(refresh_cost(plan))) + "\n")
    out.print(text, markup=False, end="")
    if output is not None and str(output) != "-":
        write_output(output, text, "--output")
