"""Security-relevant drift never goes to a public issue: `cfinfra drift-triage` decides which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.pipeline.privacy import DriftClass, classify
from infra.pipeline.verify import parse_steps
from tests.pipeline.helpers import HOOK_T, MEMBER_T, REPO_T, SECRET_T, WEBHOOKS, preview, step, urn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "preview"


def _classify(*steps: dict) -> tuple[DriftClass, int]:
    return classify(parse_steps(json.dumps(preview(*steps))))


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


def test_the_cli_prints_class_and_count_and_refuses_garbage(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["drift-triage", str(FIXTURES / "update.json")])
    assert (result.exit_code, result.stdout) == (0, "security 6\n")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = CliRunner().invoke(app, ["drift-triage", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
