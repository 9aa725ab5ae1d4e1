"""Behaviour of the pure parse + render layer of the drift report."""

from __future__ import annotations

import json
import random
import re

import pytest

from infra.drift.report import (
    MAX_VALUE_CHARS,
    PreviewFormatError,
    parse_preview,
    render_markdown,
    summary_line,
)
from tests.drift.drift_helpers import ROOT_URN, URN_PREFIX, one_update, read_fixture


def render(name: str) -> str:
    return render_markdown(parse_preview(read_fixture(name)))


# -- what counts as drift --------------------------------------------------------------------------


def test_a_preview_with_only_the_root_stack_is_clean() -> None:
    report = parse_preview(read_fixture("clean"))
    assert report.is_clean
    assert report.resources == ()
    assert (report.stack, report.project) == ("prod", "conda-forge-infra")
    assert "**No drift.**" in render_markdown(report)


def test_a_preview_without_the_root_stack_step_never_ran_the_program_and_is_not_clean() -> None:
    for text in ('{"steps": null, "changeSummary": {}}', '{"changeSummary": {}}'):
        report = parse_preview(text)
        assert not report.is_clean
        assert report.drifted == ()
        assert "**Preview failed**" in render_markdown(report)


def test_a_failed_preview_is_not_clean_and_says_so_first() -> None:
    report = parse_preview(read_fixture("failed"))
    assert not report.is_clean
    markdown = render_markdown(report)
    assert markdown.splitlines()[2].startswith("**Preview failed**")
    assert "401 Unauthorized" in markdown


def test_reads_and_refreshes_that_found_nothing_are_not_drift() -> None:
    report = parse_preview(read_fixture("read-only"))
    assert report.is_clean
    assert {(r.op, r.is_drift) for r in report.resources} == {("read", False), ("refresh", False)}
    markdown = render_markdown(report)
    assert "(not drift)" not in markdown
    assert "The other 2 resource(s) in the preview are unchanged." in markdown


def test_drift_under_refresh_shows_through_the_programs_update_not_the_refresh_step() -> None:
    """pulumi/pulumi update.go: in `preview --refresh` a refresh step keeps its pre-event."""
    report = parse_preview(read_fixture("refresh-drift"))
    assert not report.is_clean
    [drifted] = report.drifted
    assert (drifted.op, drifted.name) == ("update", "feedstock-builds-anaconda-org")
    assert [c.path for c in drifted.changes] == ["description", "variables[0]"]
    assert "recorded" not in render_markdown(report)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("delete-create", {("delete", "emeritus-someone"), ("delete", "cirun-gpu-runner-2026-02"),
                           ("create", "core-jakirkham")}),
        ("import", {("import", "protect-default-branches")}),
        ("replace", {("replace", "help-rust"), ("replace", "staged-recipes-labeler")}),
    ],
)  # fmt: skip
def test_creates_deletes_imports_and_replacements_are_drift(
    fixture: str, expected: set[tuple[str, str]]
) -> None:
    report = parse_preview(read_fixture(fixture))
    assert {(r.op, r.name) for r in report.drifted} == expected
    assert not report.is_clean


def test_the_three_steps_of_a_replacement_fold_into_one_entry() -> None:
    report = parse_preview(read_fixture("replace"))
    assert [r.op for r in report.resources] == ["replace", "replace"]
    assert report.op_counts() == {"replace": 2}
    resources = render_markdown(report).split("## Drift", 1)[1]
    assert resources.count("`help-rust`") == 1


def test_replace_reasons_are_marked_as_forcing_replacement() -> None:
    markdown = render("replace")
    assert '`name`: live: `"help-rust"` · code: `"help-rust-lang"` (forces replacement)' in markdown
    assert '`repository`: live: `"staged-recipes"` · code:' in markdown


def test_error_diagnostics_make_the_report_unclean_even_without_changes() -> None:
    report = parse_preview(read_fixture("errors"))
    assert report.drifted == ()
    assert not report.is_clean
    assert len(report.errors) == 2  # the duplicated engine error is reported once
    markdown = render_markdown(report)
    assert "**Preview failed**" in markdown
    assert "401 Bad credentials" in markdown
    assert summary_line(report).startswith("error:")


def test_warnings_are_kept_without_colour_codes_and_info_is_dropped() -> None:
    report = parse_preview(read_fixture("errors"))
    [warning] = [d for d in report.diagnostics if d.severity == "warning"]
    assert warning.message.startswith("resource plugin github is expected")
    assert "<{%" not in warning.message
    assert "Refreshing 187 resources" not in render_markdown(report)


# -- what the report says about each property ------------------------------------------------------


def test_each_changed_property_is_named_with_old_and_new_values() -> None:
    markdown = render("update")
    assert '`topics[1]`: live: (not set) · code: `"recipes"`' in markdown
    assert "`selectedRepositoryIds[2]`: live: `58485536` · code: (not set)" in markdown
    assert '`privacy`: live: `"closed"` · code: `"secret"`' in markdown


def test_old_values_come_from_outputs_when_pulumi_diffed_against_outputs() -> None:
    # `inputDiff: false`: the cloud (outputs) was edited by hand; the inputs still match the code.
    assert 'live: `"A place to submit recipes (edited by hand)"` · code:' in render("update")
    assert "`hasWiki`: live: `true` · code: `false`" in render("update")


def test_diff_reasons_are_used_when_there_is_no_detailed_diff() -> None:
    report = parse_preview(read_fixture("update"))
    [team] = [r for r in report.resources if r.type == "github:index/team:Team"]
    assert [(c.path, c.kind) for c in team.changes] == [
        ("description", "update"),
        ("privacy", "update"),
    ]


