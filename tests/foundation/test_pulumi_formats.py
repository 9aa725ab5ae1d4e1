"""Pulumi's formats as the engine writes them (pulumi/pulumi v3.259.0; see infra.pulumi_formats)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from infra.pulumi_formats import (
    NAME_DELIMITER,
    NO_CHANGE_OPS,
    OPS,
    PROVIDER_TYPE_PREFIX,
    REPLACEMENT_OPS,
    ROOT_STACK_TYPE,
    URN_PREFIX,
    FormatError,
    build_urn,
    parse_preview,
    parse_stack_export,
    parse_urn,
    root_stack_urn,
)
from tests.conftest import REPO_ROOT

ROOT = "urn:pulumi:prod::conda-forge-infra::pulumi:pulumi:Stack::conda-forge-infra-prod"


def test_a_urn_splits_into_stack_project_type_chain_and_name() -> None:
    urn = parse_urn("urn:pulumi:prod::p::a:b:Outer$github:index/team:Team::core")
    assert (urn.stack, urn.project, urn.qualified_type, urn.name) == (
        "prod",
        "p",
        "a:b:Outer$github:index/team:Team",
        "core",
    )
    assert urn.type == "github:index/team:Team"


def test_the_name_is_everything_after_the_third_delimiter() -> None:
    """urn.go ``Name``: ``getComponentN(..., 3, open=true)``."""
    assert parse_urn("urn:pulumi:s::p::t:m:T::a::b").name == "a::b"


@pytest.mark.parametrize("bad", ["", "urn:pulumi:s::p::t", "urn:other:s::p::t::n", 3, None])
def test_what_the_engine_calls_invalid_is_refused(bad: object) -> None:
    with pytest.raises(FormatError, match="not a Pulumi URN"):
        parse_urn(bad)


def test_a_child_of_the_root_stack_carries_no_parent_type() -> None:
    assert build_urn("prod", "p", "github:index/team:Team", "core", ROOT) == (
        "urn:pulumi:prod::p::github:index/team:Team::core"
    )


def test_a_grandchild_carries_its_parents_whole_type_chain() -> None:
    parent = "urn:pulumi:prod::p::a:b:Outer$a:b:Inner::inner"
    assert build_urn("prod", "p", "x:y:Z", "z", parent) == (
        "urn:pulumi:prod::p::a:b:Outer$a:b:Inner$x:y:Z::z"
    )


def test_the_root_stack_is_named_project_dash_stack() -> None:
    assert root_stack_urn("prod", "conda-forge-infra") == ROOT
    assert parse_urn(ROOT).is_root_stack


def test_the_discard_op_is_spelled_as_the_engine_spells_it() -> None:
    assert "discard" in OPS
    assert "read-discard" not in OPS
    assert NO_CHANGE_OPS <= OPS
    assert REPLACEMENT_OPS <= OPS
    assert not NO_CHANGE_OPS & {"create", "update", "delete", "replace", "import"}


def test_a_failed_preview_is_incomplete() -> None:
    preview = parse_preview(
        {"diagnostics": [{"severity": "error", "message": "boom"}], "changeSummary": {}}
    )
    assert preview.incomplete() is not None
    assert "1 error" in str(preview.incomplete())


def test_a_preview_without_the_root_stack_step_is_incomplete() -> None:
    preview = parse_preview({"steps": [], "changeSummary": {}})
    assert "no root stack step" in str(preview.incomplete())


def test_a_preview_of_another_stack_is_foreign() -> None:
    preview = parse_preview({"steps": [{"op": "same", "urn": ROOT.replace("prod", "dev")}]})
    assert preview.foreign("prod", "conda-forge-infra") is not None
    assert preview.foreign("dev", "conda-forge-infra") is None


def test_a_step_without_a_kind_in_its_detailed_diff_is_refused() -> None:
    with pytest.raises(FormatError, match="without a `kind`"):
        parse_preview({"steps": [{"op": "update", "urn": ROOT, "detailedDiff": {"a": {}}}]})


def test_a_stack_export_carries_delete_and_pending_replacement() -> None:
    [res] = parse_stack_export(
        {
            "version": 3,
            "deployment": {
                "resources": [
                    {"urn": ROOT, "type": "pulumi:pulumi:Stack", "pendingReplacement": True}
                ]
            },
        }
    )
    assert res.pending_replacement
    assert not res.delete


def test_something_else_is_no_stack_export() -> None:
    with pytest.raises(FormatError, match="no `deployment` object"):
        parse_stack_export({"steps": []})


def spelled_outside(root: Path, spellings: set[str]) -> list[str]:
    """String constants under ``root`` (docstrings included) that spell one of ``spellings``
    whole, outside ``infra/pulumi_formats.py``: the engine's formats are known in one place."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "pulumi_formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in spellings:
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {node.value}")
    return found


def test_only_the_formats_module_spells_the_root_stack_type_and_the_provider_prefix() -> None:
    spellings = {ROOT_STACK_TYPE, PROVIDER_TYPE_PREFIX, URN_PREFIX, NAME_DELIMITER}
    assert spelled_outside(REPO_ROOT / "infra", spellings) == []


def test_a_copy_of_the_root_stack_type_is_found(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "guard.py").write_text('SKIP = ("pulumi:pulumi:Stack", "x")\n')
    assert spelled_outside(tmp_path / "infra", {ROOT_STACK_TYPE}) == [
        "infra/guard.py:1: pulumi:pulumi:Stack"
    ]
