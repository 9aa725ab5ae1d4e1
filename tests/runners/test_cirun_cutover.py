"""The `.cirun` cutover, rehearsed: one reviewed data change moves the writer of `.access.yml` and
`.cirun.global.yml` from admin-requests to this repository (docs/migration.md).

Before it, nothing this repository records is written (the content is in `ignore_changes`, the
files are imported, never created over the live ones) and the pull-request diff says so. After it,
the rendered files are what `pulumi up` writes. Either way admin-requests' `cirun` requests arrive
here unchanged, through `cfinfra runners apply-request`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_runner_data
from infra.diff.access import NOT_APPLIED
from infra.diff.compare import FieldKind, Op
from infra.diff.markdown import render_markdown
from infra.diff.risks import build_report, risks
from infra.plan.engine import plan_stack
from infra.plan.model import Plan
from infra.runners.render import render_cirun_files
from tests.conftest import FIXTURE_STACK
from tests.runners.runner_helpers import DATA
from tests.stack_edits import edit_yaml

REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"
runner = CliRunner()

# admin-requests' own format (its `examples/example-cirun.yml`), as a requester writes it.
GPU_REQUEST = """\
action: cirun
feedstocks:
  - pandas
resources:
  - cirun-gpu-box
pull_request: false
send_pr: true
"""


def _cirun_files(plan: Plan) -> dict[str, object]:
    return {
        str(r.inputs["file"]): r
        for r in plan.of_type(REPOSITORY_FILE)
        if r.inputs.get("repository") == ".cirun"
    }


def _cut_over(root: Path) -> None:
    """The cutover's one data change."""
    edit_yaml(
        root / STACK_FILE,
        lambda d: d["config"]["cfinfra:runners"].update(cirun_files_writer="infrastructure"),
    )


def _apply_request(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = tmp_path / "pandas-gpu.yml"  # outside the project, as an admin-requests checkout
    request.write_text(GPU_REQUEST, encoding="utf-8")
    monkeypatch.chdir(root)  # as an admin runs it, in the checkout
    result = runner.invoke(app, ["runners", "apply-request", str(request)])
    assert result.exit_code == 0, result.output
    assert "grant cirun-gpu-box to pandas" in result.output


@pytest.fixture
def before(fixture_copy: Path) -> Plan:
    return plan_stack(fixture_copy, FIXTURE_STACK)


def test_before_the_cutover_nothing_recorded_here_is_written(before: Plan):
    for path, f in _cirun_files(before).items():
        # Imported as it is live, and its content is never diffed against the rendering.
        assert f.import_id == f".cirun:{path}:main"
        assert f.inputs["overwriteOnCreate"] is False
        assert f.ignores("content"), path
        assert f.ignores("commitMessage"), path


def test_before_the_cutover_a_grant_from_admin_requests_is_recorded_and_says_it_is_not_applied(
    fixture_copy: Path, before: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _apply_request(fixture_copy, tmp_path, monkeypatch)
    after = plan_stack(fixture_copy, FIXTURE_STACK)

    report = build_report(before, after)
    (change,) = [c for c in report.resources.changes if c.type == REPOSITORY_FILE]
    (content,) = [f for f in change.fields if f.path == "content"]
    assert content.ignored
    gpu = [r for r in risks(report) if r.label == "gpu-runner"]
    assert gpu
    assert NOT_APPLIED in gpu[0].detail
    md = render_markdown(report)
    assert "`pandas-feedstock`: +runner access `pandas-feedstock-policy`" in md
    assert f"({NOT_APPLIED})" in md
    assert "**not applied**: in `ignore_changes`" in md


def test_the_cutover_is_one_data_change_that_only_hands_the_files_over(
    fixture_copy: Path, before: Plan
):
    _cut_over(fixture_copy)
    after = plan_stack(fixture_copy, FIXTURE_STACK)

    report = build_report(before, after)
    changed = {c.name: c for c in report.resources.changes}
    assert set(changed) == {"runners-cirun-access-yml", "runners-cirun-cirun-global-yml"}
    for c in changed.values():
        assert c.op is Op.UPDATE
        # Options only: the content was already declared; now it is managed.
        assert {f.path for f in c.fields} == {"import_id", "ignore_changes"}
        assert all(f.kind is FieldKind.OPTION for f in c.fields)
    assert not report.people


def test_after_the_cutover_the_rendered_files_are_the_live_ones(fixture_copy: Path):
    _cut_over(fixture_copy)
    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    data, problems = load_runner_data(fixture_copy / DATA, fixture_copy)
    assert data is not None, problems

    rendered = render_cirun_files(data)
    files = _cirun_files(plan)
    assert sorted(files) == sorted(rendered)
    for path, text in rendered.items():
        f = files[path]
        assert f.inputs["content"] == text  # type: ignore[attr-defined]
        assert not f.ignore_changes  # type: ignore[attr-defined]
        assert f.import_id is None  # type: ignore[attr-defined]


def test_after_the_cutover_a_request_from_admin_requests_is_a_pull_request_that_applies(
    fixture_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _cut_over(fixture_copy)
    before = plan_stack(fixture_copy, FIXTURE_STACK)
    _apply_request(fixture_copy, tmp_path, monkeypatch)
    after = plan_stack(fixture_copy, FIXTURE_STACK)

    report = build_report(before, after)
    (change,) = [c for c in report.resources.changes if c.type == REPOSITORY_FILE]
    assert [f.path for f in change.fields] == ["content"]
    assert not change.fields[0].ignored
    md = render_markdown(report)
    assert "`pandas-feedstock`: +runner access `pandas-feedstock-policy`" in md
    assert NOT_APPLIED not in md
