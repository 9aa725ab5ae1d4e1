"""`cfinfra actions-audit SNAPSHOT_OR_DIR`: what a proposed Actions policy would block."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from infra.console import err, fail_config, out
from infra.errors import Problem
from infra.exitcodes import ExitCode

SOURCE_HELP = (
    "A snapshot (JSON, `cfinfra snapshot`) or a folder: `<repo>/.github/workflows/*.yml` per "
    "repository, or one repository's checkout."
)


def _workflow_files(source: Path) -> tuple[list[tuple[str, str, str]], list[Problem]]:
    """(repository, path, text) of every workflow and composite action in ``source``."""
    from infra.config.yamlio import read_text
    from infra.live.recorded import SnapshotError, file_text, load_snapshot
    from infra.switchover.workflows import is_workflow_path

    files: list[tuple[str, str, str]] = []
    problems: list[Problem] = []
    if not source.is_dir():  # a snapshot; the reader says why if it is none (missing, a FIFO)
        try:
            snap = load_snapshot(source)
        except SnapshotError as exc:
            return [], exc.problems
        for path, body in snap.under("/repos/"):
            parts = path.split("/", 5)  # "", repos, owner, repo, contents, file path
            if len(parts) < 6 or parts[4] != "contents" or not is_workflow_path(parts[5]):
                continue
            text = file_text(body)
            if text is None:
                problems.append(Problem(str(source), f"GET {path}", "not a base64 file body"))
                continue
            files.append((parts[3], parts[5], text))
        return files, problems
    roots = (
        [source]
        if (source / ".github").is_dir()
        else sorted(p for p in source.iterdir() if p.is_dir())
    )
    for repo_dir in roots:
        for f in sorted(repo_dir.rglob("*")):
            rel = f.relative_to(repo_dir).as_posix()
            if f.is_file() and is_workflow_path(rel):
                text, found = read_text(f, None, confine=False)
                if text is None:
                    problems += found
                else:
                    files.append((repo_dir.name, rel, text))
    return files, problems


def _policy(policy_file: Path | None, root: Path, stack: str):  # -> ActionsPolicy
    from infra.config.base import validate
    from infra.config.github_org import ActionsPolicy
    from infra.config.loader import load_project
    from infra.config.yamlio import load_yaml

    if policy_file is not None:
        data, problems = load_yaml(policy_file, None)
        if problems:
            raise _fail(problems)
        policy, problems = validate(ActionsPolicy, data, str(policy_file))
        if policy is None:
            raise _fail(problems)
        return policy
    project = load_project(root, stack)
    if project.config.github.actions is None:
        err.print(
            f"stack {stack} declares no Actions policy (the live one is left unmanaged): "
            "pass the proposed policy with --policy FILE",
            markup=False,
        )
        raise typer.Exit(ExitCode.INVALID)
    return project.config.github.actions


def _fail(problems: list[Problem]) -> typer.Exit:
    for p in sorted(set(problems)):
        err.print(str(p), markup=False)
    return typer.Exit(ExitCode.INVALID)


def actions_audit(
    source: Annotated[Path, typer.Argument(help=SOURCE_HELP)],
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="The proposed policy (YAML, the `actions:` block of the stack file). "
            "Default: the stack's declared policy.",
        ),
    ] = None,
    org: Annotated[str, typer.Option(help="The organisation whose own actions always run.")] = (
        "conda-forge"
    ),
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name.")] = "prod",
    root: Annotated[Path, typer.Option("--root", help="Project directory.")] = Path("."),
) -> None:
    """List every `uses:` the proposed Actions policy would block, by repository.

    Exit 0 when nothing is blocked, 1 when something is, 2 on unreadable input.
    """
    from infra.config.yamlio import structure_problems
    from infra.errors import ConfigError
    from infra.switchover.workflows import audit, uses_of

    try:
        policy = _policy(policy_file, root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    files, problems = _workflow_files(source)
    uses = []
    for repo, path, text in files:
        # The same limits as the stack's own data: an alias bomb or a recursive anchor never
        # reaches the composer (it would hang, or overflow the stack).
        found = structure_problems(text, f"{repo}/{path}")
        if found:
            problems += found
            continue
        try:
            uses.extend(uses_of(repo, path, text))
        except yaml.YAMLError as exc:
            problems.append(Problem(f"{repo}/{path}", "", f"not YAML: {exc.__class__.__name__}"))
    if problems:
        raise _fail(problems)
    blocked = audit(policy, org, uses)
    repos = sorted({u.repository for u in uses} | {r for r, _, _ in files})
    out.print(
        f"{len(uses)} `uses:` in {len(files)} files of {len(repos)} repositories; "
        f"{len(blocked)} blocked"
    )
    current = None
    for b in blocked:
        if b.use.repository != current:
            current = b.use.repository
            out.print(f"\n{current}", markup=False)
        out.print(f"  {b.use.file}:{b.use.line}  {b.use.ref}\n      {b.reason}", markup=False)
    if blocked:
        raise typer.Exit(ExitCode.FOUND)
