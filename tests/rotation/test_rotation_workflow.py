"""The rotation workflow's routine and emergency paths (structure only; the rest of the workflow
rules live in tests/workflows)."""

from __future__ import annotations

import json
from typing import Any

from tests.workflows.test_workflows import WORKFLOWS, jobs, load, steps

ROTATION = WORKFLOWS / "rotation.yml"


def job(name: str) -> dict[str, Any]:
    return dict(jobs(ROTATION))[name]


def script(name: str) -> str:
    return "\n".join(str(s.get("run", "")) for s in steps(job(name)))


def test_an_emergency_is_a_dispatch_with_the_secrets_id() -> None:
    on = load(ROTATION)["on"]
    assert on["workflow_dispatch"]["inputs"]["emergency_secret"]["default"] == ""
    assert "inputs.emergency_secret != ''" in job("rotate")["if"]
    assert '--emergency --secret "$EMERGENCY_SECRET"' in script("rotate")
    assert "^[a-z0-9][a-z0-9-]*$" in script("rotate")  # only an id reaches the command line


def test_the_rotation_job_leaves_delivery_to_the_deploy_workflow() -> None:
    assert script("rotate").count("cfinfra rotation run --no-deliver") == 2
    assert "deploy.yml" in script("deliver")


def test_the_public_issue_names_no_secret() -> None:
    assert "emergency_secret" not in json.dumps(job("issue"))


def test_the_rotators_run_when_something_is_due_or_a_rotation_is_in_progress() -> None:
    condition = job("rotate")["if"]
    assert "needs.status.outputs.state == 'due'" in condition
    assert "needs.status.outputs.state == 'in-progress'" in condition
    status = script("status")
    assert '--counts "$RUNNER_TEMP/counts.json"' in status
    assert "state=in-progress" in status


def test_the_public_issue_gets_the_rotators_counts_and_the_details_go_private() -> None:
    rotate = job("rotate")
    assert set(rotate["outputs"]) == {"advanced", "unchanged", "failed"}
    run = script("rotate")
    assert run.count('--counts "$RUNNER_TEMP/run.json" > "$log" 2>&1') == 2  # not in the log
    assert "PRIVATE_REPORTS_TOKEN" in json.dumps(rotate)
    assert "!= PRIVATE" in run  # never falls back to this public repository
    issue = job("issue")
    assert issue["needs"] == ["status", "rotate"]
    assert issue["if"] == "always() && needs.status.result == 'success'"
    env = issue["steps"][0]["env"]
    assert {k: v for k, v in env.items() if "rotate" in v} == {
        "ROTATE_RESULT": "${{ needs.rotate.result }}",
        "ADVANCED": "${{ needs.rotate.outputs.advanced }}",
        "UNCHANGED": "${{ needs.rotate.outputs.unchanged }}",
        "FAILED": "${{ needs.rotate.outputs.failed }}",
    }
    assert "^[0-9]+$" in script("issue")  # only numbers reach the public issue
