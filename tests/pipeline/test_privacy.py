"""Security-relevant drift never goes to a public issue: `cfinfra drift-triage` decides which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.diff.compare import diff_plans
from infra.drift.report import parse_preview, render_markdown
from infra.live.against import Change, Prediction
from infra.pipeline.privacy import DriftClass, classify
from infra.plan.model import Plan, PlannedResource
from infra.resource_types import TYPES, holds_no_cloud_state, is_known
from tests.pipeline.helpers import HOOK_T, MEMBER_T, REPO_T, SECRET_T, WEBHOOKS, preview, step, urn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "preview"


def _classify(*steps: dict) -> tuple[DriftClass, int]:
    return classify(parse_preview(json.dumps(preview(*steps))))


@pytest.mark.parametrize(
    ("type_", "parent"),
    [(SECRET_T, None), (MEMBER_T, None), (HOOK_T, WEBHOOKS), ("aws:iam/role:Role", "x:y:Z")],
    ids=["secret-audience", "member", "webhook-url", "ci-role"],
)
def test_drift_of_who_reads_what_or_where_it_goes_is_security_relevant(type_, parent) -> None:
    drift = _classify(step("update", urn(type_, "r", parent), reasons=["x"]))
    assert drift == (DriftClass.SECURITY, 1)


def test_a_repository_description_is_ordinary_drift() -> None:
    drift = _classify(step("update", urn(REPO_T, "conda-forge/x"), reasons=["description"]))
    assert drift == (DriftClass.ORDINARY, 1)


def test_one_security_relevant_step_makes_the_whole_report_private() -> None:
    drift = _classify(
        step("update", urn(REPO_T, "conda-forge/x"), reasons=["description"]),
        step("create", urn(MEMBER_T, "member-mallory")),
    )
    assert drift == (DriftClass.SECURITY, 2)


def test_no_changing_step_is_clean() -> None:
    assert _classify(step("same", urn(REPO_T, "a")), step("refresh", urn(SECRET_T, "b"))) == (
        DriftClass.CLEAN,
        0,
    )


def test_the_cli_prints_class_and_count_exits_1_on_drift_and_refuses_garbage(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(app, ["drift-triage", str(FIXTURES / "update.json")])
    assert (result.exit_code, result.stdout) == (1, "security 6\n")
    clean = CliRunner().invoke(app, ["drift-triage", str(FIXTURES / "clean.json")])
    assert (clean.exit_code, clean.stdout) == (0, "clean 0\n")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = CliRunner().invoke(app, ["drift-triage", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_failed_preview_is_never_clean(tmp_path: Path) -> None:
    failed = preview()
    failed["diagnostics"] = [{"severity": "error", "message": "error: preview failed"}]
    path = tmp_path / "failed.json"
    path.write_text(json.dumps(failed))
    result = CliRunner().invoke(app, ["drift-triage", str(path)])
    assert (result.exit_code, result.stdout) == (1, "security 0\n")


def test_a_preview_that_never_ran_the_program_is_never_clean() -> None:
    assert classify(parse_preview(json.dumps({"steps": [], "changeSummary": {}})))[0] is (
        DriftClass.SECURITY
    )


def test_a_preview_of_another_stack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(preview()).replace("urn:pulumi:prod::", "urn:pulumi:dev::"))
    result = CliRunner().invoke(app, ["drift-triage", str(path)])
    assert result.exit_code == 2
    assert "not 'prod'" in result.output


@pytest.mark.parametrize("plan_name", ["prod_plan", "fixture_plan"])
def test_every_type_the_plan_declares_has_an_entry_in_the_type_table(plan_name, request) -> None:
    plan = request.getfixturevalue(plan_name)
    assert sorted({r.type for r in plan.resources if not is_known(r.type)}) == []


CASES = [
    ("update", ("description",)),
    ("update", ("visibility", "configuration", "privacy")),
    ("create", ()),
    ("delete", ()),
]
"""A change of an ordinary property, of properties the table calls security-relevant for some
types, a create and a delete."""


def _triage_and_report(type_: str, op: str, properties: tuple[str, ...]) -> tuple[bool, bool]:
    reasons = list(properties) if op == "update" else None
    report = parse_preview(json.dumps(preview(step(op, urn(type_, "r"), reasons=reasons))))
    private = classify(report)[0] is DriftClass.SECURITY
    return private, "Security-relevant drift" in render_markdown(report)


def _pr_diff(type_: str, op: str, properties: tuple[str, ...]) -> bool:
    old = PlannedResource(type_, "r", {p: "old" for p in properties})
    new = PlannedResource(type_, "r", {p: "new" for p in properties})
    base = Plan("prod", [] if op == "create" else [old])
    head = Plan("prod", [] if op == "delete" else [new])
    (change,) = diff_plans(base, head).changes
    return change.security_relevant


def _plan_against(type_: str, op: str, properties: tuple[str, ...]) -> bool | None:
    if op == "delete":
        return None  # the first `up` against a snapshot deletes nothing: no such prediction
    changes = [Change(p, "live", "declared") for p in properties]
    resource = PlannedResource(type_, "r", {p: "declared" for p in properties})
    return Prediction(resource, op, "GET x", changes).security_relevant


@pytest.mark.parametrize("plan_name", ["prod_plan", "fixture_plan"])
def test_triage_report_pr_diff_and_plan_against_agree_for_every_declared_type(
    plan_name, request
) -> None:
    """Issue 25: one table, so a change of any declared type is security-relevant in drift
    triage (private issue), the drift report, the PR diff and `plan --against`, or in none."""
    plan = request.getfixturevalue(plan_name)
    for type_ in sorted({r.type for r in plan.resources}):
        for op, properties in CASES:
            private, flagged = _triage_and_report(type_, op, properties)
            diff = _pr_diff(type_, op, properties)
            against = _plan_against(type_, op, properties)
            assert private == flagged == diff, (type_, op, properties)
            assert against in (None, private), (type_, op, properties)


def test_the_four_readers_tell_an_ordinary_change_from_a_security_relevant_one() -> None:
    """The agreement above is not all-true: the table draws a line each reader sees."""
    ordinary, relevant = CASES[0], CASES[1]
    assert _triage_and_report(REPO_T, *ordinary) == (False, False)
    assert _triage_and_report(REPO_T, *relevant) == (True, True)
    assert _pr_diff(REPO_T, *ordinary) is False
    assert _pr_diff(REPO_T, *relevant) is True
    assert _plan_against(REPO_T, *ordinary) is False
    assert _plan_against(REPO_T, *relevant) is True


def test_the_type_table_marks_what_the_two_old_lists_disagreed_on_as_security() -> None:
    for type_ in (
        "aws:iam/role:Role",
        "aws:kms/key:Key",
        "github:index/branchProtection:BranchProtection",
        "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions",
    ):
        assert TYPES[type_].security is True


def test_components_providers_and_the_root_stack_hold_no_cloud_state() -> None:
    assert holds_no_cloud_state("cfinfra:heroku:App")
    assert holds_no_cloud_state("pulumi:providers:github")
    assert holds_no_cloud_state("pulumi:pulumi:Stack")
    assert not holds_no_cloud_state("github:index/repository:Repository")
    assert not holds_no_cloud_state("pulumi:pulumi:StackReference")