def test_the_resource_type_drops_parent_component_types() -> None:
    report = parse_preview(read_fixture("update"))
    types = {r.type for r in report.resources}
    assert "github:index/actionsOrganizationSecret:ActionsOrganizationSecret" in types
    assert not any("$" in t for t in types)


def test_unknown_values_render_as_known_after_apply() -> None:
    text = one_update(
        "homepageUrl", "https://conda-forge.org", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )
    assert '`"(known after apply)"`' in render_markdown(parse_preview(text))


def test_long_values_are_truncated() -> None:
    text = one_update("description", "x" * 1000, "y")
    [change] = parse_preview(text).resources[0].changes
    assert change.old is not None
    assert len(change.old) == MAX_VALUE_CHARS
    assert change.old.endswith("…")


def test_backticks_in_values_do_not_break_the_code_span() -> None:
    assert '``"Reviewers of `staged-recipes` | PRs"``' in render("update")


# -- secrets ---------------------------------------------------------------------------------------


def test_values_printed_as_secret_stay_secret() -> None:
    markdown = render("update")
    assert "`value`: live: `[secret]` · code: `[secret]`" in markdown
    assert "`configuration`: live: `[secret]` · code: `[secret]`" in markdown


def test_a_plaintext_value_under_a_sensitive_name_is_never_printed() -> None:
    # The fixture's old `sensitiveVars.GH_TOKEN` is plaintext, as a provider bug would leave it.
    markdown = render("update")
    assert "ghp_plaintextThatMustNeverAppear0001" not in markdown
    assert "`sensitiveVars.GH_TOKEN`: live: `[secret]` · code: `[secret]`" in markdown


def test_a_nested_leak_in_a_refreshed_value_is_masked() -> None:
    markdown = render("refresh-drift")
    assert "this-would-be-a-leak" not in markdown
    assert "`variables[0]`: live: `[secret]` · code: `[secret]`" in markdown


@pytest.mark.parametrize(
    "prop",
    ["clientSecret", "apiToken", "password", "privateKey", "plaintextValue", "sensitiveVars"],
)
def test_properties_with_sensitive_names_are_masked(prop: str) -> None:
    markdown = render_markdown(parse_preview(one_update(prop, "hunter2-old", "hunter2-new")))
    assert "hunter2" not in markdown
    assert f"`{prop}`: live: `[secret]` · code: `[secret]`" in markdown


@pytest.mark.parametrize(
    "value",
    [
        {"url": "https://conda-forge.herokuapp.com/hook", "secret": "[secret]"},
        {"url": "https://conda-forge.herokuapp.com/hook", "apiKey": "plain"},
        ["public", "[secret]"],
        {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "v": "plain"},
    ],
)
def test_a_value_containing_anything_secret_is_masked_whole(value: object) -> None:
    markdown = render_markdown(parse_preview(one_update("configuration", value, "changed")))
    assert "conda-forge.herokuapp.com" not in markdown
    assert "plain" not in markdown
    assert "`configuration`: live: `[secret]` · code: `[secret]`" in markdown


# -- malformed input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("{", "not JSON"),
        ("[]", "expected an object"),
        ('{"version": 3, "deployment": {"resources": []}}', "expected an object with `steps`"),
        ('{"steps": {}, "changeSummary": {}}', "`steps` is not a list"),
        ('{"steps": [1], "changeSummary": {}}', "steps[0] is not an object"),
        ('{"steps": [{"urn": "urn:pulumi:a::b::c::d"}], "changeSummary": {}}', "op is missing"),
        ('{"steps": [{"op": "same", "urn": "nope"}], "changeSummary": {}}', "not a Pulumi URN"),
        ('{"steps": [], "diagnostics": [{"message": 3}], "changeSummary": {}}', "not a string"),
    ],
)
def test_malformed_input_raises_a_one_line_format_error(text: str, message: str) -> None:
    with pytest.raises(PreviewFormatError, match=re.escape(message)) as excinfo:
        parse_preview(text)
    assert "\n" not in str(excinfo.value)


# -- determinism -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["update", "replace", "refresh-drift", "errors"])
def test_rendering_twice_gives_the_same_bytes(name: str) -> None:
    assert render(name).encode() == render(name).encode()


@pytest.mark.parametrize("seed", range(5))
def test_step_and_key_order_do_not_change_the_output(seed: int) -> None:
    data = json.loads(read_fixture("update")) | {
        "diagnostics": json.loads(read_fixture("errors"))["diagnostics"]
    }
    rng = random.Random(seed)  # noqa: S311 (a reproducible shuffle, not cryptography)

    def shuffle(value: object) -> object:
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return {k: shuffle(v) for k, v in items}
        return value

    shuffled = shuffle(data)
    assert isinstance(shuffled, dict)
    rng.shuffle(shuffled["steps"])
    rng.shuffle(shuffled["diagnostics"])
    expected = render_markdown(parse_preview(json.dumps(data)))
    assert render_markdown(parse_preview(json.dumps(shuffled))) == expected


def test_markdown_ends_with_exactly_one_newline() -> None:
    for name in ("clean", "update", "errors"):
        markdown = render(name)
        assert markdown.endswith("\n")
        assert not markdown.endswith("\n\n")


def test_root_urn_is_only_used_for_the_stack_name() -> None:
    text = json.dumps({"steps": [{"op": "update", "urn": ROOT_URN}], "changeSummary": {}})
    report = parse_preview(text)
    assert report.is_clean
    assert report.stack == "prod"
    assert URN_PREFIX.startswith("urn:pulumi:prod::")
