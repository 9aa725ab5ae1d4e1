"""Rendering the generated docs: deterministic, complete, generic over types, secret-free."""

from __future__ import annotations

import json
import re

import pytest

from infra.docs.render import (
    PATTERN_NAMES,
    REFERENCE_PAGES,
    cell,
    prose,
    render_all,
    render_inventory,
    render_references,
)
from infra.docs.schema import render_schemas
from infra.plan.model import Plan, PlannedResource, SecretLineage, TargetLineage
from infra.sources.offline import PLACEHOLDER_PREFIX
from tests.conftest import FIXTURE_STACK


def test_identity_patterns_render_as_names_not_regular_expressions():
    schema = render_references(render_schemas())
    text = "".join(schema.values())
    for name in PATTERN_NAMES.values():
        assert name in text
    assert "kebab-case name" in text


def test_rendering_twice_gives_the_same_bytes(fixture_plan, tmp_path):
    assert render_all(tmp_path, fixture_plan) == render_all(tmp_path, fixture_plan)


def test_every_field_of_every_model_is_in_its_reference_page():
    schemas = render_schemas()
    pages = render_references(schemas)
    for rel, text in schemas.items():
        schema = json.loads(text)
        page = pages[rel.parent / REFERENCE_PAGES[rel.name][0]]
        for model in [schema, *schema.get("$defs", {}).values()]:
            for field in model.get("properties", {}):
                assert f"`{field}`" in page, (rel, field)


def test_inventory_groups_any_resource_type_it_has_never_seen():
    plan = Plan(
        stack="test",
        resources=[
            PlannedResource(type="newcloud:index/widget:Widget", name="w1", inputs={"size": 3}),
            PlannedResource(
                type="newcloud:index/widget:Widget", name="w2", inputs={"token": "[secret]"}
            ),
        ],
    )
    text = render_inventory(plan)
    assert "| newcloud | `newcloud:index/widget:Widget` | 2 |" in text
    assert "### `newcloud:index/widget:Widget` (2)" in text
    assert "`token`: `[secret]`" in text


def test_inventory_shows_every_secret_target_and_audience(fixture_plan):
    text = render_inventory(fixture_plan)
    assert fixture_plan.lineage
    for lineage in fixture_plan.lineage:
        assert f"`{lineage.secret}`" in text
        for target in lineage.targets:
            assert f"| `{lineage.secret}` | {cell(target.target)} | {target.audience} |" in text


def test_inventory_never_holds_a_placeholder_secret(fixture_plan):
    assert PLACEHOLDER_PREFIX not in render_inventory(fixture_plan)


def test_audience_section_lists_the_widest_audience_first():
    plan = Plan(
        stack="t",
        lineage=[
            SecretLineage(
                "s",
                "op://v/i/f",
                "core",
                "internal",
                "feedstocks",
                "feedstocks",
                "manual",
                [TargetLineage("GitHub org secret S", "feedstocks", "visibility all")],
            )
        ],
    )
    text = render_inventory(plan)
    assert text.index("### public") < text.index("### feedstocks (1)") < text.index("### core")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Pulumi.<stack>.yaml", "Pulumi.&lt;stack&gt;.yaml"),
        ("`Pulumi.<stack>.yaml`", "`Pulumi.<stack>.yaml`"),
        ("a | b", "a | b"),
    ],
)
def test_prose_escapes_tags_only_outside_code(raw, shown):
    assert prose(raw) == shown


def test_cells_are_one_line_with_pipes_escaped():
    assert cell("one\ntwo | three\n\nnext") == "one two \\| three<br><br>next"


def test_docs_check_names_stale_files_and_the_command(fixture_copy):
    from typer.testing import CliRunner

    from infra.cli import app

    root, stack = fixture_copy, ["--stack", FIXTURE_STACK]
    runner = CliRunner()
    stale = runner.invoke(app, ["docs", "--check", *stack, "--root", str(root)])
    assert stale.exit_code == 1
    assert "docs/inventory.md" in stale.output
    assert "uv run cfinfra docs" in stale.output
    assert runner.invoke(app, ["docs", *stack, "--root", str(root)]).exit_code == 0
    assert "example-forge" in (root / "docs/inventory.md").read_text(encoding="utf-8")
    assert re.search(
        r"\d+ generated docs are current",
        runner.invoke(app, ["docs", "--check", *stack, "--root", str(root)]).output,
    )
