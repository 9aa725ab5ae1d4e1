"""``cfinfra runners``: apply admin-requests to the runner data, report capacity, render files.

Exit codes: 0 done, 2 the request or the data is invalid (every problem is listed). Commands read
only ``data/runners/``: no stack, no credentials, no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console import fail_problems, out, print_document, print_text, width, wrap

if TYPE_CHECKING:
    from infra.config.runners import RunnerData

app = typer.Typer(
    name="runners",
    help="CI runners: admin-requests into access data, capacity report, generated .cirun files.",
    no_args_is_help=True,
)

DataDir = Annotated[Path, typer.Option("--data-dir", help="The runner data folder.")]
StackOpt = Annotated[
    str,
    typer.Option("--stack", "-s", help="The stack whose `.cirun` writer is reported."),
]


def _writer_note(stack: str) -> str | None:
    """The not-applied note, while the stack has admin-requests write `.cirun`."""
    from infra.config.loader import load_stack_settings
    from infra.config.runners import NOT_APPLIED_NOTE, CirunFilesWriter

    settings = load_stack_settings(Path.cwd(), stack)
    runners = settings.runners if settings is not None else None
    if runners is None or not runners.manage_cirun_files:
        return None
    return (
        NOT_APPLIED_NOTE if runners.cirun_files_writer is CirunFilesWriter.ADMIN_REQUESTS else None
    )


def _say(note: str | None, *, err: bool = False) -> None:
    if note:
        print_text(wrap(f"note: {note}", width(stderr=err), indent="  "), stderr=err)


def load_data(data_dir: Path) -> RunnerData:
    """The runner data, validated; else every problem is printed and the command exits 2.

    Shared with the switch-over's ``runners import-access``, which edits the same data.
    """
    # Imports stay inside the commands so that `cfinfra --help` does not load pydantic models.
    from infra.config.loader import load_runner_data

    data, problems = load_runner_data(data_dir, Path.cwd())
    if data is None:
        fail_problems(problems)
    return data


@app.command(
    "apply-request",
    epilog="\b\nExamples:\n  cfinfra runners apply-request requests/vllm-gpu.yml --dry-run",
)
def apply_request(
    file: Annotated[
        Path,
        typer.Argument(help="An admin-requests YAML (`action: cirun|namespace|blacksmith|depot`)."),
    ],
    data_dir: DataDir = Path("data/runners"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show the changes; write nothing.")
    ] = False,
    stack: StackOpt = "prod",
) -> None:
    """Grant or revoke what a request asks, as an edit of the access files (a reviewable diff).

    A cirun grant lands in `.cirun` through `pulumi up` only once this repository writes it
    (`cirun_files_writer: infrastructure`); until that cutover it is recorded, not applied.
    """
    from infra.runners.requests import plan_request, read_request, write_changes

    data = load_data(data_dir)
    request, problems = read_request(file, Path.cwd())
    if request is None:
        fail_problems(problems)
    changes, problems = plan_request(data, request, str(file))
    if problems:
        fail_problems(problems)
    for change in changes:
        print_text(change.summary)
    if dry_run:
        print_text("dry run: nothing written")
        return
    for path in write_changes(data, data_dir, changes):
        print_text(f"{'wrote' if path.exists() else 'deleted'} {path}")
    if request.action == "cirun" and request.send_pr and not request.revoke:
        print_text(
            "send_pr: the feedstock pull request is sent by admin-requests, not by this command"
        )
    if request.action == "cirun":
        _say(_writer_note(stack))


@app.command("report", epilog="\b\nExamples:\n  cfinfra runners report")
def report(data_dir: DataDir = Path("data/runners"), stack: StackOpt = "prod") -> None:
    """Host capacity, how many of each flavor fit at once, who reaches each GPU (as recorded in
    the data: before the cutover, what admin-requests wrote to `.cirun` is what cirun enforces)."""
    from infra.runners.report import render_report

    render_report(load_data(data_dir), out)
    _say(_writer_note(stack))


@app.command(
    "render",
    epilog="\b\nExamples:\n  cfinfra runners render\n  cfinfra runners render --out /tmp/cirun",
)
def render(
    data_dir: DataDir = Path("data/runners"),
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the files into this folder.")
    ] = None,
    stack: StackOpt = "prod",
) -> None:
    """Print (or write) `.cirun.global.yml` and `.access.yml` as rendered from the data.

    `pulumi up` commits exactly these once this repository writes `.cirun` (`cirun_files_writer:
    infrastructure`). Until that cutover admin-requests writes them and `pulumi up` commits
    nothing: a grant recorded here is not applied (docs/migration.md).
    """
    from infra.runners.render import render_cirun_files

    files = render_cirun_files(load_data(data_dir))
    for name, text in files.items():
        if out is None:
            print_document(f"--- {name}\n{text}")
        else:
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
            print_text(f"wrote {out / name}")
    _say(_writer_note(stack), err=True)
