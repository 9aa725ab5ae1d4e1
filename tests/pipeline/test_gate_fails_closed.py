"""The deploy gate fails closed (issue 23, 27): a preview that did not complete, is of another
stack, or changes a property nobody reviewed never passes; nothing a report prints carries a
credential."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from infra.cli import app
from infra.plan.changeset import Change, ChangeOp, ChangeSet
from tests.pipeline.helpers import SECRET_T, preview, step, urn

TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub's token format, not a real one
SECRET_URN = urn(SECRET_T, "PROD_BINSTAR_TOKEN")


def _verify(tmp_path: Path, doc: object, reviewed: ChangeSet, *args: str):
    preview_file = tmp_path / "preview.json"
    preview_file.write_text(json.dumps(doc))
    reviewed_file = tmp_path / "reviewed.json"
    reviewed.write(reviewed_file)
    return CliRunner().invoke(
        app, ["verify-preview", str(preview_file), "--reviewed", str(reviewed_file), *args]
    )


def _value_update(reasons: list[str]) -> dict:
    return step(
        "update",
        SECRET_URN,
        detailed={"plaintextValue": "update"},
        reasons=reasons,
        old={"plaintextValue": "[secret]", "visibility": "selected"},
        new={"plaintextValue": "[secret]", "visibility": "selected"},
    )


REVIEWED_VALUE = ChangeSet("b", "h", (Change(SECRET_URN, ChangeOp.UPDATE, ("plaintextValue",)),))
EMPTY = ChangeSet("b", "h", ())


def test_a_preview_with_an_error_diagnostic_never_passes(tmp_path: Path) -> None:
    doc = preview()
    doc["diagnostics"] = [{"severity": "error", "message": "error: preview failed\n"}]
    result = _verify(tmp_path, doc, EMPTY)
    assert result.exit_code == 1, result.output
    assert "did not complete" in result.stdout
    assert "may run" not in result.stdout


def test_a_preview_that_never_ran_the_program_never_passes(tmp_path: Path) -> None:
    result = _verify(tmp_path, {"steps": [], "changeSummary": {}}, EMPTY)
    assert result.exit_code == 1
    assert "no root stack step" in result.stdout


def test_a_preview_of_another_stack_never_passes(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(preview()).replace("urn:pulumi:prod::", "urn:pulumi:staging::"))
    result = _verify(tmp_path, doc, EMPTY)
    assert result.exit_code == 2
    assert "'staging'" in result.output


def test_an_update_whose_diff_reasons_name_an_unreviewed_property_is_unexplained(
    tmp_path: Path,
) -> None:
    """detailedDiff names the reviewed value, diffReasons also names `visibility`."""
    result = _verify(
        tmp_path, preview(_value_update(["plaintextValue", "visibility"])), REVIEWED_VALUE
    )
    assert result.exit_code == 1, result.output
    assert "unreviewed properties: visibility" in result.stdout


def test_secret_values_with_an_empty_reviewed_set_do_not_explain_a_visibility_change(
    tmp_path: Path,
) -> None:
    doc = preview(_value_update(["plaintextValue", "visibility"]))
    assert _verify(tmp_path, doc, EMPTY, "--secret-values").exit_code == 1


def test_an_input_difference_the_engine_does_not_name_is_still_reviewed(tmp_path: Path) -> None:
    changed = _value_update(["plaintextValue"])
    changed["newState"]["inputs"]["visibility"] = "all"
    result = _verify(tmp_path, preview(changed), REVIEWED_VALUE)
    assert result.exit_code == 1
    assert "visibility" in result.stdout


def test_the_reviewed_update_alone_passes(tmp_path: Path) -> None:
    result = _verify(tmp_path, preview(_value_update(["plaintextValue"])), REVIEWED_VALUE)
    assert result.exit_code == 0, result.output


def test_the_unexplained_table_never_prints_a_credential_in_a_urn_or_a_property(
    tmp_path: Path,
) -> None:
    leaky = step("update", urn(SECRET_T, f"leak-{TOKEN}"), reasons=[f"x.{TOKEN}"])
    result = _verify(tmp_path, preview(leaky), EMPTY)
    assert result.exit_code == 1
    assert "[secret]" in result.stdout
    assert TOKEN not in result.output
