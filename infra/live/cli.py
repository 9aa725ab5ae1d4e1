"""`cfinfra snapshot`: read the live state of everything managed, read-only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console import RootOpt, StackOpt, err, fail_config, out
from infra.exitcodes import ExitCode

if TYPE_CHECKING:
    from infra.live.snapshot import Recorder


def snapshot(
    output: Annotated[Path, typer.Option("--output", "-o", help="The snapshot file to write.")],
    stack: StackOpt = "prod",
    root: RootOpt = Path("."),
    feedstock: Annotated[
        list[str] | None,
        typer.Option(
            "--feedstock",
            help="Also record this feedstock's workflows (name without -feedstock; repeatable), "
            "for `cfinfra actions-audit`.",
        ),
    ] = None,
) -> None:
    """Record the live state of everything the stack manages, read-only (GET requests only).

    Reads GITHUB_TOKEN (required; read access to the org), HEROKU_API_KEY and
    AZDO_PERSONAL_ACCESS_TOKEN (optional: without them those surfaces are skipped, with a note).
    Never records a secret value. On a terminal it shows each request as it goes. Exit 0
    written, 2 invalid configuration or no token, 4 a service cannot be reached, refuses the
    token or has no rate limit left (one line; nothing written).
    """
    from infra.config.loader import load_project
    from infra.errors import ConfigError
    from infra.live.client import Unavailable, azure_devops_client, github_client, heroku_client
    from infra.live.snapshot import Recorder, record, write_snapshot

    try:
        project = load_project(root, stack)
    except ConfigError as exc:
        raise fail_config(exc) from None
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        err.print("GITHUB_TOKEN is not set: a snapshot reads the org as a member", markup=False)
        raise typer.Exit(ExitCode.INVALID)
    heroku_key = os.environ.get("HEROKU_API_KEY", "")
    azdo = os.environ.get("AZDO_PERSONAL_ACCESS_TOKEN", "")
    recorder = Recorder(
        github=github_client(token),
        org=project.config.github.org,
        heroku=heroku_client(heroku_key) if heroku_key else None,
        azure=azure_devops_client(project.config.azure.organization, azdo) if azdo else None,
    )
    with _progress(recorder):
        try:
            doc = record(project, recorder, feedstock or ())
        except Unavailable as exc:
            err.print(f"snapshot: {exc}; nothing written", markup=False)
            raise typer.Exit(ExitCode.UNAVAILABLE) from None
    write_snapshot(doc, output)
    for note in recorder.notes:
        err.print(f"note: {note}", markup=False)
    out.print(f"wrote {output}: {len(doc) - 1} responses", markup=False)
    out.print(recorder.github.rate.summary(), markup=False)


@contextmanager
def _progress(recorder: Recorder) -> Iterator[None]:
    """On a terminal, a status line naming each request as it is made; elsewhere nothing."""
    if not err.is_terminal:
        yield
        return
    with err.status("snapshot: starting") as status:

        def show(path: str, n: int) -> None:
            status.update(f"snapshot: request {n}: GET {path[:60]}")

        for client in (recorder.github, recorder.heroku, recorder.azure):
            if client is not None:
                client.on_request = show
        yield
