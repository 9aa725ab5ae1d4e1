"""``cfinfra who-can read SECRET``, ``cfinfra who-can use LABEL``, ``cfinfra access PERSON``.

Exit codes: 0 answered; 2 invalid configuration or an unknown name (with suggestions).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from infra.console import RootOpt, StackOpt, err, fail_config, out, print_document, wrap
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.config.loader import Project

who_can = typer.Typer(
    name="who-can",
    help="Who can read a secret, or run jobs on a runner label (from the data files).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]


def _project(root: Path, stack: str) -> Project:
    from infra.config.loader import load_project
    from infra.errors import ConfigError

    try:
        return load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None


def _answer(fn: Any, *args: Any) -> Any:
    from infra.query.answers import UnknownName

    try:
        return fn(*args)
    except UnknownName as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(ExitCode.INVALID) from None


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column)
    return table


def _para(text: str, indent: str = "") -> None:
    out.print(wrap(indent + text, out.width, indent=indent + "  "), markup=False)


def _json(answer: Any) -> None:
    print_document(json.dumps(asdict(answer), indent=2) + "\n")


@who_can.command(
    "read",
    epilog="\b\nExamples:\n  cfinfra who-can read prod-binstar-token\n"
    "  cfinfra who-can read prod-binstar-token --json",
)
def read(
    secret: Annotated[str, typer.Argument(help="The secret's id (its file name in secrets/).")],
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Every place a secret is delivered, who can read it there and why (the leak guard's view)."""
    from infra.query.answers import who_can_read

    answer = _answer(who_can_read, _project(root, stack), secret)
    if as_json:
        _json(answer)
        return
    _para(
        f"{answer.secret} ({answer.sensitivity}, cleared for {answer.cleared_for}) "
        f"reaches: {answer.reaches}"
    )
    # Paragraphs, not a table: a table column cuts long identifiers (`allow_acces…`); wrapped
    # text never breaks a word.
    for t in answer.targets:
        out.print()
        _para(t.target)
        _para(f"audience: {t.audience}", indent="  ")
        _para(f"why: {t.why}", indent="  ")
    for repo in answer.repository_writers:
        out.print()
        _para(
            f"can write {repo.repository}, so can run a workflow that reads it "
            f"({len(repo.writers)}): {_by_route(repo.writers)}"
        )
    out.print()
    _para(
        f"core ({len(answer.core_people)}, org owners and conda-forge/core members, who can "
        f"read every delivered secret): {', '.join(answer.core_people)}"
    )


def _by_route(writers: list[dict[str, str]]) -> str:
    """``as org owner: a, b; as core (admin): c``."""
    groups: dict[str, list[str]] = {}
    for w in writers:
        groups.setdefault(w["through"], []).append(w["login"])
    if not groups:
        return "nobody this stack manages"
    return "; ".join(f"as {how}: {', '.join(logins)}" for how, logins in groups.items())


@who_can.command(
    "use",
    epilog="\b\nExamples:\n  cfinfra who-can use cirun-openstack-gpu-large\n"
    "  cfinfra who-can use cirun-macos-m4-large --json",
)
def use(
    label: Annotated[str, typer.Argument(help="A runner label (data/runners/resources.yaml).")],
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """The feedstocks (and people) granted a runner label by data/runners/access/."""
    from infra.query.answers import who_can_use

    answer = _answer(who_can_use, _project(root, stack), label)
    if as_json:
        _json(answer)
        return
    status = "current" if answer.current else "retired (its host is decommissioned)"
    _para(f"{answer.label} ({answer.cloud}, {status}): {len(answer.grants)} grant(s)")
    if answer.grants:
        table = _table("feedstock", "grant", "who", "PRs")
        for g in answer.grants:
            table.add_row(
                g["feedstock"], g["grant"], ", ".join(g["who"]), "yes" if g["pull_request"] else ""
            )
        out.print(table)


def access(
    person: Annotated[str, typer.Argument(help="A GitHub login (data/github/).")],
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """What a person can do: org role, teams, the secrets they can read, their runner grants."""
    from infra.query.answers import access_of

    answer = _answer(access_of, _project(root, stack), person)
    if as_json:
        _json(answer)
        return
    role = "org owner" if answer.owner else "org member" if answer.member else "not an org member"
    _para(f"{answer.login}: {role}, audience `{answer.audience}`")
    teams = ", ".join(f"{t['team']} ({t['role']})" for t in answer.teams) or "none"
    _para(f"teams: {teams}", indent="  ")
    if answer.owner:
        _para("can write: every repository (org owner)", indent="  ")
    else:
        writes = ", ".join(
            f"{w['repository']} (as {w['through']})" for w in answer.writable_repositories
        )
        _para(f"can write: {writes or 'no managed repository'}", indent="  ")
    _para(
        f"secrets readable ({len(answer.readable_secrets)}): "
        f"{', '.join(answer.readable_secrets) or 'none'}",
        indent="  ",
    )
    if answer.runner_grants:
        table = _table("feedstock", "grant", "labels")
        for g in answer.runner_grants:
            table.add_row(g["feedstock"], g["grant"], ", ".join(g["labels"]))
        out.print(table)
    else:
        _para("runner grants naming them: none", indent="  ")
