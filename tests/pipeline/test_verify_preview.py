"""`cfinfra verify-preview`: a real preview may only do what the reviewed change set says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.plan.changeset import ChangeOp, ChangeSet, build_change_set
from tests.pipeline.helpers import (
    HOOK_T,
    SECRET_SIG,
    SIG_KEY,
    WEBHOOKS,
    hook,
    org_secret,
    plan,
    preview,
    repo,
    step,
    urn,
)

BASE = plan(hook("a"), hook("b"), repo("staged-recipes"), org_secret("TOKEN"))
HEAD = plan(hook("a", ["push", "issues"]), hook("b"), repo("staged-recipes"), org_secret("TOKEN"))
HOOK_A = urn(HOOK_T, "a", WEBHOOKS)
HOOK_B = urn(HOOK_T, "b", WEBHOOKS)


def _run(tmp_path: Path, doc: object, *args: str, reviewed: ChangeSet | None = None):
    preview_file = tmp_path / "preview.json"
    preview_file.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    reviewed_file = tmp_path / "reviewed.json"
    change_set = reviewed or build_change_set(BASE, HEAD, base_label="b0", head_label="h1")
    change_set.write(reviewed_file)
    return CliRunner().invoke(
        app, ["verify-preview", str(preview_file), "--reviewed", str(reviewed_file), *args]
    )


def test_the_change_set_names_urn_op_and_top_level_properties() -> None:
    change_set = build_change_set(BASE, HEAD, base_label="b0", head_label="h1")
    assert [c.to_dict() for c in change_set.changes] == [
        {"urn": HOOK_A, "op": "update", "properties": ["events"]}
    ]
    doc = json.loads(change_set.to_json())
    assert (doc["base"], doc["head"], doc["version"]) == ("b0", "h1", 1)
    assert ChangeSet.from_json(change_set.to_json()) == change_set


def test_creates_and_deletes_carry_every_input_name() -> None:
    change_set = build_change_set(BASE, plan(hook("a"), repo("new")), base_label="", head_label="")
    ops = {c.urn.rsplit("::", 1)[1]: (c.op, c.properties) for c in change_set.changes}
    assert ops["conda-forge/new"] == (ChangeOp.CREATE, ("description", "name"))
    assert ops["b"] == (ChangeOp.DELETE, ("active", "configuration", "events"))


def test_a_reviewed_update_alone_passes(tmp_path: Path) -> None:
    doc = preview(step("update", HOOK_A, detailed={"events[1]": "add"}, reasons=["events"]))
    result = _run(tmp_path, doc)
    assert result.exit_code == 0, result.output
    assert "Every change the preview shows was reviewed" in result.stdout


def test_an_unreviewed_delete_next_to_a_reviewed_update_stops_and_is_named(tmp_path: Path) -> None:
    doc = preview(
        step("update", HOOK_A, detailed={"events[1]": "add"}),
        step("delete", HOOK_B, old={"events": ["push"]}),
    )
    result = _run(tmp_path, doc)
    assert result.exit_code == 1, result.output
    assert f"| `{HOOK_B}` | `delete` |" in result.stdout
    assert "no reviewed change touches this resource" in result.stdout
    assert HOOK_A not in result.stdout.split("| resource |")[1]


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[]",
        b'{"steps": 3}',
        b'{"steps": [{"op": "update", "urn": "x"}]}',
        b"\xff\xfe",
    ],
    ids=["not-json", "a-list", "steps-not-a-list", "bad-urn", "undecodable"],
)
def test_a_malformed_preview_exits_2_without_a_traceback(tmp_path: Path, data: bytes) -> None:
    reviewed = tmp_path / "reviewed.json"
    build_change_set(BASE, HEAD, base_label="b0", head_label="h1").write(reviewed)
    path = tmp_path / "preview.json"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["verify-preview", str(path), "--reviewed", str(reviewed)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")


def test_a_malformed_change_set_exits_2(tmp_path: Path) -> None:
    reviewed = tmp_path / "bad.json"
    reviewed.write_text('{"changes": [{"urn": "urn:pulumi:a::b::c::d", "op": "explode"}]}')
    (tmp_path / "p.json").write_text(json.dumps(preview()))
    result = CliRunner().invoke(
        app, ["verify-preview", str(tmp_path / "p.json"), "--reviewed", str(reviewed)]
    )
    assert result.exit_code == 2
    assert "not a reviewed change set" in result.stderr


def test_an_unreviewed_property_of_a_reviewed_resource_stops(tmp_path: Path) -> None:
    doc = preview(
        step("update", HOOK_A, detailed={"events[1]": "add", "configuration.url": "update"})
    )
    result = _run(tmp_path, doc)
    assert result.exit_code == 1
    assert "unreviewed properties: configuration" in result.stdout


def test_a_replace_reviewed_as_an_update_stops(tmp_path: Path) -> None:
    doc = preview(step("replace", HOOK_A, detailed={"events": "update-replace"}))
    result = _run(tmp_path, doc)
    assert result.exit_code == 1
    assert "reviewed as `update`, the engine will `replace` it" in result.stdout


def test_an_update_without_property_names_stops(tmp_path: Path) -> None:
    result = _run(tmp_path, preview(step("update", HOOK_A)))
    assert result.exit_code == 1
    assert "does not say which properties change" in result.stdout


def test_same_read_and_refresh_steps_need_no_review(tmp_path: Path) -> None:
    doc = preview(step("same", HOOK_B), step("read", HOOK_B), step("refresh", HOOK_B))
    assert _run(tmp_path, doc).exit_code == 0


def test_secret_value_redelivery_needs_the_explicit_flag(tmp_path: Path) -> None:
    secret_urn = urn(
        "github:index/actionsOrganizationSecret:ActionsOrganizationSecret", "org-secret-TOKEN"
    )
    wrapped = {SIG_KEY: SECRET_SIG, "value": "[secret]"}
    doc = preview(
        step(
            "update",
            secret_urn,
            detailed={"value": "update"},
            old={"value": "[secret]"},
            new={"value": wrapped},
        )
    )
    assert _run(tmp_path, doc).exit_code == 1
    result = _run(tmp_path, doc, "--secret-values")
    assert result.exit_code == 0, result.output
    assert "change secret values only" in result.stdout
    assert "1b47061264138c4ac30d75fd1eb44270" not in result.stdout


def test_a_non_secret_change_is_never_passed_off_as_a_redelivery(tmp_path: Path) -> None:
    doc = preview(
        step(
            "update",
            HOOK_B,
            detailed={"configuration": "update"},
            old={"configuration": {"url": "a"}},
            new={"configuration": {"url": "b"}},
        )
    )
    assert _run(tmp_path, doc, "--secret-values").exit_code == 1


def test_names_are_escaped_in_the_report(tmp_path: Path) -> None:
    odd = urn(HOOK_T, "a|b`c", WEBHOOKS)
    result = _run(tmp_path, preview(step("delete", odd)))
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "a\\|b" in line)
    assert row.count(" | ") == 3  # the pipe in the name does not split the table


def test_diff_json_writes_the_change_set_that_explains_the_preview(tmp_path: Path) -> None:
    base_file, head_file, out = tmp_path / "base.json", tmp_path / "head.json", tmp_path / "cs.json"
    BASE.write(base_file)
    HEAD.write(head_file)
    result = CliRunner().invoke(
        app,
        [
            "diff",
            "--base-plan",
            str(base_file),
            "--head-plan",
            str(head_file),
            "--json",
            str(out),
            "--output",
            str(tmp_path / "diff.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["changes"] == [{"urn": HOOK_A, "op": "update", "properties": ["events"]}]
    assert (doc["base"], doc["head"]) == (str(base_file), str(head_file))


def test_a_base_planned_before_urns_were_recorded_gets_the_engines_urns() -> None:
    from dataclasses import replace

    old_base = type(BASE)(BASE.stack, [replace(r, urn=None) for r in BASE.resources])
    change_set = build_change_set(old_base, HEAD, base_label="old", head_label="h1")
    assert [c.to_dict() for c in change_set.changes] == [
        {"urn": HOOK_A, "op": "update", "properties": ["events"]}
    ]
