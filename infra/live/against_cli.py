"""`cfinfra plan --against SNAPSHOT`: exit 0 nothing changes, 1 changes, 2 unreadable (or a
snapshot that records nothing the stack manages)."""

from __future__ import annotations

from pathlib import Path

from infra.console import err, out, write_output
from infra.exitcodes import ExitCode
from infra.live.recorded import Snapshot, SnapshotError, load_snapshot


def read_snapshot(path: Path) -> Snapshot | None:
    """The snapshot, or None after printing every problem (the caller exits 2)."""
    try:
        return load_snapshot(path)
    except SnapshotError as exc:
        for p in exc.problems:
            err.print(str(p), markup=False)
        return None


def predict_and_report(
    plan: object, snapshot: Snapshot, org: str, stack: str, report_path: Path | None
) -> int:
    from infra.live.against import predict
    from infra.live.against_report import render_markdown, summary_lines
    from infra.plan.model import Plan

    assert isinstance(plan, Plan)
    report = predict(plan, snapshot, org)
    if report.problems:
        for problem in report.problems:
            err.print(str(problem), markup=False)
        n = len(report.problems)
        err.print(f"{n} problem{'s' if n != 1 else ''} in the snapshot: nothing predicted")
        return int(ExitCode.INVALID)
    for line in summary_lines(report):
        out.print(line, markup=False)
    if report_path is not None:
        write_output(report_path, render_markdown(report, stack, snapshot.file), "--report")
        out.print(f"wrote {report_path}", markup=False)
    return 1 if report.changing else 0
