"""Every command that reads JSON from outside refuses hostile input: exit 2, one line, no
traceback, within 10 s (issue 23, "what must hold").

The inputs: 100,000 nested arrays (a ``RecursionError`` in Python's decoder), a 5,001-digit number
(a ``ValueError`` past Python's digit limit), a FIFO (``open`` would wait for a writer forever),
``/dev/zero`` (never ends) and a top-level list where an object belongs. Each command runs in a
thread with a deadline, so a hang fails the test instead of the run.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK

ROOT_URN = "urn:pulumi:prod::conda-forge-infra::pulumi:pulumi:Stack::conda-forge-infra-prod"
INPUTS = ["nested", "long-number", "fifo", "dev-zero", "top-level-list"]


def _hostile(kind: str, tmp_path: Path) -> str:
    path = tmp_path / f"{kind}.json"
    if kind == "nested":
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif kind == "long-number":
        path.write_text('{"steps": [], "n": ' + "7" * 5001 + "}", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        return "/dev/zero"
    else:
        path.write_text("[]", encoding="utf-8")
    return str(path)


def _good(tmp_path: Path) -> dict[str, str]:
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps({"steps": [{"op": "same", "urn": ROOT_URN}]}), "utf-8")
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"version": 1, "changes": []}), "utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"version": 1, "stack": "prod", "resources": []}), "utf-8")
    return {"preview": str(preview), "changes": str(changes), "plan": str(plan)}


FIXTURE = ["--root", str(FIXTURE_ROOT), "--stack", FIXTURE_STACK]
COMMANDS = {
    "verify-preview (preview)": lambda bad, ok: [
        "verify-preview", bad, "--reviewed", ok["changes"]
    ],
    "verify-preview (change set)": lambda bad, ok: [
        "verify-preview", ok["preview"], "--reviewed", bad
    ],
    "drift-triage": lambda bad, ok: ["drift-triage", bad],
    "drift-report": lambda bad, ok: ["drift-report", bad],
    "deploy-guard": lambda bad, ok: ["deploy-guard", "--deployed", bad, *FIXTURE],
    "plan --against": lambda bad, ok: ["plan", "--against", bad, *FIXTURE],
    "adopt --from": lambda bad, ok: ["adopt", "--from", bad, "--root", str(FIXTURE_ROOT)],
    "actions-audit": lambda bad, ok: ["actions-audit", bad, *FIXTURE],
    "diff --base-plan": lambda bad, ok: [
        "diff", "--base-plan", bad, "--head-plan", ok["plan"]
    ],
}  # fmt: skip


@pytest.mark.parametrize("kind", INPUTS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_json_exits_2_in_one_line_without_a_traceback(
    command: str, kind: str, tmp_path: Path
) -> None:
    args = COMMANDS[command](_hostile(kind, tmp_path), _good(tmp_path))
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(CliRunner().invoke(app, args)), daemon=True
    )
    worker.start()
    worker.join(10)
    assert results, f"{command} on {kind} did not finish within 10 s"
    result = results[0]
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(result.exception, SystemExit)  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert result.output.strip()  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", ["nope/r.md", "."])
def test_plan_against_refuses_a_report_in_a_missing_folder_or_a_folder(
    where: str, tmp_path: Path
) -> None:
    ok = _good(tmp_path)
    report = str(tmp_path / where)
    result = CliRunner().invoke(
        app, ["plan", *FIXTURE, "--against", ok["preview"], "--report", report]
    )
    assert result.exit_code == 2, result.output
    assert "--report" in result.output
    assert "Traceback" not in result.output


def test_a_workflow_with_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    repo = tmp_path / "repo" / ".github" / "workflows"
    repo.mkdir(parents=True)
    (repo / "ci.yml").write_text(f"on: push\njobs: {{}}\n{bomb}", encoding="utf-8")
    result = CliRunner().invoke(app, ["actions-audit", str(tmp_path / "repo"), *FIXTURE])
    assert result.exit_code == 2, result.output
    assert "anchors" in result.output
