"""The drift report of the whole production stack: drift first and only drift (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from infra.cli import app
from infra.pulumi_formats import root_stack_urn

TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub's token format, not a real one


def _refresh(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """A refresh step as `pulumi preview --refresh --json` records it: at its pre-event, the old
    state on both sides, no diff (pulumi/pulumi pkg/backend/display/json.go)."""
    state = {"urn": urn, "custom": True, "inputs": inputs, "outputs": inputs}
    return {"op": "refresh", "urn": urn, "oldState": state, "newState": state, "detailedDiff": None}


def _update(urn: str, prop: str, live: Any, code: Any) -> dict[str, Any]:
    return {
        "op": "update",
        "urn": urn,
        "oldState": {"urn": urn, "inputs": {prop: live}, "outputs": {prop: live}},
        "newState": {"urn": urn, "inputs": {prop: code}, "outputs": {prop: live}},
        "diffReasons": [prop],
        "detailedDiff": {prop: {"kind": "update", "inputDiff": True}},
    }


def _prod_preview(prod_plan, drift: dict[str, tuple[str, Any, Any]]) -> dict[str, Any]:
    urns = {r.key: r.urn for r in prod_plan.resources}
    root = root_stack_urn("prod", "conda-forge-infra")
    steps: list[dict[str, Any]] = [{"op": "same", "urn": root, "detailedDiff": None}]
    for r in prod_plan.resources:
        steps.append(_refresh(urns[r.key], r.inputs))
    for key, (prop, live, code) in drift.items():
        steps.append(_update(urns[key], prop, live, code))
    return {"steps": steps, "diagnostics": [], "changeSummary": {"same": len(steps) - len(drift)}}


def _report(tmp_path: Path, doc: dict[str, Any]) -> tuple[int, str]:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(app, ["drift-report", str(path)])
    return result.exit_code, result.stdout


def test_three_drifted_resources_of_prod_are_all_the_report_lists(prod_plan, tmp_path) -> None:
    repos = [r for r in prod_plan.resources if r.type == "github:index/repository:Repository"]
    drift = {
        r.key: ("description", "edited by hand", r.inputs.get("description")) for r in repos[:3]
    }
    code, markdown = _report(tmp_path, _prod_preview(prod_plan, drift))
    assert code == 1
    lines = markdown.splitlines()
    assert len(lines) < 150
    resource_lines = [line for line in lines if line.startswith("- `")]
    assert sorted(resource_lines) == sorted(
        line for line in resource_lines if any(f"`{r.name}`" in line for r in repos[:3])
    )
    assert len([line for line in lines if "`up` would" in line]) == 3
    others = len(prod_plan.resources) - 3
    assert f"The other {others} resource(s) in the preview are unchanged." in markdown


def test_a_credential_planted_in_a_resource_name_and_a_property_path_never_prints(
    prod_plan, tmp_path
) -> None:
    [repo] = [r for r in prod_plan.resources if r.type == "github:index/repository:Repository"][:1]
    urns = {r.key: r.urn for r in prod_plan.resources}
    leaky_urn = urns[repo.key].rsplit("::", 1)[0] + f"::leak-{TOKEN}"
    step = _update(leaky_urn, f"topics.{TOKEN}", "a", "b")
    doc = {
        "steps": [{"op": "same", "urn": root_stack_urn("prod", "conda-forge-infra")}, step],
        "diagnostics": [{"severity": "warning", "urn": leaky_urn, "message": "about it"}],
    }
    code, markdown = _report(tmp_path, doc)
    assert code == 1
    assert "[secret]" in markdown
    assert TOKEN not in markdown
