"""``cfinfra preflight``: a read-only checklist before the first real ``pulumi preview``.

Exit 0 every check holds, 1 one does not (a permission, a name, an expiry), 2 invalid
configuration, 3 a secret problem (a credential missing, unreadable or rejected; an item or field
absent). Nothing is written anywhere; no value is printed.
"""

from __future__ import annotations

import asyncio
import os
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console import err, fail_config, out
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.preflight.checks import Check

HOW = {
    "OP_SERVICE_ACCOUNT_TOKEN": "export OP_SERVICE_ACCOUNT_TOKEN (the read-only 1Password "
    "service account, vault `pulumi`)",
    "AWS": "AWS credentials of the read-only role: export AWS_PROFILE=cfinfra-read-only "
    "(aws sso login), or OIDC in CI",
    "PULUMI": "pulumi login (Pulumi Cloud), or export PULUMI_ACCESS_TOKEN",
}


def _now() -> datetime:
    """The clock (a function so that tests can fix it)."""
    return datetime.now(UTC)


def _aws_session() -> Any:
    import boto3

    return boto3.session.Session()


def _http() -> Any:
    import requests

    return requests


async def _onepassword() -> Any:
    from infra.sources.onepassword import authenticate

    return await authenticate()


def _anaconda() -> Any:
    from infra.rotation.anaconda_api import BinstarApi

    return BinstarApi()


def _project_name(root: Path) -> str:
    """The Pulumi project's name (``Pulumi.yaml``), whose stack must exist."""
    from infra.config.yamlio import load_yaml

    data, _ = load_yaml(root / "Pulumi.yaml", root)
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def missing_credentials(env: dict[str, str], session: Any, pulumi: Any) -> list[Check]:
    """A line per credential a person must bring that is not there (nothing is asked)."""
    from infra.preflight.checks import fail

    out_: list[Check] = []
    if not env.get("OP_SERVICE_ACCOUNT_TOKEN"):
        out_.append(
            fail(
                "start",
                "OP_SERVICE_ACCOUNT_TOKEN",
                "not set",
                HOW["OP_SERVICE_ACCOUNT_TOKEN"],
                secret=True,
            )
        )
    if session.get_credentials() is None:
        out_.append(fail("start", "AWS credentials", "none found", HOW["AWS"], secret=True))
    if pulumi is None:
        out_.append(fail("start", "Pulumi Cloud login", "no token", HOW["PULUMI"], secret=True))
    return out_


def render(check: Check, width: int = 80) -> list[str]:
    """``ok    area  what: detail`` and, for a failure, an indented ``fix:`` line."""
    mark = {"ok": "ok", "FAIL": "FAIL", "SECRET": "SECRET"}[check.verdict]
    head = f"{mark:<6} {check.area:<9} {check.what}"
    if check.detail:
        head += f": {check.detail}"
    lines = textwrap.wrap(head, width, subsequent_indent=" " * 17, break_on_hyphens=False)
    if check.fix:
        lines += textwrap.wrap(
            check.fix,
            width,
            initial_indent=" " * 17 + "fix: ",
            subsequent_indent=" " * 22,
            break_on_hyphens=False,
        )
    return lines


async def _collect(
    root: Path, stack: str, project: Any, pulumi: Any, session: Any, run: Any
) -> list[Check]:
    from infra.config.manifest import ProviderKind
    from infra.preflight import accounts, checks
    from infra.sources.clearance import item_tags

    now = _now()
    http = _http()
    # The run's account reads only its own vaults: the items it cannot read are named, not
    # reported missing; the run's credentials are checked, never the other run's.
    entries = list(run.entries)
    scoped = checks.scope_checks(run)
    try:
        client = await _onepassword()
        tags = await item_tags(client, {e.secret.onepassword.vault for e in entries})
        found, vault = await checks.read_vault(client, entries, tags)
    except Exception as exc:  # the SDK's messages carry no values
        return [
            checks.fail(
                "1password",
                "read the vault",
                str(exc),
                HOW["OP_SERVICE_ACCOUNT_TOKEN"],
                secret=True,
            )
        ]
    found = scoped + found
    found += checks.recorded_expiry_checks(entries, vault, now)
    found += checks.github_checks(entries, vault, now, http, run.environment)
    found += checks.azure_checks(project, vault, http, run.environment)
    found += checks.heroku_checks(project, vault, now, http, run.environment)
    providers = {
        e.id
        for kind in (ProviderKind.GITHUB, ProviderKind.HEROKU)
        for e in checks.provider_entries(entries, kind, run.environment).values()
    }
    found += checks.service_expiry_checks(entries, vault, now, http, providers)
    found += accounts.anaconda_checks(entries, vault, _anaconda(), now, http)
    found += accounts.aws_checks(project, vault, session, now)
    found += accounts.pulumi_checks(pulumi, _project_name(root), stack, http)
    return found


def preflight(
    root: Annotated[Path, typer.Option("--root", help="The project directory.")] = Path("."),
    stack: Annotated[str, typer.Option("--stack", help="The stack to check.")] = "prod",
) -> None:
    """Check, read-only, everything the first real preview needs: each 1Password item and field
    the manifest names (clearance tag, value-set-at, expires), each provider credential
    (authenticates, permissions, expiry), the Azure DevOps groups, the Heroku app and its var
    names, the anaconda.org issuer (both schemes, its organisations), the AWS role, the state
    bucket and key, and the Pulumi stack. One line per check, with what to do when one fails.

    With `CFINFRA_ENVIRONMENT=read-only` (a read-only run, as the program reads it) it checks the
    read-only runs' provider credentials, with the read-only 1Password account: run it so before
    the first read-only run, to see the read-only items resolve for that account. The items in
    vaults the run's account does not read (`onepassword_vaults`) are named, not checked.

    Exit 0 all hold, 1 one does not, 2 invalid configuration, 3 a secret problem. Nothing is
    written; no value is printed.
    """
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.preflight import accounts
    from infra.preflight.checks import Verdict, scope
    from infra.runtime_config import run_environment, stated_environment

    try:
        project = load_project(root, stack)
        run = scope(project, run_environment(project, stated_environment(os.environ)))
    except ConfigError as exc:
        raise fail_config(exc) from None
    env = dict(os.environ)
    session = _aws_session()
    pulumi = accounts.pulumi_token(env, accounts.home())
    found = missing_credentials(env, session, pulumi)
    if not found:
        found = asyncio.run(_collect(root, stack, project, pulumi, session, run))
    for check in found:
        stream = out if check.verdict is Verdict.OK else err
        for line in render(check, min(out.width, 80)):
            stream.print(line, markup=False, highlight=False)
    bad = [c for c in found if c.verdict is not Verdict.OK]
    out.print(f"{len(found) - len(bad)} of {len(found)} checks hold", markup=False)
    if any(c.verdict is Verdict.SECRET for c in bad):
        raise typer.Exit(ExitCode.SECRETS)
    raise typer.Exit(ExitCode.FOUND if bad else ExitCode.OK)
